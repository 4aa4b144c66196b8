package classifier

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/adwatch/adwatch/ad"
)

// Price is an amount of money an ad states, with what it buys or pays for.
type Price struct {
	// Amount is the number as written ("1.500" is 1500, "0,02" is 0.02).
	Amount float64
	// Currency is an ISO 4217 code (DKK, EUR, USD, ...), BTC, or ROSE for
	// roses used as a code for kroner ("800🌹"); "" when the ad names none
	// (a bare number next to a duration is a price in an unknown currency,
	// read as kroner by HourlyPriceDKK).
	Currency string
	// Minutes is the time the amount buys or pays for: 30, 60 and 120 for
	// a service; 600 for a night, 1440 for a day or 24 hours, 10080 for a
	// week and 43200 for a month (salaries). 0: not stated.
	Minutes int
	// Start and End are byte offsets of the price in the parsed text.
	Start, End int
}

// Durations, in minutes, that are not an hour's service: a price for them
// is no hourly price.
const (
	minutesNight = 600
	minutesDay   = 1440
	minutesWeek  = 7 * minutesDay
	minutesMonth = 30 * minutesDay
)

// dkkPer holds approximate exchange rates (kroner per unit), good enough
// to compare prices across ads; they are not for accounting. Roses stand
// for kroner in Danish ads that avoid writing prices.
var dkkPer = map[string]float64{
	"DKK": 1, "ROSE": 1, "EUR": 7.46, "USD": 6.9, "GBP": 8.6, "SEK": 0.64, "NOK": 0.63,
	"PLN": 1.73, "RON": 1.5, "BGN": 3.81, "THB": 0.19, "CHF": 7.8, "CZK": 0.3, "HUF": 0.019,
}

// ToDKK converts an amount to Danish kroner at fixed approximate rates; it
// reports false for currencies without a rate (BTC, unknown).
func ToDKK(amount float64, currency string) (float64, bool) {
	r, ok := dkkPer[currency]
	if !ok {
		return 0, false
	}
	return amount * r, true
}

// currencyWords maps how ads write currencies, lower-case, to codes.
var currencyWords = map[string]string{
	"kr": "DKK", "kr.": "DKK", "kroner": "DKK", "kroner.": "DKK", "dkk": "DKK", "ddk": "DKK",
	"kr,-": "DKK", ",-": "DKK", "кр": "DKK", "koron": "DKK", "korony": "DKK", "coroane": "DKK",
	"eur": "EUR", "euro": "EUR", "euros": "EUR", "€": "EUR", "евро": "EUR", "evro": "EUR",
	"usd": "USD", "$": "USD", "dollars": "USD", "dollar": "USD",
	"gbp": "GBP", "£": "GBP", "pounds": "GBP",
	"sek": "SEK", "nok": "NOK",
	"pln": "PLN", "zł": "PLN", "zl": "PLN", "złotych": "PLN", "zlotych": "PLN", "złote": "PLN",
	"ron": "RON", "lei": "RON",
	"bgn": "BGN", "лв": "BGN", "лв.": "BGN", "лева": "BGN",
	"thb": "THB", "baht": "THB", "฿": "THB",
	"chf": "CHF", "czk": "CZK", "huf": "HUF",
	"btc": "BTC", "usdt": "USDT", "eth": "ETH",
	"🌹": "ROSE", "roser": "ROSE", "roses": "ROSE",
}

