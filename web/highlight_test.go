package web

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

func TestHighlight(t *testing.T) {
	l := func(s ...string) []string { return s }
	tests := []struct {
		name  string
		s     string
		spans []span
		want  string
	}{
		{name: "no spans", s: "plain & simple", want: "plain &amp; simple"},
		{name: "one span", s: "Ring to ni", spans: []span{{5, 10, l("obscured_contact")}}, want: `Ring <mark title="obscured_contact">to ni</mark>`},
		{name: "no label", s: "abc", spans: []span{{0, 1, nil}}, want: `<mark>a</mark>bc`},
		{
			name:  "hostile text outside and inside marks",
			s:     `<script>alert(1)</script><img src=x onerror="alert(2)">`,
			spans: []span{{8, 16, l("x")}},
			want:  `&lt;script&gt;<mark title="x">alert(1)</mark>&lt;/script&gt;&lt;img src=x onerror=&#34;alert(2)&#34;&gt;`,
		},
		{
			name:  "hostile label",
			s:     "abc",
			spans: []span{{0, 3, l(`"><script>alert(1)</script>`, `a'b&c`)}},
			want:  `<mark title="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;, a&#39;b&amp;c">abc</mark>`,
		},
		{name: "overlapping spans merge", s: "abcdefgh", spans: []span{{1, 4, l("a")}, {3, 6, l("b")}}, want: `a<mark title="a, b">bcdef</mark>gh`},
		{name: "nested spans merge", s: "abcdefgh", spans: []span{{2, 4, l("inner")}, {1, 7, l("outer")}}, want: `a<mark title="outer, inner">bcdefg</mark>h`},
		{name: "duplicate spans", s: "abcd", spans: []span{{1, 3, l("a")}, {1, 3, l("a")}}, want: `a<mark title="a">bc</mark>d`},
		{name: "adjacent spans stay apart", s: "abcd", spans: []span{{0, 2, l("a")}, {2, 4, l("b")}}, want: `<mark title="a">ab</mark><mark title="b">cd</mark>`},
		{name: "unsorted spans", s: "abcdef", spans: []span{{4, 5, l("b")}, {0, 1, l("a")}}, want: `<mark title="a">a</mark>bcd<mark title="b">e</mark>f`},
		{name: "out of range clipped", s: "abc", spans: []span{{-10, 1, l("a")}, {2, 1000, l("b")}}, want: `<mark title="a">a</mark>b<mark title="b">c</mark>`},
		{name: "wholly out of range dropped", s: "abc", spans: []span{{5, 9, l("a")}, {-9, -1, l("b")}}, want: `abc`},
		{name: "empty and inverted dropped", s: "abc", spans: []span{{1, 1, l("a")}, {2, 1, l("b")}}, want: `abc`},
		{name: "empty text", s: "", spans: []span{{0, 5, l("a")}}, want: ``},
		// "æ" is two bytes: a span that starts or ends inside it takes it whole.
		{name: "start inside a character", s: "dæk", spans: []span{{2, 4, l("a")}}, want: `d<mark title="a">æk</mark>`},
		{name: "end inside a character", s: "dæk", spans: []span{{0, 2, l("a")}}, want: `<mark title="a">dæ</mark>k`},
		{name: "span inside one character", s: "€", spans: []span{{1, 2, l("a")}}, want: `<mark title="a">€</mark>`},
		{name: "invalid UTF-8", s: "a\xffb\xc3", spans: []span{{1, 2, l("a")}}, want: "a<mark title=\"a\">\uFFFD</mark>b\uFFFD"},
		{name: "stray continuation bytes", s: "\x80\x80\x80\x80x", spans: []span{{2, 3, l("a")}}, want: "\uFFFD\uFFFD<mark title=\"a\">\uFFFD</mark>\uFFFDx"},
		{name: "NUL", s: "a\x00b", spans: []span{{1, 2, l("a")}}, want: "a<mark title=\"a\">\uFFFD</mark>b"},
		{name: "close tag in text cannot end a mark", s: "a</mark><script>", spans: []span{{0, 16, l("a")}}, want: `<mark title="a">a&lt;/mark&gt;&lt;script&gt;</mark>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(highlight(tt.s, tt.spans))
			if got != tt.want {
				t.Errorf("highlight(%q, %v)\n got %s\nwant %s", tt.s, tt.spans, got, tt.want)
			}
			checkHighlight(t, tt.s, got)
		})
	}
}

// markTag matches exactly the tags highlight writes.
var markTag = regexp.MustCompile(`<mark(?: title="[^"<>]*")?>|</mark>`)

// checkHighlight checks what must hold for any input: the only tags in the
// output are highlight's own marks, balanced and never nested, and the text
// between them is s, escaped, with invalid bytes and NUL replaced.
func checkHighlight(t *testing.T, s, out string) {
	t.Helper()
	open := false
	for _, tag := range markTag.FindAllString(out, -1) {
		closing := tag == "</mark>"
		if closing != open {
			t.Fatalf("marks unbalanced or nested in %q", out)
		}
		open = !closing
	}
	if open {
		t.Fatalf("mark left open in %q", out)
	}
	text := markTag.ReplaceAllString(out, "")
	if i := strings.IndexAny(text, `<>"`); i >= 0 {
		t.Fatalf("unescaped %q in text of %q", text[i], out)
	}
	want := strings.ReplaceAll(string([]rune(s)), "\x00", "\uFFFD")
	if got := html.UnescapeString(text); got != want {
		t.Fatalf("text of the output is %q, want %q", got, want)
	}
}

func FuzzHighlight(f *testing.F) {
	f.Add(`<script>alert(1)</script>`, 0, 8, 4, 20, "id")
	f.Add("dæk € \xff\x00", 2, 3, 7, 8, `"><b>`)
	f.Add("", -1, 10, 0, 0, "")
	f.Add("abc", 2, 1, 1, 3, "&amp;")
	f.Fuzz(func(t *testing.T, s string, start1, end1, start2, end2 int, label string) {
		spans := []span{{start1, end1, []string{label}}, {start2, end2, []string{"second"}}}
		out := string(highlight(s, spans))
		checkHighlight(t, s, out)
		if n := strings.Count(out, "<mark"); n > len(spans) {
			t.Fatalf("%d marks for %d spans", n, len(spans))
		}
	})
}
