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
	"sync"
	"sync/atomic"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/internal/wait"
)

// Store holds scored ads. Put returns only once every ad is durable; an ad
// whose id is already stored replaces the stored one unless that has a
// higher ad.Scored.Revision (search.Latest), so versions may arrive in any
// order. When a store refuses
// some ads for what they are (not for a passing fault), its error implements
// Rejections and every ad not named in it is stored.
type Store interface {
	Put(ctx context.Context, ads []ad.Scored) error
}

// jsonPutter is a Store that also takes ads as the JSON the bus carries,
// sparing a decode and re-encode of each (Elasticsearch).
type jsonPutter interface {
	PutJSON(ctx context.Context, ids []string, docs [][]byte) error
}

// batch is the messages of one fetch that hold scored ads, in order; of two
// versions of an ad, the store keeps the later by revision.
type batch struct {
	ids  []string
	docs [][]byte    // with a jsonPutter
	ads  []ad.Scored // otherwise
	kept []*bus.Msg
}

// add decodes m (only its id when raw) or says why it is no scored ad.
func (b *batch) add(m *bus.Msg, raw bool) error {
	var id string
	var s ad.Scored
	var err error
	if raw {
		var head struct {
			ID string `json:"id"`
		}
		err = json.Unmarshal(m.Data(), &head)
		id = head.ID
	} else {
		err = json.Unmarshal(m.Data(), &s)
		id = s.ID
	}
	switch {
	case err != nil:
		return fmt.Errorf("scored ad is not valid JSON: %v", err)
	case id == "":
		return errors.New("scored ad without id")
	}
	b.ids, b.kept = append(b.ids, id), append(b.kept, m)
	if raw {
		b.docs = append(b.docs, m.Data())
	} else {
		b.ads = append(b.ads, s)
	}
	return nil
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

// Options tune batching and retrying; zero values mean the defaults.
type Options struct {
	BatchSize int           // default 1000
	MaxWait   time.Duration // how long to wait to fill a batch (default 500ms)
	// Workers is how many batches are in flight at once (default 1). Two
	// versions of an ad in two batches may land in either order; the
	// stores keep the later (ad.Scored.Revision), as they do for several
	// indexer processes.
	Workers int
	// PutTimeout bounds one Put (default 2m).
	PutTimeout time.Duration
	// MaxBackoff caps the wait between two tries of a failing Put (default
	// 15s). It stays under the consumer's ack wait, since the batch's
	// messages are kept alive between tries.
	MaxBackoff time.Duration
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
		opts.BatchSize = 1000
	}
	if opts.Workers <= 0 {
		opts.Workers = 1
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 500 * time.Millisecond
	}
	if opts.PutTimeout <= 0 {
		opts.PutTimeout = 2 * time.Minute
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 15 * time.Second
	}
	return &Indexer{src: src, store: store, logger: logger, opts: opts}
}

// Indexed is how many ads the indexer has stored and acknowledged.
func (ix *Indexer) Indexed() int64 { return ix.indexed.Load() }

// Run indexes batches until ctx ends, then returns nil. The batch in hand
// when ctx ends is finished (stored and acknowledged) if the store takes it,
// and handed back for redelivery if the store is failing, so a clean
// shutdown leaves nothing behind; a kill leaves at most that batch
// unacknowledged, and it is redelivered and overwritten by id.
//
// While the store fails (Elasticsearch down), the indexer holds its batch,
// keeps its messages from redelivery and tries again with backoff, fetching
// nothing more: the scored ads wait in the stream, and it catches up when the
// store returns. Only ads the store refuses for what they are, and messages
// that are no scored ad, are dead-lettered.
func (ix *Indexer) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range ix.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ix.work(ctx)
		}()
	}
	wg.Wait()
	return nil
}

