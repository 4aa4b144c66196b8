package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/search"
)

// newTestServer serves testAds on httptest and returns the store behind it.
func newTestServer(t *testing.T, opts Options) (*httptest.Server, *memStore) {
	t.Helper()
	store := &memStore{ads: testAds()}
	s, err := New(store, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, store
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return resp, string(b)
}

func TestAPISearch(t *testing.T) {
	ts, _ := newTestServer(t, Options{})
	tests := []struct {
		query   string
		wantIDs []string // in order
		total   int      // when the page holds fewer than all
	}{
		// Escalated first whatever its score, then by the higher score.
		{query: "", wantIDs: []string{"sim-rosa-0005", "sim-rosa-0001", "sim-evil-0006", "sim-nattelys-0002", "sim-rosa-0003", "sim-jobnu-0004"}},
		{query: "level=high", wantIDs: []string{"sim-rosa-0001"}},
		{query: "level=high,medium", wantIDs: []string{"sim-rosa-0001", "sim-evil-0006", "sim-nattelys-0002"}},
		{query: "level=low&level=none", wantIDs: []string{"sim-rosa-0005", "sim-rosa-0003", "sim-jobnu-0004"}},
		{query: "indicator=obscured_contact&indicator=third_person_language", wantIDs: []string{"sim-rosa-0001"}},
		{query: "city=odense", wantIDs: []string{"sim-rosa-0001", "sim-rosa-0003"}},
		{query: "site=sim-rosa&min_score=15", wantIDs: []string{"sim-rosa-0001", "sim-rosa-0003"}},
		{query: "q=ægte+billeder", wantIDs: []string{"sim-rosa-0001"}},
		{query: "min_score=100", wantIDs: []string{}},
		{query: "sort=newest", wantIDs: []string{"sim-jobnu-0004", "sim-nattelys-0002", "sim-rosa-0003", "sim-rosa-0001", "sim-rosa-0005", "sim-evil-0006"}},
		{query: "sort=organised&size=1", wantIDs: []string{"sim-rosa-0001"}, total: 6},
		{query: "size=2&page=2", wantIDs: []string{"sim-evil-0006", "sim-nattelys-0002"}, total: 6},
		{query: "size=2&page=9", wantIDs: []string{}, total: 6},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := get(t, ts.URL+"/api/v1/ads?"+tt.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, body %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			var res search.Result
			if err := json.Unmarshal([]byte(body), &res); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, h := range res.Hits {
				ids = append(ids, h.ID)
			}
			if !slices.Equal(ids, tt.wantIDs) && (len(ids) != 0 || len(tt.wantIDs) != 0) {
				t.Errorf("hits %q, want %q", ids, tt.wantIDs)
			}
			want := tt.total
			if want == 0 {
				want = len(tt.wantIDs)
			}
			if res.Total != want {
				t.Errorf("total %d, want %d", res.Total, want)
			}
		})
	}
}

