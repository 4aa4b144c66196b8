package classifier

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder walks the yaml.v3 node tree of one rule file. Every problem is
// recorded with its file, line and column, and decoding goes on, so that
// one run reports every problem in the file.
type decoder struct {
	file string
	errs []error
	// key is the key node of the value mapping() is handing to its
	// callback.
	key *yaml.Node
}

// pos is a place in a rule file.
type pos struct {
	file      string
	line, col int
}

func (p pos) String() string {
	if p.col == 0 {
		return fmt.Sprintf("%s:%d", p.file, p.line)
	}
	return fmt.Sprintf("%s:%d:%d", p.file, p.line, p.col)
}

// ruleError is one problem in a rule file, at a place in it.
type ruleError struct {
	pos  pos
	path string
	msg  string
}

func (e *ruleError) Error() string {
	if e.path == "" {
		return fmt.Sprintf("%s: %s", e.pos, e.msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.pos, e.path, e.msg)
}

func errorAt(p pos, path, format string, args ...any) error {
	return &ruleError{pos: p, path: path, msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) pos(n *yaml.Node) pos { return pos{d.file, n.Line, n.Column} }

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, errorAt(d.pos(n), path, format, args...))
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing (null)"
		}
		return fmt.Sprintf("the value %q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "an unexpected node"
}

// mapping calls f for every key of the mapping n, rejecting keys that are
// not in valid, duplicate keys, aliases and merge keys.
func (d *decoder) mapping(n *yaml.Node, path string, valid []string, f func(key string, v *yaml.Node)) bool {
	if n.Kind == yaml.AliasNode {
		d.fail(n, path, "anchors and aliases are not supported; write the value out")
		return false
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping with fields %s, got %s", strings.Join(valid, ", "), kindName(n))
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		p := join(path, key)
		switch {
		case k.Kind != yaml.ScalarNode:
			d.fail(k, path, "a field name must be a plain word, got %s", kindName(k))
		case key == "<<":
			d.fail(k, path, "merge keys (<<) are not supported; write the fields out")
		case seen[key]:
			d.fail(k, p, "field %q is given twice", key)
		case !contains(valid, key):
			d.fail(k, p, "unknown field %q; valid fields here: %s", key, strings.Join(valid, ", "))
		default:
			seen[key] = true
			if v.Kind == yaml.AliasNode {
				d.fail(v, p, "anchors and aliases are not supported; write the value out")
				continue
			}
			d.key = k
			f(key, v)
		}
	}
	return true
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// list calls f for every item of the sequence n.
func (d *decoder) list(n *yaml.Node, path string, f func(i int, path string, item *yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list, got %s", kindName(n))
		return
	}
	for i, item := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		if item.Kind == yaml.AliasNode {
			d.fail(item, p, "anchors and aliases are not supported; write the value out")
			continue
		}
		f(i, p, item)
	}
}

func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.fail(n, path, "expected a text value, got %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) strList(n *yaml.Node, path string) []string {
	var out []string
	d.list(n, path, func(_ int, p string, item *yaml.Node) {
		if s, ok := d.str(item, p); ok {
			out = append(out, s)
		}
	})
	return out
}

func (d *decoder) num(n *yaml.Node, path string) (float64, bool) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		d.fail(n, path, "expected a number, got %s", kindName(n))
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		d.fail(n, path, "expected a finite number, got %q", n.Value)
		return 0, false
	}
	return f, true
}

func (d *decoder) integer(n *yaml.Node, path string) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		d.fail(n, path, "expected a whole number, got %s", kindName(n))
		return 0, false
	}
	v, err := strconv.Atoi(strings.ReplaceAll(n.Value, "_", ""))
	if err != nil {
		d.fail(n, path, "expected a whole number, got %q", n.Value)
		return 0, false
	}
	return v, true
}

func (d *decoder) boolean(n *yaml.Node, path string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.fail(n, path, "expected true or false, got %s", kindName(n))
		return false, false
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		d.fail(n, path, "expected true or false, got %q", n.Value)
		return false, false
	}
	return b, true
}

// The parsed, not yet compiled, content of one rule file.

type fileSpec struct {
	name       string
	lists      []listSpec
	scoring    *scoringSpec
	indicators []*indicatorSpec
	tests      []fileTestSpec
}

