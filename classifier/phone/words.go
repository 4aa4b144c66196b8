package phone

// Languages a number word belongs to. A run of words must share one, so
// the Danish "to" (two) is not read into an English "two zero seven...",
// where it is the preposition in front of the number.
const (
	langDA uint8 = 1 << iota
	langEN
	langRO
)

// numberWord is what one spelled-out number contributes to a run.
type numberWord struct {
	digits string // one digit, or two for English teens and tens
	lang   uint8
	// weak words are also everyday words ("to", "en", "one", "opt"); when
	// two readings of a run are possible the one using fewer of them wins.
	weak bool
	// tens can absorb a following unit: "twenty-three" is 23.
	tens bool
}

// numberWords is keyed by the lower-case word with diacritics folded to
// ASCII by the scanner ("două" → "doua", "șase" → "sase", "én" → "en"),
// so each spelling needs one entry. Danish "en"/"et" only count inside a
// run of number words; the scanner enforces that for every word.
var numberWords = map[string]numberWord{
	// Danish.
	"nul":  {digits: "0", lang: langDA},
	"en":   {digits: "1", lang: langDA, weak: true},
	"et":   {digits: "1", lang: langDA, weak: true},
	"to":   {digits: "2", lang: langDA, weak: true},
	"tre":  {digits: "3", lang: langDA},
	"fire": {digits: "4", lang: langDA},
	"fem":  {digits: "5", lang: langDA},
	"seks": {digits: "6", lang: langDA},
	"syv":  {digits: "7", lang: langDA},
	"otte": {digits: "8", lang: langDA},
	"ni":   {digits: "9", lang: langDA},

	// English; "zero" is also Romanian.
	"zero":  {digits: "0", lang: langEN | langRO},
	"one":   {digits: "1", lang: langEN, weak: true},
	"two":   {digits: "2", lang: langEN},
	"three": {digits: "3", lang: langEN},
	"four":  {digits: "4", lang: langEN},
	"five":  {digits: "5", lang: langEN},
	"six":   {digits: "6", lang: langEN},
	"seven": {digits: "7", lang: langEN},
	"eight": {digits: "8", lang: langEN},
	"nine":  {digits: "9", lang: langEN},

	// English teens and tens, for numbers read out in pairs
	// ("twenty-three, sixty-one, forty, eighty-five").
	"ten":       {digits: "10", lang: langEN, weak: true},
	"eleven":    {digits: "11", lang: langEN},
	"twelve":    {digits: "12", lang: langEN},
	"thirteen":  {digits: "13", lang: langEN},
	"fourteen":  {digits: "14", lang: langEN},
	"fifteen":   {digits: "15", lang: langEN},
	"sixteen":   {digits: "16", lang: langEN},
	"seventeen": {digits: "17", lang: langEN},
	"eighteen":  {digits: "18", lang: langEN},
	"nineteen":  {digits: "19", lang: langEN},
	"twenty":    {digits: "20", lang: langEN, tens: true},
	"thirty":    {digits: "30", lang: langEN, tens: true},
	"forty":     {digits: "40", lang: langEN, tens: true},
	"fourty":    {digits: "40", lang: langEN, tens: true},
	"fifty":     {digits: "50", lang: langEN, tens: true},
	"sixty":     {digits: "60", lang: langEN, tens: true},
	"seventy":   {digits: "70", lang: langEN, tens: true},
	"eighty":    {digits: "80", lang: langEN, tens: true},
	"ninety":    {digits: "90", lang: langEN, tens: true},

	// Romanian; "opt" and "doi" are also English words, hence weak or
	// guarded by the same run rules as every other word.
	"unu":   {digits: "1", lang: langRO},
	"doi":   {digits: "2", lang: langRO},
	"doua":  {digits: "2", lang: langRO},
	"trei":  {digits: "3", lang: langRO},
	"patru": {digits: "4", lang: langRO},
	"cinci": {digits: "5", lang: langRO},
	"sase":  {digits: "6", lang: langRO},
	"sapte": {digits: "7", lang: langRO},
	"opt":   {digits: "8", lang: langRO, weak: true},
	"noua":  {digits: "9", lang: langRO},
}

// maxWordLen is the longest key in numberWords; longer words are not looked
// up at all.
const maxWordLen = len("seventeen")

