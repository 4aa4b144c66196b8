package phone

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// class is what one character does to the scan.
type class uint8

const (
	clBreak  class = iota // ends the current run
	clDigit               // 0-9 after NFKC, keycaps included
	clLetter              // a letter or combining mark: part of a word
	clJunk                // '_': makes its chunk an identifier, never a number
	clSpace               // a gap character
	clSep                 // punctuation allowed between the parts of a number
	clComma               // allowed between number words, not between digit groups
	clEmoji               // symbols and emoji, allowed between parts but obscuring
	clPlus                // international prefix
)

// Gap bits record which separators stood between two atoms. They decide
// whether a number is obscured (emoji), whether its separators are uniform
// (a tie-break) and whether it has the shape of a date or time.
const (
	gSpace uint16 = 1 << iota
	gDot
	gDash
	gSlash
	gComma
	gEmoji
	gParen
	gMid // · • and other middle dots
	gOther
)

// char is one classified character.
type char struct {
	cl   class
	b    byte // ASCII value after NFKC (digit, letter as written, separator); 0 if none
	fold byte // for letters: the ASCII letter it folds to, 0 if none ("ș" → 's', "ø" → 0)
	gap  uint16
	size int // bytes consumed, keycap trailer included
	// keycap marks a digit written as a keycap emoji; foreign a digit or
	// letter that was ASCII only after NFKC (full-width, mathematical).
	keycap, foreign bool
	mark            bool // a combining mark: part of the word, ignored when spelling it
}

// classify reads the character at s[i]. Only non-ASCII characters pay for
// the NFKC lookup, and they pay per rune, so offsets stay in the original
// text instead of a normalised copy.
func classify(s string, i int) char {
	c := s[i]
	if c < utf8.RuneSelf {
		return classifyASCII(s, i, c, 1, false)
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	switch {
	case r == 0xFE0F || r == 0xFE0E || r == 0x200D || r == 0x20E3 || r == 0x200B ||
		r >= 0x1F3FB && r <= 0x1F3FF || r >= 0xE0020 && r <= 0xE007F:
		// Emoji presentation, joiners, skin tones and flag tags belong to
		// the emoji around them.
		return char{cl: clEmoji, gap: gEmoji, size: size}
	case r == 0x2028 || r == 0x2029 || r == 0x85 || r == utf8.RuneError:
		return char{cl: clBreak, size: size}
	}
	if d := norm.NFKC.PropertiesString(s[i:]).Decomposition(); len(d) > 0 && d[0] < utf8.RuneSelf {
		if len(d) == 1 {
			// Full-width and mathematical digits, NBSP, full-width '+'.
			return classifyASCII(s, i, d[0], size, true)
		}
		if unicode.IsLetter(r) {
			// Accented letters: spell "două" as "doua" and "én" as "en".
			return char{cl: clLetter, fold: lowerASCII(d[0]), size: size}
		}
	}
	switch {
	case unicode.IsLetter(r):
		return char{cl: clLetter, size: size}
	case unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me):
		return char{cl: clLetter, mark: true, size: size}
	case unicode.IsNumber(r):
		// A digit in another script or a fraction: not readable as a phone
		// digit, and it must not let its neighbours look like one.
		return char{cl: clJunk, size: size}
	case unicode.Is(unicode.Zs, r) || r == '\t':
		return char{cl: clSpace, gap: gSpace, size: size}
	case unicode.Is(unicode.Pd, r):
		return char{cl: clSep, gap: gDash, size: size}
	case r == '·' || r == '•' || r == '∙' || r == '‧' || r == '・' || r == '⋅':
		return char{cl: clSep, gap: gMid, size: size}
	case unicode.In(r, unicode.Ps, unicode.Pe):
		return char{cl: clSep, gap: gParen, size: size}
	case unicode.Is(unicode.So, r) || r >= 0x2190 && r <= 0x21FF || r >= 0x2B00 && r <= 0x2BFF:
		return char{cl: clEmoji, gap: gEmoji, size: size}
	}
	return char{cl: clBreak, size: size}
}

// asciiClass and asciiGap classify ASCII bytes by table: the scan spends
// most of its time on ASCII letters, and a table beats a switch there.
var asciiClass, asciiGap = asciiTables()

