package esindex

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/da"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/elastic/go-elasticsearch/v8/esutil"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/search/searchtest"
)

// TestStopWordsMatchBleve keeps the stop lists equal to the embedded
// index's, so that a query word is dropped by both stores or by neither.
func TestStopWordsMatchBleve(t *testing.T) {
	for _, tt := range []struct {
		lang  string
		bleve []byte
		ours  []string
	}{
		{"danish", da.DanishStopWords, danishStopWords},
		{"english", en.EnglishStopWords, englishStopWords},
	} {
		m := analysis.NewTokenMap()
		if err := m.LoadBytes(tt.bleve); err != nil {
			t.Fatal(err)
		}
		var want []string
		for w := range m {
			want = append(want, w)
		}
		slices.Sort(want)
		got := slices.Sorted(slices.Values(tt.ours))
		if !slices.Equal(got, want) {
			t.Errorf("%s stop words differ from bleve's:\n got %q\nwant %q", tt.lang, got, want)
		}
	}
}

// fill sets every field reachable from v to a non-zero value, so that a
// field added to ad.Scored shows up in its JSON.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 9, 1, 12, 0, 0, 5, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k)
		fill(e)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem())
		v.Set(p)
	}
}

// fullAd is an ad.Scored with every field set.
func fullAd() ad.Scored {
	var s ad.Scored
	fill(reflect.ValueOf(&s).Elem())
	s.ID = "full-1"
	return s
}

// TestMappingCoversScored checks that the strict mapping names every field
// a document can hold, so that a field added to ad.Scored is mapped (and
// decided on) before an ad carrying it is refused.
func TestMappingCoversScored(t *testing.T) {
	b, err := document(fullAd())
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, v any, props map[string]any)
	walk = func(path string, v any, props map[string]any) {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				walk(path, e, props)
			}
		case map[string]any:
			for k, e := range v {
				p := strings.TrimPrefix(path+"."+k, ".")
				m, ok := props[k].(obj)
				if !ok {
					t.Errorf("field %q is not in the mapping", p)
					continue
				}
				if m["enabled"] == false {
					continue
				}
				if sub, ok := m["properties"].(obj); ok {
					walk(p, e, sub)
				} else if _, isObj := e.(map[string]any); isObj {
					t.Errorf("field %q is an object, mapped as %v", p, m["type"])
				}
			}
		}
	}
	walk("", d, mappings()["properties"].(obj))
}