// idLabels are words that, written just before a number, say it is an
// identifier rather than a phone number: company registration (CVR, org.nr,
// SE-nr, Polish NIP/REGON/KRS, Romanian CUI/CIF), VAT, bank and personal
// numbers. CVR numbers are eight digits, exactly like a Danish phone.
var idLabels = map[string]bool{
	"cvr": true, "cvrnr": true, "cvrnummer": true,
	"orgnr": true, "org": true,
	"senr": true, "pnr": true,
	"ean": true, "iban": true, "bic": true, "swift": true,
	"konto": true, "kontonr": true, "kontonummer": true,
	"reg": true, "regnr": true,
	"moms": true, "momsnr": true, "vat": true,
	"cpr": true, "cprnr": true,
	"nip": true, "regon": true, "krs": true,
	"cui": true, "cif": true,
	"ordre": true, "ordrenr": true, "ordrenummer": true, "faktura": true, "fakturanr": true,
	"varenr": true, "varenummer": true, "ref": true, "refnr": true,
	"sagsnr": true, "kundenr": true,
}

// idNumberWords are the "nr"/"no" that follow a label ("CVR-nr.", "org.
// nr", "P-nr"); idPrefixes are the words that turn them into an identifier
// label, so that "tlf. nr." still introduces a phone number.
var (
	idNumberWords = map[string]bool{"nr": true, "no": true, "nummer": true, "number": true, "num": true}
	idPrefixes    = map[string]bool{
		"cvr": true, "org": true, "se": true, "p": true, "reg": true,
		"konto": true, "moms": true, "vat": true, "cpr": true,
		"ordre": true, "order": true, "faktura": true, "invoice": true,
		"kunde": true, "customer": true, "sag": true, "ref": true, "vare": true, "item": true,
		"medlem": true, "medlems": true, "account": true, "bank": true, "id": true,
	}
)

// cueWords introduce a phone number, in the ads' languages, spelled as the
// scanner folds them (lower case, diacritics dropped: "sună" → "suna",
// "dzwoń" → "dzwon"). Cyrillic cues are not foldable and are not listed.
var cueWords = map[string]bool{
	// Danish.
	"ring": true, "ringe": true, "ringer": true, "tlf": true, "tel": true, "telefon": true,
	"mobil": true, "mobilnr": true, "sms": true, "skriv": true, "kontakt": true,
	"opkald": true, "nummer": true, "nr": true,
	// English.
	"call": true, "phone": true, "text": true, "mobile": true, "cell": true,
	"contact": true, "number": true, "whatsapp": true, "viber": true,
	"telegram": true, "signal": true,
	// Romanian, Polish, Spanish, Thai transliteration.
	"suna": true, "sunati": true, "sunam": true, "telefonul": true,
	"dzwon": true, "zadzwon": true, "telefonu": true,
	"llamame": true, "llama": true, "llamar": true, "telefono": true, "escribeme": true,
	"tho": true,
}

// cueSymbols are emoji that introduce a phone number.
var cueSymbols = map[rune]bool{
	'📞': true, '☎': true, '📱': true, '📲': true, '✆': true, '☏': true,
}

// unitWords after a digit group make it a quantity: currency, age and
// hours, folded like number words ("år" → "ar", "años" → "anos"). Short
// units that are also everyday words ("min" is Danish for "my", "t", "m")
// are left out: after a phone number they would cost its last group.
var unitWords = map[string]bool{
	"kr": true, "kroner": true, "dkk": true, "eur": true, "euro": true, "usd": true,
	"zl": true, "lei": true, "ron": true,
	"ar": true, "aar": true, "arig": true, "years": true, "yrs": true, "yo": true,
	"ani": true, "lat": true, "anos": true,
	"timer": true, "hours": true, "godzin": true,
}

// wordFilter has, for each first letter, a bit for every length of a
// number or unit word starting with it. Most words of an ad fail this test
// and never reach a map lookup.
var wordFilter = func() (f [26]uint16) {
	for _, m := range []map[string]bool{numberWordSet(), unitWords} {
		for w := range m {
			f[w[0]-'a'] |= 1 << len(w)
		}
	}
	return f
}()

func numberWordSet() map[string]bool {
	m := make(map[string]bool, len(numberWords))
	for w := range numberWords {
		m[w] = true
	}
	return m
}

// mayBeListed reports whether a folded word could be in numberWords or
// unitWords.
func mayBeListed(w []byte) bool {
	return len(w) > 0 && len(w) < 16 && w[0] >= 'a' && w[0] <= 'z' && wordFilter[w[0]-'a']&(1<<len(w)) != 0
}