func asciiTables() (cl [utf8.RuneSelf]class, gap [utf8.RuneSelf]uint16) {
	// Everything not listed ends a run: newlines, ':' (times), '|', '=',
	// '%', '@', '#', currency and the rest. Phone numbers are not written
	// across them.
	for c := '0'; c <= '9'; c++ {
		cl[c] = clDigit
	}
	for c := 'a'; c <= 'z'; c++ {
		cl[c], cl[c-'a'+'A'] = clLetter, clLetter
	}
	set := func(chars string, c class, g uint16) {
		for _, b := range []byte(chars) {
			cl[b], gap[b] = c, g
		}
	}
	set(" \t\v\f", clSpace, gSpace)
	set(".", clSep, gDot)
	set("-", clSep, gDash)
	set("/", clSep, gSlash)
	set("()[]", clSep, gParen)
	set("*~", clSep, gOther)
	set(",", clComma, gComma)
	set("+", clPlus, 0)
	set("_", clJunk, 0)
	return cl, gap
}

func classifyASCII(s string, i int, c byte, size int, foreign bool) char {
	ch := char{cl: asciiClass[c], b: c, gap: asciiGap[c], size: size, foreign: foreign}
	switch ch.cl {
	case clDigit:
		// A keycap is the digit, an optional VS16 and U+20E3.
		rest := s[i+size:]
		if strings.HasPrefix(rest, "\u20e3") {
			ch.size += len("\u20e3")
			ch.keycap = true
		} else if strings.HasPrefix(rest, "\ufe0f\u20e3") {
			ch.size += len("\ufe0f\u20e3")
			ch.keycap = true
		}
	case clLetter:
		ch.fold = c | 0x20
	}
	return ch
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	if c >= 'a' && c <= 'z' {
		return c
	}
	return 0
}

// substDigit reads the letters that stand in for digits: O and o for 0,
// l and I for 1. Lower-case i and upper-case L are not used that way.
func substDigit(c byte) byte {
	switch c {
	case 'O', 'o':
		return '0'
	case 'l', 'I':
		return '1'
	}
	return 0
}

// atom kinds.
type kind uint8

const (
	kindDigits kind = iota // a digit group, keycaps and letter substitutes included
	kindWord               // a number word
	kindSoft               // a lone O, o, l or I: a digit only between other digits
)

// atom is one digit-bearing piece of a run.
type atom struct {
	start, end int    // byte offsets in the original text
	d0, dn     int    // its digits in scanner.digits
	gap        uint16 // separators between the previous atom and this one
	kind       kind
	lang       uint8
	obscured   bool // keycap, word, substitute letter or NFKC digit
	weak       bool // an everyday word or a lone letter
	intl       bool // written after '+'
	excluded   bool // part of a CVR or other identifier
	tens       bool // English tens word that may still take a unit
}

func (a *atom) strong() bool { return a.kind != kindSoft && !a.weak }

const (
	maxAtoms   = 48 // a run longer than this is flushed and restarted
	maxGroup   = 15 // E.164 allows 15 digits; a longer group is not a phone number
	maxGap     = 8  // runes of separators between two parts of one number
	minDigits  = 6  // shortest run worth looking at
	maxE164    = 15
	maxWindows = 64
)

// scanner holds one Extract call. It lives on the stack: the fixed arrays
// keep a scan of an ad without numbers free of allocations.
type scanner struct {
	text   string
	region string
	dk     bool // fast path: national numbers are exactly 8 digits
	field  bool // the text is a phone field, so every candidate is introduced as a phone number
	minNat int
	maxNat int

	atoms     [maxAtoms]atom
	n         int
	digits    [maxAtoms * maxGroup]byte
	nd        int
	runLang   uint8
	runDigits int
	// excludeLeft counts digits still to be excluded after an identifier
	// label such as "CVR".
	excludeLeft int

	gapRunes int
	gapBits  uint16
	plusAt   int // offset of a '+' waiting for its digits, or -1

	memo     [memoSize]memoEntry
	memoNext int
	budget   int // validations left for this call

	out []Match
}

func (sc *scanner) init(text, region string) {
	sc.text = text
	sc.region = strings.ToUpper(region)
	sc.plusAt = -1
	sc.budget = maxValidations
	switch {
	case sc.region == "DK":
		sc.dk, sc.minNat, sc.maxNat = true, 8, 8
	case regionKnown(sc.region):
		sc.minNat, sc.maxNat = 5, 13
	}
}

