package crossad

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/adwatch/adwatch/bus"
)

// MinKeyLen is the shortest contact key accepted, in bytes.
const MinKeyLen = 16

// ContactKey is the secret of the keyed hash that stands in for phone
// numbers: ads are linked by HMAC-SHA256(key, E.164), never by the clear
// number, so the linking state and every evidence text can be read without
// revealing a number, and without the key a hash cannot be reversed by
// trying every number. Its String and GoString never print the secret.
type ContactKey struct{ k []byte }

// NewContactKey wraps secret, which must be at least MinKeyLen bytes.
func NewContactKey(secret []byte) (ContactKey, error) {
	if len(secret) < MinKeyLen {
		return ContactKey{}, fmt.Errorf("contact key: %d bytes, want at least %d", len(secret), MinKeyLen)
	}
	return ContactKey{k: append([]byte(nil), secret...)}, nil
}

// ParseContactKey reads a key as configured (ADWATCH_CONTACT_KEY): hex or
// base64 (standard or URL alphabet, padded or not) of at least MinKeyLen
// bytes.
func ParseContactKey(s string) (ContactKey, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return ContactKey{}, errors.New("contact key is empty")
	}
	if b, err := hex.DecodeString(s); err == nil {
		return NewContactKey(b)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return NewContactKey(b)
		}
	}
	return ContactKey{}, errors.New("contact key is neither hex nor base64")
}

// GenerateContactKey returns a new random 32-byte key.
func GenerateContactKey() (ContactKey, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return ContactKey{}, fmt.Errorf("contact key: %w", err)
	}
	return ContactKey{k: b}, nil
}

// IsZero reports whether the key was never set.
func (k ContactKey) IsZero() bool { return len(k.k) == 0 }

// Hash returns the keyed hash of an E.164 number: 32 hex digits (128 bits
// of HMAC-SHA256).
func (k ContactKey) Hash(e164 string) string {
	m := hmac.New(sha256.New, k.k)
	m.Write([]byte(e164))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Encode returns the key as hex, the form ParseContactKey reads.
func (k ContactKey) Encode() string { return hex.EncodeToString(k.k) }

func (k ContactKey) String() string   { return "crossad.ContactKey(redacted)" }
func (k ContactKey) GoString() string { return k.String() }

// HashPrefix is how evidence names a contact: "#" and the first 8 hex
// digits of its keyed hash, enough for a worker to tell contacts apart and
// to look one up, never the number.
func HashPrefix(hash string) string {
	if len(hash) > 8 {
		hash = hash[:8]
	}
	return "#" + hash
}

// KeyStore is a key-value bucket that can create a key only if it is
// missing; *bus.KV is one.
type KeyStore interface {
	GetRevision(ctx context.Context, key string) ([]byte, uint64, error)
	Create(ctx context.Context, key string, value []byte) (uint64, error)
}

// LoadOrCreateContactKey returns the contact key stored under name in kv,
// generating and storing one if there is none. Processes that start
// together agree on one key: only the first Create wins and the others read
// it. The bucket must not expire its keys: losing the key unlinks every
// contact seen before.
func LoadOrCreateContactKey(ctx context.Context, kv KeyStore, name string) (ContactKey, error) {
	for range 3 {
		v, _, err := kv.GetRevision(ctx, name)
		if err == nil {
			k, err := ParseContactKey(string(v))
			if err != nil {
				return ContactKey{}, fmt.Errorf("contact key %q in the bucket: %w", name, err)
			}
			return k, nil
		}
		if !errors.Is(err, bus.ErrKeyNotFound) {
			return ContactKey{}, fmt.Errorf("contact key %q: %w", name, err)
		}
		k, err := GenerateContactKey()
		if err != nil {
			return ContactKey{}, err
		}
		if _, err := kv.Create(ctx, name, []byte(k.Encode())); err == nil {
			return k, nil
		} else if !errors.Is(err, bus.ErrKeyExists) {
			return ContactKey{}, fmt.Errorf("contact key %q: %w", name, err)
		}
	}
	return ContactKey{}, fmt.Errorf("contact key %q: could not read or create it", name)
}

// ContactKeyName is the key under which LoadOrCreateContactKey keeps a
// generated contact key.
const ContactKeyName = "contact_key"

// ResolveContactKey returns the configured key (ADWATCH_CONTACT_KEY, hex
// or base64) if there is one, else the key kept in kv under ContactKeyName,
// generated on first use. kv may be nil when a key is configured.
func ResolveContactKey(ctx context.Context, configured string, kv KeyStore) (ContactKey, error) {
	if strings.TrimSpace(configured) != "" {
		k, err := ParseContactKey(configured)
		if err != nil {
			return ContactKey{}, fmt.Errorf("ADWATCH_CONTACT_KEY: %w", err)
		}
		return k, nil
	}
	if kv == nil {
		return ContactKey{}, errors.New("no contact key configured (ADWATCH_CONTACT_KEY) and no bucket to keep one in")
	}
	return LoadOrCreateContactKey(ctx, kv, ContactKeyName)
}
