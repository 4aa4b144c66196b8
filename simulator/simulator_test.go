package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// serve mounts both sites of s on real test servers and returns their base
// URLs by site.
func serve(t *testing.T, s *Simulator) map[string]string {
	t.Helper()
	urls := map[string]string{}
	for _, site := range Sites() {
		srv := httptest.NewServer(s.Handler(site))
		t.Cleanup(srv.Close)
		urls[site] = srv.URL
	}
	return urls
}

type response struct {
	status int
	ctype  string
	body   []byte
}

func get(t *testing.T, url string) response {
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
	return response{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: b}
}

// fetchAll fetches every page a visitor can reach on both sites, keyed by
// site and path: robots.txt, front pages, every listing or API page (one
// past the end too) and every ad page.
func fetchAll(t *testing.T, s *Simulator, urls map[string]string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	add := func(site, path string) {
		r := get(t, urls[site]+path)
		out[site+path] = append([]byte(fmt.Sprintf("%d %s\n", r.status, r.ctype)), r.body...)
	}
	for _, site := range Sites() {
		add(site, "/robots.txt")
		add(site, "/")
		for _, a := range s.Ads(site) {
			add(site, a.URL)
		}
	}
	for p := 1; p <= len(s.Ads(SiteRosa))/rosaPerPage+2; p++ {
		add(SiteRosa, fmt.Sprintf("/annoncer?page=%d", p))
	}
	for p := 1; p <= len(s.Ads(SiteNattelys))/nattelysPerPage+2; p++ {
		add(SiteNattelys, fmt.Sprintf("/api/v1/ads?page=%d", p))
	}
	return out
}

func TestDeterminism(t *testing.T) {
	pages := func(opts Options) (map[string][]byte, []byte) {
		s := New(opts)
		truth, err := json.Marshal([]any{s.Ads(SiteRosa), s.Ads(SiteNattelys), s.Labels(SiteRosa), s.Labels(SiteNattelys)})
		if err != nil {
			t.Fatal(err)
		}
		return fetchAll(t, s, serve(t, s)), truth
	}
	a, truthA := pages(Options{Seed: 7})
	b, truthB := pages(Options{Seed: 7})
	if len(a) != len(b) {
		t.Fatalf("same seed: %d pages, then %d", len(a), len(b))
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			t.Errorf("same seed, %s differs:\n%s\n---\n%s", k, v, b[k])
		}
	}
	if !bytes.Equal(truthA, truthB) {
		t.Error("same seed, different Ads or Labels")
	}

	c, truthC := pages(Options{Seed: 8})
	if bytes.Equal(truthA, truthC) {
		t.Error("seeds 7 and 8 generate the same ads")
	}
	for _, k := range []string{SiteRosa + "/annoncer?page=1", SiteNattelys + "/api/v1/ads?page=1"} {
		if bytes.Equal(a[k], c[k]) {
			t.Errorf("seeds 7 and 8 serve the same %s", k)
		}
	}

	// One site's ad count must not shift the other site's content.
	s1, s2 := New(Options{Seed: 7}), New(Options{Seed: 7, NattelysAds: 5})
	if fmt.Sprint(s1.Ads(SiteRosa)) != fmt.Sprint(s2.Ads(SiteRosa)) {
		t.Error("changing NattelysAds changed sim-rosa")
	}
}

func TestOptionsDefaults(t *testing.T) {
	tests := []struct {
		name                    string
		opts                    Options
		wantRosa, wantNattelys  int
		wantFirstPost, wantLast time.Time
	}{
		{"zero", Options{}, DefaultRosaAds, DefaultNattelysAds, DefaultReference.Add(-postingWindow), DefaultReference},
		{"sizes", Options{RosaAds: 25, NattelysAds: 41}, 25, 41, DefaultReference.Add(-postingWindow), DefaultReference},
		{"none", Options{RosaAds: -1, NattelysAds: -5}, 0, 0, time.Time{}, time.Time{}},
		{"reference", Options{Reference: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}, DefaultRosaAds, DefaultNattelysAds,
			time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Add(-postingWindow), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.opts)
			if got := len(s.Ads(SiteRosa)); got != tt.wantRosa {
				t.Errorf("sim-rosa has %d ads, want %d", got, tt.wantRosa)
			}
			if got := len(s.Ads(SiteNattelys)); got != tt.wantNattelys {
				t.Errorf("sim-nattelys has %d ads, want %d", got, tt.wantNattelys)
			}
			for _, site := range Sites() {
				for _, a := range s.Ads(site) {
					if !a.PostedAt.After(tt.wantFirstPost) || !a.PostedAt.Before(tt.wantLast) {
						t.Errorf("%s posted %v, outside (%v, %v)", a.URL, a.PostedAt, tt.wantFirstPost, tt.wantLast)
					}
					if a.PostedAt.Location() != time.UTC || a.PostedAt.Nanosecond() != 0 {
						t.Errorf("%s posted %v, want UTC whole seconds", a.URL, a.PostedAt)
					}
				}
			}
		})
	}
	if New(Options{}).Ads("sim-nowhere") == nil || len(New(Options{}).Ads("sim-nowhere")) != 0 {
		t.Error("an unknown site should have an empty list of ads")
	}
}

