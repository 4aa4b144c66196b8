package classifier

import (
	"strings"
	"testing"

	"github.com/adwatch/adwatch/ad"
)

// The rule-file features added for the language and forced-labour
// indicators, on small rule sets written for the test.

const cueRules = `
indicators:
  - id: fl_too_good_to_be_true
    family: forced_labour
    grade: C
    weight: 0.25
    min_cues: 2
    cues:
      - name: pay
        required: true
        pay_at_least: {dkk_per_month: 15000}
        patterns:
          en: [high pay]
      - name: easy
        patterns:
          en: [no experience]
      - name: now
        patterns:
          en: [start tomorrow]
    patterns:
      en: [too good to be true]
    negative:
      en: [no experience (is|) (fine|ok) ...3 union]
  - id: fl_documents_held
    family: forced_labour
    grade: C
    weight: 1.0
    pay_at_least: {dkk_per_month: 100000}
  - id: language_barrier
    family: nationality_language_barrier
    grade: C
    weight: 0.25
    languages_exclude: [da, en]
    unless: {languages: [da]}
    patterns:
      en: [no english]
  - id: fluent_ad_but_language_barrier
    family: language_control
    grade: C
    weight: 0.5
    when: {langs: [da, en]}
    ad_language_not_spoken: true
  - id: fl_opaque_employer
    family: forced_labour
    grade: C
    weight: 0.5
    unless: {company_domain: true, company_name: true}
    patterns:
      en: [wanted]
`

func TestCuesAndConditions(t *testing.T) {
	r, err := ParseRules("features.yaml", []byte(cueRules))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id    string
		ad    ad.Raw
		fires bool
		ev    []string // evidence texts, when it fires
	}{
		{"fl_too_good_to_be_true", ad.Raw{Text: "High pay! No experience."}, true, []string{"High pay", "No experience"}},
		{"fl_too_good_to_be_true", ad.Raw{Text: "Earn €3,000/month, start tomorrow"}, true, []string{"€3,000/month", "start tomorrow"}},
		{"fl_too_good_to_be_true", ad.Raw{Text: "No experience. Start tomorrow."}, false, nil},                   // the required cue is missing
		{"fl_too_good_to_be_true", ad.Raw{Text: "High pay, high pay, high pay."}, false, nil},                    // one cue, however often
		{"fl_too_good_to_be_true", ad.Raw{Text: "Earn €300/month, no experience"}, false, nil},                   // pay below the bound
		{"fl_too_good_to_be_true", ad.Raw{Title: "High pay", Text: "No experience"}, true, nil},                  // cues across fields
		{"fl_too_good_to_be_true", ad.Raw{Text: "High pay. No experience is fine, union contract."}, false, nil}, // a negative removes a cue
		{"fl_too_good_to_be_true", ad.Raw{Text: "Sounds too good to be true"}, true, nil},                        // a plain pattern fires alone
		{"fl_documents_held", ad.Raw{Text: "Salary 20.000 EUR per month"}, true, []string{"20.000 EUR per month"}},
		{"fl_documents_held", ad.Raw{Text: "Salary 2.000 EUR per month"}, false, nil},
		{"language_barrier", ad.Raw{Text: "No English", Languages: []string{"Dansk"}}, false, nil},
		{"language_barrier", ad.Raw{Text: "Hi", Languages: []string{"Thai", "English (basic)"}}, true, []string{"Thai", "English (basic)"}},
		{"fluent_ad_but_language_barrier", ad.Raw{Lang: "en", Text: "Hi", Languages: []string{"Thai"}}, true, []string{"Thai"}},
		{"fluent_ad_but_language_barrier", ad.Raw{Lang: "th", Text: "Hi", Languages: []string{"Thai"}}, false, nil},
		{"fluent_ad_but_language_barrier", ad.Raw{Lang: "en", Text: "Hi", Languages: []string{"English"}}, false, nil},
		{"fluent_ad_but_language_barrier", ad.Raw{Text: "Hello, I am a friendly and quiet woman who loves to meet you for dinner.", Languages: []string{"Thai"}}, true, nil},
		{"fluent_ad_but_language_barrier", ad.Raw{Text: "Salut, sunt o fată dulce și te aștept în apartamentul meu.", Languages: []string{"Thai"}}, false, nil},
		{"fl_opaque_employer", ad.Raw{Text: "Cleaners wanted, write jobs@gmail.com"}, true, nil},
		{"fl_opaque_employer", ad.Raw{Text: "Cleaners wanted, write jobs@cleanco.dk"}, false, nil},
		{"fl_opaque_employer", ad.Raw{Text: "Hotel Nordlys: cleaners wanted"}, false, nil},
	}
	for _, c := range cases {
		a := r.Classify(c.ad)
		checkEvidence(t, c.ad, a)
		var got *ad.Indicator
		for i := range a.Indicators {
			if a.Indicators[i].ID == c.id {
				got = &a.Indicators[i]
			}
		}
		if (got != nil) != c.fires {
			t.Errorf("%s on %q %v: fired %v, want %v", c.id, c.ad.Title+"|"+c.ad.Text, c.ad.Languages, got != nil, c.fires)
			continue
		}
		if got == nil {
			continue
		}
		for _, want := range c.ev {
			if !strings.Contains(evidenceList(got.Evidence), want) {
				t.Errorf("%s on %q: evidence %s lacks %q", c.id, c.ad.Text, evidenceList(got.Evidence), want)
			}
		}
	}
}

