package crossad

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/adwatch/adwatch/ad"
)

// sample is one priced ad of the market: when, where, and its hourly
// price in DKK.
type sample struct {
	T    int64   `json:"t"`
	City string  `json:"c,omitempty"` // normalised
	P    float64 `json:"p"`
}

// marketCategory is the category an ad's price is compared within, or ""
// for ads whose prices are not a market of services (jobs, unknown).
func marketCategory(r *ad.Raw) string {
	c := strings.ToLower(strings.TrimSpace(r.Category))
	if c == "" || c == "job" || c == "jobs" {
		return ""
	}
	var b strings.Builder
	for _, ch := range c {
		if ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '-' {
			b.WriteRune(ch)
		}
	}
	return b.String()
}

// priced returns the ad's market sample: its category and hourly price,
// when it has both.
func (o *Options) priced(r *ad.Raw) (cat string, s sample, ok bool) {
	cat = marketCategory(r)
	t := adTime(r)
	if cat == "" || t.IsZero() {
		return "", sample{}, false
	}
	p, ok := o.HourlyPrice(*r)
	if !ok || p <= 0 || math.IsNaN(p) || math.IsInf(p, 0) {
		return "", sample{}, false
	}
	city := normCity(r.City)
	if city == "" {
		city = cityInText(r)
	}
	return cat, sample{T: t.Unix(), City: city, P: math.Round(p*100) / 100}, true
}

// belowMarket judges the ad's price s against others, the other priced ads
// of its category posted within MarketWindow before it: below market when
// fewer than MarketQuantile of them ask as little or less. The city's own
// ads are the market when there are MinCityMarketSamples of them, else the
// category's; with fewer than MinMarketSamples there is no verdict.
func (o *Options) belowMarket(r *ad.Raw, cat string, s sample, others []sample) *ad.Indicator {
	var city []float64
	var all []float64
	for _, x := range others {
		all = append(all, x.P)
		if s.City != "" && x.City == s.City {
			city = append(city, x.P)
		}
	}
	market, where := all, "category-wide"
	if len(city) >= o.MinCityMarketSamples {
		market, where = city, "in "+s.City
	}
	if len(market) < o.MinMarketSamples {
		return nil
	}
	atOrBelow := 0
	for _, p := range market {
		if p <= s.P {
			atOrBelow++
		}
	}
	if float64(atOrBelow) >= o.MarketQuantile*float64(len(market)) {
		return nil
	}
	slices.Sort(market)
	q := market[max(0, int(math.Ceil(o.MarketQuantile*float64(len(market))))-1)]
	days := int(o.MarketWindow.Hours() / 24)
	explain := fmt.Sprintf("%s kr/hour: %d of %d %s ads (%s) in the %d days before ask as little or less; their %s percentile is %s kr/hour",
		kroner(s.P), atOrBelow, len(market), cat, where, days, ordinal(int(math.Round(o.MarketQuantile*100))), kroner(q))
	var slot []ad.Evidence
	if pt := r.PriceText; pt != "" && safeText(pt) == pt {
		slot = append(slot, ad.Evidence{Field: "price_text", Start: 0, End: len(pt), Text: pt})
	}
	ind := indicator(BelowMarketPrice, wBelowMarket, explain, slot...)
	return &ind
}

func kroner(p float64) string {
	n := int(math.Round(p))
	s := strconv.Itoa(n)
	if n >= 1000 {
		s = s[:len(s)-3] + "." + s[len(s)-3:]
	}
	return s
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// dkkPerUnit converts the currencies ads state prices in to DKK. The rates
// are round figures: a price is below market by a wide margin or not at
// all, so the last percent does not matter.
var dkkPerUnit = map[string]float64{
	"dkk": 1, "eur": 7.46, "sek": 0.68, "nok": 0.66, "gbp": 8.6, "usd": 6.9,
	"pln": 1.75, "ron": 1.5, "bgn": 3.8,
}

var currencyOf = map[string]string{
	"kr": "dkk", "kr.": "dkk", "dkk": "dkk", "kroner": "dkk", ",-": "dkk",
	"€": "eur", "eur": "eur", "euro": "eur", "sek": "sek", "nok": "nok",
	"£": "gbp", "gbp": "gbp", "$": "usd", "usd": "usd", "zł": "pln", "zl": "pln", "pln": "pln",
	"lei": "ron", "ron": "ron", "лв": "bgn", "bgn": "bgn",
}

var (
	// "1.600 kr / time", "1200 DKK / 1 hour", "800 kr/30 min", "€150/h"
	priceRx = regexp.MustCompile(`^\s*(€|£|\$)?\s*(\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,](\d{1,2}))?\s*(kr\.?|dkk|kroner|,-|€|eur|euro|sek|nok|£|gbp|\$|usd|zł|zl|pln|lei|ron|лв|bgn)?\s*(?:/|pr\.?|per|for|i)\s*(.*)$`)
	durRx   = regexp.MustCompile(`^(\d+(?:[.,]\d+)?)?\s*(min|mins|minutes|minutter|minut|m|t|h|hr|hrs|time|timer|timen|hour|hours|std)\b`)
	// Prices for two people, overnights and crypto are no hourly price.
	notHourlyRx = regexp.MustCompile(`(?i)btc|bitcoin|crypto|couple|duo|\bpar\b|personer|persons|2 piger|2 girls|\bnat\b|night|døgn|24 ?h|weekend`)
)

// hourlyPriceDKK reads the price field ("1.600 kr/time", "800 kr/30 min",
// "2000 DKK / 1h") into DKK per hour; durations from 15 minutes to 4 hours
// are normalised, anything else (a 24-hour or overnight rate, a price for
// two, crypto) is not an hourly price. The classifier's parsed hourly price
// replaces it through Options.HourlyPrice.
func hourlyPriceDKK(r ad.Raw) (float64, bool) {
	s := strings.ToLower(strings.TrimSpace(r.PriceText))
	if s == "" || notHourlyRx.MatchString(s) {
		return 0, false
	}
	m := priceRx.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	amount, err := strconv.ParseFloat(strings.NewReplacer(".", "", ",", "").Replace(m[2]), 64)
	if err != nil {
		return 0, false
	}
	if m[3] != "" {
		frac, _ := strconv.ParseFloat("0."+m[3], 64)
		amount += frac
	}
	cur := "dkk" // a Danish site's bare number is in kroner
	if m[1] != "" {
		cur = currencyOf[m[1]]
	}
	if m[4] != "" {
		cur = currencyOf[m[4]]
	}
	rate, ok := dkkPerUnit[cur]
	if !ok {
		return 0, false
	}
	d := durRx.FindStringSubmatch(strings.TrimSpace(m[5]))
	if d == nil {
		return 0, false
	}
	n := 1.0
	if d[1] != "" {
		n, err = strconv.ParseFloat(strings.ReplaceAll(d[1], ",", "."), 64)
		if err != nil || n <= 0 {
			return 0, false
		}
	}
	minutes := n * 60
	switch d[2] {
	case "min", "mins", "minutes", "minutter", "minut", "m":
		minutes = n
	}
	if minutes < 15 || minutes > 240 {
		return 0, false
	}
	return amount * rate * 60 / minutes, true
}
