// Package classifier scores ads for human-trafficking risk indicators and
// explains every score with evidence.
//
// Its core is pure: Rules.Classify turns one ad.Raw into an ad.Assessment
// with no I/O, deterministically, and is safe for concurrent use. What it
// looks for lives in rule files (configs/rules/*.yaml, documented in
// configs/rules/README.md), not in code: LoadRules compiles them once, every
// literal phrase of every rule into one Aho-Corasick automaton, so matching
// costs one pass over each field whatever the number of phrases.
//
// Around the core: ReadFacts reads what an ad states (its language,
// detected offline when the site gives none, the languages the person
// speaks, phone numbers, e-mails, ages, prices and the hourly price in
// kroner); Explain writes why an ad scored what it did; Evaluate measures
// assessments against labels; a Reloader keeps the rules current from
// their directory while the stage runs.
//
// Indicators are signals for a human, never a verdict.
package classifier

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/adwatch/adwatch/ad"
)

// Rules is a compiled rule set. It is immutable and safe for concurrent use.
type Rules struct {
	version string
	files   []string

	inds    []*indicator
	byID    map[string]int
	scoring scoring

	// auto finds phrase keys and regex prefilter literals; keys[k] says
	// what key k of the automaton stands for.
	auto    *automaton
	keys    []keyTargets
	seqs    []seqRule
	regexes []regexRule
	// fields is the union of the fields any pattern is matched on.
	fields uint8

	usesAge, usesPhones, usesLangs bool
	// usesAdLang: some rule needs the ad's language (a when.langs gate or
	// ad_language_not_spoken), detected when the ad does not give it.
	usesAdLang, usesPay, usesDomain bool

	fileTests []fileTest

	// free holds scratch buffers between classifications. A channel, not
	// a sync.Pool: a pool is emptied by every garbage collection, and the
	// buffers (views of the fields, hits, evidence) would be grown again.
	free chan *scratch
}

// maxFreeScratch bounds the scratch buffers kept between
// classifications; more concurrent classifications allocate their own.
const maxFreeScratch = 64

func (r *Rules) getScratch() *scratch {
	select {
	case s := <-r.free:
		return s
	default:
		return newScratch(r)
	}
}

func (r *Rules) putScratch(s *scratch) {
	select {
	case r.free <- s:
	default:
	}
}

type indicator struct {
	indicatorDef
	pos          pos
	fam          *family
	requiredCues uint32 // bit set of the required cues
}

// gate restricts an indicator to some ads. An unknown (empty) category or
// language never blocks: a missing field is unknown, not absent.
type gate struct {
	categories, categoriesExclude, langs, langsExclude []string
}

// onLang reports whether the gate depends on the ad's language.
func (g *gate) onLang() bool { return len(g.langs) > 0 || len(g.langsExclude) > 0 }

// allows reports whether the gate lets an ad through; lang is the ad's
// language (its lang field, else detected; "" when unknown).
func (g *gate) allows(r *ad.Raw, lang string) bool {
	if r.Category != "" {
		if len(g.categories) > 0 && !contains(g.categories, r.Category) {
			return false
		}
		if contains(g.categoriesExclude, r.Category) {
			return false
		}
	}
	if lang != "" {
		if len(g.langs) > 0 && !contains(g.langs, lang) {
			return false
		}
		if contains(g.langsExclude, lang) {
			return false
		}
	}
	return true
}

// ageCond fires on a stated age in [min, max], from the age field, from an
// age stated in the title or text, or both.
type ageCond struct {
	min, max int
	// Where the age may come from: the age field, any age stated in the
	// title or text, or only one stated next to a person (statedAge.person).
	field, text, person bool
}

// boost multiplies the points of the other indicators of a family when its
// indicator fires (fl_targeted_foreign_recruitment: 1.25 on other fl_ hits).
type boost struct {
	family string
	factor float64
}

type keyTargets struct {
	seqs    []seqRef
	regexes []int32
}

// seqRef points to a phrase sequence with what decides, without reading
// the sequence, whether it applies to the field and ad at hand.
type seqRef struct {
	seq    int32
	ind    int32
	fields uint8
}

type seqRule struct {
	ind      int32
	cue      int8 // -1: not a cue
	negative bool
	veto     bool
	weight   float64 // < 0: the indicator's weight
	fields   uint8
	seq      compiledSeq
}

