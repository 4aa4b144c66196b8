package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/bus/bustest"
	"github.com/adwatch/adwatch/search/bleveindex"
)

// flakyStore wraps the real embedded index with the failures a store can
// show: fail the first failures Puts, and refuse the ads named in reject.
type flakyStore struct {
	*bleveindex.Index
	mu       sync.Mutex
	failures int
	reject   map[string]string
	puts     int
}

type rejected map[string]string

func (r rejected) Error() string               { return fmt.Sprintf("%d ads refused", len(r)) }
func (r rejected) Rejected() map[string]string { return r }

func (s *flakyStore) Put(ctx context.Context, ads []ad.Scored) error {
	s.mu.Lock()
	s.puts++
	if s.failures > 0 {
		s.failures--
		s.mu.Unlock()
		return errors.New("store unavailable")
	}
	s.mu.Unlock()
	var keep []ad.Scored
	refused := rejected{}
	for _, a := range ads {
		if reason, ok := s.reject[a.ID]; ok {
			refused[a.ID] = reason
			continue
		}
		keep = append(keep, a)
	}
	if err := s.Index.Put(ctx, keep); err != nil {
		return err
	}
	if len(refused) > 0 {
		return refused
	}
	return nil
}

func setup(t *testing.T, store *flakyStore) (*bus.Bus, *Indexer) {
	t.Helper()
	b := bustest.Start(t)
	idx, err := bleveindex.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	store.Index = idx
	c, err := b.Consumer(context.Background(), bus.ConsumerOptions{Stream: bus.ScoredStream, Durable: "indexer"})
	if err != nil {
		t.Fatal(err)
	}
	return b, New(c, store, slog.New(slog.DiscardHandler), Options{BatchSize: 16, MaxWait: 50 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
}

func publish(t *testing.T, b *bus.Bus, id, title string) {
	t.Helper()
	data, _ := json.Marshal(ad.Scored{Raw: ad.Raw{ID: id, Site: "s", Title: title}, Assessment: ad.Assessment{Level: ad.LevelLow}})
	if err := b.Publish(context.Background(), bus.ScoredSubject("s"), id+"."+title, data); err != nil {
		t.Fatal(err)
	}
}

// run runs the indexer until cond holds, then stops it and checks the
// clean-shutdown contract.
func run(t *testing.T, ix *Indexer, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ix.Run(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("indexer did not get there within 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v after a clean stop, want nil", err)
	}
}

func deadLetters(t *testing.T, b *bus.Bus) []*bus.Msg {
	t.Helper()
	c, err := b.Consumer(context.Background(), bus.ConsumerOptions{Stream: bus.DeadStream, Durable: "check"})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(context.Background(), 100, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestIndexesAndOverwrites(t *testing.T) {
	store := &flakyStore{}
	b, ix := setup(t, store)
	for i := range 40 {
		publish(t, b, fmt.Sprintf("ad-%d", i%20), fmt.Sprintf("v%d", i/20))
	}
	run(t, ix, func() bool { return ix.Indexed() == 40 })
	n, _ := store.Count(context.Background())
	if n != 20 {
		t.Fatalf("index holds %d ads, want 20 (two versions each, overwritten by id)", n)
	}
	got, err := store.Get(context.Background(), "ad-7")
	if err != nil || got.Title != "v1" {
		t.Fatalf("ad-7 = %q, %v; want the later version v1", got.Title, err)
	}
}

func TestRetriesAPassingFault(t *testing.T) {
	store := &flakyStore{failures: 2}
	b, ix := setup(t, store)
	for i := range 5 {
		publish(t, b, fmt.Sprintf("ad-%d", i), "v")
	}
	run(t, ix, func() bool { return ix.Indexed() == 5 })
	if len(deadLetters(t, b)) != 0 {
		t.Fatal("a passing fault dead-lettered ads")
	}
	if store.puts < 3 {
		t.Fatalf("%d puts, want the two failures retried", store.puts)
	}
}

func TestDeadLettersOnlyWhatCannotBeIndexed(t *testing.T) {
	store := &flakyStore{reject: map[string]string{"ad-2": "mapping conflict"}}
	b, ix := setup(t, store)
	for i := range 4 {
		publish(t, b, fmt.Sprintf("ad-%d", i), "v")
	}
	if err := b.Publish(context.Background(), bus.ScoredSubject("s"), "junk", []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	run(t, ix, func() bool { return ix.Indexed() == 3 && ix.deadLettered.Load() == 2 })
	dl := deadLetters(t, b)
	if len(dl) != 2 {
		t.Fatalf("%d dead letters, want the junk and the refused ad", len(dl))
	}
	if n, _ := store.Count(context.Background()); n != 3 {
		t.Fatalf("index holds %d ads, want 3", n)
	}
}

// TestStopWhileStoreFails stops the indexer while its store is down: Run
// returns nil and the batch goes back to the stream, dead-lettering nothing.
func TestStopWhileStoreFails(t *testing.T) {
	store := &flakyStore{failures: 1 << 30}
	b, ix := setup(t, store)
	for i := range 3 {
		publish(t, b, fmt.Sprintf("ad-%d", i), "v")
	}
	run(t, ix, func() bool { return ix.failures.Load() >= 3 })
	if len(deadLetters(t, b)) != 0 {
		t.Fatal("an outage dead-lettered ads")
	}
	c, err := b.Consumer(context.Background(), bus.ConsumerOptions{Stream: bus.ScoredStream, Durable: "indexer"})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(context.Background(), 10, time.Second)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("after the stop %d messages are redelivered (%v), want all 3", len(msgs), err)
	}
}
