package classifier

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// E-mail addresses, web domains and stated languages: what an ad says
// about who is behind it and whom it speaks to.

// Emails returns the e-mail addresses in s, lower-cased, deduplicated, in
// order of appearance. It reads plain addresses (jobs.dk@gmail.com) and
// the common evasions "name (at) gmail (dot) com" and "name[at]gmail.com".
func Emails(s string) []string {
	var out []string
	for _, m := range findEmails(s) {
		e := m.local + "@" + m.domain
		if !contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

type emailMatch struct {
	local, domain string
	start, end    int
}

// maxEmails bounds the addresses read from one text.
const maxEmails = 32

func findEmails(s string) []emailMatch {
	if len(s) > maxView {
		s = s[:maxView]
	}
	var out []emailMatch
	for i := 0; i < len(s) && len(out) < maxEmails; i++ {
		// Jump to the next '@' or bracket: nothing else starts an at-sign.
		k := strings.IndexAny(s[i:], "@([{")
		if k < 0 {
			break
		}
		i += k
		at, atLen := atSign(s, i)
		if atLen == 0 {
			continue
		}
		// The local part ends where the at-sign (and any spaces around a
		// spelled-out one) begins.
		ls := at
		for ls > 0 && s[ls-1] == ' ' && atLen > 1 {
			ls--
		}
		le := ls
		for ls > 0 && isLocalByte(s[ls-1]) {
			ls--
		}
		for ls < le && (s[ls] == '.' || s[ls] == '-') {
			ls++
		}
		ds := at + atLen
		for ds < len(s) && s[ds] == ' ' && atLen > 1 {
			ds++
		}
		domain, de := scanDomain(s, ds)
		i = at + atLen - 1
		if ls == le || domain == "" {
			continue
		}
		out = append(out, emailMatch{
			local: strings.ToLower(s[ls:le]), domain: domain, start: ls, end: de,
		})
		i = de - 1
	}
	return out
}

// atSign reports an at-sign at s[i] ("@", "(at)", "[at]", " at " only
// between an address-like local part and domain) and its length.
func atSign(s string, i int) (int, int) {
	if s[i] == '@' {
		return i, 1
	}
	for _, w := range []string{"(at)", "[at]", "{at}", "(a)"} {
		if len(s)-i >= len(w) && strings.EqualFold(s[i:i+len(w)], w) {
			return i, len(w)
		}
	}
	return 0, 0
}

func isLocalByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-' || c == '+'
}

// scanDomain reads a domain at s[i] ("gmail.com", "gmail (dot) com",
// "hr-firma.example"), lower-cased, and its end; "" when there is none
// with a known top-level domain.
func scanDomain(s string, i int) (string, int) {
	// Labels as written, with where each ends.
	var labels [6]string
	var ends [6]int
	n := 0
	j := i
	for n < len(labels) {
		k := j
		for k < len(s) && (isAlnum(s[k]) || s[k] == '-' && k > j) {
			k++
		}
		if k == j {
			break
		}
		labels[n], ends[n] = s[j:k], k
		n++
		j = k
		// The dot, written or spelled out.
		if j+1 < len(s) && s[j] == '.' && isAlnum(s[j+1]) {
			j++
			continue
		}
		if m := spelledDot(s, j); m > 0 {
			j += m
			continue
		}
		break
	}
	for n >= 2 && !knownTLD[lowerASCII(labels[n-1])] {
		n--
	}
	if n < 2 {
		return "", i
	}
	var b strings.Builder
	for k := range n {
		if k > 0 {
			b.WriteByte('.')
		}
		b.WriteString(labels[k])
	}
	return strings.ToLower(b.String()), ends[n-1]
}

// lowerASCII lower-cases a short ASCII word without allocating when it
// is already lower-case, and through an interned table when it is a
// known top-level domain.
func lowerASCII(w string) string {
	for k := 0; k < len(w); k++ {
		if w[k] >= 'A' && w[k] <= 'Z' {
			var buf [16]byte
			if len(w) > len(buf) {
				return ""
			}
			for m := 0; m < len(w); m++ {
				c := w[m]
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				buf[m] = c
			}
			return tldIntern[string(buf[:len(w)])]
		}
	}
	return w
}

var tldIntern = func() map[string]string {
	m := map[string]string{}
	for k := range knownTLD {
		m[k] = k
	}
	return m
}()

func spelledDot(s string, j int) int {
	for _, w := range []string{" (dot) ", "(dot)", " [dot] ", "[dot]", " dot "} {
		if len(s)-j >= len(w) && strings.EqualFold(s[j:j+len(w)], w) {
			if j+len(w) < len(s) && isAlnum(s[j+len(w)]) {
				return len(w)
			}
		}
	}
	return 0
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// knownTLD are the top-level domains accepted in addresses and web sites
// ("example" because the development set's invented sites use it).
var knownTLD = map[string]bool{
	"dk": true, "com": true, "net": true, "org": true, "eu": true, "de": true, "se": true, "no": true,
	"pl": true, "ro": true, "bg": true, "es": true, "uk": true, "io": true, "info": true, "biz": true,
	"nu": true, "co": true, "fi": true, "nl": true, "lt": true, "lv": true, "ee": true, "ua": true,
	"ru": true, "it": true, "fr": true, "th": true, "ph": true, "me": true, "app": true, "jobs": true,
	"example": true,
}

// freeMail holds the e-mail providers anyone can sign up to: an address
// there names no employer. Keyed by the domain's first label.
var freeMail = map[string]bool{
	"gmail": true, "googlemail": true, "yahoo": true, "ymail": true, "hotmail": true, "outlook": true,
	"live": true, "msn": true, "icloud": true, "me": true, "mac": true, "aol": true, "protonmail": true,
	"proton": true, "pm": true, "gmx": true, "mail": true, "email": true, "yandex": true, "wp": true,
	"o2": true, "onet": true, "op": true, "interia": true, "tlen": true, "abv": true, "dir": true,
	"seznam": true, "libero": true, "inbox": true, "tutanota": true, "tuta": true, "zoho": true,
	"jubii": true, "ofir": true, "get2net": true, "posteo": true, "web": true, "rambler": true,
	"ukr": true, "i": true, "bk": true, "list": true,
}

// messengerDomains are chat and social sites: a link there names no
// employer either.
var messengerDomains = map[string]bool{
	"t": true, "telegram": true, "wa": true, "whatsapp": true, "instagram": true, "facebook": true,
	"fb": true, "tiktok": true, "snapchat": true, "onlyfans": true, "linktr": true, "viber": true,
	"signal": true, "x": true, "twitter": true,
}

// IsFreeMail reports whether an e-mail domain is a free provider anyone
// can sign up to (gmail.com, wp.pl, yahoo.ro, ...).
func IsFreeMail(domain string) bool {
	first, _, _ := strings.Cut(strings.ToLower(domain), ".")
	return freeMail[first]
}

// ownDomain reports whether title or text gives an e-mail address or a
// web site on a domain of its own (not a free-mail provider, chat or
// social site), and where: the employer named itself.
func ownDomain(texts ...string) (field int, start, end int, ok bool) {
	for f, s := range texts {
		for _, m := range findEmails(s) {
			if !IsFreeMail(m.domain) {
				return f, m.start, m.end, true
			}
		}
		if st, en, found := findWebsite(s); found {
			return f, st, en, true
		}
	}
	return 0, 0, 0, false
}

// findWebsite finds a web address on an own domain ("www.firma.dk",
// "hvidklint-facility.example/job", "https://firma.dk"), not one that is
// part of an e-mail address.
func findWebsite(s string) (int, int, bool) {
	if len(s) > maxView {
		s = s[:maxView]
	}
	for i := 0; i < len(s); {
		// Only a word that holds a dot between letters or digits can be a
		// domain; start at the beginning of each such word.
		dot := strings.IndexByte(s[i:], '.')
		if dot < 0 {
			break
		}
		dot += i
		if dot == 0 || dot+1 >= len(s) || !isAlnum(s[dot-1]) || !isAlnum(s[dot+1]) {
			i = dot + 1
			continue
		}
		start := dot
		for start > 0 && (isAlnum(s[start-1]) || s[start-1] == '-' || s[start-1] == '.') {
			start--
		}
		for start < dot && !isAlnum(s[start]) {
			start++
		}
		if start > 0 && (s[start-1] == '@' || isLocalByte(s[start-1])) {
			i = dot + 1
			continue
		}
		d, end := scanDomain(s, start)
		if d == "" || end < len(s) && s[end] == '@' {
			i = max(end, dot+1)
			continue
		}
		first, rest, _ := strings.Cut(d, ".")
		if first == "www" {
			first, _, _ = strings.Cut(rest, ".")
		}
		// "kl.10.30" or a number is no site: the name has a letter.
		if !strings.ContainsFunc(first, unicode.IsLetter) || messengerDomains[first] || freeMail[first] {
			i = max(end, dot+1)
			continue
		}
		return start, end, true
	}
	return 0, 0, false
}

// StatedLanguage is one language a person is said to speak.
type StatedLanguage struct {
	// Code is the ISO 639-1 code ("da"), or the name lower-cased when it
	// is not known.
	Code string
	// Limited is set for "a little", "basic", "lidt" and the like.
	Limited bool
}

// ParseLanguages normalises a languages field as sites show it
// (["Dansk", "English (a little)"], ["Danish, English"], ["🇩🇰", "🇬🇧"])
// to codes, in order, without duplicates.
func ParseLanguages(values []string) []StatedLanguage {
	return appendLanguages(nil, values)
}

// LanguageCode maps one language name as sites show it ("Dansk",
// "danish", "DA", "Rumænsk", "🇷🇴") to its ISO 639-1 code; unknown names
// are returned lower-case.
func LanguageCode(name string) string {
	sl, ok := parseLanguage(name)
	if !ok {
		return strings.ToLower(strings.TrimSpace(name))
	}
	return sl.Code
}

func splitLanguages(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ';' || r == '/' || r == '|' || r == '·' || r == '&' || r == '+' || r == '\n'
	})
}

