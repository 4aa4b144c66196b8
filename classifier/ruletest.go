package classifier

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/adwatch/adwatch/ad"
)

// indicatorTest is an inline test case of an indicator: an ad, and whether
// the indicator must fire on it (and, optionally, on what text).
type indicatorTest struct {
	pos      pos
	raw      ad.Raw
	fires    bool
	evidence string
}

// fileTest is a file-level test case: an ad and what its whole assessment
// must show.
type fileTest fileTestSpec

type fileTestSpec struct {
	pos        pos
	raw        ad.Raw
	level      string
	indicators []string
	absent     []string
	flags      []string
}

// TestFailure is one inline test case of a rule file that failed.
type TestFailure struct {
	File      string
	Line      int
	Indicator string // "" for a file-level test
	Message   string
}

func (f TestFailure) String() string {
	if f.Indicator == "" {
		return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Message)
	}
	return fmt.Sprintf("%s:%d: %s: %s", f.File, f.Line, f.Indicator, f.Message)
}

// Test runs the inline test cases of every rule file and returns the ones
// that failed, in file order; none means every case passed.
func (r *Rules) Test() []TestFailure {
	var out []TestFailure
	for _, ind := range r.inds {
		for _, t := range ind.tests {
			a := r.Classify(t.raw)
			var got *ad.Indicator
			for i := range a.Indicators {
				if a.Indicators[i].ID == ind.id {
					got = &a.Indicators[i]
				}
			}
			fail := func(format string, args ...any) {
				out = append(out, TestFailure{File: t.pos.file, Line: t.pos.line, Indicator: ind.id,
					Message: fmt.Sprintf(format, args...) + " on " + describe(t.raw)})
			}
			switch {
			case t.fires && got == nil:
				fail("want it to fire, it did not")
			case !t.fires && got != nil:
				fail("want it not to fire, it fired on %s", evidenceList(got.Evidence))
			case t.fires && t.evidence != "":
				found := false
				for _, e := range got.Evidence {
					if e.Text == t.evidence {
						found = true
					}
				}
				if !found {
					fail("want evidence %q, got %s", t.evidence, evidenceList(got.Evidence))
				}
			}
		}
	}
	for _, t := range r.fileTests {
		a := r.Classify(t.raw)
		fail := func(format string, args ...any) {
			out = append(out, TestFailure{File: t.pos.file, Line: t.pos.line,
				Message: fmt.Sprintf(format, args...) + " on " + describe(t.raw)})
		}
		if t.level != "" && a.Level != t.level {
			fail("want level %s, got %s (%s)", t.level, a.Level, indicatorList(a))
		}
		for _, id := range t.indicators {
			if !hasIndicator(a, id) {
				fail("want %s to fire, it did not (%s)", id, indicatorList(a))
			}
		}
		for _, id := range t.absent {
			if hasIndicator(a, id) {
				fail("want %s not to fire, it did (%s)", id, indicatorList(a))
			}
		}
		for _, f := range t.flags {
			if !a.HasFlag(f) {
				fail("want flag %s, got %v", f, a.Flags)
			}
		}
	}
	return out
}

func hasIndicator(a ad.Assessment, id string) bool {
	for _, i := range a.Indicators {
		if i.ID == id {
			return true
		}
	}
	return false
}

func indicatorList(a ad.Assessment) string {
	if len(a.Indicators) == 0 {
		return "no indicators"
	}
	var ids []string
	for _, i := range a.Indicators {
		ids = append(ids, i.ID)
	}
	return strings.Join(ids, ", ")
}

func evidenceList(evs []ad.Evidence) string {
	var parts []string
	for _, e := range evs {
		parts = append(parts, fmt.Sprintf("%s %q", e.Field, e.Text))
	}
	return strings.Join(parts, ", ")
}

