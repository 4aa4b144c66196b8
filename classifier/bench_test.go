package classifier

import (
	"runtime"
	"testing"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/classifier/phone"
)

// BenchmarkClassify classifies the development set with the rules in
// configs/rules, reporting ads/s and allocations per ad. Run it on one
// core: go test ./classifier -run XXX -bench Classify -cpu 1.
func BenchmarkClassify(b *testing.B) {
	dev := loadDevSet(b)
	ads := make([]ad.Raw, len(dev))
	for i, d := range dev {
		ads[i] = d.Raw
	}
	benchClassify(b, ads)
}

// BenchmarkClassifyNoLang is BenchmarkClassify on ads whose site gives no
// language, as crawled ads mostly are: the language is detected.
func BenchmarkClassifyNoLang(b *testing.B) {
	dev := loadDevSet(b)
	ads := make([]ad.Raw, len(dev))
	for i, d := range dev {
		ads[i] = d.Raw
		ads[i].Lang = ""
	}
	benchClassify(b, ads)
}

func benchClassify(b *testing.B, ads []ad.Raw) {
	r := loadConfigRules(b)
	for _, a := range ads {
		r.Classify(a) // warm the scratch buffers and the phone cache
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0, cpuOK := cpuTime()
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		r.Classify(ads[n%len(ads)])
		n++
	}
	b.StopTimer()
	c1, _ := cpuTime()
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ads/s")
	if cpuOK && c1 > c0 {
		// Throughput per CPU second, whatever else the machine runs.
		b.ReportMetric(float64(n)/(c1-c0).Seconds(), "ads/cpu-s")
	}
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(n), "allocs/ad")
}

// BenchmarkClassifyParallel is BenchmarkClassify on every core.
func BenchmarkClassifyParallel(b *testing.B) {
	dev := loadDevSet(b)
	r := loadConfigRules(b)
	ads := make([]ad.Raw, len(dev))
	for i, d := range dev {
		ads[i] = d.Raw
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		n := 0
		for pb.Next() {
			r.Classify(ads[n%len(ads)])
			n++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ads/s")
}

// BenchmarkContacts measures the part of Classify spent finding phone
// numbers (package phone), to tell it apart from rule matching.
func BenchmarkContacts(b *testing.B) {
	dev := loadDevSet(b)
	var cs []contact
	var seen []sighting
	var ms []phone.Match
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		cs, seen, ms = contacts(&dev[n%len(dev)].Raw, cs[:0], seen[:0], ms[:0])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ads/s")
}

// BenchmarkPatterns measures pattern matching alone: building the views of
// title and text and running the automaton and phrase checks on them.
func BenchmarkPatterns(b *testing.B) {
	dev := loadDevSet(b)
	r := loadConfigRules(b)
	s := newScratch(r)
	for i := range s.active {
		s.active[i] = true
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		d := &dev[n%len(dev)].Raw
		s.ev = s.ev[:0]
		clear(s.perInd)
		r.matchField(s, "title", fieldTitle, d.Title)
		r.matchField(s, "text", fieldText, d.Text)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ads/s")
}
