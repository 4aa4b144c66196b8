package classifier

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/adwatch/adwatch/ad"
)

// Family kinds and the scores they feed.
const (
	kindText       = "text"       // single-ad families (text and field indicators)
	kindStructural = "structural" // cross-ad families
	scoreAdRisk    = "ad_risk"
	scoreOrganised = "organised_activity"
)

// Default scoring parameters, used where the rule files' scoring section
// says nothing.
const (
	// DefaultTextCap bounds the points of one single-ad family, so that an
	// ad stuffed with marketing clichés cannot reach the top.
	DefaultTextCap = 1.5
	// DefaultStructuralCap bounds the points of one cross-ad family.
	DefaultStructuralCap = 2.5
	// DefaultSaturation is k in score = 100 × (1 − e^(−points/k)): k points
	// give 63, 2k give 86, 3k give 95.
	DefaultSaturation = 2.0
)

type family struct {
	name  string
	kind  string
	cap   float64
	score string
}

// levelRule: an assessment has level when at least minFamilies families
// contribute points and, if kinds or grades are given, one of those
// families is of such a kind or one contributing indicator has such a grade.
type levelRule struct {
	level       string
	minFamilies int
	kinds       []string
	grades      []string
}

type scoring struct {
	families map[string]*family
	adK      float64
	orgK     float64
	levels   []levelRule
}

func defaultScoring() scoring {
	s := scoring{families: map[string]*family{}, adK: DefaultSaturation, orgK: DefaultSaturation}
	for _, f := range []string{
		"language_control", "movement", "youth_signal", "risky_services", "pricing",
		"nationality_language_barrier", "multi_person", "contact_pattern", "emoji_code",
		"forced_labour",
	} {
		s.families[f] = &family{name: f, kind: kindText, cap: DefaultTextCap, score: scoreAdRisk}
	}
	for _, f := range []string{"persona_linking", "city_rotation", "template_reuse", "posting_volume"} {
		s.families[f] = &family{name: f, kind: kindStructural, cap: DefaultStructuralCap, score: scoreOrganised}
	}
	s.levels = []levelRule{
		{level: ad.LevelHigh, minFamilies: 2, kinds: []string{kindStructural}, grades: []string{"A"}},
		{level: ad.LevelMedium, minFamilies: 2},
		{level: ad.LevelLow, minFamilies: 1},
	}
	return s
}

func (s *scoring) apply(sp *scoringSpec) {
	if sp.adK != nil {
		s.adK = *sp.adK
	}
	if sp.orgK != nil {
		s.orgK = *sp.orgK
	}
	for _, f := range sp.families {
		fam := &family{name: f.name, kind: f.kind, cap: f.cap, score: f.score}
		if fam.score == "" {
			fam.score = scoreAdRisk
			if fam.kind == kindStructural {
				fam.score = scoreOrganised
			}
		}
		s.families[f.name] = fam
	}
	if len(sp.levels) > 0 {
		s.levels = sp.levels
	}
}

// fired is one indicator that fired, before scoring.
type fired struct {
	id       string
	fam      *family
	grade    string
	points   float64 // raw points
	cap      float64
	hasCap   bool
	boost    *boost
	flags    []string
	evidence []ad.Evidence
	contrib  float64
}

// famTotal is the points of one family in one assessment.
type famTotal struct {
	fam   *family
	raw   float64
	total float64
}

// score turns fired indicators into an assessment (all but Contacts and
// RulesVersion). totals is scratch space, returned for reuse.
func (s *scoring) score(fs []fired, totals []famTotal) (ad.Assessment, []famTotal) {
	// Boosts multiply the other indicators of their family.
	for i := range fs {
		if b := fs[i].boost; b != nil {
			for j := range fs {
				if j != i && fs[j].fam != nil && fs[j].fam.name == b.family {
					fs[j].points *= b.factor
				}
			}
		}
	}
	find := func(f *family) int {
		for i := range totals {
			if totals[i].fam == f {
				return i
			}
		}
		totals = append(totals, famTotal{fam: f})
		return len(totals) - 1
	}
	for i := range fs {
		if fs[i].hasCap {
			fs[i].points = math.Min(fs[i].points, fs[i].cap)
		}
		if fs[i].fam == nil {
			continue
		}
		totals[find(fs[i].fam)].raw += fs[i].points
	}
	// Over a family's cap, every member is scaled down alike.
	var adPts, orgPts float64
	for i := range totals {
		t := &totals[i]
		t.total = math.Min(t.raw, t.fam.cap)
		if t.fam.score == scoreOrganised {
			orgPts += t.total
		} else {
			adPts += t.total
		}
	}
	for i := range fs {
		if fs[i].fam == nil {
			continue
		}
		t := totals[find(fs[i].fam)]
		c := fs[i].points
		if t.raw > t.fam.cap && t.raw > 0 {
			c = c * t.fam.cap / t.raw
		}
		fs[i].contrib = c
	}

	a := ad.Assessment{
		AdRisk:            saturate(adPts, s.adK),
		OrganisedActivity: saturate(orgPts, s.orgK),
		Level:             ad.LevelNone,
		Flags:             []string{},
		Indicators:        make([]ad.Indicator, 0, len(fs)),
	}
	minor, health := false, false
	for _, f := range fs {
		for _, fl := range f.flags {
			switch fl {
			case ad.FlagMinorCue:
				minor = true
			case ad.FlagHealthOutreach:
				health = true
			}
		}
	}
	a.Level = s.level(fs)
	if minor {
		// Escalation bypasses scoring: the ad goes to the top for a human.
		a.Flags = append(a.Flags, ad.FlagMinorCue)
		a.Level = ad.LevelHigh
	}
	if health {
		a.Flags = append(a.Flags, ad.FlagHealthOutreach)
	}
	for _, f := range fs {
		famName := ""
		if f.fam != nil {
			famName = f.fam.name
		}
		a.Indicators = append(a.Indicators, ad.Indicator{
			ID: f.id, Family: famName, Contribution: round3(f.contrib), Evidence: f.evidence,
		})
	}
	slices.SortFunc(a.Indicators, func(x, y ad.Indicator) int {
		if x.Contribution != y.Contribution {
			return cmp.Compare(y.Contribution, x.Contribution)
		}
		return strings.Compare(x.ID, y.ID)
	})
	return a, totals
}

// level applies the level rules in order; the first that holds wins.
func (s *scoring) level(fs []fired) string {
	const eps = 1e-9
	var fams []*family
	for _, f := range fs {
		if f.fam != nil && f.contrib > eps && !containsFam(fams, f.fam) {
			fams = append(fams, f.fam)
		}
	}
	for _, lr := range s.levels {
		if len(fams) < lr.minFamilies {
			continue
		}
		if len(lr.kinds) == 0 && len(lr.grades) == 0 {
			return lr.level
		}
		ok := false
		for _, f := range fams {
			if contains(lr.kinds, f.kind) {
				ok = true
			}
		}
		for _, f := range fs {
			if f.contrib > eps && contains(lr.grades, f.grade) {
				ok = true
			}
		}
		if ok {
			return lr.level
		}
	}
	return ad.LevelNone
}

func containsFam(fams []*family, f *family) bool {
	for _, x := range fams {
		if x == f {
			return true
		}
	}
	return false
}

// saturate maps points to 0-100: 100 × (1 − e^(−points/k)).
func saturate(points, k float64) int {
	if points <= 0 || k <= 0 {
		return 0
	}
	return int(math.Round(100 * (1 - math.Exp(-points/k))))
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
