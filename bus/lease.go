package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Leases is a key-value bucket of leases: a lease names one holder at a
// time and lapses TTL after its last renewal, so that work held by a process
// that died is taken over by another. Every change is a compare-and-set on
// the key's revision, and the lapse is the server's (the bucket's max age),
// so the holders' clocks do not matter.
type Leases struct {
	kv  jetstream.KeyValue
	ttl time.Duration
}

// Errors of Leases.
var (
	// ErrLeaseHeld is returned by Acquire when another holder has the lease.
	ErrLeaseHeld = errors.New("lease held by another holder")
	// ErrLeaseLost is returned by Renew when the lease lapsed or was taken:
	// the caller must stop the work it guards.
	ErrLeaseLost = errors.New("lease lost")
)

// LeaseInfo is what a lease's value records.
type LeaseInfo struct {
	Holder   string    `json:"holder"`
	Acquired time.Time `json:"acquired"`
}

// Leases creates or binds to the named bucket of leases that lapse ttl
// after their last renewal (at least one second).
func (b *Bus) Leases(ctx context.Context, bucket string, ttl time.Duration, replicas int) (*Leases, error) {
	kv, err := b.KeyValueTTL(ctx, bucket, ttl, replicas)
	if err != nil {
		return nil, fmt.Errorf("leases: %w", err)
	}
	return &Leases{kv: kv.kv, ttl: ttl}, nil
}

// TTL is how long a lease lasts without renewal.
func (l *Leases) TTL() time.Duration { return l.ttl }

// Acquire takes the lease key for holder and returns its revision, which
// Renew and Release need. It returns ErrLeaseHeld while another holder's
// lease has not lapsed.
func (l *Leases) Acquire(ctx context.Context, key, holder string) (uint64, error) {
	v, _ := json.Marshal(LeaseInfo{Holder: holder, Acquired: time.Now().UTC()})
	rev, err := l.kv.Create(ctx, key, v)
	if errors.Is(err, jetstream.ErrKeyExists) || wrongRevision(err) {
		return 0, fmt.Errorf("lease %q: %w", key, ErrLeaseHeld)
	}
	if err != nil {
		return 0, fmt.Errorf("lease %q: %w", key, err)
	}
	return rev, nil
}

// Renew extends the lease key held at revision rev by another TTL and
// returns the new revision, or ErrLeaseLost if the lease lapsed or changed
// hands since.
func (l *Leases) Renew(ctx context.Context, key, holder string, rev uint64) (uint64, error) {
	e, err := l.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		return 0, fmt.Errorf("lease %q: %w", key, ErrLeaseLost)
	case err != nil:
		return 0, fmt.Errorf("lease %q: %w", key, err)
	case e.Revision() != rev:
		return 0, fmt.Errorf("lease %q: %w", key, ErrLeaseLost)
	}
	var info LeaseInfo
	if json.Unmarshal(e.Value(), &info) != nil || info.Holder != holder {
		return 0, fmt.Errorf("lease %q: %w", key, ErrLeaseLost)
	}
	next, err := l.kv.Update(ctx, key, e.Value(), rev)
	if err != nil {
		if wrongRevision(err) {
			return 0, fmt.Errorf("lease %q: %w", key, ErrLeaseLost)
		}
		return 0, fmt.Errorf("lease %q: %w", key, err)
	}
	return next, nil
}

// Release gives the lease key held at revision rev up, so that another
// holder can take it at once. Releasing a lease that already lapsed or
// changed hands does nothing.
func (l *Leases) Release(ctx context.Context, key string, rev uint64) error {
	err := l.kv.Delete(ctx, key, jetstream.LastRevision(rev))
	if err == nil {
		return nil
	}
	if wrongRevision(err) {
		return nil
	}
	return fmt.Errorf("lease %q: release: %w", key, err)
}

// wrongRevision reports a failed compare-and-set: 10071, or 10164 on
// replicated streams.
func wrongRevision(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

// Holder returns who holds the lease key, or ErrKeyNotFound if no one does.
func (l *Leases) Holder(ctx context.Context, key string) (LeaseInfo, error) {
	e, err := l.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return LeaseInfo{}, ErrKeyNotFound
	}
	if err != nil {
		return LeaseInfo{}, err
	}
	var info LeaseInfo
	if err := json.Unmarshal(e.Value(), &info); err != nil {
		return LeaseInfo{}, fmt.Errorf("lease %q: %w", key, err)
	}
	return info, nil
}
