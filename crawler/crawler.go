// Package crawler collects ads from the sites described by site configs
// (configs/sites/*.yaml) and publishes one raw-ad message per new ad version.
//
// CrawlOnce is the core: one pass over one site, calling back for each ad. A
// Crawler runs CrawlOnce for every site on the site's interval and publishes
// what changed, keeping per-ad state (version, first and last seen) in a
// key-value store so that a restarted crawler republishes nothing it already
// published.
package crawler

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
)

// Publisher stores a message durably before returning; msgID makes a
// republish of the same message a no-op.
type Publisher interface {
	Publish(ctx context.Context, subject, msgID string, data []byte) error
}

// StateStore keeps per-ad crawl state. Get returns bus.ErrKeyNotFound for an
// ad never seen.
type StateStore interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte) error
}

// adState is what the crawler remembers of one ad.
type adState struct {
	Version   string    `json:"version"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// Stats are running totals, for the progress line and tests.
type Stats struct {
	Crawls    int64 // completed crawls of a site
	Pages     int64
	Ads       int64 // ads seen
	Published int64 // new or changed ad versions published
	Errors    int64
}

// Crawler crawls sites on their intervals and publishes raw ads.
type Crawler struct {
	sites  []*Site
	pub    Publisher
	state  StateStore
	logger *slog.Logger

	crawls, pages, ads, published, errors atomic.Int64
}

// New returns a crawler of sites that publishes to pub and keeps state in
// state.
func New(sites []*Site, pub Publisher, state StateStore, logger *slog.Logger) *Crawler {
	return &Crawler{sites: sites, pub: pub, state: state, logger: logger}
}

// Stats returns the running totals.
func (c *Crawler) Stats() Stats {
	return Stats{Crawls: c.crawls.Load(), Pages: c.pages.Load(), Ads: c.ads.Load(), Published: c.published.Load(), Errors: c.errors.Load()}
}

// Run crawls every site now and then again after each site's interval. It
// blocks until ctx ends and returns nil then; an ad whose publish failed is
// published again on the next crawl, since its state is written only after
// the publish was stored.
func (c *Crawler) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, s := range c.sites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.loop(ctx, s)
		}()
	}
	wg.Wait()
	return nil
}

func (c *Crawler) loop(ctx context.Context, s *Site) {
	logger := c.logger.With("site", s.Name)
	for {
		start := time.Now()
		st, err := CrawlOnce(ctx, s, c.logger, func(r ad.Raw) error { return c.handle(ctx, r) })
		c.pages.Add(st.Pages)
		c.errors.Add(st.Errors)
		if ctx.Err() != nil {
			return
		}
		c.crawls.Add(1)
		if err != nil {
			c.errors.Add(1)
			logger.Error("crawl stopped early; retrying at the next interval", "err", err)
		} else {
			logger.Info("crawl done", "pages", st.Pages, "ads", st.Ads, "errors", st.Errors, "took", time.Since(start).Round(time.Millisecond))
		}
		if st.Ads == 0 && err == nil {
			logger.Warn("crawl found no ads: the site may be down or its layout may have changed")
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(s.Interval)):
		}
	}
}

// handle publishes r if it is new or changed and records that it was seen.
func (c *Crawler) handle(ctx context.Context, r ad.Raw) error {
	c.ads.Add(1)
	version := r.Version()
	var st adState
	switch b, err := c.state.Get(ctx, r.ID); {
	case errors.Is(err, bus.ErrKeyNotFound):
		st.FirstSeen = r.FetchedAt
	case err != nil:
		return fmt.Errorf("crawl state of %q: %w", r.ID, err)
	default:
		if err := json.Unmarshal(b, &st); err != nil {
			c.logger.Warn("crawl state unreadable; treating the ad as new", "ad", r.ID, "err", err)
			st = adState{FirstSeen: r.FetchedAt}
		}
	}
	if st.Version != version {
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if err := c.pub.Publish(ctx, bus.RawSubject(r.Site), r.ID+"."+version, data); err != nil {
			return err
		}
		c.published.Add(1)
		st.Version = version
	}
	st.LastSeen = r.FetchedAt
	b, _ := json.Marshal(st)
	if err := c.state.Put(ctx, r.ID, b); err != nil {
		return fmt.Errorf("crawl state of %q: %w", r.ID, err)
	}
	return nil
}
