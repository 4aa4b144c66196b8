package bus_test

import (
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/bus/bustest"
)

func TestKVCompareAndSet(t *testing.T) {
	b := bustest.Start(t)
	ctx := ctxT(t)
	kv, err := b.KeyValueTTL(ctx, "cas_test", time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := kv.GetRevision(ctx, "k"); !errors.Is(err, bus.ErrKeyNotFound) {
		t.Fatalf("GetRevision of a missing key: %v, want ErrKeyNotFound", err)
	}
	r1, err := kv.Create(ctx, "k", []byte("one"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Create(ctx, "k", []byte("two")); !errors.Is(err, bus.ErrKeyExists) {
		t.Fatalf("second Create: %v, want ErrKeyExists", err)
	}
	v, rev, err := kv.GetRevision(ctx, "k")
	if err != nil || string(v) != "one" || rev != r1 {
		t.Fatalf("GetRevision = %q, %d, %v; want \"one\", %d", v, rev, err, r1)
	}
	r2, err := kv.Update(ctx, "k", []byte("two"), r1)
	if err != nil || r2 <= r1 {
		t.Fatalf("Update = %d, %v", r2, err)
	}
	if _, err := kv.Update(ctx, "k", []byte("stale"), r1); !errors.Is(err, bus.ErrRevisionConflict) {
		t.Fatalf("Update at a stale revision: %v, want ErrRevisionConflict", err)
	}
	if v, _, _ := kv.GetRevision(ctx, "k"); string(v) != "two" {
		t.Fatalf("a stale Update overwrote the value: %q", v)
	}
}

// TestKVUpdateLosesNothing: writers that read, modify and Update with retry
// on conflict never lose each other's increments.
func TestKVUpdateLosesNothing(t *testing.T) {
	b := bustest.Start(t)
	ctx := ctxT(t)
	kv, err := b.KeyValueTTL(ctx, "cas_counter", time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				for {
					v, rev, err := kv.GetRevision(ctx, "n")
					n := 0
					switch {
					case errors.Is(err, bus.ErrKeyNotFound):
						_, err = kv.Create(ctx, "n", []byte("1"))
					case err != nil:
						errs <- err
						return
					default:
						n, _ = strconv.Atoi(string(v))
						_, err = kv.Update(ctx, "n", []byte(strconv.Itoa(n+1)), rev)
					}
					if err == nil {
						break
					}
					if !errors.Is(err, bus.ErrKeyExists) && !errors.Is(err, bus.ErrRevisionConflict) {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	v, _, err := kv.GetRevision(ctx, "n")
	if err != nil || string(v) != strconv.Itoa(writers*each) {
		t.Fatalf("counter = %q, %v; want %d", v, err, writers*each)
	}
}

func TestKeyValueTTLRejectsShortTTL(t *testing.T) {
	b := bustest.Start(t)
	if _, err := b.KeyValueTTL(ctxT(t), "short", time.Millisecond, 1); err == nil {
		t.Fatal("a ttl under 1s was accepted")
	}
}
