package simulator

// Phrase pools the generator draws ads from. Placeholders: {name}, {city},
// {age}, {phone}, {price} (the price as the site shows it). A template with
// {age} is only used for an ad that states an age.
//
// Two rules keep the labels honest, and TestBenignAdsCarryNoIndicatorPhrase
// holds them: a benign ad uses no indicator pool and no third-person line,
// and an indicator pool phrase carries the indicator it is filed under
// (a phrase may also look like another rule's trigger; the label lists
// only what was planted on purpose). Look-alike traps go in traps only.

// Indicator ids, as in INDICATORS.md.
const (
	indThirdPerson     = "third_person_language"
	indController      = "controller_or_booker_contact"
	indTrust           = "trust_assurance_language"
	indAvailability    = "availability_control"
	indLanguageGap     = "fluent_ad_but_language_barrier"
	indNewInTown       = "new_in_town_text"
	indForeignNumber   = "foreign_or_out_of_area_number"
	indYouth           = "youth_emphasis_language"
	indAge18to23       = "stated_age_18_23"
	indNoLimits        = "risky_or_no_limits_services"
	indBelowMarket     = "below_market_price"
	indNationality     = "ethnicity_nationality_marketing"
	indLanguageBarrier = "language_barrier"
	indMultiple        = "multiple_persons_in_ad"
	indObscured        = "obscured_contact"
	indMessagingOnly   = "messaging_only_contact"
	indPayment         = "third_party_payment"

	indManyPersonas = "many_personas_per_contact"
	indRotation     = "rapid_city_rotation"
	indTemplate     = "near_duplicate_template"
	indDrift        = "persona_attribute_drift"
	indPriceTable   = "shared_price_table"
)

// textIndicators are the single-ad text indicators a risky ad draws from,
// in a fixed order so that generation never depends on map order.
var textIndicators = []string{
	indThirdPerson, indController, indTrust, indAvailability, indNewInTown,
	indYouth, indNoLimits, indMessagingOnly, indPayment, indMultiple, indNationality,
}

// origin is where a persona is presented as coming from. It picks names,
// the languages field and nationality phrases, and never makes an ad risky
// by itself: benign ads have every origin too.
type origin int

const (
	originDK origin = iota
	originRO
	originTH
	originLatin
)

var names = [...][]string{
	originDK:    {"Sofie", "Emma", "Ida", "Freja", "Laura", "Julie", "Maja", "Camilla", "Louise", "Mette", "Stine", "Line", "Nanna", "Sara", "Katrine", "Signe", "Cecilie", "Pernille", "Rikke", "Tanja"},
	originRO:    {"Ioana", "Andreea", "Elena", "Bianca", "Roxana", "Alina", "Denisa", "Florentina", "Larisa", "Mădălina", "Raluca", "Simona", "Ștefania"},
	originTH:    {"Ploy", "Fon", "Mai", "Nok", "Pim", "Dao", "Lek", "Noi", "Kanya", "Malee", "Suda", "Wan"},
	originLatin: {"Valentina", "Lucia", "Camila", "Isabela", "Gabriela", "Natalia", "Paola", "Daniela"},
}

// nativeLang is the language code each origin adds to the languages field.
var nativeLang = [...]string{originDK: "da", originRO: "ro", originTH: "th", originLatin: "es"}

// Cities are ordinary Danish cities; København is listed twice because most
// ads are there.
var cities = []string{
	"København", "København", "Frederiksberg", "Aarhus", "Odense", "Aalborg", "Esbjerg", "Randers",
	"Kolding", "Horsens", "Vejle", "Roskilde", "Herning", "Silkeborg", "Næstved", "Fredericia",
	"Viborg", "Køge", "Holstebro", "Slagelse", "Hillerød", "Svendborg", "Nyborg", "Helsingør", "Sønderborg",
}

// languageNames are the languages field as each site spells it.
var languageNames = map[string]map[string]string{
	SiteRosa:     {"da": "Dansk", "en": "Engelsk", "ro": "Rumænsk", "th": "Thai", "es": "Spansk"},
	SiteNattelys: {"da": "Danish", "en": "English", "ro": "Romanian", "th": "Thai", "es": "Spanish"},
}

