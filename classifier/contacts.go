package classifier

import (
	"strings"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/classifier/phone"
)

// DefaultRegion is the region phone numbers without a country code are
// read in.
const DefaultRegion = "DK"

// langRegion maps an ad's text language to the region a phone field is read
// in when it is not a valid number in DefaultRegion: a Romanian ad's
// "0733 612 480" is a Romanian number.
var langRegion = map[string]string{
	"ro": "RO", "pl": "PL", "bg": "BG", "es": "ES", "th": "TH", "lt": "LT", "lv": "LV",
	"uk": "UA", "ru": "RU", "hu": "HU", "pt": "PT", "de": "DE", "sv": "SE", "nb": "NO",
	"no": "NO", "cs": "CZ", "sk": "SK", "et": "EE", "sr": "RS", "hr": "HR", "sq": "AL",
	"tl": "PH", "vi": "VN", "zh": "CN",
}

// contact is one phone number of an ad.
type contact struct {
	e164  string
	plain bool // seen in a phones field or written plainly in the text
}

// sighting is where a contact was seen.
type sighting struct {
	contact int
	ev      ad.Evidence
}

// contacts gathers the ad's phone numbers: every phones field value, then
// every number in the title and text, deduplicated, in that order, and
// where each was seen.
func contacts(r *ad.Raw, out []contact, seen []sighting, ms []phone.Match) ([]contact, []sighting, []phone.Match) {
	add := func(e164 string, plain bool, ev ad.Evidence) {
		for i := range out {
			if out[i].e164 == e164 {
				out[i].plain = out[i].plain || plain
				seen = append(seen, sighting{i, ev})
				return
			}
		}
		out = append(out, contact{e164: e164, plain: plain})
		seen = append(seen, sighting{len(out) - 1, ev})
	}
	for _, p := range r.Phones {
		e, ok := phone.Normalize(p, DefaultRegion)
		if !ok {
			if reg, known := langRegion[r.Lang]; known {
				e, ok = phone.Normalize(p, reg)
			}
		}
		if ok {
			add(e, true, ad.Evidence{Field: "phones", Start: 0, End: len(p), Text: p})
		}
	}
	for _, f := range [...]struct{ name, value string }{{"title", r.Title}, {"text", r.Text}} {
		if f.value == "" {
			continue
		}
		ms = phone.AppendExtract(ms[:0], f.value, DefaultRegion)
		for _, m := range ms {
			if m.Start < 0 || m.End > len(f.value) || m.Start >= m.End || m.E164 == "" {
				continue // never trust a span blindly: evidence must index the field
			}
			add(m.E164, !m.Obscured, ad.Evidence{Field: f.name, Start: m.Start, End: m.End, Text: f.value[m.Start:m.End]})
		}
	}
	return out, seen, ms
}

// inCountries reports whether the E.164 number has one of the calling codes
// (each written "+45").
func inCountries(e164 string, codes []string) bool {
	for _, c := range codes {
		if strings.HasPrefix(e164, c) {
			return true
		}
	}
	return false
}