type listSpec struct {
	name    string
	entries []string
	pos     pos
	path    string
}

type scoringSpec struct {
	pos      pos
	adK      *float64
	orgK     *float64
	families []familySpec
	levels   []levelRule
}

type familySpec struct {
	name  string
	kind  string
	cap   float64
	score string
	pos   pos
}

type patternSpec struct {
	lang string
	// cue is the index of the cue the pattern belongs to, or -1.
	cue      int
	phrase   string
	regex    *regexp.Regexp
	weight   float64 // < 0: the indicator's weight
	negative bool
	// veto: a negative pattern with scope ad, which suppresses the
	// indicator for the whole ad wherever it matches.
	veto bool
	pos  pos
	path string
}

// indicatorSpec is an indicator as its rule file defines it, with where.
type indicatorSpec struct {
	indicatorDef
	pos       pos
	path      string
	idPos     pos
	familyPos pos
	patterns  []patternSpec
}

// indicatorDef is what an indicator keeps of its definition once compiled.
type indicatorDef struct {
	id, family, grade, description string
	weight                         float64
	cap                            float64
	hasCap                         bool
	fields                         uint8
	flags                          []string
	when                           gate
	age                            *ageCond
	phoneNot                       []string
	phoneObsc                      bool
	langExclude                    []string
	boost                          *boost
	tests                          []indicatorTest

	cues         []cueSpec
	minCues      int
	adLangNot    bool
	unlessLangs  []string
	unlessDomain bool
	unlessName   bool
	payMin       float64
}

// cueSpec is one cue of an indicator that fires on a combination of cues
// ("high pay" and "no experience needed").
type cueSpec struct {
	name     string
	required bool
	payMin   float64 // > 0: also a stated pay of at least this many kroner a month
}

// Field names an indicator's patterns can be matched on.
var textFieldNames = []string{"title", "text", "name", "city", "price_text"}

const (
	fieldTitle uint8 = 1 << iota
	fieldText
	fieldName
	fieldCity
	fieldPrice
)

var indicatorFields = []string{
	"id", "family", "grade", "weight", "cap", "description", "fields", "flags",
	"when", "age", "phone_country_not", "phone_obscured", "languages_exclude",
	"ad_language_not_spoken", "pay_at_least", "unless", "cues", "min_cues",
	"boost", "patterns", "negative", "tests",
}

// maxCues bounds the cues of one indicator (they are kept in a bit set).
const maxCues = 16

var langCode = regexp.MustCompile(`^[a-z]{2}$`)

// MaxWeight bounds the weight of one indicator (and of one pattern).
const MaxWeight = 5.0

// parseFile decodes one rule file. Problems are recorded in d.
func (d *decoder) parseFile(data []byte) *fileSpec {
	fs := &fileSpec{name: d.file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlError(err)
		d.errs = append(d.errs, errorAt(pos{file: d.file, line: line}, "", "%s (invalid YAML)", msg))
		return fs
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		d.errs = append(d.errs, errorAt(pos{d.file, 1, 1}, "", "file is empty; expected indicators:, lists: or scoring:"))
		return fs
	}
	root := doc.Content[0]
	d.mapping(root, "", []string{"indicators", "lists", "scoring", "tests"}, func(key string, v *yaml.Node) {
		switch key {
		case "lists":
			fs.lists = d.parseLists(v)
		case "scoring":
			fs.scoring = d.parseScoring(v)
		case "indicators":
			d.list(v, "indicators", func(_ int, p string, item *yaml.Node) {
				if ind := d.parseIndicator(item, p); ind != nil {
					fs.indicators = append(fs.indicators, ind)
				}
			})
		case "tests":
			d.list(v, "tests", func(_ int, p string, item *yaml.Node) {
				if t, ok := d.parseFileTest(item, p); ok {
					fs.tests = append(fs.tests, t)
				}
			})
		}
	})
	return fs
}

// yamlError splits a yaml.v3 syntax error ("yaml: line 3: ...") into its
// line and message, so that it reads file:line: like every other error.
func yamlError(err error) (int, string) {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(s, "line "); ok {
		if i := strings.Index(rest, ":"); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				return n, strings.TrimSpace(rest[i+1:])
			}
		}
	}
	return 1, s
}

