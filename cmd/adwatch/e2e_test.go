package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/classifier"
	"github.com/adwatch/adwatch/classifier/crossad"
	"github.com/adwatch/adwatch/search"
	"github.com/adwatch/adwatch/simulator"
)

// TestPipelineEndToEnd drives simulator → crawler → NATS → classifier →
// NATS → indexer → API in one process and checks the ads that come out.
func TestPipelineEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sim := simulator.New(simulator.Options{Seed: 7, RosaAds: 35, NattelysAds: 25})
	urls, err := sim.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := groundTruth(sim, urls)
	pc := simPipeline(t, urls)
	cfg, rules, addr := pc.cfg, pc.rules.Current(), pc.cfg.Addr
	p, err := startPipeline(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := p.wait(); err != nil {
				t.Errorf("pipeline stopped with %v", err)
			}
			p.close()
		}
	}
	defer stop()
	api := "http://" + addr
	waitFor(t, 2*time.Minute, func() (bool, string) {
		var st progress
		if err := getJSON(api+"/api/v1/status", &st); err != nil {
			return false, err.Error()
		}
		// Every ad scored, and the re-scores of linked ads indexed too.
		return st.Scored >= int64(len(want)) && st.ClassifierPending == 0 && st.IndexerPending == 0 &&
			st.AdsInIndex >= int64(len(want)), fmt.Sprintf("%+v", st)
	})

	all := searchAll(t, api, url.Values{})
	if len(all) != len(want) {
		t.Fatalf("index holds %d ads, want %d", len(all), len(want))
	}
	ids := map[string]bool{}
	for i, h := range all {
		if ids[h.ID] {
			t.Fatalf("ad %s appears twice", h.ID)
		}
		ids[h.ID] = true
		if i > 0 && all[i-1].Priority() < h.Priority() {
			t.Fatalf("hits not sorted by risk: %d before %d", all[i-1].Priority(), h.Priority())
		}
		checkEvidence(t, h)
	}
	flagged := 0
	for id, w := range want {
		var got ad.Scored
		if err := getJSON(api+"/api/v1/ads/"+id, &got); err != nil {
			t.Fatalf("ad %s of %s: %v", id, w.URL, err)
		}
		if got.Title != w.Title || got.Text != w.Text || got.City != w.City || got.Age != w.Age ||
			!slices.Equal(got.Phones, w.Phones) || !slices.Equal(got.Languages, w.Languages) || got.PriceText != w.PriceText {
			t.Errorf("ad %s extracted as\n%+v\nwant\n%+v", w.URL, got.Raw, w)
		}
		if got.RulesVersion != rules.Version() {
			t.Errorf("ad %s scored with rules %q, want %q", id, got.RulesVersion, rules.Version())
		}
		if got.Level != ad.LevelNone {
			flagged++
		}
	}
	if flagged == 0 || flagged == len(want) {
		t.Errorf("%d of %d ads flagged: the simulator mixes flagged and benign ads", flagged, len(want))
	}
	checkCrossAd(t, all)

	var rosa search.Result
	if err := getJSON(api+"/api/v1/ads?site=sim-rosa&size=1", &rosa); err != nil {
		t.Fatal(err)
	}
	if rosa.Total != 35 {
		t.Errorf("site=sim-rosa total %d, want 35", rosa.Total)
	}
	if len(rosa.Facets["indicator"]) == 0 {
		t.Fatal("no indicator facet")
	}
	top := rosa.Facets["indicator"][0]
	withInd := searchAll(t, api, url.Values{"site": {"sim-rosa"}, "indicator": {top.Value}})
	if len(withInd) != top.Count {
		t.Errorf("indicator=%s gives %d hits, facet said %d", top.Value, len(withInd), top.Count)
	}
	for _, h := range withInd {
		if !slices.ContainsFunc(h.Indicators, func(i ad.Indicator) bool { return i.ID == top.Value }) {
			t.Errorf("ad %s lacks the indicator it was filtered by", h.ID)
		}
	}
	if n := sim.Hits("/admin/stats"); n != 0 {
		t.Errorf("the crawler fetched /admin/stats %d times; robots.txt disallows it", n)
	}

	// The index is derived data: rebuild it from the scored-ad stream.
	stop()
	var out strings.Builder
	if code := runCLI([]string{"reindex", "--data", cfg.Data, "--fresh"}, &out, &out); code != 0 {
		t.Fatalf("reindex exited %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("the index holds %d ads", len(want))) {
		t.Fatalf("reindex said %q, want %d ads", out.String(), len(want))
	}

	// A rule change, then rescore: every ad gets the new rules' assessment.
	changed := changedRules(t)
	out.Reset()
	if code := runCLI([]string{"rescore", "--data", cfg.Data, "--rules", changed.dir}, &out, &out); code != 0 {
		t.Fatalf("rescore exited %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("rescore: %d ads re-scored", len(want))) {
		t.Fatalf("rescore said %q", out.String())
	}
	out.Reset()
	if code := runCLI([]string{"reindex", "--data", cfg.Data, "--fresh"}, &out, &out); code != 0 {
		t.Fatalf("reindex exited %d: %s", code, out.String())
	}
	cfg.Addr = freeAddr(t)
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	p2, err := startPipeline(ctx2, pipelineConfig{cfg: cfg, stages: stageSet{serve: true}, logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel2(); p2.wait(); p2.close() }()
	waitFor(t, 30*time.Second, func() (bool, string) {
		var st progress
		err := getJSON("http://"+cfg.Addr+"/api/v1/status", &st)
		return err == nil, fmt.Sprint(err)
	})
	for _, h := range searchAll(t, "http://"+cfg.Addr, url.Values{}) {
		if h.RulesVersion != changed.version {
			t.Fatalf("ad %s still has rules %s after rescore, want %s", h.ID, h.RulesVersion, changed.version)
		}
	}
}

type ruleSet struct{ dir, version string }

// changedRules copies the shipped rule files with one comment added: a new
// rules version that scores as the old one did.
func changedRules(t *testing.T) ruleSet {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir("../../configs/rules")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("../../configs/rules", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "scoring.yaml" {
			b = append(b, []byte("\n# changed by the rescore test\n")...)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := classifier.LoadRules(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ruleSet{dir: dir, version: r.Version()}
}

// groundTruth returns the simulator's ads by the id the crawler must give them.
func groundTruth(sim *simulator.Simulator, urls map[string]string) map[string]ad.Raw {
	want := map[string]ad.Raw{}
	for site, base := range urls {
		for _, r := range sim.Ads(site) {
			r.URL = base + r.URL
			r.ID = ad.NewID(site, r.URL)
			want[r.ID] = r
		}
	}
	return want
}

// checkEvidence checks that every evidence span points at its text.
func checkEvidence(t *testing.T, s ad.Scored) {
	t.Helper()
	fields := map[string]string{"title": s.Title, "text": s.Text, "name": s.Name, "city": s.City, "price_text": s.PriceText}
	for _, ind := range s.Indicators {
		if len(ind.Evidence) == 0 {
			t.Errorf("ad %s: indicator %s has no evidence", s.ID, ind.ID)
		}
		for _, e := range ind.Evidence {
			f, ok := fields[e.Field]
			if !ok {
				continue // structured fields (age, phones, languages) carry their value as text
			}
			if e.Start < 0 || e.End > len(f) || e.Start > e.End || f[e.Start:e.End] != e.Text {
				t.Errorf("ad %s: %s evidence %+v does not point at its text in %s", s.ID, ind.ID, e, e.Field)
			}
		}
	}
}

func searchAll(t *testing.T, api string, v url.Values) []ad.Scored {
	t.Helper()
	var all []ad.Scored
	v.Set("size", "100")
	for page := 1; ; page++ {
		v.Set("page", fmt.Sprint(page))
		var res search.Result
		if err := getJSON(api+"/api/v1/ads?"+v.Encode(), &res); err != nil {
			t.Fatal(err)
		}
		all = append(all, res.Hits...)
		if len(res.Hits) == 0 || len(all) >= res.Total {
			return all
		}
	}
}

func getJSON(u string, v any) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// checkCrossAd checks that the index shows on every ad the cross-ad
// indicators that linking all the ads at once gives (what 'adwatch
// classify' computes): the pipeline, which linked them one at a time as
// they came and re-scored the earlier ads of each pattern, must agree.
func checkCrossAd(t *testing.T, all []ad.Scored) {
	t.Helper()
	raws := make([]ad.Raw, len(all))
	for i, h := range all {
		raws[i] = h.Raw
	}
	key, err := crossad.GenerateContactKey()
	if err != nil {
		t.Fatal(err)
	}
	batch, err := crossad.Batch(key, raws, crossad.Options{HourlyPrice: classifier.HourlyPriceDKK})
	if err != nil {
		t.Fatal(err)
	}
	crossIDs := func(inds []ad.Indicator) []string {
		var out []string
		for _, i := range inds {
			if slices.Contains(crossad.IDs, i.ID) {
				out = append(out, i.ID)
			}
		}
		slices.Sort(out)
		return out
	}
	linked, bad := 0, 0
	for _, h := range all {
		got, want := crossIDs(h.Indicators), crossIDs(batch[h.ID])
		if len(got) > 0 {
			linked++
		}
		if !slices.Equal(got, want) {
			if bad++; bad <= 5 {
				t.Errorf("ad %s shows cross-ad indicators %q, linking all ads at once gives %q", h.ID, got, want)
			}
		}
	}
	if bad > 5 {
		t.Errorf("%d ads differ in all", bad)
	}
	if linked == 0 {
		t.Error("no ad shows a cross-ad indicator: the simulator's agencies went unlinked")
	}
	t.Logf("%d of %d ads show cross-ad indicators", linked, len(all))
}

// waitFor polls cond until it holds or timeout passes; cond's string says
// where things stand, for the failure message.
func waitFor(t testing.TB, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var state string
	for time.Now().Before(deadline) {
		var ok bool
		if ok, state = cond(); ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("gave up after %s; last state: %s", timeout, state)
}
