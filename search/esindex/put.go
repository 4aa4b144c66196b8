package esindex

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/elastic/go-elasticsearch/v8/esutil"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/internal/wait"
	"github.com/adwatch/adwatch/search"
)

// ItemErrors is the error Put returns when some ads were refused for what
// they are: putting them again would fail again, so the caller should set
// them aside (dead-letter them) with the reason. Every other ad of that Put
// is stored and visible, so the caller can acknowledge those.
//
// A caller that should not import this package finds it by its method:
//
//	var r interface{ Rejected() map[string]string }
//	if errors.As(err, &r) { for id, reason := range r.Rejected() { ... } }
type ItemErrors struct {
	Items  []ItemError // in the order of the ads given to Put
	Stored int         // how many of the Put's distinct ads were stored
}

// ItemError is one refused ad.
type ItemError struct {
	ID string
	// Status is Elasticsearch's HTTP status for the item, or 0 when Put
	// refused the ad without sending it.
	Status int
	// Reason is the error's type and reason as Elasticsearch gave them,
	// cut before any part that quotes the document, so that no ad text
	// reaches a log or a dead-letter reason.
	Reason string
}

func (e *ItemErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "elasticsearch refused %d ads for good (%d stored)", len(e.Items), e.Stored)
	for i, it := range e.Items {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Items)-i)
			break
		}
		fmt.Fprintf(&b, "; %q: %s", it.ID, it.Reason)
	}
	return b.String()
}

// Rejected returns the reason for each refused ad by id.
func (e *ItemErrors) Rejected() map[string]string {
	m := make(map[string]string, len(e.Items))
	for _, it := range e.Items {
		m[it.ID] = it.Reason
	}
	return m
}

// outcome is what became of one ad in one bulk round.
type outcome int

const (
	unanswered outcome = iota // no answer for the item: the context ended first, or the bulk answer was short
	stored
	deferred // 429 or 5xx for the item: try it again
	refused  // the ad itself is the problem: report it in ItemErrors
	failed   // neither the ad nor a passing condition: fail the Put
)

type result struct {
	outcome
	status int
	reason string
}

// doc is an encoded ad waiting to be stored.
type doc struct {
	pos     int // among the Put's distinct ads, to report refusals in order
	id      string
	body    []byte
	version int64  // ad.Scored.Revision, as an external version
	reason  string // why the last round did not store it
}

// Put stores ads, each under its id, replacing any ad stored with that id
// unless the stored one has a higher ad.Scored.Revision; of ads sharing an
// id within ads, the highest revision wins (the last, on a tie). It returns
// nil once Elasticsearch has confirmed every ad and the ads are visible to
// Search; an *ItemErrors when some ads were refused for good and all others
// stored; any other error when the outcome is not known, and then the
// whole batch may be put again. See the package comment.
func (s *Store) Put(ctx context.Context, ads []ad.Scored) error {
	if len(ads) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %d ads: %w", len(ads), err)
	}
	ids := make([]string, len(ads))
	revs := make([]int64, len(ads))
	for i := range ads {
		if ads[i].ID == "" {
			return fmt.Errorf("put ads: ad %d of %d has no id", i+1, len(ads))
		}
		ids[i], revs[i] = ads[i].ID, ads[i].Revision()
	}
	return s.put(ctx, ids, search.Latest(ids, revs), func(i int) ([]byte, int64, error) {
		b, err := document(ads[i])
		return b, revs[i], err
	})
}

// PutJSON is Put for ads given as the JSON of ad.Scored, as the bus carries
// them: ids[i] is the id of docs[i]. It spares the indexer decoding every ad
// only for Put to encode it again, which on a small machine costs more than
// Elasticsearch's own work.
func (s *Store) PutJSON(ctx context.Context, ids []string, docs [][]byte) error {
	if len(ids) != len(docs) {
		return fmt.Errorf("put ads: %d ids for %d documents", len(ids), len(docs))
	}
	if len(ids) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %d ads: %w", len(ids), err)
	}
	bodies := make([][]byte, len(docs))
	revs := make([]int64, len(docs))
	errs := make([]error, len(docs))
	for i, id := range ids {
		if id == "" {
			return fmt.Errorf("put ads: ad %d of %d has no id", i+1, len(ids))
		}
		bodies[i], revs[i], errs[i] = documentFromJSON(docs[i])
	}
	return s.put(ctx, ids, search.Latest(ids, revs), func(i int) ([]byte, int64, error) { return bodies[i], revs[i], errs[i] })
}

