package classifier

import (
	"slices"
	"strings"
	"testing"

	"github.com/adwatch/adwatch/classifier/devset"
)

type devAd = devset.Ad

func loadDevSet(tb testing.TB) []devAd { return devset.Ads(tb) }

func loadConfigRules(tb testing.TB) *Rules {
	tb.Helper()
	r, err := LoadRules("../configs/rules")
	if err != nil {
		tb.Fatalf("load rules:\n%v", err)
	}
	return r
}

// ruleIDs returns the ids of the indicators the rules define, in rule
// order, without minor_cue (never labelled in the set).
func ruleIDs(r *Rules) []string {
	var ids []string
	for _, ind := range r.inds {
		if ind.id != "minor_cue" {
			ids = append(ids, ind.id)
		}
	}
	return ids
}

// TestDevSet measures every indicator the rule files define against the
// labels of the development set and fails below floors the rules honestly
// reach. Labels of indicators the rules do not define (cross-ad ones and
// below_market_price, computed by linking ads) are left out here; `adwatch
// eval` measures those with the cross-ad batch. Run with -v to see the
// table and every miss.
func TestDevSet(t *testing.T) {
	ads := loadDevSet(t)
	r := loadConfigRules(t)
	ids := ruleIDs(r)
	var recs []LabelledResult
	for _, d := range ads {
		l := Labels(d.Labels)
		l.Indicators = slices.DeleteFunc(slices.Clone(l.Indicators), func(id string) bool { return !slices.Contains(ids, id) })
		recs = append(recs, LabelledResult{ID: d.ID, Labels: l, Assessment: r.Classify(d.Raw)})
	}
	rep := Evaluate(recs)
	var b strings.Builder
	if err := rep.WriteText(&b, true); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + b.String())
	// Floors below what the rules reach, so that a rule edit that costs
	// real precision or recall fails here.
	if rep.SingleMicro.F1 < 0.95 {
		t.Errorf("micro-F1 %.3f below the floor 0.95", rep.SingleMicro.F1)
	}
	if rep.SingleMicro.Precision < 0.95 {
		t.Errorf("micro precision %.3f below the floor 0.95", rep.SingleMicro.Precision)
	}
	if rep.SingleMacro.F1 < 0.9 {
		t.Errorf("macro-F1 %.3f below the floor 0.9", rep.SingleMacro.F1)
	}
	for _, s := range rep.Indicators {
		if f := s.F1(); f < 0.85 {
			t.Errorf("%s: F1 %.3f below the floor 0.85", s.ID, f)
		}
	}
	for _, id := range ids {
		if !slices.ContainsFunc(rep.Indicators, func(s IndicatorScore) bool { return s.ID == id }) {
			t.Errorf("%s: defined by the rules but never labelled nor fired on the dev set", id)
		}
	}
	if rep.Phones.Recall < 0.95 {
		t.Errorf("phone recall %.3f below the floor 0.95", rep.Phones.Recall)
	}
}
