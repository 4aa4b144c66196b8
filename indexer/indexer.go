// Package indexer is the last stage of the pipeline: it consumes scored ads
// from the bus and writes them in batches to a store (the embedded index or
// Elasticsearch). A message is acknowledged only after the store has durably
// taken its ad, and the store writes by the ad's id, so a redelivered message
// overwrites and never duplicates.
package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
)

// Store holds scored ads. Put returns only once every ad is durable; an ad
// whose id is already stored replaces the stored one. When a store refuses
// some ads for what they are (not for a passing fault), its error implements
// Rejections and every ad not named in it is stored.
type Store interface {
	Put(ctx context.Context, ads []ad.Scored) error
}

// Rejections is implemented by a Put error that names the ads the store
// refused for good, by id, with the reason (no ad text in it).
type Rejections interface {
	Rejected() map[string]string
}

// Source delivers scored-ad messages: up to n, waiting up to wait.
type Source interface {
	Fetch(ctx context.Context, n int, wait time.Duration) ([]*bus.Msg, error)
}

// Options tune batching; zero values mean the defaults.
type Options struct {
	BatchSize int           // default 256
	MaxWait   time.Duration // how long to wait to fill a batch (default 500ms)
	// Retries of a failed Put before its messages are handed back for
	// redelivery (default 5, with exponential backoff from 200ms).
	Retries int
}

// Indexer moves scored ads from a Source into a Store.
type Indexer struct {
	src    Source
	store  Store
	logger *slog.Logger
	opts   Options

	indexed, deadLettered, failures atomic.Int64
}

// New returns an indexer from src into store.
func New(src Source, store Store, logger *slog.Logger, opts Options) *Indexer {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 256
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 500 * time.Millisecond
	}
	if opts.Retries <= 0 {
		opts.Retries = 5
	}
	return &Indexer{src: src, store: store, logger: logger, opts: opts}
}

// Indexed is how many ads the indexer has stored and acknowledged.
func (ix *Indexer) Indexed() int64 { return ix.indexed.Load() }

// Run indexes batches until ctx ends. The batch in hand when ctx ends is
// finished (stored and acknowledged) before Run returns nil, so a clean
// shutdown leaves nothing to redeliver; a kill leaves at most that batch
// unacknowledged, and it is redelivered and overwritten by id.
func (ix *Indexer) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		msgs, err := ix.src.Fetch(ctx, ix.opts.BatchSize, ix.opts.MaxWait)
		if err != nil && ctx.Err() == nil {
			ix.logger.Warn("fetch scored ads failed; retrying", "err", err)
			sleep(ctx, time.Second)
		}
		if len(msgs) == 0 {
			continue
		}
		// The batch is finished even when ctx ends meanwhile: ack what the
		// store has taken rather than leave it to redelivery.
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		ix.handle(bctx, msgs)
		cancel()
	}
	return nil
}

func (ix *Indexer) handle(ctx context.Context, msgs []*bus.Msg) {
	ads := make([]ad.Scored, 0, len(msgs))
	kept := make([]*bus.Msg, 0, len(msgs))
	latest := map[string]int{} // id -> index in ads: a batch holding two versions keeps the later
	for _, m := range msgs {
		var s ad.Scored
		if err := json.Unmarshal(m.Data(), &s); err != nil || s.ID == "" {
			reason := "scored ad without id"
			if err != nil {
				reason = fmt.Sprintf("scored ad is not valid JSON: %v", err)
			}
			ix.deadLetter(ctx, m, reason)
			continue
		}
		if i, ok := latest[s.ID]; ok {
			ads[i] = s
		} else {
			latest[s.ID] = len(ads)
			ads = append(ads, s)
		}
		kept = append(kept, m)
	}
	if len(ads) == 0 {
		return
	}
	err := ix.put(ctx, ads)
	var rej Rejections
	if errors.As(err, &rej) {
		// The store kept everything else: ack it, dead-letter the refused.
		rejected := rej.Rejected()
		stored := kept[:0:0]
		for _, m := range kept {
			if reason, ok := rejected[idOf(m)]; ok {
				ix.deadLetter(ctx, m, "store refused the ad: "+reason)
				continue
			}
			stored = append(stored, m)
		}
		kept, err = stored, nil
	}
	if err != nil {
		ix.failures.Add(1)
		ix.logger.Error("store refused a batch; handing it back for redelivery", "ads", len(ads), "err", err)
		for _, m := range kept {
			if m.LastDelivery() {
				ix.deadLetter(ctx, m, fmt.Sprintf("store kept failing: %v", err))
				continue
			}
			_ = m.Nak(10 * time.Second)
		}
		return
	}
	for _, m := range kept {
		if err := m.Ack(ctx); err != nil {
			// The ad is stored; a redelivery will only overwrite it.
			ix.logger.Warn("ack failed; the ad will be redelivered and overwritten", "err", err)
		}
	}
	ix.indexed.Add(int64(len(kept)))
}

// idOf is the ad id of a scored-ad message (it was decoded once already).
func idOf(m *bus.Msg) string {
	var s struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(m.Data(), &s)
	return s.ID
}

// put retries passing faults with backoff; refusals are not retried.
func (ix *Indexer) put(ctx context.Context, ads []ad.Scored) error {
	backoff := 200 * time.Millisecond
	var err error
	for attempt := 0; attempt <= ix.opts.Retries; attempt++ {
		err = ix.store.Put(ctx, ads)
		var rej Rejections
		if err == nil || errors.As(err, &rej) {
			return err
		}
		if attempt < ix.opts.Retries {
			ix.logger.Warn("store put failed; backing off", "attempt", attempt+1, "backoff", backoff, "err", err)
			if !sleep(ctx, backoff) {
				return err
			}
			backoff = min(2*backoff, 10*time.Second)
		}
	}
	return err
}

func (ix *Indexer) deadLetter(ctx context.Context, m *bus.Msg, reason string) {
	ix.deadLettered.Add(1)
	ix.logger.Warn("dead-lettering a scored ad", "reason", reason)
	if err := m.DeadLetter(ctx, reason); err != nil {
		ix.logger.Error("dead-letter failed; the message will be redelivered", "err", err)
	}
}

// sleep waits d or until ctx ends; it reports whether it waited the full d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
