package classifier

import (
	"cmp"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/classifier/phone"
)

// maxEvidence bounds the evidence kept per indicator: enough to explain,
// not a copy of a hostile ad.
const maxEvidence = 8

// maxHits bounds the pattern hits kept per field, so that suppressing
// overlapped hits (quadratic in hits) stays cheap on hostile input. A real
// ad has a few dozen.
const maxHits = 1024

// scratch holds the buffers one classification needs; Rules pools them so
// that classifying allocates little beyond the assessment itself.
type scratch struct {
	v      view
	hits   []hit
	negs   []negCand
	kept   []hit
	rxAt   []rxSite
	active []bool
	ev     []evRec
	ages   []statedAge
	conts  []contact
	seen   []sighting
	fired  []fired
	totals []famTotal
	perInd []indAcc
	langs  []StatedLanguage
	prices []pricedField
	// lang is the ad's language once known (langDone).
	lang     string
	langDone bool
	matches  []phone.Match
	priceBuf []Price
	ptoks    []ptok
}

// pricedField is a price found in the title (field 0) or text (field 1).
type pricedField struct {
	field int
	p     Price
}

// negCand is where a negative phrase's key occurred: matched only if a
// positive hit of its indicator turns up in the field, which most never do.
type negCand struct {
	seq         int32
	start, kend int
}

type hit struct {
	ind      int32
	cue      int8
	negative bool
	veto     bool
	vs, ve   int
	weight   float64
}

type evRec struct {
	ind int32
	ev  ad.Evidence
}

type indAcc struct {
	vetoed bool
	fired  bool
	// cues is the set of cues with evidence; the indicator fires by its
	// cues when enough of them, the required ones included, are set.
	cues   uint32
	points float64
	nev    int
}

func newScratch(r *Rules) *scratch {
	return &scratch{
		active: make([]bool, len(r.inds)),
		perInd: make([]indAcc, len(r.inds)),
	}
}

// Classify scores one ad: which single-ad indicators fire, with evidence,
// their contributions after caps, the two scores, the level and the flags.
// It does no I/O and is deterministic: the same ad and rules give the same
// assessment.
func (r *Rules) Classify(raw ad.Raw) ad.Assessment {
	return r.ClassifyLinked(raw, nil)
}

