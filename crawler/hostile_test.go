package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/simulator"
)

// hostile starts a hostile simulator site.
func hostile(t *testing.T, opts simulator.HostileOptions) (*simulator.Hostile, string) {
	t.Helper()
	h := simulator.NewHostile(opts)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL
}

// hostileSite is a site config for one listing of a hostile site; extra is
// YAML put in before the html section, fields replaces the default title
// and text rules.
func hostileSite(t *testing.T, base, seed, extra, fields string) *Site {
	t.Helper()
	if fields == "" {
		fields = `    title: {selector: "h1.title"}
    text: {selector: "div.description"}`
	}
	src := `name: hostile
base_url: ` + base + `
contact: test@adwatch.example
allow_private_addresses: true
delay: 0s
max_body_bytes: 65536
` + extra + `
html:
  seeds: ["` + seed + `"]
  next_page: "a.next[rel=next]"
  ad_links: "ul.ads a.ad-link"
  fields:
` + fields + "\n"
	s, err := ParseSite("hostile.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// crawlAll crawls s once and returns what it found, keyed by URL path. The
// crawl must end on its own: the deadline is only a backstop.
func crawlAll(t *testing.T, s *Site) (map[string]*foundAd, CrawlStats, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	got := map[string]*foundAd{}
	st, err := crawlSite(ctx, s, discard, hooks{found: func(f *foundAd) error {
		got[strings.TrimPrefix(f.raw.URL, s.BaseURL)] = f
		return nil
	}})
	if ctx.Err() != nil {
		t.Fatalf("crawl did not end by itself: %v", err)
	}
	return got, st, err
}

func titles(got map[string]*foundAd) []string {
	var out []string
	for _, f := range got {
		out = append(out, f.raw.Title)
	}
	slices.Sort(out)
	return out
}

func TestHostileMalformedHTML(t *testing.T) {
	h, base := hostile(t, simulator.HostileOptions{})
	got, st, err := crawlAll(t, hostileSite(t, base, "/malformed/list", "", ""))
	// 5000 nested elements are more than the parser takes: an error the
	// operator sees, for that page only.
	if err != nil || st.Errors != 1 || st.ErrorKinds["parse"] != 1 {
		t.Fatalf("err %v, %d errors %v; want one parse error", err, st.Errors, st.ErrorKinds)
	}
	if want := []string{"Broken 1", "Broken 2", "Broken 3"}; !slices.Equal(titles(got), want) {
		t.Fatalf("titles %q, want %q", titles(got), want)
	}
	if h.Hits("/malformed/commented") != 0 {
		t.Error("followed a link inside an HTML comment")
	}
	if txt := got["/malformed/ad/1"].raw.Text; !strings.HasPrefix(txt, "line one\nline two") {
		t.Errorf("text = %q", txt)
	}
}

// TestHostileHugePageAndGzipBomb: a page over the cap and a gzip bomb are
// errors the operator sees (kind too_large), the good ad beside them is
// crawled, and the crawler never holds more than the cap of either.
func TestHostileHugePageAndGzipBomb(t *testing.T) {
	_, base := hostile(t, simulator.HostileOptions{})
	for _, tt := range []struct{ seed, ok string }{{"/huge/list", "/ok/1"}, {"/bomb/list", "/ok/2"}} {
		t.Run(tt.seed, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			got, st, err := crawlAll(t, hostileSite(t, base, tt.seed, "", ""))
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if st.ErrorKinds["too_large"] != 1 || st.Errors != 1 {
				t.Errorf("errors %v, want one too_large", st.ErrorKinds)
			}
			if len(got) != 1 || got[tt.ok] == nil {
				t.Errorf("ads %v, want only %s", titles(got), tt.ok)
			}
			// The bomb inflates to 1 GiB and the huge page is 8 MiB; the
			// cap is 64 KiB. Allocation counts everything the process did
			// meanwhile, hence the wide margin.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("the crawl allocated %d MiB", alloc>>20)
			}
		})
	}
}

