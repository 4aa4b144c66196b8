package simulator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/adwatch/adwatch/ad"
)

// riskyShare is the share of a site's ads that carry risk indicators; the
// rest are benign, so that a classifier is measured on false positives too.
const riskyShare = 0.4

// postingWindow is how far before Options.Reference ads are posted.
const postingWindow = 30 * 24 * time.Hour

// Streams of the PCG generator, one per site, so that one site's content
// does not shift when the other site's ad count changes. (sim-nattelys is
// generated second and re-draws a phone number sim-rosa already took, which
// with tens of millions of numbers almost never happens.)
const (
	streamRosa     = 0x726f7361       // "rosa"
	streamNattelys = 0x6e6174746c7973 // "nattlys"
)

// phone is one number as a page shows it and in E.164.
type phone struct{ shown, e164 string }

// adSpec is one generated ad with what the generator planted in it.
type adSpec struct {
	n         int // the ad's number in its URL, from 1 in posting order
	site      string
	lang      string
	category  string
	title     string
	lines     []string // the text, one element per line
	name      string
	city      string
	age       int // 0: not stated
	priceText string
	phones    []phone // the phone field; nil: none shown
	languages []string
	posted    time.Time

	indicators []string // planted, see Label
	group      string
	textPhones []phone // numbers written in the text only (obfuscated)
	planted    []string
}

func (a *adSpec) url() string {
	if a.site == SiteRosa {
		return "/annonce/" + strconv.Itoa(a.n)
	}
	return "/ads/" + strconv.Itoa(a.n)
}

func (a *adSpec) text() string { return strings.Join(a.lines, "\n") }

func (a *adSpec) raw() ad.Raw {
	r := ad.Raw{
		Site:      a.site,
		URL:       a.url(),
		Category:  a.category,
		PostedAt:  a.posted,
		Title:     a.title,
		Text:      a.text(),
		Name:      a.name,
		City:      a.city,
		Age:       a.age,
		PriceText: a.priceText,
		Languages: slices.Clone(a.languages),
	}
	for _, p := range a.phones {
		r.Phones = append(r.Phones, p.shown)
	}
	return r
}

func (a *adSpec) label() Label {
	l := Label{URL: a.url(), Lang: a.lang, Group: a.group, Indicators: slices.Clone(a.indicators)}
	for _, p := range a.phones {
		l.PhonesE164 = append(l.PhonesE164, p.e164)
	}
	for _, p := range a.textPhones {
		if !slices.Contains(l.PhonesE164, p.e164) {
			l.PhonesE164 = append(l.PhonesE164, p.e164)
		}
	}
	return l
}

// gen generates the ads of one site.
type gen struct {
	rng  *rand.Rand
	site string
	ref  time.Time
	used map[string]bool // E.164 numbers handed out on any site
}

// generate makes count ads for site. The fixtures (a hostile ad, an ad with
// an obfuscated phone, a persona-rotation group) come first while they fit
// whole; then generic risky ads up to riskyShare, then benign ones. Ads are
// numbered in posting order.
func generate(site string, count int, seed uint64, ref time.Time, used map[string]bool) []*adSpec {
	stream := uint64(streamRosa)
	if site == SiteNattelys {
		stream = streamNattelys
	}
	g := &gen{rng: rand.New(rand.NewPCG(seed, stream)), site: site, ref: ref, used: used}
	var ads []*adSpec
	fits := func(n int) bool { return len(ads)+n <= count }
	if fits(1) {
		ads = append(ads, g.generic(plan{hostile: true}))
	}
	if fits(1) {
		ads = append(ads, g.generic(plan{risky: true, obfuscate: true}))
	}
	if group := g.group(); fits(len(group)) {
		ads = append(ads, group...)
	}
	risky := 0
	for _, a := range ads {
		if len(a.indicators) > 0 {
			risky++
		}
	}
	wantRisky := int(math.Round(riskyShare * float64(count)))
	for len(ads) < count {
		r := risky < wantRisky
		ads = append(ads, g.generic(plan{risky: r}))
		if r {
			risky++
		}
	}
	slices.SortStableFunc(ads, func(a, b *adSpec) int { return a.posted.Compare(b.posted) })
	for i, a := range ads {
		a.n = i + 1
	}
	return ads
}