// ClassifyLinked is Classify for an ad whose cross-ad indicators (from
// linking it with other ads) are known: they are scored with the ad's own,
// into the organised-activity score and the level. A linked indicator's
// Contribution, if above 0, gives its points (cross-ad weights depend on the
// link); otherwise its rule weight does. Its family is its rule's, else its
// own Family.
func (r *Rules) ClassifyLinked(raw ad.Raw, linked []ad.Indicator) ad.Assessment {
	s := r.getScratch()
	defer r.putScratch(s)
	s.ev = s.ev[:0]
	s.fired = s.fired[:0]
	for i := range s.perInd {
		s.perInd[i] = indAcc{}
	}
	// The ad's language: its lang field, else detected, but only when a
	// rule needs it (detection costs as much as a quarter of the rest).
	// Until then an unknown language lets every gate through, and gates on
	// language are checked again before an indicator fires.
	s.lang, s.langDone = "", true
	if r.usesAdLang {
		if l := strings.TrimSpace(raw.Lang); l != "" {
			s.lang = strings.ToLower(l)
		} else {
			s.langDone = false
		}
	}
	langPending := !s.langDone // gates on language let everything through so far
	for i, ind := range r.inds {
		s.active[i] = ind.when.allows(&raw, s.lang)
	}

	// Patterns, field by field.
	vals := [...]string{raw.Title, raw.Text, raw.Name, raw.City, raw.PriceText}
	for fi, val := range vals {
		bit := uint8(1) << fi
		if val == "" || r.fields&bit == 0 {
			continue
		}
		r.matchField(s, textFieldNames[fi], bit, val)
	}

	// Ages: the age field and ages stated in the title and text.
	if r.usesAge {
		s.ages = textAges(raw.Title, raw.Name, s.ages[:0])
		nTitle := len(s.ages)
		s.ages = textAges(raw.Text, raw.Name, s.ages)
		for i, ind := range r.inds {
			c := ind.age
			if c == nil || !s.active[i] {
				continue
			}
			if c.field && raw.Age > 0 && raw.Age >= c.min && raw.Age <= c.max {
				a := itoa(raw.Age)
				s.addEv(int32(i), -1, ad.Evidence{Field: "age", Start: 0, End: len(a), Text: a}, ind.weight)
			}
			if !c.text && !c.person {
				continue
			}
			for k, sa := range s.ages {
				if sa.age < c.min || sa.age > c.max || (!c.text && !sa.person) {
					continue
				}
				f, v := "title", raw.Title
				if k >= nTitle {
					f, v = "text", raw.Text
				}
				s.addEv(int32(i), -1, ad.Evidence{Field: f, Start: sa.start, End: sa.end, Text: v[sa.start:sa.end]}, ind.weight)
			}
		}
	}

	// Contacts.
	s.conts, s.seen, s.matches = contacts(&raw, s.conts[:0], s.seen[:0], s.matches[:0])
	if r.usesPhones {
		for i, ind := range r.inds {
			if !s.active[i] || (len(ind.phoneNot) == 0 && !ind.phoneObsc) {
				continue
			}
			for _, sg := range s.seen {
				c := &s.conts[sg.contact]
				if (len(ind.phoneNot) > 0 && !inCountries(c.e164, ind.phoneNot)) || (ind.phoneObsc && !c.plain) {
					s.addEv(int32(i), -1, sg.ev, ind.weight)
				}
			}
		}
	}

	// The person's languages, as the site shows them.
	if r.usesLangs && len(raw.Languages) > 0 {
		s.langs = appendLanguages(s.langs[:0], raw.Languages)
		for i, ind := range r.inds {
			if !s.active[i] {
				continue
			}
			if len(ind.unlessLangs) > 0 && speaksAny(s.langs, ind.unlessLangs) {
				s.perInd[i].vetoed = true
				continue
			}
			notSpoken := len(ind.langExclude) > 0 && !speaksAny(s.langs, ind.langExclude)
			// Someone who speaks every language the gate allows speaks the
			// ad's: no need to detect it.
			if ind.adLangNot && !(len(ind.when.langs) > 0 && speaksAll(s.langs, ind.when.langs)) {
				if lang := s.adLang(&raw); lang != "" && !speaks(s.langs, lang) {
					notSpoken = true
				}
			}
			if notSpoken {
				for k, l := range raw.Languages {
					s.addEv(int32(i), -1, ad.Evidence{Field: "languages", Start: 0, End: len(l), Text: raw.Languages[k]}, ind.weight)
				}
			}
		}
	}

	// Pay stated per week or month.
	if r.usesPay {
		r.payEvidence(s, &raw)
	}

	// An e-mail address or web site on the ad's own domain, or a named
	// business, says who is behind the ad.
	if r.usesDomain {
		domainChecked, nameChecked, own, named := false, false, false, false
		for i, ind := range r.inds {
			if !s.active[i] || !s.perInd[i].fired && s.perInd[i].cues == 0 {
				continue
			}
			if ind.unlessDomain && !domainChecked {
				_, _, _, own = ownDomain(raw.Title, raw.Text)
				domainChecked = true
			}
			if ind.unlessName && !nameChecked {
				named = namedBusiness(raw.Title) || namedBusiness(raw.Text)
				nameChecked = true
			}
			if ind.unlessDomain && own || ind.unlessName && named {
				s.perInd[i].vetoed = true
			}
		}
	}

	// Gather what fired, in rule order; all evidence shares one array.
	all := make([]ad.Evidence, 0, len(s.ev))
	for i, ind := range r.inds {
		acc := &s.perInd[i]
		if acc.vetoed || !acc.fired && !ind.cuesHold(acc.cues) {
			continue
		}
		if langPending && ind.when.onLang() && !ind.when.allows(&raw, s.adLang(&raw)) {
			continue
		}
		from := len(all)
		for _, e := range s.ev {
			if e.ind == int32(i) {
				all = append(all, e.ev)
			}
		}
		evs := all[from:len(all):len(all)]
		s.fired = append(s.fired, fired{
			id: ind.id, fam: ind.fam, grade: ind.grade, points: acc.points,
			cap: ind.cap, hasCap: ind.hasCap, boost: ind.boost, flags: ind.flags, evidence: evs,
		})
	}
	for _, l := range linked {
		f := fired{id: l.ID, points: l.Contribution, evidence: l.Evidence}
		if i, ok := r.byID[l.ID]; ok {
			ind := r.inds[i]
			f.fam, f.grade, f.cap, f.hasCap, f.flags = ind.fam, ind.grade, ind.cap, ind.hasCap, ind.flags
			if f.points <= 0 {
				f.points = ind.weight
			}
		} else if fam, ok := r.scoring.families[l.Family]; ok {
			f.fam = fam
		}
		if f.evidence == nil {
			f.evidence = []ad.Evidence{}
		}
		s.fired = append(s.fired, f)
	}

	var a ad.Assessment
	a, s.totals = r.scoring.score(s.fired, s.totals[:0])
	a.RulesVersion = r.version
	a.Contacts = make([]string, len(s.conts))
	for i, c := range s.conts {
		a.Contacts[i] = c.e164
	}
	for i := range s.fired {
		s.fired[i] = fired{} // drop references into the ad
	}
	for i := range s.conts {
		s.conts[i] = contact{}
	}
	for i := range s.seen {
		s.seen[i] = sighting{}
	}
	for i := range s.ev {
		s.ev[i] = evRec{}
	}
	return a
}

