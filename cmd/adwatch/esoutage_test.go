package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/search/esindex/estest"
	"github.com/adwatch/adwatch/simulator"
)

// esOutage is how long TestElasticsearchOutage keeps Elasticsearch down.
const esOutage = time.Minute

// elasticsearch runs scripts/elasticsearch.sh for a test's own server, so
// that stopping it disturbs no other test.
func elasticsearch(t *testing.T, port, verb string) {
	t.Helper()
	cmd := exec.Command("bash", "../../scripts/elasticsearch.sh", verb)
	cmd.Env = append(os.Environ(), "ES_PORT="+port, "ES_CACHE_DIR=/var/tmp/adwatch-es-outage-test")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("elasticsearch.sh %s: %v\n%s", verb, err, out)
	}
}

// TestElasticsearchOutage stops the real Elasticsearch for a minute in the
// middle of a run: the indexer backs off, nothing is lost or dead-lettered,
// and it catches up when the server returns.
func TestElasticsearchOutage(t *testing.T) {
	t.Parallel() // mostly waits on other processes
	if testing.Short() {
		t.Skip("starts and stops its own Elasticsearch")
	}
	estest.Need(t) // this machine runs Elasticsearch at all
	_, port, _ := strings.Cut(freeAddr(t), ":")
	elasticsearch(t, port, "up")
	t.Cleanup(func() { elasticsearch(t, port, "down") })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim := simulator.New(simulator.Options{Seed: 9, RosaAds: 200, NattelysAds: 100})
	urls, err := sim.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := groundTruth(sim, urls)
	pc := simPipeline(t, urls)
	pc.cfg.ES.URL, pc.cfg.ES.Index = "http://127.0.0.1:"+port, fmt.Sprintf("adwatch-outage-%d", time.Now().UnixNano())
	p, err := startPipeline(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); p.wait(); p.close() }()

	waitFor(t, 2*time.Minute, func() (bool, string) {
		st := p.progress()
		return st.AdsInIndex > 0, fmt.Sprintf("%+v", st)
	})
	elasticsearch(t, port, "down")
	before := p.progress()
	// More ads arrive while the server is down, whatever the crawl had
	// done by then: raw ads of another simulated site, straight on the bus.
	extra := simulator.New(simulator.Options{Seed: 10, RosaAds: 100, NattelysAds: -1})
	for _, r := range extra.Ads(simulator.SiteRosa) {
		r.URL = "http://outage.example" + r.URL
		r.ID, r.Site = ad.NewID("sim-outage", r.URL), "sim-outage"
		data, _ := json.Marshal(r)
		if err := p.bus.Publish(ctx, bus.RawSubject(r.Site), r.ID+"."+r.Version(), data); err != nil {
			t.Fatal(err)
		}
		want[r.ID] = r
	}
	time.Sleep(esOutage)
	during := p.progress()
	t.Logf("Elasticsearch down for %s: before %+v, at the end %+v", esOutage, before, during)
	if during.IndexerPending <= 0 || p.indexer.Indexed() != before.Indexed {
		t.Fatalf("while Elasticsearch was down the indexer indexed %d ads with %d waiting; want none indexed and some waiting",
			p.indexer.Indexed()-before.Indexed, during.IndexerPending)
	}
	elasticsearch(t, port, "up")
	waitFor(t, 3*time.Minute, func() (bool, string) {
		st := p.progress()
		return st.AdsInIndex == int64(len(want)) && st.IndexerPending == 0 && st.ClassifierPending == 0, fmt.Sprintf("%+v", st)
	})
	all := searchAll(t, "http://"+pc.cfg.Addr, url.Values{})
	seen := map[string]bool{}
	for _, h := range all {
		if seen[h.ID] || want[h.ID].URL == "" {
			t.Fatalf("ad %s duplicated or unexpected", h.ID)
		}
		seen[h.ID] = true
	}
	if len(seen) != len(want) {
		t.Fatalf("%d of %d ads indexed after the outage", len(seen), len(want))
	}
	dead, err := p.bus.Consumer(ctx, bus.ConsumerOptions{Stream: bus.DeadStream, Durable: "check"})
	if err != nil {
		t.Fatal(err)
	}
	if msgs, _ := dead.Fetch(ctx, 10, 200*time.Millisecond); len(msgs) != 0 {
		t.Fatalf("the outage dead-lettered %d messages", len(msgs))
	}
}