// plan says what kind of generic ad to make.
type plan struct {
	risky     bool
	obfuscate bool // phone written in the text only, with number words or keycaps
	hostile   bool // benign, but with markup in title and text
}

func (g *gen) intn(n int) int          { return g.rng.IntN(n) }
func (g *gen) chance(p float64) bool   { return g.rng.Float64() < p }
func (g *gen) pick(xs []string) string { return xs[g.intn(len(xs))] }
func (g *gen) between(lo, hi int) int  { return lo + g.intn(hi-lo+1) }
func (g *gen) postedAt() time.Time {
	return g.ref.Add(-time.Duration(1+g.intn(int(postingWindow/time.Minute))) * time.Minute)
}
func (g *gen) pickCity() string         { return g.pick(cities) }
func (g *gen) pickName(o origin) string { return g.pick(names[o]) }

// pickT picks a template, skipping those that need an age the ad lacks.
func (g *gen) pickT(pool []string, age int) string {
	var ok []string
	for _, t := range pool {
		if age > 0 || !strings.Contains(t, "{age}") {
			ok = append(ok, t)
		}
	}
	return g.pick(ok)
}

func (g *gen) lang() string {
	r := g.rng.Float64()
	if g.site == SiteRosa {
		if r < 0.85 {
			return "da"
		}
		return "en"
	}
	switch {
	case r < 0.8:
		return "en"
	case r < 0.9:
		return "ro"
	default:
		return "th"
	}
}

func (g *gen) origin(lang string, risky bool) origin {
	switch lang {
	case "ro":
		return originRO
	case "th":
		return originTH
	}
	r := g.rng.Float64()
	dk := 0.6
	if risky {
		dk = 0.35
	}
	switch {
	case r < dk:
		return originDK
	case r < dk+(1-dk)*0.4:
		return originRO
	case r < dk+(1-dk)*0.8:
		return originTH
	default:
		return originLatin
	}
}

func (g *gen) generic(pl plan) *adSpec {
	lang := g.lang()
	if pl.obfuscate || pl.hostile {
		// Keep fixtures in the site's main language so they read naturally.
		lang = map[string]string{SiteRosa: "da", SiteNattelys: "en"}[g.site]
	}
	p := poolsByLang[lang]
	o := g.origin(lang, pl.risky)
	a := &adSpec{site: g.site, lang: lang, category: "escort", name: g.pickName(o), city: g.pickCity(), posted: g.postedAt()}
	massageShare := map[string]float64{SiteRosa: 0.3, SiteNattelys: 0.15}[g.site]
	if lang == "th" {
		massageShare = 0.5
	}
	if lang != "ro" && !pl.obfuscate && g.chance(massageShare) {
		a.category = "massage"
	}
	// Benign personas are 24 or older, so that a benign ad carries no
	// indicator at all (stated_age_18_23 is a field indicator).
	if !g.chance(0.1) {
		if pl.risky {
			a.age = g.between(19, 34)
		} else {
			a.age = g.between(24, 48)
		}
	}
	picks := g.pickIndicators(p, o, pl)
	low := g.setPrice(a, pl)
	foreign := g.setPhones(a, o, pl)
	if !g.chance(0.1) {
		a.languages = g.languages(lang, o)
	}
	lines := g.compose(a, p, o, pl, picks)
	g.setTitle(a, p, pl, picks)
	if pl.hostile {
		a.title += ` <script>alert("xss")</script>`
		lines = append(lines, hostileLines[g.site]...)
	}
	a.lines = normalizeLines(lines)
	a.title = normalizeLine(a.title)

	a.indicators = picks
	if pl.obfuscate {
		a.indicators = append(a.indicators, indObscured)
	}
	if foreign {
		a.indicators = append(a.indicators, indForeignNumber)
	}
	if low {
		a.indicators = append(a.indicators, indBelowMarket)
	}
	if len(a.indicators) > 0 && a.age > 0 && a.age <= 23 {
		a.indicators = append(a.indicators, indAge18to23)
	}
	slices.Sort(a.indicators)
	return a
}

