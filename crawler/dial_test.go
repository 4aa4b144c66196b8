package crawler

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/net/http/httpproxy"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/simulator"
)

func TestIsPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8":            true,
		"2606:4700::1111":    true,
		"127.0.0.1":          false,
		"127.8.9.10":         false,
		"::1":                false,
		"10.1.2.3":           false,
		"172.16.0.1":         false,
		"192.168.1.1":        false,
		"169.254.169.254":    false, // cloud metadata
		"fe80::1":            false,
		"fc00::1":            false,
		"100.64.0.1":         false,
		"0.0.0.0":            false,
		"0.1.2.3":            false,
		"::":                 false,
		"::ffff:127.0.0.1":   false,
		"::ffff:10.0.0.1":    false,
		"64:ff9b::7f00:1":    false, // NAT64 of 127.0.0.1
		"64:ff9b::808:808":   true,  // NAT64 of 8.8.8.8
		"2002:7f00:1::1":     false, // 6to4 of 127.0.0.1
		"192.0.2.1":          false,
		"198.18.0.1":         false,
		"240.0.0.1":          false,
		"255.255.255.255":    false,
		"224.0.0.1":          false,
		"ff02::1":            false,
		"2001:db8::1":        false,
		"203.0.113.7":        false,
		"198.51.100.7":       false,
		"192.0.0.8":          false,
		"100.127.255.255":    false,
		"100.128.0.1":        true,
		"172.32.0.1":         true,
		"2a00:1450:4001::65": true,
	} {
		if got := isPublic(netip.MustParseAddr(addr)); got != want {
			t.Errorf("isPublic(%s) = %v, want %v", addr, got, want)
		}
	}
}

// loopbackName returns a host name other than "localhost" that /etc/hosts
// maps to a loopback address, or "" if there is none. The Go resolver reads
// /etc/hosts first, so using it sends no DNS query.
func loopbackName(t *testing.T) string {
	f, err := os.Open("/etc/hosts")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.SplitN(sc.Text(), "#", 2)[0])
		if len(fields) < 2 {
			continue
		}
		a, err := netip.ParseAddr(fields[0])
		if err != nil || !a.Is4() || !a.IsLoopback() {
			continue
		}
		for _, name := range fields[1:] {
			if name != "localhost" && !strings.Contains(name, "localhost") {
				return name
			}
		}
	}
	return ""
}

