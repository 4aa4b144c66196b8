// Package esindex is the Elasticsearch store of scored ads, used when
// adwatch runs at scale. It answers every search.Query as the embedded index
// (search/bleveindex) does — that package's comment is the contract, and
// search/searchtest checks both stores against it — with the differences
// in full text listed below.
//
// # Index, alias and template
//
// Ads live in a versioned index (Options.Index + "-v1") that is reached
// only through the alias Options.Index (default "adwatch-ads"), which
// marks it as its write index. Open installs an index template for
// Options.Index + "-v*" and, when the alias does not exist, creates the
// versioned index with the alias in one request, so the alias never points
// at nothing. When it exists, Open applies this build's mapping to the
// write index (Elasticsearch ignores what is already there), so starting
// twice, or many replicas at once, changes nothing. Every bulk request sets
// require_alias, so a deleted alias makes writes fail rather than creating
// a stray index with a guessed mapping.
//
// # Documents and mapping
//
// A document is the JSON of the ad.Scored, byte for byte, with three
// derived fields appended: score (the higher of ad_risk and
// organised_activity), priority (ad.Assessment.Priority) and recency_ms
// (posted_at, else fetched_at, in Unix milliseconds); this build of
// Elasticsearch has no scripts to derive them at query time. Get and hits
// decode _source, which Elasticsearch returns as it was sent, so an ad
// round-trips exactly, evidence included. The mapping is strict and names
// every field of ad.Scored: title and text are analysed twice (Danish and
// English, standard tokenizer, lower-casing, the Snowball stop lists);
// site, level, flags, contacts and indicators.id are keywords; city is a
// lower-cased keyword (the filter) with a raw sub-field (the facet's
// labels); evidence is kept in _source but not parsed; name, phones and
// price_text are kept but not indexed. The document id is ad.ID, so putting
// an ad again overwrites it — unless the stored one is later: each write
// carries the ad's ad.Scored.Revision as an external version (version_type
// external_gte), so Elasticsearch keeps the latest version of an ad
// whatever order several indexers deliver them in, and answers an earlier
// one with a version conflict, which Put counts as stored (superseded).
//
// # Put
//
// Put writes through an esutil.BulkIndexer and returns nil only when
// Elasticsearch has confirmed every ad. Requests answered 429 or 5xx, and
// transport errors, are retried by the client with exponential backoff;
// items refused with 429 or 5xx inside a successful bulk response are
// retried by Put the same way. An ad that Elasticsearch refuses for what
// it is (a 400 such as a mapping error), that cannot be encoded, or whose
// id is longer than Elasticsearch allows, is refused for good: Put returns
// an *ItemErrors naming those ads, after every other ad is stored. Any
// other error means nothing is known about the batch; putting it again is
// safe.
//
// Before it returns, Put makes its ads visible to Search, Count and facets
// by one refresh of the index after the last ad is confirmed
// (RefreshExplicit, the default): a Put costs one refresh (about 20ms on a
// small node) instead of waiting for the next scheduled one. One indexer
// putting batches of 256 one after another stores about 2400 ads/s so,
// against 250 with RefreshWaitFor, whose every Put waits out the full
// 1s refresh interval (BenchmarkPut, 2 cores). With many concurrent
// writers, RefreshWaitFor lets them all share the scheduled refresh, so
// that refreshes do not multiply with writers. Either way the ads are
// durable when Put returns: Elasticsearch acknowledges a write only after
// its translog is synced.
//
// # Differences from the embedded index
//
// The Elasticsearch build adwatch is tested against (Elastic's integ-test
// distribution) has no language analyzers and no stemmer, ASCII-folding
// or possessive filters, so full text here matches exact word forms only:
//   - "piger" does not find "pigerne", "girls" does not find "girl"
//     (bleve stems Danish and English with Snowball/Porter);
//   - "girl's" is one word here, "girl" in bleve's English analysis.
//
// Everything else is the same: stop words are the same Snowball lists, both
// tokenize by Unicode word boundaries, and filters, orders, paging and
// facets follow the contract exactly. A cluster with the analysis-common
// module could add stemmer filters to the two analyzers (a mapping
// change, see below). Elasticsearch also refuses an ad id longer than 512
// bytes and a score outside the 32-bit integer range, which bleve would
// store; neither occurs in ads adwatch makes, and Put reports such ads in
// ItemErrors.
//
// # Changing the mapping
//
// A change an index can take in place (a new field) needs nothing: Open
// adds it to the write index's mapping (ads stored before have no value
// for it until they are put again). Any other change bumps mappingVersion
// and is a migration: create the next versioned index (the template gives
// it the new mapping), fill it — by replaying the scored-ad stream into it
// with a second indexer, since the index is derived data, or by copying
// the old index with a point-in-time search_after scan (this build has no
// _reindex) — then move the alias in one _aliases request (remove the old
// index, add the new as write index) and delete the old index. Until then
// Open refuses to write to an index of another mapping version.
package esindex

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/adwatch/adwatch/internal/wait"
)

