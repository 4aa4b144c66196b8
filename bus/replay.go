package bus

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Replay reads every message stored in stream, oldest first, in batches of up
// to batch, and calls fn with each batch's payloads; it stops at the last
// message that was stored when it started. It uses an ordered, ephemeral
// consumer, so it disturbs no durable consumer. total is the number of
// messages it set out to read, for progress reports; fn gets done so far.
func (b *Bus) Replay(ctx context.Context, stream string, batch int, fn func(data [][]byte, done, total uint64) error) error {
	s, err := b.js.Stream(ctx, stream)
	if err != nil {
		return fmt.Errorf("stream %q: %w", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return fmt.Errorf("stream %q: %w", stream, err)
	}
	total, last := info.State.Msgs, info.State.LastSeq
	if total == 0 {
		return fn(nil, 0, 0)
	}
	c, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return fmt.Errorf("replay %q: %w", stream, err)
	}
	var done uint64
	for {
		msgs, err := c.Fetch(batch, jetstream.FetchMaxWait(250*time.Millisecond))
		if err != nil {
			return fmt.Errorf("replay %q: %w", stream, err)
		}
		var data [][]byte
		reachedEnd := false
		for m := range msgs.Messages() {
			md, err := m.Metadata()
			if err != nil {
				return fmt.Errorf("replay %q: %w", stream, err)
			}
			if md.Sequence.Stream > last {
				reachedEnd = true
				break
			}
			data = append(data, m.Data())
			if md.Sequence.Stream == last {
				reachedEnd = true
			}
		}
		if err := msgs.Error(); err != nil && ctx.Err() == nil && len(data) == 0 && !reachedEnd {
			return fmt.Errorf("replay %q: %w", stream, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		done += uint64(len(data))
		if len(data) > 0 || reachedEnd {
			if err := fn(data, done, total); err != nil {
				return err
			}
		}
		if reachedEnd {
			return nil
		}
	}
}
