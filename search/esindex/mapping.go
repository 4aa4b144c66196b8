package esindex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/search"
)

// mappingVersion numbers the index layout below. A change that an existing
// index cannot take by a mapping update (a new analyzer, a changed field
// type) must bump it; Open then refuses an index of another version (see
// "Changing the mapping" in the package comment).
const mappingVersion = 1

// metaVersionKey is the key of mappingVersion in the mapping's _meta.
const metaVersionKey = "adwatch_mapping_version"

// templatePriority sits above Elastic's built-in templates (100, for
// logs-*-* and the like), so that no overlap with them is ever an error.
const templatePriority = 200

// maxKeyword is the ignore_above of every indexed keyword: Lucene refuses a
// term over 32766 bytes, and with it the whole document; 8191 characters
// are at most 32764 bytes. A longer value is kept in _source, not indexed.
const maxKeyword = 8191

// Analyzer, filter and normalizer names in the index settings.
const (
	analyzerDA = "adwatch_da"
	analyzerEN = "adwatch_en"
	normLower  = "adwatch_lowercase"
)

// danishStopWords and englishStopWords are the Snowball lists that bleve's
// "da" and "en" analyzers remove (TestStopWordsMatchBleve keeps them equal),
// so that a query word is dropped by both stores or by neither. The
// English list is longer than Elasticsearch's "_english_" (Lucene's 33
// words), which would otherwise make "you" a required word here and not in
// bleve.
var (
	danishStopWords = []string{
		"ad", "af", "alle", "alt", "anden", "at", "blev", "blive", "bliver", "da", "de", "dem", "den", "denne",
		"der", "deres", "det", "dette", "dig", "din", "disse", "dog", "du", "efter", "eller", "en", "end", "er",
		"et", "for", "fra", "ham", "han", "hans", "har", "havde", "have", "hende", "hendes", "her", "hos", "hun",
		"hvad", "hvis", "hvor", "i", "ikke", "ind", "jeg", "jer", "jo", "kunne", "man", "mange", "med", "meget",
		"men", "mig", "min", "mine", "mit", "mod", "ned", "noget", "nogle", "nu", "når", "og", "også", "om", "op",
		"os", "over", "på", "selv", "sig", "sin", "sine", "sit", "skal", "skulle", "som", "sådan", "thi", "til",
		"ud", "under", "var", "vi", "vil", "ville", "vor", "være", "været",
	}
	englishStopWords = []string{
		"a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "aren't",
		"as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
		"can't", "cannot", "could", "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't",
		"down", "during", "each", "few", "for", "from", "further", "had", "hadn't", "has", "hasn't", "have",
		"haven't", "having", "he", "he'd", "he'll", "he's", "her", "here", "here's", "hers", "herself", "him",
		"himself", "his", "how", "how's", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "into", "is", "isn't",
		"it", "it's", "its", "itself", "let's", "me", "more", "most", "mustn't", "my", "myself", "no", "nor",
		"not", "of", "off", "on", "once", "only", "or", "other", "ought", "our", "ours", "ourselves", "out",
		"over", "own", "same", "shan't", "she", "she'd", "she'll", "she's", "should", "shouldn't", "so", "some",
		"such", "than", "that", "that's", "the", "their", "theirs", "them", "themselves", "then", "there",
		"there's", "these", "they", "they'd", "they'll", "they're", "they've", "this", "those", "through", "to",
		"too", "under", "until", "up", "very", "was", "wasn't", "we", "we'd", "we'll", "we're", "we've", "were",
		"weren't", "what", "what's", "when", "when's", "where", "where's", "which", "while", "who", "who's",
		"whom", "why", "why's", "with", "won't", "would", "wouldn't", "you", "you'd", "you'll", "you're",
		"you've", "your", "yours", "yourself", "yourselves",
	}
)

type obj = map[string]any