// unitWords maps time-unit words, lower-case, to minutes.
var unitWords = map[string]int{
	"min": 1, "min.": 1, "mins": 1, "minut": 1, "minutter": 1, "minutes": 1, "minute": 1,
	"minuty": 1, "minutos": 1, "minute.": 1, "мин": 1, "минути": 1, "m": 1,
	"t": 60, "t.": 60, "time": 60, "timer": 60, "timen": 60, "timers": 60, "h": 60, "hr": 60,
	"hrs": 60, "hour": 60, "hours": 60, "std": 60, "std.": 60, "timme": 60, "timmar": 60,
	"stunde": 60, "stunden": 60, "ora": 60, "ore": 60, "oră": 60, "godz": 60, "godz.": 60,
	"godzina": 60, "godziny": 60, "godzin": 60, "godzinę": 60, "hora": 60, "horas": 60,
	"час": 60, "часа": 60, "часове": 60, "chua": 60, "chuamong": 60,
	"nat": minutesNight, "natten": minutesNight, "night": minutesNight, "overnight": minutesNight,
	"noapte": minutesNight, "noc": minutesNight, "noche": minutesNight, "нощ": minutesNight,
	"døgn": minutesDay, "døgnet": minutesDay, "dag": minutesDay, "dagen": minutesDay, "day": minutesDay,
	"days": minutesDay, "dage": minutesDay, "daily": minutesDay, "zi": minutesDay, "dzień": minutesDay,
	"dziennie": minutesDay, "día": minutesDay, "ден": minutesDay,
	"uge": minutesWeek, "ugen": minutesWeek, "ugentlig": minutesWeek, "week": minutesWeek,
	"weekly": minutesWeek, "weekend": minutesWeek, "weekenden": minutesWeek, "săptămână": minutesWeek,
	"saptamana": minutesWeek, "tydzień": minutesWeek, "tygodniowo": minutesWeek, "semana": minutesWeek,
	"седмица": minutesWeek,
	"md":      minutesMonth, "md.": minutesMonth, "mdr": minutesMonth, "måned": minutesMonth,
	"måneden": minutesMonth, "månedlig": minutesMonth, "month": minutesMonth, "monthly": minutesMonth,
	"mo": minutesMonth, "lună": minutesMonth, "luna": minutesMonth, "lunar": minutesMonth,
	"miesiąc": minutesMonth, "miesięcznie": minutesMonth, "mies": minutesMonth, "mies.": minutesMonth,
	"mes": minutesMonth, "mensual": minutesMonth, "mensuales": minutesMonth, "mensualmente": minutesMonth,
	"месец": minutesMonth, "месечно": minutesMonth, "semanal": minutesWeek, "semanales": minutesWeek,
}

// perWords join an amount to the unit it is for ("kr pr time", "kr om
// måneden", "euro pe lună", "кр на час", "kr for en time").
var perWords = map[string]bool{
	"/": true, "pr": true, "pr.": true, "per": true, "om": true, "pe": true, "a": true, "an": true,
	"al": true, "na": true, "на": true, "for": true, "i": true, "za": true, "each": true, "à": true,
}

// countWords are number words that count units ("en time", "one hour").
var countWords = map[string]float64{
	"en": 1, "et": 1, "one": 1, "an": 1, "a": 1, "1/2": 0.5, "½": 0.5, "halv": 0.5, "half": 0.5,
	"hel": 1, "to": 2, "two": 2, "tre": 3, "three": 3, "o": 1, "jedna": 1, "una": 1, "un": 1,
}

// joiners may stand between a duration and its price ("30 min – 800 kr",
// "1 time = 1.400", "2 timer: 2.600").
var joiners = map[string]bool{"-": true, "–": true, "—": true, "=": true, ":": true, "à": true}

type ptokKind uint8

const (
	ptWord ptokKind = iota
	ptNum
	ptSep // punctuation that ends a price: · | ; , ! newline ( )
)

type ptok struct {
	kind       ptokKind
	text       string // lower-case
	start, end int
	num        float64
	glued      bool // no space before this token
}

// maxPriceTokens bounds the work on one text; an ad has a few hundred.
const maxPriceTokens = 4096

// ParsePrices returns the prices stated in s, in text order: an amount
// with its currency and, where the ad says, the time it buys ("1.500
// kr/time", "30 min 700", "800 kr 30 min", "200 EUR/h", "2 timer 2500",
// "24 timer 8000", "3.000 euro pe lună"). A number is a price only with a
// currency or right next to a duration: phone numbers, ages, dates and
// opening hours are not prices.
func ParsePrices(s string) []Price {
	out, _ := appendPrices(nil, s, nil)
	return out
}