// setPrice gives a an hourly price in the usual range for its category, or
// a below-market one (some risky ads), or none (a few). It reports whether
// the price is below market.
func (g *gen) setPrice(a *adSpec, pl plan) (low bool) {
	massage := a.category == "massage"
	low = pl.risky && g.chance(0.2)
	var kr int
	switch {
	case massage && low:
		kr = 250 + 50*g.intn(3)
	case massage:
		kr = 450 + 50*g.intn(12)
	case low:
		kr = 400 + 50*g.intn(5)
	default:
		kr = 1200 + 100*g.intn(14)
	}
	if g.chance(0.05) && !low {
		return false // not stated
	}
	a.priceText = g.priceText(kr)
	return low
}

// setPhones gives a its phone field: usually one number, sometimes two,
// sometimes none; for the obfuscated fixture a number in the text only.
// Some risky personas of Romanian or Thai origin get a number from home;
// it reports whether a did.
func (g *gen) setPhones(a *adSpec, o origin, pl plan) (foreign bool) {
	switch {
	case pl.obfuscate:
		a.textPhones = []phone{g.dkPhone()}
	case g.chance(0.07) && !pl.hostile:
		// no phone at all: contact through the site
	default:
		if pl.risky && (o == originRO || o == originTH) && g.chance(0.4) {
			a.phones = append(a.phones, g.foreignPhone(o))
			foreign = true
		} else {
			a.phones = append(a.phones, g.dkPhone())
		}
		if g.chance(0.1) {
			a.phones = append(a.phones, g.dkPhone())
		}
	}
	return foreign
}

// fill puts a's fields into a template.
func (a *adSpec) fill(t string) string {
	return strings.NewReplacer("{name}", a.name, "{city}", a.city, "{age}", strconv.Itoa(a.age), "{price}", a.priceText).Replace(t)
}

// compose writes the text of a: an opener and one or two body lines in the
// ad's voice, independence or clinic-hours lines and a look-alike trap on
// benign ads, one phrase per picked indicator, maybe the price, and the
// contact line. Planted phrases are recorded in a.planted.
func (g *gen) compose(a *adSpec, p *pools, o origin, pl plan, picks []string) []string {
	third := slices.Contains(picks, indThirdPerson)
	massage := a.category == "massage"
	var lines []string
	if p.greeting != "" {
		lines = append(lines, p.greeting)
	}
	open, body := p.openEscort1, p.bodyEscort1
	switch {
	case third && massage:
		open, body = p.openMassage3, p.bodyMassage3
	case third:
		open, body = p.openEscort3, p.bodyEscort3
	case massage:
		open, body = p.openMassage1, p.bodyMassage1
	}
	lines = append(lines, a.fill(g.pickT(open, a.age)))
	for _, i := range g.rng.Perm(len(body))[:min(len(body), 1+g.intn(2))] {
		lines = append(lines, a.fill(body[i]))
	}
	if !pl.risky && !third && len(p.independent) > 0 && !massage && g.chance(0.4) {
		lines = append(lines, g.pick(p.independent))
	}
	if !pl.risky && massage && len(p.hours) > 0 && g.chance(0.6) {
		lines = append(lines, g.pick(p.hours))
	}
	for _, id := range picks {
		var phrase string
		if id == indNationality {
			phrase = g.pick(p.nationality[o])
		} else {
			phrase = a.fill(g.pick(p.indicators[id]))
		}
		a.planted = append(a.planted, phrase)
		if g.chance(0.35) {
			lines[len(lines)-1] += " " + phrase
		} else {
			lines = append(lines, phrase)
		}
	}
	if !pl.risky && g.chance(0.5) {
		if t, ok := g.trap(p, a); ok {
			lines = append(lines, t)
		}
	}
	if a.priceText != "" && g.chance(0.3) {
		lines = append(lines, a.fill(g.pick(p.price)))
	}
	switch {
	case pl.obfuscate:
		lines = append(lines, p.obfuscatedLead+" "+g.obfuscate(a.textPhones[0]))
	case len(a.phones) > 0 && g.chance(0.7):
		contact := p.contact
		if slices.Contains(picks, indMessagingOnly) {
			contact = p.contactMessaging
		}
		lines = append(lines, strings.ReplaceAll(g.pick(contact), "{phone}", a.phones[0].shown))
	case len(a.phones) == 0:
		lines = append(lines, g.pick(p.noPhone))
	}
	if p.farewell != "" {
		lines = append(lines, p.farewell)
	}
	return lines
}