type regexRule struct {
	ind      int32
	cue      int8
	negative bool
	veto     bool
	weight   float64
	fields   uint8
	re       *regexp.Regexp
	always   bool // no prefilter literal: run on every view
}

// Version identifies the rule set: a hash of the content of its files,
// independent of their names and order. Every scored ad records it.
func (r *Rules) Version() string { return r.version }

// Files returns the names of the files the rules were compiled from.
func (r *Rules) Files() []string { return append([]string(nil), r.files...) }

// LoadRules compiles every *.yaml file in dir. Every problem in every file
// is reported in one error, one line per problem, as
// file:line:col: field: what is wrong and what would be valid.
func LoadRules(dir string) (*Rules, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("load rules from %q: %w", dir, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("load rules: no *.yaml files in %q", dir)
	}
	sort.Strings(paths)
	var files []ruleFile
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("load rules: %w", err)
		}
		files = append(files, ruleFile{name: p, data: data})
	}
	return compile(files)
}

// ParseRules compiles one rule file; name is used in error messages.
func ParseRules(name string, data []byte) (*Rules, error) {
	return compile([]ruleFile{{name: name, data: data}})
}

type ruleFile struct {
	name string
	data []byte
}

// maxRuleFile bounds one rule file; rule files are written by hand.
const maxRuleFile = 4 << 20