var listName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func (d *decoder) parseLists(n *yaml.Node) []listSpec {
	if n.Kind != yaml.MappingNode {
		d.fail(n, "lists", "expected a mapping of list names to lists of words, got %s", kindName(n))
		return nil
	}
	var out []listSpec
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := "lists." + k.Value
		switch {
		case !listName.MatchString(k.Value):
			d.fail(k, p, "list name %q must be lower-case letters, digits and _", k.Value)
			continue
		case seen[k.Value]:
			d.fail(k, p, "list %q is given twice", k.Value)
			continue
		case v.Kind == yaml.AliasNode:
			d.fail(v, p, "anchors and aliases are not supported; write the value out")
			continue
		}
		seen[k.Value] = true
		entries := d.strList(v, p)
		if v.Kind == yaml.SequenceNode && len(entries) == 0 && len(v.Content) == 0 {
			d.fail(v, p, "list %q is empty; give at least one word", k.Value)
			continue
		}
		out = append(out, listSpec{name: k.Value, entries: entries, pos: d.pos(k), path: p})
	}
	return out
}

func (d *decoder) parseScoring(n *yaml.Node) *scoringSpec {
	sc := &scoringSpec{pos: d.pos(d.key)}
	d.mapping(n, "scoring", []string{"ad_risk", "organised_activity", "families", "levels"}, func(key string, v *yaml.Node) {
		p := "scoring." + key
		switch key {
		case "ad_risk", "organised_activity":
			d.mapping(v, p, []string{"saturation"}, func(_ string, v *yaml.Node) {
				if k, ok := d.num(v, p+".saturation"); ok {
					if k <= 0 || k > 100 {
						d.fail(v, p+".saturation", "saturation %v out of range; must be above 0 and at most 100 (points at which the score reaches 63)", k)
						return
					}
					if key == "ad_risk" {
						sc.adK = &k
					} else {
						sc.orgK = &k
					}
				}
			})
		case "families":
			if v.Kind != yaml.MappingNode {
				d.fail(v, p, "expected a mapping of family names to {kind, cap}, got %s", kindName(v))
				return
			}
			for i := 0; i+1 < len(v.Content); i += 2 {
				fk, fv := v.Content[i], v.Content[i+1]
				fp := p + "." + fk.Value
				if !listName.MatchString(fk.Value) {
					d.fail(fk, fp, "family name %q must be lower-case letters, digits and _", fk.Value)
					continue
				}
				for _, f := range sc.families {
					if f.name == fk.Value {
						d.fail(fk, fp, "family %q is given twice", fk.Value)
					}
				}
				fam := familySpec{name: fk.Value, pos: d.pos(fk), cap: -1}
				d.mapping(fv, fp, []string{"kind", "cap", "score"}, func(key string, v *yaml.Node) {
					switch key {
					case "kind":
						if s, ok := d.str(v, fp+".kind"); ok {
							if s != kindText && s != kindStructural {
								d.fail(v, fp+".kind", "unknown kind %q; valid: text (single-ad), structural (cross-ad)", s)
							}
							fam.kind = s
						}
					case "score":
						if s, ok := d.str(v, fp+".score"); ok {
							if s != scoreAdRisk && s != scoreOrganised {
								d.fail(v, fp+".score", "unknown score %q; valid: ad_risk, organised_activity", s)
							}
							fam.score = s
						}
					case "cap":
						if c, ok := d.num(v, fp+".cap"); ok {
							if c <= 0 || c > 50 {
								d.fail(v, fp+".cap", "cap %v out of range; must be above 0 and at most 50 points", c)
							}
							fam.cap = c
						}
					}
				})
				if fam.kind == "" {
					d.fail(fk, fp, "family %q needs a kind: text or structural", fk.Value)
				}
				if fam.cap < 0 {
					d.fail(fk, fp, "family %q needs a cap (about 1.5 for text, 2.5 for structural)", fk.Value)
				}
				sc.families = append(sc.families, fam)
			}
		case "levels":
			d.list(v, p, func(_ int, lp string, item *yaml.Node) {
				var lr levelRule
				d.mapping(item, lp, []string{"level", "min_families", "require_kinds", "require_grades"}, func(key string, v *yaml.Node) {
					switch key {
					case "level":
						if s, ok := d.str(v, lp+".level"); ok {
							if s != "high" && s != "medium" && s != "low" {
								d.fail(v, lp+".level", "unknown level %q; valid: high, medium, low", s)
							}
							lr.level = s
						}
					case "min_families":
						if m, ok := d.integer(v, lp+".min_families"); ok {
							if m < 1 || m > 20 {
								d.fail(v, lp+".min_families", "min_families %d out of range; must be 1 to 20", m)
							}
							lr.minFamilies = m
						}
					case "require_kinds":
						lr.kinds = d.strList(v, lp+".require_kinds")
						for _, k := range lr.kinds {
							if k != kindText && k != kindStructural {
								d.fail(v, lp+".require_kinds", "unknown kind %q; valid: text, structural", k)
							}
						}
					case "require_grades":
						lr.grades = d.strList(v, lp+".require_grades")
						for _, g := range lr.grades {
							if !contains(grades, g) {
								d.fail(v, lp+".require_grades", "unknown grade %q; valid: %s", g, strings.Join(grades, ", "))
							}
						}
					}
				})
				if lr.level == "" || lr.minFamilies == 0 {
					d.fail(item, lp, "a level rule needs level and min_families")
					return
				}
				sc.levels = append(sc.levels, lr)
			})
		}
	})
	return sc
}