func TestHostileRedirects(t *testing.T) {
	h, base := hostile(t, simulator.HostileOptions{})
	got, st, err := crawlAll(t, hostileSite(t, base, "/redirect/list", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	// The loop, the redirect to another host and the 20-hop chain are
	// errors; the one redirect within the site is followed.
	if st.ErrorKinds["redirect"] != 3 || st.Errors != 3 {
		t.Errorf("errors %v, want 3 of kind redirect", st.ErrorKinds)
	}
	if want := []string{simulator.OkTitle(3)}; !slices.Equal(titles(got), want) {
		t.Errorf("ads %q, want %q", titles(got), want)
	}
	if f := got["/ok/3"]; f == nil || f.link != base+"/redirect/ok" {
		t.Errorf("the redirected ad is not identified by its canonical URL: %+v", f)
	}
	if n := h.Hits("/away-target"); n != 0 {
		t.Errorf("followed a redirect to another host %d times", n)
	}
	if n := h.HitsPrefix("/redirect/chain/"); n > maxRedirects+1 {
		t.Errorf("followed %d hops of a redirect chain", n)
	}
	if n := h.HitsPrefix("/redirect/loop-"); n > 4 {
		t.Errorf("a redirect loop got %d requests", n)
	}
}

func TestHostilePaginationTraps(t *testing.T) {
	h, base := hostile(t, simulator.HostileOptions{})
	t.Run("next link for ever", func(t *testing.T) {
		got, st, err := crawlAll(t, hostileSite(t, base, "/trap/list", "max_pages: 5", ""))
		if err != nil || len(got) != 5 || st.ListingPages != 5 || st.Complete {
			t.Fatalf("err %v, %d ads, %d listing pages, complete %v; want 5, 5, false", err, len(got), st.ListingPages, st.Complete)
		}
	})
	t.Run("numbered pages for ever", func(t *testing.T) {
		s := hostileSite(t, base, "/trap/list", "max_pages: 7", "")
		s.HTML.Seeds, s.HTML.PageURL = nil, "/trap/list?page={page}"
		s.HTML.nextPage = nil
		got, st, err := crawlAll(t, s)
		if err != nil || len(got) != 7 || st.ListingPages != 7 || st.Complete {
			t.Fatalf("err %v, %d ads, %d listing pages, complete %v; want 7, 7, false", err, len(got), st.ListingPages, st.Complete)
		}
	})
	t.Run("page numbers clamped to the last page", func(t *testing.T) {
		s := hostileSite(t, base, "/clamp/list", "", "")
		s.HTML.Seeds, s.HTML.PageURL = nil, "/clamp/list?page={page}"
		got, st, err := crawlAll(t, s)
		// Page 4 shows page 3 again: no new ad, so paging stops there,
		// and the listing is complete.
		if err != nil || len(got) != 6 || st.ListingPages != 4 || !st.Complete {
			t.Fatalf("err %v, %d ads, %d listing pages, complete %v; want 6, 4, true", err, len(got), st.ListingPages, st.Complete)
		}
		if h.Hits("/clamp/list") != 4 {
			t.Errorf("%d listing requests", h.Hits("/clamp/list"))
		}
	})
}

func TestHostileSlowServers(t *testing.T) {
	_, base := hostile(t, simulator.HostileOptions{Drip: 50 * time.Millisecond})
	got, st, err := crawlAll(t, hostileSite(t, base, "/slow/list", "timeout: 1s\nparallelism: 3", ""))
	if err != nil {
		t.Fatal(err)
	}
	if st.ErrorKinds["timeout"] != 2 || st.Errors != 2 {
		t.Errorf("errors %v, want 2 timeouts (a body that never ends, an answer that never comes)", st.ErrorKinds)
	}
	if want := []string{simulator.OkTitle(4)}; !slices.Equal(titles(got), want) {
		t.Errorf("ads %q, want %q", titles(got), want)
	}
}

func TestHostile5xxStormStopsTheCrawl(t *testing.T) {
	h, base := hostile(t, simulator.HostileOptions{})
	_, st, err := crawlAll(t, hostileSite(t, base, "/storm/list", "max_failures_in_a_row: 5\nparallelism: 2", ""))
	if err == nil || !strings.Contains(err.Error(), "5 requests in a row") {
		t.Fatalf("err = %v, want the crawl stopped after 5 failures in a row", err)
	}
	if n := h.HitsPrefix("/storm/ad/"); n > 5+2 {
		t.Errorf("the storming site got %d more requests", n)
	}
	if st.ErrorKinds["http_5xx"] < 5 {
		t.Errorf("errors %v", st.ErrorKinds)
	}
}

func TestHostileRateLimits(t *testing.T) {
	h, base := hostile(t, simulator.HostileOptions{})
	t.Run("Retry-After honoured", func(t *testing.T) {
		start := time.Now()
		got, st, err := crawlAll(t, hostileSite(t, base, "/ratelimit/list", "", ""))
		if err != nil || st.Errors != 0 || len(got) != 3 {
			t.Fatalf("err %v, errors %v, %d ads; want 3 ads after retries", err, st.ErrorKinds, len(got))
		}
		for _, p := range []string{"/ratelimit/ad/1", "/ratelimit/ad/2", "/ratelimit/ad/3"} {
			if n := h.Hits(p); n != 2 {
				t.Errorf("%s requested %d times, want 2", p, n)
			}
		}
		// Each 429 asked for a second's pause of the whole site (a lower
		// bound, which load cannot break).
		if took := time.Since(start); took < time.Second {
			t.Errorf("the crawl took %s: Retry-After was not waited for", took)
		}
	})
	t.Run("Retry-After too long stops the crawl", func(t *testing.T) {
		s := hostileSite(t, base, "/ratelimit/forever", "", "")
		_, st, err := crawlAll(t, s)
		var ra *RetryAfterError
		if !errors.As(err, &ra) || time.Until(st.RetryAfter) < 50*time.Minute {
			t.Fatalf("err %v, retry after %s; want the crawl stopped until in an hour", err, st.RetryAfter)
		}
		if n := h.Hits("/ratelimit/forever"); n != 1 {
			t.Errorf("asked %d times", n)
		}
	})
}

func TestHostileRobotsDisallowAll(t *testing.T) {
	h, base := hostile(t, simulator.HostileOptions{DisallowAll: true})
	got, st, err := crawlAll(t, hostileSite(t, base, "/malformed/list", "", ""))
	if err != nil || len(got) != 0 {
		t.Fatalf("err %v, %d ads", err, len(got))
	}
	if st.ErrorKinds["robots"] != 1 || st.Complete {
		t.Errorf("errors %v, complete %v: a blocked seed must show, and the listing is not complete", st.ErrorKinds, st.Complete)
	}
	if n := h.HitsPrefix("/malformed/"); n != 0 {
		t.Errorf("fetched %d pages robots.txt disallows", n)
	}
}

func TestHostileCharsets(t *testing.T) {
	_, base := hostile(t, simulator.HostileOptions{})
	got, st, err := crawlAll(t, hostileSite(t, base, "/charset/list", "", ""))
	if err != nil || st.Errors != 0 || len(got) != 4 {
		t.Fatalf("err %v, errors %v, %d ads", err, st.ErrorKinds, len(got))
	}
	want := map[string][2]string{
		"/charset/latin1-header": {"Pæne piger i Århus", "Søde piger"},
		"/charset/cp1252-meta":   {"Café – 25 år – 500 €", "“quoted”"},
		"/charset/undeclared":    {"Pæne piger i Århus", "x"},
	}
	for path, w := range want {
		if f := got[path]; f == nil || f.raw.Title != w[0] || f.raw.Text != w[1] {
			t.Errorf("%s: %+v, want title %q and text %q", path, f, w[0], w[1])
		}
	}
	bad := got["/charset/invalid"].raw.Title
	if !utf8.ValidString(bad) || !strings.HasPrefix(bad, "Bad \uFFFD") || !strings.Contains(bad, "bytes") {
		t.Errorf("invalid UTF-8 came out as %q", bad)
	}
}

func TestJSONLD(t *testing.T) {
	_, base := hostile(t, simulator.HostileOptions{})
	got, st, err := crawlAll(t, hostileSite(t, base, "/jsonld/list", "", `    title: {json_ld: name, json_ld_type: Offer}
    text: {json_ld: description, json_ld_type: Offer}
    name: {json_ld: name, json_ld_type: Person, selector: "h1.title"}
    city: {json_ld: address.addressLocality}
    phones: {json_ld: telephone, multiple: true}
    languages: {json_ld: knowsLanguage, multiple: true}
    price_text: {json_ld: price, json_ld_type: Offer, regex: '(\d+)'}
    posted_at: {json_ld: datePosted}
    category: {json_ld: category, selector: "h1.title"}`))
	if err != nil || st.Errors != 0 || len(got) != 2 {
		t.Fatalf("err %v, errors %v, %d ads", err, st.ErrorKinds, len(got))
	}
	a := got["/jsonld/ad/1"].raw
	want := ad.Raw{Title: "Mira in Odense", Text: "New in town.\nCall me.", Name: "Mira", City: "Odense",
		Phones: []string{"+45 12 34 56 78", "+45 87 65 43 21"}, Languages: []string{"da", "en"}, PriceText: "1200",
		PostedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)}
	a.ID, a.Site, a.URL, a.FetchedAt = "", "", "", time.Time{}
	if !equalRaw(a, want) {
		t.Errorf("ad 1:\n got %+v\nwant %+v", a, want)
	}
	b := got["/jsonld/ad/2"].raw
	// No category in JSON-LD: the selector is the fallback.
	if b.Title != "Lina" || b.City != "Aarhus" || b.Category != "markup title" || b.Name != "Lina" {
		t.Errorf("ad 2: %+v", b)
	}
}

func equalRaw(a, b ad.Raw) bool { return a.Version() == b.Version() }

func TestImagesAreHashedNeverStored(t *testing.T) {
	h, base := hostile(t, simulator.HostileOptions{})
	s := hostileSite(t, base, "/images/list", "max_images: 10\nmax_image_bytes: 1048576", `    title: {selector: "h1.title"}
    images: {selector: "div.gallery img", attr: src, multiple: true}`)
	got, st, err := crawlAll(t, s)
	if err != nil || len(got) != 1 {
		t.Fatalf("err %v, %d ads", err, len(got))
	}
	hashes := got["/images/ad"].imageHashes
	if len(hashes) != 3 || st.Images != 3 {
		t.Fatalf("hashes %q (%d images), want a.png, a.jpg and b.gif", hashes, st.Images)
	}
	// huge.png is over the cap, bomb.png declares 10^10 pixels, not.png is
	// text: each an error of kind image, and the crawl goes on.
	if st.ErrorKinds["image"] != 3 {
		t.Errorf("errors %v, want 3 of kind image", st.ErrorKinds)
	}
	if d := HashDistance(hashes[0], hashes[1]); d < 0 || d > 6 {
		t.Errorf("the same picture as PNG and JPEG: distance %d", d)
	}
	if d := HashDistance(hashes[0], hashes[2]); d < 20 {
		t.Errorf("two different pictures: distance %d", d)
	}
	if n := h.Hits("/img/a.jpg"); n != 1 {
		t.Errorf("a.jpg (reached through a relative URL with ..) fetched %d times", n)
	}
	s.MaxImages = new(int)
	got, st, _ = crawlAll(t, s)
	if len(got["/images/ad"].imageHashes) != 0 || st.Images != 0 {
		t.Errorf("max_images 0 still fetched images")
	}
}

// TestCrawlerKeepsRunningAmongHostileSites runs one Crawler over the
// simulator's sites and every hostile listing at once: the hostile sites
// cost errors, not the crawler, and the good sites' ads all arrive.
func TestCrawlerKeepsRunningAmongHostileSites(t *testing.T) {
	sim, sites, _ := simSites(t, simulator.Options{Seed: 6, RosaAds: 30, NattelysAds: 30})
	_, base := hostile(t, simulator.HostileOptions{Drip: 20 * time.Millisecond})
	list := []*Site{sites["sim-rosa"], sites["sim-nattelys"]}
	for i, seed := range []string{"/malformed/list", "/huge/list", "/bomb/list", "/redirect/list", "/trap/list",
		"/slow/list", "/storm/list", "/ratelimit/forever", "/charset/list", "/images/list"} {
		s := hostileSite(t, base, seed, "timeout: 1s\nmax_pages: 20\nmax_failures_in_a_row: 3", "")
		s.Name = "hostile-" + strconv.Itoa(i)
		list = append(list, s)
	}
	_, kv := stateBus(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub := &recorder{}
	log := newCrawlLog()
	c := New(list, pub, kv, discard)
	c.crawlHook = log.hook("one")
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	if !waitUntil(2*time.Minute, func() bool { return log.total() >= len(list) }) {
		t.Fatalf("%d of %d sites crawled", log.total(), len(list))
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("Run did not return after its context ended")
	}
	want := len(sim.Ads("sim-rosa")) + len(sim.Ads("sim-nattelys"))
	got := 0
	pub.mu.Lock()
	for id := range pub.msgs {
		if strings.HasPrefix(id, "sim-") {
			got++
		}
	}
	pub.mu.Unlock()
	if got != want {
		t.Errorf("published %d of the good sites' %d ads", got, want)
	}
	if st := c.Stats(); st.Errors == 0 {
		t.Errorf("hostile sites cost no errors: %+v", st)
	}
}

// TestPoliteness: parallelism bounds requests in flight to one host, and
// the delay spaces them (a lower bound, which load cannot break).
func TestPoliteness(t *testing.T) {
	var mu sync.Mutex
	inFlight, most, requests := 0, 0, 0
	sim := simulator.New(simulator.Options{Seed: 1, RosaAds: 12})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		requests++
		most = max(most, inFlight)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		sim.Rosa().ServeHTTP(w, r)
		mu.Lock()
		inFlight--
		mu.Unlock()
	}))
	defer srv.Close()
	for _, tt := range []struct {
		parallelism int
		delay       time.Duration
	}{{1, 30 * time.Millisecond}, {3, 0}} {
		s, err := ParseSite("p.yaml", []byte(fmt.Sprintf(`name: p
base_url: %s
contact: a@b.example
allow_private_addresses: true
delay: %s
jitter: 0s
parallelism: %d
html:
  seeds: ["/annoncer"]
  next_page: "a.next[rel=next]"
  ad_links: "ul.ads a.ad-link"
  fields: {title: {selector: "h1.title"}}
`, srv.URL, tt.delay, tt.parallelism)))
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		most, requests = 0, 0
		mu.Unlock()
		start := time.Now()
		n := 0
		if _, err := CrawlOnce(context.Background(), s, discard, func(ad.Raw) error { n++; return nil }); err != nil || n != 12 {
			t.Fatalf("err %v, %d ads", err, n)
		}
		took := time.Since(start)
		mu.Lock()
		if most > tt.parallelism {
			t.Errorf("parallelism %d: %d requests in flight at once", tt.parallelism, most)
		}
		if min := time.Duration(requests-1) * tt.delay; took < min {
			t.Errorf("%d requests with a delay of %s took %s", requests, tt.delay, took)
		}
		mu.Unlock()
	}
}

