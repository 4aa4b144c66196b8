package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"

	"github.com/adwatch/adwatch/ad"
)

func TestRosaPagination(t *testing.T) {
	tests := []struct {
		ads       int
		wantPages int
	}{
		{60, 6},
		{25, 3},
		{10, 1},
		{11, 2},
		{3, 1},
		{-1, 1}, // no ads: one empty page
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.ads), func(t *testing.T) {
			s := New(Options{Seed: 3, RosaAds: tt.ads})
			base := serve(t, s)[SiteRosa]
			total := len(s.Ads(SiteRosa))
			var seen []string
			path := "/annoncer"
			for page := 1; ; page++ {
				if page > tt.wantPages {
					t.Fatalf("more than %d pages", tt.wantPages)
				}
				r := get(t, base+path)
				if r.status != http.StatusOK {
					t.Fatalf("%s: status %d", path, r.status)
				}
				doc := parseHTML(t, r.body)
				links := findAll(doc, "a", "ad-link")
				if page < tt.wantPages && len(links) != rosaPerPage {
					t.Errorf("%s lists %d ads, want %d", path, len(links), rosaPerPage)
				}
				for _, l := range links {
					seen = append(seen, attr(l, "href"))
				}
				// The trap robots.txt guards is linked, so that a crawler
				// ignoring robots.txt would fetch it.
				admin := slices.ContainsFunc(findAll(doc, "a", ""), func(n *xhtml.Node) bool {
					return attr(n, "href") == "/admin/stats"
				})
				if !admin {
					t.Errorf("%s has no /admin/stats link", path)
				}
				next := findAll(doc, "a", "next")
				if page == tt.wantPages {
					if len(next) != 0 {
						t.Errorf("last page %s has a next link", path)
					}
					break
				}
				if len(next) != 1 || attr(next[0], "rel") != "next" {
					t.Fatalf("%s: want one a.next[rel=next], got %d", path, len(next))
				}
				path = attr(next[0], "href")
				if want := fmt.Sprintf("/annoncer?page=%d", page+1); path != want {
					t.Fatalf("next link %q, want %q", path, want)
				}
			}
			if len(seen) != total {
				t.Errorf("listing links %d ads, want %d", len(seen), total)
			}
			slices.Sort(seen)
			if len(slices.Compact(seen)) != total {
				t.Error("an ad is listed twice")
			}
			if r := get(t, fmt.Sprintf("%s/annoncer?page=%d", base, tt.wantPages+1)); r.status != http.StatusNotFound {
				t.Errorf("page past the end: status %d, want 404", r.status)
			}
			if a, b := get(t, base+"/annoncer"), get(t, base+"/annoncer?page=1"); !bytes.Equal(a.body, b.body) {
				t.Error("/annoncer and /annoncer?page=1 differ")
			}
		})
	}
}

func TestRosaStatus(t *testing.T) {
	s := New(Options{Seed: 1})
	base := serve(t, s)[SiteRosa]
	tests := []struct {
		path string
		want int
	}{
		{"/", 200},
		{"/annoncer", 200},
		{"/annoncer?page=6", 200},
		{"/annoncer?page=7", 404},
		{"/annoncer?page=0", 400},
		{"/annoncer?page=-1", 400},
		{"/annoncer?page=abc", 400},
		{"/annoncer?page=99999999999999999999", 400},
		{"/annonce/1", 200},
		{"/annonce/60", 200},
		{"/annonce/0", 404},
		{"/annonce/61", 404},
		{"/annonce/007", 404}, // one URL per ad
		{"/annonce/abc", 404},
		{"/annonce/", 404},
		{"/admin/stats", 200},
		{"/ads/1", 404},
		{"/nope", 404},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if r := get(t, base+tt.path); r.status != tt.want {
				t.Errorf("status %d, want %d", r.status, tt.want)
			}
		})
	}
	resp, err := http.Post(base+"/annoncer", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /annoncer: %d, want 405", resp.StatusCode)
	}
}