// Defaults for Options.
const (
	DefaultAddress       = "http://127.0.0.1:9200"
	DefaultIndex         = "adwatch-ads"
	DefaultFlushBytes    = 5 << 20
	DefaultFlushInterval = time.Second
	DefaultWorkers       = 2
	DefaultRetries       = 5
	DefaultRetryBackoff  = 200 * time.Millisecond
	DefaultStartTimeout  = time.Minute
)

// Refresh policies: how Put makes its ads visible before it returns.
const (
	// RefreshExplicit refreshes the index once after every ad of a Put is
	// confirmed.
	RefreshExplicit = "explicit"
	// RefreshWaitFor sends bulk requests with refresh=wait_for, which wait
	// for the index's scheduled refresh (at most a second).
	RefreshWaitFor = "wait_for"
	// RefreshNone returns as soon as every ad is durable; the index's
	// scheduled refresh (every second) makes them visible. The pipeline's
	// indexer uses it: nothing waits to read an ad it has just written,
	// and a refresh per batch would cost most of the write throughput.
	RefreshNone = "none"
)

// maxRetryBackoff caps the exponential backoff between retries.
const maxRetryBackoff = 10 * time.Second

// Options configure a Store. Zero values mean the defaults.
type Options struct {
	// Addresses are the URLs of Elasticsearch nodes (default DefaultAddress).
	// Elasticsearch's client would otherwise read ELASTICSEARCH_URL from the
	// environment; a default here keeps the configuration in one place.
	Addresses []string
	// APIKey (base64, as Elasticsearch issues it) or Username and Password
	// authenticate; none means no authentication. The key needs the
	// cluster privileges monitor and manage_index_templates and, on
	// Index and Index-v*, create_index, manage (aliases and mappings),
	// write, read and maintenance (refresh).
	APIKey, Username, Password string
	// CAFile is a PEM file of the certificate authorities that sign the
	// nodes' certificates; empty means the system's.
	CAFile string
	// Index is the alias that Put, Get and Search use (default
	// DefaultIndex); the index behind it is named Index + "-v" + version.
	Index string
	// FlushBytes is the size at which a bulk request is sent (default
	// DefaultFlushBytes, 5 MiB, within Elasticsearch's recommended 5-15).
	FlushBytes int
	// FlushInterval sends a partly filled bulk request while a large Put is
	// still adding ads (default DefaultFlushInterval). Put sends whatever
	// remains when it has added every ad, so a Put never waits for it.
	FlushInterval time.Duration
	// Workers is how many bulk requests one Put may have in flight
	// (default DefaultWorkers).
	Workers int
	// Retries is how often a request answered 429 or 5xx, or a refused
	// item, is tried again (default DefaultRetries), after RetryBackoff,
	// doubling each time up to 10s, with jitter (default
	// DefaultRetryBackoff).
	Retries      int
	RetryBackoff time.Duration
	// Refresh is RefreshExplicit (the default), RefreshWaitFor or
	// RefreshNone; see the package comment.
	Refresh string
	// StartTimeout bounds how long Open waits for the cluster to be
	// yellow or green and to set up the index (default DefaultStartTimeout).
	StartTimeout time.Duration
	// Logger receives what the store does; nil discards.
	Logger *slog.Logger
}

// Store is the Elasticsearch store of scored ads. Its methods are safe for
// concurrent use.
type Store struct {
	es         *elasticsearch.Client
	opts       Options
	alias      string
	writeIndex string // the versioned index behind alias when Open ran
	// target is where Put writes: the alias, except for a Rebuild's writer,
	// which fills its new index before the alias points at it.
	target string
	logger *slog.Logger

	closeOnce sync.Once
	closeErr  error
}

// Open connects to Elasticsearch, waits until the cluster is yellow or
// green, installs the index template and, when the alias Options.Index does
// not exist, creates the versioned index behind it (see the package
// comment). Opening a store that is already set up changes nothing. It
// gives up after Options.StartTimeout or when ctx ends.
func Open(ctx context.Context, opts Options) (*Store, error) {
	s, err := connect(opts)
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, s.opts.StartTimeout)
	defer cancel()
	created, err := s.setUp(sctx)
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("open elasticsearch store %q at %s: %w", s.alias, strings.Join(s.opts.Addresses, ","), err)
	}
	s.logger.Info("elasticsearch store open", "alias", s.alias, "index", s.writeIndex, "created", created,
		"addresses", s.opts.Addresses, "refresh", s.opts.Refresh)
	return s, nil
}