func (sc *scanner) scan() {
	s := sc.text
	for i := 0; i < len(s); {
		cl, gap, size := clBreak, uint16(0), 1
		if c := s[i]; c < utf8.RuneSelf {
			cl, gap = asciiClass[c], asciiGap[c]
		} else {
			ch := classify(s, i)
			cl, gap, size = ch.cl, ch.gap, ch.size
		}
		switch cl {
		case clDigit, clLetter, clJunk:
			i = sc.chunk(i)
			continue
		case clSpace, clSep, clComma, clEmoji:
			sc.gapRunes++
			sc.gapBits |= gap
		case clPlus:
			// A '+' always begins a new number.
			sc.flush()
			sc.plusAt = i
		default:
			sc.flush()
		}
		i += size
	}
	sc.flush()
}

// chunk reads a maximal run of letters and digits starting at i and turns
// it into an atom or a break. It returns the offset after the chunk.
func (sc *scanner) chunk(i int) int {
	s := sc.text
	start := i
	var dig [maxGroup]byte
	var word [maxWordLen]byte
	nd, nw := 0, 0
	nDigit, nLetter, nSubst := 0, 0, 0
	wordOK := true
	keycap, foreign, junk := false, false, false
chars:
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf && (i+1 == len(s) || s[i+1] < utf8.RuneSelf) {
			// Fast path: an ASCII character not followed by a keycap
			// trailer or anything else non-ASCII.
			switch asciiClass[c] {
			case clLetter:
				nLetter++
				if d := substDigit(c); d != 0 {
					nSubst++
					if nd < len(dig) {
						dig[nd] = d
						nd++
					}
				}
				if nw < len(word) {
					word[nw] = c | 0x20
					nw++
				} else {
					wordOK = false
				}
			case clDigit:
				nDigit++
				if nd < len(dig) {
					dig[nd] = c
					nd++
				}
			case clJunk:
				junk = true
			default:
				break chars
			}
			i++
			continue
		}
		ch := classify(s, i)
		switch ch.cl {
		case clDigit:
			nDigit++
			if nd < len(dig) {
				dig[nd] = ch.b
				nd++
			}
			keycap = keycap || ch.keycap
			foreign = foreign || ch.foreign
		case clLetter:
			if ch.mark {
				break // combining marks do not change the word
			}
			nLetter++
			if d := substDigit(ch.b); d != 0 {
				nSubst++
				if nd < len(dig) {
					dig[nd] = d
					nd++
				}
			}
			if ch.fold == 0 || nw == len(word) {
				wordOK = false
			} else {
				word[nw] = ch.fold
				nw++
			}
		case clJunk:
			junk = true
		default:
			break chars
		}
		i += ch.size
	}
	end := i
	plusAt := sc.plusAt
	sc.plusAt = -1
	// Handles, hashtags and e-mail addresses are identifiers even when
	// they are all digits.
	if junk || start > 0 && (s[start-1] == '@' || s[start-1] == '#') || end < len(s) && s[end] == '@' {
		sc.flush()
		return end
	}
	switch {
	case nDigit > 0 && nLetter == nSubst:
		if nDigit+nSubst > maxGroup {
			sc.flush()
			return end
		}
		a := atom{start: start, end: end, kind: kindDigits, obscured: nSubst > 0 || keycap || foreign}
		if plusAt >= 0 && sc.gapRunes <= 1 && sc.gapBits&^gSpace == 0 {
			a.intl = true
			a.start = plusAt
		}
		sc.push(a, dig[:nd])
		return end
	case nDigit == 0 && nLetter == 1 && nSubst == 1:
		sc.push(atom{start: start, end: end, kind: kindSoft, obscured: true, weak: true}, dig[:nd])
		return end
	case nDigit == 0 && wordOK && mayBeListed(word[:nw]):
		if w, ok := numberWords[string(word[:nw])]; ok {
			sc.push(atom{
				start: start, end: end, kind: kindWord, lang: w.lang,
				obscured: true, weak: w.weak, tens: w.tens,
			}, []byte(w.digits))
			return end
		}
	default:
		// An ordinary word, or letters glued to digits ("24h", "3F",
		// "Ring28..."): not part of a number.
		sc.flush()
		return end
	}
	if nDigit == 0 && wordOK && nw > 0 && sc.n > 0 && sc.gapRunes <= 1 && mayBeListed(word[:nw]) && unitWords[string(word[:nw])] {
		// "21 23 24 26 år", "28 63 90 14 20 kr": the group before a unit
		// is a quantity, whatever precedes it.
		if last := &sc.atoms[sc.n-1]; last.kind == kindDigits {
			last.excluded = true
		}
	}
	sc.flush()
	return end
}