// TestRosaExtraction crawls sim-rosa as a correct crawler would (an HTML
// parser, the selectors of configs/sites/sim-rosa.yaml, <br> and block
// elements as line breaks) and checks that it gets exactly Ads().
func TestRosaExtraction(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			s := New(Options{Seed: seed})
			base := serve(t, s)[SiteRosa]
			for _, want := range s.Ads(SiteRosa) {
				r := get(t, base+want.URL)
				if r.status != http.StatusOK || r.ctype != "text/html; charset=utf-8" {
					t.Fatalf("%s: %d %q", want.URL, r.status, r.ctype)
				}
				if !bytes.Contains(r.body, []byte(`<meta charset="utf-8">`)) {
					t.Errorf("%s has no meta charset", want.URL)
				}
				got := extractRosa(t, r.body)
				if !reflect.DeepEqual(got, want) {
					g, _ := json.MarshalIndent(got, "", "  ")
					w, _ := json.MarshalIndent(want, "", "  ")
					t.Errorf("%s: extracted\n%s\nwant\n%s", want.URL, g, w)
				}
			}
		})
	}
}

var firstNumber = regexp.MustCompile(`\d+`)

func extractRosa(t *testing.T, page []byte) ad.Raw {
	t.Helper()
	doc := parseHTML(t, page)
	r := ad.Raw{Site: SiteRosa}
	for _, l := range findAll(doc, "link", "") {
		if attr(l, "rel") == "canonical" {
			r.URL = attr(l, "href")
		}
	}
	arts := findAll(doc, "article", "ad-detail")
	if len(arts) != 1 {
		t.Fatalf("want one article.ad-detail, got %d", len(arts))
	}
	art := arts[0]
	one := func(tag, class string) string {
		ns := findAll(art, tag, class)
		if len(ns) > 1 {
			t.Errorf("more than one %s.%s", tag, class)
		}
		if len(ns) == 0 {
			return ""
		}
		return textOf(ns[0])
	}
	r.Title = one("h1", "title")
	r.Text = one("div", "description")
	r.Name = one("dd", "name")
	r.City = one("dd", "city")
	r.PriceText = one("dd", "price")
	r.Category = one("dd", "category")
	if age := one("dd", "age"); age != "" {
		if !strings.HasSuffix(age, " år") {
			t.Errorf("age %q, want \"N år\"", age)
		}
		r.Age, _ = strconv.Atoi(firstNumber.FindString(age))
	}
	for _, n := range findAll(art, "dd", "phone") {
		r.Phones = append(r.Phones, textOf(n))
	}
	for _, ul := range findAll(art, "ul", "languages") {
		for _, li := range findAll(ul, "li", "") {
			r.Languages = append(r.Languages, textOf(li))
		}
	}
	if ts := findAll(art, "time", "posted"); len(ts) == 1 {
		p, err := time.Parse(time.RFC3339, attr(ts[0], "datetime"))
		if err != nil {
			t.Errorf("time.posted: %v", err)
		}
		r.PostedAt = p.UTC()
	}
	// Every dd of a field follows its dt, so a crawler keyed on labels works too.
	labels := map[string]string{"name": "Navn", "city": "By", "age": "Alder", "price": "Pris", "phone": "Telefon", "category": "Kategori"}
	for _, dd := range findAll(art, "dd", "") {
		want, ok := labels[attr(dd, "class")]
		if !ok {
			continue
		}
		dt := dd.PrevSibling
		if dt == nil || dt.Data != "dt" || textOf(dt) != want {
			t.Errorf("dd.%s is not after <dt>%s</dt>", attr(dd, "class"), want)
		}
	}
	return r
}