// smallInts holds the decimal forms of 0-150, so that age evidence does
// not allocate.
var smallInts = func() []string {
	out := make([]string, 151)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}()

func itoa(n int) string {
	if n >= 0 && n < len(smallInts) {
		return smallInts[n]
	}
	return strconv.Itoa(n)
}

// addEv records evidence for indicator ind, deduplicated and bounded; the
// indicator's points are the highest weight among its evidence. Evidence
// for a cue (cue >= 0) counts towards the indicator's cues; other evidence
// fires it.
func (s *scratch) addEv(ind int32, cue int8, e ad.Evidence, weight float64) {
	acc := &s.perInd[ind]
	if (!acc.fired && acc.cues == 0) || weight > acc.points {
		acc.points = weight
	}
	if cue >= 0 {
		acc.cues |= 1 << uint(cue)
	} else {
		acc.fired = true
	}
	if acc.nev >= maxEvidence {
		return
	}
	for _, x := range s.ev {
		if x.ind == ind && x.ev.Field == e.Field && x.ev.Start == e.Start && x.ev.End == e.End {
			return
		}
	}
	s.ev = append(s.ev, evRec{ind: ind, ev: e})
	acc.nev++
}

// rxSite is where the required literal of regex rx occurs in a view.
type rxSite struct {
	rx         int32
	start, end int32
}

// regexReach is how far around its required literal a regex match may
// reach, in bytes of the normalised text (README: "Regexes").
const regexReach = 120

// regexWindow returns the window of b around the literal at [start, end)
// where a match holding it is looked for: regexReach bytes either side,
// widened to a word boundary (a space or an end of b), so that the guards
// (?:^| ) and (?: |$) behave in the window as in the whole text.
func regexWindow(b []byte, start, end int) (int, int) {
	lo := max(0, start-regexReach)
	for lo > 0 && b[lo] != ' ' {
		lo--
	}
	hi := min(len(b), end+regexReach)
	for hi < len(b) && b[hi-1] != ' ' {
		hi++
	}
	return lo, hi
}

// regexHits records the matches of rx in w, which starts at offset off of
// the view.
func (s *scratch) regexHits(rx *regexRule, w []byte, off int) {
	for _, m := range rx.re.FindAllIndex(w, maxEvidence*4) {
		if m[0] < m[1] && len(s.hits) < maxHits {
			s.hits = append(s.hits, hit{ind: rx.ind, cue: rx.cue, negative: rx.negative, veto: rx.veto, vs: off + m[0], ve: off + m[1], weight: rx.weight})
		}
	}
}