// push appends an atom to the current run, first ending the run when the
// gap before it or its language says it cannot belong to the same number.
func (sc *scanner) push(a atom, d []byte) {
	if sc.n > 0 {
		prev := &sc.atoms[sc.n-1]
		if a.kind == kindWord && prev.tens && a.lang&langEN != 0 && len(d) == 1 && d[0] != '0' &&
			sc.gapRunes == 1 && (sc.gapBits == gDash || sc.gapBits == gSpace) {
			// "twenty-three": the unit replaces the tens word's zero.
			sc.digits[prev.d0+1] = d[0]
			prev.end = a.end
			prev.tens = false
			sc.resetGap()
			return
		}
		// A run of words keeps one language, except where a strong word
		// follows a strong word ("tre en fire syv two zero nine five"):
		// a weak one is an everyday word ("call me to two zero...").
		langSwitch := a.lang != 0 && sc.runLang != 0 && sc.runLang&a.lang == 0
		if langSwitch && a.kind == kindWord && prev.kind == kindWord && a.strong() && prev.strong() {
			langSwitch = false
			sc.runLang = 0 // the run goes on in the new language
		}
		split := sc.gapRunes > maxGap || a.intl ||
			sc.gapBits&gComma != 0 && prev.kind == kindDigits && a.kind == kindDigits ||
			langSwitch ||
			sc.n == maxAtoms
		if split {
			sc.flush()
		}
	}
	if sc.n == 0 {
		a.gap = 0
		if a.kind == kindDigits && idLabelBefore(sc.text, a.start) {
			sc.excludeLeft = 8
		}
	} else {
		a.gap = sc.gapBits
	}
	if sc.excludeLeft > 0 {
		a.excluded = true
		sc.excludeLeft -= len(d)
	}
	if a.lang != 0 {
		if sc.runLang == 0 {
			sc.runLang = a.lang
		} else {
			sc.runLang &= a.lang
		}
	}
	a.d0 = sc.nd
	a.dn = copy(sc.digits[sc.nd:], d)
	sc.nd += a.dn
	sc.runDigits += a.dn
	sc.atoms[sc.n] = a
	sc.n++
	sc.resetGap()
}

func (sc *scanner) resetGap() {
	sc.gapRunes = 0
	sc.gapBits = 0
}

// flush reads the numbers out of the current run and starts a new one.
func (sc *scanner) flush() {
	if sc.n > 0 && sc.runDigits >= minDigits {
		sc.process()
	}
	sc.n = 0
	sc.nd = 0
	sc.runLang = 0
	sc.runDigits = 0
	sc.excludeLeft = 0
	sc.plusAt = -1
	sc.resetGap()
}

// process drops atoms that cannot be digits where they stand, then reads
// each remaining stretch of the run.
func (sc *scanner) process() {
	at := sc.atoms[:sc.n]
	var bad [maxAtoms]bool
	for k := range at {
		switch at[k].kind {
		case kindWord:
			// A number word is a digit only next to another word or a
			// single digit: "to otte 6 3", not "to 28 63 90 14" or "en
			// gang".
			bad[k] = !(k > 0 && pairsWithWord(&at[k-1]) || k+1 < len(at) && pairsWithWord(&at[k+1]))
		case kindSoft:
			bad[k] = !(k > 0 && at[k-1].kind != kindSoft || k+1 < len(at) && at[k+1].kind != kindSoft)
		}
	}
	for k := 1; k < len(at); k++ {
		// "10-20 28 63 90 14": two short numbers joined by a dash that
		// their neighbours do not use are an hour range, not the start of
		// a number; "9 1 2 4 – 7 3 0 8" is digit spacing, not a range.
		if g := at[k].gap; g&gDash != 0 && g&^(gDash|gSpace) == 0 &&
			hourLike(sc, &at[k-1]) && hourLike(sc, &at[k]) &&
			(k == 1 || at[k-1].gap != g && at[k-2].dn > 1) &&
			(k+1 == len(at) || at[k+1].gap != g && at[k+1].dn > 1) {
			bad[k-1], bad[k] = true, true
		}
	}
	lo := 0
	for k := 0; k <= len(at); k++ {
		if k == len(at) || bad[k] {
			if k > lo {
				sc.windows(lo, k)
			}
			lo = k + 1
		}
	}
}

