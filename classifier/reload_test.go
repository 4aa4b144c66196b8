package classifier

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/adwatch/adwatch/ad"
)

// copyRules copies configs/rules into a temporary directory.
func copyRules(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	paths, err := filepath.Glob("../configs/rules/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no rule files: %v", err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// syncBuffer is a log sink safe for the reloader's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const extraRule = `
indicators:
  - id: below_market_price
    family: pricing
    grade: C
    weight: 0.25
    patterns:
      en: [dirt cheap]
`

func TestReloader(t *testing.T) {
	dir := copyRules(t)
	var logs syncBuffer
	rl, err := NewReloader(dir, time.Hour, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	v0 := rl.Current().Version()
	probe := ad.Raw{Category: "escort", Text: "Dirt cheap tonight"}
	if hasIndicator(rl.Current().Classify(probe), "below_market_price") {
		t.Fatal("probe fired before the rule was added")
	}

	// Nothing changed: nothing happens.
	if changed, err := rl.Reload(); changed || err != nil {
		t.Fatalf("Reload on unchanged files = %v, %v", changed, err)
	}

	// A new file that compiles is swapped in.
	write(t, dir, "pricing.yaml", extraRule)
	if changed, err := rl.Reload(); !changed || err != nil {
		t.Fatalf("Reload after adding a rule = %v, %v", changed, err)
	}
	v1 := rl.Current().Version()
	if v1 == v0 {
		t.Fatal("version did not change")
	}
	if a := rl.Current().Classify(probe); !hasIndicator(a, "below_market_price") || a.RulesVersion != v1 {
		t.Fatalf("new rule not in use: %+v", a)
	}

	// A broken edit is reported once and the old rules stay.
	write(t, dir, "pricing.yaml", strings.Replace(extraRule, "grade: C", "grade: Z", 1))
	changed, err := rl.Reload()
	if changed || err == nil || !strings.Contains(err.Error(), `unknown grade "Z"`) {
		t.Fatalf("Reload of a broken file = %v, %v; want the compile error", changed, err)
	}
	if rl.Current().Version() != v1 {
		t.Fatal("broken rules replaced the working ones")
	}
	if changed, err := rl.Reload(); changed || err != nil {
		t.Fatalf("second Reload of the same broken file = %v, %v; want it quiet", changed, err)
	}

	// Removing the file goes back to the first version.
	if err := os.Remove(filepath.Join(dir, "pricing.yaml")); err != nil {
		t.Fatal(err)
	}
	if changed, err := rl.Reload(); !changed || err != nil || rl.Current().Version() != v0 {
		t.Fatalf("Reload after removing the file = %v, %v, version %s; want %s", changed, err, rl.Current().Version(), v0)
	}
	if rl.Reloads() != 2 || rl.Failures() != 1 {
		t.Errorf("reloads %d, failures %d; want 2, 1", rl.Reloads(), rl.Failures())
	}
}

func TestReloaderRun(t *testing.T) {
	dir := copyRules(t)
	var logs syncBuffer
	rl, err := NewReloader(dir, 10*time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	v0 := rl.Current().Version()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rl.Run(ctx) }()

	write(t, dir, "pricing.yaml", "indicators: [oops")
	waitFor(t, func() bool { return strings.Contains(logs.String(), "were not loaded") })
	if rl.Current().Version() != v0 {
		t.Fatal("broken rules swapped in")
	}
	write(t, dir, "pricing.yaml", extraRule)
	waitFor(t, func() bool { return rl.Current().Version() != v0 })

	// Classifying while rules are swapped is safe (run with -race).
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				rl.Current().Classify(ad.Raw{Text: "Dirt cheap, ny i byen, 24/7"})
			}
		})
	}
	write(t, dir, "pricing.yaml", strings.Replace(extraRule, "dirt cheap", "very cheap", 1))
	wg.Wait()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil after cancel", err)
	}
}

func TestNewReloaderFailsOnBadRules(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "bad.yaml", "indicators: [oops")
	if _, err := NewReloader(dir, 0, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("NewReloader accepted rules that do not compile")
	}
	if _, err := NewReloader(t.TempDir(), 0, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("NewReloader accepted an empty directory")
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
