package classifier

import (
	"math"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/adwatch/adwatch/ad"
)

func TestParsePrices(t *testing.T) {
	type p struct {
		amount  float64
		cur     string
		minutes int
	}
	cases := []struct {
		text string
		want []p
	}{
		{"1.500 kr/time", []p{{1500, "DKK", 60}}},
		{"1500,-", []p{{1500, "DKK", 0}}},
		{"Kun 1.500,- for en time", []p{{1500, "DKK", 60}}},
		{"800 kr 30 min", []p{{800, "DKK", 30}}},
		{"200 EUR/h", []p{{200, "EUR", 60}}},
		{"1200 DKK", []p{{1200, "DKK", 0}}},
		{"2 timer 2500", []p{{2500, "", 120}}},
		{"24 timer 8000", []p{{8000, "", 1440}}},
		{"30 min 700 / 1 hour 1200 / 2 hours 2200", []p{{700, "", 30}, {1200, "", 60}, {2200, "", 120}}},
		{"Priser: 1 time 1.600 kr · 2 timer 2.900 kr · middag + nat 7.500 kr", []p{{1600, "DKK", 60}, {2900, "DKK", 120}, {7500, "DKK", 600}}},
		{"Halv time 300 kr · Hel time 500 kr", []p{{300, "DKK", 30}, {500, "DKK", 60}}},
		{"Donations: 30 min 900🌹 · 1h 1600🌹", []p{{900, "ROSE", 30}, {1600, "ROSE", 60}}},
		{"cheap & sweet 500kr 1 hour, outcall extra", []p{{500, "DKK", 60}}},
		{"Thai girl 400 kr one hour", []p{{400, "DKK", 60}}},
		{"Doar 500 kr ora!", []p{{500, "DKK", 60}}},
		{"Само 400 кр на час!", []p{{400, "DKK", 60}}},
		{"klippekort 10 x 60 min 4.800 kr", []p{{4800, "DKK", 600}}},
		{"0.02 BTC / 1h", []p{{0.02, "BTC", 60}}},
		{"Duo 3000 DKK/h.", []p{{3000, "DKK", 60}}},
		{"2.500 kr/2 timer", []p{{2500, "DKK", 120}}},
		{"Overnight 10000 DKK / 24h", []p{{10000, "DKK", 1440}}},
		{"€3,000/month, no experience", []p{{3000, "EUR", 43200}}},
		{"Tjen op til 40.000 kr om måneden", []p{{40000, "DKK", 43200}}},
		{"Salary 5,000 USD per month + tips", []p{{5000, "USD", 43200}}},
		{"nawet 20.000 zł miesięcznie", []p{{20000, "PLN", 43200}}},
		{"până la 5.000 euro pe lună", []p{{5000, "EUR", 43200}}},
		{"Salario 2.000 € mensuales", []p{{2000, "EUR", 43200}}},
		{"500 euros semanales", []p{{500, "EUR", 10080}}},
		{"15.000 kr pr. uge", []p{{15000, "DKK", 10080}}},
		{"potem 120 koron za godzinę", []p{{120, "DKK", 60}}},
		{"20 000 zł", []p{{20000, "PLN", 0}}},
		// Not prices.
		{"Ring 28 64 19 73", nil},
		{"Afbud senest 24 timer før, ellers betales fuld pris.", nil},
		{"Åbent alle ugens dage 10-18, 24/7", nil},
		{"Jeg er 52 år og har været massør i 20 år", nil},
	}
	for _, c := range cases {
		got := ParsePrices(c.text)
		if len(got) != len(c.want) {
			t.Errorf("ParsePrices(%q) = %+v, want %d prices", c.text, got, len(c.want))
			continue
		}
		for i, g := range got {
			w := c.want[i]
			if math.Abs(g.Amount-w.amount) > 1e-9 || g.Currency != w.cur || g.Minutes != w.minutes {
				t.Errorf("ParsePrices(%q)[%d] = %v %s %d min, want %v %s %d min", c.text, i, g.Amount, g.Currency, g.Minutes, w.amount, w.cur, w.minutes)
			}
			if g.Start < 0 || g.End > len(c.text) || g.Start >= g.End {
				t.Errorf("ParsePrices(%q)[%d]: bad span %d-%d", c.text, i, g.Start, g.End)
			}
		}
	}
}