func (d *decoder) parseIndicator(n *yaml.Node, path string) *indicatorSpec {
	ind := &indicatorSpec{pos: d.pos(n), path: path, indicatorDef: indicatorDef{weight: -1, fields: fieldTitle | fieldText}}
	var negs []patternSpec
	var idNode *yaml.Node
	// given records the fields present, valid or not, so that an invalid
	// value is reported once and not again as missing.
	given := map[string]bool{}
	var weightNode *yaml.Node
	ok := d.mapping(n, path, indicatorFields, func(key string, v *yaml.Node) {
		p := path + "." + key
		given[key] = true
		switch key {
		case "id":
			idNode = v
			if s, ok := d.str(v, p); ok {
				ind.id, ind.idPos = s, d.pos(v)
				if _, known := taxonomy[s]; !known {
					d.fail(v, p, "unknown indicator id %q; ids are the contract of INDICATORS.md (did you mean %q?)", s, closestID(s))
				}
			}
		case "family":
			if s, ok := d.str(v, p); ok {
				ind.family, ind.familyPos = s, d.pos(v)
			}
		case "grade":
			if s, ok := d.str(v, p); ok {
				if !contains(grades, s) {
					d.fail(v, p, "unknown grade %q; valid: %s", s, strings.Join(grades, ", "))
				}
				ind.grade = s
			}
		case "weight":
			weightNode = v
			if w, ok := d.num(v, p); ok {
				if w < 0 || w > MaxWeight {
					d.fail(v, p, "weight %v out of range; must be from 0 to %v points", w, MaxWeight)
					return
				}
				ind.weight = w
			}
		case "cap":
			if c, ok := d.num(v, p); ok {
				if c <= 0 || c > MaxWeight {
					d.fail(v, p, "cap %v out of range; must be above 0 and at most %v points", c, MaxWeight)
					return
				}
				ind.cap, ind.hasCap = c, true
			}
		case "description":
			ind.description, _ = d.str(v, p)
		case "fields":
			ind.fields = 0
			for _, f := range d.strList(v, p) {
				i := indexOf(textFieldNames, f)
				if i < 0 {
					d.fail(v, p, "unknown field %q; patterns can match %s", f, strings.Join(textFieldNames, ", "))
					continue
				}
				ind.fields |= 1 << i
			}
		case "flags":
			for _, f := range d.strList(v, p) {
				if f != "health_outreach" && f != "minor_cue" {
					d.fail(v, p, "unknown flag %q; valid: health_outreach, minor_cue", f)
					continue
				}
				ind.flags = append(ind.flags, f)
			}
		case "when":
			d.mapping(v, p, []string{"categories", "categories_exclude", "langs", "langs_exclude"}, func(key string, v *yaml.Node) {
				vals := d.strList(v, p+"."+key)
				switch key {
				case "categories":
					ind.when.categories = vals
				case "categories_exclude":
					ind.when.categoriesExclude = vals
				case "langs":
					ind.when.langs = vals
				case "langs_exclude":
					ind.when.langsExclude = vals
				}
			})
		case "age":
			ac := &ageCond{min: 0, max: 200, field: true, text: true}
			d.mapping(v, p, []string{"min", "max", "sources"}, func(key string, v *yaml.Node) {
				switch key {
				case "min", "max":
					if a, ok := d.integer(v, p+"."+key); ok {
						if a < 0 || a > 150 {
							d.fail(v, p+"."+key, "age %d out of range; must be 0 to 150", a)
						}
						if key == "min" {
							ac.min = a
						} else {
							ac.max = a
						}
					}
				case "sources":
					ac.field, ac.text = false, false
					for _, s := range d.strList(v, p+".sources") {
						switch s {
						case "field":
							ac.field = true
						case "text":
							ac.text = true
						case "person":
							ac.person = true
						default:
							d.fail(v, p+".sources", "unknown source %q; valid: field (the age field), text (an age stated in title or text), person (an age stated in title or text next to a person: the ad's name, \"pige 17\", \"I'm 16\")", s)
						}
					}
				}
			})
			if ac.min > ac.max {
				d.fail(v, p, "min %d is above max %d", ac.min, ac.max)
			}
			ind.age = ac
		case "phone_country_not":
			for _, c := range d.strList(v, p) {
				c = strings.TrimPrefix(c, "+")
				if _, err := strconv.Atoi(c); err != nil || len(c) == 0 || len(c) > 3 {
					d.fail(v, p, "country calling code %q must be 1 to 3 digits, e.g. \"45\"", c)
					continue
				}
				ind.phoneNot = append(ind.phoneNot, "+"+c)
			}
		case "phone_obscured":
			ind.phoneObsc, _ = d.boolean(v, p)
		case "languages_exclude":
			for _, l := range d.strList(v, p) {
				if !langCode.MatchString(l) {
					d.fail(v, p, "language %q must be a two-letter ISO 639-1 code such as da or en", l)
					continue
				}
				ind.langExclude = append(ind.langExclude, l)
			}
		case "ad_language_not_spoken":
			ind.adLangNot, _ = d.boolean(v, p)
		case "pay_at_least":
			ind.payMin = d.parsePay(v, p)
		case "unless":
			d.mapping(v, p, []string{"languages", "company_domain", "company_name"}, func(key string, v *yaml.Node) {
				switch key {
				case "languages":
					for _, l := range d.strList(v, p+".languages") {
						if !langCode.MatchString(l) {
							d.fail(v, p+".languages", "language %q must be a two-letter ISO 639-1 code such as da or en", l)
							continue
						}
						ind.unlessLangs = append(ind.unlessLangs, l)
					}
				case "company_domain":
					ind.unlessDomain, _ = d.boolean(v, p+".company_domain")
				case "company_name":
					ind.unlessName, _ = d.boolean(v, p+".company_name")
				}
			})
		case "min_cues":
			if m, ok := d.integer(v, p); ok {
				if m < 1 || m > maxCues {
					d.fail(v, p, "min_cues %d out of range; must be 1 to %d", m, maxCues)
					return
				}
				ind.minCues = m
			}
		case "cues":
			d.list(v, p, func(i int, cp string, item *yaml.Node) {
				if i >= maxCues {
					d.fail(item, cp, "at most %d cues", maxCues)
					return
				}
				var c cueSpec
				idx := len(ind.cues)
				hasTrigger := false
				d.mapping(item, cp, []string{"name", "required", "pay_at_least", "patterns", "note"}, func(key string, v *yaml.Node) {
					switch key {
					case "name":
						c.name, _ = d.str(v, cp+".name")
					case "required":
						c.required, _ = d.boolean(v, cp+".required")
					case "pay_at_least":
						c.payMin = d.parsePay(v, cp+".pay_at_least")
						hasTrigger = true
					case "patterns":
						ps := d.parsePatterns(v, cp+".patterns", false)
						for k := range ps {
							ps[k].cue = idx
						}
						ind.patterns = append(ind.patterns, ps...)
						hasTrigger = true
					case "note":
						d.str(v, cp+".note")
					}
				})
				if c.name == "" {
					d.fail(item, cp, "a cue needs a name")
				}
				for _, o := range ind.cues {
					if o.name == c.name && c.name != "" {
						d.fail(item, cp+".name", "cue %q is given twice", c.name)
					}
				}
				if !hasTrigger {
					d.fail(item, cp, "cue %q needs patterns or pay_at_least", c.name)
				}
				ind.cues = append(ind.cues, c)
			})
		case "boost":
			b := &boost{}
			d.mapping(v, p, []string{"family", "factor"}, func(key string, v *yaml.Node) {
				switch key {
				case "family":
					b.family, _ = d.str(v, p+".family")
				case "factor":
					if f, ok := d.num(v, p+".factor"); ok {
						if f < 1 || f > 3 {
							d.fail(v, p+".factor", "factor %v out of range; must be from 1 to 3", f)
						}
						b.factor = f
					}
				}
			})
			if b.family == "" || b.factor == 0 {
				d.fail(v, p, "boost needs family and factor")
			} else {
				ind.boost = b
			}
		case "patterns", "negative":
			ps := d.parsePatterns(v, p, key == "negative")
			if key == "negative" {
				negs = ps
			} else {
				ind.patterns = append(ind.patterns, ps...)
			}
		case "tests":
			d.list(v, p, func(_ int, tp string, item *yaml.Node) {
				if t, ok := d.parseIndicatorTest(item, tp); ok {
					ind.tests = append(ind.tests, t)
				}
			})
		}
	})
	if !ok {
		return nil
	}
	ind.patterns = append(ind.patterns, negs...)
	if idNode == nil {
		d.fail(n, path, "indicator needs an id from INDICATORS.md")
		return nil
	}
	if !given["family"] {
		d.fail(n, path+".family", "indicator %q needs a family", ind.id)
	}
	if !given["grade"] {
		d.fail(n, path+".grade", "indicator %q needs a grade (%s)", ind.id, strings.Join(grades, ", "))
	}
	switch {
	case !given["weight"]:
		d.fail(n, path+".weight", "indicator %q needs a weight: its start weight in INDICATORS.md", ind.id)
	case ind.grade == "A-" && ind.weight > 0:
		d.fail(weightNode, path+".weight", "weight %v for a grade A- indicator; A- (tested, not predictive) must have weight 0", ind.weight)
	}
	switch {
	case given["cues"] && !given["min_cues"]:
		d.fail(n, path+".min_cues", "indicator %q has cues but no min_cues: how many of them must hold", ind.id)
	case given["min_cues"] && !given["cues"]:
		d.fail(n, path+".min_cues", "min_cues without cues: give the cues it counts")
	case given["min_cues"] && ind.minCues > len(ind.cues):
		d.fail(n, path+".min_cues", "min_cues %d is more than the %d cues given", ind.minCues, len(ind.cues))
	}
	triggers := given["patterns"] || given["age"] || given["phone_country_not"] || given["phone_obscured"] ||
		given["languages_exclude"] || given["ad_language_not_spoken"] || given["pay_at_least"] || given["cues"]
	if !triggers {
		if given["negative"] {
			d.fail(n, path+".negative", "indicator %q has negative patterns but no patterns to suppress", ind.id)
		} else {
			d.fail(n, path, "indicator %q can never fire: give patterns, cues, age, phone_country_not, phone_obscured, languages_exclude, ad_language_not_spoken or pay_at_least", ind.id)
		}
	}
	return ind
}

