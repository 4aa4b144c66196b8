package classifier

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadRuleFiles checks that every problem in a bad rule file is
// reported, all at once, each with file:line:col, the field, what is wrong
// and what would be valid.
func TestBadRuleFiles(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"unknown_field.bad.yaml", []string{
			`unknown_field.bad.yaml:6:5: indicators[0].colour: unknown field "colour"; valid fields here: id, family, grade, weight, cap, description, fields, flags, when, age, phone_country_not, phone_obscured, languages_exclude, ad_language_not_spoken, pay_at_least, unless, cues, min_cues, boost, patterns, negative, tests`,
			`unknown_field.bad.yaml:11:11: indicators[0].patterns.da[0].wieght: unknown field "wieght"; valid fields here: phrase, regex, weight, scope, note`,
		}},
		{"unknown_id.bad.yaml", []string{
			`unknown_id.bad.yaml:2:9: indicators[0].id: unknown indicator id "third_persn_language"; ids are the contract of INDICATORS.md (did you mean "third_person_language"?)`,
		}},
		{"bad_regex.bad.yaml", []string{
			"bad_regex.bad.yaml:8:18: indicators[0].patterns.en[0].regex: invalid regex: error parsing regexp: missing closing ): `(24/7`",
			`bad_regex.bad.yaml:9:18: indicators[0].patterns.en[1].regex: \b and \B are ASCII-only in Go (ø, å and Cyrillic break them); use (?:^| ) and (?: |$), or (?:^|[^\p{L}\p{N}])`,
			`bad_regex.bad.yaml:10:18: indicators[0].patterns.en[2].regex: regex literal "." never occurs: punctuation reads as a space in normalised text; write a space`,
		}},
		{"bad_weight.bad.yaml", []string{
			`bad_weight.bad.yaml:5:13: indicators[0].weight: weight 7 out of range; must be from 0 to 5 points`,
			`bad_weight.bad.yaml:11:13: indicators[1].weight: weight 0.5 for a grade A- indicator; A- (tested, not predictive) must have weight 0`,
			`bad_weight.bad.yaml:17:13: indicators[2].weight: expected a number, got the value "high"`,
		}},
		{"duplicate_id.bad.yaml", []string{
			`duplicate_id.bad.yaml:8:9: indicators[1].id: duplicate indicator id "messaging_only_contact", first defined at duplicate_id.bad.yaml:2:9; merge the two`,
		}},
		{"many.bad.yaml", []string{
			`many.bad.yaml:3:9: indicators[0].id: unknown indicator id "third_persn_language"; ids are the contract of INDICATORS.md (did you mean "third_person_language"?)`,
			`many.bad.yaml:12:13: indicators[1].weight: weight -1 out of range; must be from 0 to 5 points`,
			`many.bad.yaml:13:5: indicators[1].colour: unknown field "colour"; valid fields here: id, family, grade, weight, cap, description, fields, flags, when, age, phone_country_not, phone_obscured, languages_exclude, ad_language_not_spoken, pay_at_least, unless, cues, min_cues, boost, patterns, negative, tests`,
			"many.bad.yaml:16:18: indicators[1].patterns.en[0].regex: invalid regex: error parsing regexp: missing closing ): `(24/7`",
			`many.bad.yaml:23:9: indicators[3].id: duplicate indicator id "youth_emphasis_language", first defined at many.bad.yaml:17:9; merge the two`,
		}},
		{"family.bad.yaml", []string{
			`family.bad.yaml:3:13: indicators[0].family: indicator "third_person_language" is in family "language_control" in INDICATORS.md, not "movement"`,
			`family.bad.yaml:9:13: indicators[1].family: unknown family "labour"; declare it under scoring.families (known: city_rotation, contact_pattern, emoji_code, forced_labour, language_control, movement, multi_person, nationality_language_barrier, persona_linking, posting_volume, pricing, risky_services, template_reuse, youth_signal)`,
		}},
		{"syntax.bad.yaml", []string{
			`syntax.bad.yaml:2: did not find expected ',' or ']' (invalid YAML)`,
		}},
		{"alias.bad.yaml", []string{
			`alias.bad.yaml:8:11: indicators[0].patterns.da: anchors and aliases are not supported; write the value out`,
		}},
		{"tests.bad.yaml", []string{
			`tests.bad.yaml:9:9: indicators[0].tests[0]: a test needs fires: true or fires: false`,
			`tests.bad.yaml:11:13: indicators[0].tests[1].ad: give text or ad, not both`,
			`tests.bad.yaml:13:29: indicators[0].tests[2].ad.age: expected a whole number, got the value "old"`,
			`tests.bad.yaml:13:36: indicators[0].tests[2].ad.colour: unknown field "colour"; valid fields here: id, site, url, category, lang, title, text, name, city, age, price_text, phones, languages`,
			`tests.bad.yaml:14:16: indicators[0].tests[2].fires: expected true or false, got the value "maybe"`,
		}},
		{"never_fires.bad.yaml", []string{
			`never_fires.bad.yaml:2:5: indicators[0].negative: indicator "third_person_language" has negative patterns but no patterns to suppress`,
		}},
		{"scoring.bad.yaml", []string{
			`scoring.bad.yaml:2:25: scoring.ad_risk.saturation: saturation 0 out of range; must be above 0 and at most 100 (points at which the score reaches 63)`,
			`scoring.bad.yaml:4:30: scoring.families.language_control.kind: unknown kind "textual"; valid: text (single-ad), structural (cross-ad)`,
			`scoring.bad.yaml:5:5: scoring.families.movement: family "movement" needs a cap (about 1.5 for text, 2.5 for structural)`,
			`scoring.bad.yaml:7:14: scoring.levels[0].level: unknown level "urgent"; valid: high, medium, low`,
			`scoring.bad.yaml:9:23: scoring.levels[0].require_grades: unknown grade "A+"; valid: A, A-, B, C, D`,
		}},
		{"cues.bad.yaml", []string{
			`cues.bad.yaml:2:5: indicators[0].min_cues: indicator "fl_too_good_to_be_true" has cues but no min_cues: how many of them must hold`,
			`cues.bad.yaml:10:9: indicators[0].cues[1]: a cue needs a name`,
			`cues.bad.yaml:13:9: indicators[0].cues[2].name: cue "pay" is given twice`,
			`cues.bad.yaml:13:9: indicators[0].cues[2]: cue "pay" needs patterns or pay_at_least`,
			`cues.bad.yaml:15:5: indicators[1].min_cues: min_cues without cues: give the cues it counts`,
			`cues.bad.yaml:20:14: indicators[1].unless.company: unknown field "company"; valid fields here: languages, company_domain, company_name`,
			`cues.bad.yaml:21:19: indicators[1].pay_at_least: pay_at_least needs dkk_per_month`,
			`cues.bad.yaml:21:20: indicators[1].pay_at_least.dkk: unknown field "dkk"; valid fields here: dkk_per_month`,
		}},
		{"empty.bad.yaml", []string{
			`empty.bad.yaml:1:1: file is empty; expected indicators:, lists: or scoring:`,
		}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseRules(tt.file, data)
			if err == nil {
				t.Fatalf("ParseRules succeeded (%d indicators), want errors", len(r.inds))
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	// Every fixture has an expectation.
	files, _ := filepath.Glob("testdata/*.bad.yaml")
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s has no expected errors in TestBadRuleFiles", f)
		}
	}
}