// appendPrices is ParsePrices appending to out, with toks as scratch space
// for the tokens (returned for reuse).
func appendPrices(out []Price, s string, toks []ptok) ([]Price, []ptok) {
	if len(s) > maxView {
		s = s[:maxView]
	}
	if !strings.ContainsAny(s, "0123456789") {
		return out, toks
	}
	toks = tokenizePrices(s, toks[:0])
	for i := 0; i < len(toks); i++ {
		// A duration followed by its price: "60 min 450 kr", "1 time – 1.400 kr".
		if d, dEnd, ok := durationAt(toks, i); ok {
			j := dEnd
			if j < len(toks) && joiners[toks[j].text] {
				j++
			}
			if p, pEnd, ok := amountAt(toks, j, true); ok {
				p.Minutes = d
				p.Start = toks[i].start
				// "Overnight 10000 DKK / 24h": the duration after it is
				// the more exact one ("30 min 700 / 1 hour 1200" is a list).
				if toks[i].kind == ptWord && pEnd+1 < len(toks) && toks[pEnd].text == "/" {
					if d2, dEnd, ok := durationAt(toks, pEnd+1); ok {
						p.Minutes = d2
						p.End = toks[dEnd-1].end
						pEnd = dEnd
					}
				}
				out = append(out, p)
				i = pEnd - 1
				continue
			}
		}
		p, pEnd, ok := amountAt(toks, i, false)
		if !ok {
			continue
		}
		// The amount's duration after it: "1.500 kr/time", "800 kr 30 min",
		// "400 kr pr time", "500 kr for en hel time", "3.000 euro pe lună".
		j := pEnd
		per := false
		if j < len(toks) && perWords[toks[j].text] {
			j++
			per = true
		}
		if d, dEnd, ok := durationAt(toks, j); ok {
			p.Minutes = d
			p.End = toks[dEnd-1].end
			pEnd = dEnd
		} else if j < len(toks) && toks[j].kind == ptWord && (per || j == pEnd) {
			if m, ok := unitWords[toks[j].text]; ok && m >= 60 {
				// A bare unit: "kr/h", "500 kr ora", "20.000 zł miesięcznie".
				p.Minutes = m
				p.End = toks[j].end
				pEnd = j + 1
			}
		}
		if p.Currency == "" && p.Minutes == 0 {
			continue
		}
		out = append(out, p)
		i = pEnd - 1
	}
	return out, toks
}

// amountAt reads an amount at toks[i]: a number with a currency before or
// after it ("€3,000", "1.500 kr", "1500,-"), or, when bare is set (after
// a duration), a number alone of at least 50.
func amountAt(toks []ptok, i int, bare bool) (Price, int, bool) {
	if i >= len(toks) {
		return Price{}, i, false
	}
	t := toks[i]
	if t.kind == ptWord {
		// A currency before the number: "€3,000", "EUR 200", "$ 500".
		if c, ok := currencyWords[t.text]; ok && c != "" && i+1 < len(toks) && toks[i+1].kind == ptNum {
			n := toks[i+1]
			if n.num <= 0 {
				return Price{}, i, false
			}
			return Price{Amount: n.num, Currency: c, Start: t.start, End: n.end}, i + 2, true
		}
		return Price{}, i, false
	}
	if t.kind != ptNum || t.num <= 0 {
		return Price{}, i, false
	}
	p := Price{Amount: t.num, Start: t.start, End: t.end}
	if i+1 < len(toks) && toks[i+1].kind == ptWord {
		if c, ok := currencyWords[toks[i+1].text]; ok && c != "" {
			p.Currency = c
			p.End = toks[i+1].end
			return p, i + 2, true
		}
	}
	if bare && t.num >= 50 && !isDurationCount(toks, i) {
		return p, i + 1, true
	}
	return p, i + 1, false
}

// isDurationCount reports whether the number at toks[i] counts the units
// of a following duration ("2 timer"), so it is no bare price.
func isDurationCount(toks []ptok, i int) bool {
	_, _, ok := durationAt(toks, i)
	return ok
}

// durationAt reads a duration at toks[i]: "30 min", "2 timer", "1h",
// "halv time", "en time", "10 x 60 min", "hele natten". It returns the
// minutes and the index after it.
func durationAt(toks []ptok, i int) (int, int, bool) {
	return durationAtN(toks, i, true)
}

