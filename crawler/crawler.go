// Package crawler collects ads from the sites described by site configs
// (configs/sites/*.yaml) and publishes one raw-ad message per new ad version.
//
// CrawlOnce is the core: one pass over one site, calling back for each ad,
// polite (robots.txt, delay, jitter, parallelism, Retry-After) and bounded
// against hostile sites (sizes, decompression, redirects, pages, time). A
// Crawler runs it for every site on the site's interval and publishes what
// changed, keeping per-ad state (version, first and last seen, when it went)
// and per-site state (schedule, health baselines) in a key-value store, so
// that a restarted crawler republishes nothing it already published and
// re-fetches only ads whose listing entry changed; with leases, several
// crawler processes share the sites and never crawl one at the same time.
// TestSite shows an operator what a site config extracts.
package crawler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/internal/wait"
)

// Publisher stores a message durably before returning; msgID makes a
// republish of the same message a no-op.
type Publisher interface {
	Publish(ctx context.Context, subject, msgID string, data []byte) error
}

// StateStore keeps crawl state. Get returns bus.ErrKeyNotFound for a key
// never stored. *bus.KV is one.
type StateStore interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte) error
	Keys(ctx context.Context) ([]string, error)
}

// LeaseStore hands out leases that lapse TTL after their last renewal.
// Acquire returns an error wrapping bus.ErrLeaseHeld while another holder
// has the lease, and Renew one wrapping bus.ErrLeaseLost once it lapsed or
// changed hands. *bus.Leases is one.
type LeaseStore interface {
	Acquire(ctx context.Context, key, holder string) (uint64, error)
	Renew(ctx context.Context, key, holder string, rev uint64) (uint64, error)
	Release(ctx context.Context, key string, rev uint64) error
	TTL() time.Duration
}

// Gone is an ad that disappeared from its site: it was missing from
// gone_after complete crawls in a row, or its page answered 404 or 410.
type Gone struct {
	// Raw is the last version published.
	Raw       ad.Raw
	FirstSeen time.Time
	LastSeen  time.Time
	GoneAt    time.Time
}

// Stats are running totals, for the progress line and tests.
type Stats struct {
	Crawls    int64 // completed crawls of a site
	Pages     int64
	Ads       int64 // ads seen (listed), fetched or not
	Published int64 // new or changed ad versions published
	Errors    int64
	Gone      int64 // ads marked gone
	Skipped   int64 // listed ads not fetched again: their listing entry had not changed
}

// Crawler crawls sites on their intervals and publishes raw ads.
type Crawler struct {
	sites   []*Site
	pub     Publisher
	state   StateStore
	logger  *slog.Logger
	metrics *metrics
	leases  LeaseStore
	holder  string
	onGone  func(context.Context, Gone) error
	now     func() time.Time

	// crawlHook, if set, is called as each crawl starts and ends (tests).
	crawlHook func(site string, start bool)

	crawls, pages, ads, published, errors, gone, skipped atomic.Int64
}

// Option configures a Crawler.
type Option func(*Crawler)

// WithRegisterer registers the crawler's metrics (see newMetrics) with reg.
func WithRegisterer(reg prometheus.Registerer) Option {
	return func(c *Crawler) { c.metrics = newMetrics(reg) }
}

// WithLeases makes the crawler take a site's lease (key "crawl.<site>")
// before crawling it and hold it, renewed, until the crawl ends, so that
// crawler processes sharing the lease store never crawl one site at the same
// time; holder names this process (default: host name, process id and a
// random suffix). Without leases, a crawler assumes it is alone.
func WithLeases(l LeaseStore, holder string) Option {
	return func(c *Crawler) {
		c.leases = l
		if holder != "" {
			c.holder = holder
		}
	}
}

// WithGone calls fn for each ad that goes from the site, after the gone
// marker is decided and before it is stored; an error leaves the ad live, to
// be marked again by the next crawl.
func WithGone(fn func(context.Context, Gone) error) Option {
	return func(c *Crawler) { c.onGone = fn }
}