// siteAt is a minimal site config for base.
func siteAt(t *testing.T, base string, allowPrivate bool) *Site {
	t.Helper()
	extra := "delay: 1s\njitter: 0s\n"
	if allowPrivate {
		extra = "allow_private_addresses: true\ndelay: 0s\n"
	}
	s, err := ParseSite("x.yaml", []byte(`name: x
base_url: `+base+`
contact: a@b.example
`+extra+`html:
  seeds: ["/annoncer"]
  ad_links: "ul.ads a.ad-link"
  fields: {title: {selector: "h1.title"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// countingServer serves the simulator's sim-rosa and counts requests.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	sim := simulator.New(simulator.Options{Seed: 1, RosaAds: 5})
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		sim.Rosa().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestLocalhostIsRefusedAfterDNS: a host name (not an IP) that resolves to
// a loopback address is refused as well, because the check runs on the
// address dialled.
func TestLocalhostIsRefusedAfterDNS(t *testing.T) {
	srv, hits := countingServer(t)
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, name := range []string{"localhost", loopbackName(t)} {
		if name == "" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			before := hits.Load()
			n := 0
			st, err := CrawlOnce(context.Background(), siteAt(t, "http://"+name+port, false), discard, func(ad.Raw) error { n++; return nil })
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 || hits.Load() != before || st.ErrorKinds["blocked_address"] == 0 {
				t.Fatalf("%d ads, %d requests reached the server, errors %v", n, hits.Load()-before, st.ErrorKinds)
			}
		})
	}
}

// TestProxyVariablesCannotRouteAround: with every proxy variable pointing
// at a proxy, the crawler still dials the site itself, so the address check
// applies; the proxy sees nothing.
func TestProxyVariablesCannotRouteAround(t *testing.T) {
	name := loopbackName(t)
	if name == "" {
		t.Skip("no host name other than localhost maps to loopback in /etc/hosts")
	}
	var proxied atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		w.Write([]byte(`<ul class="ads"><li><a class="ad-link" href="/annonce/1">via proxy</a></li></ul>`))
	}))
	defer proxy.Close()
	for _, v := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"} {
		t.Setenv(v, proxy.URL)
	}
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	srv, hits := countingServer(t)
	base := "http://" + name + srv.URL[strings.LastIndex(srv.URL, ":"):]
	u, _ := url.Parse(base + "/annoncer")
	if p, _ := httpproxy.FromEnvironment().ProxyFunc()(u); p == nil {
		t.Fatalf("a standard transport would not proxy %s: the test proves nothing", base)
	}

	// Not allowed: refused, and nothing reaches the proxy either.
	st, _ := CrawlOnce(context.Background(), siteAt(t, base, false), discard, func(ad.Raw) error { return nil })
	if proxied.Load() != 0 || hits.Load() != 0 || st.ErrorKinds["blocked_address"] == 0 {
		t.Fatalf("proxy %d, site %d requests; errors %v", proxied.Load(), hits.Load(), st.ErrorKinds)
	}
	// Allowed: the site is reached directly, never through the proxy.
	n := 0
	if _, err := CrawlOnce(context.Background(), siteAt(t, base, true), discard, func(ad.Raw) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if proxied.Load() != 0 || n != 5 {
		t.Fatalf("proxy %d requests, %d ads; want 0 and 5 straight from the site", proxied.Load(), n)
	}
}

// TestCollyEnvironmentCannotLoosenTheCrawler: colly reads COLLY_*
// variables after its options; none of them changes what the site config
// decides.
func TestCollyEnvironmentCannotLoosenTheCrawler(t *testing.T) {
	cache := t.TempDir()
	for k, v := range map[string]string{
		"COLLY_IGNORE_ROBOTSTXT":          "true",
		"COLLY_USER_AGENT":                "evil",
		"COLLY_MAX_BODY_SIZE":             "100",
		"COLLY_ALLOWED_DOMAINS":           "example.org",
		"COLLY_DISALLOWED_DOMAINS":        "127.0.0.1",
		"COLLY_CACHE_DIR":                 cache,
		"COLLY_MAX_REQUESTS":              "2",
		"COLLY_MAX_DEPTH":                 "1",
		"COLLY_PARSE_HTTP_ERROR_RESPONSE": "true",
		"COLLY_DETECT_CHARSET":            "true",
		"COLLY_FOLLOW_REDIRECTS":          "false",
		"COLLY_DISABLE_COOKIES":           "true",
		"COLLY_TRACE_HTTP":                "true",
	} {
		t.Setenv(k, v)
	}
	sim := simulator.New(simulator.Options{Seed: 4, RosaAds: 25})
	var mu sync.Mutex
	agents := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents[r.UserAgent()] = true
		mu.Unlock()
		sim.Rosa().ServeHTTP(w, r)
	}))
	defer srv.Close()
	s, err := LoadSite("../configs/sites/sim-rosa.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s.BaseURL = srv.URL
	n := 0
	st, err := CrawlOnce(context.Background(), s, discard, func(ad.Raw) error { n++; return nil })
	if err != nil || n != 25 || st.Errors != 0 {
		t.Fatalf("err %v, %d ads, errors %v; want all 25", err, n, st.ErrorKinds)
	}
	if sim.Hits("/admin/stats") != 0 {
		t.Error("robots.txt ignored")
	}
	if len(agents) != 1 || !agents["adwatch/"+Version+" (+outreach-tech@adwatch.example)"] {
		t.Errorf("user agents %v", agents)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("colly cached pages in %s: %v", filepath.Base(cache), entries)
	}
}

// TestDialerRefusesBeforeConnecting checks the dialer alone: the refusal
// comes from the address check, for IPv4 and IPv6 loopback.
func TestDialerRefusesBeforeConnecting(t *testing.T) {
	tr := newTransport(false)
	if tr.Proxy != nil {
		t.Fatal("the transport has a proxy function")
	}
	for _, addr := range []string{"127.0.0.1:9", "[::1]:9", "localhost:9"} {
		c, err := tr.DialContext(context.Background(), "tcp", addr)
		if err == nil {
			c.Close()
			t.Fatalf("dialled %s", addr)
		}
		var opErr *net.OpError
		if !strings.Contains(err.Error(), "not a public address") || !errors.As(err, &opErr) || !errors.Is(err, ErrNotPublic) {
			t.Errorf("dial %s: %v", addr, err)
		}
	}
}
