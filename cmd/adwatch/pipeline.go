package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/classifier"
	"github.com/adwatch/adwatch/classifier/crossad"
	"github.com/adwatch/adwatch/crawler"
	"github.com/adwatch/adwatch/indexer"
	"github.com/adwatch/adwatch/search/bleveindex"
	"github.com/adwatch/adwatch/search/esindex"
	"github.com/adwatch/adwatch/simulator"
	"github.com/adwatch/adwatch/web"
)

// stageSet says which stages a process runs.
type stageSet struct{ crawl, classify, index, serve bool }

var allStages = stageSet{crawl: true, classify: true, index: true, serve: true}

// adStore is what the index and serve stages need of a store.
type adStore interface {
	indexer.Store
	web.Store
	Count(ctx context.Context) (int, error)
	Close() error
}

// pipelineConfig is what startPipeline needs.
type pipelineConfig struct {
	cfg    Config
	stages stageSet
	sites  []*crawler.Site        // with stages.crawl
	rules  classifier.RulesSource // with stages.classify: fixed, or reloaded on change
	// runs are more things to run beside the stages (the rules reloader).
	runs   []func(context.Context) error
	logger *slog.Logger
}

// pipeline runs some or all stages in this process: all of them in the
// one-binary mode (adwatch run, demo), one of them at scale.
type pipeline struct {
	nats    *bus.Embedded // nil with an external NATS
	bus     *bus.Bus
	store   adStore
	crawler *crawler.Crawler
	classif *classifier.Stage
	indexer *indexer.Indexer
	rawC    *bus.Consumer
	scoredC *bus.Consumer
	group   *errgroup.Group
	closers []func()
	once    sync.Once
}

// startPipeline starts the configured stages; they stop when ctx ends. Call
// wait, then close.
func startPipeline(ctx context.Context, pc pipelineConfig) (p *pipeline, err error) {
	p = &pipeline{}
	defer func() {
		if err != nil {
			p.close()
		}
	}()
	cfg, log, st := pc.cfg, pc.logger, pc.stages
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if st.crawl || st.classify || st.index {
		if err := p.openBus(ctx, cfg, log); err != nil {
			return nil, err
		}
	}
	if st.index || st.serve {
		// Nothing in the pipeline reads an ad right after writing it: the
		// index's scheduled refresh makes it visible within a second.
		if p.store, err = openStore(ctx, cfg, esindex.RefreshNone, log); err != nil {
			return nil, err
		}
		p.closers = append(p.closers, func() {
			if err := p.store.Close(); err != nil {
				log.Error("closing the index", "err", err)
			}
		})
	}
	runs := append([]func(context.Context) error(nil), pc.runs...)
	if st.crawl {
		state, err := p.bus.KeyValue(ctx, "crawl_state", cfg.NATS.Replicas)
		if err != nil {
			return nil, err
		}
		opts := []crawler.Option{crawler.WithRegisterer(reg)}
		// Leases keep two crawler processes off one site at the same time.
		// An embedded server that no one else can reach has one crawler,
		// this one: a lease would only make it wait out the lease of the
		// process it restarts after a crash.
		if cfg.NATS.URL != "" || cfg.NATS.Listen != "" {
			leases, err := p.bus.Leases(ctx, "crawl_leases", 2*time.Minute, cfg.NATS.Replicas)
			if err != nil {
				return nil, err
			}
			opts = append(opts, crawler.WithLeases(leases, ""))
		}
		p.crawler = crawler.New(pc.sites, p.bus, state, log.With("stage", "crawler"), opts...)
		runs = append(runs, p.crawler.Run)
	}
	if st.classify {
		p.rawC, err = p.bus.Consumer(ctx, bus.ConsumerOptions{Stream: bus.RawStream, Durable: "classifier"})
		if err != nil {
			return nil, err
		}
		linker, err := openLinker(ctx, p.bus, cfg.NATS.Replicas)
		if err != nil {
			return nil, err
		}
		p.classif = classifier.NewStage(p.rawC, p.bus, pc.rules, log.With("stage", "classifier"), classifier.StageOptions{Linker: linker})
		runs = append(runs, p.classif.Run)
	}
	if st.index {
		p.scoredC, err = p.bus.Consumer(ctx, bus.ConsumerOptions{Stream: bus.ScoredStream, Durable: "indexer"})
		if err != nil {
			return nil, err
		}
		p.indexer = indexer.New(p.scoredC, p.store, log.With("stage", "indexer"), indexer.Options{})
		runs = append(runs, p.indexer.Run)
	}
	if st.serve {
		srv, err := web.New(p.store, web.Options{
			Addr: cfg.Addr, Logger: log.With("stage", "web"),
			Registerer: reg, Gatherer: reg, Status: func() any { return p.progress() },
		})
		if err != nil {
			return nil, err
		}
		runs = append(runs, srv.Run)
	} else if cfg.MetricsAddr != "" {
		runs = append(runs, func(ctx context.Context) error { return serveMetrics(ctx, cfg.MetricsAddr, reg) })
	}
	p.group, ctx = errgroup.WithContext(ctx)
	for _, run := range runs {
		p.group.Go(func() error { return run(ctx) })
	}
	return p, nil
}

