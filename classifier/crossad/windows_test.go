package crossad

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/adwatch/adwatch/ad"
)

var t0 = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

func day(d float64) time.Time { return t0.Add(time.Duration(d * 24 * float64(time.Hour))) }

// spec is a hand-made ad. An empty text is a text of its own; template
// texts use {name}, {age}, {city} and {phone}.
type spec struct {
	name, city, phone, text, price string
	age                            int
	at                             time.Time
	images                         []string
}

// ownTexts are unrelated texts, one per ad, as independents write them.
var ownTexts = []string{
	"Hej, jeg er en glad og moden kvinde som tager imod i egen lejlighed efter aftale.",
	"Afslappende stund med en rolig og erfaren kvinde, altid med respekt og god tid.",
	"Elegant companion for dinner dates and long conversations, discretion guaranteed always.",
	"Jeg elsker at grine, lave mad og gå lange ture ved vandet, skriv gerne først.",
	"Warm smile, curvy body and a relaxed attitude, text me and tell me about yourself.",
	"Nyd en klassisk aften sammen med mig, jeg sætter pris på høflige herrer med humor.",
	"Sporty blonde who loves travelling, meet me for coffee first if you like that better.",
	"Stille og rolig lejlighed tæt på stationen, parkering lige uden for døren, ingen stress.",
}

const agencyText = "NY PIGE I BYEN!! {name} er {age} år, sød, smilende og meget diskret. Hun er kun i {city} få dage, så vent ikke for længe. Hun venter på dit opkald. Priser: 30 min 800 kr, 1 time 1.400 kr. Ring {phone}"

func build(specs []spec) ([]ad.Raw, map[string][]string) {
	var out []ad.Raw
	images := map[string][]string{}
	for i, s := range specs {
		id := fmt.Sprintf("ad-%02d", i+1)
		text := s.text
		if text == "" {
			text = ownTexts[i%len(ownTexts)] + " Ring " + s.phone
		}
		text = strings.NewReplacer("{name}", s.name, "{age}", fmt.Sprint(s.age), "{city}", s.city, "{phone}", s.phone).Replace(text)
		out = append(out, ad.Raw{
			ID: id, Site: "sim-rosa", Category: "escort", Lang: "da", PostedAt: s.at,
			Title: s.name + " i " + s.city, Text: text, Name: s.name, City: s.city, Age: s.age,
			PriceText: s.price, Phones: []string{s.phone},
		})
		images[id] = s.images
	}
	return out, images
}

// agencyAds: n personas of one agency, one number, one text, over n days.
func agencyAds(n int) []ad.Raw {
	names := []string{"Anna", "Bella", "Clara", "Dina", "Ella"}
	var specs []spec
	for i := range n {
		specs = append(specs, spec{name: names[i], city: "Odense", phone: "28 64 19 73", age: 22 + i, at: day(float64(i)), text: agencyText})
	}
	ads, _ := build(specs)
	return ads
}