// limitedWords mark a language spoken only a little.
var limitedWords = []string{
	"lidt", "little", "a bit", "bit", "basic", "basis", "grundlæggende", "begynder", "beginner",
	"some", "puțin", "putin", "trochę", "troche", "poco", "малко", "nit noi", "elementary", "broken",
	"smule", "en smule",
}

func parseLanguage(s string) (StatedLanguage, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return StatedLanguage{}, false
	}
	// A flag: two regional indicator symbols.
	if r1, n := utf8.DecodeRuneInString(s); r1 >= 0x1F1E6 && r1 <= 0x1F1FF {
		if r2, _ := utf8.DecodeRuneInString(s[n:]); r2 >= 0x1F1E6 && r2 <= 0x1F1FF {
			cc := string([]rune{'a' + r1 - 0x1F1E6, 'a' + r2 - 0x1F1E6})
			if l, ok := flagLanguages[cc]; ok {
				return StatedLanguage{Code: l}, true
			}
		}
	}
	low := strings.ToLower(s)
	for _, neg := range []string{"no ", "not ", "ikke ", "ingen ", "intet "} {
		if strings.HasPrefix(low, neg) {
			return StatedLanguage{}, false // "No English": not spoken
		}
	}
	limited := false
	for _, w := range limitedWords {
		if strings.Contains(low, w) {
			limited = true
		}
	}
	if c, ok := languageNames[low]; ok {
		return StatedLanguage{Code: c}, true
	}
	// The name is the first word that is a known language name (two-letter
	// codes only as the whole value: "No English" is not Norwegian);
	// otherwise the value without qualifiers.
	var first string
	for _, w := range strings.FieldsFunc(low, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if c, ok := languageNames[w]; ok && len(w) > 2 {
			return StatedLanguage{Code: c, Limited: limited}, true
		}
		if first == "" {
			first = w
		}
	}
	if first == "" {
		return StatedLanguage{}, false
	}
	return StatedLanguage{Code: first, Limited: limited}, true
}

