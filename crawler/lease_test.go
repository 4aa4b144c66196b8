package crawler

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/bus/bustest"
	"github.com/adwatch/adwatch/simulator"
)

// crawlLog records the crawls of several crawlers: who crawled which site
// when, and whether two ever overlapped on one site.
type crawlLog struct {
	mu       sync.Mutex
	active   map[string]string // site → holder crawling it
	overlaps []string
	crawls   map[string]int // holder → crawls ended
	starts   map[string][]time.Time
}

func newCrawlLog() *crawlLog {
	return &crawlLog{active: map[string]string{}, crawls: map[string]int{}, starts: map[string][]time.Time{}}
}

func (l *crawlLog) hook(holder string) func(site string, start bool) {
	return func(site string, start bool) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if !start {
			delete(l.active, site)
			l.crawls[holder]++
			return
		}
		if other, ok := l.active[site]; ok {
			l.overlaps = append(l.overlaps, site+": "+holder+" while "+other)
		}
		l.active[site] = holder
		l.starts[site] = append(l.starts[site], time.Now())
	}
}

func (l *crawlLog) total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.crawls {
		n += c
	}
	return n
}

// waitUntil polls cond for at most limit (generous: the test machine may
// be loaded); it reports whether cond came true.
func waitUntil(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}

// TestTwoCrawlersShareSitesOneAtATime runs two Crawlers (two processes, as
// far as they can tell) on one JetStream against the simulator: every site
// is crawled by one of them at a time, both get to crawl, and every ad
// version is published once in all.
func TestTwoCrawlersShareSitesOneAtATime(t *testing.T) {
	sim, sites, _ := simSites(t, simulator.Options{Seed: 8, RosaAds: 30, NattelysAds: 30})
	b, kv := stateBus(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	leases := testLeases(t, b, 2*time.Second)
	var list []*Site
	for _, name := range simulator.Sites() {
		s := *sites[name]
		s.Interval = Duration(300 * time.Millisecond)
		list = append(list, &s)
	}
	pub := &recorder{}
	log := newCrawlLog()
	var wg sync.WaitGroup
	var crawlers []*Crawler
	for _, holder := range []string{"A", "B"} {
		c := New(list, pub, kv, discard, WithLeases(leases, holder))
		c.crawlHook = log.hook(holder)
		crawlers = append(crawlers, c)
		wg.Add(1)
		go func() { defer wg.Done(); c.Run(ctx) }()
	}
	ok := waitUntil(90*time.Second, func() bool {
		log.mu.Lock()
		defer log.mu.Unlock()
		return log.crawls["A"] >= 2 && log.crawls["B"] >= 2
	})
	cancel()
	wg.Wait()
	if !ok {
		t.Fatalf("crawls by holder: %v; want both crawlers to crawl", log.crawls)
	}
	if len(log.overlaps) > 0 {
		t.Fatalf("a site was crawled by two crawlers at once: %v", log.overlaps)
	}
	want := len(sim.Ads("sim-rosa")) + len(sim.Ads("sim-nattelys"))
	if len(pub.msgs) != want || pub.total() != want {
		t.Fatalf("published %d messages (%d distinct), want each of %d ad versions once", pub.total(), len(pub.msgs), want)
	}
	// The schedule is shared: neither crawler crawls a site again before
	// the interval since the other's crawl has passed (but each crawls at
	// its start).
	for site, starts := range log.starts {
		if len(starts) < 2 {
			t.Errorf("%s crawled %d times", site, len(starts))
		}
	}
}

// TestLeaseOfADeadCrawlerLapses: a crawler that died holding a site's lease
// (it never renews) holds it up for the lease's TTL, no longer.
func TestLeaseOfADeadCrawlerLapses(t *testing.T) {
	_, sites, _ := simSites(t, simulator.Options{Seed: 2, RosaAds: 10, NattelysAds: -1})
	b, kv := stateBus(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const ttl = 2 * time.Second
	leases := testLeases(t, b, ttl)
	taken := time.Now()
	if _, err := leases.Acquire(ctx, "crawl.sim-rosa", "dead"); err != nil {
		t.Fatal(err)
	}
	log := newCrawlLog()
	c := New([]*Site{sites["sim-rosa"]}, &recorder{}, kv, discard, WithLeases(leases, "heir"))
	c.crawlHook = log.hook("heir")
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	if !waitUntil(60*time.Second, func() bool { return log.total() >= 1 }) {
		t.Fatal("the lease of a dead crawler never lapsed")
	}
	cancel()
	<-done
	log.mu.Lock()
	started := log.starts["sim-rosa"][0]
	log.mu.Unlock()
	if d := started.Sub(taken); d < ttl {
		t.Fatalf("crawled %s after the dead crawler took the lease, before its TTL of %s", d, ttl)
	}
	if c.Stats().Ads != 10 {
		t.Errorf("the heir saw %d ads, want 10", c.Stats().Ads)
	}
	if _, err := leases.Holder(context.Background(), "crawl.sim-rosa"); err != bus.ErrKeyNotFound {
		t.Errorf("the lease was not released after the crawl: %v", err)
	}
}

// TestLostLeaseStopsTheCrawl: when a crawler's lease is taken from it in
// the middle of a crawl, the crawl stops.
func TestLostLeaseStopsTheCrawl(t *testing.T) {
	_, sites, _ := simSites(t, simulator.Options{Seed: 2, RosaAds: 200, NattelysAds: -1})
	b, kv := stateBus(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	leases := testLeases(t, b, 3*time.Second)
	s := *sites["sim-rosa"]
	d := Duration(20 * time.Millisecond) // slow enough to be caught mid-crawl
	s.Delay, s.Jitter, s.Parallelism = &d, new(Duration), 1
	c := New([]*Site{&s}, &recorder{}, kv, discard, WithLeases(leases, "victim"))
	var rec siteRecord
	l, err := c.acquire(ctx, &s)
	if err != nil {
		t.Fatal(err)
	}
	// Steal the lease once the crawl is under way.
	go func() {
		waitUntil(30*time.Second, func() bool { return c.ads.Load() > 5 })
		l.mu.Lock()
		rev := l.rev
		l.mu.Unlock()
		leases.Release(ctx, "crawl.sim-rosa", rev)
		leases.Acquire(ctx, "crawl.sim-rosa", "thief")
	}()
	c.runCrawl(ctx, &s, l, &rec, discard)
	if n := c.ads.Load(); n >= 200 {
		t.Fatalf("crawled all %d ads though the lease was lost", n)
	}
	if c.Stats().Crawls != 0 || !rec.LastCrawl.IsZero() {
		t.Errorf("a crawl cut short by a lost lease was recorded as done")
	}
}

// stateBus starts an embedded JetStream and opens the crawl-state bucket
// on it, as the pipeline does.
func stateBus(t *testing.T) (*bus.Bus, *bus.KV) {
	t.Helper()
	b := bustest.Start(t)
	kv, err := b.KeyValue(context.Background(), "crawl_state", 1)
	if err != nil {
		t.Fatal(err)
	}
	return b, kv
}

// testLeases opens the crawl-lease bucket on b with leases lasting ttl.
func testLeases(t *testing.T, b *bus.Bus, ttl time.Duration) *bus.Leases {
	t.Helper()
	l, err := b.Leases(context.Background(), "crawl_leases", ttl, 1)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