// durationAtN is durationAt; times says whether "N x" may lead.
func durationAtN(toks []ptok, i int, times bool) (int, int, bool) {
	if i >= len(toks) {
		return 0, i, false
	}
	t := toks[i]
	switch t.kind {
	case ptNum:
		// "10 x 60 min": ten sessions.
		if times && i+2 < len(toks) && (toks[i+1].text == "x" || toks[i+1].text == "×") && toks[i+2].kind == ptNum {
			if t.num >= 1 && t.num <= 100 && t.num == math.Trunc(t.num) && toks[i+2].num <= 1000 {
				if m, end, ok := durationAtN(toks, i+2, false); ok && m*int(t.num) <= 10*minutesMonth {
					return m * int(t.num), end, true
				}
			}
		}
		if i+1 < len(toks) && toks[i+1].kind == ptWord {
			if u, ok := unitWords[toks[i+1].text]; ok && t.num > 0 && t.num <= 1000 {
				m := t.num * float64(u)
				if m < 1 || m > 10*minutesMonth {
					return 0, i, false
				}
				return int(math.Round(m)), i + 2, true
			}
		}
		return 0, i, false
	case ptWord:
		// "hele natten", "hele døgnet", "overnight".
		if t.text == "hele" || t.text == "all" || t.text == "whole" || t.text == "full" {
			if i+1 < len(toks) && toks[i+1].kind == ptWord {
				if u, ok := unitWords[toks[i+1].text]; ok && u >= minutesNight {
					return u, i + 2, true
				}
			}
			return 0, i, false
		}
		if c, ok := countWords[t.text]; ok {
			j := i + 1
			// "en hel time", "half an hour".
			if j < len(toks) && (toks[j].text == "hel" || toks[j].text == "an" || toks[j].text == "a") {
				j++
			}
			if j < len(toks) && toks[j].kind == ptWord {
				if u, ok := unitWords[toks[j].text]; ok && u >= 60 && u < minutesNight {
					return int(c * float64(u)), j + 1, true
				}
			}
			return 0, i, false
		}
		if u, ok := unitWords[t.text]; ok && u >= minutesNight {
			// "nat 7.500", "overnight 10000".
			return u, i + 1, true
		}
	}
	return 0, i, false
}

// priceKeywords interns every word the price parser looks up, so that a
// capitalised word ("DKK", "Time") is lower-cased without allocating.
var priceKeywords = func() map[string]string {
	m := map[string]string{}
	add := func(w string) { m[w] = w }
	for w := range currencyWords {
		add(w)
	}
	for w := range unitWords {
		add(w)
	}
	for w := range perWords {
		add(w)
	}
	for w := range countWords {
		add(w)
	}
	for w := range joiners {
		add(w)
	}
	for _, w := range []string{"x", "×", "hele", "all", "whole", "full", "hel", "an", "a"} {
		add(w)
	}
	return m
}()

// lowerWord returns s[i:j] lower-cased: the substring itself when it has
// no upper-case letter, else the interned keyword it spells, else "" (a
// word the parser never looks up).
func lowerWord(s string, i, j int) string {
	w := s[i:j]
	upper := false
	for _, r := range w {
		if unicode.IsUpper(r) {
			upper = true
			break
		}
	}
	if !upper {
		return w
	}
	var buf [32]byte
	n := 0
	for _, r := range w {
		lr := unicode.ToLower(r)
		if n+utf8.RuneLen(lr) > len(buf) {
			return ""
		}
		n += utf8.EncodeRune(buf[n:], lr)
	}
	return priceKeywords[string(buf[:n])]
}

