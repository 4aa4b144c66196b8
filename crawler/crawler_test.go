package crawler

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/adwatch/adwatch/simulator"
)

// changingSite is a small HTML site whose ads a test edits between crawls.
type changingSite struct {
	mu         sync.Mutex
	ads        map[int]*testAd
	titleClass string // of the ad page's h1; change it to break the selector
	hits       map[string]int
	notMod     int // 304 answers
}

type testAd struct {
	title, price string // price shows on the listing
	status       int    // answer with this status instead of the page
	version      int    // part of the ETag
}

func newChangingSite(n int) *changingSite {
	s := &changingSite{ads: map[int]*testAd{}, titleClass: "title", hits: map[string]int{}}
	for i := 1; i <= n; i++ {
		s.ads[i] = &testAd{title: fmt.Sprintf("Ad %d", i), price: "500 kr"}
	}
	return s
}

func (s *changingSite) edit(f func(s *changingSite)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *changingSite) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *changingSite) adHits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range s.hits {
		if strings.HasPrefix(p, "/ad/") {
			n += c
		}
	}
	return n
}

func (s *changingSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[r.URL.Path]++
	if r.URL.Path == "/list" {
		ids := make([]int, 0, len(s.ads))
		for id := range s.ads {
			ids = append(ids, id)
		}
		sort.Ints(ids)
		var b strings.Builder
		b.WriteString("<html><body><ul class=\"ads\">")
		for _, id := range ids {
			fmt.Fprintf(&b, "<li class=\"ad\"><a class=\"ad-link\" href=\"/ad/%d\">%s</a> <span>%s</span></li>\n", id, s.ads[id].title, s.ads[id].price)
		}
		b.WriteString("</ul></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
		return
	}
	id, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/ad/"))
	a, ok := s.ads[id]
	if err != nil || !ok {
		http.NotFound(w, r)
		return
	}
	if a.status != 0 {
		http.Error(w, "no", a.status)
		return
	}
	etag := fmt.Sprintf(`"%d-%d"`, id, a.version)
	if r.Header.Get("If-None-Match") == etag {
		s.notMod++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<html><body><h1 class=%q>%s</h1><div class=\"description\">Price %s</div></body></html>", s.titleClass, a.title, a.price)
}

// logBuffer collects log lines for assertions.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	l.b.Reset()
	return s
}