// setTitle gives a a neutral title, or on some risky ads one led by an
// indicator's short phrase ("Ny i byen – Sofie"), sometimes with an emoji.
func (g *gen) setTitle(a *adSpec, p *pools, pl plan, picks []string) {
	titles := p.titleEscort
	if a.category == "massage" {
		titles = p.titleMassage
	}
	a.title = a.fill(g.pickT(titles, a.age))
	if pl.risky {
		for _, id := range picks {
			if tag, ok := p.titleTag[id]; ok && g.chance(0.3) {
				a.title = tag + " – " + a.name
				a.planted = append(a.planted, tag)
				break
			}
		}
	}
	if g.chance(0.25) {
		a.title += " " + g.pick(decorations)
	}
}

// pickIndicators chooses the text indicators of a risky ad: one to four,
// plus none to two for the obfuscated-phone fixture (whose phone is already
// an indicator). An ad about several persons speaks about them, so
// multiple_persons_in_ad brings third_person_language with it.
func (g *gen) pickIndicators(p *pools, o origin, pl plan) []string {
	if !pl.risky {
		return nil
	}
	var eligible []string
	for _, id := range textIndicators {
		if len(p.indicators[id]) > 0 || (id == indNationality && len(p.nationality[o]) > 0) {
			eligible = append(eligible, id)
		}
	}
	k := 1 + g.intn(4)
	if pl.obfuscate {
		k = g.intn(3)
	}
	var picks []string
	for _, i := range g.rng.Perm(len(eligible))[:min(k, len(eligible))] {
		picks = append(picks, eligible[i])
	}
	if slices.Contains(picks, indMultiple) && !slices.Contains(picks, indThirdPerson) {
		if len(picks) == 4 {
			i := slices.IndexFunc(picks, func(id string) bool { return id != indMultiple })
			picks = slices.Delete(picks, i, i+1)
		}
		picks = append(picks, indThirdPerson)
	}
	return picks
}

func (g *gen) trap(p *pools, a *adSpec) (string, bool) {
	var ok []string
	for _, t := range p.traps {
		if (t.massageOnly && a.category != "massage") || (t.city != "" && t.city != a.city) {
			continue
		}
		ok = append(ok, t.text)
	}
	if len(ok) == 0 {
		return "", false
	}
	return g.pick(ok), true
}

// hostileLines are markup that crawled content may carry, appended to the
// hostile fixture's text (its title gets a script tag). Served escaped, they
// must come out of a correct crawler as these literal characters, and never
// run in a browser. The &amp; is literal text too, to catch a crawler that
// unescapes twice.
var hostileLines = map[string][]string{
	SiteRosa: {
		`Se flere billeder: <img src=x onerror=alert(1)>`,
		`Tags: </div><b>fed</b> &amp; "citat" 5 < 6`,
	},
	SiteNattelys: {
		`More photos: <img src=x onerror=alert(1)>`,
		`Tags: </div><b>bold</b> &amp; "quote" 5 < 6`,
	},
}