// serveMetrics serves reg at /metrics on addr until ctx ends: how a stage
// process without the web UI shows its health (the crawler's per-site
// metrics, Go and process metrics).
func serveMetrics(ctx context.Context, addr string, reg *prometheus.Registry) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--metrics-addr: %w", err)
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openLinker opens the cross-ad linking state that every classifier
// process shares: the bucket "crossad", whose keys lapse once nothing new
// can link to them, and the contact key, from ADWATCH_CONTACT_KEY or else
// generated once and kept in the bucket "adwatch_secrets", which never
// expires (a new key would unlink every ad from the ones before it).
func openLinker(ctx context.Context, b *bus.Bus, replicas int) (*crossad.Linker, error) {
	secrets, err := b.KeyValue(ctx, "adwatch_secrets", replicas)
	if err != nil {
		return nil, err
	}
	key, err := crossad.ResolveContactKey(ctx, os.Getenv("ADWATCH_CONTACT_KEY"), secrets)
	if err != nil {
		return nil, err
	}
	opts := crossad.Options{HourlyPrice: classifier.HourlyPriceDKK}
	state, err := b.KeyValueTTL(ctx, "crossad", opts.BucketTTL(), replicas)
	if err != nil {
		return nil, err
	}
	return crossad.NewLinker(state, key, opts)
}

// openBus starts the embedded NATS server, or connects to cfg.NATS.URL, and
// sets up the streams.
func (p *pipeline) openBus(ctx context.Context, cfg Config, log *slog.Logger) error {
	var err error
	if cfg.NATS.URL == "" {
		if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
			return fmt.Errorf("--data: %w", err)
		}
		p.nats, err = bus.StartEmbedded(bus.EmbeddedOptions{Dir: cfg.Data, Listen: cfg.NATS.Listen})
		if err != nil {
			return err
		}
		p.closers = append(p.closers, p.nats.Shutdown)
		if u := p.nats.ClientURL(); u != "" {
			log.Info("embedded NATS accepts clients", "url", u)
		}
		p.bus, err = p.nats.Connect(log)
	} else {
		p.bus, err = bus.Connect(cfg.NATS.URL, bus.ConnectOptions{
			CredsFile: cfg.NATS.Creds, CAFile: cfg.NATS.CAFile, CertFile: cfg.NATS.CertFile, KeyFile: cfg.NATS.KeyFile,
			Name: "adwatch",
		}, log)
	}
	if err != nil {
		return err
	}
	p.closers = append(p.closers, p.bus.Close)
	return p.bus.Setup(ctx, cfg.NATS.Replicas)
}

// openStore opens Elasticsearch when cfg.ES.URL is set (with the refresh
// policy given), else the embedded index under cfg.Data.
func openStore(ctx context.Context, cfg Config, refresh string, log *slog.Logger) (adStore, error) {
	if cfg.ES.URL == "" {
		return bleveindex.Open(filepath.Join(cfg.Data, "index"), log)
	}
	s, err := esindex.Open(ctx, esOptions(cfg, refresh, log))
	if err != nil {
		return nil, fmt.Errorf("elasticsearch at %s: %w", cfg.ES.URL, err)
	}
	return s, nil
}

func esOptions(cfg Config, refresh string, log *slog.Logger) esindex.Options {
	return esindex.Options{
		Addresses: splitList(cfg.ES.URL), APIKey: cfg.ES.APIKey, Username: cfg.ES.Username,
		Password: cfg.ES.Password, CAFile: cfg.ES.CAFile, Index: cfg.ES.Index, Refresh: refresh, Logger: log,
	}
}

// wait blocks until every stage has stopped and returns the first error.
func (p *pipeline) wait() error { return p.group.Wait() }