func TestHits(t *testing.T) {
	s := New(Options{Seed: 1})
	urls := serve(t, s)
	requests := []struct{ site, path string }{
		{SiteRosa, "/robots.txt"},
		{SiteRosa, "/robots.txt"},
		{SiteNattelys, "/robots.txt"},
		{SiteRosa, "/annoncer"},
		{SiteRosa, "/annoncer?page=2"},
		{SiteRosa, "/admin/stats"},
		{SiteRosa, "/annonce/99999"}, // 404s count too
		{SiteNattelys, "/api/v1/ads?page=1"},
	}
	for _, r := range requests {
		get(t, urls[r.site]+r.path)
	}
	tests := []struct {
		site, path string // site "": Hits
		want       int
	}{
		{"", "/robots.txt", 3},
		{SiteRosa, "/robots.txt", 2},
		{SiteNattelys, "/robots.txt", 1},
		{"", "/annoncer", 2}, // the query is not part of the path
		{"", "/admin/stats", 1},
		{"", "/annonce/99999", 1},
		{"", "/api/v1/ads", 1},
		{SiteRosa, "/api/v1/ads", 0},
		{"", "/never", 0},
	}
	for _, tt := range tests {
		t.Run(tt.site+tt.path, func(t *testing.T) {
			got := s.Hits(tt.path)
			if tt.site != "" {
				got = s.SiteHits(tt.site, tt.path)
			}
			if got != tt.want {
				t.Errorf("got %d hits, want %d", got, tt.want)
			}
		})
	}
}

func TestHitsConcurrent(t *testing.T) {
	s := New(Options{Seed: 1})
	urls := serve(t, s)
	const n = 20
	errs := make(chan error, n)
	for range n {
		go func() {
			resp, err := http.Get(urls[SiteRosa] + "/admin/stats")
			if err == nil {
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Hits("/admin/stats"); got != n {
		t.Errorf("got %d hits, want %d", got, n)
	}
}

func TestRobotsTxt(t *testing.T) {
	s := New(Options{Seed: 1})
	urls := serve(t, s)
	tests := []struct{ site, want string }{
		{SiteRosa, "User-agent: *\nDisallow: /admin/\n"},
		{SiteNattelys, "User-agent: *\nAllow: /\n"},
	}
	for _, tt := range tests {
		t.Run(tt.site, func(t *testing.T) {
			r := get(t, urls[tt.site]+"/robots.txt")
			if r.status != http.StatusOK || string(r.body) != tt.want || !strings.HasPrefix(r.ctype, "text/plain") {
				t.Errorf("got %d %q %q, want 200 text/plain %q", r.status, r.ctype, r.body, tt.want)
			}
		})
	}
}

func TestStartClose(t *testing.T) {
	s := New(Options{Seed: 1})
	urls, err := s.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, site := range Sites() {
		if !strings.HasPrefix(urls[site], "http://127.0.0.1:") {
			t.Errorf("%s at %q, want http://127.0.0.1:PORT", site, urls[site])
		}
		if r := get(t, urls[site]+"/robots.txt"); r.status != http.StatusOK {
			t.Errorf("%s robots.txt: %d", site, r.status)
		}
	}
	if _, err := s.Start(context.Background()); err == nil {
		t.Error("a second Start succeeded")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for _, site := range Sites() {
		if resp, err := http.Get(urls[site] + "/robots.txt"); err == nil {
			resp.Body.Close()
			t.Errorf("%s still serves after Close", site)
		}
	}
	if _, err := s.Start(context.Background()); err == nil {
		t.Error("Start after Close succeeded")
	}
}

func TestStartStopsWithContext(t *testing.T) {
	s := New(Options{Seed: 1})
	ctx, cancel := context.WithCancel(context.Background())
	urls, err := s.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close after cancel: %v", err)
		}
	case <-time.After(ShutdownTimeout + 5*time.Second):
		t.Fatal("servers did not stop after the context ended")
	}
	if resp, err := http.Get(urls[SiteRosa] + "/robots.txt"); err == nil {
		resp.Body.Close()
		t.Error("sim-rosa still serves after its context ended")
	}
}

func TestStartAddrs(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	t.Run("given", func(t *testing.T) {
		free := freePort(t)
		s := New(Options{Seed: 1, Addrs: map[string]string{SiteRosa: ":" + free}})
		t.Cleanup(func() { s.Close() })
		urls, err := s.Start(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := "http://127.0.0.1:" + free; urls[SiteRosa] != want {
			t.Errorf("sim-rosa at %q, want %q (a host-less address binds loopback)", urls[SiteRosa], want)
		}
	})
	tests := []struct {
		name  string
		addrs map[string]string
		want  string
	}{
		{"unknown site", map[string]string{"sim-nowhere": "127.0.0.1:0"}, `unknown site "sim-nowhere"`},
		{"port in use", map[string]string{SiteNattelys: busy.Addr().String()}, `listen for "sim-nattelys"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Options{Seed: 1, Addrs: tt.addrs})
			t.Cleanup(func() { s.Close() })
			_, err := s.Start(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

func TestIsSimulated(t *testing.T) {
	for _, tt := range []struct {
		site string
		want bool
	}{{SiteRosa, true}, {SiteNattelys, true}, {"sim-kontakt24", false}, {"", false}} {
		if got := IsSimulated(tt.site); got != tt.want {
			t.Errorf("IsSimulated(%q) = %v, want %v", tt.site, got, tt.want)
		}
	}
}

func TestListenAddr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "127.0.0.1:0"},
		{":18081", "127.0.0.1:18081"},
		{"127.0.0.1:18081", "127.0.0.1:18081"},
		{"[::1]:18081", "[::1]:18081"},
	}
	for _, tt := range tests {
		if got := listenAddr(tt.in); got != tt.want {
			t.Errorf("listenAddr(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s is missing: run go test ./simulator -run %s -update", path, t.Name())
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what is served now (run with -update if the change is intended):\n%s", path, got)
	}
}