// matchField finds every pattern hit in one field value and records the
// positive hits no negative pattern of the same indicator overlaps.
func (r *Rules) matchField(s *scratch, name string, bit uint8, val string) {
	v := &s.v
	v.build(val)
	if len(v.b) == 0 {
		return
	}
	s.hits = s.hits[:0]
	s.negs = s.negs[:0]
	s.rxAt = s.rxAt[:0]
	b := v.b
	r.auto.scan(b, func(key int32, end int) {
		kt := &r.keys[key]
		for _, ri := range kt.regexes {
			if rx := &r.regexes[ri]; rx.fields&bit != 0 && s.active[rx.ind] && len(s.rxAt) < maxHits {
				// The literal ends at end-1 in b (end is in " "+b+" ").
				s.rxAt = append(s.rxAt, rxSite{rx: ri, end: int32(end - 1), start: int32(end - 1 - int(r.auto.keyLen[key]))})
			}
		}
		if len(kt.seqs) == 0 {
			return
		}
		// end is in " "+b+" "; a phrase key is " words " or " prefix".
		start := end - int(r.auto.keyLen[key])
		for _, ref := range kt.seqs {
			if ref.fields&bit == 0 || !s.active[ref.ind] {
				continue
			}
			sr := &r.seqs[ref.seq]
			kend := end - 1
			if !sr.seq.keyPrefix {
				kend--
			}
			if len(s.hits) >= maxHits {
				return
			}
			if sr.negative && !sr.veto {
				if len(s.negs) < maxHits {
					s.negs = append(s.negs, negCand{seq: int32(ref.seq), start: start, kend: kend})
				}
				continue
			}
			if e, ok := matchSeq(b, start, kend, &sr.seq); ok {
				s.hits = append(s.hits, hit{ind: sr.ind, cue: sr.cue, negative: sr.negative, veto: sr.veto, vs: start, ve: e, weight: sr.weight})
			}
		}
	})
	// Regexes without a required literal run on the whole view; the others
	// only in windows around where their literal occurs, so a costly
	// regex costs little on a long ad.
	for ri := range r.regexes {
		rx := &r.regexes[ri]
		if rx.always && rx.fields&bit != 0 && s.active[rx.ind] {
			s.regexHits(rx, b, 0)
		}
	}
	if len(s.rxAt) > 0 {
		slices.SortFunc(s.rxAt, func(x, y rxSite) int { return cmp.Or(cmp.Compare(x.rx, y.rx), cmp.Compare(x.start, y.start)) })
		for i := 0; i < len(s.rxAt); {
			ri := s.rxAt[i].rx
			lo, hi := regexWindow(b, int(s.rxAt[i].start), int(s.rxAt[i].end))
			j := i + 1
			for ; j < len(s.rxAt) && s.rxAt[j].rx == ri; j++ {
				l2, h2 := regexWindow(b, int(s.rxAt[j].start), int(s.rxAt[j].end))
				if l2 <= hi {
					hi = max(hi, h2)
					continue
				}
				s.regexHits(&r.regexes[ri], b[lo:hi], lo)
				lo, hi = l2, h2
			}
			s.regexHits(&r.regexes[ri], b[lo:hi], lo)
			i = j
		}
	}
	// Negative phrases matter only where their indicator has a positive hit.
	for _, nc := range s.negs {
		sr := &r.seqs[nc.seq]
		if !slices.ContainsFunc(s.hits, func(h hit) bool { return h.ind == sr.ind && !h.negative }) || len(s.hits) >= maxHits {
			continue
		}
		if e, ok := matchSeq(b, nc.start, nc.kend, &sr.seq); ok {
			s.hits = append(s.hits, hit{ind: sr.ind, cue: sr.cue, negative: true, vs: nc.start, ve: e, weight: sr.weight})
		}
	}
	// Keep the positive hits no negative of their indicator overlaps.
	kept := s.kept[:0]
	for _, h := range s.hits {
		if h.veto {
			s.perInd[h.ind].vetoed = true
		}
		if h.negative {
			continue
		}
		suppressed := false
		for _, n := range s.hits {
			if n.negative && n.ind == h.ind && n.vs < h.ve && h.vs < n.ve {
				suppressed = true
				break
			}
		}
		if !suppressed {
			if h.weight < 0 {
				h.weight = r.inds[h.ind].weight
			}
			kept = append(kept, h)
		}
	}
	// Overlapping hits of one indicator are one piece of evidence: "Book
	// via our booking office", not also "our booking office".
	slices.SortFunc(kept, func(x, y hit) int {
		return cmp.Or(cmp.Compare(x.ind, y.ind), cmp.Compare(x.cue, y.cue), cmp.Compare(x.vs, y.vs), cmp.Compare(y.ve, x.ve))
	})
	for i := 0; i < len(kept); {
		h := kept[i]
		j := i + 1
		for ; j < len(kept) && kept[j].ind == h.ind && kept[j].cue == h.cue && kept[j].vs < h.ve; j++ {
			h.ve = max(h.ve, kept[j].ve)
			h.weight = max(h.weight, kept[j].weight)
		}
		i = j
		if start, end, ok := v.span(h.vs, h.ve); ok {
			s.addEv(h.ind, h.cue, ad.Evidence{Field: name, Start: start, End: end, Text: val[start:end]}, h.weight)
		}
	}
	s.kept = kept
}