func TestWindowConditions(t *testing.T) {
	const p1, p2, p3, p4 = "28 64 19 73", "52 18 66 30", "29 83 01 57", "60 47 22 18"
	all := func(n int, ids ...string) map[string][]string {
		m := map[string][]string{}
		for i := 1; i <= n; i++ {
			m[fmt.Sprintf("ad-%02d", i)] = ids
		}
		return m
	}
	tests := []struct {
		name  string
		specs []spec
		opts  Options
		want  map[string][]string // cross-ad ids per ad; ads left out have none
	}{
		{
			name: "three names on one contact within 30 days",
			specs: []spec{
				{name: "Anna", city: "Odense", phone: p1, at: day(0)},
				{name: "Bella", city: "Odense", phone: p1, at: day(10)},
				{name: "Clara", city: "Odense", phone: p1, at: day(29.9)},
			},
			want: all(3, ManyPersonasPerContact),
		},
		{
			name: "three names on one contact over 31 days",
			specs: []spec{
				{name: "Anna", city: "Odense", phone: p1, at: day(0)},
				{name: "Bella", city: "Odense", phone: p1, at: day(10)},
				{name: "Clara", city: "Odense", phone: p1, at: day(31)},
			},
		},
		{
			name: "three clearly different ages on one contact",
			specs: []spec{
				{city: "Odense", phone: p1, age: 21, at: day(0)},
				{city: "Odense", phone: p1, age: 26, at: day(1)},
				{city: "Odense", phone: p1, age: 31, at: day(2)},
			},
			want: all(3, ManyPersonasPerContact),
		},
		{
			name: "three cities on one contact within 14 days",
			specs: []spec{
				{name: "Line", city: "Aalborg", phone: p1, at: day(0)},
				{name: "Line", city: "Aarhus", phone: p1, at: day(6)},
				{name: "Line", city: "Vejle", phone: p1, at: day(13.9)},
			},
			want: all(3, RapidCityRotation),
		},
		{
			name: "three cities on one contact over 15 days",
			specs: []spec{
				{name: "Line", city: "Aalborg", phone: p1, at: day(0)},
				{name: "Line", city: "Aarhus", phone: p1, at: day(7)},
				{name: "Line", city: "Vejle", phone: p1, at: day(15)},
			},
		},
		{
			// grp-a4: 3 names in 27 days, never 3 cities within 14 days.
			name: "personas without rotation",
			specs: []spec{
				{name: "Emma", city: "Esbjerg", phone: p2, at: day(0), text: agencyText, age: 26},
				{name: "Julie", city: "Esbjerg", phone: p2, at: day(7), text: agencyText, age: 25},
				{name: "Sandra", city: "Kolding", phone: p2, at: day(16), text: agencyText, age: 28},
				{name: "Julie", city: "Vejle", phone: p2, at: day(27), text: agencyText, age: 25},
			},
			want: all(4, ManyPersonasPerContact, NearDuplicateTemplate, PersonaAttributeDrift, SharedPriceTable),
		},
		{
			name: "one text for three women in three cities with three numbers",
			specs: []spec{
				{name: "Anna", city: "Odense", phone: p1, at: day(0), text: agencyText, age: 22},
				{name: "Bella", city: "Aarhus", phone: p2, at: day(20), text: agencyText, age: 22},
				{name: "Clara", city: "Vejle", phone: p3, at: day(40), text: agencyText, age: 22},
			},
			want: all(3, NearDuplicateTemplate, PersonaAttributeDrift, SharedPriceTable),
		},
		{
			name: "one text beyond the link window",
			specs: []spec{
				{name: "Anna", city: "Odense", phone: p1, at: day(0), text: agencyText, age: 22},
				{name: "Bella", city: "Aarhus", phone: p2, at: day(30), text: agencyText, age: 22},
				{name: "Clara", city: "Vejle", phone: p3, at: day(60), text: agencyText, age: 22},
			},
			want: map[string][]string{
				"ad-01": {PersonaAttributeDrift}, "ad-02": {NearDuplicateTemplate, PersonaAttributeDrift, SharedPriceTable}, "ad-03": {PersonaAttributeDrift},
			},
		},
		{
			// grp-b1 and grp-b2: one persona, one text, three numbers.
			name: "one persona with three numbers",
			specs: []spec{
				{name: "Jasmine", city: "København", phone: p1, at: day(0), text: agencyText, age: 28},
				{name: "Jasmine", city: "København", phone: p2, at: day(10), text: agencyText, age: 28},
				{name: "Jasmine", city: "København", phone: p3, at: day(20), text: agencyText, age: 28},
			},
			want: all(3, ManyContactsPerPersona),
		},
		{
			name: "one persona with two numbers",
			specs: []spec{
				{name: "Jasmine", city: "København", phone: p1, at: day(0), text: agencyText, age: 28},
				{name: "Jasmine", city: "København", phone: p2, at: day(10), text: agencyText, age: 28},
			},
		},
		{
			name: "one persona, three numbers, drifting age and city: rotation by template, weighted up",
			specs: []spec{
				{name: "Angel", city: "København", phone: p1, at: day(0), text: agencyText, age: 21},
				{name: "Angel", city: "Odense", phone: p2, at: day(4), text: agencyText, age: 24},
				{name: "Angel", city: "Aarhus", phone: p4, at: day(9), text: agencyText, age: 22},
			},
			want: all(3, ManyContactsPerPersona, RapidCityRotation, PersonaAttributeDrift),
		},
		{
			name: "a year older is no drift",
			specs: []spec{
				{name: "Angel", city: "Odense", phone: p1, at: day(0), text: agencyText, age: 30},
				{name: "Angel", city: "Odense", phone: p1, at: day(20), text: agencyText, age: 31},
			},
		},
		{
			name: "four distinct ads on one contact within a day",
			specs: []spec{
				{name: "Nok", city: "København", phone: p1, at: day(0)},
				{name: "Nok", city: "København", phone: p1, at: day(0.2)},
				{name: "Nok", city: "København", phone: p1, at: day(0.5)},
				{name: "Nok", city: "København", phone: p1, at: day(0.95)},
			},
			want: all(4, PostingBurstVolume),
		},
		{
			name: "three ads on one contact within a day",
			specs: []spec{
				{name: "Nok", city: "København", phone: p1, at: day(0)},
				{name: "Nok", city: "København", phone: p1, at: day(0.2)},
				{name: "Nok", city: "København", phone: p1, at: day(0.5)},
			},
		},
		{
			// grp-c: the same ad posted again is one ad.
			name: "four reposts within a day are one ad",
			specs: []spec{
				{name: "Camilla", city: "Aalborg", phone: p1, age: 34, at: day(0), text: agencyText},
				{name: "Camilla", city: "Aalborg", phone: p1, age: 34, at: day(0.1), text: agencyText},
				{name: "Camilla", city: "Aalborg", phone: p1, age: 34, at: day(0.2), text: agencyText},
				{name: "Camilla", city: "Aalborg", phone: p1, age: 34, at: day(0.3), text: agencyText},
			},
		},
		{
			name: "one price table across three personas on one contact",
			specs: []spec{
				{name: "Anna", city: "Odense", phone: p1, at: day(0), price: "1.600 kr/time"},
				{name: "Bella", city: "Odense", phone: p1, at: day(1), price: "1.600 kr/time"},
				{name: "Clara", city: "Odense", phone: p1, at: day(2), price: "1.600 kr/time"},
			},
			want: all(3, ManyPersonasPerContact, SharedPriceTable),
		},
		{
			name: "three personas with their own prices",
			specs: []spec{
				{name: "Anna", city: "Odense", phone: p1, at: day(0), price: "1.600 kr/time"},
				{name: "Bella", city: "Odense", phone: p1, at: day(1), price: "1.800 kr/time"},
				{name: "Clara", city: "Odense", phone: p1, at: day(2), price: "2.000 kr/time"},
			},
			want: all(3, ManyPersonasPerContact),
		},
		{
			name: "one photo across two personas",
			specs: []spec{
				{name: "Anna", city: "Odense", phone: p1, at: day(0), images: []string{"f0f0f0f0f0f0f0f0"}},
				{name: "Bella", city: "Aarhus", phone: p2, at: day(3), images: []string{"f0f0f0f0f0f0f0f3"}}, // 2 bits apart
				{name: "Clara", city: "Vejle", phone: p3, at: day(5), images: []string{"0f0f0f0f0f0f0f0f"}},
			},
			opts: Options{ImageHashes: nil}, // set below
			want: map[string][]string{"ad-01": {PersonaAttributeDrift, ImageReuse}, "ad-02": {PersonaAttributeDrift, ImageReuse}},
		},
		{
			name: "photos four bits apart are different photos",
			specs: []spec{
				{name: "Anna", city: "Odense", phone: p1, at: day(0), images: []string{"f0f0f0f0f0f0f0f0"}},
				{name: "Bella", city: "Aarhus", phone: p2, at: day(3), images: []string{"f0f0f0f0f0f0f0ff"}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ads, images := build(tc.specs)
			opts := tc.opts
			opts.ImageHashes = func(r ad.Raw) []string { return images[r.ID] }
			got, err := Batch(testKey(t), ads, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range ads {
				want := slices.Clone(tc.want[r.ID])
				var have []string
				for _, ind := range got[r.ID] {
					have = append(have, ind.ID)
					if ind.Contribution <= 0 || ind.Family == "" || len(ind.Evidence) == 0 || ind.Evidence[0].Field != EvidenceField {
						t.Errorf("%s %s: incomplete indicator %+v", r.ID, ind.ID, ind)
					}
				}
				slices.Sort(want)
				slices.Sort(have)
				if !slices.Equal(want, have) {
					t.Errorf("%s: got %v, want %v", r.ID, have, want)
					for _, ind := range got[r.ID] {
						t.Logf("  %s: %s", ind.ID, ind.Evidence[0].Text)
					}
				}
			}
		})
	}
}

// TestImageReuseSkipsWithoutImages: without an image source nothing about
// photos fires, and nothing breaks.
func TestImageReuseSkipsWithoutImages(t *testing.T) {
	ads, _ := build([]spec{
		{name: "Anna", city: "Odense", phone: "28 64 19 73", at: day(0), images: []string{"f0f0f0f0f0f0f0f0"}},
		{name: "Bella", city: "Aarhus", phone: "52 18 66 30", at: day(3), images: []string{"f0f0f0f0f0f0f0f0"}},
	})
	got, err := Batch(testKey(t), ads, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("got %v, want nothing", got)
	}
}

func TestRotationWeight(t *testing.T) {
	ads, _ := build([]spec{
		{name: "Line", city: "Aalborg", phone: "28 64 19 73", at: day(0)},
		{name: "Line", city: "Aarhus", phone: "28 64 19 73", at: day(3)},
		{name: "Line", city: "Vejle", phone: "28 64 19 73", at: day(6)},
	})
	got, _ := Batch(testKey(t), ads, Options{})
	for _, ind := range got["ad-01"] {
		if ind.ID == RapidCityRotation && ind.Contribution != wRotation {
			t.Errorf("rotation alone: %g, want %g", ind.Contribution, wRotation)
		}
	}
	got, _ = Batch(testKey(t), agencyRotation(), Options{})
	for _, ind := range got["ad-01"] {
		if ind.ID == RapidCityRotation && ind.Contribution != wRotationLinked {
			t.Errorf("rotation with many personas: %g, want %g", ind.Contribution, wRotationLinked)
		}
		if ind.ID == ManyPersonasPerContact && ind.Contribution != wManyPersonas+wPersonaStep {
			t.Errorf("4 personas: %g, want %g", ind.Contribution, wManyPersonas+wPersonaStep)
		}
	}
}

func agencyRotation() []ad.Raw {
	ads, _ := build([]spec{
		{name: "Anna", city: "Odense", phone: "28 64 19 73", at: day(0), text: agencyText, age: 22},
		{name: "Bella", city: "Aarhus", phone: "28 64 19 73", at: day(2), text: agencyText, age: 22},
		{name: "Clara", city: "Vejle", phone: "28 64 19 73", at: day(4), text: agencyText, age: 22},
		{name: "Dina", city: "Kolding", phone: "28 64 19 73", at: day(6), text: agencyText, age: 22},
	})
	return ads
}

// TestEvidenceNamesNoNumber: what linked is named by hash prefix.
func TestEvidenceNamesNoNumber(t *testing.T) {
	got, _ := Batch(testKey(t), agencyRotation(), Options{})
	k := testKey(t)
	prefix := HashPrefix(k.Hash("+4528641973"))
	for _, ind := range got["ad-01"] {
		for _, ev := range ind.Evidence {
			if strings.Contains(strings.ReplaceAll(ev.Text, " ", ""), "28641973") {
				t.Errorf("%s: %q holds the number", ind.ID, ev.Text)
			}
		}
		if ind.ID == ManyPersonasPerContact {
			want := "4 personas (Anna, Bella, Clara, Dina) on one contact (" + prefix + ") within 6 days: ads ad-01, ad-02, ad-03, ad-04"
			if ind.Evidence[0].Text != want {
				t.Errorf("evidence %q, want %q", ind.Evidence[0].Text, want)
			}
			if len(ind.Evidence) < 2 || ind.Evidence[1] != (ad.Evidence{Field: "name", Start: 0, End: 4, Text: "Anna"}) {
				t.Errorf("name evidence %+v", ind.Evidence)
			}
		}
	}
}

func TestBelowMarket(t *testing.T) {
	mk := func(n int, price string, city string) []ad.Raw {
		var out []ad.Raw
		for i := range n {
			out = append(out, ad.Raw{ID: fmt.Sprintf("m-%02d", i), Category: "escort", City: city, PriceText: price, PostedAt: day(float64(i))})
		}
		return out
	}
	cheap := func(at float64, price string) ad.Raw {
		return ad.Raw{ID: "cheap", Category: "escort", City: "Esbjerg", PriceText: price, PostedAt: day(at)}
	}
	tests := []struct {
		name string
		ads  []ad.Raw
		want bool
	}{
		{"below the market of the 90 days before", append(mk(12, "1.500 kr/time", "Odense"), cheap(20, "500 kr/time")), true},
		{"half-hour price normalised", append(mk(12, "1.500 kr/time", "Odense"), cheap(20, "300 kr/30 min")), true},
		{"euros converted", append(mk(12, "1.500 kr/time", "Odense"), cheap(20, "€60/h")), true},
		{"at the market", append(mk(12, "1.500 kr/time", "Odense"), cheap(20, "1.500 kr/time")), false},
		{"too few others to judge", append(mk(6, "1.500 kr/time", "Odense"), cheap(20, "500 kr/time")), false},
		{"the market is older than 90 days", append(mk(12, "1.500 kr/time", "Odense"), cheap(120, "500 kr/time")), false},
		{"a 24-hour rate is not an hourly price", append(mk(12, "1.500 kr/time", "Odense"), cheap(20, "5000 kr/24h")), false},
		{"posted before the market", append([]ad.Raw{cheap(-1, "500 kr/time")}, mk(12, "1.500 kr/time", "Odense")...), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Batch(testKey(t), tc.ads, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if has := hasID(got["cheap"], BelowMarketPrice); has != tc.want {
				t.Errorf("below_market_price = %v, want %v (%v)", has, tc.want, got["cheap"])
			}
			for id, inds := range got {
				if id != "cheap" {
					t.Errorf("%s: %v", id, ids(inds))
				}
			}
		})
	}
	// The city's own market, once it has enough ads.
	city := append(mk(30, "800 kr/time", "Esbjerg"), mk(40, "1.500 kr/time", "Odense")...)
	for i := range city[30:] {
		city[30+i].ID = fmt.Sprintf("o-%02d", i)
	}
	got, _ := Batch(testKey(t), append(city, cheap(50, "1.000 kr/time")), Options{})
	if hasID(got["cheap"], BelowMarketPrice) {
		t.Errorf("1.000 kr in a city where 800 is usual: %v", got["cheap"][0].Evidence)
	}
}

func TestHourlyPrice(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.600 kr/time", 1600, true},
		{"800 kr/30 min", 1600, true},
		{"1200 DKK / 1 hour", 1200, true},
		{"2000 DKK / 1h", 2000, true},
		{"2.500 kr/2 timer", 1250, true},
		{"650 kr/75 min", 520, true},
		{"1.500 kr/t", 1500, true},
		{"€100/h", 746, true},
		{"0.02 BTC / 1h", 0, false},
		{"10000 DKK / 24h", 0, false},
		{"1200 DKK / couple", 0, false},
		{"3000 DKK / 1h (duo)", 0, false},
		{"1.500 kr/90 min (2 personer)", 0, false},
		{"aftale", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		got, ok := hourlyPriceDKK(ad.Raw{PriceText: tc.in})
		if ok != tc.ok || (ok && (got < tc.want-0.5 || got > tc.want+0.5)) {
			t.Errorf("hourlyPriceDKK(%q) = %g, %v; want %g, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestOptionsRejectInconsistentWindows(t *testing.T) {
	for _, o := range []Options{
		{LinkWindow: 10 * 24 * time.Hour},
		{Retention: 30 * 24 * time.Hour},
		{Similarity: 2},
		{MaxImageDistance: 5},
	} {
		if _, err := Batch(testKey(t), nil, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
