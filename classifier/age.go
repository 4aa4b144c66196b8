package classifier

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// statedAge is an age stated in free text, at s[start:end].
type statedAge struct {
	age        int
	start, end int
	// person: the age stands next to a person — the ad's name ("Mia, 15,"),
	// a word for a person ("pige 17"), "I am"/"jeg er" or a name in
	// parentheses ("Emma (16)") — not merely after a capitalised word,
	// which may be a street ("Vesterbrogade 15, 1620").
	person bool
}

// Words that follow a number to make it an age ("22 år", "23 lata",
// "22 de ani", "21 г.", "20 años"), lower-case.
var ageUnits = []string{
	"år", "aar", "års gammel", "years old", "year old", "years", "year", "yrs", "yr",
	"y.o.", "y.o", "yo", "y/o", "jahre", "jahren", "lata", "lat", "de ani", "ani",
	"años", "anos", "anni", "ans", "г.", "г", "години", "godini", "pi", "ปี", "tuổi",
	"årig", "aarig", "-årig", "-aarig", "-year-old",
}

// Words before a number that make it a duration or a bound, not an age:
// "i 20 år", "for 15 years", "over 19", "siden 2019".
var ageBlockers = map[string]bool{
	"i": true, "in": true, "for": true, "siden": true, "since": true,
	"over": true, "under": true, "om": true, "efter": true, "after": true, "within": true,
	"inden": true, "til": true, "to": true, "than": true, "end": true, "from": true, "fra": true,
	"mindst": true, "minimum": true, "min": true, "max": true, "op": true, "up": true, "ca": true,
	"about": true, "næsten": true, "almost": true, "past": true, "last": true, "seneste": true,
	"sidste": true, "hver": true, "every": true,
	"mellem": true, "between": true, "and": true, "og": true, "eller": true, "or": true,
	"kl": true, "klokken": true, "at": true, "nr": true, "no": true, "på": true,
}

// Words for a person just before the age: "pige 19", "girl, 22", "kvinde på 34".
var ageNouns = map[string]bool{
	"pige": true, "piger": true, "girl": true, "kvinde": true, "woman": true, "dame": true,
	"lady": true, "mand": true, "man": true, "fyr": true, "guy": true, "massøse": true,
	"masseuse": true, "escort": true, "studine": true, "studerende": true, "student": true,
	"skønhed": true, "beauty": true, "blondine": true, "blonde": true, "brunette": true,
	"latina": true, "babe": true, "chica": true, "fată": true, "fata": true, "dziewczyna": true,
	"transkvinde": true, "companion": true, "model": true,
}

// Words that make the following number an age: "jeg er 23", "I'm 20",
// "only 19!".
var ageLeads = map[string]bool{
	"i'm": true, "im": true, "i’m": true, "am": true, "er": true, "is": true, "she's": true,
	"only": true, "just": true, "kun": true, "bare": true, "barely": true, "jestem": true,
	"sunt": true, "soy": true, "tengo": true, "mam": true, "alder": true, "age": true, "aged": true,
}

// textAges finds the ages stated in s. name is the ad's name field, if
// known ("Bella 22" states Bella's age).
func textAges(s, name string, out []statedAge) []statedAge {
	if len(s) > maxView {
		s = s[:maxView]
	}
	for i := 0; i < len(s) && len(out) < 4*maxEvidence; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		start := i
		i = j
		if j-start != 2 || (start > 0 && isWordByte(s, start, true)) {
			continue
		}
		n := int(s[start]-'0')*10 + int(s[start+1]-'0')
		if n < 10 {
			continue
		}
		if ok, person := isAge(s, start, j, name); ok {
			out = append(out, statedAge{age: n, start: start, end: j, person: person})
		}
	}
	return out
}

