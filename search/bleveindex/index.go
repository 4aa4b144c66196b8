// Package bleveindex is the embedded search index of scored ads: a bleve
// (scorch) index in a directory, used when no Elasticsearch is configured.
// It implements the search.Query contract; the Elasticsearch store copies the
// semantics below, so a change here is a change there.
//
// # Storage and durability
//
// Each ad is one document keyed by its ID, so putting an ad whose ID is
// already stored replaces it: a redelivered message overwrites and never
// duplicates. Of two versions of an ad, the one with the higher
// ad.Scored.Revision stays, whatever order they are put in: Put reads the
// stored revision before it writes (Puts are serialised for that). The whole ad.Scored is kept as JSON in one stored, unindexed
// field ("source"), so Get and search hits return exactly what was put,
// evidence included; every other field exists only to filter, sort or facet.
//
// The index lives in the subdirectory "bleve" of the directory given to Open,
// which builds a new one in "bleve.creating" and renames it into place, so a
// crash while creating leaves nothing half made. One process at a time may
// hold an index: a second Open of the same directory fails after 10s.
//
// Put writes its ads as one scorch batch and returns only when that batch is
// on disk: scorch's Batch waits for its persister to write and fsync the new
// segment file and the root.bolt snapshot that names it, unless the index is
// opened with "unsafe_batch", which this package never sets. A batch is one
// segment, so after a crash either all of a Put's ads are there or none. If
// persisting fails, Put returns the error, yet its ads are already
// searchable and are persisted with the next batch that succeeds; a retried
// Put overwrites them anyway. The index is derived data: it can be rebuilt
// from the scored-ad stream.
//
// # Full text
//
// Query.Text matches an ad when, under Danish analysis or under English
// analysis (lower-casing, stop words, snowball/porter stemming), every
// remaining word of the query occurs in the ad's title or text, in any order
// and either of the two. So "piger" finds "pigerne" and "pige", and "girls"
// finds "girl". A query whose words are all stop words in one language gets
// no matches from that language. Empty or blank Text matches every ad.
// Relevance plays no part: hits are ordered by Query.Sort alone.
//
// # Filters
//
// All filters must hold; a zero value is no filter.
//   - MinScore: max(ad_risk, organised_activity) >= MinScore ("score"). The
//     minor_cue escalation is not part of the score, only of the risk order.
//   - Levels: the ad's level is any of them, matched exactly.
//   - Indicators: the ad has all of them (indicator ids, matched exactly).
//   - City: the ad's city equals City ignoring case (both sides lower-cased
//     with strings.ToLower; nothing else is normalised, not even spaces).
//   - Site: the ad's site equals Site exactly.
//
// # Order
//
// Every order ends with the id ascending, so it is total and a page is
// stable across requests.
//   - risk (default): priority desc (ad.Assessment.Priority, which puts
//     minor_cue ads first), then ad_risk desc, then id.
//   - newest: posted_at desc, or fetched_at where posted_at is zero, compared
//     in whole milliseconds; ads with neither come last; then id.
//   - organised: organised_activity desc, then priority desc, then id.
//
// # Paging
//
// Page is 1-based and Size is hits per page; zero means 1 and
// search.DefaultSize. Pages past search.MaxPage and sizes past
// search.MaxSize are errors. Total counts every matching ad, however many
// pages it takes; a page past the last one has no hits.
//
// # Facets
//
// Facets has the keys "level", "site", "city" and "indicator", always, each
// counting the ads among ALL matches of the query (not only the page) per
// value: at most 50 values, by count descending, then value ascending (byte
// order). An ad counts once per distinct indicator it has, and ads without
// a level, site or city are not counted for that facet. City values are
// grouped ignoring case, as the filter matches them, and ordered by the
// lower-cased value; each shows the spelling most matching ads use (ties:
// the first in byte order), so filtering on a facet value gives exactly its
// count. An Elasticsearch store gets the same from a terms aggregation on
// the lower-cased city with a size-1 terms sub-aggregation on the crawled
// spelling.
//
// Hits is never nil and each facet's list is never nil, so the JSON of a
// Result has the same shape whatever matched.
package bleveindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/search"
)