// TestNumberedPagesEndAt404: sim-rosa read through page_url instead of its
// next link; the page past the end answers 404, which ends the listing
// without an error, and the crawl is complete.
func TestNumberedPagesEndAt404(t *testing.T) {
	sim, sites, _ := simSites(t, simulator.Options{Seed: 9, RosaAds: 34})
	s := *sites["sim-rosa"]
	h := *s.HTML
	h.Seeds, h.NextPage, h.nextPage, h.PageURL = nil, "", nil, "/annoncer?page={page}"
	s.HTML = &h
	n := 0
	st, err := CrawlOnce(context.Background(), &s, discard, func(ad.Raw) error { n++; return nil })
	if err != nil || n != 34 || st.Errors != 0 || !st.Complete || st.ListingPages != 5 {
		t.Fatalf("err %v, %d ads, errors %v, complete %v, %d listing pages; want 34 ads from 4 pages and a 404", err, n, st.ErrorKinds, st.Complete, st.ListingPages)
	}
	if sim.SiteHits("sim-rosa", "/annoncer") != 5 {
		t.Errorf("%d listing requests", sim.SiteHits("sim-rosa", "/annoncer"))
	}
}

// TestJSONAPIImages: image URLs reached through an array of objects in an
// API item are fetched and hashed.
func TestJSONAPIImages(t *testing.T) {
	hs := simulator.NewHostile(simulator.HostileOptions{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api" {
			hs.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("page") != "1" {
			w.Write([]byte(`{"ads":[]}`))
			return
		}
		w.Write([]byte(`{"ads":[{"url":"/ads/1","title":"One","photos":[{"url":"/img/a.png"},{"url":"/img/b.gif"},{"url":"/img/not.png"}]}]}`))
	}))
	defer srv.Close()
	s, err := ParseSite("api.yaml", []byte(`name: api
base_url: `+srv.URL+`
contact: a@b.example
allow_private_addresses: true
delay: 0s
json_api:
  url: "/api?page={page}"
  items: ads
  fields: {url: url, title: title, images: photos.url}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []*foundAd
	st, err := crawlSite(context.Background(), s, discard, hooks{found: func(f *foundAd) error { got = append(got, f); return nil }})
	if err != nil || len(got) != 1 {
		t.Fatalf("err %v, %d ads", err, len(got))
	}
	if len(got[0].imageHashes) != 2 || st.ErrorKinds["image"] != 1 || !st.Complete {
		t.Fatalf("hashes %q, errors %v, complete %v", got[0].imageHashes, st.ErrorKinds, st.Complete)
	}
}
