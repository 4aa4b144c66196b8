package bus_test

import (
	"errors"
	"testing"
	"time"

	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/bus/bustest"
)

func TestLeaseIsExclusiveAndReleased(t *testing.T) {
	b := bustest.Start(t)
	ctx := ctxT(t)
	l, err := b.Leases(ctx, "leases_test", time.Minute, 1)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := l.Acquire(ctx, "site.a", "one")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(ctx, "site.a", "two"); !errors.Is(err, bus.ErrLeaseHeld) {
		t.Fatalf("second Acquire: %v, want ErrLeaseHeld", err)
	}
	if _, err := l.Acquire(ctx, "site.b", "two"); err != nil {
		t.Fatalf("another key: %v", err)
	}
	if info, err := l.Holder(ctx, "site.a"); err != nil || info.Holder != "one" {
		t.Fatalf("Holder = %+v, %v", info, err)
	}
	rev2, err := l.Renew(ctx, "site.a", "one", rev)
	if err != nil || rev2 <= rev {
		t.Fatalf("Renew = %d, %v", rev2, err)
	}
	if _, err := l.Renew(ctx, "site.a", "one", rev); !errors.Is(err, bus.ErrLeaseLost) {
		t.Fatalf("Renew with a stale revision: %v, want ErrLeaseLost", err)
	}
	if _, err := l.Renew(ctx, "site.a", "two", rev2); !errors.Is(err, bus.ErrLeaseLost) {
		t.Fatalf("Renew by another holder: %v, want ErrLeaseLost", err)
	}
	if err := l.Release(ctx, "site.a", rev); err != nil {
		t.Fatalf("Release with a stale revision must do nothing: %v", err)
	}
	if _, err := l.Acquire(ctx, "site.a", "two"); !errors.Is(err, bus.ErrLeaseHeld) {
		t.Fatalf("a stale Release freed the lease: %v", err)
	}
	if err := l.Release(ctx, "site.a", rev2); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Holder(ctx, "site.a"); !errors.Is(err, bus.ErrKeyNotFound) {
		t.Fatalf("Holder after release: %v", err)
	}
	rev3, err := l.Acquire(ctx, "site.a", "two")
	if err != nil {
		t.Fatalf("Acquire after release: %v", err)
	}
	if _, err := l.Renew(ctx, "site.a", "one", rev2); !errors.Is(err, bus.ErrLeaseLost) {
		t.Fatalf("old holder renewing a lease that changed hands: %v", err)
	}
	if _, err := l.Renew(ctx, "site.a", "two", rev3); err != nil {
		t.Fatal(err)
	}
}

// TestLeaseLapses: a holder that stops renewing (it died) loses the lease
// once the TTL has passed, and another takes it.
func TestLeaseLapses(t *testing.T) {
	b := bustest.Start(t)
	ctx := ctxT(t)
	const ttl = time.Second
	l, err := b.Leases(ctx, "leases_lapse", ttl, 1)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rev, err := l.Acquire(ctx, "site.a", "dead")
	if err != nil {
		t.Fatal(err)
	}
	var took time.Duration
	for {
		_, err := l.Acquire(ctx, "site.a", "heir")
		if err == nil {
			took = time.Since(start)
			break
		}
		if !errors.Is(err, bus.ErrLeaseHeld) {
			t.Fatal(err)
		}
		if time.Since(start) > 15*time.Second {
			t.Fatal("lease never lapsed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if took < ttl {
		t.Fatalf("lease taken over after %s, before its TTL of %s", took, ttl)
	}
	if _, err := l.Renew(ctx, "site.a", "dead", rev); !errors.Is(err, bus.ErrLeaseLost) {
		t.Fatalf("the dead holder's renewal: %v, want ErrLeaseLost", err)
	}
	if _, err := b.Leases(ctx, "bad", time.Millisecond, 1); err == nil {
		t.Fatal("a TTL under a second was accepted")
	}
}
