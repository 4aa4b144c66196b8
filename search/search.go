// Package search defines the contract between the web API and the stores that
// hold scored ads (the embedded index and Elasticsearch): the query an API
// request asks, the result a store returns, and how a request's parameters
// become a query. Every store must give the same answer to the same Query.
package search

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/adwatch/adwatch/ad"
)

// ErrNotFound is returned by a store's Get for an id it does not hold.
var ErrNotFound = errors.New("ad not found")

// Sort orders.
const (
	// SortRisk puts escalated ads first, then the highest score (the default).
	SortRisk = "risk"
	// SortNewest puts the most recently posted (or fetched) ads first.
	SortNewest = "newest"
	// SortOrganised puts the highest organised-activity score first.
	SortOrganised = "organised"
)

// Paging limits.
const (
	DefaultSize = 20
	MaxSize     = 100
	// MaxPage keeps deep paging cheap for every store; narrow the query instead.
	MaxPage = 500
)

// Latest picks one position per id of ids for a store to write: of the
// versions of an ad, the one with the highest revision (ad.Scored.Revision),
// the last on a tie. A store keeps an ad's highest revision also across
// writes: a version below the stored one is not written.
func Latest(ids []string, revs []int64) []int {
	at := make(map[string]int, len(ids))
	var pick []int
	for i, id := range ids {
		j, ok := at[id]
		if !ok {
			at[id] = len(pick)
			pick = append(pick, i)
			continue
		}
		if revs[i] >= revs[pick[j]] {
			pick[j] = i
		}
	}
	return pick
}

// FacetSize is how many values, at the most, each facet lists.
const FacetSize = 50

// Facet names returned in Result.Facets.
var FacetNames = []string{"level", "site", "city", "indicator"}

// Query is a search over scored ads. Zero values mean "no filter".
type Query struct {
	Text       string   // full text over title and text, Danish and English
	MinScore   int      // minimum of the higher of ad_risk and organised_activity
	Levels     []string // any of
	Indicators []string // all of
	City       string
	Site       string
	Sort       string // one of SortRisk (default), SortNewest, SortOrganised
	Page       int    // 1-based
	Size       int    // hits per page
}

// Window returns the hits q asks for as the offset of the first and how
// many: page 1 and DefaultSize when unset; an error for a page or size out
// of range, which every store returns as its own.
func (q Query) Window() (from, size int, err error) {
	page, size := q.Page, q.Size
	if page == 0 {
		page = 1
	}
	if size == 0 {
		size = DefaultSize
	}
	if page < 1 || page > MaxPage {
		return 0, 0, fmt.Errorf("search ads: page %d is not from 1 to %d", q.Page, MaxPage)
	}
	if size < 1 || size > MaxSize {
		return 0, 0, fmt.Errorf("search ads: size %d is not from 1 to %d", q.Size, MaxSize)
	}
	return (page - 1) * size, size, nil
}

// Result is one page of hits with the total count and facet counts over every
// matching ad (not only the page).
type Result struct {
	Total  int                     `json:"total"`
	Hits   []ad.Scored             `json:"hits"`
	Facets map[string][]FacetCount `json:"facets"`
}

// FacetCount is how many matching ads have Value.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// ParseQuery reads a query from URL parameters: q, min_score, level (repeatable
// or comma-separated), indicator (likewise), city, site, sort, page, size.
// Its error names the parameter and what would be valid.
func ParseQuery(v url.Values) (Query, error) {
	q := Query{
		Text: strings.TrimSpace(v.Get("q")),
		City: strings.TrimSpace(v.Get("city")),
		Site: strings.TrimSpace(v.Get("site")),
		Sort: v.Get("sort"),
		Page: 1,
		Size: DefaultSize,
	}
	var errs []error
	intParam := func(name string, lo, hi int, dst *int) {
		s := v.Get(name)
		if s == "" {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			errs = append(errs, fmt.Errorf("parameter %q: %q is not a whole number from %d to %d", name, s, lo, hi))
			return
		}
		*dst = n
	}
	intParam("min_score", 0, 100, &q.MinScore)
	intParam("page", 1, MaxPage, &q.Page)
	intParam("size", 1, MaxSize, &q.Size)
	q.Levels = listParam(v, "level")
	for _, l := range q.Levels {
		if !slices.Contains([]string{ad.LevelNone, ad.LevelLow, ad.LevelMedium, ad.LevelHigh}, l) {
			errs = append(errs, fmt.Errorf("parameter \"level\": %q is not one of none, low, medium, high", l))
		}
	}
	q.Indicators = listParam(v, "indicator")
	switch q.Sort {
	case "":
		q.Sort = SortRisk
	case SortRisk, SortNewest, SortOrganised:
	default:
		errs = append(errs, fmt.Errorf("parameter \"sort\": %q is not one of risk, newest, organised", q.Sort))
	}
	return q, errors.Join(errs...)
}

// Values is the inverse of ParseQuery, for links that keep a search.
func (q Query) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", q.Text)
	if q.MinScore > 0 {
		v.Set("min_score", strconv.Itoa(q.MinScore))
	}
	for _, l := range q.Levels {
		v.Add("level", l)
	}
	for _, i := range q.Indicators {
		v.Add("indicator", i)
	}
	set("city", q.City)
	set("site", q.Site)
	if q.Sort != SortRisk {
		set("sort", q.Sort)
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.Size != DefaultSize && q.Size != 0 {
		v.Set("size", strconv.Itoa(q.Size))
	}
	return v
}

func listParam(v url.Values, name string) []string {
	var out []string
	for _, s := range v[name] {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}