// put stores the ads at positions pick, one per id; body gives the
// document and revision of the ad at a position.
func (s *Store) put(ctx context.Context, ids []string, pick []int, body func(int) ([]byte, int64, error)) error {
	type refusal struct {
		pos int
		ItemError
	}
	var refusals []refusal
	todo := make([]doc, 0, len(pick))
	for pos, i := range pick {
		id := ids[i]
		if len(id) > maxIDBytes {
			refusals = append(refusals, refusal{pos, ItemError{ID: id,
				Reason: fmt.Sprintf("id is %d bytes long; Elasticsearch allows %d", len(id), maxIDBytes)}})
			continue
		}
		b, rev, err := body(i)
		if err != nil {
			// encoding/json's errors name the type or value kind, not the text.
			refusals = append(refusals, refusal{pos, ItemError{ID: id, Reason: "cannot encode the ad as JSON: " + err.Error()}})
			continue
		}
		todo = append(todo, doc{pos: pos, id: id, body: b, version: rev})
	}

	n, nStored := len(pick), 0
	for attempt := 0; len(todo) > 0; attempt++ {
		if attempt > 0 {
			if attempt > s.opts.Retries {
				return fmt.Errorf("put %d ads: %d not stored after %d attempts; %q: %s", n, len(todo), attempt, todo[0].id, todo[0].reason)
			}
			s.logger.Warn("elasticsearch deferred ads; trying them again", "ads", len(todo), "of", n, "attempt", attempt, "reason", todo[0].reason)
			if !wait.Sleep(ctx, backoff(s.opts.RetryBackoff, attempt)) {
				return fmt.Errorf("put %d ads: %w", n, ctx.Err())
			}
		}
		results := s.bulk(ctx, todo)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("put %d ads: %w", n, err)
		}
		var again []doc
		var fail []string
		for i, r := range results {
			d := todo[i]
			switch r.outcome {
			case stored:
				nStored++
			case refused:
				refusals = append(refusals, refusal{d.pos, ItemError{ID: d.id, Status: r.status, Reason: r.reason}})
			case deferred, unanswered:
				d.reason = r.reason
				again = append(again, d)
			case failed:
				fail = append(fail, fmt.Sprintf("%q: %s", d.id, r.reason))
			}
		}
		if len(fail) > 0 {
			return fmt.Errorf("put %d ads: %d failed; %s", n, len(fail), strings.Join(fail[:min(3, len(fail))], "; "))
		}
		todo = again
	}
	if nStored > 0 && s.opts.Refresh == RefreshExplicit {
		if err := s.refresh(ctx); err != nil {
			return fmt.Errorf("put %d ads: stored, but not made visible: %w", n, err)
		}
	}
	if len(refusals) == 0 {
		return nil
	}
	slices.SortFunc(refusals, func(a, b refusal) int { return a.pos - b.pos })
	e := &ItemErrors{Items: make([]ItemError, len(refusals)), Stored: nStored}
	for i, r := range refusals {
		e.Items[i] = r.ItemError
	}
	s.logger.Warn("elasticsearch refused ads for good", "refused", len(e.Items), "stored", nStored)
	return e
}