func (g *gen) languages(lang string, o origin) []string {
	spell := languageNames[g.site]
	text := lang
	if lang == "th" {
		text = "en" // English with a Thai greeting
	}
	codes := []string{nativeLang[o]}
	if !slices.Contains(codes, text) {
		codes = append(codes, text)
	}
	if !slices.Contains(codes, "en") && (lang == "ro" || g.chance(0.6)) {
		codes = append(codes, "en")
	}
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = spell[c]
	}
	return out
}

// priceText is the hourly price as the site shows it; sim-rosa writes
// thousands the Danish way half of the time ("1.500 kr/time").
func (g *gen) priceText(kr int) string {
	if g.site == SiteNattelys {
		return fmt.Sprintf("%d DKK", kr)
	}
	s := strconv.Itoa(kr)
	if kr >= 1000 && g.chance(0.5) {
		s = s[:len(s)-3] + "." + s[len(s)-3:]
	}
	return s + " kr/time"
}

// dkPhone returns a fresh Danish number, shown as the site writes them.
func (g *gen) dkPhone() phone {
	var d string
	for {
		d = g.pick(dkPrefixes) + fmt.Sprintf("%06d", g.intn(1000000))
		if !g.used["+45"+d] {
			break
		}
	}
	g.used["+45"+d] = true
	spaced := d[0:2] + " " + d[2:4] + " " + d[4:6] + " " + d[6:8]
	var shown string
	r := g.rng.Float64()
	if g.site == SiteNattelys {
		shown = "+45 " + d
		if r < 0.3 {
			shown = "+45 " + spaced
		}
	} else {
		switch {
		case r < 0.6:
			shown = spaced
		case r < 0.8:
			shown = "+45 " + d
		case r < 0.9:
			shown = d
		default:
			shown = "+45 " + spaced
		}
	}
	return phone{shown: shown, e164: "+45" + d}
}

// foreignPhone returns a fresh Romanian (+40 7xx) or Thai (+66 8x) mobile
// number for a persona of that origin.
func (g *gen) foreignPhone(o origin) phone {
	for {
		var p phone
		if o == originRO {
			d := fmt.Sprintf("7%d%07d", 2+g.intn(6), g.intn(10000000))
			p = phone{shown: "+40 " + d[0:3] + " " + d[3:6] + " " + d[6:9], e164: "+40" + d}
		} else {
			d := fmt.Sprintf("%d%08d", []int{6, 8, 9}[g.intn(3)], g.intn(100000000))
			p = phone{shown: "+66 " + d[0:2] + " " + d[2:5] + " " + d[5:9], e164: "+66" + d}
		}
		if !g.used[p.e164] {
			g.used[p.e164] = true
			return p
		}
	}
}

// obfuscate writes a Danish number to evade scrapers: on sim-rosa as a mix
// of Danish number words and digits ("to otte 6 3 ni nul 1 4"), on
// sim-nattelys as keycap emoji in pairs ("2️⃣8️⃣ 6️⃣3️⃣ …"). Both are
// recoverable with the normalisation INDICATORS.md describes.
func (g *gen) obfuscate(p phone) string {
	digits := strings.TrimPrefix(p.e164, "+45")
	parts := make([]string, 0, len(digits))
	if g.site == SiteNattelys {
		for i := 0; i < len(digits); i += 2 {
			parts = append(parts, keycap(digits[i])+keycap(digits[i+1]))
		}
		return strings.Join(parts, " ")
	}
	for i := range len(digits) {
		// At least every other digit is a word, so that the plain number
		// never appears.
		if i%2 == 0 || g.chance(0.4) {
			parts = append(parts, danishDigits[digits[i]-'0'])
		} else {
			parts = append(parts, digits[i:i+1])
		}
	}
	return strings.Join(parts, " ")
}

// keycap is a digit as a keycap emoji: digit, VS16, combining enclosing keycap.
func keycap(d byte) string { return string(rune(d)) + "\uFE0F\u20E3" }