// TestAPISearchShape checks the JSON is exactly search.Result's: total, hits
// (an array even when empty) and facets (an object), and that hits are full
// ad.Scored documents.
func TestAPISearchShape(t *testing.T) {
	ts, _ := newTestServer(t, Options{})
	for _, query := range []string{"level=high", "min_score=100"} {
		t.Run(query, func(t *testing.T) {
			_, body := get(t, ts.URL+"/api/v1/ads?"+query)
			var top map[string]json.RawMessage
			if err := json.Unmarshal([]byte(body), &top); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range top {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, []string{"facets", "hits", "total"}) {
				t.Fatalf("keys %q, want facets, hits, total", keys)
			}
			if h := string(top["hits"]); !strings.HasPrefix(h, "[") {
				t.Errorf("hits is %s, want an array", h)
			}
			if f := string(top["facets"]); !strings.HasPrefix(f, "{") {
				t.Errorf("facets is %s, want an object", f)
			}
		})
	}

	_, body := get(t, ts.URL+"/api/v1/ads?level=high")
	var res struct {
		Hits   []map[string]any               `json:"hits"`
		Facets map[string][]search.FacetCount `json:"facets"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "site", "url", "title", "text", "ad_risk", "organised_activity", "level", "flags", "contacts", "indicators"} {
		if _, ok := res.Hits[0][k]; !ok {
			t.Errorf("hit has no %q: %v", k, res.Hits[0])
		}
	}
	if got := res.Facets["level"]; !slices.Equal(got, []search.FacetCount{{Value: "high", Count: 1}}) {
		t.Errorf("level facet %v", got)
	}
}

func TestAPISearchPassesQuery(t *testing.T) {
	ts, store := newTestServer(t, Options{})
	get(t, ts.URL+"/api/v1/ads?q=+ny+i+byen+&min_score=30&level=high,medium&indicator=a&indicator=b&city=Odense&site=sim-rosa&sort=newest&page=2&size=50")
	want := search.Query{Text: "ny i byen", MinScore: 30, Levels: []string{"high", "medium"}, Indicators: []string{"a", "b"}, City: "Odense", Site: "sim-rosa", Sort: search.SortNewest, Page: 2, Size: 50}
	got := store.lastQuery()
	if got.Text != want.Text || got.MinScore != want.MinScore || !slices.Equal(got.Levels, want.Levels) ||
		!slices.Equal(got.Indicators, want.Indicators) || got.City != want.City || got.Site != want.Site ||
		got.Sort != want.Sort || got.Page != want.Page || got.Size != want.Size {
		t.Errorf("store got %+v, want %+v", got, want)
	}
}

func TestAPIErrors(t *testing.T) {
	ts, store := newTestServer(t, Options{})
	tests := []struct {
		name, path string
		status     int
		want       string // in the error message
	}{
		{"min_score too high", "/api/v1/ads?min_score=101", 400, `parameter "min_score": "101" is not a whole number from 0 to 100`},
		{"min_score not a number", "/api/v1/ads?min_score=high", 400, `parameter "min_score"`},
		{"size", "/api/v1/ads?size=abc", 400, `parameter "size"`},
		{"size too big", "/api/v1/ads?size=1000", 400, `parameter "size"`},
		{"page", "/api/v1/ads?page=0", 400, `parameter "page"`},
		{"level", "/api/v1/ads?level=severe", 400, `parameter "level": "severe" is not one of none, low, medium, high`},
		{"sort", "/api/v1/ads?sort=random", 400, `parameter "sort": "random"`},
		{"two at once", "/api/v1/ads?sort=random&page=-1", 400, `parameter "page"`},
		{"unknown parameter", "/api/v1/ads?minscore=50", 400, `parameter "minscore" is not known`},
		{"malformed query", "/api/v1/ads?q=%zz", 400, "malformed query string"},
		{"ad not found", "/api/v1/ads/nope", 404, `ad "nope" not found`},
		{"no such endpoint", "/api/v1/nothing", 404, `no API endpoint "/api/v1/nothing"`},
		{"empty id", "/api/v1/ads/", 404, "no API endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, ts.URL+tt.path)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			var e struct{ Error string }
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("body %q is not JSON: %v", body, err)
			}
			if !strings.Contains(e.Error, tt.want) {
				t.Errorf("error %q does not contain %q", e.Error, tt.want)
			}
		})
	}

	t.Run("store down", func(t *testing.T) {
		store.setErr(errStoreDown)
		defer store.setErr(nil)
		for _, p := range []string{"/api/v1/ads", "/api/v1/ads/sim-rosa-0001"} {
			resp, body := get(t, ts.URL+p)
			if resp.StatusCode != http.StatusInternalServerError {
				t.Errorf("%s: status %d, want 500", p, resp.StatusCode)
			}
			if strings.Contains(body, "secret-internal-detail") {
				t.Errorf("%s: store error leaked to the client: %s", p, body)
			}
		}
	})

	t.Run("method not allowed", func(t *testing.T) {
		resp, err := http.Post(ts.URL+"/api/v1/ads", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("status %d, want 405", resp.StatusCode)
		}
	})
}

func TestAPIAd(t *testing.T) {
	ts, _ := newTestServer(t, Options{})
	want := testAds()[0]
	resp, body := get(t, ts.URL+"/api/v1/ads/"+want.ID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got ad.Scored
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(want)
	gotJSON, _ := json.Marshal(got)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("got\n%s\nwant\n%s", gotJSON, wantJSON)
	}
	// The hostile ad's markup is escaped in JSON too, so that no browser
	// sniffing the answer could find a tag in it.
	_, body = get(t, ts.URL+"/api/v1/ads/sim-evil-0006")
	if strings.Contains(body, "<script>") {
		t.Errorf("JSON answer carries a raw <script>: %s", body)
	}
}

func TestAPIStatus(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		ts, _ := newTestServer(t, Options{})
		_, body := get(t, ts.URL+"/api/v1/status")
		if strings.TrimSpace(body) != "{}" {
			t.Errorf("body %q, want {}", body)
		}
	})
	t.Run("reported", func(t *testing.T) {
		ts, _ := newTestServer(t, Options{Status: func() any {
			return map[string]any{"crawled": 120, "scored": 118, "last_crawl": "sim-rosa"}
		}})
		_, body := get(t, ts.URL+"/api/v1/status")
		var got map[string]any
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if got["crawled"] != 120.0 || got["last_crawl"] != "sim-rosa" {
			t.Errorf("status %v", got)
		}
		_, page := get(t, ts.URL+"/")
		for _, want := range []string{"Pipeline", "crawled", "120", "last_crawl", "sim-rosa"} {
			if !strings.Contains(page, want) {
				t.Errorf("search page does not show status %q", want)
			}
		}
	})
}

func TestHealthz(t *testing.T) {
	ts, _ := newTestServer(t, Options{})
	resp, body := get(t, ts.URL+"/healthz")
	if resp.StatusCode != http.StatusOK || body != "ok" {
		t.Errorf("status %d body %q", resp.StatusCode, body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts, _ := newTestServer(t, Options{})
	for _, p := range []string{"/", "/?min_score=x", "/ads/sim-rosa-0001", "/ads/nope", "/api/v1/ads", "/api/v1/ads/nope", "/api/v1/status", "/healthz", "/static/style.css", "/nothing"} {
		t.Run(p, func(t *testing.T) {
			resp, _ := get(t, ts.URL+p)
			for h, want := range map[string]string{
				"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'",
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "no-referrer",
			} {
				if got := resp.Header.Get(h); got != want {
					t.Errorf("%s: %q, want %q", h, got, want)
				}
			}
		})
	}
}

func TestStatic(t *testing.T) {
	ts, _ := newTestServer(t, Options{})
	tests := []struct {
		path, contentType string
		status            int
	}{
		{"/static/style.css", "text/css; charset=utf-8", 200},
		{"/static/favicon.svg", "image/svg+xml", 200},
		{"/static/", "", 404},
		{"/static/nope.css", "", 404},
		{"/static/../web.go", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, _ := get(t, ts.URL+tt.path)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.contentType != "" && resp.Header.Get("Content-Type") != tt.contentType {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tt.contentType)
			}
		})
	}
}

// noInline finds what the Content-Security-Policy would block anyway, so
// that the pages never rely on it: scripts, style elements and attributes,
// and event handler attributes.
var noInline = regexp.MustCompile(`(?i)<script|<style|<[a-z][^>]*\s(style|on[a-z]+)=`)

func TestSearchPage(t *testing.T) {
	ts, _ := newTestServer(t, Options{})
	resp, page := get(t, ts.URL+"/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if m := noInline.FindString(page); m != "" {
		t.Errorf("page has inline %q", m)
	}
	// Highest risk first, escalated before all.
	order := []string{"Possible minor: review first", "Ny pige i Odense", "Sweet Anna", "Massage", "Chauffør C/E"}
	last := -1
	for _, s := range order {
		i := strings.Index(page, s)
		if i < 0 {
			t.Fatalf("page does not show %q", s)
		}
		if i < last {
			t.Errorf("%q is out of order", s)
		}
		last = i
	}
	for _, want := range []string{
		`<form class="search-form" method="get" action="/"`,
		`name="q"`, `name="level"`, `name="indicator"`, `name="city"`, `name="site"`, `name="min_score"`, `name="sort"`,
		`href="/ads/sim-rosa-0001"`,
		`class="badge level-high"`,
		`<code class="indicator">obscured_contact</code>`,
		`+1.00`,
		`<mark class="crawled">to ni syv fem 03 41</mark>`,
		`Health outreach`,
		`78<span class="visually-hidden"> of 100</span>`, // ad_risk
		`40<span class="visually-hidden"> of 100</span>`, // organised_activity
		`signals for a human`,
		`<span class="badge gone" title="the ad disappeared from its site">Gone since 2026-09-03 12:00 UTC</span>`,
		// Facet links add the value to the search.
		`href="/?level=high"`,
		`href="/?city=Odense"`,
		`href="/?indicator=obscured_contact"`,
		`href="/?site=sim-rosa"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("search page does not contain %s", want)
		}
	}
}

