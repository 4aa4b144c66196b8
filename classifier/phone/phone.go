// Package phone finds phone numbers in ad text and returns them in E.164
// with the byte offsets of what the ad actually wrote.
//
// Ads that want to stay off scrapers write their numbers as words ("to otte
// seks tre"), keycap emoji, O and l for 0 and 1, single digits with spaces,
// dots or emoji between them, or full-width digits. Those numbers are the
// obscured_contact indicator, and the same numbers link ads across the
// cross-ad indicators, so the package has to read them as a person would
// while never turning a price, date, time, postcode or CVR number into a
// phone number: a false link between two women's ads is worse than a miss.
//
// The text is scanned once, rune by rune, into runs of digit-bearing atoms
// (digit groups, number words, keycaps) joined only by separators; only the
// digit windows inside a run that have the right length are handed to
// github.com/nyaruka/phonenumbers for validation, so an ad without numbers
// never reaches the library. Offsets stay those of the original text:
// NFKC is applied per rune, not to a normalised copy.
//
// A candidate is taken when the library says it is valid. One that only
// has the right length for its country (the library's ranges lag new
// allocations, and invented numbers fall outside them) is taken only where
// the text introduces a phone number: a cue such as "ring", "tlf", "call",
// "WhatsApp" or 📞 shortly before it on the same line, or a phone field
// passed to Normalize. Shapes that are eight digits but not phone numbers
// are rejected before validation: dates, time and year ranges, groups
// labelled CVR, org.nr and the like, groups followed by a currency or age
// unit, and plain groups that mix single digits with longer ones.
package phone

import (
	"unicode"
	"unicode/utf8"
)

// DefaultRegion is the region assumed for numbers written without a country
// code: the ads are Danish, and Danish numbers are always eight digits with
// no trunk prefix.
const DefaultRegion = "DK"

// Match is one phone number found in a text.
type Match struct {
	// E164 is the number in E.164 form, such as "+4528639014".
	E164 string
	// Start and End are byte offsets of the whole written form in the
	// original text, so text[Start:End] is what the ad wrote, including a
	// leading "+", keycap sequences and any separators between its parts.
	Start, End int
	// Obscured is true when the number could be read only after
	// de-obfuscation: number words, keycap emoji, letters for digits,
	// non-ASCII digits, spaced or dotted single digits, or emoji between
	// digit groups. "28 63 90 14", "+45 28639014", "2863 9014" and
	// "28-63-90-14" are not obscured.
	Obscured bool
}

// Extract returns the distinct phone numbers in text in order of first
// appearance. Numbers without a country code are read in defaultRegion (a
// CLDR region such as "DK"; empty or unknown means only numbers written
// with + or 00 are found). A number that appears more than once is
// reported at its first occurrence, and is Obscured only if every
// occurrence was. Extract is meant for one ad: it validates at most a few
// hundred candidates per call, which bounds its cost on spam.
func Extract(text, defaultRegion string) []Match {
	return AppendExtract(nil, text, defaultRegion)
}

// AppendExtract is Extract appending to dst, so that a caller scanning
// many ads can reuse one slice.
func AppendExtract(dst []Match, text, defaultRegion string) []Match {
	var sc scanner
	sc.init(text, defaultRegion)
	n := len(dst)
	sc.out = dst
	sc.scan()
	return append(dst[:n], dedupe(sc.out[n:])...)
}

// Normalize reads one field value, such as a site's phone field ("28 63 90
// 14", "+45 2863 9014"), and returns it in E.164. It reports false unless
// the value holds exactly one number and no other digits, so a field
// holding a CVR number, two numbers or a fragment is rejected rather than
// half-read. Because the field says its value is a phone number, a number
// of the right length outside the library's known ranges is accepted.
func Normalize(raw, defaultRegion string) (string, bool) {
	var sc scanner
	var buf [4]Match // not a field of sc: a slice of itself would move sc to the heap
	sc.init(raw, defaultRegion)
	sc.field = true
	sc.out = buf[:0]
	sc.scan()
	ms := dedupe(sc.out)
	if len(ms) != 1 {
		return "", false
	}
	m := ms[0]
	if hasDigit(raw[:m.Start]) || hasDigit(raw[m.End:]) {
		return "", false
	}
	return m.E164, true
}

// dedupe keeps the first occurrence of each number; ms is in text order.
// The quadratic loop is deliberate: an ad has a handful of numbers.
func dedupe(ms []Match) []Match {
	out := ms[:0]
	for _, m := range ms {
		dup := false
		for k := range out {
			if out[k].E164 == m.E164 {
				out[k].Obscured = out[k].Obscured && m.Obscured
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func hasDigit(s string) bool {
	for _, r := range s {
		if r < utf8.RuneSelf {
			if r >= '0' && r <= '9' {
				return true
			}
			continue
		}
		if unicode.IsNumber(r) {
			return true
		}
	}
	return false
}
