package classifier

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A view is the matching form of one field value: the text every phrase and
// regex in the rule files is matched against. Building it
//
//   - applies NFKC (full-width letters, ligatures, superscript digits),
//   - lower-cases,
//   - folds Latin diacritics and the Danish letters (é→e, ș→s, ø→o, å→a,
//     æ→ae, ß→ss), so "sød", "sod", "år" and "aar" read alike,
//   - reads "aa" as "a" (the Danish transliteration of å: "aar" = "år") and
//     a run of three or more of one letter as one ("sooo" → "so", "nooo"
//     → "no"); ordinary double letters stay ("till" is not "til"),
//   - turns every run of spaces and punctuation into one space,
//   - keeps symbols (emoji, +, €, %, /, @, #, &, ?) as one-character tokens
//     with a space on each side, and a dash touching a digit as "-" (so
//     "10-18" and "24/7" survive while "no-limits" reads "no limits"),
//   - drops combining marks, variation selectors, joiners and skin tones
//     (so the keycap "2️⃣" reads "2").
//
// A view never starts or ends with a space and never holds two in a row, so
// a word boundary is simply a space or an end of the view: this is what
// makes boundaries Unicode-aware ("sød" is one word, Nyhavn is not "ny").
//
// For every byte of b, start and end give the byte range of the original
// character it came from, so a match maps back to the original text.
type view struct {
	b     []byte
	start []int32
	end   []int32

	// pending is set when a separator must be written before the next
	// letter, digit or symbol; pendAt is the original offset it maps to.
	pending bool
	pendAt  int32
	// last is the last rune written (0 after a separator or at the start).
	last rune
	// lastStart is the index in b of the last rune written; run counts the
	// letters of the current run of one letter, and runStart is where the
	// run's first letter was written.
	lastStart int
	run       int
	runStart  int
	// sym is set when the last thing written is a symbol token.
	sym bool
}

// maxView bounds the work done for one field; longer values are cut (ads
// are 16 to 121 words: 64 KiB of text in one field is not an ad).
const maxView = 64 << 10

func (v *view) reset() {
	v.b = v.b[:0]
	v.start = v.start[:0]
	v.end = v.end[:0]
	v.pending = false
	v.last = 0
	v.lastStart = 0
	v.run = 0
	v.sym = false
}

// build fills v with the matching form of s.
func (v *view) build(s string) {
	v.reset()
	if len(s) > maxView {
		s = s[:maxView]
		for len(s) > 0 && !utf8.RuneStart(s[len(s)-1]) {
			s = s[:len(s)-1]
		}
		if len(s) > 0 {
			// Drop a possibly cut last rune.
			_, size := utf8.DecodeLastRuneInString(s)
			s = s[:len(s)-size]
		}
	}
	// Most ad text is already NFKC: normalise only from the first byte that
	// may change (QuickSpan is exact about where that is).
	n := len(s)
	if !isASCII(s) {
		n = norm.NFKC.QuickSpanString(s)
	}
	v.plain(s, 0, n)
	if n == len(s) {
		return
	}
	var it norm.Iter
	it.InitString(norm.NFKC, s[n:])
	for !it.Done() {
		a := int32(n + it.Pos())
		seg := it.Next()
		b := int32(n + it.Pos())
		for len(seg) > 0 {
			r, size := utf8.DecodeRune(seg)
			seg = seg[size:]
			v.rune(s, r, a, b)
		}
	}
}

// plain adds s[from:to], which NFKC leaves as it is.
func (v *view) plain(s string, from, to int) {
	for i := from; i < to; {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:to])
			v.rune(s, r, int32(i), int32(i+size))
			i += size
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if ('a' <= c && c <= 'z' || '0' <= c && c <= '9') && rune(c) != v.last && !v.sym {
			// The common case: a letter or digit after a letter, a digit
			// or a separator.
			if v.pending {
				v.b = append(v.b, ' ')
				v.start = append(v.start, v.pendAt)
				v.end = append(v.end, v.pendAt)
				v.pending = false
			}
			v.lastStart = len(v.b)
			v.b = append(v.b, c)
			v.start = append(v.start, int32(i))
			v.end = append(v.end, int32(i+1))
			v.last = rune(c)
			v.run = 1
			v.runStart = v.lastStart
			i++
			continue
		}
		if c == ' ' || c == '\n' || c == ',' || c == '.' || c == '\t' || c == '\r' || c == '!' {
			if len(v.b) > 0 && !v.pending {
				v.pending = true
				v.pendAt = int32(i)
			}
			v.last = 0
			v.sym = false
			i++
			continue
		}
		v.rune(s, rune(c), int32(i), int32(i+1))
		i++
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// rune adds the (NFKC-normalised) rune r that came from s[a:b].
func (v *view) rune(s string, r rune, a, b int32) {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			v.word(r, a, b)
		case 'A' <= r && r <= 'Z':
			v.word(r+'a'-'A', a, b)
		case r == '%' || r == '/' || r == '@' || r == '#' || r == '&' || r == '?' || r == '+' ||
			r == '$' || r == '<' || r == '>' || r == '=' || r == '|' || r == '~' || r == '^':
			v.symbol(r, a, b)
		case r == '-':
			v.dash(s, a, b)
		default:
			v.separator(a)
		}
		return
	}
	switch {
	case unicode.IsLetter(r):
		r = unicode.ToLower(r)
		if r == 'ς' {
			r = 'σ'
		}
		if f, ok := foldLatin(r); ok {
			for i := 0; i < len(f); i++ {
				v.word(rune(f[i]), a, b)
			}
			return
		}
		v.word(r, a, b)
	case unicode.IsDigit(r):
		v.word(r, a, b)
	case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r), unicode.Is(unicode.Mc, r),
		unicode.Is(unicode.Cf, r), unicode.Is(unicode.Sk, r):
		v.extend(b)
	case unicode.Is(unicode.Pd, r):
		v.dash(s, a, b)
	case unicode.IsSymbol(r):
		v.symbol(r, a, b)
	case unicode.IsNumber(r):
		v.word(r, a, b)
	default:
		v.separator(a)
	}
}

