package crossad

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/classifier/phone"
)

// Template signatures. An ad's title and text are tokenised (NFKC, lower
// case, runs of letters and digits) and their slots masked: the persona's
// name, cities, nationality words and every number (phone numbers written
// as words included) become placeholders, so that one text posted for many
// women, in many cities, with many numbers, reads as one text. The masked
// tokens give word 3-shingles, and a shingle set is summarised twice:
//
//   - a bottom-k sketch (the k smallest shingle hashes), from which the
//     Jaccard similarity of two texts is estimated without bias; it is
//     exact when both texts have at most k shingles, as most ads do;
//   - MinHash with bands×rows hash functions, banded for locality-sensitive
//     hashing: two texts share a band key with probability
//     1-(1-J^rows)^bands, 0.95 at J=0.6 and 0.9998 at J=0.8 with the
//     defaults, so only texts that share a band key are compared, and those
//     keys are where the linking state keeps its template lists.
const (
	shingleLen  = 3
	sketchSize  = 64
	lshBands    = 12
	lshRows     = 3
	minShingles = 6
)

// signature is an ad's template signature; the zero value (too little
// text) links to nothing.
type signature struct {
	Bands  u32s `json:"b,omitempty"`
	Sketch u32s `json:"s,omitempty"`
}

func (s signature) ok() bool { return len(s.Sketch) > 0 && len(s.Bands) == lshBands }

// Placeholders of masked slots.
const (
	slotNumber      = "\x00#"
	slotName        = "\x00name"
	slotCity        = "\x00city"
	slotNationality = "\x00nat"
)

// maskedTokens returns the tokens of the ad's title and text with slots
// masked. A run of numbers ("28 64 19 73") is one number slot, so a number
// written in groups and one written whole mask alike.
func maskedTokens(r *ad.Raw) []string {
	names := tokenSet(r.Name)
	cities := tokenSet(r.City)
	var out []string
	for _, field := range [...]string{r.Title, r.Text} {
		if field == "" {
			continue
		}
		for _, tok := range tokens(blankPhones(field)) {
			switch {
			case hasDigit(tok):
				tok = slotNumber
			case names[tok]:
				tok = slotName
			case cities[tok] || cityAlias[tok] != "":
				tok = slotCity
			case nationality[tok] != "":
				tok = slotNationality
			}
			if tok == slotNumber && len(out) > 0 && out[len(out)-1] == slotNumber {
				continue
			}
			out = append(out, tok)
		}
	}
	return out
}

// blankPhones replaces every phone number in s, obscured ones included
// ("to otte seks ..."), with a digit, so that it masks as a number slot.
func blankPhones(s string) string {
	ms := phone.Extract(s, defaultRegion)
	if len(ms) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range ms {
		if m.Start < last || m.End > len(s) || m.Start >= m.End {
			continue
		}
		b.WriteString(s[last:m.Start])
		b.WriteString(" 0 ")
		last = m.End
	}
	b.WriteString(s[last:])
	return b.String()
}

