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
	"github.com/adwatch/adwatch/search/esindex"
)

// cmdReindex rebuilds the index from the scored-ad stream: the index is
// derived data, the stream is the record.
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
			return usagef("--fresh is for the embedded index; on Elasticsearch, reindex overwrites every ad by id")
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
	store, err := openStore(ctx, cfg, esindex.RefreshExplicit, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	bar := newProgressBar(stderr, "reindex")
	var bad int
	err = p.bus.Replay(ctx, bus.ScoredStream, 500, func(data [][]byte, done, total uint64) error {
		// The stream holds every version of an ad: the last one wins, as
		// it does in the running indexer.
		batch := make([]ad.Scored, 0, len(data))
		for _, d := range data {
			var s ad.Scored
			if err := json.Unmarshal(d, &s); err != nil || s.ID == "" {
				bad++
				continue
			}
			batch = append(batch, s)
		}
		if len(batch) > 0 {
			if err := store.Put(ctx, batch); err != nil {
				return err
			}
		}
		bar.update(done, total)
		return nil
	})
	bar.finish()
	if err != nil {
		return err
	}
	n, err := store.Count(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "reindex: the index holds %d ads", n)
	if bad > 0 {
		fmt.Fprintf(stderr, "; %d unreadable messages skipped (see the dead-letter stream for the running indexer's view)", bad)
	}
	fmt.Fprintln(stderr)
	return nil
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
