package crawler

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/simulator"
)

var discard = slog.New(slog.DiscardHandler)

// simSites starts the simulator and returns the shipped site configs
// pointed at it.
func simSites(t *testing.T, opts simulator.Options) (*simulator.Simulator, map[string]*Site, map[string]string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sim := simulator.New(opts)
	urls, err := sim.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	loaded, err := LoadSites("../configs/sites")
	if err != nil {
		t.Fatal(err)
	}
	sites := map[string]*Site{}
	for _, s := range loaded {
		s.BaseURL = urls[s.Name]
		sites[s.Name] = s
	}
	return sim, sites, urls
}

func TestCrawlOnceExtractsWhatTheSiteShows(t *testing.T) {
	sim, sites, urls := simSites(t, simulator.Options{Seed: 11, RosaAds: 45, NattelysAds: 33})
	for _, name := range simulator.Sites() {
		t.Run(name, func(t *testing.T) {
			var got []ad.Raw
			st, err := CrawlOnce(context.Background(), sites[name], discard, func(r ad.Raw) error {
				got = append(got, r)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if st.Errors != 0 {
				t.Errorf("%d errors", st.Errors)
			}
			want := sim.Ads(name)
			if len(got) != len(want) {
				t.Fatalf("extracted %d ads, want %d", len(got), len(want))
			}
			byURL := map[string]ad.Raw{}
			for _, r := range got {
				if r.ID != ad.NewID(name, r.URL) || r.Site != name || r.FetchedAt.IsZero() {
					t.Errorf("ad %s: id/site/fetched_at not set: %+v", r.URL, r)
				}
				r.ID, r.FetchedAt = "", time.Time{}
				byURL[r.URL] = r
			}
			for _, w := range want {
				w.URL = urls[name] + w.URL
				if g := byURL[w.URL]; !reflect.DeepEqual(g, w) {
					t.Errorf("ad %s:\n got %+v\nwant %+v", w.URL, g, w)
				}
			}
		})
	}
	if n := sim.Hits("/admin/stats"); n != 0 {
		t.Errorf("fetched /admin/stats %d times though robots.txt disallows it", n)
	}
}

func TestCrawlRespectsMaxPages(t *testing.T) {
	_, sites, _ := simSites(t, simulator.Options{Seed: 1, RosaAds: 100})
	s := *sites["sim-rosa"]
	s.MaxPages = 3
	n := 0
	if _, err := CrawlOnce(context.Background(), &s, discard, func(ad.Raw) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 30 {
		t.Fatalf("crawled %d ads with max_pages 3 of 10 ads each, want 30", n)
	}
}

func TestCrawlRefusesLoopbackUnlessAllowed(t *testing.T) {
	_, sites, _ := simSites(t, simulator.Options{Seed: 1})
	s := *sites["sim-rosa"]
	s.AllowPrivateAddresses = false
	n := 0
	st, err := CrawlOnce(context.Background(), &s, discard, func(ad.Raw) error { n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 || st.Errors == 0 {
		t.Fatalf("crawled %d ads with %d errors from a loopback site that is not allowed", n, st.Errors)
	}
}

func TestCrawlHonoursRobotsDisallowAll(t *testing.T) {
	var hits sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Store(r.URL.Path, true)
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte("User-agent: *\nDisallow: /\n"))
			return
		}
		w.Write([]byte(`<a class="ad-link" href="/ad/1">x</a>`))
	}))
	defer srv.Close()
	s, err := ParseSite("robots.yaml", []byte(`
name: robots
base_url: `+srv.URL+`
contact: a@b.example
allow_private_addresses: true
delay: 0s
html:
  seeds: ["/list"]
  ad_links: a.ad-link
  fields: {title: {selector: h1}}
`))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if _, err := CrawlOnce(context.Background(), s, discard, func(ad.Raw) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, ok := hits.Load("/list"); ok || n != 0 {
		t.Fatalf("fetched a page robots.txt disallows (ads: %d)", n)
	}
}

// recorder is a Publisher that keeps what it was given.
type recorder struct {
	mu   sync.Mutex
	msgs map[string]int // msgID -> publishes
}

func (r *recorder) Publish(_ context.Context, subject, msgID string, data []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.msgs == nil {
		r.msgs = map[string]int{}
	}
	var raw ad.Raw
	if err := json.Unmarshal(data, &raw); err != nil || subject != bus.RawSubject(raw.Site) || !strings.HasPrefix(msgID, raw.ID+".") {
		return err
	}
	r.msgs[msgID]++
	return nil
}

func (r *recorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.msgs {
		n += c
	}
	return n
}

// TestCrawlerPublishesEachVersionOnce runs a crawler against a real
// JetStream KV for its state: a second crawler on the same state (a restart)
// publishes nothing new.
func TestCrawlerPublishesEachVersionOnce(t *testing.T) {
	sim, sites, _ := simSites(t, simulator.Options{Seed: 5, RosaAds: 20, NattelysAds: 20})
	_, kv := stateBus(t)
	var list []*Site
	for _, s := range sites {
		list = append(list, s)
	}
	want := len(sim.Ads("sim-rosa")) + len(sim.Ads("sim-nattelys"))
	run := func(pub *recorder) Stats {
		ctx, cancel := context.WithCancel(context.Background())
		c := New(list, pub, kv, discard)
		done := make(chan struct{})
		go func() { c.Run(ctx); close(done) }()
		deadline := time.Now().Add(30 * time.Second)
		for c.Stats().Crawls < int64(len(list)) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		<-done
		return c.Stats()
	}
	first := &recorder{}
	st := run(first)
	if first.total() != want || len(first.msgs) != want || st.Published != int64(want) {
		t.Fatalf("first crawl published %d messages (%d distinct), want %d", first.total(), len(first.msgs), want)
	}
	second := &recorder{}
	st = run(second)
	if second.total() != 0 || st.Ads != int64(want) {
		t.Fatalf("restarted crawler saw %d ads and republished %d, want %d seen and 0 republished", st.Ads, second.total(), want)
	}
	all, err := kv.Keys(context.Background())
	var keys []string // ad states; the rest are site records
	for _, k := range all {
		if isAdKey("sim-rosa", k) || isAdKey("sim-nattelys", k) {
			keys = append(keys, k)
		}
	}
	if err != nil || len(keys) != want {
		t.Fatalf("state holds %d ads (%v), want %d", len(keys), err, want)
	}
	sort.Strings(keys)
	v, _ := kv.Get(context.Background(), keys[0])
	var s adState
	if err := json.Unmarshal(v, &s); err != nil || s.FirstSeen.IsZero() || s.LastSeen.Before(s.FirstSeen) || s.Version == "" {
		t.Fatalf("state %s = %s", keys[0], v)
	}
}

func TestTextOf(t *testing.T) {
	tests := []struct{ html, want string }{
		{`<div>one<br>two</div>`, "one\ntwo"},
		{`<div>  a   b <br/><br> c </div>`, "a b\nc"},
		{`<div><p>x</p><p>y</p><script>evil()</script></div>`, "x\ny"},
		{`<div>&lt;script&gt; &amp;amp;</div>`, "<script> &amp;"},
	}
	for _, tt := range tests {
		got := textOfHTML(t, tt.html)
		if got != tt.want {
			t.Errorf("textOf(%q) = %q, want %q", tt.html, got, tt.want)
		}
	}
}

func TestLookupAndValues(t *testing.T) {
	var doc any
	json.Unmarshal([]byte(`{"a":{"b":[{"c":"x"},{"c":" y "}],"n":24,"l":["p","q"]}}`), &doc)
	tests := []struct {
		path string
		want []string
	}{
		{"a.b.1.c", []string{"y"}},
		{"a.n", []string{"24"}},
		{"a.l", []string{"p", "q"}},
		{"a.missing", nil},
		{"a.b.9.c", nil},
	}
	for _, tt := range tests {
		if got := values(lookup(doc, tt.path)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s = %q, want %q", tt.path, got, tt.want)
		}
	}
}