// New returns a crawler of sites that publishes to pub and keeps state in
// state.
func New(sites []*Site, pub Publisher, state StateStore, logger *slog.Logger, opts ...Option) *Crawler {
	c := &Crawler{sites: sites, pub: pub, state: state, logger: logger, holder: defaultHolder(), now: time.Now}
	for _, o := range opts {
		o(c)
	}
	if c.metrics == nil {
		c.metrics = newMetrics(nil)
	}
	return c
}

func defaultHolder() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Stats returns the running totals.
func (c *Crawler) Stats() Stats {
	return Stats{
		Crawls: c.crawls.Load(), Pages: c.pages.Load(), Ads: c.ads.Load(), Published: c.published.Load(),
		Errors: c.errors.Load(), Gone: c.gone.Load(), Skipped: c.skipped.Load(),
	}
}

// Run crawls every site now and then again after each site's interval. It
// blocks until ctx ends and returns nil then; an ad whose publish failed is
// published again on the next crawl, since its state is written only after
// the publish was stored.
//
// Each site's first crawl starts at once (ad pages whose listing entry did
// not change are not fetched again); later ones follow the schedule kept in
// the state store, shared by every crawler of the site: interval after the
// last crawl by any of them, and never before the site's Retry-After.
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
	interval := time.Duration(s.Interval)
	first := true
	next := c.now()
	for {
		if !wait.Sleep(ctx, time.Until(next)) {
			return
		}
		var l *lease
		if c.leases != nil {
			var err error
			l, err = c.acquire(ctx, s)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				if !errors.Is(err, bus.ErrLeaseHeld) {
					c.errors.Add(1)
					c.metrics.errors.WithLabelValues(s.Name, "lease").Inc()
					logger.Warn("cannot take the site's lease; trying again later", "err", err)
				}
				next = c.now().Add(c.leaseRetry(s))
				continue
			}
		}
		rec, err := c.loadRecord(ctx, s.Name)
		if err != nil && ctx.Err() == nil {
			logger.Warn("site state unreadable; crawling on", "err", err)
		}
		due := rec.due(interval)
		if first {
			due = rec.NotBefore // the site's Retry-After binds even a fresh start
		}
		if due.After(c.now()) {
			l.release(ctx)
			next = due
			continue
		}
		first = false
		c.runCrawl(ctx, s, l, &rec, logger)
		l.release(ctx)
		if ctx.Err() != nil {
			return
		}
		next = rec.due(interval)
	}
}

// leaseRetry is how long a crawler waits before it asks again for a lease
// another holds.
func (c *Crawler) leaseRetry(s *Site) time.Duration {
	return min(time.Duration(s.Interval), c.leases.TTL()) / 2
}

