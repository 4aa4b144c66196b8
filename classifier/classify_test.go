package classifier

import (
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/adwatch/adwatch/ad"
)

func testRaw(text string) ad.Raw { return ad.Raw{Text: text} }

var (
	configOnce  sync.Once
	configRules *Rules
	configErr   error
)

// config returns the rules in configs/rules, loaded once.
func config(t testing.TB) *Rules {
	t.Helper()
	configOnce.Do(func() { configRules, configErr = LoadRules("../configs/rules") })
	if configErr != nil {
		t.Fatalf("load rules:\n%v", configErr)
	}
	return configRules
}

// checkEvidence fails unless every evidence span indexes its field and
// Text is exactly the original bytes there.
func checkEvidence(t testing.TB, r ad.Raw, a ad.Assessment) {
	t.Helper()
	for _, ind := range a.Indicators {
		for _, e := range ind.Evidence {
			var vals []string
			switch e.Field {
			case "title":
				vals = []string{r.Title}
			case "text":
				vals = []string{r.Text}
			case "name":
				vals = []string{r.Name}
			case "city":
				vals = []string{r.City}
			case "price_text":
				vals = []string{r.PriceText}
			case "age":
				vals = []string{itoa(r.Age)}
			case "phones":
				vals = r.Phones
			case "languages":
				vals = r.Languages
			default:
				t.Fatalf("%s: evidence in unknown field %q", ind.ID, e.Field)
			}
			ok := false
			for _, v := range vals {
				if e.Start >= 0 && e.Start <= e.End && e.End <= len(v) && v[e.Start:e.End] == e.Text {
					ok = true
				}
			}
			if !ok || e.Text == "" {
				t.Fatalf("%s: evidence %+v does not index field %q", ind.ID, e, e.Field)
			}
		}
	}
}

