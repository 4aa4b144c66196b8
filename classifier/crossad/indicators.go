package crossad

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/adwatch/adwatch/ad"
)

// The cross-ad indicator ids of INDICATORS.md, and below_market_price,
// which needs the market of many ads.
const (
	ManyPersonasPerContact = "many_personas_per_contact"
	ManyContactsPerPersona = "many_contacts_per_persona"
	RapidCityRotation      = "rapid_city_rotation"
	NearDuplicateTemplate  = "near_duplicate_template"
	PersonaAttributeDrift  = "persona_attribute_drift"
	ImageReuse             = "image_reuse"
	SharedPriceTable       = "shared_price_table"
	PostingBurstVolume     = "posting_burst_volume"
	BelowMarketPrice       = "below_market_price"
)

// IDs lists the indicators this package computes, in the order an ad's
// indicators are returned.
var IDs = []string{
	ManyPersonasPerContact, ManyContactsPerPersona, RapidCityRotation, NearDuplicateTemplate,
	PersonaAttributeDrift, ImageReuse, SharedPriceTable, PostingBurstVolume, BelowMarketPrice,
}

// Families of the scoring file (configs/rules/scoring.yaml) the indicators
// score in: structural families feed organised_activity, pricing ad risk.
var families = map[string]string{
	ManyPersonasPerContact: "persona_linking",
	ManyContactsPerPersona: "persona_linking",
	PersonaAttributeDrift:  "persona_linking",
	ImageReuse:             "persona_linking",
	RapidCityRotation:      "city_rotation",
	NearDuplicateTemplate:  "template_reuse",
	SharedPriceTable:       "template_reuse",
	PostingBurstVolume:     "posting_volume",
	BelowMarketPrice:       "pricing",
}

// Start weights (INDICATORS.md): the points a linked indicator brings to
// (*classifier.Rules).ClassifyLinked.
const (
	wManyPersonas    = 1.0 // +wPersonaStep per persona over the minimum, up to wManyPersonasMax
	wPersonaStep     = 0.25
	wManyPersonasMax = 1.5
	wManyContacts    = 0.5
	wRotation        = 0.5
	wRotationLinked  = 1.0 // with many_personas_per_contact or many_contacts_per_persona
	wTemplate        = 1.0
	wDrift           = 0.5
	wImageReuse      = 0.75
	wPriceTable      = 0.25
	wBurst           = 0.25
	wBelowMarket     = 0.25
)

// EvidenceField is the field of the evidence that says what linked: its
// Text names the linked ads, the contact's hash prefix and the window,
// never a phone number.
const EvidenceField = ad.FieldCrossAd

func indicator(id string, points float64, explain string, slots ...ad.Evidence) ad.Indicator {
	ev := append([]ad.Evidence{{Field: EvidenceField, Text: explain}}, slots...)
	return ad.Indicator{ID: id, Family: families[id], Contribution: points, Evidence: ev}
}