func TestSearchPageFacetsAndPaging(t *testing.T) {
	ts, _ := newTestServer(t, Options{})
	_, page := get(t, ts.URL+"/?level=low&level=high&size=1&page=2")
	for _, want := range []string{
		// An active level facet removes itself; another adds to the list.
		`href="/?level=low&amp;size=1" class="active" aria-current="true"`,
		`href="/?indicator=availability_control&amp;level=low&amp;level=high&amp;size=1"`,
		// Paging keeps the query.
		`href="/?level=low&amp;level=high&amp;size=1" rel="prev"`,
		`href="/?level=low&amp;level=high&amp;page=3&amp;size=1" rel="next"`,
		`aria-current="page">2</a>`,
		// Active filters can be removed.
		`aria-label="Remove filter Level High"`,
		`<input type="hidden" name="size" value="1">`,
		`Showing 2–2`,
		`3 ads`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page does not contain %s", want)
		}
	}

	_, page = get(t, ts.URL+"/?size=1&page=6")
	if !strings.Contains(page, `<li class="gap" aria-hidden="true">…</li>`) {
		t.Errorf("long pagination has no gap")
	}
	_, page = get(t, ts.URL+"/?size=1&page=50")
	if !strings.Contains(page, "There are no ads on this page") {
		t.Errorf("a page past the end does not say so")
	}
}

