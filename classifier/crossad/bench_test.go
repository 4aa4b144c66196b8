package crossad

import (
	"fmt"
	"testing"
	"time"

	"github.com/adwatch/adwatch/bus/bustest"
)

// BenchmarkBatch links the whole development set, reporting ads/s.
func BenchmarkBatch(b *testing.B) {
	ads := devRaws(loadDevSet(b))
	key := testKey(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := Batch(key, ads, Options{}); err != nil {
			b.Fatal(err)
		}
		n += len(ads)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ads/s")
}

// BenchmarkLink links the development set one ad at a time on an embedded
// JetStream, as the classifier stage does, re-scores included: each pass
// over the set is moved 200 days on, so the state stays the size of
// one quarter's ads, as in steady operation.
func BenchmarkLink(b *testing.B) {
	dev := devRaws(loadDevSet(b))
	ctx := ctxT(b)
	l := newLinker(b, newStore(b, bustest.Start(b), "crossad_bench"))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		pass := i / len(dev)
		r := dev[i%len(dev)]
		r.ID = fmt.Sprintf("%s-%d", r.ID, pass)
		r.PostedAt = r.PostedAt.Add(time.Duration(pass) * 200 * 24 * time.Hour)
		linked, affected, err := l.Link(ctx, r)
		if err != nil {
			b.Fatal(err)
		}
		for _, id := range affected {
			if _, err := l.Raw(ctx, id); err != nil {
				b.Fatal(err)
			}
			al, err := l.Indicators(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			if err := l.Done(ctx, id, al.Seq); err != nil {
				b.Fatal(err)
			}
		}
		if err := l.Done(ctx, r.ID, linked.Seq); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "ads/s")
}
