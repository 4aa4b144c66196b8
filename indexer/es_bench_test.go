package indexer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esutil"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/bus/bustest"
	"github.com/adwatch/adwatch/search/esindex"
	"github.com/adwatch/adwatch/search/esindex/estest"
	"github.com/adwatch/adwatch/simulator"
)

// benchAds are realistic scored ads: the simulator's texts with a few
// indicators and their evidence.
func benchAds(n int) []ad.Scored {
	sim := simulator.New(simulator.Options{Seed: 4, RosaAds: n, NattelysAds: -1})
	var out []ad.Scored
	for i, r := range sim.Ads(simulator.SiteRosa) {
		r.ID = fmt.Sprintf("bench-%06d", i)
		r.URL = "http://127.0.0.1/annonce/" + r.ID
		out = append(out, ad.Scored{Raw: r, ScoredAt: time.Now().UTC(), Assessment: ad.Assessment{
			AdRisk: i % 90, Level: []string{ad.LevelNone, ad.LevelLow, ad.LevelMedium, ad.LevelHigh}[i%4],
			Flags: []string{}, Contacts: []string{"+4528639014"}, RulesVersion: "bench",
			Indicators: []ad.Indicator{
				{ID: "third_person_language", Family: "language_control", Contribution: 0.25, Evidence: []ad.Evidence{{Field: "text", Start: 0, End: 5, Text: "abcde"}}},
				{ID: "messaging_only_contact", Family: "contact_pattern", Contribution: 0.25, Evidence: []ad.Evidence{{Field: "text", Start: 6, End: 9, Text: "sms"}}},
			},
		}})
	}
	return out
}

// BenchmarkIndexerIntoElasticsearch measures the indexer's end-to-end
// throughput (scored-ad stream → Elasticsearch, acknowledged) beside a bare
// esutil.BulkIndexer writing the same documents, with the same external
// versions (ad.Scored.Revision), to the same server in the same run. Run
// it with: go test -run '^$' -bench IndexerInto -benchtime 3x ./indexer/
func BenchmarkIndexerIntoElasticsearch(b *testing.B) {
	estest.Need(b)
	const n = 5000
	ads := benchAds(n)
	ctx := context.Background()
	es, err := elasticsearch.NewClient(elasticsearch.Config{Addresses: []string{estest.URL()}})
	if err != nil {
		b.Fatal(err)
	}
	var pipeTotal, bareTotal time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		alias := fmt.Sprintf("adwatch-bench-%d", time.Now().UnixNano())
		pipe := openBenchStore(b, alias+"-pipe")
		bare := openBenchStore(b, alias+"-bare")
		bs := bustest.Start(b)
		for _, a := range ads {
			data, _ := json.Marshal(a)
			if err := bs.Publish(ctx, bus.ScoredSubject("bench"), a.ID, data); err != nil {
				b.Fatal(err)
			}
		}
		c, err := bs.Consumer(ctx, bus.ConsumerOptions{Stream: bus.ScoredStream, Durable: "indexer"})
		if err != nil {
			b.Fatal(err)
		}
		ix := New(c, pipe, slog.New(slog.DiscardHandler), Options{})
		b.StartTimer()

		start := time.Now()
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- ix.Run(runCtx) }()
		for ix.Indexed() < n {
			time.Sleep(time.Millisecond)
		}
		pipeTotal += time.Since(start)
		cancel()
		<-done

		start = time.Now()
		bi, err := esutil.NewBulkIndexer(esutil.BulkIndexerConfig{Client: es, Index: alias + "-bare"})
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range ads {
			doc, err := esindex.Document(a)
			if err != nil {
				b.Fatal(err)
			}
			v := a.Revision()
			if err := bi.Add(ctx, esutil.BulkIndexerItem{Action: "index", DocumentID: a.ID, Version: &v, VersionType: "external_gte", Body: bytes.NewReader(doc)}); err != nil {
				b.Fatal(err)
			}
		}
		if err := bi.Close(ctx); err != nil {
			b.Fatal(err)
		}
		if st := bi.Stats(); st.NumFailed > 0 || st.NumIndexed != n {
			b.Fatalf("bare bulk indexer: %+v", st)
		}
		bareTotal += time.Since(start)

		b.StopTimer()
		pipe.Close()
		bare.Close()
		for _, a := range []string{alias + "-pipe", alias + "-bare"} {
			req, _ := http.NewRequest(http.MethodDelete, estest.URL()+"/"+a+"-v*", nil)
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		}
		b.StartTimer()
	}
	pipeRate := float64(n*b.N) / pipeTotal.Seconds()
	bareRate := float64(n*b.N) / bareTotal.Seconds()
	b.ReportMetric(pipeRate, "indexer_ads/s")
	b.ReportMetric(bareRate, "bare_bulk_ads/s")
	b.ReportMetric(pipeRate/bareRate, "indexer/bare")
}

func openBenchStore(b *testing.B, alias string) *esindex.Store {
	b.Helper()
	s, err := esindex.Open(context.Background(), esindex.Options{Addresses: []string{estest.URL()}, Index: alias, Refresh: esindex.RefreshNone})
	if err != nil {
		b.Fatal(err)
	}
	return s
}
