package bus_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/bus/bustest"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestPublishIsIdempotentByMsgID(t *testing.T) {
	b := bustest.Start(t)
	ctx := ctxT(t)
	for range 3 {
		if err := b.Publish(ctx, bus.RawSubject("s"), "ad-1:v1", []byte("one")); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Publish(ctx, bus.RawSubject("s"), "ad-1:v2", []byte("two")); err != nil {
		t.Fatal(err)
	}
	c, err := b.Consumer(ctx, bus.ConsumerOptions{Stream: bus.RawStream, Durable: "t"})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(ctx, 10, 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || string(msgs[0].Data()) != "one" || string(msgs[1].Data()) != "two" || msgs[0].ID() != "ad-1:v1" {
		t.Fatalf("got %d messages, want the two distinct versions", len(msgs))
	}
}

func TestAckNakAndDeadLetter(t *testing.T) {
	b := bustest.Start(t)
	ctx := ctxT(t)
	for i := range 3 {
		if err := b.Publish(ctx, bus.ScoredSubject("s"), fmt.Sprint(i), []byte{byte('a' + i)}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := b.Consumer(ctx, bus.ConsumerOptions{Stream: bus.ScoredStream, Durable: "idx", MaxDeliver: 2, AckWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(ctx, 3, time.Second)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("fetch: %d, %v", len(msgs), err)
	}
	if err := msgs[0].Ack(ctx); err != nil {
		t.Fatal(err)
	}
	if err := msgs[1].Nak(0); err != nil {
		t.Fatal(err)
	}
	if err := msgs[2].DeadLetter(ctx, "bad json"); err != nil {
		t.Fatal(err)
	}
	again, err := c.Fetch(ctx, 3, time.Second)
	if err != nil || len(again) != 1 || string(again[0].Data()) != "b" {
		t.Fatalf("after nak got %d messages (%v), want only the nak'ed one", len(again), err)
	}
	if again[0].Deliveries() != 2 || !again[0].LastDelivery() {
		t.Fatalf("deliveries = %d, want 2 and last", again[0].Deliveries())
	}
	if err := again[0].Ack(ctx); err != nil {
		t.Fatal(err)
	}
	dead, err := b.Consumer(ctx, bus.ConsumerOptions{Stream: bus.DeadStream, Durable: "dead"})
	if err != nil {
		t.Fatal(err)
	}
	dm, err := dead.Fetch(ctx, 10, time.Second)
	if err != nil || len(dm) != 1 || string(dm[0].Data()) != "c" || dm[0].Subject() != "ads.dead.idx" {
		t.Fatalf("dead letters: %d (%v)", len(dm), err)
	}
	if n, err := c.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("pending = %d, %v; want 0", n, err)
	}
}

func TestKV(t *testing.T) {
	b := bustest.Start(t)
	ctx := ctxT(t)
	kv, err := b.KeyValue(ctx, "crawl_test", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Get(ctx, "a"); !errors.Is(err, bus.ErrKeyNotFound) {
		t.Fatalf("Get missing: %v, want ErrKeyNotFound", err)
	}
	if err := kv.Put(ctx, "a", []byte("1")); err != nil {
		t.Fatal(err)
	}
	v, err := kv.Get(ctx, "a")
	if err != nil || string(v) != "1" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	keys, err := kv.Keys(ctx)
	if err != nil || len(keys) != 1 || keys[0] != "a" {
		t.Fatalf("Keys = %v, %v", keys, err)
	}
}

// TestEmbeddedStoragePersists restarts the embedded server on the same
// directory: published and unacknowledged messages must still be there.
func TestEmbeddedStoragePersists(t *testing.T) {
	dir := t.TempDir()
	ctx := ctxT(t)
	log := slog.New(slog.DiscardHandler)
	start := func() (*bus.Embedded, *bus.Bus) {
		e, err := bus.StartEmbedded(bus.EmbeddedOptions{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.Connect(log)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Setup(ctx, 1); err != nil {
			t.Fatal(err)
		}
		return e, b
	}
	e, b := start()
	if err := b.Publish(ctx, bus.RawSubject("s"), "x", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	b.Close()
	e.Shutdown()

	e, b = start()
	defer e.Shutdown()
	defer b.Close()
	if err := b.Publish(ctx, bus.RawSubject("s"), "x", []byte("dup")); err != nil {
		t.Fatal(err)
	}
	c, err := b.Consumer(ctx, bus.ConsumerOptions{Stream: bus.RawStream, Durable: "t"})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(ctx, 10, 500*time.Millisecond)
	if err != nil || len(msgs) != 1 || string(msgs[0].Data()) != "kept" {
		t.Fatalf("after restart got %d messages (%v), want the one kept and no duplicate", len(msgs), err)
	}
}

func TestEmbeddedListens(t *testing.T) {
	e, err := bus.StartEmbedded(bus.EmbeddedOptions{Dir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	b, err := bus.Connect(e.ClientURL(), bus.ConnectOptions{Name: "test"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Setup(ctxT(t), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := bus.StartEmbedded(bus.EmbeddedOptions{Dir: t.TempDir(), Listen: "nonsense"}); err == nil {
		t.Fatal("bad listen address accepted")
	}
}

func TestReplay(t *testing.T) {
	b := bustest.Start(t)
	ctx := ctxT(t)
	if err := b.Replay(ctx, bus.ScoredStream, 10, func(d [][]byte, done, total uint64) error {
		if len(d) != 0 || total != 0 {
			t.Fatalf("empty stream replayed %d messages", len(d))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range 25 {
		if err := b.Publish(ctx, bus.ScoredSubject("s"), fmt.Sprint(i), []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	var lastDone, lastTotal uint64
	err := b.Replay(ctx, bus.ScoredStream, 10, func(d [][]byte, done, total uint64) error {
		for _, m := range d {
			got = append(got, string(m))
		}
		lastDone, lastTotal = done, total
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 25 || got[0] != "0" || got[24] != "24" || lastDone != 25 || lastTotal != 25 {
		t.Fatalf("replayed %d messages (done %d of %d)", len(got), lastDone, lastTotal)
	}
}

// TestNextDoesNotWaitToFill: Next returns what is there at once, and the
// first message to arrive without waiting out the rest of wait.
func TestNextDoesNotWaitToFill(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b := bustest.Start(t)
	c, err := b.Consumer(ctx, bus.ConsumerOptions{Stream: bus.RawStream, Durable: "next"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := b.Publish(ctx, bus.RawSubject("s"), fmt.Sprintf("m%d", i), []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	const wait = 20 * time.Second // far longer than any answer here takes
	start := time.Now()
	msgs, err := c.Next(ctx, 64, wait)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("Next with 3 waiting = %d messages, %v", len(msgs), err)
	}
	if time.Since(start) >= wait {
		t.Fatal("Next waited out wait to fill the batch")
	}
	for _, m := range msgs {
		if err := m.Ack(ctx); err != nil {
			t.Fatal(err)
		}
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		_ = b.Publish(ctx, bus.RawSubject("s"), "late", []byte("{}"))
	}()
	msgs, err = c.Next(ctx, 64, wait)
	if err != nil || len(msgs) != 1 || msgs[0].ID() != "late" {
		t.Fatalf("Next for a message arriving later = %d messages, %v", len(msgs), err)
	}
	if time.Since(start) >= wait {
		t.Fatal("Next waited out wait after the first message arrived")
	}
	_ = msgs[0].Ack(ctx)
	msgs, err = c.Next(ctx, 64, 50*time.Millisecond)
	if err != nil || len(msgs) != 0 {
		t.Fatalf("Next with nothing coming = %d messages, %v; want none and no error", len(msgs), err)
	}
}