// group makes the persona-rotation fixture: one phone behind several
// persona names, ages and cities within nine days, with one template text.
// Its members carry the cross-ad indicators a careful annotator would give
// them (see INDICATORS.md) besides their text indicators.
func (g *gen) group() []*adSpec {
	size, lang, groupID := 4, "da", "rosa-grp-1"
	var ph phone
	if g.site == SiteNattelys {
		size, lang, groupID = 3, "en", "nattelys-grp-1"
		ph = g.foreignPhone(originRO)
	} else {
		ph = g.dkPhone()
		ph.shown = "+45 " + strings.TrimPrefix(ph.e164, "+45")
	}
	nameIdx := g.rng.Perm(len(names[originRO]))
	cityIdx := permDistinct(g, cities)
	start := g.ref.Add(-time.Duration(12+g.intn(14)) * 24 * time.Hour)
	price := 1200 + 100*g.intn(6)
	var out []*adSpec
	for i := range size {
		a := &adSpec{
			site:     g.site,
			lang:     lang,
			category: "escort",
			name:     names[originRO][nameIdx[i]],
			city:     cityIdx[i],
			age:      g.between(21, 26),
			phones:   []phone{ph},
			group:    groupID,
			posted:   start.Add(time.Duration(i*(48+g.intn(24))+g.intn(12)) * time.Hour).Add(time.Duration(g.intn(60)) * time.Minute),
		}
		var lines []string
		if g.site == SiteRosa {
			a.priceText = fmt.Sprintf("%d.%03d kr/time", price/1000, price%1000)
			a.languages = []string{"Rumænsk", "Engelsk"}
			a.title = fmt.Sprintf("%s – ny i %s", a.name, a.city)
			lines = []string{
				fmt.Sprintf("Smukke %s (%d) er ny i byen og venter på dig i %s.", a.name, a.age, a.city),
				"Ring til min chauffør for booking: " + ph.shown,
				"100% ægte billeder.",
			}
			a.planted = []string{"ny i byen", "venter på dig", "Ring til min chauffør", "100% ægte billeder."}
			// A fluent Danish text for a persona who speaks no Danish.
			a.indicators = []string{indLanguageGap}
		} else {
			a.priceText = fmt.Sprintf("%d DKK", price)
			a.languages = []string{"Romanian"}
			a.title = fmt.Sprintf("Sweet %s, new in %s", a.name, a.city)
			lines = []string{
				fmt.Sprintf("Sweet %s (%d) is new in town and waiting for you in %s.", a.name, a.age, a.city),
				"Booking through my manager: " + ph.shown,
				"100% real photos, no fakes.",
			}
			a.planted = []string{"new in town", "waiting for you", "Booking through my manager", "100% real photos, no fakes."}
			// English text for a persona who speaks neither Danish nor English.
			a.indicators = []string{indLanguageGap, indLanguageBarrier, indForeignNumber}
		}
		a.lines = normalizeLines(lines)
		a.indicators = append(a.indicators,
			indThirdPerson, indNewInTown, indController, indTrust,
			indManyPersonas, indTemplate, indRotation, indDrift, indPriceTable)
		if a.age <= 23 {
			a.indicators = append(a.indicators, indAge18to23)
		}
		slices.Sort(a.indicators)
		out = append(out, a)
	}
	return out
}

// permDistinct returns the distinct values of xs in random order.
func permDistinct(g *gen, xs []string) []string {
	var out []string
	for _, i := range g.rng.Perm(len(xs)) {
		if !slices.Contains(out, xs[i]) {
			out = append(out, xs[i])
		}
	}
	return out
}

// normalizeLine folds runs of white space to one space and trims, which is
// what an HTML text extractor does to a line; generated text is kept in
// that form so that ground truth and extraction agree.
func normalizeLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// normalizeLines normalises each line and drops empty ones.
func normalizeLines(lines []string) []string {
	out := lines[:0]
	for _, l := range lines {
		if l = normalizeLine(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