// tokenizePrices splits s into numbers, words and separators, appending
// to toks.
func tokenizePrices(s string, toks []ptok) []ptok {
	i := 0
	prevSpace := true
	for i < len(s) && len(toks) < maxPriceTokens {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ' ' || r == '\t' || r == '\u00a0' || r == '\u202f' || r == '\u2009':
			i += size
			prevSpace = true
			continue
		case r >= '0' && r <= '9':
			n, end := scanNumber(s, i)
			toks = append(toks, ptok{kind: ptNum, text: s[i:end], start: i, end: end, num: n, glued: !prevSpace})
			i = end
			// "1500,-" and "1.500,-": the Danish way of writing kroner.
			if strings.HasPrefix(s[i:], ",-") {
				toks = append(toks, ptok{kind: ptWord, text: ",-", start: i, end: i + 2, glued: true})
				i += 2
			}
		case r == '/' || r == '=' || r == ':' || r == '-' || r == '–' || r == '—' || r == '×' ||
			r == '€' || r == '$' || r == '£' || r == '฿' || r == '½':
			toks = append(toks, ptok{kind: ptWord, text: s[i : i+size], start: i, end: i + size, glued: !prevSpace})
			i += size
		case r == '🌹':
			toks = append(toks, ptok{kind: ptWord, text: "🌹", start: i, end: i + size, glued: !prevSpace})
			i += size
			// A row of roses is one price unit: "🌹🌹🌹".
			for strings.HasPrefix(s[i:], "🌹") {
				i += len("🌹")
				toks[len(toks)-1].end = i
			}
		case unicode.IsLetter(r):
			j := i
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
					break
				}
				j += size
			}
			// Keep a trailing dot of abbreviations ("kr.", "pr.", "md.").
			end := j
			w := lowerWord(s, i, j)
			if j < len(s) && s[j] == '.' {
				if dotted := lowerWord(s, i, j+1); dotted != "" && priceKeywords[dotted] != "" {
					end = j + 1
					w = dotted
				}
			}
			toks = append(toks, ptok{kind: ptWord, text: w, start: i, end: end, glued: !prevSpace})
			i = end
		case unicode.IsPunct(r) && r != '.' && r != ',' && r != '\'' || r == '\n' || r == '\r' || r == '·' || r == '|' || r == '•':
			toks = append(toks, ptok{kind: ptSep, text: s[i : i+size], start: i, end: i + size})
			i += size
		default:
			// Emoji, '.', ',' and other symbols separate words.
			if r == '.' || r == ',' || r == '!' || r == '?' {
				toks = append(toks, ptok{kind: ptSep, text: s[i : i+size], start: i, end: i + size})
			}
			i += size
		}
		prevSpace = false
	}
	return toks
}

// scanNumber reads a number at s[i] (an ASCII digit): "1500", "1.500",
// "1,500", "1.500,00", "0.02", "2,5", "20 000". A group of three digits
// after a dot, comma or space is thousands; one or two digits after a dot
// or comma are decimals. It returns the value and the end offset.
func scanNumber(s string, i int) (float64, int) {
	j := i
	for j < len(s) && isDigit(s[j]) && j-i < 12 {
		j++
	}
	for j < len(s) && isDigit(s[j]) {
		j++ // absurdly long: read but cap the value below
	}
	intPart := s[i:j]
	v := parseDigits(intPart)
	end := j
	if len(intPart) <= 3 {
		// Thousands groups: ".500", ",500", " 500" (a space only before a
		// currency word, so "30 min 700" is not 30 700).
		for end < len(s) {
			sep := s[end]
			if sep != '.' && sep != ',' && sep != ' ' {
				break
			}
			k := end + 1
			m := k
			for m < len(s) && isDigit(s[m]) {
				m++
			}
			if m-k != 3 || (m < len(s) && isDigit(s[m])) {
				break
			}
			if sep == ' ' && !currencyAfter(s, m) {
				break
			}
			v = v*1000 + parseDigits(s[k:m])
			end = m
		}
	}
	// Decimals: ",5", ".02", ",00".
	if end+1 < len(s) && (s[end] == ',' || s[end] == '.') && isDigit(s[end+1]) {
		k := end + 1
		m := k
		for m < len(s) && isDigit(s[m]) {
			m++
		}
		if m-k <= 2 || (end == j && len(intPart) > 3) || (end == j && v == 0) {
			f := parseDigits(s[k:min(m, k+6)])
			v += f / math.Pow(10, float64(min(m, k+6)-k))
			end = m
		}
	}
	return min(v, 1e12), end
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func parseDigits(s string) float64 {
	v := 0.0
	for k := 0; k < len(s) && k < 15; k++ {
		v = v*10 + float64(s[k]-'0')
	}
	return v
}

// currencyAfter reports whether a currency word follows s[i:] after spaces.
func currencyAfter(s string, i int) bool {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsLetter(r) && r != '€' && r != '$' && r != '£' && r != '🌹' {
			break
		}
		j += size
		if r == '€' || r == '$' || r == '£' || r == '🌹' {
			break
		}
	}
	if j == i {
		return false
	}
	c, ok := currencyWords[strings.ToLower(s[i:j])]
	return ok && c != ""
}

