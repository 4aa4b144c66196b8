package simulator

import (
	"compress/gzip"
	"context"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func hostileServer(t *testing.T, opts HostileOptions) (*Hostile, string) {
	t.Helper()
	h := NewHostile(opts)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestHostileServesWhatItSays(t *testing.T) {
	h, base := hostileServer(t, HostileOptions{HugeBytes: 1 << 20, BombBytes: 64 << 20})
	if r := get(t, base+"/robots.txt"); !strings.Contains(string(r.body), "Disallow: /admin/") {
		t.Errorf("robots.txt = %q", r.body)
	}
	if r := get(t, base+"/huge/ad"); len(r.body) < 1<<20 {
		t.Errorf("/huge/ad is %d bytes, want over 1 MiB", len(r.body))
	}
	if r := get(t, base+"/ok/7"); !strings.Contains(string(r.body), OkTitle(7)) {
		t.Errorf("/ok/7 = %s", r.body)
	}

	// The bomb arrives gzipped even to a client that did not ask, and
	// inflates to BombBytes.
	req, _ := http.NewRequest("GET", base+"/bomb/ad", nil)
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	compressed, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("bomb: %v, Content-Encoding %q", err, resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(string(compressed)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, zr)
	if err != nil || n != 64<<20 || len(compressed) > 1<<20 {
		t.Fatalf("bomb inflates %d bytes into %d (%v), want 64 MiB from under 1 MiB", len(compressed), n, err)
	}

	for path, want := range map[string]string{
		"/redirect/loop-a":   "/redirect/loop-b",
		"/redirect/loop-b":   "/redirect/loop-a",
		"/redirect/chain/3":  "/redirect/chain/4",
		"/redirect/ok":       "/ok/3",
		"/redirect/away":     "http://localhost:",
		"/ratelimit/forever": "",
	} {
		resp, err := noRedirect.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); want != "" && !strings.HasPrefix(loc, want) {
			t.Errorf("%s redirects to %q, want %q", path, loc, want)
		}
		if want == "" && (resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "3600") {
			t.Errorf("%s: %d, Retry-After %q", path, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}

	if r := get(t, base+"/trap/list?page=1234"); !strings.Contains(string(r.body), "/trap/list?page=1235") || !strings.Contains(string(r.body), "/trap/ad/1234") {
		t.Errorf("trap page 1234 = %s", r.body)
	}
	if a, b := get(t, base+"/clamp/list?page=3"), get(t, base+"/clamp/list?page=99"); string(a.body) != string(b.body) {
		t.Errorf("clamp: page 99 differs from page 3")
	}
	if r := get(t, base+"/ratelimit/ad/1"); r.status != http.StatusTooManyRequests {
		t.Errorf("first /ratelimit/ad/1: %d, want 429", r.status)
	}
	if r := get(t, base+"/ratelimit/ad/1"); r.status != http.StatusOK {
		t.Errorf("second /ratelimit/ad/1: %d, want 200", r.status)
	}
	if r := get(t, base+"/storm/ad/3"); r.status != http.StatusInternalServerError {
		t.Errorf("storm: %d", r.status)
	}
	if r := get(t, base+"/charset/latin1-header"); !strings.Contains(string(r.body), string(Latin1Title)) || !strings.Contains(r.ctype, "ISO-8859-1") {
		t.Errorf("latin1 page: %q %q", r.ctype, r.body)
	}
	if r := get(t, base+"/charset/invalid"); !strings.Contains(string(r.body), "\xff\xfe") {
		t.Errorf("invalid UTF-8 page lacks its invalid bytes")
	}

	cfg, err := png.DecodeConfig(strings.NewReader(string(get(t, base+"/img/bomb.png").body)))
	if err != nil || cfg.Width != 100000 || cfg.Height != 100000 {
		t.Errorf("bomb.png header: %+v, %v", cfg, err)
	}
	if _, err := png.Decode(strings.NewReader(string(get(t, base+"/img/a.png").body))); err != nil {
		t.Errorf("a.png: %v", err)
	}
	if h.Hits("/ok/7") != 1 || h.HitsPrefix("/redirect/") != 5 {
		t.Errorf("hits: /ok/7 %d, /redirect/ %d", h.Hits("/ok/7"), h.HitsPrefix("/redirect/"))
	}
}

func TestHostileDisallowAllAndStalls(t *testing.T) {
	_, base := hostileServer(t, HostileOptions{DisallowAll: true, Drip: 10 * time.Millisecond})
	if r := get(t, base+"/robots.txt"); string(r.body) != "User-agent: *\nDisallow: /\n" {
		t.Errorf("robots.txt = %q", r.body)
	}
	// Both slow pages hold the client until it gives up.
	for _, path := range []string{"/slow/ad", "/stall/ad"} {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		cancel()
		if err == nil {
			t.Errorf("%s finished", path)
		}
	}
}