// runCrawl runs one crawl of s and updates the state of its ads and of the
// site.
func (c *Crawler) runCrawl(ctx context.Context, s *Site, l *lease, rec *siteRecord, logger *slog.Logger) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if l != nil {
		c.metrics.leaseHeld.WithLabelValues(s.Name).Set(1)
		defer c.metrics.leaseHeld.WithLabelValues(s.Name).Set(0)
		stop := l.keep(ctx, cancel, logger)
		defer stop()
	}
	if c.crawlHook != nil {
		c.crawlHook(s.Name, true)
		defer c.crawlHook(s.Name, false)
	}
	start := c.now()
	sess, err := c.newSession(ctx, s, logger)
	if err != nil {
		c.errors.Add(1)
		c.metrics.errors.WithLabelValues(s.Name, "state").Inc()
		logger.Error("cannot read crawl state; crawl skipped until the next interval", "err", err)
		rec.LastCrawl = c.now()
		return
	}
	st, err := crawlSite(ctx, s, c.logger, sess.hooks())
	took := c.now().Sub(start)
	c.pages.Add(st.Pages)
	c.errors.Add(st.Errors)
	for k, n := range st.ErrorKinds {
		c.metrics.errors.WithLabelValues(s.Name, k).Add(float64(n))
	}
	c.metrics.pages.WithLabelValues(s.Name, "listing").Add(float64(st.ListingPages))
	c.metrics.pages.WithLabelValues(s.Name, "ad").Add(float64(st.AdPages))
	c.metrics.pages.WithLabelValues(s.Name, "image").Add(float64(st.Images))
	if cause := context.Cause(ctx); ctx.Err() != nil && errors.Is(cause, bus.ErrLeaseLost) {
		c.errors.Add(1)
		c.metrics.errors.WithLabelValues(s.Name, "lease").Inc()
		logger.Error("lost the site's lease in the middle of a crawl; stopped it", "err", cause)
		return
	}
	if ctx.Err() != nil {
		return // shutting down: the next process crawls it again
	}
	sess.finish(ctx, st, err == nil && st.Complete)
	rec.LastCrawl = c.now()
	rec.NotBefore = st.RetryAfter
	rec.Holder = c.holder
	c.crawls.Add(1)
	c.metrics.lastCrawl.WithLabelValues(s.Name).Set(float64(rec.LastCrawl.Unix()))
	c.metrics.duration.WithLabelValues(s.Name).Observe(took.Seconds())
	switch {
	case err != nil:
		c.errors.Add(1)
		c.metrics.crawls.WithLabelValues(s.Name, "failed").Inc()
		logger.Error("crawl stopped early; retrying at the next interval", "err", err, "pages", st.Pages, "ads", sess.seenCount())
	case st.Complete:
		c.metrics.crawls.WithLabelValues(s.Name, "complete").Inc()
	default:
		c.metrics.crawls.WithLabelValues(s.Name, "incomplete").Inc()
	}
	if err == nil {
		logger.Info("crawl done", "pages", st.Pages, "ads", sess.seenCount(), "new", sess.counts["new"], "changed", sess.counts["changed"],
			"skipped", sess.counts["skipped"], "gone", sess.counts["gone"], "errors", st.Errors, "complete", st.Complete, "took", took.Round(time.Millisecond))
	}
	c.checkHealth(s, st, err, sess, rec, logger)
	if err := c.saveRecord(ctx, s.Name, rec); err != nil && ctx.Err() == nil {
		c.errors.Add(1)
		c.metrics.errors.WithLabelValues(s.Name, "state").Inc()
		logger.Warn("cannot store the site's crawl state", "err", err)
	}
}

// lease is a held lease of one site; nil when the crawler runs without.
type lease struct {
	store  LeaseStore
	key    string
	holder string
	mu     sync.Mutex
	rev    uint64
}

func (c *Crawler) acquire(ctx context.Context, s *Site) (*lease, error) {
	key := "crawl." + s.Name
	rev, err := c.leases.Acquire(ctx, key, c.holder)
	if err != nil {
		return nil, err
	}
	return &lease{store: c.leases, key: key, holder: c.holder, rev: rev}, nil
}

// keep renews the lease every third of its TTL until stop is called; if the
// lease is lost, or cannot be renewed before it would lapse, it cancels the
// crawl with bus.ErrLeaseLost.
func (l *lease) keep(ctx context.Context, cancel context.CancelCauseFunc, logger *slog.Logger) (stop func()) {
	ttl := l.store.TTL()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		renewed := time.Now()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			l.mu.Lock()
			rev, err := l.store.Renew(ctx, l.key, l.holder, l.rev)
			if err == nil {
				l.rev = rev
			}
			l.mu.Unlock()
			switch {
			case err == nil:
				renewed = time.Now()
			case errors.Is(err, bus.ErrLeaseLost):
				cancel(err)
				return
			case time.Since(renewed) > ttl*2/3:
				cancel(fmt.Errorf("%w: cannot renew it (%v)", bus.ErrLeaseLost, err))
				return
			default:
				logger.Warn("lease renewal failed; retrying", "err", err)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// release gives the lease up; a nil lease does nothing.
func (l *lease) release(ctx context.Context) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// Released even while shutting down, so that another process need not
	// wait out the TTL.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = l.store.Release(rctx, l.key, l.rev) // a lease not released lapses
}
