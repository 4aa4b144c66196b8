package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/search/bleveindex"
	"github.com/adwatch/adwatch/search/esindex"
)

// cmdReindex rebuilds the index from the scored-ad stream: the index is
// derived data, the stream is the record. On Elasticsearch it fills a new
// versioned index and then swaps the alias, so search keeps answering (from
// the old index) meanwhile: stop the indexers first, since what they write
// during the rebuild goes to the old index. The embedded index is written
// in place, or built anew with --fresh; stop adwatch run first, since one
// process at a time holds it.
func cmdReindex(ctx context.Context, args []string, stderr io.Writer) error {
	var fresh bool
	cfg, logger, err := setup("reindex", args, stderr, nil, func(c *Config, fs *flag.FlagSet) {
		c.bindData(fs)
		c.bindNATS(fs)
		c.bindES(fs)
		fs.BoolVar(&fresh, "fresh", false, "embedded index only: delete it first and build it anew")
	})
	if err != nil {
		return err
	}
	if fresh {
		if cfg.ES.URL != "" {
			return usagef("--fresh is for the embedded index; on Elasticsearch, reindex always builds a new index and then swaps the alias to it")
		}
		if err := os.RemoveAll(filepath.Join(cfg.Data, "index")); err != nil {
			return err
		}
	}
	p := &pipeline{}
	defer p.close()
	if err := p.openBus(ctx, cfg, logger); err != nil {
		return err
	}
	if cfg.ES.URL != "" {
		// A new index is filled while searches still see the old one, then
		// the alias is swapped to it.
		index, err := esindex.Rebuild(ctx, esOptions(cfg, esindex.RefreshNone, logger), func(w *esindex.Store) error {
			return replayInto(ctx, p.bus, stderr, func(ctx context.Context, ids []string, docs [][]byte) error {
				return w.PutJSON(ctx, ids, docs)
			})
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "reindex: alias %q now points at %s\n", cfg.ES.Index, index)
		return nil
	}
	store, err := bleveindex.Open(filepath.Join(cfg.Data, "index"), logger)
	if err != nil {
		return err
	}
	defer store.Close()
	err = replayInto(ctx, p.bus, stderr, func(ctx context.Context, ids []string, docs [][]byte) error {
		batch := make([]ad.Scored, 0, len(docs))
		for _, d := range docs {
			var s ad.Scored
			if err := json.Unmarshal(d, &s); err != nil {
				return err
			}
			batch = append(batch, s)
		}
		return store.Put(ctx, batch)
	})
	if err != nil {
		return err
	}
	n, err := store.Count(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "reindex: the index holds %d ads\n", n)
	return nil
}

// replayInto replays the scored-ad stream into put, in batches, with a
// progress bar. The stream holds every version of an ad in order, so the
// last one wins, as in the running indexer. Unreadable messages are skipped:
// the running indexer has dead-lettered them.
func replayInto(ctx context.Context, b *bus.Bus, stderr io.Writer, put func(ctx context.Context, ids []string, docs [][]byte) error) error {
	bar := newProgressBar(stderr, "reindex")
	bad := 0
	err := b.Replay(ctx, bus.ScoredStream, 500, func(data [][]byte, done, total uint64) error {
		ids := make([]string, 0, len(data))
		docs := make([][]byte, 0, len(data))
		for _, d := range data {
			var head struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(d, &head) != nil || head.ID == "" {
				bad++
				continue
			}
			ids, docs = append(ids, head.ID), append(docs, d)
		}
		if len(ids) > 0 {
			if err := put(ctx, ids, docs); err != nil {
				return err
			}
		}
		bar.update(done, total)
		return nil
	})
	bar.finish()
	if bad > 0 {
		fmt.Fprintf(stderr, "reindex: %d unreadable messages skipped (the indexer dead-lettered them)\n", bad)
	}
	return err
}

// progressBar draws a one-line bar that redraws in place.
type progressBar struct {
	w     io.Writer
	label string
	start time.Time
	last  time.Time
}

func newProgressBar(w io.Writer, label string) *progressBar {
	return &progressBar{w: w, label: label, start: time.Now()}
}

func (b *progressBar) update(done, total uint64) {
	if time.Since(b.last) < 100*time.Millisecond && done < total {
		return
	}
	b.last = time.Now()
	const width = 30
	frac := 1.0
	if total > 0 {
		frac = float64(min(done, total)) / float64(total)
	}
	n := int(frac * width)
	fmt.Fprintf(b.w, "\r%s [%s%s] %3.0f%% %d/%d", b.label, strings.Repeat("#", n), strings.Repeat(".", width-n), frac*100, done, total)
}

func (b *progressBar) finish() {
	fmt.Fprintf(b.w, " (%s)\n", time.Since(b.start).Round(time.Millisecond))
}