func TestSearchPageErrors(t *testing.T) {
	ts, store := newTestServer(t, Options{})
	resp, page := get(t, ts.URL+"/?min_score=500&q=kept")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
	for _, want := range []string{`role="alert"`, `parameter &#34;min_score&#34;`, `value="kept"`, `value="500"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page does not contain %s", want)
		}
	}

	store.setErr(errStoreDown)
	defer store.setErr(nil)
	resp, page = get(t, ts.URL+"/")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
	if strings.Contains(page, "secret-internal-detail") || !strings.Contains(page, "Search is unavailable") {
		t.Errorf("store failure page is wrong:\n%s", page)
	}
}

func TestAdPage(t *testing.T) {
	ts, _ := newTestServer(t, Options{})
	resp, page := get(t, ts.URL+"/ads/sim-rosa-0001")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if m := noInline.FindString(page); m != "" {
		t.Errorf("page has inline %q", m)
	}
	for _, want := range []string{
		`<title>Ny pige i Odense – eksotisk · adwatch</title>`,
		`Ny pige i Odense – <mark title="ethnicity_nationality_marketing">eksotisk</mark>`,
		`Ring <mark title="obscured_contact">to ni syv fem 03 41</mark>`,
		`<mark title="trust_assurance_language">100% ægte billeder</mark>`,
		`<th scope="row"><code>obscured_contact</code></th>`,
		`<td data-label="Family">contact_pattern</td>`,
		`no text evidence (a structural signal)`,
		"&#43;4529750341", // testPhone as html/template escapes it
		`<a href="https://sim-rosa.example/ad/1" rel="noopener noreferrer nofollow">`,
		`rules-2026-09`,
		`never a verdict`,
		`<dt>Age</dt><dd class="crawled">21</dd>`,
		`rumænsk`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("ad page does not contain %s", want)
		}
	}
	// Biggest contribution first in the table.
	if strings.Index(page, "<code>many_personas_per_contact</code>") > strings.Index(page, "<code>third_person_language</code>") {
		t.Errorf("indicators are not ordered by contribution")
	}

	resp, page = get(t, ts.URL+"/ads/nope%3Cb%3E")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(page, "No ad has the id &#34;nope&lt;b&gt;&#34;") {
		t.Errorf("unknown ad: status %d\n%s", resp.StatusCode, page)
	}
	resp, _ = get(t, ts.URL+"/no/such/page")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown page: status %d", resp.StatusCode)
	}
}

// TestHostileAd checks that markup in every crawled field comes out as text,
// on both pages; the browser test checks the same in a real browser.
func TestHostileAd(t *testing.T) {
	ts, _ := newTestServer(t, Options{})
	for _, p := range []string{"/", "/?indicator=obscured_contact", "/ads/sim-evil-0006"} {
		t.Run(p, func(t *testing.T) {
			_, page := get(t, ts.URL+p)
			if m := noInline.FindString(page); m != "" {
				t.Errorf("page has inline %q", m)
			}
			for _, bad := range []string{"<img", "<b>", "<i>", "<u>", `href="javascript`} {
				if strings.Contains(page, bad) {
					t.Errorf("page contains raw %q", bad)
				}
			}
			if !strings.Contains(page, "&lt;script&gt;window.__pwned=1&lt;/script&gt;") {
				t.Errorf("hostile script is not shown as escaped text")
			}
		})
	}
	_, page := get(t, ts.URL+"/ads/sim-evil-0006")
	// The javascript: URL is shown, not linked.
	if !strings.Contains(page, `<span class="crawled">javascript:window.__pwned=1</span>`) {
		t.Errorf("javascript: URL not shown as text")
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	ts, _ := newTestServer(t, Options{Registerer: reg})
	get(t, ts.URL+"/api/v1/ads")
	get(t, ts.URL+"/api/v1/ads?level=high")
	get(t, ts.URL+"/api/v1/ads/nope")
	get(t, ts.URL+"/ads/sim-rosa-0001")

	counts := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sawHistogram bool
	for _, mf := range mfs {
		switch mf.GetName() {
		case "adwatch_web_requests_total":
			for _, m := range mf.GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				counts[labels["route"]+" "+labels["code"]] = m.GetCounter().GetValue()
			}
		case "adwatch_web_request_duration_seconds":
			sawHistogram = true
		}
	}
	want := map[string]float64{
		"GET /api/v1/ads 200":      2,
		"GET /api/v1/ads/{id} 404": 1,
		"GET /ads/{id} 200":        1,
	}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("requests_total{%s} = %v, want %v (all: %v)", k, counts[k], v, counts)
		}
	}
	if !sawHistogram {
		t.Error("no request duration histogram")
	}

	// A second server on the same registerer must fail, not panic.
	if _, err := New(&memStore{}, Options{Registerer: reg}); err == nil {
		t.Error("second New on one registerer: no error")
	}
}

