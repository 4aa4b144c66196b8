package classifier

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/adwatch/adwatch/ad"
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
	kept   []hit
	rxNeed []bool
	active []bool
	ev     []evRec
	ages   []statedAge
	conts  []contact
	seen   []sighting
	fired  []fired
	totals []famTotal
	perInd []indAcc
}

type hit struct {
	ind      int32
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
	points float64
	nev    int
}

func newScratch(r *Rules) *scratch {
	return &scratch{
		rxNeed: make([]bool, len(r.regexes)),
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
	s := r.pool.Get().(*scratch)
	defer r.pool.Put(s)
	s.ev = s.ev[:0]
	s.fired = s.fired[:0]
	for i := range s.perInd {
		s.perInd[i] = indAcc{}
	}
	for i, ind := range r.inds {
		s.active[i] = ind.when.allows(&raw)
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
				s.addEv(int32(i), ad.Evidence{Field: "age", Start: 0, End: len(a), Text: a}, ind.weight)
			}
			if !c.text {
				continue
			}
			for k, sa := range s.ages {
				if sa.age < c.min || sa.age > c.max {
					continue
				}
				f, v := "title", raw.Title
				if k >= nTitle {
					f, v = "text", raw.Text
				}
				s.addEv(int32(i), ad.Evidence{Field: f, Start: sa.start, End: sa.end, Text: v[sa.start:sa.end]}, ind.weight)
			}
		}
	}

	// Contacts.
	s.conts, s.seen = contacts(&raw, s.conts[:0], s.seen[:0])
	if r.usesPhones {
		for i, ind := range r.inds {
			if !s.active[i] || (len(ind.phoneNot) == 0 && !ind.phoneObsc) {
				continue
			}
			for _, sg := range s.seen {
				c := &s.conts[sg.contact]
				if (len(ind.phoneNot) > 0 && !inCountries(c.e164, ind.phoneNot)) || (ind.phoneObsc && !c.plain) {
					s.addEv(int32(i), sg.ev, ind.weight)
				}
			}
		}
	}

	// The person's languages, as the site shows them.
	if r.usesLangs && len(raw.Languages) > 0 {
		for i, ind := range r.inds {
			if !s.active[i] || len(ind.langExclude) == 0 {
				continue
			}
			speaks := false
			for _, l := range raw.Languages {
				if contains(ind.langExclude, languageCode(l)) {
					speaks = true
				}
			}
			if !speaks {
				for k, l := range raw.Languages {
					s.addEv(int32(i), ad.Evidence{Field: "languages", Start: 0, End: len(l), Text: raw.Languages[k]}, ind.weight)
				}
			}
		}
	}

	// Gather what fired, in rule order; all evidence shares one array.
	all := make([]ad.Evidence, 0, len(s.ev))
	for i, ind := range r.inds {
		acc := &s.perInd[i]
		if !acc.fired || acc.vetoed {
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
// indicator's points are the highest weight among its evidence.
func (s *scratch) addEv(ind int32, e ad.Evidence, weight float64) {
	acc := &s.perInd[ind]
	if !acc.fired || weight > acc.points {
		acc.points = weight
	}
	acc.fired = true
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

// matchField finds every pattern hit in one field value and records the
// positive hits no negative pattern of the same indicator overlaps.
func (r *Rules) matchField(s *scratch, name string, bit uint8, val string) {
	v := &s.v
	v.build(val)
	if len(v.b) == 0 {
		return
	}
	s.hits = s.hits[:0]
	for i := range s.rxNeed {
		s.rxNeed[i] = false
	}
	b := v.b
	r.auto.scan(b, func(key int32, end int) {
		kt := &r.keys[key]
		for _, ri := range kt.regexes {
			s.rxNeed[ri] = true
		}
		if len(kt.seqs) == 0 {
			return
		}
		// end is in " "+b+" "; a phrase key is " words " or " prefix".
		start := end - int(r.auto.keyLen[key])
		for _, si := range kt.seqs {
			sr := &r.seqs[si]
			if sr.fields&bit == 0 || !s.active[sr.ind] {
				continue
			}
			kend := end - 1
			if !sr.seq.keyPrefix {
				kend--
			}
			if len(s.hits) >= maxHits {
				return
			}
			if e, ok := matchSeq(b, start, kend, &sr.seq); ok {
				s.hits = append(s.hits, hit{ind: sr.ind, negative: sr.negative, veto: sr.veto, vs: start, ve: e, weight: sr.weight})
			}
		}
	})
	for ri := range r.regexes {
		rx := &r.regexes[ri]
		if rx.fields&bit == 0 || !s.active[rx.ind] || !(rx.always || s.rxNeed[ri]) {
			continue
		}
		for _, m := range rx.re.FindAllIndex(b, maxEvidence*4) {
			if m[0] < m[1] && len(s.hits) < maxHits {
				s.hits = append(s.hits, hit{ind: rx.ind, negative: rx.negative, veto: rx.veto, vs: m[0], ve: m[1], weight: rx.weight})
			}
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
		return cmp.Or(cmp.Compare(x.ind, y.ind), cmp.Compare(x.vs, y.vs), cmp.Compare(y.ve, x.ve))
	})
	for i := 0; i < len(kept); {
		h := kept[i]
		j := i + 1
		for ; j < len(kept) && kept[j].ind == h.ind && kept[j].vs < h.ve; j++ {
			h.ve = max(h.ve, kept[j].ve)
			h.weight = max(h.weight, kept[j].weight)
		}
		i = j
		if start, end, ok := v.span(h.vs, h.ve); ok {
			s.addEv(h.ind, ad.Evidence{Field: name, Start: start, End: end, Text: val[start:end]}, h.weight)
		}
	}
	s.kept = kept
}

// languageCode maps a language as sites show it ("Dansk", "English",
// "Rumænsk") to its ISO 639-1 code; unknown names are returned lower-case.
func languageCode(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if c, ok := languageNames[n]; ok {
		return c
	}
	return n
}

var languageNames = map[string]string{
	"dansk": "da", "danish": "da", "da": "da",
	"engelsk": "en", "english": "en", "en": "en",
	"tysk": "de", "german": "de", "svensk": "sv", "swedish": "sv", "norsk": "no", "norwegian": "no",
	"rumænsk": "ro", "romanian": "ro", "polsk": "pl", "polish": "pl", "bulgarsk": "bg", "bulgarian": "bg",
	"spansk": "es", "spanish": "es", "portugisisk": "pt", "portuguese": "pt", "fransk": "fr", "french": "fr",
	"italiensk": "it", "italian": "it", "russisk": "ru", "russian": "ru", "ukrainsk": "uk", "ukrainian": "uk",
	"thai": "th", "litauisk": "lt", "lithuanian": "lt", "lettisk": "lv", "latvian": "lv",
	"ungarsk": "hu", "hungarian": "hu", "kinesisk": "zh", "chinese": "zh", "vietnamesisk": "vi",
	"vietnamese": "vi", "arabisk": "ar", "arabic": "ar", "hollandsk": "nl", "dutch": "nl",
	"tagalog": "tl", "filipino": "tl", "tjekkisk": "cs", "czech": "cs", "estisk": "et", "estonian": "et",
}