// TestIndicators has positive and negative cases of every implemented
// indicator, in Danish and English, worded unlike the development set.
func TestIndicators(t *testing.T) {
	r := config(t)
	type tc struct {
		name  string
		raw   ad.Raw
		fires bool
	}
	txt := func(s string) ad.Raw { return ad.Raw{Category: "escort", Text: s} }
	tests := map[string][]tc{
		"third_person_language": {
			{"da she waits", txt("Smukke Sara venter på dig i aften, hun glæder sig."), true},
			{"da our girls", txt("Vores damer tager imod hele dagen."), true},
			{"da her booker", txt("Skriv til hendes booker for en tid."), true},
			{"en she is", txt("Sweet Anna is new here and she's very friendly."), true},
			{"en our girls", txt("Our girls are young and discreet."), true},
			{"da first person", txt("Jeg er en glad kvinde og tager imod i egen lejlighed."), false},
			{"da duo first person", txt("Vi er to glade piger der elsker at hygge."), false},
			{"en pronouns", txt("Artist, 29, she/her, into hiking and films."), false},
			{"en first person", txt("I'm independent and I choose my own clients."), false},
		},
		"controller_or_booker_contact": {
			{"da manager", txt("Al booking går gennem min manager."), true},
			{"da boyfriend", txt("Kontakt hendes kæreste for aftale."), true},
			{"da reception", txt("Tidsbestilling hos vores receptionist."), true},
			{"en driver", txt("Call the driver, he will bring her."), true},
			{"en agency", txt("Bookings through our agency only."), true},
			{"da independent", txt("Jeg har ingen manager og ingen chauffør."), false},
			{"da colleague", txt("Spørg efter min veninde hvis jeg er optaget."), false},
			{"en independent", txt("No agency, no driver, just me."), false},
			{"en own driver", txt("My driver takes me to your hotel."), false},
		},
		"trust_assurance_language": {
			{"da real", txt("Billederne er 100% ægte, ingen fake!!"), true},
			{"da verified", txt("Verificeret profil med rigtige billeder."), true},
			{"en real", txt("Real pics, no fakes, no photoshop."), true},
			{"en wysiwyg", txt("What you see is what you get 😘"), true},
			{"da plain remark", txt("Billederne er af mig, ansigtet er sløret."), false},
			{"en plain remark", txt("My photos are a few months old."), false},
		},
		"availability_control": {
			{"da always", txt("Jeg er altid klar, døgnet rundt."), true},
			{"da every day", txt("Åben 7 dage om ugen, ingen fridage."), true},
			{"en 24/7", txt("Available 24-7 for outcalls."), true},
			{"en always", txt("Always available, day and night."), true},
			{"da shop hours", txt("Klinikken har åbent alle ugens dage 9-17."), false},
			{"da petrol station", txt("Mød mig ved den døgnåbne tankstation."), false},
			{"en notice", txt("Please cancel 24 hours in advance."), false},
			{"en shop hours", txt("Open every day 10 - 18 at our studio."), false},
		},
		"new_in_town_text": {
			{"da new in city", txt("Ny i Aarhus – kun nogle få dage!"), true},
			{"da just arrived", txt("Lige ankommet til Odense 🌸"), true},
			{"en new in town", txt("New in town, only until Sunday."), true},
			{"en visiting", txt("Visiting Aalborg for three days only."), true},
			{"da nyhavn", txt("Middag i Nyhavn og en aften i teatret."), false},
			{"da new owner", txt("Klinikken har fået ny ejer og nye lokaler."), false},
			{"en downtown", txt("Studio downtown, near the station."), false},
			{"en best in town", txt("Best massage in town, say my clients."), false},
		},
		"youth_emphasis_language": {
			{"da young fresh", txt("Ung og frisk pige klar til hygge."), true},
			{"da new face", txt("Nyt ansigt på siden 🌸"), true},
			{"en young", txt("Young and sweet, just turned 19."), true},
			{"en student", txt("I'm a student looking for a generous gentleman."), true},
			{"da young at heart", txt("Moden kvinde, ung af sind og fuld af liv."), false},
			{"en fresh towels", txt("Fresh towels and clean sheets every session."), false},
			{"en young company", txt("We are a young company in Aarhus."), false},
		},
		"stated_age_18_23": {
			{"field", ad.Raw{Text: "Hej", Age: 19}, true},
			{"da text", txt("Jeg er 22 år og bor i Aalborg."), true},
			{"en text", txt("Jessica, 21, new in Odense."), true},
			{"field out of range", ad.Raw{Text: "Hej", Age: 35}, false},
			{"da duration", txt("Massør i 20 år med egen klinik."), false},
			{"en range", txt("Girls 19-25 wanted."), false},
			{"en plus", txt("Ladies 21+ only."), false},
		},
		"risky_or_no_limits_services": {
			{"da no limits", txt("Ingen tabuer, alt er muligt hos mig."), true},
			{"da unprotected", txt("Tilbyder også uden kondom."), true},
			{"en no limits", txt("No limits and anything goes."), true},
			{"en bareback", txt("BBBJ and more."), true},
			{"da figurative", txt("Der er ingen grænser for hvor meget du kan slappe af."), false},
			{"da respect", txt("Jeg respekterer dine grænser."), false},
			{"en figurative", txt("No limits to what you can learn with us."), false},
		},
		"messaging_only_contact": {
			{"da sms only", txt("Kun sms – jeg tager ikke telefonen."), true},
			{"da no calls", txt("Skriv på Telegram, ingen opkald."), true},
			{"en whatsapp only", txt("WhatsApp only please."), true},
			{"en no calls", txt("Text me, no calls."), true},
			{"da advice", txt("Ring eller skriv en sms."), false},
			{"en screening", txt("Text first with your name, then we talk on the phone."), false},
			{"en late calls", txt("No calls after 22."), false},
		},
		"third_party_payment": {
			{"da driver", txt("Betaling til chaufføren når han ankommer."), true},
			{"da cashier", txt("Betal med MobilePay til vores kasserer."), true},
			{"da crypto", txt("Forudbetaling kun i bitcoin."), true},
			{"en reception", txt("Payment at the reception desk."), true},
			{"en friend", txt("Send the money to my friend first."), true},
			{"da self", txt("Betaling kontant til mig ved mødet."), false},
			{"en self", txt("Cash payment on arrival, thank you."), false},
		},
		"multiple_persons_in_ad": {
			{"da several", txt("Vi har flere piger klar hver dag."), true},
			{"da rotation", txt("Nye piger hver uge i vores studie."), true},
			{"en two girls", txt("Two sexy girls available for duo."), true},
			{"en rotation", txt("New girls every week – come and see."), true},
			{"da clinic", ad.Raw{Category: "massage", Text: "Vi er to uddannede massører med 10 års erfaring."}, false},
			{"da one", txt("Sød pige i Vejle."), false},
			{"en flatmates", ad.Raw{Category: "other", Text: "Room in flat with two girls and a guy."}, false},
		},
		"ethnicity_nationality_marketing": {
			{"da nationality", txt("Sexet polsk blondine i Køge."), true},
			{"da region", txt("Søde damer fra Østeuropa."), true},
			{"en exotic", txt("Exotic Asian beauty waiting for you."), true},
			{"en nationality", txt("Hot Colombian girl, new in town."), true},
			{"da massage style", txt("Traditionel thai massage og fodmassage."), false},
			{"en self description", txt("Originally from Brazil, living here for years."), false},
			{"da danish", txt("Dansk kvinde på 44 fra Nyborg."), false},
		},
	}
	for id, cases := range tests {
		for _, c := range cases {
			t.Run(id+"/"+c.name, func(t *testing.T) {
				a := r.Classify(c.raw)
				checkEvidence(t, c.raw, a)
				if got := hasIndicator(a, id); got != c.fires {
					t.Errorf("%s on %q: fired %v, want %v (got %s)", id, c.raw.Text, got, c.fires, indicatorList(a))
				}
			})
		}
	}
}

