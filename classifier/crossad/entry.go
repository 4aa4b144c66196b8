package crossad

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/classifier/phone"
)

// entry is what linking keeps of one ad: enough to compute every cross-ad
// indicator of it and of the ads it links to, and nothing in clear that
// identifies a contact. It is stored in the linking state under each of its
// keys, so it is small.
type entry struct {
	ID string `json:"id"`
	// T is when the ad was posted (else fetched), Unix seconds.
	T int64 `json:"t"`
	// Contacts are the keyed hashes of the ad's phone numbers.
	Contacts []string `json:"c,omitempty"`
	// Name, City: as the ad writes them, for evidence; compared normalised.
	Name string `json:"n,omitempty"`
	City string `json:"y,omitempty"`
	Age  int    `json:"a,omitempty"`
	// Nats are the nationality codes the ad's text claims, sorted.
	Nats []string `json:"nat,omitempty"`
	// Prices is the ad's price table: its amounts and durations, sorted.
	Prices string    `json:"p,omitempty"`
	Sig    signature `json:"g"`
	// Images are the ad's perceptual image hashes.
	Images []uint64 `json:"i,omitempty"`
	// Slots says which of Name and City are the raw fields verbatim, so
	// that evidence can give their offsets.
	Slots uint8 `json:"v,omitempty"`

	name, city string // normalised, filled by prepare
}

const (
	slotNameVerbatim = 1 << iota
	slotCityVerbatim
)

// prepare fills the derived fields after building or decoding.
func (e *entry) prepare() *entry {
	e.name = normName(e.Name)
	e.city = normCity(e.City)
	return e
}

func (e *entry) time() time.Time { return time.Unix(e.T, 0).UTC() }

// adTime is when an ad was posted, else when it was fetched.
func adTime(r *ad.Raw) time.Time {
	if !r.PostedAt.IsZero() {
		return r.PostedAt
	}
	return r.FetchedAt
}

// newEntry builds the entry of an ad, or nil if the ad has no time: a
// window cannot place it.
func newEntry(key ContactKey, r *ad.Raw, o *Options) *entry {
	t := adTime(r)
	if t.IsZero() || r.ID == "" {
		return nil
	}
	e := &entry{
		ID:     r.ID,
		T:      t.Unix(),
		Name:   safeText(strings.Join(strings.Fields(r.Name), " ")),
		Age:    r.Age,
		City:   safeText(strings.Join(strings.Fields(r.City), " ")),
		Nats:   nationalities(r),
		Prices: priceTable(r),
		Sig:    signatureOf(r),
	}
	if e.Name != "" && e.Name == r.Name {
		e.Slots |= slotNameVerbatim
	}
	if e.City != "" && e.City == r.City {
		e.Slots |= slotCityVerbatim
	}
	if e.City == "" {
		e.City = cityInText(r)
	}
	for _, p := range contactsOf(r) {
		e.Contacts = append(e.Contacts, key.Hash(p))
	}
	slices.Sort(e.Contacts)
	e.Contacts = slices.Compact(e.Contacts)
	if o.ImageHashes != nil {
		for _, h := range o.ImageHashes(*r) {
			e.Images = append(e.Images, imageHash(h))
		}
		slices.Sort(e.Images)
		e.Images = slices.Compact(e.Images)
	}
	return e.prepare()
}

// contactsOf returns the ad's phone numbers in E.164 as the classifier
// reads them: every phones field value, then every number in the title and
// text, obscured ones included.
func contactsOf(r *ad.Raw) []string {
	var out []string
	for _, p := range r.Phones {
		e, ok := phone.Normalize(p, defaultRegion)
		if !ok {
			if reg, known := langRegion[r.Lang]; known {
				e, ok = phone.Normalize(p, reg)
			}
		}
		if ok {
			out = append(out, e)
		}
	}
	for _, f := range [...]string{r.Title, r.Text} {
		for _, m := range phone.Extract(f, defaultRegion) {
			if m.E164 != "" {
				out = append(out, m.E164)
			}
		}
	}
	return out
}

func normName(s string) string {
	return strings.Join(tokens(s), " ")
}

// normCity maps a city as written ("Odense C", "Copenhagen") to its
// canonical name.
func normCity(s string) string {
	toks := tokens(s)
	if len(toks) == 0 {
		return ""
	}
	for _, t := range toks {
		if c := cityAlias[t]; c != "" {
			return c
		}
	}
	return strings.Join(toks, " ")
}