// Prices that are hourly service prices: from a quarter of an hour to
// three hours (a night, a day or a week is a different product).
const (
	minHourlyMinutes = 15
	maxHourlyMinutes = 180
)

// HourlyPriceDKK returns the ad's price for one hour, in Danish kroner:
// from its price field, else its title and text. A price for another
// duration is scaled ("800 kr 30 min" is 1600 an hour, "2 timer 2500" is
// 1250); one for a night, a day or 24 hours is no hourly price, and a
// price without a duration or in a currency without a rate (BTC) is not
// used. Among several, the price for exactly one hour wins, else the one
// for the duration nearest to an hour.
func HourlyPriceDKK(r ad.Raw) (float64, bool) {
	if v, ok := hourlyIn(r.PriceText); ok {
		return v, true
	}
	if v, ok := hourlyIn(r.Title); ok {
		return v, true
	}
	return hourlyIn(r.Text)
}

func hourlyIn(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	best, bestDist := 0.0, -1
	for _, p := range ParsePrices(s) {
		if p.Minutes < minHourlyMinutes || p.Minutes > maxHourlyMinutes || forSeveral(s, p) {
			continue
		}
		cur := p.Currency
		if cur == "" {
			cur = "DKK" // a bare number next to a duration, in a Danish ad
		}
		dkk, ok := ToDKK(p.Amount, cur)
		if !ok {
			continue
		}
		dist := p.Minutes - 60
		if dist < 0 {
			dist = -dist
		}
		if bestDist < 0 || dist < bestDist {
			best, bestDist = dkk*60/float64(p.Minutes), dist
		}
	}
	if bestDist < 0 {
		return 0, false
	}
	return math.Round(best*100) / 100, true
}

// severalWords mark a price for more than one person ("Duo 3000 DKK/h",
// "90 min 1.500 kr for to", "1200 DKK per couple"): no one person's price.
var severalWords = []string{
	"duo", "couple", "par ", "pr. par", "personer", "persons", "people", "for to", "for two",
	"2 piger", "to piger", "2 girls", "two girls", "begge", "both", "trio",
}

// forSeveral reports whether the clause of s holding p (between "·", "|",
// ";", line breaks and full stops) prices more than one person.
func forSeveral(s string, p Price) bool {
	lo, hi := p.Start, p.End
	for lo > 0 && !clauseBreak(s, lo-1) {
		lo--
	}
	for hi < len(s) && !clauseBreak(s, hi) {
		hi++
	}
	c := strings.ToLower(s[lo:hi]) + " "
	for _, w := range severalWords {
		if strings.Contains(c, w) {
			return true
		}
	}
	return false
}

func clauseBreak(s string, i int) bool {
	switch s[i] {
	case '\n', ';', '|':
		return true
	case '.':
		return i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\n'
	}
	return strings.HasPrefix(s[i:], "·") || strings.HasPrefix(s[i:], "•")
}

// monthlyDKK returns a price as pay per month in kroner, for prices stated
// per week or per month (salaries); false for anything else.
func monthlyDKK(p Price) (float64, bool) {
	if p.Minutes < minutesWeek {
		return 0, false
	}
	cur := p.Currency
	if cur == "" || cur == "ROSE" {
		return 0, false
	}
	dkk, ok := ToDKK(p.Amount, cur)
	if !ok {
		return 0, false
	}
	return dkk * float64(minutesMonth) / float64(p.Minutes), true
}
