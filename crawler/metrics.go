package crawler

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the crawler's Prometheus collectors, all labelled by site.
type metrics struct {
	pages       *prometheus.CounterVec
	ads         *prometheus.CounterVec
	errors      *prometheus.CounterVec
	crawls      *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	lastSuccess *prometheus.GaugeVec
	lastCrawl   *prometheus.GaugeVec
	listed      *prometheus.GaugeVec
	live        *prometheus.GaugeVec
	layout      *prometheus.GaugeVec
	emptyField  *prometheus.GaugeVec
	leaseHeld   *prometheus.GaugeVec
}

// newMetrics creates the crawler's collectors and registers them with reg
// (none if reg is nil). Collectors already registered by another Crawler on
// the same registry are shared.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		pages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adwatch_crawler_pages_total",
			Help: "Pages fetched, by site and kind (listing, ad, api, image).",
		}, []string{"site", "kind"}),
		ads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adwatch_crawler_ads_total",
			Help: "Ads seen, by site and change: new, changed, unchanged (fetched again, same content), skipped (listing entry unchanged, not fetched), gone, reappeared.",
		}, []string{"site", "change"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adwatch_crawler_errors_total",
			Help: "Failed requests and unreadable pages, by site and kind (too_large, timeout, http_4xx, http_5xx, rate_limited, redirect, robots, blocked_address, encoding, parse, image, network, state, publish, lease).",
		}, []string{"site", "kind"}),
		crawls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adwatch_crawler_crawls_total",
			Help: "Crawls of a site, by result: complete (every listing page read), incomplete (some listing page failed or a cap was hit), failed (the crawl stopped early).",
		}, []string{"site", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "adwatch_crawler_crawl_duration_seconds",
			Help:    "How long one crawl of a site took.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 14),
		}, []string{"site"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "adwatch_crawler_last_success_timestamp_seconds",
			Help: "When a crawl of the site last ended without error and with ads (Unix time): alert when it falls behind.",
		}, []string{"site"}),
		lastCrawl: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "adwatch_crawler_last_crawl_timestamp_seconds",
			Help: "When a crawl of the site last ended, whatever its result (Unix time).",
		}, []string{"site"}),
		listed: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "adwatch_crawler_ads_listed",
			Help: "Ads the last crawl of the site saw listed.",
		}, []string{"site"}),
		live: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "adwatch_crawler_ads_live",
			Help: "Ads of the site known and not gone, after the last crawl.",
		}, []string{"site"}),
		layout: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "adwatch_crawler_layout_suspect",
			Help: "1 when the last crawl of the site looks broken: reason no_ads (it used to list ads and listed none) or empty_fields (a field that used to be found came out empty on every ad).",
		}, []string{"site", "reason"}),
		emptyField: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "adwatch_crawler_empty_field_ratio",
			Help: "Share of the ads extracted by the last crawl of the site from which a field came out empty.",
		}, []string{"site", "field"}),
		leaseHeld: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "adwatch_crawler_lease_held",
			Help: "1 while this crawler holds the site's lease (is crawling it).",
		}, []string{"site"}),
	}
	if reg == nil {
		return m
	}
	m.pages = register(reg, m.pages)
	m.ads = register(reg, m.ads)
	m.errors = register(reg, m.errors)
	m.crawls = register(reg, m.crawls)
	m.duration = register(reg, m.duration)
	m.lastSuccess = register(reg, m.lastSuccess)
	m.lastCrawl = register(reg, m.lastCrawl)
	m.listed = register(reg, m.listed)
	m.live = register(reg, m.live)
	m.layout = register(reg, m.layout)
	m.emptyField = register(reg, m.emptyField)
	m.leaseHeld = register(reg, m.leaseHeld)
	return m
}

// register registers c, or returns the equal collector registered before.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err) // a name clash with another collector is a programming error
	}
	return c
}