// TestLogging checks the access log is at debug level and carries neither the
// query string nor anything from an ad.
func TestLogging(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		t.Run(level.String(), func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level}))
			ts, _ := newTestServer(t, Options{Logger: logger})
			get(t, ts.URL+"/?q="+testPhone)
			get(t, ts.URL+"/api/v1/ads?q=ægte+billeder")
			get(t, ts.URL+"/ads/sim-rosa-0001")
			out := buf.String()
			for _, secret := range []string{testPhone, "4529750341", "ægte", "billeder", "Vores piger"} {
				if strings.Contains(out, secret) {
					t.Errorf("log carries %q:\n%s", secret, out)
				}
			}
			if level == slog.LevelInfo && out != "" {
				t.Errorf("info level logs requests:\n%s", out)
			}
			if level == slog.LevelDebug {
				for _, want := range []string{"method=GET", "path=/ads/sim-rosa-0001", "status=200", "duration=", `route="GET /ads/{id}"`} {
					if !strings.Contains(out, want) {
						t.Errorf("access log lacks %s:\n%s", want, out)
					}
				}
			}
		})
	}
}

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr    string
		wantErr string // empty: accepted
	}{
		{"127.0.0.1:8080", ""},
		{"127.0.0.2:80", ""},
		{"localhost:0", ""},
		{"LOCALHOST:9000", ""},
		{"[::1]:80", ""},
		{"[::ffff:127.0.0.1]:80", ""},
		{":8080", `listen address ":8080" has no host, which means all interfaces: it is not a loopback address; until roles and login land adwatch serves on 127.0.0.1 or [::1] only`},
		{"0.0.0.0:8080", `listen address "0.0.0.0:8080" is not a loopback address; until roles and login land adwatch serves on 127.0.0.1 or [::1] only`},
		{"[::]:8080", "is not a loopback address"},
		{"192.168.1.2:80", `"192.168.1.2:80" is not a loopback address`},
		{"example.com:80", `"example.com" is not an IP address or localhost`},
		{"localhost.example.com:80", "is not a loopback address"},
		{"127.0.0.1", "is not a host:port"},
		{"garbage", "is not a host:port"},
		{"", "is not a host:port"},
		{"127.0.0.1:http", `port "http" is not a number`},
		{"127.0.0.1:70000", `port "70000" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := CheckLoopback(tt.addr)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("accepted, want error %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestNew(t *testing.T) {
	if _, err := New(nil, Options{}); err == nil {
		t.Error("nil store accepted")
	}
	_, err := New(&memStore{}, Options{Addr: "0.0.0.0:8080"})
	if err == nil || !strings.Contains(err.Error(), `"0.0.0.0:8080" is not a loopback address`) {
		t.Errorf("New with 0.0.0.0: %v", err)
	}
	s, err := New(&memStore{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.addr != DefaultAddr {
		t.Errorf("default addr %q, want %q", s.addr, DefaultAddr)
	}
}

func TestRun(t *testing.T) {
	// Find a free port; another process could take it before Run does, but
	// on a test machine that race is rare and only fails the test.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	s, err := New(&memStore{ads: testAds()}, Options{Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never became healthy: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v, want nil", err)
		}
	case <-time.After(ShutdownTimeout + time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("server still answers after Run returned")
	}
}

func TestRunCannotListen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s, err := New(&memStore{}, Options{Addr: ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	err = s.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "listen on") {
		t.Errorf("Run on a taken port: %v, want a listen error", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Error("Run blocked instead of failing at once")
	}
}

func TestMetricsEndpoint(t *testing.T) {
	reg := prometheus.NewRegistry()
	ts, _ := newTestServer(t, Options{Registerer: reg, Gatherer: reg})
	get(t, ts.URL+"/healthz")
	resp, body := get(t, ts.URL+"/metrics")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "adwatch_web_requests_total") {
		t.Fatalf("/metrics: %d\n%s", resp.StatusCode, body)
	}
	ts2, _ := newTestServer(t, Options{})
	if resp, _ := get(t, ts2.URL+"/metrics"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics without a gatherer: %d, want 404", resp.StatusCode)
	}
}

// TestAdPageLinksCrossAd: the evidence of a cross-ad indicator links to the
// other ads it names, and stays text otherwise.
func TestAdPageLinksCrossAd(t *testing.T) {
	ts, store := newTestServer(t, Options{})
	a := store.ads[0]
	a.ID = "sim-rosa-00000000000000aa"
	a.Indicators = []ad.Indicator{{ID: "many_personas_per_contact", Family: "persona_linking", Contribution: 20, Evidence: []ad.Evidence{{
		Field: ad.FieldCrossAd,
		Text:  "3 personas on one contact (#1a2b3c4d) within 2 days: ads sim-rosa-00000000000000aa, sim-nattelys-0123456789abcdef <b>x</b>",
	}}}}
	store.ads = append(store.ads, a)
	resp, page := get(t, ts.URL+"/ads/"+a.ID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{
		`<a href="/ads/sim-rosa-00000000000000aa">sim-rosa-00000000000000aa</a>`,
		`<a href="/ads/sim-nattelys-0123456789abcdef">sim-nattelys-0123456789abcdef</a>`,
		`3 personas on one contact (#1a2b3c4d) within 2 days: ads `,
		`&lt;b&gt;x&lt;/b&gt;`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("ad page does not contain %s", want)
		}
	}
	if strings.Contains(page, "<b>x</b>") {
		t.Error("evidence markup reached the page unescaped")
	}
}