// flagLanguages maps flag country codes to the language they stand for in
// a languages field.
var flagLanguages = map[string]string{
	"dk": "da", "gb": "en", "us": "en", "ie": "en", "au": "en", "de": "de", "at": "de", "se": "sv",
	"no": "no", "ro": "ro", "md": "ro", "pl": "pl", "bg": "bg", "es": "es", "mx": "es", "co": "es",
	"th": "th", "ru": "ru", "ua": "uk", "lt": "lt", "lv": "lv", "hu": "hu", "fr": "fr", "it": "it",
	"pt": "pt", "br": "pt", "cn": "zh", "vn": "vi", "ph": "tl", "cz": "cs", "nl": "nl",
}

// languageNames maps language names (Danish, English and the languages'
// own names) and codes to ISO 639-1 codes.
var languageNames = map[string]string{
	"dansk": "da", "danish": "da", "da": "da", "danois": "da", "dänisch": "da", "duński": "da",
	"daneză": "da", "daneza": "da", "danés": "da", "датски": "da",
	"engelsk": "en", "english": "en", "en": "en", "eng": "en", "engleză": "en", "engleza": "en",
	"angielski": "en", "inglés": "en", "ingles": "en", "английски": "en", "englisch": "en",
	"tysk": "de", "german": "de", "deutsch": "de", "de": "de",
	"svensk": "sv", "swedish": "sv", "svenska": "sv", "sv": "sv",
	"norsk": "no", "norwegian": "no", "no": "no", "nb": "no",
	"rumænsk": "ro", "romanian": "ro", "română": "ro", "romana": "ro", "ro": "ro", "rumuński": "ro",
	"polsk": "pl", "polish": "pl", "polski": "pl", "pl": "pl",
	"bulgarsk": "bg", "bulgarian": "bg", "български": "bg", "bg": "bg",
	"spansk": "es", "spanish": "es", "español": "es", "espanol": "es", "es": "es",
	"portugisisk": "pt", "portuguese": "pt", "português": "pt", "pt": "pt",
	"fransk": "fr", "french": "fr", "français": "fr", "fr": "fr",
	"italiensk": "it", "italian": "it", "italiano": "it", "it": "it",
	"russisk": "ru", "russian": "ru", "русский": "ru", "ru": "ru",
	"ukrainsk": "uk", "ukrainian": "uk", "українська": "uk", "uk": "uk",
	"thai": "th", "thailandsk": "th", "th": "th",
	"litauisk": "lt", "lithuanian": "lt", "lietuvių": "lt", "lt": "lt",
	"lettisk": "lv", "latvian": "lv", "latviešu": "lv", "lv": "lv",
	"ungarsk": "hu", "hungarian": "hu", "magyar": "hu", "hu": "hu",
	"kinesisk": "zh", "chinese": "zh", "mandarin": "zh", "zh": "zh",
	"vietnamesisk": "vi", "vietnamese": "vi", "vi": "vi",
	"arabisk": "ar", "arabic": "ar", "ar": "ar",
	"hollandsk": "nl", "dutch": "nl", "nederlands": "nl", "nl": "nl",
	"tagalog": "tl", "filipino": "tl", "tl": "tl",
	"tjekkisk": "cs", "czech": "cs", "cs": "cs",
	"estisk": "et", "estonian": "et", "et": "et",
	"tyrkisk": "tr", "turkish": "tr", "tr": "tr",
	"græsk": "el", "greek": "el", "el": "el",
	"albansk": "sq", "albanian": "sq", "sq": "sq",
	"serbisk": "sr", "serbian": "sr", "sr": "sr",
}

