package esindex

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/search"
)

// Search returns one page of the ads matching q, in q's order, with the
// total and the facets over every match; the contract is in the package
// comment of search/bleveindex.
func (s *Store) Search(ctx context.Context, q search.Query) (search.Result, error) {
	body, err := searchBody(q)
	if err != nil {
		return search.Result{}, err
	}
	var res searchResponse
	if err := s.do(ctx, esapi.SearchRequest{Index: []string{s.alias}, Body: bytes.NewReader(body)}, &res); err != nil {
		return search.Result{}, fmt.Errorf("search ads: %w", err)
	}
	out := search.Result{
		Total:  res.Hits.Total.Value,
		Hits:   make([]ad.Scored, 0, len(res.Hits.Hits)),
		Facets: make(map[string][]search.FacetCount, len(search.FacetNames)),
	}
	for _, h := range res.Hits.Hits {
		a, err := decodeSource(h.ID, h.Source)
		if err != nil {
			return search.Result{}, fmt.Errorf("search ads: %w", err)
		}
		out.Hits = append(out.Hits, a)
	}
	for _, name := range search.FacetNames {
		buckets := res.Aggregations[name].Buckets
		counts := make([]search.FacetCount, 0, len(buckets))
		for _, b := range buckets {
			value := b.Key
			// A city bucket is keyed by the lower-cased city; its label is
			// the spelling most of its ads use.
			if b.Label != nil && len(b.Label.Buckets) > 0 {
				value = b.Label.Buckets[0].Key
			}
			counts = append(counts, search.FacetCount{Value: value, Count: b.DocCount})
		}
		out.Facets[name] = counts
	}
	return out, nil
}

type searchResponse struct {
	Hits struct {
		Total struct {
			Value int `json:"value"`
		} `json:"total"`
		Hits []struct {
			ID     string          `json:"_id"`
			Source json.RawMessage `json:"_source"`
		} `json:"hits"`
	} `json:"hits"`
	Aggregations map[string]struct {
		Buckets []bucket `json:"buckets"`
	} `json:"aggregations"`
}

type bucket struct {
	Key      string `json:"key"`
	DocCount int    `json:"doc_count"`
	Label    *struct {
		Buckets []bucket `json:"buckets"`
	} `json:"label"`
}

// searchBody translates q into the body of a _search request.
func searchBody(q search.Query) ([]byte, error) {
	from, size, err := q.Window()
	if err != nil {
		return nil, err
	}
	order, err := sortOrder(q.Sort)
	if err != nil {
		return nil, err
	}
	// Ordered by count, then by value in byte order (keyword order); the
	// empty string is what a missing site or level is stored as, and the
	// embedded index does not count it.
	terms := func(field string) obj {
		return obj{"terms": obj{
			"field": field, "size": search.FacetSize, "exclude": []string{""},
			"order": []obj{{"_count": "desc"}, {"_key": "asc"}},
		}}
	}
	city := terms("city")
	city["aggs"] = obj{"label": obj{"terms": obj{
		"field": "city.raw", "size": 1,
		"order": []obj{{"_count": "desc"}, {"_key": "asc"}},
	}}}
	body := obj{
		"from":             from,
		"size":             size,
		"track_total_hits": true,
		"query":            filter(q),
		"sort":             order,
		"aggs": obj{
			"level":     terms("level"),
			"site":      terms("site"),
			"city":      city,
			"indicator": terms("indicators.id"),
		},
	}
	return mustJSON(body), nil
}

// filter is the conjunction of q's text match and filters, all in filter
// context: the order never uses relevance, so nothing is scored.
func filter(q search.Query) obj {
	var must []obj
	if text := strings.TrimSpace(q.Text); text != "" {
		// Every word (after the language's stop words) must occur in the
		// title or the text, under Danish or under English analysis:
		// cross_fields treats title and text as one field per analyzer.
		lang := func(fields ...string) obj {
			return obj{"multi_match": obj{
				"query": text, "type": "cross_fields", "operator": "and", "fields": fields,
			}}
		}
		must = append(must, obj{"bool": obj{
			"should":               []obj{lang("title", "text"), lang("title.en", "text.en")},
			"minimum_should_match": 1,
		}})
	}
	if q.MinScore > 0 {
		must = append(must, obj{"range": obj{"score": obj{"gte": q.MinScore}}})
	}
	if len(q.Levels) > 0 {
		// The embedded index stores no empty level, so "" matches nothing.
		var levels []string
		for _, l := range q.Levels {
			if l != "" {
				levels = append(levels, l)
			}
		}
		if len(levels) == 0 {
			return matchNone()
		}
		must = append(must, obj{"terms": obj{"level": levels}})
	}
	for _, ind := range q.Indicators {
		if ind == "" {
			return matchNone()
		}
		must = append(must, obj{"term": obj{"indicators.id": ind}})
	}
	if q.City != "" {
		// The normalizer lower-cases the term too; doing it here as well
		// keeps the query readable in a slow log.
		must = append(must, obj{"term": obj{"city": strings.ToLower(q.City)}})
	}
	if q.Site != "" {
		must = append(must, obj{"term": obj{"site": q.Site}})
	}
	if len(must) == 0 {
		return obj{"match_all": obj{}}
	}
	return obj{"bool": obj{"filter": must}}
}

func matchNone() obj { return obj{"match_none": obj{}} }

// sortOrder returns the hit order for a search.Sort* value, ending with the
// id so that equal keys still come in one order on every request.
func sortOrder(s string) ([]obj, error) {
	desc := func(field string) obj { return obj{field: obj{"order": "desc"}} }
	id := obj{"id": obj{"order": "asc"}}
	switch s {
	case "", search.SortRisk:
		return []obj{desc("priority"), desc("ad_risk"), id}, nil
	case search.SortNewest:
		// Ads with neither date have no recency_ms and come last.
		return []obj{{"recency_ms": obj{"order": "desc", "missing": "_last"}}, id}, nil
	case search.SortOrganised:
		return []obj{desc("organised_activity"), desc("priority"), id}, nil
	}
	return nil, fmt.Errorf("search ads: sort %q is not one of %s, %s, %s", s, search.SortRisk, search.SortNewest, search.SortOrganised)
}