func TestExplain(t *testing.T) {
	r := config(t)
	raw := ad.Raw{
		ID: "x1", Site: "sim-rosa", Category: "escort",
		Title: "NY PIGE I BYEN", Text: "Hun er 21 år. 100% ægte billeder. Ring til hendes booker 28 64 19 73. Skriv sara@gmail.com",
		Languages: []string{"Rumænsk"}, PriceText: "800 kr/30 min",
	}
	var b strings.Builder
	if err := Explain(&b, raw, r.Classify(raw)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"ad x1 (sim-rosa, escort)  rules ", "level high", "language      da (detected)",
		"speaks        ro (languages field: Rumænsk)", "phones        +4528641973", "e-mails       sara@gmail.com",
		"stated ages   21", "hourly price  1600 DKK", "trust_assurance_language", `text[`, `"100% ægte billeder"`,
		"fluent_ad_but_language_barrier", `languages[0:8] "Rumænsk"`, "never a verdict",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Explain output lacks %q:\n%s", want, out)
		}
	}
}

// TestRegexWindows checks that running a regex only around its literal
// finds what running it on the whole text finds: at the ends of the text,
// in far-apart places, and where windows merge.
func TestRegexWindows(t *testing.T) {
	r, err := ParseRules("rx.yaml", []byte(`
indicators:
  - id: fl_excessive_hours
    family: forced_labour
    grade: C
    weight: 0.5
    patterns:
      any:
        - regex: '(?:^| )(?:1[1-9]|2[0-4]) (?:timer|hours) (?:om dagen|per day)(?: |$)'
`))
	if err != nil {
		t.Fatal(err)
	}
	filler := strings.Repeat("lorem ipsum dolor sit amet ", 20) // 540 bytes
	cases := []struct {
		text string
		want []string
	}{
		{"12 hours per day", []string{"12 hours per day"}},
		{filler + "14 timer om dagen", []string{"14 timer om dagen"}},
		{"12 hours per day " + filler + "13 hours per day " + filler + "14 hours per day", []string{"12 hours per day", "13 hours per day", "14 hours per day"}},
		{"12 hours per day and then 13 hours per day", []string{"12 hours per day", "13 hours per day"}},
		{"112 hours per day and x12 hours per day", nil},
	}
	for _, c := range cases {
		a := r.Classify(ad.Raw{Text: c.text})
		checkEvidence(t, ad.Raw{Text: c.text}, a)
		var got []string
		for _, ind := range a.Indicators {
			for _, e := range ind.Evidence {
				got = append(got, e.Text)
			}
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%.40q…: evidence %q, want %q", c.text, got, c.want)
		}
	}
}