// The bleve index lives in a subdirectory of the directory given to Open,
// so that it can be built beside its final place and renamed into it on the
// same file system, even when the given directory is a mount point.
const (
	subdir   = "bleve"
	metaFile = "index_meta.json" // bleve writes it first; an index has one
)

// openConfig is handed to bleve on every open. A second process opening the
// same directory would otherwise wait on root.bolt's lock forever.
var openConfig = map[string]any{"bolt_timeout": "10s"}

// Index is a search index of scored ads in one directory. Its methods are
// safe for concurrent use.
type Index struct {
	dir    string
	logger *slog.Logger
	bi     bleve.Index

	// putMu makes a Put's reading of stored revisions and its writing one
	// step, so that two Puts cannot both find an older version stored.
	putMu sync.Mutex

	closeOnce sync.Once
	closeErr  error
}

// Open opens the index in dir, creating dir and the index if need be; files
// of others in dir are left alone. Reopening after a crash finds every Put
// that had returned. An index built with another mapping (by another
// version of adwatch) is an error: remove dir and re-index. A nil logger
// discards.
func Open(dir string, logger *slog.Logger) (*Index, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	path := filepath.Join(dir, subdir)
	created := false
	switch _, err := os.Stat(path); {
	case errors.Is(err, fs.ErrNotExist):
		if err := create(dir); err != nil {
			return nil, fmt.Errorf("create search index in %q: %w", dir, err)
		}
		created = true
	case err != nil:
		return nil, fmt.Errorf("open search index in %q: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(path, metaFile)); err != nil {
		return nil, fmt.Errorf("open search index in %q: %q is not a complete index (%w); remove it and re-index", dir, path, err)
	}
	bi, err := bleve.OpenUsing(path, openConfig)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open search index in %q: another process (or another Index in this one) holds it: %w", dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open search index in %q: %w", dir, err)
	}
	if err := checkMapping(bi); err != nil {
		_ = bi.Close()
		return nil, fmt.Errorf("open search index in %q: %w", dir, err)
	}
	ix := &Index{dir: dir, logger: logger, bi: bi}
	n, err := ix.Count(context.Background())
	if err != nil {
		_ = bi.Close()
		return nil, fmt.Errorf("open search index in %q: %w", dir, err)
	}
	logger.Info("search index open", "dir", dir, "created", created, "ads", n)
	return ix, nil
}

