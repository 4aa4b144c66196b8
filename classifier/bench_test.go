package classifier

import (
	"testing"

	"github.com/adwatch/adwatch/ad"
)

// BenchmarkClassify classifies the development set with the rules in
// configs/rules, reporting ads/s and allocations per ad.
func BenchmarkClassify(b *testing.B) {
	dev := loadDevSet(b)
	r := loadConfigRules(b)
	ads := make([]ad.Raw, len(dev))
	for i, d := range dev {
		ads[i] = d.Raw
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		r.Classify(ads[n%len(ads)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ads/s")
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
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		cs, seen = contacts(&dev[n%len(dev)].Raw, cs[:0], seen[:0])
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
