// Package simulator serves invented ad sites on loopback, so that adwatch can
// be developed, tested and demonstrated without ever touching a real site.
//
// It serves two sites with different structures: sim-rosa, Danish HTML
// classifieds with listing pages and one page per ad (see Rosa), and
// sim-nattelys, an English paged JSON API (see Nattelys). Their content is
// generated from a seed with phrase pools: about 40% of each site's ads carry
// risk-indicator phrases from ../shared/INDICATORS.md, the rest are benign,
// including look-alike traps; one phone number rotates through several
// personas; one ad hides its phone number in the text; one ad carries markup
// that must come out of a crawler as literal text. Everything is invented and
// every stated age is 19 or more.
//
// Ads returns what a correct crawler extracts, Labels what was planted in
// each ad, and Hits how often a path was requested (to check that robots.txt
// was respected). The same Options give the same sites byte for byte.
package simulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/adwatch/adwatch/ad"
)

// Site names, as in configs/sites and ad.Raw.Site.
const (
	SiteRosa     = "sim-rosa"
	SiteNattelys = "sim-nattelys"
)

// Defaults of Options; a zero field means its default.
const (
	DefaultRosaAds     = 60
	DefaultNattelysAds = 40
)

// DefaultReference is the fixed "now" that posting times count back from,
// so that output never depends on the clock.
var DefaultReference = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// ShutdownTimeout bounds how long stopping waits for requests in flight
// before it closes their connections.
const ShutdownTimeout = 5 * time.Second

// Options configure a Simulator. The zero value is ready to use.
type Options struct {
	// Seed selects the content: the same Options serve the same sites, byte
	// for byte; another seed serves other ads.
	Seed uint64
	// RosaAds and NattelysAds are how many ads each site has (defaults
	// DefaultRosaAds and DefaultNattelysAds; negative: none). The fixtures
	// (a hostile ad, an obfuscated phone, a persona-rotation group of 4 on
	// sim-rosa and 3 on sim-nattelys) need 6 and 5 ads; with fewer, the
	// ones that do not fit whole are left out.
	RosaAds, NattelysAds int
	// Reference is the time ads are posted before, within 30 days
	// (default DefaultReference).
	Reference time.Time
	// Addrs maps a site name to the address Start listens on for it
	// (default "127.0.0.1:0", a free port). An address without a host
	// (":18081") listens on 127.0.0.1 only, never on every interface.
	Addrs map[string]string
}

// Label is what the generator planted in one ad: the answer key for tests
// of the classifier. An ad is benign when Indicators is empty.
type Label struct {
	// URL is the ad's path, as in ad.Raw.URL.
	URL string
	// Lang is the ISO 639-1 code of the text ("th": English with Thai in
	// Latin transliteration).
	Lang string
	// Indicators are the ids from INDICATORS.md planted on purpose, sorted:
	// text phrases, field signals (foreign number, low price, age 19-23,
	// a languages field that contradicts the text) and, on group members,
	// the cross-ad indicators. A phrase may incidentally look like another
	// rule's trigger; that is not listed.
	Indicators []string
	// Group names the persona-rotation group the ad belongs to, if any.
	Group string
	// PhonesE164 are every number a person can find in the ad, fields and
	// text (obfuscated ones included), in E.164.
	PhonesE164 []string
}

// Simulator holds the generated sites and serves them. Its methods are safe
// for concurrent use.
type Simulator struct {
	opts     Options
	ads      map[string][]*adSpec // by site; read-only after New
	rosa     http.Handler
	nattelys http.Handler

	hitsMu sync.Mutex
	hits   map[hitKey]int

	runMu    sync.Mutex
	started  bool
	closed   bool
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
	errMu    sync.Mutex
	errs     []error
}

type hitKey struct{ site, path string }

// New generates both sites from opts. It does no I/O: the handlers can be
// mounted anywhere (httptest.NewServer(s.Rosa())) or served with Start.
func New(opts Options) *Simulator {
	opts.RosaAds = adCount(opts.RosaAds, DefaultRosaAds)
	opts.NattelysAds = adCount(opts.NattelysAds, DefaultNattelysAds)
	if opts.Reference.IsZero() {
		opts.Reference = DefaultReference
	}
	opts.Reference = opts.Reference.UTC().Truncate(time.Second)
	used := map[string]bool{} // no number is shared across sites by accident
	s := &Simulator{
		opts: opts,
		ads: map[string][]*adSpec{
			SiteRosa:     generate(SiteRosa, opts.RosaAds, opts.Seed, opts.Reference, used),
			SiteNattelys: generate(SiteNattelys, opts.NattelysAds, opts.Seed, opts.Reference, used),
		},
		hits: map[hitKey]int{},
		stop: make(chan struct{}),
	}
	s.rosa = s.counted(SiteRosa, s.rosaMux())
	s.nattelys = s.counted(SiteNattelys, s.nattelysMux())
	return s
}

func adCount(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	}
	return n
}

// Sites returns the names of the simulated sites.
func Sites() []string { return []string{SiteRosa, SiteNattelys} }