func TestLoadRulesAcrossFiles(t *testing.T) {
	_, err := LoadRules("testdata/dup")
	if err == nil {
		t.Fatal("LoadRules succeeded, want errors")
	}
	want := []string{
		`testdata/dup/b.yaml:2:3: lists.roles: list "roles" is already declared at testdata/dup/a.yaml:2:3`,
		`testdata/dup/b.yaml:7:9: indicators[0].id: duplicate indicator id "third_party_payment", first defined at testdata/dup/a.yaml:4:9; merge the two`,
		`testdata/dup/c.yaml:1:1: scoring: a second scoring section; the first is at testdata/dup/b.yaml:3:1, keep one`,
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if _, err := LoadRules("testdata/none"); err == nil || !strings.Contains(err.Error(), "no *.yaml files") {
		t.Errorf("LoadRules of an empty directory: %v", err)
	}
}

func TestVersion(t *testing.T) {
	a := []byte("indicators:\n  - {id: third_person_language, family: language_control, grade: C, weight: 0.25, patterns: {en: [she is]}}\n")
	b := []byte("lists:\n  x: [y]\n")
	r1, err := compile([]ruleFile{{"a.yaml", a}, {"b.yaml", b}})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := compile([]ruleFile{{"z.yaml", b}, {"y.yaml", a}})
	if err != nil {
		t.Fatal(err)
	}
	r3, err := compile([]ruleFile{{"a.yaml", a}, {"b.yaml", []byte("lists:\n  x: [z]\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Version() != r2.Version() {
		t.Errorf("same content, other names and order: %s != %s", r1.Version(), r2.Version())
	}
	if r1.Version() == r3.Version() {
		t.Errorf("changed content, same version %s", r1.Version())
	}
	if len(r1.Version()) != 16 {
		t.Errorf("version %q: want 16 hex digits", r1.Version())
	}
	if got := r1.Classify(testRaw("she is here")).RulesVersion; got != r1.Version() {
		t.Errorf("assessment records rules version %q, want %q", got, r1.Version())
	}
}

func TestTaxonomyOrderComplete(t *testing.T) {
	if len(taxonomyOrder) != len(taxonomy) {
		t.Fatalf("taxonomyOrder has %d ids, taxonomy %d", len(taxonomyOrder), len(taxonomy))
	}
	for _, id := range taxonomyOrder {
		if _, ok := taxonomy[id]; !ok {
			t.Errorf("taxonomyOrder lists %q, not in the taxonomy", id)
		}
	}
}
