package bleveindex

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/search"
)

// Search returns one page of the ads matching q, in q's order, with the
// total and the facets over every match. The package comment gives the
// semantics every store shares.
func (ix *Index) Search(ctx context.Context, q search.Query) (search.Result, error) {
	req, err := request(q)
	if err != nil {
		return search.Result{}, err
	}
	res, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		return search.Result{}, fmt.Errorf("search ads: %w", err)
	}
	out := search.Result{
		Total:  int(res.Total),
		Hits:   make([]ad.Scored, 0, len(res.Hits)),
		Facets: make(map[string][]search.FacetCount, len(search.FacetNames)),
	}
	for _, h := range res.Hits {
		src, _ := h.Fields[fieldSource].(string)
		s, err := decode(h.ID, []byte(src))
		if err != nil {
			return search.Result{}, fmt.Errorf("search ads: %w", err)
		}
		out.Hits = append(out.Hits, s)
	}
	for _, name := range search.FacetNames {
		out.Facets[name] = []search.FacetCount{}
	}
	for name, fr := range res.Facets {
		if fr.Terms == nil {
			continue
		}
		terms := fr.Terms.Terms()
		if name == "city" {
			out.Facets[name] = cityFacet(terms)
			continue
		}
		counts := make([]search.FacetCount, 0, len(terms))
		for _, t := range terms {
			counts = append(counts, search.FacetCount{Value: t.Term, Count: t.Count})
		}
		// bleve already orders count desc, term asc; sort again so the
		// contract does not rest on that.
		sortFacet(counts)
		out.Facets[name] = counts[:min(len(counts), search.FacetSize)]
	}
	return out, nil
}

// request translates q into a bleve search request.
func request(q search.Query) (*bleve.SearchRequest, error) {
	from, size, err := q.Window()
	if err != nil {
		return nil, err
	}
	order, err := sortOrder(q.Sort)
	if err != nil {
		return nil, err
	}

	req := bleve.NewSearchRequestOptions(filter(q), size, from, false)
	req.Fields = []string{fieldSource}
	req.Sort = order
	// The order never uses relevance, so scoring would be wasted work.
	req.Score = bleve.ScoreNone
	for name, field := range map[string]string{
		"level":     fieldLevel,
		"site":      fieldSite,
		"indicator": fieldIndicator,
	} {
		req.AddFacet(name, bleve.NewFacetRequest(field, search.FacetSize))
	}
	// Every spelling is needed to group them ignoring case; bleve tallies
	// every value of every match whatever the size, so this costs no more.
	req.AddFacet("city", bleve.NewFacetRequest(fieldCityDisplay, math.MaxInt32))
	return req, nil
}

// filter is the conjunction of q's text match and filters.
func filter(q search.Query) query.Query {
	var must []query.Query
	if text := strings.TrimSpace(q.Text); text != "" {
		var langs []query.Query
		for _, field := range []string{fieldTextDA, fieldTextEN} {
			m := bleve.NewMatchQuery(text)
			m.SetField(field)
			m.SetOperator(query.MatchQueryOperatorAnd)
			langs = append(langs, m)
		}
		must = append(must, bleve.NewDisjunctionQuery(langs...))
	}
	if q.MinScore > 0 {
		lo, incl := float64(q.MinScore), true
		r := bleve.NewNumericRangeInclusiveQuery(&lo, nil, &incl, nil)
		r.SetField(fieldScore)
		must = append(must, r)
	}
	if len(q.Levels) > 0 {
		var anyOf []query.Query
		for _, l := range q.Levels {
			anyOf = append(anyOf, term(fieldLevel, l))
		}
		must = append(must, bleve.NewDisjunctionQuery(anyOf...))
	}
	for _, ind := range q.Indicators {
		must = append(must, term(fieldIndicator, ind))
	}
	if q.City != "" {
		must = append(must, term(fieldCity, strings.ToLower(q.City)))
	}
	if q.Site != "" {
		must = append(must, term(fieldSite, q.Site))
	}
	if len(must) == 0 {
		return bleve.NewMatchAllQuery()
	}
	return bleve.NewConjunctionQuery(must...)
}

func term(field, value string) query.Query {
	t := bleve.NewTermQuery(value)
	t.SetField(field)
	return t
}

// sortOrder returns the hit order for a search.Sort* value: its sort key
// (see sortKey), then the id, so that equal keys still come in one order on
// every request.
func sortOrder(s string) (bsearch.SortOrder, error) {
	var key string
	switch s {
	case "", search.SortRisk:
		key = fieldSortRisk
	case search.SortNewest:
		key = fieldSortNewest
	case search.SortOrganised:
		key = fieldSortOrganised
	default:
		return nil, fmt.Errorf("search ads: sort %q is not one of %s, %s, %s", s, search.SortRisk, search.SortNewest, search.SortOrganised)
	}
	return bsearch.SortOrder{
		&bsearch.SortField{Field: key, Type: bsearch.SortFieldAsString},
		&bsearch.SortDocID{},
	}, nil
}

// cityFacet groups the crawled spellings of each city ignoring case, as the
// city filter does, labelling each group with its most used spelling.
func cityFacet(terms []*bsearch.TermFacet) []search.FacetCount {
	type group struct {
		key   string
		count int
		label string // the spelling with the most ads; ties: the least in byte order
		best  int
	}
	groups := map[string]*group{}
	for _, t := range terms {
		key := strings.ToLower(t.Term)
		g := groups[key]
		if g == nil {
			g = &group{key: key}
			groups[key] = g
		}
		g.count += t.Count
		if t.Count > g.best || (t.Count == g.best && t.Term < g.label) {
			g.label, g.best = t.Term, t.Count
		}
	}
	keyed := make([]search.FacetCount, 0, len(groups))
	labels := make(map[string]string, len(groups))
	for _, g := range groups {
		keyed = append(keyed, search.FacetCount{Value: g.key, Count: g.count})
		labels[g.key] = g.label
	}
	sortFacet(keyed)
	keyed = keyed[:min(len(keyed), search.FacetSize)]
	for i := range keyed {
		keyed[i].Value = labels[keyed[i].Value]
	}
	return keyed
}

// sortFacet orders counts by count descending, then by value ascending.
func sortFacet(counts []search.FacetCount) {
	slices.SortFunc(counts, func(a, b search.FacetCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
}