// hourLike reports a plainly written number from 0 to 24.
func hourLike(sc *scanner, a *atom) bool {
	if a.kind != kindDigits || a.obscured || a.dn > 2 {
		return false
	}
	v := 0
	for _, c := range sc.digits[a.d0 : a.d0+a.dn] {
		v = v*10 + int(c-'0')
	}
	return v <= 24
}

func pairsWithWord(b *atom) bool {
	return b.kind == kindWord || b.kind == kindDigits && b.dn == 1
}

// window is one candidate number: atoms i..j of the run.
type window struct {
	i, j     int
	e164     string
	score    int
	obscured bool
}

// windows finds the valid numbers among atoms [lo, hi). Every start atom is
// tried; the digits are concatenated atom by atom, so a number never starts
// or ends inside a written group. Overlapping readings are settled by score.
func (sc *scanner) windows(lo, hi int) {
	at := sc.atoms[:hi]
	var cands [maxWindows]window
	nc := 0
	var buf [maxE164 + 2]byte
	for i := lo; i < hi && nc < len(cands); i++ {
		a := &at[i]
		if a.kind == kindSoft || a.excluded {
			continue
		}
		intl, skip := a.intl, 0
		if !intl && sc.startsWith00(i, hi) {
			// 00 is the international prefix dialled from Denmark, in
			// digits or in words ("nul nul fire fem ...").
			intl, skip = true, 2
		}
		if intl {
			nb := 0
			var best pick
			for j := i; j < hi; j++ {
				b := &at[j]
				if b.excluded || j > i && b.intl {
					break
				}
				dj := sc.digits[b.d0 : b.d0+b.dn]
				if skip > 0 {
					n := min(skip, len(dj))
					dj, skip = dj[n:], skip-n
				}
				if nb+len(dj) > maxE164 {
					break
				}
				nb += copy(buf[nb:], dj)
				if b.kind == kindSoft || nb < 7 {
					continue
				}
				e, q := sc.validate(buf[:nb], true)
				best.offer(j, e, q)
			}
			if w, ok := sc.accept(i, &best, true); ok {
				cands[nc] = w
				nc++
			}
			continue
		}
		if sc.maxNat == 0 {
			continue
		}
		nb := 0
		var best pick
		for j := i; j < hi; j++ {
			b := &at[j]
			if b.excluded || b.intl {
				break
			}
			dj := sc.digits[b.d0 : b.d0+b.dn]
			if nb+len(dj) > sc.maxNat {
				break
			}
			nb += copy(buf[nb:], dj)
			if b.kind == kindSoft || nb < sc.minNat || looksLikeDateOrTime(sc, i, j) || oddGrouping(sc, i, j) {
				continue
			}
			e, q := sc.validate(buf[:nb], false)
			best.offer(j, e, q)
		}
		if w, ok := sc.accept(i, &best, false); ok {
			cands[nc] = w
			nc++
		}
	}
	if nc == 0 {
		return
	}
	sc.choose(cands[:nc])
}

// pick remembers the longest valid and the longest merely possible
// reading from one start atom.
type pick struct {
	validJ, possibleJ int // 1 + atom index, 0 for none
	valid, possible   string
}

func (p *pick) offer(j int, e164 string, q quality) {
	switch q {
	case qValid:
		p.validJ, p.valid = j+1, e164
	case qPossible:
		p.possibleJ, p.possible = j+1, e164
	}
}

// accept turns the best reading from atom i into a window. A valid number
// is always taken; a merely possible one only when the text introduces it
// as a phone number.
func (sc *scanner) accept(i int, p *pick, intl bool) (window, bool) {
	if p.validJ > 0 {
		w := sc.window(i, p.validJ-1, p.valid, intl)
		w.score += 2
		return w, true
	}
	if p.possibleJ > 0 && (sc.field || cueBefore(sc.text, sc.atoms[i].start)) {
		return sc.window(i, p.possibleJ-1, p.possible, intl), true
	}
	return window{}, false
}

// startsWith00 reports whether the digits of atoms i.. begin with the
// international prefix 00.
func (sc *scanner) startsWith00(i, hi int) bool {
	zeros := 0
	for k := i; k < hi && zeros < 2; k++ {
		a := &sc.atoms[k]
		if a.kind == kindSoft && k == i {
			return false
		}
		for _, c := range sc.digits[a.d0 : a.d0+a.dn] {
			if c != '0' {
				return false
			}
			if zeros++; zeros == 2 {
				return true
			}
		}
	}
	return false
}

