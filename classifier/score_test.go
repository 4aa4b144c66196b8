package classifier

import (
	"math"
	"os"
	"testing"

	"github.com/adwatch/adwatch/ad"
)

func scoringRules(t *testing.T) *Rules {
	t.Helper()
	data, err := os.ReadFile("testdata/scoring_rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseRules("scoring_rules.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestScoring(t *testing.T) {
	r := scoringRules(t)
	sat := func(points float64) int { return int(math.Round(100 * (1 - math.Exp(-points/DefaultSaturation)))) }
	tests := []struct {
		name    string
		text    string
		linked  []ad.Indicator
		risk    int
		org     int
		level   string
		flags   []string
		contrib map[string]float64
		order   []string
	}{
		{
			name: "nothing", text: "hello",
			risk: 0, level: ad.LevelNone, flags: []string{}, contrib: map[string]float64{},
		},
		{
			name: "one weak indicator is low", text: "tpl",
			risk: sat(0.25), level: ad.LevelLow, flags: []string{},
			contrib: map[string]float64{"third_person_language": 0.25},
		},
		{
			name: "a family is capped and its members scaled alike", text: "tpl cbc tal avc",
			risk: sat(1.5), level: ad.LevelLow, flags: []string{},
			contrib: map[string]float64{
				"third_person_language": 0.188, "controller_or_booker_contact": 0.375,
				"trust_assurance_language": 0.75, "availability_control": 0.188,
			},
			order: []string{"trust_assurance_language", "controller_or_booker_contact", "availability_control", "third_person_language"},
		},
		{
			name: "two families without an A grade are medium", text: "tpl rns",
			risk: sat(0.75), level: ad.LevelMedium, flags: []string{ad.FlagHealthOutreach},
			contrib: map[string]float64{"third_person_language": 0.25, "risky_or_no_limits_services": 0.5},
		},
		{
			name: "two families with an A grade are high", text: "tal rns",
			risk: sat(1.5), level: ad.LevelHigh, flags: []string{ad.FlagHealthOutreach},
			contrib: map[string]float64{"trust_assurance_language": 1.0, "risky_or_no_limits_services": 0.5},
		},
		{
			name: "a weight-0 indicator fires but adds no family", text: "nit tpl",
			risk: sat(0.25), level: ad.LevelLow, flags: []string{},
			contrib: map[string]float64{"new_in_town_text": 0, "third_person_language": 0.25},
			order:   []string{"third_person_language", "new_in_town_text"},
		},
		{
			name: "a minor cue escalates whatever the score", text: "mcu",
			risk: 0, level: ad.LevelHigh, flags: []string{ad.FlagMinorCue},
			contrib: map[string]float64{"minor_cue": 0},
		},
		{
			name: "a pattern weight overrides the indicator's", text: "rotation",
			risk: sat(0.75), level: ad.LevelLow, flags: []string{},
			contrib: map[string]float64{"multiple_persons_in_ad": 0.75},
		},
		{
			name: "the highest pattern weight counts once", text: "mpa rotation mpa",
			risk: sat(0.75), level: ad.LevelLow, flags: []string{},
			contrib: map[string]float64{"multiple_persons_in_ad": 0.75},
		},
		{
			name: "a boost multiplies its family, then the indicator cap applies", text: "fee target",
			risk: sat(1.1), level: ad.LevelLow, flags: []string{},
			contrib: map[string]float64{"fl_recruitment_fee": 1.1, "fl_targeted_foreign_recruitment": 0},
		},
		{
			name: "a structural family makes two families high",
			text: "tpl",
			linked: []ad.Indicator{{ID: "many_personas_per_contact", Contribution: 1.5,
				Evidence: []ad.Evidence{{Field: "phones", Start: 0, End: 8, Text: "28641973"}}}},
			risk: sat(0.25), org: sat(1.5), level: ad.LevelHigh, flags: []string{},
			contrib: map[string]float64{"third_person_language": 0.25, "many_personas_per_contact": 1.5},
		},
		{
			name: "a linked indicator without points takes its rule weight",
			text: "hello", linked: []ad.Indicator{{ID: "many_personas_per_contact"}},
			org: sat(1.0), level: ad.LevelLow, flags: []string{},
			contrib: map[string]float64{"many_personas_per_contact": 1.0},
		},
		{
			name: "a structural family is capped at 2.5",
			text: "hello", linked: []ad.Indicator{{ID: "many_personas_per_contact", Contribution: 4}},
			org: sat(2.5), level: ad.LevelLow, flags: []string{},
			contrib: map[string]float64{"many_personas_per_contact": 2.5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := ad.Raw{Text: tt.text}
			a := r.ClassifyLinked(raw, tt.linked)
			if a.AdRisk != tt.risk || a.OrganisedActivity != tt.org {
				t.Errorf("scores %d/%d, want %d/%d", a.AdRisk, a.OrganisedActivity, tt.risk, tt.org)
			}
			if a.Level != tt.level {
				t.Errorf("level %s, want %s", a.Level, tt.level)
			}
			if len(a.Flags) != len(tt.flags) {
				t.Errorf("flags %v, want %v", a.Flags, tt.flags)
			}
			for _, f := range tt.flags {
				if !a.HasFlag(f) {
					t.Errorf("flags %v, want %v", a.Flags, tt.flags)
				}
			}
			got := map[string]float64{}
			for _, ind := range a.Indicators {
				got[ind.ID] = ind.Contribution
				if ind.Family == "" {
					t.Errorf("%s has no family", ind.ID)
				}
			}
			if len(got) != len(tt.contrib) {
				t.Errorf("indicators %v, want %v", got, tt.contrib)
			}
			for id, c := range tt.contrib {
				if g, ok := got[id]; !ok || math.Abs(g-c) > 1e-9 {
					t.Errorf("%s contributes %v, want %v", id, g, c)
				}
			}
			for i, id := range tt.order {
				if a.Indicators[i].ID != id {
					t.Errorf("indicator %d is %s, want %s (order %s)", i, a.Indicators[i].ID, id, indicatorList(a))
				}
			}
		})
	}
}

func TestSaturate(t *testing.T) {
	tests := []struct {
		points, k float64
		want      int
	}{
		{0, 2, 0}, {-1, 2, 0}, {1, 2, 39}, {2, 2, 63}, {4, 2, 86}, {6, 2, 95}, {100, 2, 100}, {1, 0, 0},
	}
	for _, tt := range tests {
		if got := saturate(tt.points, tt.k); got != tt.want {
			t.Errorf("saturate(%v, %v) = %d, want %d", tt.points, tt.k, got, tt.want)
		}
	}
}

// TestScoringSection checks that a scoring section overrides the defaults.
func TestScoringSection(t *testing.T) {
	r, err := ParseRules("s.yaml", []byte(`
scoring:
  ad_risk: {saturation: 1}
  families:
    language_control: {kind: text, cap: 0.3}
  levels:
    - {level: medium, min_families: 1}
indicators:
  - {id: third_person_language, family: language_control, grade: C, weight: 0.25, patterns: {en: [tpl]}}
  - {id: controller_or_booker_contact, family: language_control, grade: C, weight: 0.5, patterns: {en: [cbc]}}
`))
	if err != nil {
		t.Fatal(err)
	}
	a := r.Classify(ad.Raw{Text: "tpl cbc"})
	if want := int(math.Round(100 * (1 - math.Exp(-0.3)))); a.AdRisk != want {
		t.Errorf("ad risk %d, want %d", a.AdRisk, want)
	}
	if a.Level != ad.LevelMedium {
		t.Errorf("level %s, want medium", a.Level)
	}
}