// cityInText is the first known city in the title, else the text, for ads
// of sites without a city field.
func cityInText(r *ad.Raw) string {
	for _, f := range [...]string{r.Title, r.Text} {
		for _, t := range tokens(f) {
			if c := cityAlias[t]; c != "" {
				return c
			}
		}
	}
	return ""
}

func nationalities(r *ad.Raw) []string {
	var out []string
	for _, f := range [...]string{r.Title, r.Text} {
		for _, t := range tokens(f) {
			if c := nationality[t]; c != "" {
				out = append(out, c)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// priceTable is the ad's price table as one comparable string: the
// amounts and durations of its price field and text — numbers next to a
// currency or duration word ("30 min – 800 kr", "1h 2000 DKK") — sorted.
// Phone numbers are blanked first and long digit runs dropped, so a number
// never becomes part of it; an age ("22 år") is not next to a unit.
func priceTable(r *ad.Raw) string {
	var nums []int
	for _, f := range [...]string{r.PriceText, r.Title, r.Text} {
		toks := priceTokens(blankPhones(f))
		for i, t := range toks {
			if !hasDigit(t) {
				continue
			}
			unit := strings.TrimLeft(t, "0123456789")
			if unit != "" && (durationWords[unit] || currencyWords[unit]) || i > 0 && isUnit(toks[i-1]) || i+1 < len(toks) && isUnit(toks[i+1]) {
				nums = append(nums, numbersIn(t)...)
			}
		}
	}
	slices.Sort(nums)
	nums = slices.Compact(nums)
	big := false
	for _, n := range nums {
		if n >= 50 {
			big = true
		}
	}
	if !big {
		return ""
	}
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, " ")
}

// priceTokens is tokens, except that "1.600" and "1,600" stay one token.
func priceTokens(s string) []string {
	rs := []rune(norm.NFKC.String(s))
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			cur = append(cur, r)
		case (r == '.' || r == ',') && len(cur) > 0 && unicode.IsDigit(cur[len(cur)-1]) &&
			isDigits(rs, i+1, 3) && (i+4 >= len(rs) || !unicode.IsDigit(rs[i+4])):
			// a thousands separator
		default:
			flush()
		}
	}
	flush()
	return out
}

func isUnit(t string) bool { return currencyWords[t] || durationWords[t] }

var currencyWords = map[string]bool{
	"kr": true, "dkk": true, "kroner": true, "eur": true, "euro": true, "sek": true, "nok": true,
	"lei": true, "ron": true, "zł": true, "pln": true, "gbp": true, "usd": true,
}

var durationWords = map[string]bool{
	"min": true, "minutter": true, "minutes": true, "mins": true, "time": true, "timer": true,
	"hour": true, "hours": true, "h": true, "t": true, "std": true,
}

// numbersIn returns the whole numbers written in s, reading "1.600" and
// "1,600" as 1600; runs of more than five digits are not prices.
func numbersIn(s string) []int {
	var out []int
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if !unicode.IsDigit(rs[i]) {
			i++
			continue
		}
		j := i
		var digits []rune
		for j < len(rs) {
			if unicode.IsDigit(rs[j]) {
				digits = append(digits, rs[j])
				j++
				continue
			}
			// A thousands separator: one dot or comma, then exactly three digits.
			if (rs[j] == '.' || rs[j] == ',') && len(digits) <= 3 && isDigits(rs, j+1, 3) &&
				(j+4 >= len(rs) || !unicode.IsDigit(rs[j+4])) {
				j++
				continue
			}
			break
		}
		if len(digits) <= 5 {
			if n, err := strconv.Atoi(string(digits)); err == nil {
				out = append(out, n)
			}
		}
		i = j
	}
	return out
}

func isDigits(rs []rune, from, n int) bool {
	if from+n > len(rs) {
		return false
	}
	for _, r := range rs[from : from+n] {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// imageHash reads a perceptual hash written as 16 hex digits; any other
// string is hashed, so it matches only itself.
func imageHash(s string) uint64 {
	s = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "0x")
	if len(s) == 16 {
		if v, err := strconv.ParseUint(s, 16, 64); err == nil {
			return v
		}
	}
	return mix64(fnvAdd(fnvOffset, s))
}