// window scores atoms i..j. Readings that use more real digits win; among
// those, one with uniform separators wins ("28 63 90 14" over "20 - 28 63
// 90" in "kl. 10-20 28 63 90 14"), and a number written with + or 00 beats
// a national reading of its tail.
func (sc *scanner) window(i, j int, e164 string, intl bool) window {
	at := sc.atoms[:]
	strong, weak, singles := 0, 0, 0
	obscured, uniform := false, true
	var g0 uint16
	for k := i; k <= j; k++ {
		a := &at[k]
		if a.strong() {
			strong++
		} else {
			weak++
		}
		obscured = obscured || a.obscured
		if a.kind == kindDigits && a.dn == 1 {
			singles++
		}
		if k > i {
			if a.gap&gEmoji != 0 {
				obscured = true
			}
			if k == i+1 {
				g0 = a.gap
			} else if a.gap != g0 {
				uniform = false
			}
		}
	}
	// Three or more single digits is digit-by-digit spacing, which people
	// do to defeat scrapers; "+371 2 618 4402" has just one.
	if singles >= 3 {
		obscured = true
	}
	score := strong*10 - weak
	if uniform {
		score += 5
	}
	if intl {
		score += 1000
	}
	return window{i: i, j: j, e164: e164, score: score, obscured: obscured}
}

// choose keeps the best non-overlapping windows and emits them in text
// order.
func (sc *scanner) choose(cands []window) {
	// Insertion sort: there are rarely more than a few candidates.
	for k := 1; k < len(cands); k++ {
		for m := k; m > 0 && better(&cands[m], &cands[m-1]); m-- {
			cands[m], cands[m-1] = cands[m-1], cands[m]
		}
	}
	var picked [maxWindows]window
	np := 0
	for _, c := range cands {
		overlap := false
		for _, p := range picked[:np] {
			if c.i <= p.j && p.i <= c.j {
				overlap = true
				break
			}
		}
		if !overlap {
			picked[np] = c
			np++
		}
	}
	for k := 1; k < np; k++ {
		for m := k; m > 0 && picked[m].i < picked[m-1].i; m-- {
			picked[m], picked[m-1] = picked[m-1], picked[m]
		}
	}
	for _, p := range picked[:np] {
		sc.out = append(sc.out, Match{
			E164:     p.e164,
			Start:    sc.atoms[p.i].start,
			End:      sc.atoms[p.j].end,
			Obscured: p.obscured,
		})
	}
}

func better(a, b *window) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.i < b.i
}

// oddGrouping rejects plainly written digit groups that mix single digits
// with longer groups ("400.2.000.2" from a price list): people write a
// number either in groups or digit by digit, not both. Numbers after + are
// exempt, since country codes split groups oddly ("+371 2 618 4402").
func oddGrouping(sc *scanner, i, j int) bool {
	singles, groups := 0, 0
	for k := i; k <= j; k++ {
		a := &sc.atoms[k]
		if a.kind != kindDigits || a.obscured {
			return false
		}
		if a.dn == 1 {
			singles++
		} else {
			groups++
		}
	}
	return singles > 0 && groups > 0
}

// looksLikeDateOrTime rejects plainly written digit groups that are
// shaped like a date (01.09.2026, 2026-09-01), a time range (20.00-22.00,
// 2000-2200) or a year range (2019-2026): each has eight digits and many
// are valid Danish numbers.
func looksLikeDateOrTime(sc *scanner, i, j int) bool {
	at := sc.atoms[:]
	var v [4]int
	var l [4]int
	n := j - i + 1
	if n < 2 || n > 4 {
		return false
	}
	for k := 0; k < n; k++ {
		a := &at[i+k]
		if a.kind != kindDigits || a.obscured {
			return false
		}
		l[k] = a.dn
		for _, c := range sc.digits[a.d0 : a.d0+a.dn] {
			v[k] = v[k]*10 + int(c-'0')
		}
	}
	dateSep := func(g uint16) bool {
		return g&(gDot|gSlash|gDash) != 0 && g&^(gDot|gSlash|gDash|gSpace) == 0
	}
	year := func(y int) bool { return y >= 1900 && y <= 2099 }
	dm := func(d, m int) bool { return d >= 1 && d <= 31 && m >= 1 && m <= 12 }
	switch n {
	case 2:
		// Years (2019-2026) and round 24-hour times (2000-2200).
		hhmm := func(t int) bool { return t/100 <= 24 && t%100%15 == 0 && t%100 < 60 }
		return l[0] == 4 && l[1] == 4 && at[i+1].gap&(gDash|gSlash) != 0 &&
			(year(v[0]) && year(v[1]) || hhmm(v[0]) && hhmm(v[1]))
	case 3:
		if !dateSep(at[i+1].gap) || !dateSep(at[i+2].gap) {
			return false
		}
		if l[0] <= 2 && l[1] <= 2 && l[2] == 4 {
			return year(v[2]) && (dm(v[0], v[1]) || dm(v[1], v[0]))
		}
		if l[0] == 4 && l[1] <= 2 && l[2] <= 2 {
			return year(v[0]) && dm(v[2], v[1])
		}
	case 4:
		hm := func(h, m int) bool { return h <= 24 && m <= 59 }
		return l[0] == 2 && l[1] == 2 && l[2] == 2 && l[3] == 2 &&
			at[i+1].gap == gDot && at[i+3].gap == gDot && at[i+2].gap&gDash != 0 &&
			hm(v[0], v[1]) && hm(v[2], v[3])
	}
	return false
}

