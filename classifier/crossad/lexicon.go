package crossad

// defaultRegion is the region phone numbers without a country code are read
// in, as the classifier reads them.
const defaultRegion = "DK"

// langRegion maps an ad's text language to the region a phone field is
// read in when it is not valid in defaultRegion (as the classifier does).
var langRegion = map[string]string{
	"ro": "RO", "pl": "PL", "bg": "BG", "es": "ES", "th": "TH", "lt": "LT", "lv": "LV",
	"uk": "UA", "ru": "RU", "hu": "HU", "pt": "PT", "de": "DE", "sv": "SE", "nb": "NO",
	"no": "NO", "cs": "CZ", "sk": "SK", "et": "EE", "sr": "RS", "hr": "HR", "sq": "AL",
	"tl": "PH", "vi": "VN", "zh": "CN",
}

// cityAlias maps a city token, as ads write it, to one canonical name, so
// that "Copenhagen", "Kbh" and "København" are one city. It is also the
// gazetteer of the city slot. Ambiguous words that are also common names
// ("Sofia") are left out.
var cityAlias = func() map[string]string {
	m := map[string]string{}
	for canon, aliases := range map[string][]string{
		"københavn":     {"copenhagen", "kbh", "cph", "københavns", "kobenhavn", "koebenhavn", "kopenhagen"},
		"frederiksberg": {},
		"aarhus":        {"århus", "aarhus'"},
		"odense":        {},
		"aalborg":       {"ålborg"},
		"esbjerg":       {},
		"randers":       {},
		"kolding":       {},
		"horsens":       {},
		"vejle":         {},
		"roskilde":      {},
		"herning":       {},
		"silkeborg":     {},
		"helsingør":     {"elsinore", "helsingor"},
		"næstved":       {"naestved"},
		"fredericia":    {},
		"viborg":        {},
		"køge":          {"koge", "koege"},
		"holstebro":     {},
		"taastrup":      {},
		"slagelse":      {},
		"hillerød":      {"hillerod"},
		"sønderborg":    {"sonderborg"},
		"svendborg":     {},
		"hjørring":      {"hjorring"},
		"holbæk":        {"holbaek"},
		"frederikshavn": {},
		"haderslev":     {},
		"skive":         {},
		"ringsted":      {},
		"nyborg":        {},
		"nykøbing":      {},
		"hørsholm":      {},
		"kastrup":       {},
		"lyngby":        {},
		"ishøj":         {},
		"hvidovre":      {},
		"glostrup":      {},
		"greve":         {},
		"stockholm":     {},
		"malmö":         {"malmo", "malmø"},
		"göteborg":      {"gothenburg", "goteborg"},
		"oslo":          {},
		"hamburg":       {},
		"berlin":        {},
		"london":        {},
		"bucuresti":     {"bucharest", "bucurești"},
		"warszawa":      {"warsaw"},
	} {
		m[canon] = canon
		for _, a := range aliases {
			m[a] = canon
		}
	}
	return m
}()

// nationality maps nationality words (Danish, English and the languages of
// the ads) to a code. They are a template slot and a persona attribute
// whose drift across one text is a signal; no nationality is weighted
// differently. Words that name a language as often as a nationality and are
// spoken by most advertisers (dansk, english) are left out.
var nationality = func() map[string]string {
	m := map[string]string{}
	for code, words := range map[string][]string{
		"RO":     {"rumænsk", "rumænske", "rumæner", "romanian", "română", "romanca", "româncă", "rumunka", "румънка"},
		"BG":     {"bulgarsk", "bulgarske", "bulgarian", "bulgară", "bulgarka", "българка", "българска"},
		"PL":     {"polsk", "polske", "polish", "polka", "poloneză"},
		"UA":     {"ukrainsk", "ukrainske", "ukrainian", "ukrainka"},
		"RU":     {"russisk", "russiske", "russian", "russe"},
		"TH":     {"thai", "thailandsk", "thailandske", "tajka"},
		"BR":     {"brazilian", "brasiliansk", "brazil", "brasil", "brasileira"},
		"LT":     {"litauisk", "lithuanian"},
		"LV":     {"lettisk", "latvian"},
		"HU":     {"ungarsk", "hungarian"},
		"CZ":     {"tjekkisk", "czech"},
		"SK":     {"slovakisk", "slovak"},
		"ES":     {"spansk", "spanish", "española", "espanola"},
		"CO":     {"colombiansk", "colombian", "colombiana"},
		"VN":     {"vietnamesisk", "vietnamese"},
		"CN":     {"kinesisk", "chinese"},
		"PH":     {"filippinsk", "filipina", "filipino"},
		"NG":     {"nigeriansk", "nigerian"},
		"asian":  {"asiatisk", "asiatiske", "asian"},
		"latina": {"latina", "latinamerikansk"},
	} {
		for _, w := range words {
			m[w] = code
		}
	}
	return m
}()
