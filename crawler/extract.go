package crawler

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/adwatch/adwatch/ad"
)

// maxJSONLDBytes bounds the JSON-LD read from one page.
const maxJSONLDBytes = 1 << 20

// jsonLD holds the JSON-LD objects of a page: every object of every
// <script type="application/ld+json">, arrays and @graph flattened, in page
// order. Blocks that are not valid JSON are skipped and counted.
type jsonLD struct {
	objects []map[string]any
	invalid int
}

func parseJSONLD(doc *goquery.Selection) *jsonLD {
	ld := &jsonLD{}
	total := 0
	doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		src := s.Text()
		if total += len(src); total > maxJSONLDBytes {
			ld.invalid++
			return
		}
		var v any
		if err := json.Unmarshal([]byte(src), &v); err != nil {
			ld.invalid++
			return
		}
		ld.add(v, 0)
	})
	return ld
}

func (ld *jsonLD) add(v any, depth int) {
	if depth > 4 {
		return
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			ld.add(e, depth+1)
		}
	case map[string]any:
		ld.objects = append(ld.objects, t)
		if g, ok := t["@graph"]; ok {
			ld.add(g, depth+1)
		}
	}
}

// values returns the values at path in the first object (of type typ, if
// given) that has any.
func (ld *jsonLD) values(typ, path string) []string {
	if ld == nil {
		return nil
	}
	for _, o := range ld.objects {
		if typ != "" && !hasType(o, typ) {
			continue
		}
		if v := values(lookup(o, path)); len(v) > 0 {
			return v
		}
	}
	return nil
}

func hasType(o map[string]any, typ string) bool {
	switch t := o["@type"].(type) {
	case string:
		return strings.EqualFold(t, typ)
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok && strings.EqualFold(s, typ) {
				return true
			}
		}
	}
	return false
}

// extract returns the rule's values on an ad page: the JSON-LD value if the
// rule has a path and the page a value there, otherwise the selector's.
func (r FieldRule) extract(doc *goquery.Selection, ld *jsonLD, ldType string) []string {
	if r.Value != "" {
		return []string{r.Value}
	}
	var out []string
	if r.JSONLD != "" {
		if r.JSONLDType != "" {
			ldType = r.JSONLDType
		}
		for _, v := range ld.values(ldType, r.JSONLD) {
			if v = clean(v, r.re); v != "" {
				out = append(out, v)
				if !r.Multiple {
					break
				}
			}
		}
		if len(out) > 0 || r.sel == nil {
			return out
		}
	}
	if r.sel == nil {
		return nil
	}
	doc.FindMatcher(r.sel).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		var v string
		if r.Attr != "" {
			v, _ = s.Attr(r.Attr)
		} else {
			v = textOf(s)
		}
		if v = clean(v, r.re); v != "" {
			out = append(out, v)
		}
		return r.Multiple
	})
	return out
}

func clean(v string, re *regexp.Regexp) string {
	v = strings.TrimSpace(v)
	if re == nil || v == "" {
		return v
	}
	m := re.FindStringSubmatch(v)
	switch {
	case m == nil:
		return ""
	case len(m) > 1:
		return strings.TrimSpace(m[1])
	default:
		return strings.TrimSpace(m[0])
	}
}

// blockElements end a line when text is taken from a page.
var blockElements = map[string]bool{"p": true, "div": true, "li": true, "tr": true, "h1": true, "h2": true, "h3": true, "h4": true, "dd": true, "dt": true}

// textOf returns the visible text of a selection with line breaks where
// <br> and block elements put them, and spaces folded within each line.
func textOf(s *goquery.Selection) string {
	var b strings.Builder
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "template":
				return
			case "br":
				b.WriteByte('\n')
				return
			}
			if blockElements[n.Data] {
				b.WriteByte('\n') // empty lines are dropped below
			}
		}
		// The parser nests at most 512 deep; the guard keeps a hostile
		// page's recursion bounded all the same.
		if depth > 1024 {
			return
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, depth+1)
		}
		if n.Type == html.ElementNode && blockElements[n.Data] {
			b.WriteByte('\n')
		}
	}
	for _, n := range s.Nodes {
		walk(n, 0)
	}
	lines := strings.Split(b.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

var firstNumber = regexp.MustCompile(`\d+`)

// setField sets the ad field name from extracted values; values a field
// cannot hold (an age that is no number) leave it unknown. "images" are
// not set here: the crawl turns them into hashes.
func setField(r *ad.Raw, name string, values []string) {
	if len(values) == 0 {
		return
	}
	first := values[0]
	switch name {
	case "title":
		r.Title = first
	case "text":
		r.Text = strings.Join(values, "\n")
	case "name":
		r.Name = first
	case "city":
		r.City = first
	case "age":
		if n, err := strconv.Atoi(firstNumber.FindString(first)); err == nil && n > 0 && n < 130 {
			r.Age = n
		}
	case "price_text":
		r.PriceText = first
	case "phones":
		r.Phones = values
	case "languages":
		r.Languages = values
	case "category":
		r.Category = strings.ToLower(first)
	case "lang":
		r.Lang = strings.ToLower(first)
	case "posted_at":
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
			if t, err := time.Parse(layout, first); err == nil {
				r.PostedAt = t.UTC()
				break
			}
		}
	}
}

// lookup follows a dot path ("profile.name") through decoded JSON. A
// number indexes an array; a name applied to an array is applied to each
// element ("images.url" of [{"url":a},{"url":b}] is [a b]).
func lookup(v any, path string) any {
	if path == "" || path == "." {
		return v
	}
	key, rest, _ := strings.Cut(path, ".")
	switch t := v.(type) {
	case map[string]any:
		return lookup(t[key], rest)
	case []any:
		i, err := strconv.Atoi(key)
		if err == nil {
			if i < 0 || i >= len(t) {
				return nil
			}
			return lookup(t[i], rest)
		}
		var out []any
		for _, e := range t {
			if r := lookup(e, path); r != nil {
				out = append(out, r)
			}
		}
		if out == nil {
			return nil
		}
		return out
	default:
		return nil
	}
}

// values flattens a JSON value into strings.
func values(v any) []string {
	switch t := v.(type) {
	case nil:
		return nil
	case string:
		if t = strings.TrimSpace(t); t != "" {
			return []string{t}
		}
		return nil
	case float64:
		return []string{strconv.FormatFloat(t, 'f', -1, 64)}
	case bool:
		return []string{strconv.FormatBool(t)}
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, values(e)...)
		}
		return out
	default:
		return nil
	}
}