// businessWords are kinds of business that, followed by a capitalised
// name, name an employer: "Hotel Stormmågen", "Pizzeria Ventoverde".
var businessWords = map[string]bool{
	"hotel": true, "hotellet": true, "restaurant": true, "restauranten": true, "restaurang": true,
	"café": true, "cafe": true, "caféen": true, "kaffebar": true, "pizzeria": true, "bageri": true,
	"bageriet": true, "bar": true, "gartneri": true, "gartneriet": true, "firma": true,
	"firmaet": true, "byggefirma": true, "tømrerfirma": true, "malerfirma": true,
	"rengøringsfirma": true, "vognmand": true, "vognmandsfirma": true, "salon": true, "klinik": true,
	"klinikken": true, "clinic": true, "company": true, "firmă": true, "firma:": true, "empresa": true,
	"фирма": true, "ogrodnictwo": true, "farma": true, "ferma": true, "fermă": true, "hotelul": true,
	"restaurantul": true, "kro": true, "kroen": true, "landbrug": true, "slagteri": true,
	"slagteriet": true, "mejeri": true, "mejeriet": true, "butik": true, "butikken": true,
	"supermarked": true, "bureau": true, "bureauet": true, "vikarbureau": true, "vikarbureauet": true,
	"agency": true, "studio": true, "shop": true, "store": true, "farm": true, "plant": true,
}

// namedBusiness reports whether s names a business: a kind of business
// followed by a capitalised name ("Hotel Stormmågen", "Restaurant
// Kobberkedlen's"), or a family firm ("Hansen & Søn", "Jensen og Co").
func namedBusiness(s string) bool {
	if len(s) > maxView {
		s = s[:maxView]
	}
	prevBusiness := false
	prevWord := ""
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) {
			if first, _ := utf8.DecodeRuneInString(prevWord); r == '&' && unicode.IsUpper(first) {
				rest := strings.TrimLeft(s[i+size:], " ")
				if strings.HasPrefix(rest, "Søn") || strings.HasPrefix(rest, "Co") || strings.HasPrefix(rest, "Sønner") {
					return true
				}
			}
			if r != ' ' {
				prevBusiness = false
			}
			i += size
			continue
		}
		j := i
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsLetter(r) {
				break
			}
			j += size
		}
		w := s[i:j]
		if prevBusiness && unicode.IsUpper(r) {
			return true
		}
		prevBusiness = isBusinessWord(w)
		prevWord = w
		i = j
	}
	return false
}

// isBusinessWord looks w up in businessWords, lower-casing it in a buffer.
func isBusinessWord(w string) bool {
	var buf [32]byte
	n := 0
	for _, r := range w {
		lr := unicode.ToLower(r)
		if n+utf8.RuneLen(lr) > len(buf) {
			return false
		}
		n += utf8.EncodeRune(buf[n:], lr)
	}
	return businessWords[string(buf[:n])]
}
