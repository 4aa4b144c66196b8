package crawler

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/adwatch/adwatch/ad"
)

func testFetcher(ctx context.Context) *fetcher {
	return &fetcher{ctx: ctx, base: newTransport(true), maxBody: 1 << 16, maxImage: 1 << 16, timeout: 10 * time.Second, parallelism: 1, maxWait: time.Minute}
}

func compress(t *testing.T, enc string, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip":
		w = gzip.NewWriter(&b)
	case "zlib":
		w = zlib.NewWriter(&b)
	case "raw":
		w, _ = flate.NewWriter(&b, flate.BestCompression)
	}
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// TestFetcherDecodesWhatItDidNotAskFor: a server that compresses though the
// request asked for identity is decoded by the fetcher, within the cap.
func TestFetcherDecodesWhatItDidNotAskFor(t *testing.T) {
	page := []byte("<html><body><h1>hello</h1></body></html>")
	bomb := make([]byte, 10<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(compress(t, "gzip", page))
		case "/zlib":
			w.Header().Set("Content-Encoding", "deflate")
			w.Write(compress(t, "zlib", page))
		case "/raw":
			w.Header().Set("Content-Encoding", "deflate")
			w.Write(compress(t, "raw", page))
		case "/bomb":
			w.Header().Set("Content-Encoding", "deflate")
			w.Write(compress(t, "zlib", bomb))
		case "/br":
			w.Header().Set("Content-Encoding", "br")
			w.Write([]byte{1, 2, 3})
		case "/long":
			w.Header().Set("Content-Length", "100000000")
			w.Write([]byte("<html>"))
		}
	}))
	defer srv.Close()
	f := testFetcher(context.Background())
	get := func(path string) ([]byte, error) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "identity") // the transport will not decode
		resp, err := f.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.Header.Get("Content-Encoding") != "" || !resp.Uncompressed {
			t.Errorf("%s: still marked compressed", path)
		}
		return io.ReadAll(resp.Body)
	}
	for _, p := range []string{"/gzip", "/zlib", "/raw"} {
		if b, err := get(p); err != nil || !bytes.Equal(b, page) {
			t.Errorf("%s: %q, %v", p, b, err)
		}
	}
	var tooLarge *BodyTooLargeError
	if _, err := get("/bomb"); !errors.As(err, &tooLarge) {
		t.Errorf("deflate bomb: %v, want BodyTooLargeError", err)
	}
	if _, err := get("/long"); !errors.As(err, &tooLarge) {
		t.Errorf("Content-Length over the cap: %v, want BodyTooLargeError", err)
	}
	if _, err := get("/br"); !errors.Is(err, errUnsupportedEncoding) || errorKind(0, err) != "encoding" {
		t.Errorf("br: %v", err)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"120":                           2 * time.Minute,
		"0":                             0,
		"Fri, 20 Nov 2026 12:05:00 GMT": 5 * time.Minute,
		"Fri, 20 Nov 2026 11:00:00 GMT": 0,
	} {
		got, ok := retryAfter(http.Header{"Retry-After": {v}}, now)
		if !ok || got != want {
			t.Errorf("Retry-After %q = %s, %v; want %s", v, got, ok, want)
		}
	}
	for _, v := range []string{"", "-5", "soon"} {
		if _, ok := retryAfter(http.Header{"Retry-After": {v}}, now); ok {
			t.Errorf("Retry-After %q accepted", v)
		}
	}
	if backoff(0, 0) != time.Second || backoff(3, 0) != 8*time.Second || backoff(30, 0) != time.Minute || backoff(0, 5*time.Second) != 5*time.Second {
		t.Error("backoff")
	}
}

// TestEncodingOverrideAndBase: a site config's encoding wins over a page
// that lies about its own, and <base href> decides where links resolve.
func TestEncodingOverrideAndBase(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8") // a lie
		switch r.URL.Path {
		case "/dir/list":
			w.Write([]byte(`<html><head><base href="/ads/"></head><body><ul class="ads"><li><a class="ad-link" href="1">x</a></li></ul></body></html>`))
		case "/ads/1":
			w.Write([]byte("<html><body><h1 class=\"title\">K\xf8benhavn \x80</h1></body></html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	s, err := ParseSite("enc.yaml", []byte(`name: enc
base_url: `+srv.URL+`
contact: a@b.example
allow_private_addresses: true
delay: 0s
encoding: windows-1252
html:
  seeds: ["/dir/list"]
  ad_links: "ul.ads a.ad-link"
  fields: {title: {selector: "h1.title"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []ad.Raw
	if _, err := CrawlOnce(context.Background(), s, discard, func(r ad.Raw) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Title != "København €" || !strings.HasSuffix(got[0].URL, "/ads/1") {
		t.Fatalf("got %+v", got)
	}
}

// TestFailingRobotsTxtAllowsNothing: a robots.txt that answers 5xx, or
// stays 429 after the retries, is no permission to crawl.
func TestFailingRobotsTxtAllowsNothing(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusTooManyRequests} {
		var pages atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/robots.txt" {
				w.Header().Set("Retry-After", "0")
				http.Error(w, "no", status)
				return
			}
			pages.Add(1)
		}))
		st, err := CrawlOnce(context.Background(), siteAt(t, srv.URL, true), discard, func(ad.Raw) error { return nil })
		srv.Close()
		if err != nil || pages.Load() != 0 || st.ErrorKinds["robots"] != 1 {
			t.Fatalf("robots.txt %d: err %v, %d pages fetched, errors %v", status, err, pages.Load(), st.ErrorKinds)
		}
	}
}
