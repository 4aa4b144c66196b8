package classifier

import "github.com/adwatch/adwatch/ad"

// Facts is what the classifier reads out of an ad besides its
// indicators: the entities a worker, the explain tool and the cross-ad
// linking need.
type Facts struct {
	// Lang is the ad's language: its lang field, else detected from title
	// and text ("" when too short or mixed to tell).
	Lang string
	// LangDetected is set when Lang was detected, not given.
	LangDetected bool
	// Languages is the languages field, normalised ("Dansk" → da).
	Languages []StatedLanguage
	// Phones are the ad's phone numbers in E.164, fields first.
	Phones []string
	// Emails are the e-mail addresses in title and text.
	Emails []string
	// Ages are the ages stated in the age field and the text.
	Ages []int
	// Prices are the prices in the price field, title and text.
	Prices []Price
	// HourlyDKK is the price of one hour in kroner; HasHourly is false when
	// the ad states none (see HourlyPriceDKK).
	HourlyDKK float64
	HasHourly bool
}

// ReadFacts reads the facts of one ad. It does no I/O.
func ReadFacts(r ad.Raw) Facts {
	var f Facts
	if r.Lang != "" {
		f.Lang = adLanguage(&r)
	} else {
		var d detector
		d.run(r.Title)
		d.run(r.Text)
		f.Lang, f.LangDetected = d.result().Lang, true
	}
	f.Languages = ParseLanguages(r.Languages)
	cs, _, _ := contacts(&r, nil, nil, nil)
	for _, c := range cs {
		f.Phones = append(f.Phones, c.e164)
	}
	for _, s := range []string{r.Title, r.Text} {
		for _, e := range Emails(s) {
			if !contains(f.Emails, e) {
				f.Emails = append(f.Emails, e)
			}
		}
	}
	if r.Age > 0 {
		f.Ages = append(f.Ages, r.Age)
	}
	for _, s := range []string{r.Title, r.Text} {
		for _, a := range textAges(s, r.Name, nil) {
			f.Ages = append(f.Ages, a.age)
		}
	}
	for _, s := range []string{r.PriceText, r.Title, r.Text} {
		f.Prices = append(f.Prices, ParsePrices(s)...)
	}
	f.HourlyDKK, f.HasHourly = HourlyPriceDKK(r)
	return f
}