// settings are the index settings of every versioned index.
func settings() obj {
	return obj{
		// One primary shard: the corpus of ads in a retention period fits one
		// shard many times over, and with one shard every facet count is
		// exact and every order is the same on every request.
		"number_of_shards": 1,
		// Set explicitly so that an index nobody has searched for a while
		// ("search idle") still refreshes on schedule, which Put's
		// wait_for policy waits for.
		"refresh_interval": "1s",
		// The deepest page the contract allows (search.MaxPage of
		// search.MaxSize) is past the default window of 10000.
		"max_result_window": search.MaxPage * search.MaxSize,
		"analysis": obj{
			// This Elasticsearch build has neither language analyzers nor
			// stemmers (see the package comment): standard tokenizer,
			// lower-casing and the two stop lists is what it can do.
			"filter": obj{
				"adwatch_stop_da": obj{"type": "stop", "stopwords": danishStopWords},
				"adwatch_stop_en": obj{"type": "stop", "stopwords": englishStopWords},
			},
			"analyzer": obj{
				analyzerDA: obj{"type": "custom", "tokenizer": "standard", "filter": []string{"lowercase", "adwatch_stop_da"}},
				analyzerEN: obj{"type": "custom", "tokenizer": "standard", "filter": []string{"lowercase", "adwatch_stop_en"}},
			},
			"normalizer": obj{
				normLower: obj{"type": "custom", "filter": []string{"lowercase"}},
			},
		},
	}
}

// mappings maps every field of ad.Scored's JSON and the derived fields
// that document adds. It is strict: a field it does not name makes a
// document fail (TestMappingCoversScored keeps it complete), because a
// silently unindexed field is a filter that silently matches nothing.
func mappings() obj {
	kw := func() obj { return obj{"type": "keyword", "ignore_above": maxKeyword} }
	// Kept in _source for Get and hits; not searchable, so it costs no index.
	stored := func(typ string) obj { return obj{"type": typ, "index": false, "doc_values": false} }
	text := func() obj {
		// Hits are ordered by fields, never by relevance, so norms would
		// only cost space; positions stay for phrase search later.
		return obj{
			"type": "text", "analyzer": analyzerDA, "norms": false,
			"fields": obj{"en": obj{"type": "text", "analyzer": analyzerEN, "norms": false}},
		}
	}
	date := func() obj { return obj{"type": "date"} }
	integer := func() obj { return obj{"type": "integer"} }

	return obj{
		"dynamic": "strict",
		"_meta":   obj{metaVersionKey: mappingVersion},
		"properties": obj{
			// ad.Raw
			"id":        obj{"type": "keyword"}, // the last sort key; equals _id
			"site":      kw(),
			"url":       obj{"type": "keyword", "ignore_above": maxKeyword, "doc_values": false}, // erasure by URL
			"category":  kw(),
			"lang":      kw(),
			"posted_at": date(),
			"title":     text(),
			"text":      text(),
			"name":      stored("keyword"), // personal data that no search needs
			// Filtered ignoring case through the normalizer; the facet shows
			// the spelling most ads use, from the raw sub-field.
			"city": obj{
				"type": "keyword", "ignore_above": maxKeyword, "normalizer": normLower,
				"fields": obj{"raw": kw()},
			},
			// An absurd stated age must not cost the ad its place in search.
			"age":        obj{"type": "integer", "ignore_malformed": true},
			"price_text": stored("keyword"),
			"phones":     stored("keyword"), // as crawled; contacts holds them normalised
			"languages":  kw(),
			"fetched_at": date(),
			"gone_at":    date(),
			// For linking ads that reuse a picture (exact hash matches).
			"image_hashes": kw(),
			// ad.Assessment
			"ad_risk":            integer(),
			"organised_activity": integer(),
			"level":              kw(),
			"flags":              kw(),
			"contacts":           kw(),
			"indicators": obj{
				"properties": obj{
					"id":           kw(),
					"family":       kw(),
					"contribution": stored("float"),
					// Offsets and matched text are for the reader of the ad,
					// never for a query: kept, not parsed.
					"evidence": obj{"type": "object", "enabled": false},
				},
			},
			"rules_version": kw(),
			"scored_at":     date(),
			"link_seq":      stored("long"), // orders versions; see ad.Scored.Revision
			// Derived by document.
			"score":      integer(),
			"priority":   integer(),
			"recency_ms": obj{"type": "long"},
		},
	}
}