// structural computes the cross-ad indicators of a (all but
// below_market_price) from nb, the ads that share a key with it: a
// contact, a template band or an image. It is the one computation behind
// Batch and the Linker, so both give the same answers: it is deterministic
// and depends only on the ads within LinkWindow of a.
func (o *Options) structural(a *entry, nb []*entry) []ad.Indicator {
	lw := int64(o.LinkWindow / time.Second)
	set := []*entry{a}
	seen := map[string]bool{a.ID: true}
	for _, b := range nb {
		if seen[b.ID] || abs(b.T-a.T) > lw {
			continue
		}
		seen[b.ID] = true
		set = append(set, b)
	}
	slices.SortFunc(set, byTime)

	var tmpl, img []*entry
	for _, b := range set {
		if b == a || o.nearIdentical(a, b) {
			tmpl = append(tmpl, b)
		}
		if b == a || o.samePhoto(a, b) {
			img = append(img, b)
		}
	}
	byContact := make([][]*entry, len(a.Contacts))
	for i, c := range a.Contacts {
		for _, b := range set {
			if slices.Contains(b.Contacts, c) {
				byContact[i] = append(byContact[i], b)
			}
		}
	}

	var out []ad.Indicator
	personas, contacts := false, false

	// many_personas_per_contact
	{
		var best window
		bestC := -1
		for i, s := range byContact {
			if w := o.bestWindow(s, a, o.PersonaWindow, personaCount); w.better(best) {
				best, bestC = w, i
			}
		}
		if best.n >= o.MinPersonas {
			personas = true
			pts := min(wManyPersonasMax, wManyPersonas+wPersonaStep*float64(best.n-o.MinPersonas))
			out = append(out, indicator(ManyPersonasPerContact, pts,
				fmt.Sprintf("%d %s on one contact (%s) %s: %s", best.n, best.what, HashPrefix(a.Contacts[bestC]), span(best.ads), adList(best.ads)),
				nameSlot(a)...))
		}
	}

	// many_contacts_per_persona
	{
		var persona []*entry
		switch {
		case a.name != "":
			for _, b := range union(tmpl, img) {
				if b.name == a.name {
					persona = append(persona, b)
				}
			}
		case len(a.Images) > 0:
			persona = img
		}
		var cs []string
		for _, b := range persona {
			cs = append(cs, b.Contacts...)
		}
		slices.Sort(cs)
		cs = slices.Compact(cs)
		if len(cs) >= o.MinContacts {
			contacts = true
			who := "one persona"
			if a.Name != "" {
				who = fmt.Sprintf("one persona (%s)", a.Name)
			}
			pre := make([]string, len(cs))
			for i, c := range cs {
				pre[i] = HashPrefix(c)
			}
			out = append(out, indicator(ManyContactsPerPersona, wManyContacts,
				fmt.Sprintf("%s with %d contacts (%s) %s: %s", who, len(cs), joinList(pre), span(persona), adList(persona)),
				nameSlot(a)...))
		}
	}

	// rapid_city_rotation
	{
		var best window
		on := ""
		for i, s := range byContact {
			if w := o.bestWindow(s, a, o.RotationWindow, cityCount); w.better(best) {
				best, on = w, "one contact ("+HashPrefix(a.Contacts[i])+")"
			}
		}
		if w := o.bestWindow(tmpl, a, o.RotationWindow, cityCount); w.better(best) {
			best, on = w, "one text template"
		}
		if best.n >= o.MinCities {
			pts := wRotation
			if personas || contacts {
				pts = wRotationLinked
			}
			out = append(out, indicator(RapidCityRotation, pts,
				fmt.Sprintf("%d %s on %s %s: %s", best.n, best.what, on, span(best.ads), adList(best.ads)),
				citySlot(a)...))
		}
	}

	// near_duplicate_template
	if n, names := o.distinctAds(tmpl), distinctNames(tmpl); n >= o.MinTemplateAds && len(names) >= o.MinTemplateNames {
		out = append(out, indicator(NearDuplicateTemplate, wTemplate,
			fmt.Sprintf("%d near-identical texts (names, ages, cities and numbers masked) with %d names (%s) %s: %s", n, len(names), joinList(names), span(tmpl), adList(tmpl)),
			nameSlot(a)...))
	}

	// persona_attribute_drift
	{
		same := union(tmpl, img)
		var why []string
		if names := distinctNames(same); len(names) >= 2 {
			why = append(why, fmt.Sprintf("%d names (%s)", len(names), joinList(names)))
		}
		if ages := distinctAges(same); len(ages) >= 2 && ages[len(ages)-1]-ages[0] >= 2 {
			why = append(why, fmt.Sprintf("ages %s", joinList(intStrings(ages))))
		}
		if nats := distinctNats(same); len(nats) >= 2 {
			why = append(why, fmt.Sprintf("nationalities %s", joinList(nats)))
		}
		if len(why) > 0 {
			what := "the same text"
			if len(img) > 1 {
				what = "the same text or photos"
			}
			out = append(out, indicator(PersonaAttributeDrift, wDrift,
				fmt.Sprintf("%s with %s %s: %s", what, strings.Join(why, "; "), span(same), adList(same)),
				nameSlot(a)...))
		}
	}

	// image_reuse
	if len(a.Images) > 0 {
		var others []*entry
		for _, b := range img {
			if b != a && (b.name != a.name || !shareContact(a, b)) {
				others = append(others, b)
			}
		}
		if len(others) > 0 {
			out = append(out, indicator(ImageReuse, wImageReuse,
				fmt.Sprintf("a photo of this ad is in %d ads of other personas or contacts: %s", len(others), adList(others))))
		}
	}

	// shared_price_table
	if a.Prices != "" {
		var s []*entry
		for _, b := range union(append(slices.Concat(byContact...), tmpl...)) {
			if b.Prices == a.Prices {
				s = append(s, b)
			}
		}
		if names := distinctNames(s); len(names) >= o.MinPriceTablePersonas {
			out = append(out, indicator(SharedPriceTable, wPriceTable,
				fmt.Sprintf("one price table (%s) across %d personas (%s) on one contact or text template %s: %s", a.Prices, len(names), joinList(names), span(s), adList(s))))
		}
	}

	// posting_burst_volume
	{
		var best window
		bestC := -1
		for i, s := range byContact {
			count := func(ws []*entry) (int, string) { return o.distinctAds(ws), "ads" }
			if w := o.bestWindow(s, a, o.BurstWindow, count); w.better(best) {
				best, bestC = w, i
			}
		}
		if best.n >= o.MinBurst {
			out = append(out, indicator(PostingBurstVolume, wBurst,
				fmt.Sprintf("%d ads (reposts counted once) on one contact (%s) %s: %s", best.n, HashPrefix(a.Contacts[bestC]), span(best.ads), adList(best.ads))))
		}
	}
	return out
}