// bulk sends docs through a BulkIndexer and returns what became of each.
// Requests answered 429 or 5xx are retried inside the client; what comes
// back here as deferred was refused item by item.
func (s *Store) bulk(ctx context.Context, docs []doc) []result {
	results := make([]result, len(docs))
	var mu sync.Mutex
	set := func(i int, r result) {
		mu.Lock()
		results[i] = r
		mu.Unlock()
	}
	cfg := esutil.BulkIndexerConfig{
		Client:        s.es,
		Index:         s.target,
		RequireAlias:  s.target == s.alias,
		NumWorkers:    s.opts.Workers,
		FlushBytes:    s.opts.FlushBytes,
		FlushInterval: s.opts.FlushInterval,
		// The indexer's workers send with a background context; this one
		// lets a cancelled Put abandon its requests.
		OnFlushStart: func(context.Context) context.Context { return ctx },
	}
	if s.opts.Refresh == RefreshWaitFor {
		cfg.Refresh = "wait_for"
	}
	bi, err := esutil.NewBulkIndexer(cfg)
	if err != nil { // only for a bad configuration, which Open rules out
		for i := range results {
			results[i] = result{outcome: failed, reason: err.Error()}
		}
		return results
	}
	for i, d := range docs {
		err := bi.Add(ctx, esutil.BulkIndexerItem{
			Action:     "index",
			DocumentID: d.id,
			// external_gte: stored unless the stored document has a higher
			// revision; an equal one is the same version put again.
			Version:     &d.version,
			VersionType: "external_gte",
			Body:        bytes.NewReader(d.body),
			OnSuccess: func(context.Context, esutil.BulkIndexerItem, esutil.BulkIndexerResponseItem) {
				set(i, result{outcome: stored})
			},
			OnFailure: func(_ context.Context, _ esutil.BulkIndexerItem, res esutil.BulkIndexerResponseItem, err error) {
				set(i, classify(res, err))
			},
		})
		if err != nil { // ctx ended while the workers were busy
			break
		}
	}
	// Close flushes and, unless ctx ends first, waits for every answer.
	_ = bi.Close(ctx)
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(results)
}

// classify tells what a refused item means for the ad.
func classify(res esutil.BulkIndexerResponseItem, err error) result {
	if err != nil {
		// The whole request failed after the client's retries (a
		// connection error, or an error answer such as 401 or 413).
		return result{outcome: failed, reason: err.Error()}
	}
	r := result{status: res.Status, reason: itemReason(res)}
	switch {
	case res.Status == http.StatusConflict && res.Error.Type == "version_conflict_engine_exception":
		// A later version of the ad is stored: this one is superseded,
		// which is what storing it would have come to.
		r.outcome = stored
	case res.Status == http.StatusTooManyRequests || res.Status >= 500:
		r.outcome = deferred
	case res.Status == http.StatusBadRequest && !indexProblem(res.Error.Type, res.Error.Reason):
		r.outcome = refused
	default:
		// 401, 403, 404 (the alias is gone), a closed index...: not the
		// ad's fault, and not over by itself within a Put.
		r.outcome = failed
	}
	return r
}

// indexProblem reports whether a 400 for an item is about the index
// rather than the document, so that no ad is dead-lettered for it.
func indexProblem(typ, reason string) bool {
	switch typ {
	case "index_closed_exception", "index_not_found_exception", "cluster_block_exception":
		return true
	case "illegal_argument_exception":
		return strings.Contains(reason, "write index") || strings.Contains(reason, "alias")
	}
	return false
}

// quoting marks where Elasticsearch starts quoting the document in a
// reason: from there on it may be ad text.
var quoting = []string{". Preview of field's value", "The prefix of the first immense term", " at [Source:", "\n"}

// itemReason is the item's error type and reason without any quote of the
// document. The caused_by reason is left out for the same cause: for a
// parse error it holds the whole source.
func itemReason(res esutil.BulkIndexerResponseItem) string {
	reason := res.Error.Reason
	for _, q := range quoting {
		if i := strings.Index(reason, q); i >= 0 {
			reason = reason[:i]
		}
	}
	if len(reason) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(reason[cut]) {
			cut--
		}
		reason = reason[:cut] + "…"
	}
	out := res.Error.Type + ": " + strings.TrimSpace(reason)
	if res.Error.Type == "" {
		out = fmt.Sprintf("status %d", res.Status)
	}
	if c := res.Error.Cause.Type; c != "" {
		out += " (caused by " + c + ")"
	}
	return out
}

// refresh makes everything written to the index visible to searches.
func (s *Store) refresh(ctx context.Context) error {
	var res struct {
		Shards struct {
			Total, Successful, Failed int
		} `json:"_shards"`
	}
	if err := s.do(ctx, esapi.IndicesRefreshRequest{Index: []string{s.target}}, &res); err != nil {
		return fmt.Errorf("refresh %q: %w", s.alias, err)
	}
	if res.Shards.Failed > 0 {
		return fmt.Errorf("refresh %q: %d of %d shard copies failed", s.alias, res.Shards.Failed, res.Shards.Total)
	}
	return nil
}