// create builds an empty index beside its place in dir and renames it into
// place, because bleve writes index_meta.json without fsync and before the
// store exists: a crash halfway through bleve.New would leave a directory
// that neither New nor Open accepts. The rename makes creation all or
// nothing.
func create(dir string) error {
	path := filepath.Join(dir, subdir)
	tmp := path + ".creating"
	// Only a crash during an earlier create leaves this behind.
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	bi, err := bleve.NewUsing(tmp, newMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return err
	}
	if err := bi.Close(); err != nil {
		return err
	}
	for _, p := range []string{filepath.Join(tmp, metaFile), tmp} {
		if err := syncPath(p); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncPath(dir)
}

// checkMapping refuses an index whose stored mapping differs from this
// build's: bleve silently keeps the mapping an index was created with, so
// a new field would be missing from every search without a word.
func checkMapping(bi bleve.Index) error {
	want, err := json.Marshal(newMapping())
	if err != nil {
		return err
	}
	got, err := json.Marshal(bi.Mapping())
	if err != nil {
		return err
	}
	if string(got) != string(want) {
		return errors.New("the index was built with a different mapping than this adwatch uses; remove the directory and re-index")
	}
	return nil
}

// Put stores ads as one batch; an ad replaces any stored ad with its ID
// unless the stored one has a higher ad.Scored.Revision, and of ads sharing
// an ID within ads the highest revision wins (the last, on a tie). It
// returns only once the batch is durable on disk (see the package comment).
// ctx is checked before the batch starts; a started batch cannot be
// abandoned halfway, so it runs to the end.
func (ix *Index) Put(ctx context.Context, ads []ad.Scored) error {
	if len(ads) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ids := make([]string, len(ads))
	revs := make([]int64, len(ads))
	for i, s := range ads {
		if s.ID == "" {
			return fmt.Errorf("put ads: ad %d of %d has no id", i+1, len(ads))
		}
		ids[i], revs[i] = s.ID, s.Revision()
	}
	ix.putMu.Lock()
	defer ix.putMu.Unlock()
	b := ix.bi.NewBatch()
	for _, i := range search.Latest(ids, revs) {
		stored, ok, err := ix.revision(ids[i])
		if err != nil {
			return fmt.Errorf("put ads: %w", err)
		}
		if ok && stored > revs[i] {
			continue // a later version is stored
		}
		d, err := document(ads[i])
		if err != nil {
			return fmt.Errorf("put ads: %w", err)
		}
		if err := b.Index(ids[i], d); err != nil {
			return fmt.Errorf("put ads: ad %q: %w", ids[i], err)
		}
	}
	if b.Size() == 0 {
		return nil
	}
	// scorch's Batch blocks until the persister has written and fsynced the
	// segment holding this batch and the root.bolt snapshot naming it,
	// because unsafe_batch is not set (bleve's default).
	if err := ix.bi.Batch(b); err != nil {
		return fmt.Errorf("put %d ads: %w", len(ads), err)
	}
	return nil
}

// revision returns the revision of the ad stored under id, and whether one
// is stored.
func (ix *Index) revision(id string) (int64, bool, error) {
	src, err := ix.source(id)
	if err != nil || src == nil {
		return 0, false, err
	}
	var s struct {
		ScoredAt time.Time `json:"scored_at"`
		LinkSeq  uint64    `json:"link_seq"`
	}
	if err := json.Unmarshal(src, &s); err != nil {
		return 0, false, fmt.Errorf("decode stored ad %q: %w", id, err)
	}
	return ad.Scored{ScoredAt: s.ScoredAt, LinkSeq: s.LinkSeq}.Revision(), true, nil
}

// source returns the stored JSON of the ad under id, nil if none.
func (ix *Index) source(id string) ([]byte, error) {
	doc, err := ix.bi.Document(id)
	if err != nil {
		return nil, fmt.Errorf("get ad %q: %w", id, err)
	}
	if doc == nil {
		return nil, nil
	}
	var src []byte
	doc.VisitFields(func(f index.Field) {
		if f.Name() == fieldSource {
			src = f.Value()
		}
	})
	if len(src) == 0 {
		return nil, fmt.Errorf("document %q has no stored source", id)
	}
	return src, nil
}

// Get returns the ad stored under id, or search.ErrNotFound.
func (ix *Index) Get(ctx context.Context, id string) (ad.Scored, error) {
	if err := ctx.Err(); err != nil {
		return ad.Scored{}, err
	}
	src, err := ix.source(id)
	if err != nil {
		return ad.Scored{}, err
	}
	if src == nil {
		return ad.Scored{}, search.ErrNotFound
	}
	s, err := decode(id, src)
	if err != nil {
		return ad.Scored{}, fmt.Errorf("get ad %q: %w", id, err)
	}
	return s, nil
}

// Count returns how many ads the index holds.
func (ix *Index) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n, err := ix.bi.DocCount()
	if err != nil {
		return 0, fmt.Errorf("count ads: %w", err)
	}
	return int(n), nil
}

// Close waits for Puts under way, then closes the index; later calls return
// the first call's result.
func (ix *Index) Close() error {
	ix.closeOnce.Do(func() {
		ix.closeErr = ix.bi.Close()
		if ix.closeErr != nil {
			ix.closeErr = fmt.Errorf("close search index in %q: %w", ix.dir, ix.closeErr)
		}
		ix.logger.Info("search index closed", "dir", ix.dir, "err", ix.closeErr)
	})
	return ix.closeErr
}

func decode(id string, src []byte) (ad.Scored, error) {
	if len(src) == 0 {
		return ad.Scored{}, fmt.Errorf("document %q has no stored source", id)
	}
	var s ad.Scored
	if err := json.Unmarshal(src, &s); err != nil {
		return ad.Scored{}, fmt.Errorf("decode stored ad %q: %w", id, err)
	}
	return s, nil
}

// syncPath fsyncs a file or directory, so that what was written or renamed
// in it survives a power cut.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