func (v *view) separator(a int32) {
	if len(v.b) > 0 && !v.pending {
		v.pending = true
		v.pendAt = a
	}
	v.last = 0
	v.sym = false
}

// extend makes the last written rune cover the original text up to b, so
// that evidence spans include dropped marks and collapsed letters.
func (v *view) extend(b int32) {
	if v.last == 0 || v.pending {
		return
	}
	for i := v.lastStart; i < len(v.b); i++ {
		v.end[i] = b
	}
}

func (v *view) flush() {
	if v.pending {
		v.b = append(v.b, ' ')
		v.start = append(v.start, v.pendAt)
		v.end = append(v.end, v.pendAt)
		v.pending = false
	}
}

func (v *view) emit(r rune, a, b int32) {
	v.flush()
	v.lastStart = len(v.b)
	v.b = utf8.AppendRune(v.b, r)
	for len(v.start) < len(v.b) {
		v.start = append(v.start, a)
		v.end = append(v.end, b)
	}
	v.last = r
	v.sym = false
}

// word writes a letter or digit: "aa" is written "a", and a run of three
// or more of one letter is written once.
func (v *view) word(r rune, a, b int32) {
	if r == v.last && !v.pending && !unicode.IsDigit(r) {
		v.run++
		switch {
		case r == 'a' || v.run > 3:
			v.extend(b)
			return
		case v.run == 3:
			// Drop the second letter written; the first now covers all three.
			v.b = v.b[:v.lastStart]
			v.start = v.start[:v.lastStart]
			v.end = v.end[:v.lastStart]
			v.lastStart = v.runStart
			v.extend(b)
			return
		}
		first := v.lastStart
		v.emit(r, a, b)
		v.runStart = first
		v.run = 2
		return
	}
	if v.sym {
		v.separator(a)
	}
	v.emit(r, a, b)
	v.run = 1
	v.runStart = v.lastStart
}

// symbol writes r as a token of its own.
func (v *view) symbol(r rune, a, b int32) {
	v.separator(a)
	v.emit(r, a, b)
	v.last = r
	v.sym = true
}

// dash writes "-" as a token when it touches a digit (ranges such as 10-18,
// 24-7) and a separator otherwise (no-limits, Man-fre).
func (v *view) dash(s string, a, b int32) {
	digitBefore := false
	if n := len(v.b); n > 0 {
		c := v.b[n-1]
		digitBefore = '0' <= c && c <= '9'
	}
	digitAfter := false
	for i := int(b); i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' {
			continue
		}
		digitAfter = '0' <= c && c <= '9'
		break
	}
	if digitBefore || digitAfter {
		v.symbol('-', a, b)
		return
	}
	v.separator(a)
}

// span maps the view range [i, j) back to the original text. It reports
// false for an empty or out-of-range span.
func (v *view) span(i, j int) (int, int, bool) {
	for i < j && v.b[i] == ' ' {
		i++
	}
	for j > i && v.b[j-1] == ' ' {
		j--
	}
	if i >= j || j > len(v.b) {
		return 0, 0, false
	}
	return int(v.start[i]), int(v.end[j-1]), true
}

// normalizeString returns the view of s as a string: the form phrases and
// word lists are compiled to.
func normalizeString(s string) string {
	var v view
	v.build(s)
	return string(v.b)
}

// latinFold maps Latin letters with diacritics (already lower-cased) to
// their ASCII base letters.
var latinFold = buildLatinFold()

func buildLatinFold() map[rune]string {
	m := map[rune]string{
		'ø': "o", 'æ': "ae", 'œ': "oe", 'ß': "ss", 'đ': "d", 'ł': "l", 'ħ': "h",
		'ı': "i", 'þ': "th", 'ð': "d", 'ŧ': "t", 'ŋ': "n", 'ĸ': "k", 'ſ': "s",
		'ƒ': "f", 'ǿ': "o", 'ǽ': "ae",
	}
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			if _, ok := m[r]; ok || !unicode.IsLower(r) {
				continue
			}
			d := norm.NFD.String(string(r))
			base, _ := utf8.DecodeRuneInString(d)
			if base < utf8.RuneSelf && 'a' <= base && base <= 'z' {
				m[r] = string(base)
			}
		}
	}
	add(0xC0, 0x24F)
	add(0x1E00, 0x1EFF)
	return m
}

func foldLatin(r rune) (string, bool) {
	if r < 0xC0 || (r > 0x24F && (r < 0x1E00 || r > 0x1EFF)) {
		return "", false
	}
	f, ok := latinFold[r]
	return f, ok
}