// isWordByte reports whether the rune just before (before=true) or at i is
// a letter or digit.
func isWordByte(s string, i int, before bool) bool {
	var r rune
	if before {
		r, _ = utf8.DecodeLastRuneInString(s[:i])
	} else {
		if i >= len(s) {
			return false
		}
		r, _ = utf8.DecodeRuneInString(s[i:])
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// ageWindow bounds how far around a number isAge looks, so that a text
// full of numbers costs linear time.
const ageWindow = 48

// isAge reports whether the number s[start:end] is an age, and whether it
// stands next to a person (see statedAge).
func isAge(s string, start, end int, name string) (ok, person bool) {
	after := s[end:min(len(s), end+ageWindow)]
	lo := max(0, start-ageWindow)
	for lo > 0 && !utf8.RuneStart(s[lo]) {
		lo++
	}
	before := strings.TrimRight(s[lo:start], " \t")
	// What comes right after: reject ranges, decimals, times, phone groups.
	if after != "" {
		r, _ := utf8.DecodeRuneInString(after)
		if unicode.IsLetter(r) && !hasAgeUnit(after) {
			return false, false
		}
	}
	rest := strings.TrimLeft(after, " \t")
	if rest != "" {
		switch rest[0] {
		case '+', '/', ':', '%', '*', '=':
			return false, false
		case '-':
			if !hasAgeUnit(rest) {
				return false, false
			}
		case '.', ',':
			if len(rest) > 1 && rest[1] != ' ' && rest[1] != '\n' && rest[1] != '\r' {
				return false, false // "1.500", "14.30", "18.-20."
			}
			if rest[0] == '.' && len(rest) > 2 && rest[1] == ' ' {
				if r, _ := utf8.DecodeRuneInString(rest[2:]); unicode.IsLower(r) {
					return false, false // a Danish ordinal: "13. gang", "2. sal"
				}
			}
		}
		if r, _ := utf8.DecodeRuneInString(rest); r == '–' || r == '—' {
			r2, _ := utf8.DecodeRuneInString(rest[utf8.RuneLen(r):])
			if r2 != ' ' {
				return false, false // "19–25"
			}
		}
		if rest[0] >= '0' && rest[0] <= '9' && len(after) > 0 && (after[0] == ' ' || after[0] == '\t') {
			return false, false // phone groups: "28 64 19 73"
		}
	}
	// What comes before.
	if before != "" {
		r, _ := utf8.DecodeLastRuneInString(before)
		if unicode.IsDigit(r) || strings.ContainsRune("+-–—/:.x×#", r) {
			return false, false
		}
	}
	prev, prev2 := lastWords(before)
	lp := strings.ToLower(prev)
	if isStreet(lp) {
		return false, false // "Vesterbrogade 21, 2. sal": a house number
	}
	person = personBefore(before, prev, prev2, name)
	if n := ageUnitLen(rest); n > 0 {
		if w, _ := lastWords(" " + firstWord(rest[n:])); ageAfterBlockers[strings.ToLower(w)] {
			return false, false // "20 år siden", "20 years ago", "20 pi laew"
		}
		if lp == "på" || lp == "paa" {
			ok = ageNouns[strings.ToLower(prev2)] // "pige på 22 år", not "på 20 år"
			return ok, ok
		}
		return !ageBlockers[lp], person && !ageBlockers[lp]
	}
	switch {
	case strings.HasSuffix(before, "(") && strings.HasPrefix(rest, ")"):
		ok = true // "Emma (26)"
	case ageNouns[lp]:
		ok = !startsWithUnitWord(rest)
	case lp == "på" || lp == "paa":
		ok = ageNouns[strings.ToLower(prev2)] && !startsWithUnitWord(rest)
	case ageLeads[lp]:
		ok = !startsWithUnitWord(rest) && endsClause(rest)
	case name != "" && strings.EqualFold(prev, name):
		ok = !startsWithUnitWord(rest)
	case strings.HasSuffix(before, ","):
		ok = endsClause(rest) // "Kristina, 22, Lithuanian"; "Lea, 26"
	case isCapitalised(prev) && !ageBlockers[lp]:
		ok = endsClause(rest) // "Sasha 27, Odense"; "Bella 22"
	}
	return ok, ok && person
}

// streetSuffixes end Danish street names, whose house numbers look like
// ages after a capitalised word ("Vesterbrogade 21", "Åboulevard 22").
var streetSuffixes = []string{
	"gade", "vej", "allé", "alle", "stræde", "strede", "torv", "plads", "vænge",
	"boulevard", "bakke", "park", "toft", "sti", "kaj", "havn", "brygge",
	"street", "road", "avenue", "straße", "strasse", "ulica",
}

// isStreet reports whether the lower-case word w names a street.
func isStreet(w string) bool {
	if w == "" || ageNouns[w] {
		return false
	}
	for _, s := range streetSuffixes {
		if strings.HasSuffix(w, s) {
			return true
		}
	}
	return false
}

// personLeads make the number after them the writer's or her age:
// "I'm 16", "jeg er 16", "she is 15", "soy 17".
var personLeads = map[string]bool{
	"i'm": true, "im": true, "i’m": true, "she's": true, "she’s": true,
	"jestem": true, "sunt": true, "soy": true, "tengo": true,
}

// personSubjects are the subjects that make "er"/"am"/"is" a person lead.
var personSubjects = map[string]bool{"jeg": true, "hun": true, "i": true, "she": true, "pigen": true, "the girl": true}

// personBefore reports whether what stands before a number (before, whose
// last words are prev and prev2) names a person: the ad's name, a word for
// a person, a person lead, or a capitalised word set off by a comma
// ("Mia, 15,"; a street comes without one: "Vesterbrogade 15, 1620"), or a
// name in parentheses.
func personBefore(before, prev, prev2, name string) bool {
	lp, lp2 := strings.ToLower(prev), strings.ToLower(prev2)
	switch {
	case name != "" && strings.EqualFold(prev, name):
		return true
	case ageNouns[lp] || personLeads[lp]:
		return true
	case (lp == "er" || lp == "am" || lp == "is") && personSubjects[lp2]:
		return true
	case (lp == "på" || lp == "paa") && ageNouns[lp2]:
		return true
	case strings.HasSuffix(before, ",") || strings.HasSuffix(before, "("):
		return isCapitalised(prev)
	}
	return false
}

// hasAgeUnit reports whether s starts with an age unit word.
func hasAgeUnit(s string) bool { return ageUnitLen(s) > 0 }

// ageUnitLen returns the length of the age unit word s starts with, or 0.
func ageUnitLen(s string) int {
	ls := strings.ToLower(s[:min(len(s), 24)])
	for _, u := range ageUnits {
		if strings.HasPrefix(ls, u) {
			rest := ls[len(u):]
			if rest == "" {
				return len(u)
			}
			r, _ := utf8.DecodeRuneInString(rest)
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return len(u)
			}
		}
	}
	return 0
}

// Words after an age unit that make the number a duration: "20 år
// siden", "20 years ago", "20 pi laew" (Thai: already).
var ageAfterBlockers = map[string]bool{
	"siden": true, "ago": true, "laew": true, "already": true, "erfaring": true,
	"experience": true, "tilbage": true, "back": true, "i": true, "in": true,
}

// firstWord returns s up to its second word, bounded.
func firstWord(s string) string {
	s = strings.TrimLeft(s[:min(len(s), 32)], " \t.,")
	if i := strings.IndexAny(s, " \t\n,.!?"); i >= 0 {
		return s[:i]
	}
	return s
}

// Units that make a number a price, a time or an amount.
var numberUnits = []string{
	"min", "kr", "dkk", "eur", "euro", "€", "$", "usd", "timer", "time", "hours", "hour",
	"h", "t", "dage", "days", "day", "uger", "weeks", "km", "m", "sal", "cm", "kg", "x",
	"personer", "people", "persons", "stk",
}

func startsWithUnitWord(s string) bool {
	ls := strings.ToLower(s[:min(len(s), 24)])
	for _, u := range numberUnits {
		if strings.HasPrefix(ls, u) {
			rest := ls[len(u):]
			if rest == "" {
				return true
			}
			r, _ := utf8.DecodeRuneInString(rest)
			if !unicode.IsLetter(r) {
				return true
			}
		}
	}
	return false
}

// endsClause reports whether s, the text after a number, ends the clause
// there: end of text or line, a comma, a closing bracket, a dash or "!".
func endsClause(s string) bool {
	if s == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '\n', '\r', ',', ')', '!', '–', '—', '-', '.', ';', '·', '|':
		return true
	}
	return r > 0x2000 && unicode.IsSymbol(r) // "Bella 22 ❤️"
}

// lastWords returns the last two words of s (letters, digits and
// apostrophes), without allocating.
func lastWords(s string) (string, string) {
	w1, rest := lastWord(s)
	w2, _ := lastWord(rest)
	return w1, w2
}

func lastWord(s string) (string, string) {
	isWord := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’'
	}
	end := len(s)
	for end > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:end])
		if isWord(r) {
			break
		}
		end -= size
	}
	start := end
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:start])
		if !isWord(r) {
			break
		}
		start -= size
	}
	return s[start:end], s[:start]
}

func isCapitalised(w string) bool {
	r, size := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	for _, c := range w[size:] {
		if unicode.IsUpper(c) {
			return false
		}
	}
	return true
}