// close releases resources in the reverse order of their start: the index
// and the bus connection before the NATS server that stores the streams.
func (p *pipeline) close() {
	p.once.Do(func() {
		for i := len(p.closers) - 1; i >= 0; i-- {
			p.closers[i]()
		}
	})
}

// progress is what the stages of this process have done so far.
type progress struct {
	SitesCrawled int64 `json:"sites_crawled"`
	Pages        int64 `json:"pages"`
	AdsSeen      int64 `json:"ads_seen"`
	Published    int64 `json:"published"`
	Scored       int64 `json:"scored"`
	// Rescored counts earlier ads scored again because a later ad changed
	// their cross-ad indicators.
	Rescored    int64 `json:"rescored"`
	Indexed     int64 `json:"indexed"`
	CrawlErrors int64 `json:"crawl_errors"`
	// Waiting for the classifier and the indexer (-1: unknown or not here).
	ClassifierPending int64 `json:"classifier_pending"`
	IndexerPending    int64 `json:"indexer_pending"`
	// AdsInIndex counts the store's ads (-1: unknown or no store here).
	AdsInIndex int64 `json:"ads_in_index"`
}

func (p *pipeline) progress() progress {
	pr := progress{ClassifierPending: pending(p.rawC), IndexerPending: pending(p.scoredC), AdsInIndex: -1}
	if p.crawler != nil {
		cs := p.crawler.Stats()
		pr.SitesCrawled, pr.Pages, pr.AdsSeen, pr.Published, pr.CrawlErrors = cs.Crawls, cs.Pages, cs.Ads, cs.Published, cs.Errors
	}
	if p.classif != nil {
		pr.Scored, pr.Rescored = p.classif.Scored(), p.classif.Rescored()
	}
	if p.indexer != nil {
		pr.Indexed = p.indexer.Indexed()
	}
	if p.store != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if n, err := p.store.Count(ctx); err == nil {
			pr.AdsInIndex = int64(n)
		}
	}
	return pr
}

// pending asks the server how many messages wait for c; -1 if it cannot say.
func pending(c *bus.Consumer) int64 {
	if c == nil {
		return -1
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	n, err := c.Pending(ctx)
	if err != nil {
		return -1
	}
	return int64(n)
}

func (p progress) String() string {
	var parts []string
	if p.SitesCrawled > 0 || p.AdsSeen > 0 {
		parts = append(parts, fmt.Sprintf("%d site crawls (%d pages, %d errors) · %d ads seen · %d published", p.SitesCrawled, p.Pages, p.CrawlErrors, p.AdsSeen, p.Published))
	}
	if p.ClassifierPending >= 0 {
		parts = append(parts, fmt.Sprintf("%d scored, %d re-scored for patterns (%d waiting)", p.Scored, p.Rescored, p.ClassifierPending))
	}
	if p.IndexerPending >= 0 {
		parts = append(parts, fmt.Sprintf("%d indexed (%d waiting)", p.Indexed, p.IndexerPending))
	}
	if p.AdsInIndex >= 0 {
		parts = append(parts, fmt.Sprintf("%d ads in the index", p.AdsInIndex))
	}
	return "progress: " + strings.Join(parts, " · ")
}

// printProgress prints a progress line every interval while anything changed.
func (p *pipeline) printProgress(ctx context.Context, w io.Writer, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	var last progress
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if cur := p.progress(); cur != last {
				fmt.Fprintln(w, cur)
				last = cur
			}
		}
	}
}

// startSimulator serves the simulated sites on the addresses their site
// configs name, so that an ad keeps its URL, and so its id, across restarts.
func startSimulator(ctx context.Context, seed uint64, ads int, sitesDir string, sites []*crawler.Site, logger *slog.Logger) error {
	opts := simulator.Options{Seed: seed, RosaAds: ads, NattelysAds: ads, Addrs: map[string]string{}}
	for _, s := range sites {
		if simulator.IsSimulated(s.Name) {
			u, err := url.Parse(s.BaseURL)
			if err != nil {
				return err
			}
			opts.Addrs[s.Name] = u.Host
		}
	}
	if len(opts.Addrs) == 0 {
		return errors.New("no site config in " + sitesDir + " names a simulated site (sim-rosa, sim-nattelys)")
	}
	urls, err := simulator.New(opts).Start(ctx)
	if err != nil {
		return fmt.Errorf("simulated sites (addresses from the base_url of their site configs in %s): %w", sitesDir, err)
	}
	for site, u := range urls {
		logger.Info("serving a simulated site", "site", site, "url", u)
	}
	return nil
}