// indexBody is the body that creates a versioned index.
func indexBody(alias string) obj {
	return obj{
		"settings": settings(),
		"mappings": mappings(),
		"aliases":  obj{alias: obj{"is_write_index": true}},
	}
}

// templateBody is the index template for alias's versioned indices, so
// that an index made by hand or by a migration (alias-v2) gets the same
// settings and mapping as one Open creates.
func templateBody(alias string) obj {
	return obj{
		"index_patterns": []string{alias + "-v*"},
		"priority":       templatePriority,
		"version":        mappingVersion,
		"_meta":          obj{"description": "adwatch scored ads, written by search/esindex", metaVersionKey: mappingVersion},
		"template":       obj{"settings": settings(), "mappings": mappings()},
	}
}

// Document is the JSON document Put stores for s: what a bare bulk writer
// must send to be compared with Put (BenchmarkIndexer).
func Document(s ad.Scored) ([]byte, error) { return document(s) }

// document is the JSON indexed for s: its own JSON, so that _source gives
// back exactly what was put, followed by the fields that queries filter
// and sort on and that Elasticsearch cannot compute without scripts.
func document(s ad.Scored) ([]byte, error) {
	src, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return withDerived(src, s), nil
}

// documentFromJSON is document for an ad already encoded as JSON, with its
// revision (ad.Scored.Revision): only the fields these need are decoded.
func documentFromJSON(src []byte) ([]byte, int64, error) {
	var s struct {
		AdRisk            int       `json:"ad_risk"`
		OrganisedActivity int       `json:"organised_activity"`
		Flags             []string  `json:"flags"`
		PostedAt          time.Time `json:"posted_at"`
		FetchedAt         time.Time `json:"fetched_at"`
		ScoredAt          time.Time `json:"scored_at"`
		LinkSeq           uint64    `json:"link_seq"`
	}
	if err := json.Unmarshal(src, &s); err != nil {
		return nil, 0, err
	}
	src = bytes.TrimSpace(src)
	if len(src) < 2 || src[len(src)-1] != '}' {
		return nil, 0, fmt.Errorf("not a JSON object")
	}
	a := ad.Scored{
		Raw:        ad.Raw{PostedAt: s.PostedAt, FetchedAt: s.FetchedAt},
		Assessment: ad.Assessment{AdRisk: s.AdRisk, OrganisedActivity: s.OrganisedActivity, Flags: s.Flags},
		ScoredAt:   s.ScoredAt,
		LinkSeq:    s.LinkSeq,
	}
	return withDerived(src, a), a.Revision(), nil
}

// withDerived appends the fields Elasticsearch sorts and filters on, which
// this build cannot compute at query time, to the ad's JSON object src.
func withDerived(src []byte, s ad.Scored) []byte {
	// src is a JSON object holding at least "id", so a comma always fits.
	var b bytes.Buffer
	b.Grow(len(src) + 64)
	b.Write(src[:len(src)-1])
	b.WriteString(`,"score":`)
	b.WriteString(strconv.Itoa(max(s.AdRisk, s.OrganisedActivity)))
	b.WriteString(`,"priority":`)
	b.WriteString(strconv.Itoa(s.Priority()))
	if ms, ok := recency(s); ok {
		b.WriteString(`,"recency_ms":`)
		b.WriteString(strconv.FormatInt(ms, 10))
	}
	b.WriteByte('}')
	return b.Bytes()
}

// recency is what the newest order sorts on: posted_at, else fetched_at,
// in whole Unix milliseconds (as the embedded index compares them).
func recency(s ad.Scored) (int64, bool) {
	switch {
	case !s.PostedAt.IsZero():
		return s.PostedAt.UnixMilli(), true
	case !s.FetchedAt.IsZero():
		return s.FetchedAt.UnixMilli(), true
	}
	return 0, false
}

// mustJSON encodes the bodies above, which are maps of strings, numbers
// and slices and always encode.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("esindex: encode request body: %v", err))
	}
	return b
}