// TestCrawlerFreshnessGoneAndHealth walks one site through the life of its
// ads, one crawl at a time on a fake clock: what is fetched again, what is
// published, when an ad is gone, and when the crawler raises the alarm.
func TestCrawlerFreshnessGoneAndHealth(t *testing.T) {
	site := newChangingSite(4)
	srv := httptest.NewServer(site)
	defer srv.Close()
	s, err := ParseSite("chg.yaml", []byte(`name: chg
base_url: `+srv.URL+`
contact: a@b.example
allow_private_addresses: true
delay: 0s
gone_after: 2
refetch_after: 24h
html:
  seeds: ["/list"]
  ad_links: "ul.ads a.ad-link"
  listing_entry: "li.ad"
  fields:
    title: {selector: "h1.title"}
    text: {selector: "div.description"}
`))
	if err != nil {
		t.Fatal(err)
	}
	_, kv := stateBus(t)
	ctx := context.Background()
	pub := &recorder{}
	var goneMu sync.Mutex
	var gone []Gone
	reg := prometheus.NewRegistry()
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	c := New([]*Site{s}, pub, kv, logger, WithRegisterer(reg), WithGone(func(_ context.Context, g Gone) error {
		goneMu.Lock()
		defer goneMu.Unlock()
		gone = append(gone, g)
		return nil
	}))
	clock := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return clock }
	var rec siteRecord
	crawl := func() {
		t.Helper()
		clock = clock.Add(time.Minute)
		c.runCrawl(ctx, s, nil, &rec, c.logger.With("site", s.Name))
	}
	adsMetric := func(change string) float64 { return metricValue(c.metrics.ads.WithLabelValues("chg", change)) }
	state := func(id int) adState {
		t.Helper()
		var st adState
		raw, err := kv.Get(ctx, newIDFor(s, fmt.Sprintf("%s/ad/%d", srv.URL, id)))
		if err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(raw, &st)
		return st
	}

	crawl()
	if pub.total() != 4 || site.adHits() != 4 || adsMetric("new") != 4 {
		t.Fatalf("first crawl: published %d, fetched %d ad pages; want 4 and 4", pub.total(), site.adHits())
	}
	first := state(1)
	if first.FirstSeen.IsZero() || !first.FirstSeen.Equal(first.LastSeen) || first.ETag == "" {
		t.Fatalf("state after one crawl: %+v", first)
	}

	// Nothing changed: no ad page is fetched again, and last-seen moves.
	crawl()
	if pub.total() != 4 || site.adHits() != 4 || c.Stats().Skipped != 4 {
		t.Fatalf("unchanged site: published %d, fetched %d ad pages, skipped %d", pub.total(), site.adHits(), c.Stats().Skipped)
	}
	if st := state(1); !st.LastSeen.After(first.LastSeen) || !st.FirstSeen.Equal(first.FirstSeen) {
		t.Fatalf("last seen not moved on: %+v", st)
	}

	// Ad 2's price changes on the listing and on its page: only it is
	// fetched, and its new version published.
	site.edit(func(s *changingSite) { s.ads[2].price = "600 kr"; s.ads[2].version++ })
	crawl()
	if pub.total() != 5 || site.hitsOf("/ad/2") != 2 || site.adHits() != 5 || adsMetric("changed") != 1 {
		t.Fatalf("changed ad: published %d, ad 2 fetched %d times, %d ad pages in all", pub.total(), site.hitsOf("/ad/2"), site.adHits())
	}

	// A day later every page is fetched again, conditionally: 304s publish
	// nothing.
	clock = clock.Add(25 * time.Hour)
	crawl()
	if site.adHits() != 9 || site.notMod != 4 || pub.total() != 5 {
		t.Fatalf("refetch after a day: %d ad pages, %d answered 304, published %d", site.adHits(), site.notMod, pub.total())
	}

	// Ad 3 leaves the listing: gone after gone_after (2) complete crawls.
	site.edit(func(s *changingSite) { delete(s.ads, 3) })
	crawl()
	if len(gone) != 0 || state(3).Misses != 1 {
		t.Fatalf("gone after one miss: %d gone, state %+v", len(gone), state(3))
	}
	crawl()
	if len(gone) != 1 || gone[0].Raw.Title != "Ad 3" || gone[0].GoneAt.IsZero() || gone[0].FirstSeen.IsZero() || state(3).GoneAt.IsZero() {
		t.Fatalf("ad 3 not gone after two misses: %+v, state %+v", gone, state(3))
	}
	if gone[0].Raw.GoneAt.IsZero() || pub.total() != 6 {
		t.Fatalf("the gone version of ad 3 was not published (%d publishes, gone_at %v)", pub.total(), gone[0].Raw.GoneAt)
	}
	if metricValue(c.metrics.live.WithLabelValues("chg")) != 3 || c.Stats().Gone != 1 {
		t.Errorf("live ads metric %v, gone %d", metricValue(c.metrics.live.WithLabelValues("chg")), c.Stats().Gone)
	}

	// Ad 1's page answers 410 once it is due for a refetch: gone at once,
	// though the listing still shows it.
	site.edit(func(s *changingSite) { s.ads[1].status = http.StatusGone; s.ads[1].price = "gone" })
	crawl()
	if len(gone) != 2 || gone[1].Raw.Title != "Ad 1" {
		t.Fatalf("a 410 did not mark the ad gone: %+v", gone)
	}

	// Ad 3 comes back: fetched, published again, live.
	site.edit(func(s *changingSite) {
		s.ads[3] = &testAd{title: "Ad 3", price: "500 kr"}
		delete(s.ads, 1)
	})
	crawl()
	if st := state(3); !st.GoneAt.IsZero() || adsMetric("reappeared") != 1 {
		t.Fatalf("ad 3 back but still gone: %+v", st)
	}
	logs.take()

	// The ad page layout changes: the title selector matches nothing on
	// any ad. Loud.
	site.edit(func(s *changingSite) {
		s.titleClass = "headline"
		for _, a := range s.ads {
			a.price += "!"
			a.version++
		}
	})
	crawl()
	if l := logs.take(); !strings.Contains(l, "a field came out empty on every ad") || !strings.Contains(l, "field=title") {
		t.Errorf("no warning about the title field:\n%s", l)
	}
	if metricValue(c.metrics.layout.WithLabelValues("chg", "empty_fields")) != 1 {
		t.Error("layout_suspect{reason=empty_fields} not set")
	}

	// The listing layout changes: no ad is listed. Loud, and no ad is
	// marked gone for it.
	before := len(gone)
	site.edit(func(s *changingSite) { s.ads = map[int]*testAd{} })
	for range 3 {
		crawl()
	}
	if l := logs.take(); !strings.Contains(l, "site used to list ads and this crawl listed none") || !strings.Contains(l, "no ad is marked gone") {
		t.Errorf("no alarm about a site that lists nothing:\n%s", l)
	}
	if len(gone) != before {
		t.Errorf("%d ads marked gone by a crawl that listed nothing", len(gone)-before)
	}
	if metricValue(c.metrics.layout.WithLabelValues("chg", "no_ads")) != 1 {
		t.Error("layout_suspect{reason=no_ads} not set")
	}
	if n := metricValue(c.metrics.pages.WithLabelValues("chg", "listing")); n != 12 {
		t.Errorf("listing pages metric = %v, want 12", n)
	}
	if mfs, err := reg.Gather(); err != nil || len(mfs) < 8 {
		n := len(mfs)
		t.Errorf("registry: %d metrics, %v", n, err)
	}
}

