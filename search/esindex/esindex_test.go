package esindex

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esutil"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/search"
	"github.com/adwatch/adwatch/search/esindex/estest"
	"github.com/adwatch/adwatch/search/searchtest"
)

// esURL is the Elasticsearch the tests use.
func esURL() string { return estest.URL() }

// needES skips or fails the test when Elasticsearch is not there.
func needES(t testing.TB) { t.Helper(); estest.Need(t) }

// esCall makes one raw request to the test Elasticsearch, for setting up
// and inspecting what the store did behind its back.
func esCall(t testing.TB, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, esURL()+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// testAlias returns a fresh alias name and removes its indices and
// template when the test ends.
func testAlias(t testing.TB) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	alias := "adwatch-test-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		// Wildcard deletes are refused (action.destructive_requires_name),
		// so list the indices first.
		_, body := esCall(t, http.MethodGet, "/_cat/indices/"+alias+"*?h=index&format=json&expand_wildcards=all", nil)
		var list []struct{ Index string }
		_ = json.Unmarshal(body, &list)
		for _, ix := range list {
			esCall(t, http.MethodDelete, "/"+ix.Index, nil)
		}
		esCall(t, http.MethodDelete, "/_index_template/"+alias, nil)
	})
	return alias
}

// openTest opens a store on a fresh alias, closed when the test ends.
func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	needES(t)
	if opts.Index == "" {
		opts.Index = testAlias(t)
	}
	if opts.Addresses == nil {
		opts.Addresses = []string{esURL()}
	}
	s, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestContract(t *testing.T) {
	for _, refresh := range []string{RefreshExplicit, RefreshWaitFor} {
		t.Run(refresh, func(t *testing.T) {
			searchtest.Run(t, func(t *testing.T) searchtest.Store {
				return openTest(t, Options{Refresh: refresh})
			})
		})
	}
}

// state is what Open may have changed in the cluster for an alias.
func state(t *testing.T, alias string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, path := range map[string]string{
		"template": "/_index_template/" + alias,
		"alias":    "/_alias/" + alias,
		"indices":  "/_cat/indices/" + alias + "*?h=index,docs.count&s=index",
		"mapping":  "/" + alias + "/_mapping",
		"settings": "/" + alias + "/_settings",
	} {
		status, body := esCall(t, http.MethodGet, path, nil)
		out[name] = fmt.Sprintf("%d %s", status, body)
	}
	return out
}

// TestOpenTwice checks that opening a store that is set up changes
// nothing: not the template, the alias, the indices, the mapping or the ads.
func TestOpenTwice(t *testing.T) {
	needES(t)
	ctx := context.Background()
	alias := testAlias(t)
	s1 := openTest(t, Options{Index: alias})
	if err := s1.Put(ctx, searchtest.Corpus()); err != nil {
		t.Fatal(err)
	}
	before := state(t, alias)
	if !strings.Contains(before["alias"], `"`+alias+`-v1"`) || !strings.Contains(before["alias"], `"is_write_index":true`) {
		t.Fatalf("alias after the first Open: %s", before["alias"])
	}
	s2 := openTest(t, Options{Index: alias})
	if after := state(t, alias); !reflect.DeepEqual(after, before) {
		for k := range before {
			if before[k] != after[k] {
				t.Errorf("second Open changed the %s:\nbefore %s\nafter  %s", k, before[k], after[k])
			}
		}
	}
	if n, err := s2.Count(ctx); err != nil || n != 40 {
		t.Errorf("count after the second Open = %d, %v; want 40", n, err)
	}
}

