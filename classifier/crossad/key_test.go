package crossad

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/adwatch/adwatch/bus/bustest"
)

func TestContactKey(t *testing.T) {
	k := testKey(t)
	h := k.Hash("+4528641973")
	if len(h) != 32 || h != k.Hash("+4528641973") || h == k.Hash("+4528641974") {
		t.Fatalf("Hash = %q: want 32 stable hex digits, distinct per number", h)
	}
	other, _ := NewContactKey([]byte("another key, at least sixteen bytes"))
	if other.Hash("+4528641973") == h {
		t.Fatal("two keys hash a number alike")
	}
	if s := fmt.Sprintf("%v %+v %#v %s", k, k, k, k); strings.Contains(s, k.Encode()) || strings.Contains(s, "adwatch test") {
		t.Fatalf("the key prints its secret: %s", s)
	}
	for _, enc := range []string{k.Encode(), " " + k.Encode() + "\n", "YWR3YXRjaCB0ZXN0IGNvbnRhY3Qga2V5LCBub3QgYSBzZWNyZXQ="} {
		p, err := ParseContactKey(enc)
		if err != nil || p.Hash("+4528641973") != h {
			t.Errorf("ParseContactKey(%q) = %v: does not hash as the key", enc, err)
		}
	}
	for _, bad := range []string{"", "abcd", "not base64 or hex!"} {
		if _, err := ParseContactKey(bad); err == nil {
			t.Errorf("ParseContactKey(%q) accepted", bad)
		}
	}
	if HashPrefix(h) != "#"+h[:8] {
		t.Errorf("HashPrefix = %q", HashPrefix(h))
	}
}

// TestLoadOrCreateContactKey: processes starting together agree on one
// generated key, and a restart reads it back.
func TestLoadOrCreateContactKey(t *testing.T) {
	b := bustest.Start(t)
	ctx := ctxT(t)
	kv, err := b.KeyValue(ctx, "adwatch_secrets", 1)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	keys := make([]ContactKey, 4)
	errs := make([]error, 4)
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[i], errs[i] = LoadOrCreateContactKey(ctx, kv, "contact_key")
		}()
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if keys[i].Encode() != keys[0].Encode() {
			t.Fatal("processes started together got different keys")
		}
	}
	again, err := LoadOrCreateContactKey(context.Background(), kv, "contact_key")
	if err != nil || again.Encode() != keys[0].Encode() {
		t.Fatalf("reloaded key differs: %v", err)
	}
}

func TestResolveContactKey(t *testing.T) {
	ctx := ctxT(t)
	k := testKey(t)
	got, err := ResolveContactKey(ctx, k.Encode(), nil)
	if err != nil || got.Encode() != k.Encode() {
		t.Fatalf("configured key: %v", err)
	}
	if _, err := ResolveContactKey(ctx, "short", nil); err == nil {
		t.Fatal("a bad configured key was accepted")
	}
	if _, err := ResolveContactKey(ctx, "", nil); err == nil {
		t.Fatal("no key and no bucket was accepted")
	}
	kv, err := bustest.Start(t).KeyValue(ctx, "adwatch_secrets", 1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := ResolveContactKey(ctx, "", kv)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ResolveContactKey(ctx, " ", kv)
	if a.Encode() != b.Encode() {
		t.Fatal("the kept key changed")
	}
}