func TestContacts(t *testing.T) {
	r := config(t)
	tests := []struct {
		name             string
		raw              ad.Raw
		contacts         []string
		obscured, foreig bool
		evidence         []ad.Evidence // of obscured_contact
	}{
		{
			name:     "field and text deduplicated",
			raw:      ad.Raw{Text: "Ring 28 64 19 73", Phones: []string{"28641973"}},
			contacts: []string{"+4528641973"},
		},
		{
			name:     "keycaps are obscured",
			raw:      ad.Raw{Text: "Ring 2️⃣8️⃣ 6️⃣3️⃣ 9️⃣0️⃣ 1️⃣4️⃣ nu"},
			contacts: []string{"+4528639014"},
			obscured: true,
			evidence: []ad.Evidence{{Field: "text", Start: 5, End: 5 + len("2️⃣8️⃣ 6️⃣3️⃣ 9️⃣0️⃣ 1️⃣4️⃣"), Text: "2️⃣8️⃣ 6️⃣3️⃣ 9️⃣0️⃣ 1️⃣4️⃣"}},
		},
		{
			name:     "obscured but also plain is not obscured",
			raw:      ad.Raw{Text: "Skriv: to otte seks fire et ni syv tre", Phones: []string{"28 64 19 73"}},
			contacts: []string{"+4528641973"},
		},
		{
			name:     "foreign field",
			raw:      ad.Raw{Text: "Call me", Phones: []string{"+44 7700 900412"}},
			contacts: []string{"+447700900412"},
			foreig:   true,
		},
		{
			name:     "national format read in the ad's language region",
			raw:      ad.Raw{Lang: "ro", Text: "Informații pe WhatsApp", Phones: []string{"0733 612 480"}},
			contacts: []string{"+40733612480"},
			foreig:   true,
		},
		{
			name:     "no number",
			raw:      ad.Raw{Text: "Email first, please."},
			contacts: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := r.Classify(tt.raw)
			checkEvidence(t, tt.raw, a)
			if !reflect.DeepEqual(a.Contacts, tt.contacts) {
				t.Errorf("contacts %q, want %q", a.Contacts, tt.contacts)
			}
			if got := hasIndicator(a, "obscured_contact"); got != tt.obscured {
				t.Errorf("obscured_contact fired %v, want %v", got, tt.obscured)
			}
			if got := hasIndicator(a, "foreign_or_out_of_area_number"); got != tt.foreig {
				t.Errorf("foreign_or_out_of_area_number fired %v, want %v", got, tt.foreig)
			}
			if tt.evidence != nil {
				for _, ind := range a.Indicators {
					if ind.ID == "obscured_contact" && !reflect.DeepEqual(ind.Evidence, tt.evidence) {
						t.Errorf("evidence %+v, want %+v", ind.Evidence, tt.evidence)
					}
				}
			}
		})
	}
}