// connect makes the client of a store, without touching the cluster.
func connect(opts Options) (*Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	cfg := elasticsearch.Config{
		Addresses: opts.Addresses,
		APIKey:    opts.APIKey,
		Username:  opts.Username,
		Password:  opts.Password,
		// 429 is Elasticsearch's back-pressure and 5xx a node in trouble;
		// everything this store sends is safe to repeat (writes are by id).
		RetryOnStatus: []int{http.StatusTooManyRequests, http.StatusInternalServerError,
			http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout},
		MaxRetries:   opts.Retries,
		RetryBackoff: func(attempt int) time.Duration { return backoff(opts.RetryBackoff, attempt) },
	}
	if opts.CAFile != "" {
		pem, err := os.ReadFile(opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("elasticsearch option CAFile: %w", err)
		}
		cfg.CACert = pem
	}
	es, err := elasticsearch.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch client: %w", err)
	}
	return &Store{es: es, opts: opts, alias: opts.Index, target: opts.Index, logger: opts.Logger}, nil
}

func (o Options) withDefaults() (Options, error) {
	if len(o.Addresses) == 0 {
		o.Addresses = []string{DefaultAddress}
	}
	if o.Index == "" {
		o.Index = DefaultIndex
	}
	if err := checkIndexName(o.Index); err != nil {
		return o, fmt.Errorf("elasticsearch option Index: %w", err)
	}
	if o.FlushBytes <= 0 {
		o.FlushBytes = DefaultFlushBytes
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.Retries <= 0 {
		o.Retries = DefaultRetries
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = DefaultRetryBackoff
	}
	switch o.Refresh {
	case "":
		o.Refresh = RefreshExplicit
	case RefreshExplicit, RefreshWaitFor, RefreshNone:
	default:
		return o, fmt.Errorf("elasticsearch option Refresh: %q is not one of %q, %q, %q", o.Refresh, RefreshExplicit, RefreshWaitFor, RefreshNone)
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = DefaultStartTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// checkIndexName applies Elasticsearch's rules for index and alias names,
// so that a bad name is a configuration error rather than a 400 at Open.
func checkIndexName(name string) error {
	switch {
	case len(name) > 200: // leaves room for "-v<version>" under the 255-byte limit
		return fmt.Errorf("%q is longer than 200 bytes", name)
	case name != strings.ToLower(name):
		return fmt.Errorf("%q has upper-case letters", name)
	case strings.ContainsAny(name, `\/*?"<>| ,#:`):
		return fmt.Errorf(`%q has one of \ / * ? " < > | space , # :`, name)
	case strings.HasPrefix(name, "-") || strings.HasPrefix(name, "_") || strings.HasPrefix(name, "+") || name == "." || name == "..":
		return fmt.Errorf("%q starts with -, _ or + or is . or ..", name)
	}
	return nil
}

// backoff is the wait before retry attempt (1-based): base doubling each
// time up to maxRetryBackoff, then between half and all of that, so that
// writers rejected together do not come back together.
func backoff(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < maxRetryBackoff; i++ {
		d *= 2
	}
	d = min(d, maxRetryBackoff)
	return d/2 + rand.N(d/2+1)
}

// setUp waits for the cluster, installs the template and makes sure the
// alias points at a versioned index of this mapping version. created says
// whether it created that index.
func (s *Store) setUp(ctx context.Context) (created bool, err error) {
	if err := s.waitReady(ctx); err != nil {
		return false, err
	}
	if err := s.do(ctx, esapi.IndicesPutIndexTemplateRequest{
		Name: s.alias,
		Body: strings.NewReader(string(mustJSON(templateBody(s.alias)))),
	}, nil); err != nil {
		return false, fmt.Errorf("install index template: %w", err)
	}
	for range 2 {
		index, err := s.aliasTarget(ctx)
		if err != nil {
			return false, err
		}
		if index != "" {
			s.writeIndex = index
			return created, s.updateMapping(ctx, index)
		}
		index = fmt.Sprintf("%s-v%d", s.alias, mappingVersion)
		err = s.do(ctx, esapi.IndicesCreateRequest{
			Index: index,
			// The body repeats the template, so that another template of a
			// higher priority that happens to match cannot change the index.
			Body: strings.NewReader(string(mustJSON(indexBody(s.alias)))),
		}, nil)
		var ae *apiError
		switch {
		case err == nil:
			s.writeIndex, created = index, true
			return true, nil
		case errors.As(err, &ae) && ae.Type == "resource_already_exists_exception":
			// Another process created it meanwhile (with the alias, in the
			// same request), or someone removed the alias: look again.
			continue
		default:
			return false, fmt.Errorf("create index %q: %w", index, err)
		}
	}
	return false, fmt.Errorf("index %q-v%d exists but the alias %q does not point at it; add the alias (is_write_index) or delete the index", s.alias, mappingVersion, s.alias)
}

// waitReady waits until the cluster is yellow or green. Until ctx ends it
// retries errors that a starting cluster gives (no connection, 5xx, a
// health timeout), but not a refusal (401, 403).
func (s *Store) waitReady(ctx context.Context) error {
	var last error
	for {
		timeout := 5 * time.Second
		if dl, ok := ctx.Deadline(); ok {
			timeout = min(timeout, time.Until(dl))
		}
		var health struct {
			Status   string `json:"status"`
			TimedOut bool   `json:"timed_out"`
		}
		err := s.do(ctx, esapi.ClusterHealthRequest{WaitForStatus: "yellow", Timeout: max(timeout, time.Millisecond)}, &health)
		var ae *apiError
		switch {
		case err == nil && !health.TimedOut && health.Status != "red":
			return nil
		case err == nil:
			last = fmt.Errorf("cluster is %s", health.Status)
		case errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden):
			return err
		case errors.As(err, &ae) && ae.Status == http.StatusRequestTimeout:
			last = errors.New("cluster is red") // the health request timed out waiting for yellow
		default:
			last = err
		}
		if !wait.Sleep(ctx, time.Second) {
			return fmt.Errorf("cluster not ready (yellow): %w (%w)", last, ctx.Err())
		}
	}
}

// aliasTarget returns the write index behind the alias, or "" when there
// is no such alias.
func (s *Store) aliasTarget(ctx context.Context) (string, error) {
	var got map[string]struct {
		Aliases map[string]struct {
			IsWriteIndex *bool `json:"is_write_index"`
		} `json:"aliases"`
	}
	err := s.do(ctx, esapi.IndicesGetAliasRequest{Name: []string{s.alias}}, &got)
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up alias %q: %w", s.alias, err)
	}
	var write []string
	for index, a := range got {
		if w := a.Aliases[s.alias].IsWriteIndex; (w != nil && *w) || (w == nil && len(got) == 1) {
			write = append(write, index)
		}
	}
	if len(write) != 1 {
		return "", fmt.Errorf("alias %q has no write index (it points at %d indices); make one of them its write index", s.alias, len(got))
	}
	return write[0], nil
}

// updateMapping applies this build's mapping to an existing index: a no-op
// when it is already there, new fields added, and an error when the index
// was made for another mapping version or the change cannot be made in
// place.
func (s *Store) updateMapping(ctx context.Context, index string) error {
	var got map[string]struct {
		Mappings struct {
			Meta map[string]any `json:"_meta"`
		} `json:"mappings"`
	}
	if err := s.do(ctx, esapi.IndicesGetMappingRequest{Index: []string{index}}, &got); err != nil {
		return fmt.Errorf("read mapping of %q: %w", index, err)
	}
	v, _ := got[index].Mappings.Meta[metaVersionKey].(float64)
	if int(v) != mappingVersion {
		return fmt.Errorf("index %q behind alias %q has mapping version %v, this adwatch writes version %d: migrate it (see the esindex package documentation)",
			index, s.alias, got[index].Mappings.Meta[metaVersionKey], mappingVersion)
	}
	if err := s.do(ctx, esapi.IndicesPutMappingRequest{
		Index: []string{index},
		Body:  strings.NewReader(string(mustJSON(mappings()))),
	}, nil); err != nil {
		return fmt.Errorf("index %q cannot take this adwatch's mapping in place (%w): bump mappingVersion and migrate", index, err)
	}
	return nil
}

// Count returns how many ads the store holds.
func (s *Store) Count(ctx context.Context) (int, error) {
	var res struct {
		Count int `json:"count"`
	}
	if err := s.do(ctx, esapi.CountRequest{Index: []string{s.alias}}, &res); err != nil {
		return 0, fmt.Errorf("count ads: %w", err)
	}
	return res.Count, nil
}

// Close releases the client's connections; later calls return the first
// call's result. Requests under way may fail.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.es.Close(ctx); err != nil {
			s.closeErr = fmt.Errorf("close elasticsearch store %q: %w", s.alias, err)
		}
		if s.writeIndex != "" { // Open got that far
			s.logger.Info("elasticsearch store closed", "alias", s.alias, "err", s.closeErr)
		}
	})
	return s.closeErr
}