// TestOpenConcurrently checks that replicas starting together set up one
// index and all succeed.
func TestOpenConcurrently(t *testing.T) {
	needES(t)
	alias := testAlias(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := Open(context.Background(), Options{Addresses: []string{esURL()}, Index: alias})
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	_, body := esCall(t, http.MethodGet, "/_cat/indices/"+alias+"*?h=index", nil)
	if got := strings.Fields(string(body)); !slices.Equal(got, []string{alias + "-v1"}) {
		t.Errorf("indices = %q, want one", got)
	}
}

func TestOpenRefuses(t *testing.T) {
	needES(t)
	tests := []struct {
		name  string
		setup func(t *testing.T, alias string)
		want  string
	}{
		{"an index of another mapping version", func(t *testing.T, alias string) {
			m := mappings()
			m["_meta"] = obj{metaVersionKey: mappingVersion + 1}
			status, body := esCall(t, http.MethodPut, "/"+alias+"-v2", obj{"settings": settings(), "mappings": m, "aliases": obj{alias: obj{"is_write_index": true}}})
			if status != http.StatusOK {
				t.Fatalf("create: %d %s", status, body)
			}
		}, "migrate"},
		{"an index of an incompatible mapping", func(t *testing.T, alias string) {
			m := mappings()
			m["properties"].(obj)["ad_risk"] = obj{"type": "keyword"}
			status, body := esCall(t, http.MethodPut, "/"+alias+"-v1", obj{"settings": settings(), "mappings": m, "aliases": obj{alias: obj{"is_write_index": true}}})
			if status != http.StatusOK {
				t.Fatalf("create: %d %s", status, body)
			}
		}, "cannot take this adwatch's mapping"},
		{"an index named like the alias", func(t *testing.T, alias string) {
			esCall(t, http.MethodPut, "/"+alias, nil)
		}, "create index"},
		{"a versioned index without the alias", func(t *testing.T, alias string) {
			esCall(t, http.MethodPut, "/"+alias+"-v1", obj{"settings": settings(), "mappings": mappings()})
		}, "does not point at it"},
		{"an alias without a write index", func(t *testing.T, alias string) {
			for _, ix := range []string{alias + "-v1", alias + "-v0"} {
				esCall(t, http.MethodPut, "/"+ix, obj{"settings": settings(), "mappings": mappings(), "aliases": obj{alias: obj{}}})
			}
		}, "no write index"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alias := testAlias(t)
			tt.setup(t, alias)
			s, err := Open(context.Background(), Options{Addresses: []string{esURL()}, Index: alias, StartTimeout: 20 * time.Second})
			if err == nil {
				_ = s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestOpenNoCluster(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	start := time.Now()
	_, err := Open(context.Background(), Options{Addresses: []string{srv.URL}, StartTimeout: 2 * time.Second, Retries: 1, RetryBackoff: time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "not ready") {
		t.Fatalf("error = %v, want the cluster not ready", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Open took %v with a 2s StartTimeout", d)
	}
}

// TestPutEveryField puts an ad with every field of ad.Scored set, which
// the strict mapping must take, and gets it back equal.
func TestPutEveryField(t *testing.T) {
	s := openTest(t, Options{})
	want := fullAd()
	if err := s.Put(context.Background(), []ad.Scored{want}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(context.Background(), want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// TestPutItemErrors checks that ads refused for what they are come back
// in ItemErrors, without their text, while the others are stored.
func TestPutItemErrors(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	c := searchtest.Corpus()
	outOfRange := c[1]
	outOfRange.AdRisk = 1 << 40 // not a score; the mapping's integer refuses it
	outOfRange.Title = "SECRET tekst fra annoncen"
	longID := c[2]
	longID.ID = strings.Repeat("x", maxIDBytes+1)
	nan := c[3]
	nan.Indicators = []ad.Indicator{{ID: "x", Contribution: math.NaN()}}
	ads := []ad.Scored{c[0], outOfRange, longID, c[4], nan, c[5]}

	err := s.Put(ctx, ads)
	var ie *ItemErrors
	if !errors.As(err, &ie) {
		t.Fatalf("Put error = %v, want *ItemErrors", err)
	}
	if ie.Stored != 3 {
		t.Errorf("stored = %d, want 3", ie.Stored)
	}
	var gotIDs []string
	for _, it := range ie.Items {
		gotIDs = append(gotIDs, it.ID)
		if strings.Contains(it.Reason, "SECRET") || strings.Contains(it.Reason, "annoncen") {
			t.Errorf("reason for %q quotes the ad: %q", it.ID, it.Reason)
		}
	}
	if want := []string{"ad02", longID.ID, "ad04"}; !slices.Equal(gotIDs, want) {
		t.Errorf("refused ids = %q, want %q", gotIDs, want)
	}
	if it := ie.Items[0]; it.Status != http.StatusBadRequest || !strings.Contains(it.Reason, "document_parsing_exception") || !strings.Contains(it.Reason, "ad_risk") {
		t.Errorf("out-of-range ad: %+v", it)
	}
	if it := ie.Items[1]; it.Status != 0 || !strings.Contains(it.Reason, "513 bytes") {
		t.Errorf("long id: %+v", it)
	}
	if it := ie.Items[2]; it.Status != 0 || !strings.Contains(it.Reason, "NaN") {
		t.Errorf("NaN contribution: %+v", it)
	}
	// What an indexer that does not import this package would do.
	var r interface{ Rejected() map[string]string }
	if !errors.As(fmt.Errorf("wrapped: %w", err), &r) || len(r.Rejected()) != 3 || r.Rejected()["ad02"] == "" {
		t.Errorf("Rejected() through errors.As = %v", r)
	}
	// The others are stored and visible at once.
	res, serr := s.Search(ctx, search.Query{})
	if serr != nil {
		t.Fatal(serr)
	}
	if got := slices.Sorted(slices.Values(idsOf(res.Hits))); !slices.Equal(got, []string{"ad01", "ad05", "ad06"}) {
		t.Errorf("stored = %q, want ad01, ad05, ad06", got)
	}
}

func idsOf(ads []ad.Scored) []string {
	out := make([]string, len(ads))
	for i, a := range ads {
		out[i] = a.ID
	}
	return out
}

// faultProxy fronts the test Elasticsearch and injects failures into bulk
// requests, one planned fault per request in order; later ones pass.
type faultProxy struct {
	*httptest.Server
	target string

	mu    sync.Mutex
	plan  []string   // "429", "503": answer the request so; "items:429", "items:503": refuse every other item; "items:503-all"
	bulks [][]string // the ids of each bulk request received
}

func newFaultProxy(t *testing.T, plan ...string) *faultProxy {
	needES(t)
	u, _ := url.Parse(esURL())
	p := &faultProxy{target: esURL(), plan: plan}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/_bulk") {
			rp.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		pairs := bulkPairs(t, body)
		p.mu.Lock()
		var ids []string
		for _, pr := range pairs {
			ids = append(ids, pr.id)
		}
		p.bulks = append(p.bulks, ids)
		fault := ""
		if len(p.plan) > 0 {
			fault, p.plan = p.plan[0], p.plan[1:]
		}
		p.mu.Unlock()
		switch fault {
		case "":
			p.forward(t, w, r, pairs, nil)
		case "items:429":
			p.forward(t, w, r, pairs, func(i int) int { return map[bool]int{true: 429}[i%2 == 1] })
		case "items:503":
			p.forward(t, w, r, pairs, func(i int) int { return map[bool]int{true: 503}[i%2 == 1] })
		case "items:503-all":
			p.forward(t, w, r, pairs, func(int) int { return 503 })
		default:
			var status int
			fmt.Sscan(fault, &status)
			w.Header().Set("X-Elastic-Product", "Elasticsearch")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error":{"type":"es_rejected_execution_exception","reason":"injected by the test"},"status":%d}`, status)
		}
	}))
	t.Cleanup(p.Close)
	return p
}

type bulkPair struct {
	id           string
	action, body []byte
}

func bulkPairs(t *testing.T, body []byte) []bulkPair {
	var out []bulkPair
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		action := slices.Clone(sc.Bytes())
		if !sc.Scan() {
			t.Errorf("bulk body ends after an action line")
			break
		}
		var meta struct {
			Index struct {
				ID string `json:"_id"`
			} `json:"index"`
		}
		if err := json.Unmarshal(action, &meta); err != nil {
			t.Errorf("action line %s: %v", action, err)
		}
		out = append(out, bulkPair{id: meta.Index.ID, action: action, body: slices.Clone(sc.Bytes())})
	}
	return out
}

// forward sends the pairs that refuse does not refuse (status 0) to
// Elasticsearch and answers with its results merged, in order, with the
// refused items.
func (p *faultProxy) forward(t *testing.T, w http.ResponseWriter, r *http.Request, pairs []bulkPair, refuse func(int) int) {
	var sent bytes.Buffer
	var sentIdx []int
	for i, pr := range pairs {
		if refuse != nil && refuse(i) != 0 {
			continue
		}
		sentIdx = append(sentIdx, i)
		sent.Write(pr.action)
		sent.WriteByte('\n')
		sent.Write(pr.body)
		sent.WriteByte('\n')
	}
	var got struct {
		Items []json.RawMessage `json:"items"`
	}
	if len(sentIdx) > 0 {
		req, _ := http.NewRequest(http.MethodPost, p.target+r.URL.Path+"?"+r.URL.RawQuery, &sent)
		req.Header.Set("Content-Type", "application/x-ndjson")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(&got); err != nil || len(got.Items) != len(sentIdx) {
			t.Errorf("bulk answer: %v, %d items for %d", err, len(got.Items), len(sentIdx))
		}
	}
	items := make([]json.RawMessage, len(pairs))
	for k, i := range sentIdx {
		items[i] = got.Items[k]
	}
	for i := range items {
		if items[i] == nil {
			items[i] = mustJSON(obj{"index": obj{"_id": pairs[i].id, "status": refuse(i),
				"error": obj{"type": "es_rejected_execution_exception", "reason": "injected by the test"}}})
		}
	}
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(obj{"took": 1, "errors": true, "items": items})
}

// TestPutRetries checks that Put rides out back-pressure and node trouble:
// whole requests answered 429 or 5xx, and items refused with 429 or 503.
func TestPutRetries(t *testing.T) {
	ctx := context.Background()
	c := searchtest.Corpus()[:10]
	tests := []struct {
		name      string
		plan      []string
		wantBulks []int // ads in each bulk request the proxy saw
	}{
		{"request 429 then 503", []string{"429", "503"}, []int{10, 10, 10}},
		{"items 429", []string{"items:429"}, []int{10, 5}},
		{"items 503, then 429 for what is left", []string{"items:503", "items:429"}, []int{10, 5, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newFaultProxy(t)
			// Open passes untouched; the plan applies to the Put.
			s := openTest(t, Options{Addresses: []string{p.URL}, Workers: 1, RetryBackoff: 10 * time.Millisecond})
			p.mu.Lock()
			p.plan = tt.plan
			p.mu.Unlock()
			if err := s.Put(ctx, c); err != nil {
				t.Fatalf("Put = %v", err)
			}
			p.mu.Lock()
			var sizes []int
			for _, b := range p.bulks {
				sizes = append(sizes, len(b))
			}
			p.mu.Unlock()
			if !slices.Equal(sizes, tt.wantBulks) {
				t.Errorf("bulk requests of %v ads, want %v", sizes, tt.wantBulks)
			}
			res, err := s.Search(ctx, search.Query{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != len(c) {
				t.Errorf("stored %d ads, want %d", res.Total, len(c))
			}
		})
	}
}

// TestPutGivesUp checks that failures that last are a plain error (the
// batch is to be put again later), never ItemErrors.
func TestPutGivesUp(t *testing.T) {
	tests := []struct {
		name string
		plan []string
		want string
	}{
		{"requests keep failing", []string{"503", "503", "503"}, "failed"},
		{"items keep being refused", []string{"items:503-all", "items:503-all", "items:503-all"}, "not stored after 3 attempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newFaultProxy(t)
			s := openTest(t, Options{Addresses: []string{p.URL}, Workers: 1, Retries: 2, RetryBackoff: time.Millisecond})
			p.mu.Lock()
			p.plan = tt.plan
			p.mu.Unlock()
			err := s.Put(context.Background(), searchtest.Corpus()[:4])
			var ie *ItemErrors
			if err == nil || errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Put = %v, want a plain error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestPutCancelled(t *testing.T) {
	p := newFaultProxy(t)
	s := openTest(t, Options{Addresses: []string{p.URL}, Workers: 1, RetryBackoff: time.Hour})
	p.mu.Lock()
	p.plan = []string{"items:503-all"}
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Put(ctx, searchtest.Corpus()[:4])
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Put = %v, want the deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Put returned %v after its deadline", d)
	}
}

// benchAds makes n ads with distinct ids from the corpus's texts.
func benchAds(start, n int) []ad.Scored {
	c := searchtest.Corpus()
	out := make([]ad.Scored, n)
	for i := range out {
		a := c[(start+i)%len(c)]
		a.ID = fmt.Sprintf("bench-%09d", start+i)
		out[i] = a
	}
	return out
}

// benchBatch is the indexer's default batch size.
const benchBatch = 256

// BenchmarkPut measures ads per second stored through Put, one batch of
// benchBatch ads per Put, as the indexer sends them: each Put waits for
// every ad to be confirmed and visible.
func BenchmarkPut(b *testing.B) {
	for _, refresh := range []string{RefreshExplicit, RefreshWaitFor} {
		b.Run("refresh="+refresh, func(b *testing.B) {
			s := openTest(b, Options{Refresh: refresh})
			ctx := context.Background()
			i := 0
			for b.Loop() {
				if err := s.Put(ctx, benchAds(i, benchBatch)); err != nil {
					b.Fatal(err)
				}
				i += benchBatch
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "ads/s")
		})
	}
}

// BenchmarkBulkIndexerBare measures a bare esutil.BulkIndexer writing the
// same documents into an index of the same mapping, with nothing waited
// for but the final Close: the ceiling Put's confirmations, retries and
// visibility cost against.
func BenchmarkBulkIndexerBare(b *testing.B) {
	s := openTest(b, Options{})
	ctx := context.Background()
	var failed int
	var mu sync.Mutex
	bi, err := esutil.NewBulkIndexer(esutil.BulkIndexerConfig{
		Client: s.es, Index: s.alias, NumWorkers: DefaultWorkers, FlushBytes: DefaultFlushBytes, FlushInterval: DefaultFlushInterval,
	})
	if err != nil {
		b.Fatal(err)
	}
	// Close must be inside the timing, so not b.Loop, which stops the
	// timer after the last iteration.
	b.ResetTimer()
	i := 0
	for range b.N {
		for _, a := range benchAds(i, benchBatch) {
			body, err := document(a)
			if err != nil {
				b.Fatal(err)
			}
			if err := bi.Add(ctx, esutil.BulkIndexerItem{
				Action: "index", DocumentID: a.ID, Body: bytes.NewReader(body),
				OnFailure: func(context.Context, esutil.BulkIndexerItem, esutil.BulkIndexerResponseItem, error) {
					mu.Lock()
					failed++
					mu.Unlock()
				},
			}); err != nil {
				b.Fatal(err)
			}
		}
		i += benchBatch
	}
	if err := bi.Close(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if failed > 0 {
		b.Fatalf("%d ads failed", failed)
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "ads/s")
}
