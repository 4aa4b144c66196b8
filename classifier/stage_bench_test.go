package classifier

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/bus/bustest"
	"github.com/adwatch/adwatch/classifier/devset"
)

// BenchmarkStage measures the classifier stage end to end on an embedded
// JetStream: raw ads in, scored ads (and the re-scores of linked ads) out,
// with the linking state in KV, for one worker and for several. Each
// iteration publishes the development set under new ids, moved 200 days
// on, so the state stays one quarter's ads, and waits until the stage has
// scored them all; "ads/s" counts raw ads.
func BenchmarkStage(b *testing.B) {
	var dev []ad.Raw
	for _, line := range devset.Lines(b) {
		var r ad.Raw
		if err := json.Unmarshal(line, &r); err != nil {
			b.Fatal(err)
		}
		dev = append(dev, r)
	}
	rules := config(b)
	for _, linked := range []bool{false, true} {
		for _, workers := range []int{1, 4, 8} {
			b.Run(fmt.Sprintf("linked=%v/workers=%d", linked, workers), func(b *testing.B) {
				benchStage(b, dev, rules, linked, workers)
			})
		}
	}
}

func benchStage(b *testing.B, dev []ad.Raw, rules *Rules, linked bool, workers int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bs := bustest.Start(b)
	opts := StageOptions{Workers: workers}
	if linked {
		opts.Linker = newLinker(b, bs)
	}
	src, err := bs.Consumer(ctx, bus.ConsumerOptions{Stream: bus.RawStream, Durable: "classifier"})
	if err != nil {
		b.Fatal(err)
	}
	st := NewStage(src, bs, rules, slog.New(slog.DiscardHandler), opts)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- st.Run(runCtx) }()
	defer func() { stop(); <-done }()

	pass, total := 0, int64(0)
	var working time.Duration
	for b.Loop() {
		// Publishing is the crawler's work: outside the measured time.
		b.StopTimer()
		for _, r := range dev {
			r.ID = fmt.Sprintf("%s-%d", r.ID, pass)
			r.PostedAt = r.PostedAt.Add(time.Duration(pass) * 200 * 24 * time.Hour)
			data, _ := json.Marshal(r)
			if err := bs.Publish(ctx, bus.RawSubject(r.Site), r.ID+"."+r.Version(), data); err != nil {
				b.Fatal(err)
			}
		}
		pass++
		total += int64(len(dev))
		b.StartTimer()
		start := time.Now()
		for st.Scored() < total {
			if ctx.Err() != nil {
				b.Fatalf("stage stalled at %d of %d", st.Scored(), total)
			}
			time.Sleep(time.Millisecond)
		}
		working += time.Since(start)
	}
	b.ReportMetric(float64(total)/working.Seconds(), "ads/s")
	b.ReportMetric(float64(st.Rescored())/float64(total), "rescores/ad")
}