// IsSimulated reports whether site names one of the simulated sites, so
// that a caller can point the right site configs at Start's addresses.
func IsSimulated(site string) bool { return slices.Contains(Sites(), site) }

// Handler returns the handler of the named site, or nil for an unknown name.
func (s *Simulator) Handler(site string) http.Handler {
	switch site {
	case SiteRosa:
		return s.rosa
	case SiteNattelys:
		return s.nattelys
	}
	return nil
}

// Ads returns the ground truth of site: for each ad, in URL order
// (/annonce/1, /annonce/2, ...), exactly what a correct crawler extracts,
// with ID and FetchedAt left empty (they depend on the crawl) and Lang
// empty (neither site shows one). URL is the path only; prefix the base URL
// Start returned. Fields the page leaves out are empty. Text is the ad's
// text with line breaks as "\n", each line trimmed and its white space
// folded to single spaces, no empty lines; characters such as <, & and "
// are literal (the sites escape them). Unknown sites have no ads.
func (s *Simulator) Ads(site string) []ad.Raw {
	specs := s.ads[site]
	out := make([]ad.Raw, 0, len(specs))
	for _, a := range specs {
		out = append(out, a.raw())
	}
	return out
}

// Labels returns what was planted in each ad of site, in the order of Ads.
func (s *Simulator) Labels(site string) []Label {
	specs := s.ads[site]
	out := make([]Label, 0, len(specs))
	for _, a := range specs {
		out = append(out, a.label())
	}
	return out
}

// Hits returns how many requests path (the URL path, query ignored) got on
// any site, 404s included.
func (s *Simulator) Hits(path string) int {
	s.hitsMu.Lock()
	defer s.hitsMu.Unlock()
	n := 0
	for _, site := range Sites() {
		n += s.hits[hitKey{site, path}]
	}
	return n
}

// SiteHits is Hits for one site: both sites serve /robots.txt.
func (s *Simulator) SiteHits(site, path string) int {
	s.hitsMu.Lock()
	defer s.hitsMu.Unlock()
	return s.hits[hitKey{site, path}]
}

func (s *Simulator) counted(site string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hitsMu.Lock()
		s.hits[hitKey{site, r.URL.Path}]++
		s.hitsMu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// Start listens for every site (on Options.Addrs or a free loopback port)
// and serves them in the background. It returns once every site accepts
// connections, mapping site name to base URL ("http://127.0.0.1:PORT"). If
// any address cannot be bound, nothing is left listening and the error says
// which.
//
// The sites are served until ctx ends or Close is called. Either way, call
// Close to wait until they have stopped; a Simulator starts at most once.
func (s *Simulator) Start(ctx context.Context) (map[string]string, error) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	switch {
	case s.closed:
		return nil, errors.New("simulator: start after close")
	case s.started:
		return nil, errors.New("simulator: already started")
	}
	for site := range s.opts.Addrs {
		if !IsSimulated(site) {
			return nil, fmt.Errorf("simulator: unknown site %q in Addrs (valid: %s)", site, strings.Join(Sites(), ", "))
		}
	}
	var lc net.ListenConfig
	var lns []net.Listener
	urls := map[string]string{}
	for _, site := range Sites() {
		addr := listenAddr(s.opts.Addrs[site])
		ln, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, fmt.Errorf("simulator: listen for %q on %q: %w", site, addr, err)
		}
		lns = append(lns, ln)
		urls[site] = baseURL(ln.Addr())
	}
	s.started = true
	servers := make([]*http.Server, len(lns))
	for i, site := range Sites() {
		srv := &http.Server{Handler: s.Handler(site), ReadHeaderTimeout: 10 * time.Second}
		servers[i] = srv
		s.wg.Add(1)
		go func(ln net.Listener) {
			defer s.wg.Done()
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				s.fail(fmt.Errorf("simulator: serve %q: %w", site, err))
			}
		}(lns[i])
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case <-ctx.Done():
		case <-s.stop:
		}
		sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		for _, srv := range slices.Backward(servers) {
			if err := srv.Shutdown(sctx); err != nil {
				srv.Close() // requests still in flight: cut them off
			}
		}
	}()
	return urls, nil
}

// Close stops the sites if they are still served and waits until they have
// stopped. It returns nil after a clean stop, or why a site stopped serving
// early. It may be called more than once, and without Start.
func (s *Simulator) Close() error {
	s.runMu.Lock()
	s.closed = true
	s.runMu.Unlock()
	s.stopOnce.Do(func() { close(s.stop) })
	s.wg.Wait()
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return errors.Join(s.errs...)
}

func (s *Simulator) fail(err error) {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	s.errs = append(s.errs, err)
}

// listenAddr keeps the simulator on loopback unless an address names a
// host explicitly.
func listenAddr(addr string) string {
	if addr == "" {
		return "127.0.0.1:0"
	}
	if host, port, err := net.SplitHostPort(addr); err == nil && host == "" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}

func baseURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}
