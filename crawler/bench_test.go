package crawler

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/simulator"
)

// BenchmarkCrawl crawls both simulated sites (500 ads each) on loopback with
// the shipped configs (politeness delays off: delay 0s) and reports pages
// and ads per second, and the peak of the Go heap in use during the crawls
// (sampled every millisecond).
func BenchmarkCrawl(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim := simulator.New(simulator.Options{Seed: 1, RosaAds: 500, NattelysAds: 500})
	urls, err := sim.Start(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	sites, err := LoadSites("../configs/sites")
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range sites {
		s.BaseURL = urls[s.Name]
	}

	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	var pages, ads int64
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		for _, s := range sites {
			st, err := CrawlOnce(ctx, s, discard, func(ad.Raw) error { return nil })
			if err != nil || st.Errors != 0 {
				b.Fatalf("%s: %v, %d errors", s.Name, err, st.Errors)
			}
			pages += st.Pages
			ads += st.Ads
		}
	}
	secs := time.Since(start).Seconds()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(pages)/secs, "pages/s")
	b.ReportMetric(float64(ads)/secs, "ads/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