// nearIdentical: texts of one template, near enough in time.
func (o *Options) nearIdentical(a, b *entry) bool {
	return shareBand(a.Sig, b.Sig) && similarity(a.Sig, b.Sig) >= o.Similarity
}

// samePhoto: an image hash of a within MaxImageDistance of one of b's.
func (o *Options) samePhoto(a, b *entry) bool {
	d := max(o.MaxImageDistance, 0)
	for _, x := range a.Images {
		for _, y := range b.Images {
			if bits.OnesCount64(x^y) <= d {
				return true
			}
		}
	}
	return false
}

// duplicate: a repost, counted once — same contact, near-identical text,
// same persona (name, age and city).
func (o *Options) duplicate(a, b *entry) bool {
	return shareContact(a, b) && a.name == b.name && a.Age == b.Age && a.city == b.city &&
		a.Sig.ok() && b.Sig.ok() && similarity(a.Sig, b.Sig) >= o.Similarity
}

// distinctAds counts the ads of s with reposts counted once: the
// connected groups of the duplicate relation.
func (o *Options) distinctAds(s []*entry) int {
	parent := make([]int, len(s))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	n := len(s)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if ri, rj := find(i), find(j); ri != rj && o.duplicate(s[i], s[j]) {
				parent[rj] = ri
				n--
			}
		}
	}
	return n
}

// window is the best group of ads within one time window around an ad.
type window struct {
	n    int
	what string
	ads  []*entry
}

// better: more, then tighter.
func (w window) better(than window) bool {
	if w.n != than.n {
		return w.n > than.n
	}
	return w.n > 0 && than.n > 0 && spanOf(w.ads) < spanOf(than.ads)
}

// bestWindow finds, among the windows of width w that contain a, the one
// in which count is highest (then the tightest, then the earliest). s is
// sorted by time. Any window holding a can be shifted to start at one of
// its ads without losing any, so starting at each ad is enough.
func (o *Options) bestWindow(s []*entry, a *entry, w time.Duration, count func([]*entry) (int, string)) window {
	width := int64(w / time.Second)
	var best window
	for i, start := range s {
		if start.T > a.T {
			break
		}
		if start.T+width < a.T {
			continue
		}
		j := i
		for j < len(s) && s[j].T <= start.T+width {
			j++
		}
		ws := s[i:j:j]
		n, what := count(ws)
		if cand := (window{n: n, what: what, ads: ws}); cand.better(best) {
			best = cand
		}
	}
	return best
}

// personaCount: the distinct persona names of s, or, where the ads show
// fewer names than ages, the clusters of clearly different ages (two years
// or more apart).
func personaCount(s []*entry) (int, string) {
	names := distinctNames(s)
	ages := distinctAges(s)
	clusters := []string{}
	for i, a := range ages {
		if i == 0 || a-ages[i-1] >= 2 {
			clusters = append(clusters, fmt.Sprint(a))
		}
	}
	if len(clusters) > len(names) {
		return len(clusters), fmt.Sprintf("inconsistent ages (%s)", joinList(clusters))
	}
	return len(names), fmt.Sprintf("personas (%s)", joinList(names))
}