func TestRosaEscapesContent(t *testing.T) {
	s := New(Options{Seed: 1})
	urls := serve(t, s)
	pages := fetchAll(t, s, urls)
	for k, body := range pages {
		if strings.HasPrefix(k, SiteRosa) || strings.Contains(k, "/ads/") {
			lower := bytes.ToLower(body)
			for _, bad := range []string{"<script", "<img", "<b>", "onerror=alert(1)>"} {
				if bytes.Contains(lower, []byte(bad)) {
					t.Errorf("%s serves %q unescaped", k, bad)
				}
			}
		}
	}
	for _, site := range Sites() {
		var hostile *ad.Raw
		for _, a := range s.Ads(site) {
			if strings.Contains(a.Title, `<script>alert("xss")</script>`) {
				hostile = &a
			}
		}
		if hostile == nil {
			t.Fatalf("%s: no ad with a script tag in its title", site)
		}
		if !strings.Contains(hostile.Text, `<img src=x onerror=alert(1)>`) || !strings.Contains(hostile.Text, "&amp;") {
			t.Errorf("%s: hostile ad text %q lacks its markup", site, hostile.Text)
		}
		page := string(pages[site+hostile.URL])
		if !strings.Contains(page, html.EscapeString(hostile.Title)) {
			t.Errorf("%s%s does not carry the escaped title %q", site, hostile.URL, html.EscapeString(hostile.Title))
		}
		if !strings.Contains(page, "&amp;amp;") {
			t.Errorf("%s%s: a literal &amp; must be served as &amp;amp;", site, hostile.URL)
		}
	}
}

func TestRosaGolden(t *testing.T) {
	s := New(Options{Seed: 1})
	base := serve(t, s)[SiteRosa]
	golden(t, "sim-rosa-annoncer-1.html", get(t, base+"/annoncer").body)
	labels := s.Labels(SiteRosa)
	done := map[string]bool{}
	for i, a := range s.Ads(SiteRosa) {
		var name string
		switch {
		case strings.Contains(a.Title, "<script>"):
			name = "sim-rosa-hostile.html"
		case slices.Contains(labels[i].Indicators, indObscured):
			name = "sim-rosa-obfuscated.html"
		case labels[i].Group != "":
			name = "sim-rosa-group-member.html"
		default:
			continue
		}
		if !done[name] {
			done[name] = true
			golden(t, name, get(t, base+a.URL).body)
		}
	}
	if len(done) != 3 {
		t.Errorf("golden pages written: %v, want hostile, obfuscated and group member", done)
	}
}

// TestTruthGolden keeps the seed-1 ground truth under review: a change to
// the generator shows up as a diff of ads and labels.
func TestTruthGolden(t *testing.T) {
	s := New(Options{Seed: 1})
	var b bytes.Buffer
	for _, site := range Sites() {
		labels := s.Labels(site)
		for i, a := range s.Ads(site) {
			line, err := json.Marshal(struct {
				ad.Raw
				Labels Label `json:"labels"`
			}{a, labels[i]})
			if err != nil {
				t.Fatal(err)
			}
			b.Write(append(line, '\n'))
		}
	}
	golden(t, "seed-1-truth.jsonl", b.Bytes())
}

func parseHTML(t *testing.T, b []byte) *xhtml.Node {
	t.Helper()
	doc, err := xhtml.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// findAll returns the elements under n with tag (any when "") and class
// (any when "").
func findAll(n *xhtml.Node, tag, class string) []*xhtml.Node {
	var out []*xhtml.Node
	var walk func(*xhtml.Node)
	walk = func(c *xhtml.Node) {
		if c.Type == xhtml.ElementNode && (tag == "" || c.Data == tag) && (class == "" || slices.Contains(strings.Fields(attr(c, "class")), class)) {
			out = append(out, c)
		}
		for ch := c.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return out
}

func attr(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

var blockElements = map[string]bool{"p": true, "div": true, "li": true, "tr": true, "h1": true, "h2": true, "h3": true, "h4": true, "dd": true, "dt": true}

// textOf is visible text as Ads documents it: <br> and block elements end
// a line, white space folds within a line, empty lines go.
func textOf(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch n.Type {
		case xhtml.TextNode:
			b.WriteString(n.Data)
		case xhtml.ElementNode:
			switch n.Data {
			case "script", "style", "template":
				return
			case "br":
				b.WriteByte('\n')
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == xhtml.ElementNode && blockElements[n.Data] {
			b.WriteByte('\n')
		}
	}
	walk(n)
	var lines []string
	for _, l := range strings.Split(b.String(), "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