func (ix *Indexer) work(ctx context.Context) {
	for ctx.Err() == nil {
		msgs, err := ix.src.Fetch(ctx, ix.opts.BatchSize, ix.opts.MaxWait)
		if err != nil && ctx.Err() == nil {
			ix.logger.Warn("fetch scored ads failed; retrying", "err", err)
			wait.Sleep(ctx, time.Second)
		}
		if len(msgs) == 0 {
			continue
		}
		ix.handle(ctx, msgs)
	}
}

func (ix *Indexer) handle(runCtx context.Context, msgs []*bus.Msg) {
	// Settling (ack, dead-letter) finishes even when runCtx ends meanwhile.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(runCtx), time.Minute)
	defer cancel()
	b := batch{ids: make([]string, 0, len(msgs)), kept: make([]*bus.Msg, 0, len(msgs))}
	_, raw := ix.store.(jsonPutter)
	for _, m := range msgs {
		if err := b.add(m, raw); err != nil {
			ix.deadLetter(ctx, m, err.Error())
		}
	}
	if len(b.kept) == 0 {
		return
	}
	kept := b.kept
	err := ix.put(runCtx, b)
	var rej Rejections
	if errors.As(err, &rej) {
		// The store kept everything else: ack it, dead-letter the refused.
		rejected := rej.Rejected()
		stored := kept[:0:0]
		for i, m := range kept {
			if reason, ok := rejected[b.ids[i]]; ok {
				ix.deadLetter(ctx, m, "store refused the ad: "+reason)
				continue
			}
			stored = append(stored, m)
		}
		kept, err = stored, nil
	}
	if err != nil {
		// Stopping while the store fails: hand the batch back at once.
		ix.logger.Warn("stopping while the store fails; handing the batch back for redelivery", "ads", len(kept))
		for _, m := range kept {
			_ = m.Nak(0)
		}
		return
	}
	// The store holds these ads now. Acks go without waiting for the
	// server's confirmation: one round trip per ad would cost more than the
	// write, and an ack that is lost only brings a redelivery, which the
	// store absorbs by id.
	for _, m := range kept {
		if err := m.AckNoWait(); err != nil {
			ix.logger.Warn("ack failed; the ad will be redelivered and overwritten", "err", err)
		}
	}
	ix.indexed.Add(int64(len(kept)))
}

// put tries ads until the store takes them (or refuses some for good), with
// backoff between tries, keeping msgs from redelivery meanwhile. It gives up
// only when runCtx ends while the store is failing.
func (ix *Indexer) put(runCtx context.Context, b batch) error {
	backoff := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(runCtx), ix.opts.PutTimeout)
		var err error
		if jp, ok := ix.store.(jsonPutter); ok {
			err = jp.PutJSON(ctx, b.ids, b.docs)
		} else {
			err = ix.store.Put(ctx, b.ads)
		}
		cancel()
		var rej Rejections
		if err == nil || errors.As(err, &rej) {
			if attempt > 1 {
				ix.logger.Info("the store takes ads again", "tries", attempt)
			}
			return err
		}
		ix.failures.Add(1)
		level := slog.LevelWarn
		if attempt >= 5 {
			level = slog.LevelError
		}
		ix.logger.Log(runCtx, level, "the store failed; holding the batch and trying again", "ads", len(b.ids), "try", attempt, "backoff", backoff, "err", err)
		if runCtx.Err() != nil {
			return err
		}
		for _, m := range b.kept {
			_ = m.InProgress()
		}
		if !wait.Sleep(runCtx, backoff) {
			return err
		}
		backoff = min(2*backoff, ix.opts.MaxBackoff)
	}
}

func (ix *Indexer) deadLetter(ctx context.Context, m *bus.Msg, reason string) {
	ix.deadLettered.Add(1)
	ix.logger.Warn("dead-lettering a scored ad", "reason", reason)
	if err := m.DeadLetter(ctx, reason); err != nil {
		ix.logger.Error("dead-letter failed; the message will be redelivered", "err", err)
	}
}