// TestDocument checks the derived fields and that they do not shadow a
// field of the ad.
func TestDocument(t *testing.T) {
	c := searchtest.Corpus()
	a := c[4] // ad05: minor_cue, posted
	a.AdRisk, a.OrganisedActivity = 30, 45
	b, err := document(a)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		ad.Scored
		Score     *int   `json:"score"`
		Priority  *int   `json:"priority"`
		RecencyMS *int64 `json:"recency_ms"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Score == nil || *got.Score != 45 || got.Priority == nil || *got.Priority != 1045 ||
		got.RecencyMS == nil || *got.RecencyMS != a.PostedAt.UnixMilli() {
		t.Errorf("derived fields: score %v, priority %v, recency_ms %v", got.Score, got.Priority, got.RecencyMS)
	}
	if !reflect.DeepEqual(got.Scored, a) {
		t.Errorf("document does not decode to the ad:\n got %+v\nwant %+v", got.Scored, a)
	}
	ownKeys, _ := json.Marshal(fullAd())
	var keys map[string]any
	_ = json.Unmarshal(ownKeys, &keys)
	for _, k := range []string{"score", "priority", "recency_ms"} {
		if _, clash := keys[k]; clash {
			t.Errorf("ad.Scored now has a field %q: rename the derived field", k)
		}
	}

	// No dates: no recency, so the ad sorts last in the newest order.
	b, _ = document(ad.Scored{Raw: ad.Raw{ID: "x"}})
	if strings.Contains(string(b), "recency_ms") {
		t.Errorf("an ad without dates got a recency: %s", b)
	}
	// Fetched only: the fetch time.
	f := time.Date(2026, 9, 1, 0, 0, 0, 999_999, time.UTC)
	b, _ = document(ad.Scored{Raw: ad.Raw{ID: "x", FetchedAt: f}})
	if !strings.Contains(string(b), `"recency_ms":1788220800000}`) {
		t.Errorf("fetched-only ad: %s", b)
	}
	if _, err := document(ad.Scored{Raw: ad.Raw{ID: "x"}, Assessment: ad.Assessment{Indicators: []ad.Indicator{{Contribution: math.NaN()}}}}); err == nil {
		t.Error("an ad with a NaN contribution encoded")
	}
}

// TestItemReason checks that refusal reasons keep what explains them and
// drop every quote of the document.
func TestItemReason(t *testing.T) {
	item := func(status int, typ, reason, causeType, causeReason string) esutil.BulkIndexerResponseItem {
		var it esutil.BulkIndexerResponseItem
		it.Status = status
		it.Error.Type, it.Error.Reason = typ, reason
		it.Error.Cause.Type, it.Error.Cause.Reason = causeType, causeReason
		return it
	}
	secret := "Ung pige SECRET"
	tests := []struct {
		name string
		item esutil.BulkIndexerResponseItem
		want string
	}{
		{
			"parse error with preview and source",
			item(400, "document_parsing_exception",
				"[1:54] failed to parse field [ad_risk] of type [integer] in document with id 'a1'. Preview of field's value: '"+secret+"'",
				"x_content_parse_exception", `[1:67] Numeric value out of range at [Source: (byte[])"{\"title\":\"`+secret+`\"}"`),
			"document_parsing_exception: [1:54] failed to parse field [ad_risk] of type [integer] in document with id 'a1' (caused by x_content_parse_exception)",
		},
		{
			"strict mapping",
			item(400, "strict_dynamic_mapping_exception", "[1:17] mapping set to strict, dynamic introduction of [foo] within [_doc] is not allowed", "", ""),
			"strict_dynamic_mapping_exception: [1:17] mapping set to strict, dynamic introduction of [foo] within [_doc] is not allowed",
		},
		{
			"immense term",
			item(400, "illegal_argument_exception", `Document contains at least one immense term in field="url" (whose UTF8 encoding is longer than the max length 32766), all of which were skipped. The prefix of the first immense term is: '[83, 69, 67]...'`, "max_bytes_length_exceeded_exception", secret),
			`illegal_argument_exception: Document contains at least one immense term in field="url" (whose UTF8 encoding is longer than the max length 32766), all of which were skipped. (caused by max_bytes_length_exceeded_exception)`,
		},
		{"no error body", item(503, "", "", "", ""), "status 503"},
		{"long reason is cut on a rune", item(400, "t", strings.Repeat("æ", 400), "", ""), "t: " + strings.Repeat("æ", 150) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := itemReason(tt.item)
			if got != tt.want {
				t.Errorf("reason =\n%q\nwant\n%q", got, tt.want)
			}
			if strings.Contains(got, "SECRET") {
				t.Errorf("reason quotes the document: %q", got)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	item := func(status int, typ, reason string) esutil.BulkIndexerResponseItem {
		var it esutil.BulkIndexerResponseItem
		it.Status, it.Error.Type, it.Error.Reason = status, typ, reason
		return it
	}
	tests := []struct {
		item esutil.BulkIndexerResponseItem
		want outcome
	}{
		{item(429, "es_rejected_execution_exception", "rejected execution"), deferred},
		{item(503, "unavailable_shards_exception", "primary shard is not active"), deferred},
		{item(500, "", ""), deferred},
		{item(400, "document_parsing_exception", "failed to parse"), refused},
		{item(400, "strict_dynamic_mapping_exception", "mapping set to strict"), refused},
		{item(400, "illegal_argument_exception", "no write index is defined for alias [a]"), failed},
		{item(400, "index_closed_exception", "closed"), failed},
		{item(404, "index_not_found_exception", "no such index [a] and [require_alias] request flag is [true]"), failed},
		{item(403, "security_exception", "unauthorized"), failed},
	}
	for _, tt := range tests {
		if got := classify(tt.item, nil).outcome; got != tt.want {
			t.Errorf("classify(%d %s) = %d, want %d", tt.item.Status, tt.item.Error.Type, got, tt.want)
		}
	}
}

func TestOptions(t *testing.T) {
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{Index: "Adwatch"}, "upper-case"},
		{Options{Index: "ad*watch"}, "has one of"},
		{Options{Index: "_adwatch"}, "starts with"},
		{Options{Refresh: "true"}, `Refresh: "true" is not one of`},
		{Options{CAFile: "/nonexistent/ca.pem"}, "CAFile"},
	} {
		_, err := Open(t.Context(), tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%+v) error = %v, want it to mention %q", tt.opts, err, tt.want)
		}
	}
	o, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.Index != DefaultIndex || o.Addresses[0] != DefaultAddress || o.Refresh != RefreshExplicit || o.Workers != DefaultWorkers {
		t.Errorf("defaults = %+v", o)
	}
}

func TestBackoff(t *testing.T) {
	for attempt, base := range []time.Duration{100, 200, 400, 800} {
		d := backoff(100*time.Millisecond, attempt+1)
		if d < base*time.Millisecond/2 || d > base*time.Millisecond {
			t.Errorf("backoff(100ms, %d) = %v, want within [%v, %v]", attempt+1, d, base*time.Millisecond/2, base*time.Millisecond)
		}
	}
	if d := backoff(time.Second, 30); d > maxRetryBackoff {
		t.Errorf("backoff(1s, 30) = %v, over the cap", d)
	}
}