// idLabelBefore reports whether the text just before pos labels what
// follows as an identifier: "CVR 35806129", "CVR-nr.: ...", "(org.nr
// ...". It looks back over separators and at most two words.
func idLabelBefore(s string, pos int) bool {
	lo := max(0, pos-32)
	j := skipBackSep(s, lo, pos)
	w1, j := asciiWordBefore(s, lo, j)
	if w1 == "" {
		return false
	}
	var buf [16]byte
	if idLabels[string(buf[:lowerInto(buf[:], w1)])] {
		return true
	}
	if !idNumberWords[string(buf[:lowerInto(buf[:], w1)])] {
		return false
	}
	j = skipBackSep(s, lo, j)
	w2, _ := asciiWordBefore(s, lo, j)
	return w2 != "" && idPrefixes[string(buf[:lowerInto(buf[:], w2)])]
}

func skipBackSep(s string, lo, j int) int {
	for j > lo {
		switch s[j-1] {
		case ' ', '\t', ':', '.', '-', '#', '(', '/':
			j--
			continue
		}
		break
	}
	return j
}

// asciiWordBefore returns the ASCII-letter word ending at j, or "" when
// the word is longer than any label or continues in a non-ASCII letter.
func asciiWordBefore(s string, lo, j int) (string, int) {
	k := j
	for k > lo && (s[k-1]|0x20 >= 'a' && s[k-1]|0x20 <= 'z') {
		k--
	}
	if k == j || j-k > 12 || k > 0 && s[k-1] >= utf8.RuneSelf {
		return "", k
	}
	return s[k:j], k
}

// lowerInto writes w in lower case into buf and returns its length; the
// caller indexes maps with string(buf[:n]), which does not allocate.
func lowerInto(buf []byte, w string) int {
	n := copy(buf, w)
	for k := range n {
		buf[k] |= 0x20
	}
	return n
}

// cueLookback is how far before a number a cue word may stand: far enough
// for "SMS with your name first: ...", short enough to stay in one
// sentence.
const cueLookback = 48

// cueBefore reports whether the same line, shortly before pos, introduces a
// phone number ("Ring", "tlf.", "Call", "WhatsApp", "Sună", "📞").
func cueBefore(s string, pos int) bool {
	lo := max(0, pos-cueLookback)
	if k := strings.LastIndexByte(s[lo:pos], '\n'); k >= 0 {
		lo += k + 1
	}
	for lo < pos && !utf8.RuneStart(s[lo]) {
		lo++
	}
	var w [16]byte
	n, ok := 0, true
	for i := lo; i <= pos; {
		if i < pos {
			ch := classify(s, i)
			if ch.cl == clLetter {
				if !ch.mark {
					if ch.fold != 0 && n < len(w) {
						w[n] = ch.fold
						n++
					} else {
						ok = false
					}
				}
				i += ch.size
				continue
			}
			if n > 0 && ok && cueWords[string(w[:n])] {
				return true
			}
			n, ok = 0, true
			r, _ := utf8.DecodeRuneInString(s[i:])
			if cueSymbols[r] {
				return true
			}
			i += ch.size
			continue
		}
		return n > 0 && ok && cueWords[string(w[:n])]
	}
	return false
}