// metricValue reads a counter or gauge.
func metricValue(m prometheus.Metric) float64 {
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		return -1
	}
	if d.Counter != nil {
		return d.Counter.GetValue()
	}
	return d.Gauge.GetValue()
}

func newIDFor(s *Site, u string) string {
	cr := &crawl{site: s}
	return cr.newAd(u).ID
}

// TestNewMetricsTwiceOnOneRegistry: two crawlers of one process share the
// registry without a panic.
func TestNewMetricsTwiceOnOneRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, b := newMetrics(reg), newMetrics(reg)
	a.pages.WithLabelValues("s", "ad").Inc()
	if metricValue(b.pages.WithLabelValues("s", "ad")) != 1 {
		t.Fatal("the second crawler's metrics are not the first's")
	}
}

// TestRetryAfterIsKeptInTheSiteRecord: a site that asks to be left alone
// for an hour is not crawled again before then, even by a restarted or
// another crawler, because the schedule lives in the state store.
func TestRetryAfterIsKeptInTheSiteRecord(t *testing.T) {
	_, base := hostile(t, simulator.HostileOptions{})
	s := hostileSite(t, base, "/ratelimit/forever", "", "")
	_, kv := stateBus(t)
	ctx := context.Background()
	c := New([]*Site{s}, &recorder{}, kv, discard)
	var rec siteRecord
	c.runCrawl(ctx, s, nil, &rec, discard)
	stored, err := New(nil, nil, kv, discard).loadRecord(ctx, s.Name)
	if err != nil {
		t.Fatal(err)
	}
	if time.Until(stored.NotBefore) < 50*time.Minute || time.Until(stored.due(time.Minute)) < 50*time.Minute {
		t.Fatalf("stored record %+v: the site's Retry-After is lost", stored)
	}
}