// TestMissingFieldsAreUnknown: an ad without an age, phones or languages
// is not an ad whose age is out of range or whose number is Danish; gates
// on an unknown category do not block.
func TestMissingFieldsAreUnknown(t *testing.T) {
	r := config(t)
	a := r.Classify(ad.Raw{Text: "Hej"})
	if len(a.Indicators) != 0 || a.Level != ad.LevelNone || a.AdRisk != 0 {
		t.Errorf("empty ad: %+v", a)
	}
	if a.Flags == nil || a.Contacts == nil || a.Indicators == nil {
		t.Errorf("empty ad: nil slices in %+v (JSON would show null)", a)
	}
	// Unknown category: the gated indicator still applies.
	if a := r.Classify(ad.Raw{Text: "Vores piger venter på dig."}); !hasIndicator(a, "third_person_language") {
		t.Errorf("unknown category blocked third_person_language: %s", indicatorList(a))
	}
	if a := r.Classify(ad.Raw{Category: "job", Text: "Vores piger venter på dig."}); hasIndicator(a, "third_person_language") {
		t.Errorf("job category did not block third_person_language")
	}
}

func TestLanguagesExclude(t *testing.T) {
	r, err := ParseRules("l.yaml", []byte(`
indicators:
  - id: language_barrier
    family: nationality_language_barrier
    grade: C
    weight: 0.25
    languages_exclude: [da, en]
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		langs []string
		fires bool
	}{
		{[]string{"Rumænsk"}, true},
		{[]string{"Thai", "Kinesisk"}, true},
		{[]string{"Romanian", "English"}, false},
		{[]string{"Dansk"}, false},
		{nil, false}, // unknown, not absent
	}
	for _, tt := range tests {
		raw := ad.Raw{Text: "x", Languages: tt.langs}
		a := r.Classify(raw)
		checkEvidence(t, raw, a)
		if got := hasIndicator(a, "language_barrier"); got != tt.fires {
			t.Errorf("languages %q: fired %v, want %v", tt.langs, got, tt.fires)
		}
	}
}

// TestDevSetEvidence classifies every ad of the development set and checks
// every evidence span against the original field.
func TestDevSetEvidence(t *testing.T) {
	r := config(t)
	for _, d := range loadDevSet(t) {
		a := r.Classify(d.Raw)
		checkEvidence(t, d.Raw, a)
		if a.RulesVersion != r.Version() {
			t.Fatalf("%s: rules version %q", d.ID, a.RulesVersion)
		}
		for i := 1; i < len(a.Indicators); i++ {
			x, y := a.Indicators[i-1], a.Indicators[i]
			if x.Contribution < y.Contribution || (x.Contribution == y.Contribution && x.ID > y.ID) {
				t.Fatalf("%s: indicators not sorted by contribution then id: %s", d.ID, indicatorList(a))
			}
		}
	}
}

// TestClassifyDeterministicConcurrent classifies the development set from
// several goroutines (run with -race) and compares with a serial run.
func TestClassifyDeterministicConcurrent(t *testing.T) {
	r := config(t)
	dev := loadDevSet(t)
	want := make([]ad.Assessment, len(dev))
	for i, d := range dev {
		want[i] = r.Classify(d.Raw)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range dev {
				i := (k + g*37) % len(dev)
				if got := r.Classify(dev[i].Raw); !reflect.DeepEqual(got, want[i]) {
					select {
					case errs <- dev[i].ID:
					default:
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for id := range errs {
		t.Errorf("%s: assessment differs between runs", id)
	}
}

func TestRulesTestReportsFailures(t *testing.T) {
	r, err := ParseRules("t.yaml", []byte(`
indicators:
  - id: third_person_language
    family: language_control
    grade: C
    weight: 0.25
    patterns:
      en: ["she is"]
    tests:
      - text: "she is here"
        fires: true
        evidence: "she is"
      - text: "he is here"
        fires: true
      - text: "she is here"
        fires: false
      - text: "She is here"
        fires: true
        evidence: "she"
tests:
  - text: "she is here"
    level: high
    indicators: [third_person_language]
    absent: [third_person_language]
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Test() {
		got = append(got, f.String())
	}
	want := []string{
		`t.yaml:13: third_person_language: want it to fire, it did not on "he is here"`,
		`t.yaml:15: third_person_language: want it not to fire, it fired on text "she is" on "she is here"`,
		`t.yaml:17: third_person_language: want evidence "she", got text "She is" on "She is here"`,
		`t.yaml:21: want level high, got low (third_person_language) on "she is here"`,
		`t.yaml:21: want third_person_language not to fire, it did (third_person_language) on "she is here"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