func TestHourlyPriceDKK(t *testing.T) {
	cases := []struct {
		ad   ad.Raw
		want float64 // 0: none
	}{
		{ad.Raw{PriceText: "1.500 kr/time"}, 1500},
		{ad.Raw{PriceText: "800 kr/30 min"}, 1600},
		{ad.Raw{PriceText: "450 kr/60 min", Text: "45 min 380 kr · 60 min 450 kr"}, 450},
		{ad.Raw{Text: "45 min 380 kr · 90 min 650 kr"}, 380.0 * 60 / 45},
		{ad.Raw{PriceText: "200 EUR/h"}, 1492},
		{ad.Raw{Text: "2 timer 2500"}, 1250},
		{ad.Raw{PriceText: "10000 DKK / 24h"}, 0},
		{ad.Raw{Text: "24 timer 8000"}, 0},
		{ad.Raw{PriceText: "0,02 BTC/time"}, 0},
		{ad.Raw{PriceText: "1200 DKK"}, 0},
		{ad.Raw{PriceText: "1200 DKK", Text: "1 time 1.200 kr"}, 1200},
		{ad.Raw{Text: "Ring 28 64 19 73"}, 0},
		{ad.Raw{PriceText: "3000 DKK / 1h (duo)"}, 0},
		{ad.Raw{PriceText: "1.500 kr/90 min (2 personer)"}, 0},
		{ad.Raw{Text: "1h 1500 DKK · Duo 2800 DKK/h."}, 1500},
		{ad.Raw{Text: "90 min 1.500 kr for to. 60 min 800 kr."}, 800},
	}
	for _, c := range cases {
		got, ok := HourlyPriceDKK(c.ad)
		if c.want == 0 {
			if ok {
				t.Errorf("HourlyPriceDKK(%q / %q) = %v, want none", c.ad.PriceText, c.ad.Text, got)
			}
			continue
		}
		if !ok || math.Abs(got-c.want) > 0.01 {
			t.Errorf("HourlyPriceDKK(%q / %q) = %v %v, want %v", c.ad.PriceText, c.ad.Text, got, ok, c.want)
		}
	}
}

// TestHourlyPriceDevSet reads an hourly price from every priced escort and
// massage ad of the development set, and checks the set's own statement:
// the ads labelled below_market_price ask at most 600 kr (escort) or 350
// kr (massage) an hour, and no other ad is below 1.200 / 450 kr.
func TestHourlyPriceDevSet(t *testing.T) {
	ads := loadDevSet(t)
	n, found := 0, 0
	for _, d := range ads {
		if d.Category != "escort" && d.Category != "massage" || d.PriceText == "" {
			continue
		}
		n++
		v, ok := HourlyPriceDKK(d.Raw)
		if !ok {
			if !slices.Contains([]string{"0.02 BTC / 1h", "0,02 BTC/time", "10000 DKK / 24h", "1200 DKK / couple", "3000 DKK / 1h (duo)", "1.500 kr/90 min (2 personer)"}, d.PriceText) {
				t.Errorf("%s: no hourly price in %q", d.ID, d.PriceText)
			}
			continue
		}
		found++
		below := hasLabel(d, "below_market_price")
		limit := 1200.0
		if d.Category == "massage" {
			limit = 450
		}
		if below != (v < limit) {
			t.Errorf("%s (%s): %v kr/hour from %q, labelled below market %v", d.ID, d.Category, v, d.PriceText, below)
		}
	}
	t.Logf("hourly price found in %d of %d priced escort and massage ads", found, n)
}

func hasLabel(d devAd, id string) bool {
	for _, l := range d.Labels.Indicators {
		if l == id {
			return true
		}
	}
	return false
}

// FuzzParsePrice feeds arbitrary text to the price parser: it must not
// panic, and every price must be a positive finite amount with a span
// inside the text that does not cut a character.
func FuzzParsePrice(f *testing.F) {
	for _, s := range []string{
		"1.500 kr/time", "1500,-", "800 kr 30 min", "200 EUR/h", "1200 DKK", "2 timer 2500",
		"24 timer 8000", "30 min 700 / 1 hour 1200", "€3,000/month", "10 x 60 min 4.800 kr",
		"0,02 BTC", "20 000 zł miesięcznie", "Halv time 300 kr", "900🌹🌹", "1.500.000.000.000.000 kr",
		"9999999999999999999999 kr/1000000 min", "1,,5 kr", ",- ,- 5,-",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range ParsePrices(s) {
			if !(p.Amount > 0) || math.IsInf(p.Amount, 0) || math.IsNaN(p.Amount) {
				t.Fatalf("%q: amount %v", s, p.Amount)
			}
			if p.Minutes < 0 {
				t.Fatalf("%q: minutes %d", s, p.Minutes)
			}
			if p.Start < 0 || p.End > len(s) || p.Start >= p.End {
				t.Fatalf("%q: span %d-%d", s, p.Start, p.End)
			}
			if utf8.ValidString(s) && !utf8.ValidString(s[p.Start:p.End]) {
				t.Fatalf("%q: span %d-%d cuts a character", s, p.Start, p.End)
			}
		}
		if v, ok := HourlyPriceDKK(ad.Raw{Text: s}); ok && (!(v > 0) || math.IsInf(v, 0)) {
			t.Fatalf("%q: hourly %v", s, v)
		}
	})
}
