package crossad_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/classifier"
	"github.com/adwatch/adwatch/classifier/crossad"
	"github.com/adwatch/adwatch/classifier/devset"
)

// TestClassifyLinked: the batch's indicators score through the rule
// engine as the stage and adwatch classify --in will use them: organised
// activity on every member of a kind a or b group, a structural family
// counted for the level, nothing on kind c.
func TestClassifyLinked(t *testing.T) {
	rules, err := classifier.LoadRules("../../configs/rules")
	if err != nil {
		t.Fatalf("rules: %v", err)
	}
	dev := devset.Ads(t)
	raws := make([]ad.Raw, len(dev))
	for i, d := range dev {
		raws[i] = d.Raw
	}
	key, _ := crossad.NewContactKey([]byte("adwatch test contact key, not a secret"))
	linked, err := crossad.Batch(key, raws, crossad.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dev {
		a := rules.ClassifyLinked(d.Raw, linked[d.ID])
		g := d.Labels.Group
		switch {
		case strings.HasPrefix(g, "grp-a"), strings.HasPrefix(g, "grp-b"):
			if a.OrganisedActivity == 0 {
				t.Errorf("%s (%s): organised_activity 0 with %d linked indicators", d.ID, g, len(linked[d.ID]))
			}
		case strings.HasPrefix(g, "grp-c"):
			if a.OrganisedActivity != 0 {
				t.Errorf("%s (%s): a repost scored organised_activity %d", d.ID, g, a.OrganisedActivity)
			}
		}
		for _, ind := range a.Indicators {
			if ind.Family == "" {
				t.Errorf("%s: %s has no family in the scoring file", d.ID, ind.ID)
			}
		}
	}
	a1 := rules.ClassifyLinked(raws[27], linked[raws[27].ID]) // dev-0028, grp-a1
	if a1.Level != ad.LevelHigh || a1.OrganisedActivity < 80 {
		t.Errorf("grp-a1: level %s, organised_activity %d; want high and 80+", a1.Level, a1.OrganisedActivity)
	}
}

// TestDevSetWithClassifierPrices logs below_market_price on the dev set
// with the classifier's hourly prices (classifier.HourlyPriceDKK), which
// the pipeline wires in through Options.HourlyPrice.
func TestDevSetWithClassifierPrices(t *testing.T) {
	dev := devset.Ads(t)
	raws := make([]ad.Raw, len(dev))
	for i, d := range dev {
		raws[i] = d.Raw
	}
	key, _ := crossad.NewContactKey([]byte("adwatch test contact key, not a secret"))
	linked, err := crossad.Batch(key, raws, crossad.Options{HourlyPrice: classifier.HourlyPriceDKK})
	if err != nil {
		t.Fatal(err)
	}
	tp, fp, fn := 0, 0, 0
	for _, d := range dev {
		want := slices.Contains(d.Labels.Indicators, crossad.BelowMarketPrice)
		has := slices.ContainsFunc(linked[d.ID], func(i ad.Indicator) bool { return i.ID == crossad.BelowMarketPrice })
		switch {
		case want && has:
			tp++
		case has:
			fp++
			t.Logf("FP %s", d.ID)
		case want:
			fn++
			t.Logf("FN %s", d.ID)
		}
	}
	t.Logf("below_market_price with classifier.HourlyPriceDKK: tp %d fp %d fn %d", tp, fp, fn)
}
