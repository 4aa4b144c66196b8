package bleveindex

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/da"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/adwatch/adwatch/ad"
)

// Field names in the index. An Elasticsearch store can use the same names
// for the same values, except the sort_* keys, which exist for bleve's sake:
// Elasticsearch sorts on several numeric fields cheaply.
const (
	fieldSource      = "source"       // the whole ad.Scored as JSON; stored, not indexed
	fieldTextDA      = "text_da"      // title and text, Danish analysis
	fieldTextEN      = "text_en"      // title and text, English analysis
	fieldLevel       = "level"        // keyword
	fieldSite        = "site"         // keyword
	fieldCity        = "city"         // keyword, lower-cased: the filter
	fieldCityDisplay = "city_display" // keyword as crawled: the facet's labels
	fieldIndicator   = "indicator"    // keyword, one value per distinct indicator id
	fieldScore       = "score"        // max(ad_risk, organised_activity)
	fieldPriority    = "priority"     // ad.Assessment.Priority: score, +1000 per minor_cue flag
	fieldRecency     = "recency_ms"   // posted_at, else fetched_at, in Unix milliseconds

	// One keyword per order, whose byte order is the order's key order (see
	// sortKey): sorting on one term per ad is about five times faster in
	// bleve than on two numeric fields, each of which holds 16 terms per ad.
	fieldSortRisk      = "sort_risk"
	fieldSortNewest    = "sort_newest"
	fieldSortOrganised = "sort_organised"
)

// newMapping is the index's schema. It is static (nothing dynamic), so a
// field that is not named here never reaches the index, and every field is
// left out of bleve's _all field, which nothing queries.
func newMapping() *mapping.IndexMappingImpl {
	text := func(analyzer string) *mapping.FieldMapping {
		// Hits are sorted by fields, never by relevance, and nothing is
		// highlighted, so term vectors would only cost space.
		return &mapping.FieldMapping{Type: "text", Analyzer: analyzer, Index: true}
	}
	kw := func() *mapping.FieldMapping {
		// Doc values serve facets; keyword fields are only ever matched whole.
		return &mapping.FieldMapping{Type: "text", Analyzer: keyword.Name, Index: true, DocValues: true}
	}
	num := func() *mapping.FieldMapping {
		// Range filters read the terms; nothing sorts or facets on numbers.
		return &mapping.FieldMapping{Type: "number", Index: true}
	}

	doc := mapping.NewDocumentStaticMapping()
	add := doc.AddFieldMappingsAt
	add(fieldSource, &mapping.FieldMapping{Type: "text", Analyzer: keyword.Name, Store: true})
	add(fieldTextDA, text(da.AnalyzerName))
	add(fieldTextEN, text(en.AnalyzerName))
	add(fieldLevel, kw())
	add(fieldSite, kw())
	add(fieldCity, kw())
	add(fieldCityDisplay, kw())
	add(fieldIndicator, kw())
	add(fieldScore, num())
	// No query filters on priority or recency yet; they are indexed so that
	// filters such as "escalated only" or "posted since" need no re-index.
	add(fieldPriority, num())
	add(fieldRecency, num())
	add(fieldSortRisk, kw())
	add(fieldSortNewest, kw())
	add(fieldSortOrganised, kw())

	im := mapping.NewIndexMapping()
	im.DefaultMapping = doc
	im.DefaultAnalyzer = keyword.Name
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	return im
}

// document is what the index holds for one ad: the stored JSON plus the
// fields that queries filter, sort and facet on.
func document(s ad.Scored) (map[string]any, error) {
	src, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode ad %q: %w", s.ID, err)
	}
	score := max(s.AdRisk, s.OrganisedActivity)
	d := map[string]any{
		fieldSource: string(src),
		// One analysed copy of title and text per language: all words of a
		// query must appear in the ad, whichever of the two holds them.
		fieldTextDA:        s.Title + "\n" + s.Text,
		fieldTextEN:        s.Title + "\n" + s.Text,
		fieldScore:         score,
		fieldPriority:      s.Priority(),
		fieldSortRisk:      sortKey(int64(s.Priority()), int64(s.AdRisk)),
		fieldSortOrganised: sortKey(int64(s.OrganisedActivity), int64(s.Priority())),
		fieldSortNewest:    sortKeyMissing,
		fieldIndicator:     indicatorIDs(s.Indicators),
		fieldLevel:         s.Level,
		fieldSite:          s.Site,
		fieldCity:          strings.ToLower(s.City),
		fieldCityDisplay:   s.City,
	}
	// An empty keyword would be a facet value of its own; absent is what it means.
	for _, f := range []string{fieldLevel, fieldSite, fieldCity, fieldCityDisplay} {
		if d[f] == "" {
			delete(d, f)
		}
	}
	// Milliseconds, as an Elasticsearch date field keeps them, so both stores
	// order ads posted within the same millisecond by id alone.
	if t := s.PostedAt; !t.IsZero() || !s.FetchedAt.IsZero() {
		if t.IsZero() {
			t = s.FetchedAt
		}
		d[fieldRecency] = t.UnixMilli()
		d[fieldSortNewest] = sortKey(t.UnixMilli())
	}
	return d, nil
}

// sortKeyMissing sorts after every key sortKey makes (they are hex digits).
const sortKeyMissing = "~"

// sortKey encodes values so that ascending byte order of keys is descending
// order of the values, the first value deciding and the next breaking ties:
// each value is flipped to an order-preserving unsigned number (sign bit
// flipped), complemented to reverse it, and written as 16 hex digits.
func sortKey(values ...int64) string {
	var b strings.Builder
	for _, v := range values {
		fmt.Fprintf(&b, "%016x", ^(uint64(v) ^ 1<<63))
	}
	return b.String()
}

// indicatorIDs returns the distinct indicator ids, since a term facet counts
// every value a document holds and an ad counts once per indicator.
func indicatorIDs(inds []ad.Indicator) []string {
	ids := make([]string, 0, len(inds))
	for _, ind := range inds {
		if ind.ID != "" && !slices.Contains(ids, ind.ID) {
			ids = append(ids, ind.ID)
		}
	}
	return ids
}
