package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Errors of the compare-and-set operations of KV.
var (
	// ErrKeyExists is returned by KV.Create when the key already has a value.
	ErrKeyExists = errors.New("key exists")
	// ErrRevisionConflict is returned by KV.Update when the key changed
	// since the revision the caller read: read again and retry.
	ErrRevisionConflict = errors.New("key changed since the revision read")
)

// KeyValueTTL creates or binds to the named bucket whose keys lapse ttl
// after their last write (the bucket's max age), so that state nobody
// updates any more is dropped by the server rather than by a sweeper.
func (b *Bus) KeyValueTTL(ctx context.Context, bucket string, ttl time.Duration, replicas int) (*KV, error) {
	if ttl < time.Second {
		return nil, fmt.Errorf("key-value bucket %q: ttl %s is shorter than 1s", bucket, ttl)
	}
	if replicas < 1 {
		replicas = 1
	}
	kv, err := b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:   bucket,
		TTL:      ttl,
		Storage:  jetstream.FileStorage,
		Replicas: replicas,
		History:  1,
	})
	if err != nil {
		return nil, fmt.Errorf("key-value bucket %q: %w", bucket, err)
	}
	return &KV{kv: kv}, nil
}

// GetRevision returns the value of key and its revision, which Update
// needs; ErrKeyNotFound if the key has no value (never set, or deleted).
func (k *KV) GetRevision(ctx context.Context, key string) ([]byte, uint64, error) {
	e, err := k.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return nil, 0, ErrKeyNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("get %q: %w", key, err)
	}
	return e.Value(), e.Revision(), nil
}

// Create stores value under key only if the key has no value, and returns
// the new revision; ErrKeyExists if another writer got there first.
func (k *KV) Create(ctx context.Context, key string, value []byte) (uint64, error) {
	rev, err := k.kv.Create(ctx, key, value)
	if errors.Is(err, jetstream.ErrKeyExists) || wrongRevision(err) {
		return 0, fmt.Errorf("create %q: %w", key, ErrKeyExists)
	}
	if err != nil {
		return 0, fmt.Errorf("create %q: %w", key, err)
	}
	return rev, nil
}

// Update stores value under key only if the key is still at revision (as
// read by GetRevision), and returns the new revision; ErrRevisionConflict
// if another writer changed it since, so no writer's update is ever lost.
func (k *KV) Update(ctx context.Context, key string, value []byte, revision uint64) (uint64, error) {
	rev, err := k.kv.Update(ctx, key, value, revision)
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || wrongRevision(err) {
		return 0, fmt.Errorf("update %q: %w", key, ErrRevisionConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("update %q: %w", key, err)
	}
	return rev, nil
}