// parsePay decodes {dkk_per_month: N}: a stated pay of at least N kroner
// a month (pay stated per week is counted per month).
func (d *decoder) parsePay(n *yaml.Node, path string) float64 {
	var v float64
	d.mapping(n, path, []string{"dkk_per_month"}, func(_ string, vn *yaml.Node) {
		if f, ok := d.num(vn, path+".dkk_per_month"); ok {
			if f <= 0 || f > 1e7 {
				d.fail(vn, path+".dkk_per_month", "%v out of range; must be above 0 and at most 10000000 kroner", f)
				return
			}
			v = f
		}
	})
	if v == 0 {
		d.fail(n, path, "pay_at_least needs dkk_per_month")
	}
	return v
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// parsePatterns decodes {lang: [pattern, ...]}; a pattern is a phrase
// written as plain text, or a mapping with phrase or regex.
func (d *decoder) parsePatterns(n *yaml.Node, path string, negative bool) []patternSpec {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping of two-letter language codes (da, en, ...) to lists of patterns, got %s", kindName(n))
		return nil
	}
	var out []patternSpec
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		lang := k.Value
		lp := path + "." + lang
		if !langCode.MatchString(lang) && lang != "any" {
			d.fail(k, lp, "language %q must be a two-letter ISO 639-1 code such as da or en, or any for patterns in no one language", lang)
			continue
		}
		if seen[lang] {
			d.fail(k, lp, "language %q is given twice", lang)
			continue
		}
		seen[lang] = true
		if v.Kind == yaml.AliasNode {
			d.fail(v, lp, "anchors and aliases are not supported; write the value out")
			continue
		}
		d.list(v, lp, func(_ int, p string, item *yaml.Node) {
			ps := patternSpec{lang: lang, cue: -1, weight: -1, negative: negative, pos: d.pos(item), path: p}
			if item.Kind == yaml.ScalarNode && item.Tag != "!!null" {
				ps.phrase = item.Value
				if strings.TrimSpace(ps.phrase) == "" {
					d.fail(item, p, "empty phrase")
					return
				}
				out = append(out, ps)
				return
			}
			var regexNode *yaml.Node
			d.mapping(item, p, []string{"phrase", "regex", "weight", "scope", "note"}, func(key string, v *yaml.Node) {
				switch key {
				case "phrase":
					ps.phrase, _ = d.str(v, p+".phrase")
					ps.pos = d.pos(v)
				case "regex":
					regexNode = v
					ps.pos = d.pos(v)
				case "weight":
					if negative {
						d.fail(v, p+".weight", "a negative pattern has no weight: it only suppresses")
						return
					}
					if w, ok := d.num(v, p+".weight"); ok {
						if w < 0 || w > MaxWeight {
							d.fail(v, p+".weight", "weight %v out of range; must be from 0 to %v points", w, MaxWeight)
							return
						}
						ps.weight = w
					}
				case "scope":
					sc, ok := d.str(v, p+".scope")
					switch {
					case !ok:
					case !negative:
						d.fail(v, p+".scope", "scope is for negative patterns only")
					case sc == "ad":
						ps.veto = true
					case sc == "match":
					default:
						d.fail(v, p+".scope", "unknown scope %q; valid: match (suppress the hits it overlaps, the default), ad (suppress the indicator for the whole ad)", sc)
					}
				case "note":
					d.str(v, p+".note")
				}
			})
			if item.Kind != yaml.MappingNode {
				return
			}
			if regexNode != nil {
				src, ok := d.str(regexNode, p+".regex")
				if !ok {
					return
				}
				if ps.phrase != "" {
					d.fail(regexNode, p, "give phrase or regex, not both")
					return
				}
				re, err := compileRuleRegex(src)
				if err != nil {
					d.fail(regexNode, p+".regex", "%v", err)
					return
				}
				ps.regex = re
			} else if strings.TrimSpace(ps.phrase) == "" {
				d.fail(item, p, "a pattern needs a phrase or a regex")
				return
			}
			out = append(out, ps)
		})
	}
	return out
}

// compileRuleRegex compiles a rule-file regex to run on normalised text.
func compileRuleRegex(src string) (*regexp.Regexp, error) {
	if strings.Contains(src, `\b`) || strings.Contains(src, `\B`) {
		return nil, errors.New(`\b and \B are ASCII-only in Go (ø, å and Cyrillic break them); use (?:^| ) and (?: |$), or (?:^|[^\p{L}\p{N}])`)
	}
	if len(src) > 4096 {
		return nil, errors.New("regex longer than 4096 bytes; split it")
	}
	if _, err := regexp.Compile(src); err != nil {
		return nil, fmt.Errorf("invalid regex: %v", err)
	}
	norm, err := normalizeRegex(src)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(norm)
	if err != nil {
		return nil, fmt.Errorf("invalid regex after normalisation (%q): %v", norm, err)
	}
	return re, nil
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
