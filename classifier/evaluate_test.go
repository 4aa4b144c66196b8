package classifier

import (
	"math"
	"strings"
	"testing"

	"github.com/adwatch/adwatch/ad"
)

func TestEvaluate(t *testing.T) {
	fired := func(ids ...string) ad.Assessment {
		var a ad.Assessment
		for _, id := range ids {
			a.Indicators = append(a.Indicators, ad.Indicator{ID: id, Evidence: []ad.Evidence{{Field: "text", Text: id}}})
		}
		return a
	}
	recs := []LabelledResult{
		{ID: "a", Labels: Labels{Indicators: []string{"third_person_language", "rapid_city_rotation"}, Phones: []string{"+4528639014"}},
			Assessment: withContacts(fired("third_person_language", "rapid_city_rotation"), "+4528639014")},
		{ID: "b", Labels: Labels{Indicators: []string{"third_person_language"}, Phones: []string{"+40754381906"}},
			Assessment: fired("trust_assurance_language")},
		{ID: "c", Labels: Labels{Indicators: []string{"near_duplicate_template"}},
			Assessment: withContacts(fired("rapid_city_rotation"), "+4511111111")},
	}
	rep := Evaluate(recs)
	byID := map[string]IndicatorScore{}
	for _, s := range rep.Indicators {
		byID[s.ID] = s
	}
	check := func(id string, want Counts, cross bool) {
		t.Helper()
		got := byID[id]
		if got.Counts != want || got.CrossAd != cross {
			t.Errorf("%s: %+v cross %v, want %+v cross %v", id, got.Counts, got.CrossAd, want, cross)
		}
	}
	check("third_person_language", Counts{TP: 1, FN: 1}, false)
	check("trust_assurance_language", Counts{FP: 1}, false)
	check("rapid_city_rotation", Counts{TP: 1, FP: 1}, true)
	check("near_duplicate_template", Counts{FN: 1}, true)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	// Single-ad micro: TP 1, FP 1, FN 1 → P = R = 0.5.
	if !near(rep.SingleMicro.Precision, 0.5) || !near(rep.SingleMicro.Recall, 0.5) {
		t.Errorf("single micro %+v", rep.SingleMicro)
	}
	// Single-ad macro: third_person P1 R.5, trust P0 R0 → P .5, R .25.
	if !near(rep.SingleMacro.Precision, 0.5) || !near(rep.SingleMacro.Recall, 0.25) || rep.SingleMacro.Indicators != 2 {
		t.Errorf("single macro %+v", rep.SingleMacro)
	}
	// Cross-ad micro: TP 1, FP 1, FN 1.
	if !near(rep.CrossMicro.Precision, 0.5) || !near(rep.CrossMicro.Recall, 0.5) || rep.CrossMicro.Indicators != 2 {
		t.Errorf("cross micro %+v", rep.CrossMicro)
	}
	if rep.Phones.Labelled != 2 || rep.Phones.Found != 1 || rep.Phones.Extra != 1 || !near(rep.Phones.Recall, 0.5) {
		t.Errorf("phones %+v", rep.Phones)
	}
	if len(rep.Misses) != 4 {
		t.Errorf("%d misses, want 4: %+v", len(rep.Misses), rep.Misses)
	}
	var b strings.Builder
	if err := rep.WriteText(&b, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"single-ad indicators", "cross-ad indicators", "macro average (2 indicators)", "recall 0.500", "FP trust_assurance_language", "FN phone b: +40754381906"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

func withContacts(a ad.Assessment, cs ...string) ad.Assessment {
	a.Contacts = cs
	return a
}

func TestCountsEdgeCases(t *testing.T) {
	if c := (Counts{}); c.Precision() != 1 || c.Recall() != 1 || c.F1() != 1 {
		t.Errorf("empty counts: %v %v %v", c.Precision(), c.Recall(), c.F1())
	}
	if c := (Counts{FN: 3}); c.Precision() != 0 || c.Recall() != 0 || c.F1() != 0 {
		t.Errorf("only misses: %v %v", c.Precision(), c.Recall())
	}
}
