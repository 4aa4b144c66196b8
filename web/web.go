// Package web serves adwatch's HTTP API and its server-rendered UI, where
// outreach workers search scored ads, narrow them by facets and read, for every
// ad, which indicators fired on which words. Indicators are signals for a
// human, never a verdict, and the pages say so.
//
// Everything an ad contains was written by whoever posted it and crawled from a
// site adwatch does not control: it is hostile input. Pages are rendered with
// html/template only, and the one place that builds HTML by hand, the evidence
// highlighter, escapes every segment itself. A strict Content-Security-Policy
// (no script at all, styles only from /static/) is the second line of defence,
// for the day an escaping mistake slips through.
//
// Until login and roles exist the server listens on loopback only: anyone who
// can reach it can read every ad and every phone number in the index.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/search"
)

// Store is what the server reads scored ads from: the embedded index or
// Elasticsearch. Both must be safe for concurrent use.
type Store interface {
	// Search returns one page of ads matching q, with totals and facets.
	Search(ctx context.Context, q search.Query) (search.Result, error)
	// Get returns the ad with id, or an error wrapping search.ErrNotFound.
	Get(ctx context.Context, id string) (ad.Scored, error)
}

// DefaultAddr is where the server listens when Options.Addr is empty.
const DefaultAddr = "127.0.0.1:8080"

// ShutdownTimeout bounds how long Run waits for in-flight requests once its
// context ends; requests still running after it are cut off.
const ShutdownTimeout = 5 * time.Second

// Options configure a Server.
type Options struct {
	// Addr is the host:port to listen on. The host must be a loopback IP or
	// "localhost" (see CheckLoopback). Empty means DefaultAddr.
	Addr string
	// Logger receives errors (error level) and the access log (debug level).
	// Nil discards everything.
	Logger *slog.Logger
	// Registerer receives the HTTP metrics. Nil leaves them unregistered.
	Registerer prometheus.Registerer
	// Status reports pipeline progress, shown on the search page and served
	// at /api/v1/status. Its result must marshal to JSON; a JSON object is
	// shown key by key. It is called once per request, concurrently, so it
	// must be cheap and safe for concurrent use. Nil means no status.
	Status func() any
	// Gatherer, when set, is served at /metrics for Prometheus: the whole
	// process's metrics (crawler, indexer, HTTP), not only the server's.
	Gatherer prometheus.Gatherer
}

// Server is the HTTP API and UI. Create it with New.
type Server struct {
	store   Store
	addr    string
	logger  *slog.Logger
	status  func() any
	metrics *metrics
	gather  prometheus.Gatherer
	pages   map[string]*template.Template
	handler http.Handler
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New returns a server reading from store. It refuses an address that is not
// on loopback, and fails if the metrics cannot be registered (for example
// because another Server already registered them on the same Registerer).
func New(store Store, opts Options) (*Server, error) {
	if store == nil {
		return nil, errors.New("web: store is nil")
	}
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if err := CheckLoopback(opts.Addr); err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	s := &Server{
		store:   store,
		addr:    opts.Addr,
		logger:  logger,
		status:  opts.Status,
		metrics: m,
		gather:  opts.Gatherer,
		pages:   pages,
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's routes with its security headers, access log
// and metrics. Tests and callers with their own listener serve it directly.
func (s *Server) Handler() http.Handler { return s.handler }

// Run listens on the configured address and serves until ctx ends, then stops
// accepting connections, waits up to ShutdownTimeout for in-flight requests
// and returns nil. It returns an error at once if it cannot listen, or if
// serving fails before ctx ends.
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("web: listen on %q: %w", s.addr, err)
	}
	srv := &http.Server{
		Handler: s.handler,
		// Timeouts keep a slow or stalled client from holding connections
		// open forever; searches are fast, so the write budget is generous.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.logger.Info("web UI and API listening", "addr", ln.Addr().String())

	select {
	case err := <-errc:
		return fmt.Errorf("web: serve on %q: %w", s.addr, err)
	case <-ctx.Done():
	}
	// The parent context is done, so shutdown gets a fresh bounded one.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.logger.Warn("web: in-flight requests cut off at shutdown", "timeout", ShutdownTimeout, "err", err)
		srv.Close()
	}
	<-errc // http.ErrServerClosed
	s.logger.Info("web UI and API stopped")
	return nil
}

// CheckLoopback returns an error unless addr is a host:port whose host is a
// loopback IP or "localhost". Until roles and login exist, anyone who can
// reach the server can read every ad and every phone number, so it must not be
// reachable from another machine. An empty host (":8080") means all
// interfaces and is refused.
func CheckLoopback(addr string) error {
	const why = "until roles and login land adwatch serves on 127.0.0.1 or [::1] only"
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("web: listen address %q is not a host:port such as 127.0.0.1:8080: %w", addr, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("web: listen address %q: port %q is not a number from 0 to 65535", addr, port)
	}
	switch {
	case host == "":
		return fmt.Errorf("web: listen address %q has no host, which means all interfaces: it is not a loopback address; %s", addr, why)
	case strings.EqualFold(host, "localhost"):
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		// A host name other than localhost could resolve anywhere.
		return fmt.Errorf("web: listen address %q is not a loopback address (%q is not an IP address or localhost); %s", addr, host, why)
	}
	if !ip.Unmap().IsLoopback() {
		return fmt.Errorf("web: listen address %q is not a loopback address; %s", addr, why)
	}
	return nil
}

// parsePages parses each page together with the shared layout, so that every
// page can define its own "content" block.
func parsePages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range []string{"search", "ad", "error"} {
		t, err := template.New(name).Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse template %q: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// staticFiles is the embedded static directory, rooted at its contents.
func staticFiles() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // "static" is embedded above; fs.Sub only fails on a bad path
	}
	return sub
}