func compile(files []ruleFile) (*Rules, error) {
	var errs []error
	var specs []*fileSpec
	sums := make([]string, 0, len(files))
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		sums = append(sums, hex.EncodeToString(sum[:]))
		if len(f.data) > maxRuleFile {
			errs = append(errs, errorAt(pos{f.name, 1, 1}, "", "file is larger than %d bytes", maxRuleFile))
			continue
		}
		d := &decoder{file: f.name}
		specs = append(specs, d.parseFile(f.data))
		errs = append(errs, d.errs...)
	}
	sort.Strings(sums)
	h := sha256.Sum256([]byte(strings.Join(sums, "\n")))

	r := &Rules{version: hex.EncodeToString(h[:8]), byID: map[string]int{}}
	for _, f := range files {
		r.files = append(r.files, f.name)
	}

	// Word lists first: phrases refer to them.
	lists := map[string][][]elem{}
	listPos := map[string]pos{}
	for _, fs := range specs {
		for _, l := range fs.lists {
			if p, dup := listPos[l.name]; dup {
				errs = append(errs, errorAt(l.pos, l.path, "list %q is already declared at %s", l.name, p))
				continue
			}
			listPos[l.name] = l.pos
			var entries [][]elem
			for _, e := range l.entries {
				ws, err := parseWords(e)
				if err != nil {
					errs = append(errs, errorAt(l.pos, l.path, "entry %q: %v", e, err))
					continue
				}
				if len(ws) == 0 {
					errs = append(errs, errorAt(l.pos, l.path, "entry %q has no words after normalisation", e))
					continue
				}
				entries = append(entries, ws)
			}
			lists[l.name] = entries
		}
	}

	// Scoring: defaults, overridden by the one scoring section.
	r.scoring = defaultScoring()
	var scoringPos *pos
	for _, fs := range specs {
		if fs.scoring == nil {
			continue
		}
		if scoringPos != nil {
			errs = append(errs, errorAt(fs.scoring.pos, "scoring", "a second scoring section; the first is at %s, keep one", *scoringPos))
			continue
		}
		p := fs.scoring.pos
		scoringPos = &p
		r.scoring.apply(fs.scoring)
	}

	// Indicators.
	idPos := map[string]pos{}
	idxCache := map[*[]elem]*altIndex{}
	var keys []string
	keyIndex := map[string]int{}
	addKey := func(k string) int {
		if i, ok := keyIndex[k]; ok {
			return i
		}
		keyIndex[k] = len(keys)
		keys = append(keys, k)
		r.keys = append(r.keys, keyTargets{})
		return len(keys) - 1
	}
	for _, fs := range specs {
		for _, s := range fs.indicators {
			if s.id == "" {
				continue
			}
			if p, dup := idPos[s.id]; dup {
				errs = append(errs, errorAt(s.idPos, s.path+".id", "duplicate indicator id %q, first defined at %s; merge the two", s.id, p))
				continue
			}
			idPos[s.id] = s.idPos
			fam, ok := r.scoring.families[s.family]
			if tf := taxonomy[s.id].family; tf != "" && s.family != "" && s.family != tf {
				errs = append(errs, errorAt(s.familyPos, s.path+".family", "indicator %q is in family %q in INDICATORS.md, not %q", s.id, tf, s.family))
			} else if !ok && s.family != "" {
				errs = append(errs, errorAt(s.familyPos, s.path+".family", "unknown family %q; declare it under scoring.families (known: %s)", s.family, strings.Join(sortedKeys(r.scoring.families), ", ")))
			}
			if s.boost != nil {
				if _, ok := r.scoring.families[s.boost.family]; !ok {
					errs = append(errs, errorAt(s.pos, s.path+".boost.family", "unknown family %q", s.boost.family))
				}
			}
			ind := &indicator{indicatorDef: s.indicatorDef, pos: s.pos, fam: fam}
			ind.weight = max(ind.weight, 0)
			for k, c := range s.cues {
				if c.required {
					ind.requiredCues |= 1 << k
				}
				r.usesPay = r.usesPay || c.payMin > 0
			}
			idx := int32(len(r.inds))
			r.inds = append(r.inds, ind)
			r.byID[s.id] = int(idx)
			r.usesAge = r.usesAge || s.age != nil
			r.usesPhones = r.usesPhones || len(s.phoneNot) > 0 || s.phoneObsc
			r.usesLangs = r.usesLangs || len(s.langExclude) > 0 || len(s.unlessLangs) > 0 || s.adLangNot
			r.usesAdLang = r.usesAdLang || s.adLangNot || len(s.when.langs) > 0 || len(s.when.langsExclude) > 0
			r.usesPay = r.usesPay || s.payMin > 0
			r.usesDomain = r.usesDomain || s.unlessDomain || s.unlessName
			for _, p := range s.patterns {
				r.fields |= s.fields
				if p.regex != nil {
					rx := regexRule{ind: idx, cue: int8(p.cue), negative: p.negative, veto: p.veto, weight: p.weight, fields: s.fields, re: p.regex}
					ri := int32(len(r.regexes))
					lits := requiredLiterals(p.regex.String())
					if lits == nil {
						rx.always = true
					}
					for _, l := range lits {
						k := addKey(l)
						r.keys[k].regexes = append(r.keys[k].regexes, ri)
					}
					r.regexes = append(r.regexes, rx)
					continue
				}
				slots, err := parsePhrase(p.phrase, lists)
				if err == nil {
					var seqs []compiledSeq
					if seqs, err = compilePhrase(slots); err == nil {
						for _, c := range seqs {
							indexTails(&c, idxCache)
							// Keys are looked up whole-word: " key " (or " key"
							// for a prefix) in the padded view.
							key := " " + c.key
							if !c.keyPrefix {
								key += " "
							}
							k := addKey(key)
							r.keys[k].seqs = append(r.keys[k].seqs, seqRef{seq: int32(len(r.seqs)), ind: idx, fields: s.fields})
							r.seqs = append(r.seqs, seqRule{ind: idx, cue: int8(p.cue), negative: p.negative, veto: p.veto, weight: p.weight, fields: s.fields, seq: c})
						}
					}
				}
				if err != nil {
					errs = append(errs, errorAt(p.pos, p.path, "phrase %q: %v", p.phrase, err))
				}
			}
		}
		for _, t := range fs.tests {
			r.fileTests = append(r.fileTests, fileTest(t))
			for _, id := range append(append([]string(nil), t.indicators...), t.absent...) {
				if _, ok := taxonomy[id]; !ok {
					errs = append(errs, errorAt(t.pos, "tests", "unknown indicator id %q (did you mean %q?)", id, closestID(id)))
				}
			}
		}
	}
	if len(errs) > 0 {
		sortErrors(errs, r.files)
		return nil, errors.Join(errs...)
	}
	r.auto = buildAutomaton(keys)
	r.free = make(chan *scratch, maxFreeScratch)
	return r, nil
}

// sortErrors orders errors by file (in load order), line and column.
func sortErrors(errs []error, files []string) {
	at := func(e error) (int, int, int) {
		var re *ruleError
		if !errors.As(e, &re) {
			return len(files), 0, 0
		}
		f := slices.Index(files, re.pos.file)
		return f, re.pos.line, re.pos.col
	}
	slices.SortStableFunc(errs, func(a, b error) int {
		fa, la, ca := at(a)
		fb, lb, cb := at(b)
		return cmp.Or(cmp.Compare(fa, fb), cmp.Compare(la, lb), cmp.Compare(ca, cb))
	})
}