// cuesHold reports whether the cues in set make the indicator fire: at
// least minCues of them, every required one among them.
func (ind *indicator) cuesHold(set uint32) bool {
	return ind.minCues > 0 && bits.OnesCount32(set) >= ind.minCues && set&ind.requiredCues == ind.requiredCues
}

// adLang returns the ad's language, detecting it on first use.
func (s *scratch) adLang(r *ad.Raw) string {
	if !s.langDone {
		s.lang, s.langDone = adLanguage(r), true
	}
	return s.lang
}

// adLanguage is the ad's language: its lang field, else what the text
// reads as ("" when it is too short or mixed to tell).
func adLanguage(r *ad.Raw) string {
	if l := strings.TrimSpace(r.Lang); l != "" {
		return strings.ToLower(l)
	}
	var d detector
	d.run(r.Title)
	d.run(r.Text)
	return d.result().Lang
}

// appendLanguages appends the languages of a languages field to out.
func appendLanguages(out []StatedLanguage, values []string) []StatedLanguage {
	for _, v := range values {
		if sl, ok := parseLanguage(v); ok && !strings.ContainsAny(v, ",;/|·&+\n") {
			out = appendLanguage(out, sl)
			continue
		}
		for _, part := range splitLanguages(v) {
			if sl, ok := parseLanguage(part); ok {
				out = appendLanguage(out, sl)
			}
		}
	}
	return out
}

func appendLanguage(out []StatedLanguage, sl StatedLanguage) []StatedLanguage {
	for i := range out {
		if out[i].Code == sl.Code {
			out[i].Limited = out[i].Limited && sl.Limited
			return out
		}
	}
	return append(out, sl)
}

// speaks reports whether the stated languages include lang, more than a
// little.
func speaks(langs []StatedLanguage, lang string) bool {
	for _, l := range langs {
		if l.Code == lang && !l.Limited {
			return true
		}
	}
	return false
}

func speaksAll(langs []StatedLanguage, codes []string) bool {
	for _, c := range codes {
		if !speaks(langs, c) {
			return false
		}
	}
	return true
}

func speaksAny(langs []StatedLanguage, codes []string) bool {
	for _, c := range codes {
		if speaks(langs, c) {
			return true
		}
	}
	return false
}

// payEvidence records, for every indicator and cue with pay_at_least, the
// prices in title and text that pay at least that much a month.
func (r *Rules) payEvidence(s *scratch, raw *ad.Raw) {
	parsed := false
	for i, ind := range r.inds {
		if !s.active[i] {
			continue
		}
		check := func(cue int8, min float64) {
			if min <= 0 {
				return
			}
			if cue >= 0 {
				// A pay cue matters only if, with it, the other cues found
				// can make the indicator fire: most ads never need their
				// prices read.
				acc := &s.perInd[i]
				if acc.fired || !ind.cuesHold(acc.cues|1<<uint(cue)) {
					return
				}
			}
			if !parsed {
				s.prices = s.prices[:0]
				for f, v := range [...]string{raw.Title, raw.Text} {
					s.priceBuf, s.ptoks = appendPrices(s.priceBuf[:0], v, s.ptoks)
					for _, p := range s.priceBuf {
						s.prices = append(s.prices, pricedField{field: f, p: p})
					}
				}
				parsed = true
			}
			for _, pf := range s.prices {
				if m, ok := monthlyDKK(pf.p); ok && m >= min {
					name, v := "title", raw.Title
					if pf.field == 1 {
						name, v = "text", raw.Text
					}
					s.addEv(int32(i), cue, ad.Evidence{Field: name, Start: pf.p.Start, End: pf.p.End, Text: v[pf.p.Start:pf.p.End]}, ind.weight)
				}
			}
		}
		check(-1, ind.payMin)
		for k, c := range ind.cues {
			check(int8(k), c.payMin)
		}
	}
}