// tokens splits s into lower-case runs of letters, marks and digits after
// NFKC.
func tokens(s string) []string {
	s = norm.NFKC.String(s)
	var out []string
	start := -1
	for i, r := range s {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
		if word && start < 0 {
			start = i
		}
		if !word && start >= 0 {
			out = append(out, strings.ToLower(s[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, strings.ToLower(s[start:]))
	}
	return out
}

func tokenSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, t := range tokens(s) {
		m[t] = true
	}
	return m
}

func hasDigit(s string) bool {
	for _, r := range s {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// signatureOf computes the template signature of the ad.
func signatureOf(r *ad.Raw) signature {
	toks := maskedTokens(r)
	if len(toks) < shingleLen {
		return signature{}
	}
	hs := make([]uint64, 0, len(toks))
	for i := 0; i+shingleLen <= len(toks); i++ {
		h := uint64(fnvOffset)
		for _, t := range toks[i : i+shingleLen] {
			h = fnvAdd(h, t)
			h = (h ^ 0xff) * fnvPrime // separator: ("ab","c") ≠ ("a","bc")
		}
		hs = append(hs, h)
	}
	slices.Sort(hs)
	hs = slices.Compact(hs)
	if len(hs) < minShingles {
		return signature{}
	}
	// Bottom-k sketch of 32-bit shingle hashes.
	sk := make([]uint32, len(hs))
	for i, h := range hs {
		sk[i] = uint32(mix64(h))
	}
	slices.Sort(sk)
	sk = slices.Compact(sk)
	if len(sk) > sketchSize {
		sk = sk[:sketchSize]
	}
	// MinHash, banded.
	var mins [lshBands * lshRows]uint64
	for i := range mins {
		mins[i] = ^uint64(0)
	}
	for _, h := range hs {
		for i := range mins {
			if v := mix64(h ^ minhashSeeds[i]); v < mins[i] {
				mins[i] = v
			}
		}
	}
	bands := make([]uint32, lshBands)
	for b := range bands {
		h := uint64(fnvOffset)
		for _, m := range mins[b*lshRows : (b+1)*lshRows] {
			for k := range 8 {
				h = (h ^ uint64(byte(m>>(8*k)))) * fnvPrime
			}
		}
		bands[b] = uint32(h ^ h>>32)
	}
	return signature{Bands: bands, Sketch: sk}
}

// similarity estimates the Jaccard similarity of two texts' shingle sets
// from their bottom-k sketches: of the k smallest hashes of the union, the
// share found in both.
func similarity(a, b signature) float64 {
	x, y := a.Sketch, b.Sketch
	if len(x) == 0 || len(y) == 0 {
		return 0
	}
	k := min(sketchSize, max(len(x), len(y)))
	i, j, n, both := 0, 0, 0, 0
	for n < k && (i < len(x) || j < len(y)) {
		switch {
		case j >= len(y) || (i < len(x) && x[i] < y[j]):
			i++
		case i >= len(x) || y[j] < x[i]:
			j++
		default:
			both++
			i++
			j++
		}
		n++
	}
	if n == 0 {
		return 0
	}
	return float64(both) / float64(n)
}

// shareBand reports whether two signatures share an LSH band key.
func shareBand(a, b signature) bool {
	if !a.ok() || !b.ok() {
		return false
	}
	for i := range a.Bands {
		if a.Bands[i] == b.Bands[i] {
			return true
		}
	}
	return false
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// mix64 is the splitmix64 finaliser: a fixed bijection that spreads bits,
// so that signatures are the same in every process and every release.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

var minhashSeeds = func() (s [lshBands * lshRows]uint64) {
	x := uint64(0x61647761746368) // "adwatch"
	for i := range s {
		x += 0x9e3779b97f4a7c15
		s[i] = mix64(x)
	}
	return s
}()

// u32s is a list of 32-bit hashes, stored as base64 of its little-endian
// bytes: a third of the size of a JSON array of numbers.
type u32s []uint32

func (u u32s) MarshalJSON() ([]byte, error) {
	b := make([]byte, 4*len(u))
	for i, v := range u {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return json.Marshal(base64.RawStdEncoding.EncodeToString(b))
}

func (u *u32s) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil || len(b)%4 != 0 {
		return errors.New("crossad: bad hash list")
	}
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	*u = out
	return nil
}

// safeText makes ad-derived text fit for evidence: a run of digits and
// separators holding five or more digits (a phone number written into a
// name or city field) becomes "…", and the text is bounded.
func safeText(s string) string {
	const maxLen = 60
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); {
		if !unicode.IsDigit(rs[i]) {
			r := rs[i]
			if r == utf8.RuneError {
				r = '?'
			}
			b.WriteRune(r)
			i++
			continue
		}
		// A number: digits joined by separators.
		j, digits, end := i, 0, i
		for j < len(rs) && (unicode.IsDigit(rs[j]) || strings.ContainsRune(" -.+()/", rs[j])) {
			if unicode.IsDigit(rs[j]) {
				digits++
				end = j + 1
			}
			j++
		}
		if digits >= 5 {
			b.WriteString("…")
		} else {
			b.WriteString(string(rs[i:end]))
		}
		i = end
	}
	out := strings.TrimSpace(b.String())
	if utf8.RuneCountInString(out) > maxLen {
		out = string([]rune(out)[:maxLen]) + "…"
	}
	return out
}