// danishDigits are the number words obfuscated phones are written in
// (the ones INDICATORS.md says a normaliser reads).
var danishDigits = [10]string{"nul", "en", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni"}

// Danish mobile-style prefixes; the rest of each number is random, so every
// number is invented (Denmark has no fiction range: never dial one).
var dkPrefixes = []string{"20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "40", "41", "42", "50", "51", "52", "53", "60", "61", "71", "81", "91", "92", "93"}

var decorations = []string{"🌹", "💋", "✨", "😊", "🌸"}

// trap is a benign line that looks like an indicator phrase.
type trap struct {
	text        string
	massageOnly bool
	city        string // only for ads in this city, when set
}

type pools struct {
	openEscort1, openMassage1 []string // first person
	bodyEscort1, bodyMassage1 []string
	openEscort3, openMassage3 []string // third person: only with indThirdPerson
	bodyEscort3, bodyMassage3 []string
	independent               []string // first-person independence, benign only
	hours                     []string // clinic hours, benign massage only
	traps                     []trap
	contact, contactMessaging []string
	noPhone                   []string
	price                     []string
	titleEscort, titleMassage []string
	titleTag                  map[string]string // indicator -> short title phrase
	indicators                map[string][]string
	nationality               map[origin][]string
	obfuscatedLead            string
	greeting, farewell        string // wrap the text (Thai transliteration)
}

var poolsDA = &pools{
	openEscort1: []string{
		"Hej, jeg hedder {name} og er {age} år.",
		"Jeg er {name}, {age} år, selvstændig escort i {city}.",
		"Hej! {name} her, {age} år og bosat i {city}.",
		"Hej, jeg hedder {name}.",
		"Jeg er {name}, selvstændig escort i {city}.",
		"Hej! {name} her, bosat i {city}.",
	},
	openMassage1: []string{
		"Jeg hedder {name}, er {age} år og uddannet massør.",
		"Hej, jeg er {name} ({age}), massør i {city}.",
		"Jeg hedder {name} og er uddannet massør med egen klinik i {city}.",
		"Hej, jeg er {name}, massør i {city}.",
	},
	bodyEscort1: []string{
		"Jeg tilbyder diskret selskab, middage og hotelbesøg.",
		"Jeg tager imod i min egen hyggelige lejlighed tæt på centrum.",
		"Jeg elsker gode samtaler, god mad og et glas vin.",
		"Diskretion er en selvfølge, og jeg bestemmer selv mine tider.",
		"Jeg er varm, nærværende og glad for at møde nye mennesker.",
	},
	bodyMassage1: []string{
		"Jeg tilbyder klassisk massage, sportsmassage og hot stone.",
		"Afslappende olie-massage i rolige omgivelser.",
		"Jeg har mange års erfaring med nakke- og skuldermassage.",
		"Rolig musik, varme sten og god tid til dig.",
	},
	openEscort3: []string{
		"{name} ({age}) er sød, smilende og diskret.",
		"Søde {name} er {age} år og bor i {city}.",
		"{name} er sød, smilende og diskret.",
		"Søde {name} tager imod i {city}.",
	},
	openMassage3: []string{
		"{name} ({age}) giver dejlig afslappende massage.",
		"{name} giver dejlig afslappende massage i {city}.",
	},
	bodyEscort3: []string{
		"Hun tilbyder selskab og afslapning i diskret lejlighed.",
		"Hun kommer også gerne på hotel.",
		"Hun elsker at forkæle sine gæster.",
	},
	bodyMassage3: []string{
		"Hun tilbyder olie-massage og thaimassage.",
		"Hun tager imod i rolig lejlighed tæt på centrum.",
	},
	independent: []string{
		"Jeg kører selv og tager selv imod betaling.",
		"Jeg arbejder for mig selv og vælger selv, hvem jeg møder.",
	},
	hours: []string{
		"Åbent mandag til fredag 10-18.",
		"Tidsbestilling mandag-lørdag 9-17.",
		"Åbent hverdage 10-19, lørdag 10-14.",
	},
	traps: []trap{
		{text: "Min lejlighed ligger tæt på Nyhavn.", city: "København"},
		{text: "Ny frisure, samme smil."},
		{text: "Ung af sind og altid i godt humør."},
		{text: "Rene, friske håndklæder og bruser.", massageOnly: true},
		{text: "Åbent alle ugens dage 10-18.", massageOnly: true},
		{text: "Gratis parkering ved den døgnåbne tankstation lige overfor."},
		{text: "Ny ejer, samme gode massage.", massageOnly: true},
		{text: "Den bedste massage i byen, siger mine faste kunder.", massageOnly: true},
		{text: "Min lejlighed er en af de hyggeligste i byen."},
	},
	contact:          []string{"Ring {phone}", "Ring eller skriv: {phone}", "Tlf. {phone}", "Book en tid på {phone}"},
	contactMessaging: []string{"SMS: {phone}", "WhatsApp: {phone}"},
	noPhone:          []string{"Skriv til mig via beskedfunktionen her på siden."},
	price:            []string{"Pris: {price}.", "Timepris: {price}."},
	titleEscort: []string{
		"{name} – diskret selskab i {city}",
		"Elegant escort i {city}",
		"{name}, {age} – {city}",
		"Hyggeligt selskab i {city}",
		"Diskret escort – {name}",
	},
	titleMassage: []string{
		"Afslappende massage i {city}",
		"Klassisk massage – {name}",
		"Massage med ro på – {city}",
		"Sportsmassage i {city}",
	},
	titleTag: map[string]string{
		indNewInTown:    "Ny i byen",
		indAvailability: "Døgnåbent",
		indYouth:        "Ung og frisk",
	},
	indicators: map[string][]string{
		indThirdPerson: {"Hun venter på dig.", "Hun venter på dig i {city}.", "Hun glæder sig til at se dig.", "Ring og hør, om hun er ledig."},
		indController: {
			"Ring til min chauffør for booking.", "Booking via min manager.",
			"Kontakt vores booker for ledige tider.", "Spørg efter receptionisten, når du ringer.",
			"Min assistent tager telefonen.",
		},
		indTrust:         {"100% ægte billeder.", "100 % ægte billeder – ingen fake.", "Billederne er ægte, ingen fake.", "Garanteret ægte billeder."},
		indAvailability:  {"Døgnåbent.", "Åben 24/7.", "Alle ugens dage, dag og nat.", "Klar til dig døgnet rundt."},
		indNewInTown:     {"Ny i byen!", "Kun få dage i {city}.", "Ny i {city} – kun denne uge.", "Netop ankommet, kun til søndag."},
		indYouth:         {"Ung og frisk.", "Helt nyt ansigt.", "Ung, frisk og sød."},
		indNoLimits:      {"Ingen grænser.", "Alt er muligt.", "Også uden beskyttelse."},
		indMessagingOnly: {"Kun SMS.", "Kun SMS, ingen opkald.", "Skriv kun på WhatsApp, jeg tager ikke telefonen.", "Kun Telegram, ingen opkald."},
		indPayment:       {"Betal chaufføren ved ankomst.", "MobilePay til chaufføren før mødet.", "Betaling til receptionen ved døren."},
		indMultiple:      {"Vores piger venter på dig.", "Flere søde piger at vælge imellem.", "2 piger klar til dig.", "Nye piger hver uge."},
	},
	nationality: map[origin][]string{
		originRO:    {"Rumænsk skønhed.", "Smuk rumænsk pige."},
		originTH:    {"Eksotisk thaipige.", "Eksotisk asiatisk skønhed."},
		originLatin: {"Eksotisk latina."},
	},
	obfuscatedLead: "Ring til mig:",
}

var poolsEN = &pools{
	openEscort1: []string{
		"Hi, I'm {name}, {age}, an independent companion in {city}.",
		"{name} here, {age} years old and living in {city}.",
		"Hi, I'm {name}, an independent companion in {city}.",
		"{name} here, living in {city}.",
	},
	openMassage1: []string{
		"I'm {name}, {age}, a trained massage therapist in {city}.",
		"I'm {name}, a trained massage therapist with my own clinic in {city}.",
		"Hello, I'm {name} and I give massage in {city}.",
	},
	bodyEscort1: []string{
		"I offer discreet company, dinner dates and hotel visits.",
		"I receive in my own cosy flat near the centre.",
		"I love good conversation, good food and a glass of wine.",
		"Discretion is a matter of course, and I set my own hours.",
	},
	bodyMassage1: []string{
		"I offer classic massage, sports massage and hot stone.",
		"Relaxing oil massage in calm surroundings.",
		"Many years of experience with neck and shoulder massage.",
		"Traditional Thai massage and oil massage.",
	},
	openEscort3: []string{
		"{name} ({age}) is sweet, smiling and discreet.",
		"{name} is sweet, smiling and discreet.",
		"Lovely {name} receives in {city}.",
	},
	openMassage3: []string{
		"{name} ({age}) gives a lovely relaxing massage.",
		"{name} gives a lovely relaxing massage in {city}.",
	},
	bodyEscort3: []string{
		"She offers company and relaxation in a discreet flat.",
		"She is also happy to visit your hotel.",
		"She loves to spoil her guests.",
	},
	bodyMassage3: []string{
		"She offers oil massage and Thai massage.",
		"She receives in a calm flat near the centre.",
	},
	independent: []string{
		"I drive myself and handle my own bookings.",
		"I work for myself and choose who I meet.",
	},
	hours: []string{
		"Open Monday to Friday 10-18.",
		"Appointments Monday-Saturday 9-17.",
	},
	traps: []trap{
		{text: "My flat is downtown, close to the station."},
		{text: "Best massage in town, say my regulars.", massageOnly: true},
		{text: "The best company in town, say my regulars."},
		{text: "Fresh towels and a shower are always ready.", massageOnly: true},
		{text: "New haircut, same smile."},
		{text: "Young at heart and always curious."},
		{text: "Under new management, same cosy clinic.", massageOnly: true},
		{text: "Open every day 10-18.", massageOnly: true},
		{text: "Five minutes' walk from Nyhavn.", city: "København"},
	},
	contact:          []string{"Call {phone}", "Call or text {phone}", "Phone: {phone}"},
	contactMessaging: []string{"Text: {phone}", "WhatsApp: {phone}"},
	noPhone:          []string{"Message me through the site."},
	price:            []string{"Rate: {price}.", "Price per hour: {price}."},
	titleEscort: []string{
		"{name} – discreet companion in {city}",
		"Elegant companion, {city}",
		"{name}, classy and discreet",
		"{name}, {age}, {city}",
	},
	titleMassage: []string{
		"Relaxing massage in {city}",
		"Massage by {name}",
		"Oil massage in {city}",
	},
	titleTag: map[string]string{
		indNewInTown:    "New in town",
		indAvailability: "24/7",
		indYouth:        "Fresh new face",
	},
	indicators: map[string][]string{
		indThirdPerson:   {"She is waiting for you.", "She is waiting for you in {city}.", "She can't wait to meet you.", "Call and ask if she is free."},
		indController:    {"Call my manager for booking.", "Booking through my driver.", "Contact our booker for free times.", "Ask for reception when you call.", "My assistant answers the phone."},
		indTrust:         {"100% real photos, no fakes.", "Real photos guaranteed.", "No fake – 100% real pictures."},
		indAvailability:  {"Available 24/7.", "Open 24/7, no days off.", "Ready for you day and night, every day."},
		indNewInTown:     {"New in town!", "Only a few days in {city}.", "Just arrived, only until Sunday.", "New in {city} this week only."},
		indYouth:         {"Fresh new face.", "Young and fresh.", "Brand new face, young and sweet."},
		indNoLimits:      {"No limits.", "Everything possible.", "Also without protection."},
		indMessagingOnly: {"WhatsApp only, no calls.", "SMS only.", "Text only, I don't answer calls.", "Telegram only, no calls."},
		indPayment:       {"Pay the driver on arrival.", "Payment to my manager before we meet.", "Crypto only."},
		indMultiple:      {"Our girls are waiting for you.", "2 girls available.", "New girls every week.", "Several girls to choose from."},
	},
	nationality: map[origin][]string{
		originRO:    {"Sweet Romanian beauty.", "Romanian beauty."},
		originTH:    {"Exotic Thai girl.", "Exotic Asian beauty."},
		originLatin: {"Exotic Latina."},
	},
	obfuscatedLead: "Call me:",
}

// poolsTH is English with Thai greetings in Latin transliteration, as Thai
// advertisers on English sites often write.
var poolsTH = func() *pools {
	p := *poolsEN
	p.greeting = "Sawasdee ka 🙏"
	p.farewell = "Khob khun ka"
	return &p
}()

// poolsRO covers escort ads in Romanian on sim-nattelys, with the few
// indicators that have Romanian phrases.
var poolsRO = &pools{
	openEscort1: []string{
		"Bună! Sunt {name}, am {age} de ani și locuiesc în {city}.",
		"Bună! Sunt {name} și locuiesc în {city}.",
	},
	bodyEscort1: []string{
		"Sunt o escortă independentă, discretă și elegantă.",
		"Îmi place să cunosc oameni noi.",
		"Vorbesc română și engleză.",
	},
	openEscort3: []string{
		"{name} are {age} de ani și este dulce și discretă.",
		"{name} este dulce și discretă.",
	},
	bodyEscort3: []string{
		"Ea primește într-un apartament discret în {city}.",
	},
	independent:      []string{"Lucrez doar pentru mine."},
	contact:          []string{"Sună la {phone}."},
	contactMessaging: []string{"WhatsApp: {phone}"},
	noPhone:          []string{"Scrie-mi un mesaj pe site."},
	price:            []string{"Tarif pe oră: {price}."},
	titleEscort:      []string{"{name} – escortă în {city}", "{name}, discretă și elegantă"},
	titleTag:         map[string]string{indNewInTown: "Nouă în oraș"},
	indicators: map[string][]string{
		indThirdPerson:   {"Ea te așteaptă în {city}."},
		indTrust:         {"Poze 100% reale."},
		indAvailability:  {"Disponibilă non-stop."},
		indNewInTown:     {"Nouă în oraș!"},
		indMessagingOnly: {"Doar WhatsApp, fără apeluri."},
		indMultiple:      {"Fetele noastre te așteaptă."},
	},
	obfuscatedLead: "Sună-mă:",
}

var poolsByLang = map[string]*pools{"da": poolsDA, "en": poolsEN, "th": poolsTH, "ro": poolsRO}