func cityCount(s []*entry) (int, string) {
	var cities []string
	seen := map[string]bool{}
	for _, e := range s {
		if e.city != "" && !seen[e.city] {
			seen[e.city] = true
			cities = append(cities, e.City)
		}
	}
	return len(cities), fmt.Sprintf("cities (%s)", joinList(cities))
}

// distinctNames returns the persona names of s in order of first
// appearance, as first written.
func distinctNames(s []*entry) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range s {
		if e.name != "" && !seen[e.name] {
			seen[e.name] = true
			out = append(out, e.Name)
		}
	}
	return out
}

func distinctAges(s []*entry) []int {
	var out []int
	for _, e := range s {
		if e.Age > 0 {
			out = append(out, e.Age)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func distinctNats(s []*entry) []string {
	var sets []string
	for _, e := range s {
		if len(e.Nats) > 0 {
			sets = append(sets, strings.Join(e.Nats, "/"))
		}
	}
	slices.Sort(sets)
	return slices.Compact(sets)
}

func shareContact(a, b *entry) bool {
	for _, c := range a.Contacts {
		if slices.Contains(b.Contacts, c) {
			return true
		}
	}
	return false
}

// union merges lists of entries, once each, in time order.
func union(lists ...[]*entry) []*entry {
	var out []*entry
	seen := map[*entry]bool{}
	for _, l := range lists {
		for _, e := range l {
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, byTime)
	return out
}

func byTime(x, y *entry) int { return cmp.Or(cmp.Compare(x.T, y.T), strings.Compare(x.ID, y.ID)) }

func spanOf(s []*entry) int64 {
	if len(s) == 0 {
		return 0
	}
	lo, hi := s[0].T, s[0].T
	for _, e := range s {
		lo, hi = min(lo, e.T), max(hi, e.T)
	}
	return hi - lo
}

// span says how far apart the ads of s were posted: calendar days, or
// hours or minutes within a day.
func span(s []*entry) string {
	if len(s) == 0 {
		return ""
	}
	lo, hi := s[0], s[0]
	for _, e := range s {
		if e.T < lo.T {
			lo = e
		}
		if e.T > hi.T {
			hi = e
		}
	}
	d := time.Duration(hi.T-lo.T) * time.Second
	switch {
	case d < time.Hour:
		return fmt.Sprintf("within %d minutes", max(1, int((d+time.Minute-1)/time.Minute)))
	case d < 24*time.Hour:
		return fmt.Sprintf("within %d hours", int((d+time.Hour-1)/time.Hour))
	}
	y1, m1, d1 := lo.time().Date()
	y2, m2, d2 := hi.time().Date()
	days := int(time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC).Sub(time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
	return fmt.Sprintf("within %d days", days)
}

// adList names the linked ads, at most eight.
func adList(s []*entry) string {
	const most = 8
	var ids []string
	for i, e := range s {
		if i == most {
			ids = append(ids, fmt.Sprintf("and %d more", len(s)-most))
			break
		}
		ids = append(ids, idText(e.ID))
	}
	return "ads " + strings.Join(ids, ", ")
}

// idText is an ad id as evidence names it: whole when a crawler made it,
// so that the UI can link it; otherwise (ids from a file) made safe like
// any other ad-derived text.
func idText(id string) string {
	if ad.IsNewID(id) {
		return id
	}
	return safeText(id)
}

func joinList(s []string) string { return strings.Join(s, ", ") }

func intStrings(ns []int) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = fmt.Sprint(n)
	}
	return out
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// nameSlot and citySlot locate the ad's own slot value, where the entry
// holds it as the raw field has it.
func nameSlot(e *entry) []ad.Evidence {
	if e.Name == "" || e.Slots&slotNameVerbatim == 0 {
		return nil
	}
	return []ad.Evidence{{Field: "name", Start: 0, End: len(e.Name), Text: e.Name}}
}

func citySlot(e *entry) []ad.Evidence {
	if e.City == "" || e.Slots&slotCityVerbatim == 0 {
		return nil
	}
	return []ad.Evidence{{Field: "city", Start: 0, End: len(e.City), Text: e.City}}
}