func describe(r ad.Raw) string {
	s := r.Text
	if s == "" {
		s = r.Title
	}
	if len(s) > 60 {
		cut := 60
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return fmt.Sprintf("%q", s)
}

var adFields = []string{
	"id", "site", "url", "category", "lang", "title", "text", "name", "city", "age",
	"price_text", "phones", "languages",
}

// parseAd decodes an ad written as a mapping of ad.Raw's JSON fields.
func (d *decoder) parseAd(n *yaml.Node, path string) ad.Raw {
	var r ad.Raw
	d.mapping(n, path, adFields, func(key string, v *yaml.Node) {
		p := path + "." + key
		switch key {
		case "age":
			if a, ok := d.integer(v, p); ok {
				if a < 0 || a > 150 {
					d.fail(v, p, "age %d out of range; must be 0 to 150", a)
				}
				r.Age = a
			}
		case "phones":
			r.Phones = d.strList(v, p)
		case "languages":
			r.Languages = d.strList(v, p)
		default:
			s, _ := d.str(v, p)
			switch key {
			case "id":
				r.ID = s
			case "site":
				r.Site = s
			case "url":
				r.URL = s
			case "category":
				r.Category = s
			case "lang":
				r.Lang = s
			case "title":
				r.Title = s
			case "text":
				r.Text = s
			case "name":
				r.Name = s
			case "city":
				r.City = s
			case "price_text":
				r.PriceText = s
			}
		}
	})
	return r
}

func (d *decoder) parseIndicatorTest(n *yaml.Node, path string) (indicatorTest, bool) {
	t := indicatorTest{pos: d.pos(n)}
	hasAd, hasFires := false, false
	ok := d.mapping(n, path, []string{"text", "ad", "fires", "evidence", "note"}, func(key string, v *yaml.Node) {
		p := path + "." + key
		switch key {
		case "text":
			if hasAd {
				d.fail(v, p, "give text or ad, not both")
			}
			t.raw.Text, _ = d.str(v, p)
			hasAd = true
		case "ad":
			if hasAd {
				d.fail(v, p, "give text or ad, not both")
			}
			t.raw = d.parseAd(v, p)
			hasAd = true
		case "fires":
			t.fires, _ = d.boolean(v, p)
			hasFires = true
		case "evidence":
			t.evidence, _ = d.str(v, p)
		case "note":
			d.str(v, p)
		}
	})
	if !ok {
		return t, false
	}
	if !hasAd {
		d.fail(n, path, "a test needs text: (an ad text) or ad: (a mapping of ad fields)")
	}
	if !hasFires {
		d.fail(n, path, "a test needs fires: true or fires: false")
	}
	if t.evidence != "" && !t.fires {
		d.fail(n, path+".evidence", "evidence only makes sense with fires: true")
	}
	return t, hasAd && hasFires
}

func (d *decoder) parseFileTest(n *yaml.Node, path string) (fileTestSpec, bool) {
	t := fileTestSpec{pos: d.pos(n)}
	hasAd := false
	ok := d.mapping(n, path, []string{"text", "ad", "level", "indicators", "absent", "flags", "note"}, func(key string, v *yaml.Node) {
		p := path + "." + key
		switch key {
		case "text":
			t.raw.Text, _ = d.str(v, p)
			hasAd = true
		case "ad":
			t.raw = d.parseAd(v, p)
			hasAd = true
		case "level":
			t.level, _ = d.str(v, p)
			if !contains([]string{ad.LevelNone, ad.LevelLow, ad.LevelMedium, ad.LevelHigh}, t.level) {
				d.fail(v, p, "unknown level %q; valid: none, low, medium, high", t.level)
			}
		case "indicators":
			t.indicators = d.strList(v, p)
		case "absent":
			t.absent = d.strList(v, p)
		case "flags":
			t.flags = d.strList(v, p)
		case "note":
			d.str(v, p)
		}
	})
	if ok && !hasAd {
		d.fail(n, path, "a test needs text: or ad:")
	}
	return t, ok && hasAd
}
