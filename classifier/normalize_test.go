package classifier

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestViewBuild(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"case and punctuation", "NY PIGE I BYEN!!", "ny pige i byen"},
		{"danish letters", "Sød pige, ægte billeder på Østerbro", "sod pige aegte billeder pa osterbro"},
		{"aa is å", "23 aar, Aalborg, Ålborg", "23 ar alborg alborg"},
		{"accents", "Fată nouă în oraș, recién llegada", "fata noua in oras recien llegada"},
		{"sharp s", "Straße", "strasse"},
		{"double letters stay", "till all sweet", "till all sweet"},
		{"runs of three collapse", "sooo sweeeet nooo", "so swet no"},
		{"slash is a token", "24/7", "24 / 7"},
		{"dash by a digit is a token", "24-7 og 10–18", "24 - 7 og 10 - 18"},
		{"dash between words is a space", "no-limits, Man–fre", "no limits man fre"},
		{"percent", "100%ægte", "100 % aegte"},
		{"question mark", "Ny i Aalborg?", "ny i alborg ?"},
		{"keycaps", "2️⃣8️⃣ 6️⃣3️⃣", "28 63"},
		{"emoji tokens", "900🌹 💋💋", "900 🌹 💋 💋"},
		{"zwj and skin tone", "💆‍♀️ 👍🏽", "💆 ♀ 👍"},
		{"nfkc width and ligature", "ＡＢＣ ﬁne ²", "abc fine 2"},
		{"combining accent", "cafe\u0301", "cafe"},
		{"cyrillic kept", "Нова в града", "нова в града"},
		{"apostrophe", "I'm don’t", "i m don t"},
		{"whitespace", "  a\n\n\tb  ", "a b"},
		{"place names stay words", "Nyhavn Nyborg downtown", "nyhavn nyborg downtown"},
		{"empty", "", ""},
		{"only punctuation", "!!! ...", ""},
		{"invalid utf8", "a\xffb", "a \ufffd b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := normalizeString(tt.in); got != tt.want {
				t.Errorf("normalizeString(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// checkView checks the invariants of a view of s: no leading, trailing or
// double spaces; every byte maps to a range of s; and every word maps back
// to original text that normalises to that word.
func checkView(t *testing.T, s string) {
	t.Helper()
	var v view
	v.build(s)
	b := string(v.b)
	if strings.HasPrefix(b, " ") || strings.HasSuffix(b, " ") || strings.Contains(b, "  ") {
		t.Fatalf("view of %q is %q: stray spaces", s, b)
	}
	if len(v.start) != len(v.b) || len(v.end) != len(v.b) {
		t.Fatalf("view of %q: %d bytes, %d starts, %d ends", s, len(v.b), len(v.start), len(v.end))
	}
	for i := range v.b {
		if v.start[i] < 0 || v.start[i] > v.end[i] || int(v.end[i]) > len(s) {
			t.Fatalf("view of %q: byte %d maps to [%d,%d)", s, i, v.start[i], v.end[i])
		}
	}
	for i := 0; i < len(b); {
		j := strings.IndexByte(b[i:], ' ')
		if j < 0 {
			j = len(b)
		} else {
			j += i
		}
		word := b[i:j]
		st, en, ok := v.span(i, j)
		if !ok {
			t.Fatalf("view of %q: word %q has no span", s, word)
		}
		orig := s[st:en]
		if !utf8.ValidString(orig) && utf8.ValidString(s) {
			t.Fatalf("view of %q: word %q maps to invalid UTF-8 %q", s, word, orig)
		}
		r, _ := utf8.DecodeRuneInString(word)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if got := normalizeString(orig); got != word {
				t.Errorf("view of %q: word %q maps to %q, which normalises to %q", s, word, orig, got)
			}
		}
		i = j + 1
	}
}

func TestViewOffsets(t *testing.T) {
	for _, s := range []string{
		"NY PIGE I BYEN ❤️ Bella 22",
		"Sød og sexet – ægte billeder 100%!!",
		"sooo sweeeet, 23 aar, Straße",
		"2️⃣8️⃣ 6️⃣3️⃣ 💆‍♀️ ＡＢＣ ﬁne cafe\u0301 Нова",
		"a\xffb\xfe",
		"e\u0301\u0301\u0301x",
	} {
		checkView(t, s)
	}
	for _, d := range loadDevSet(t) {
		checkView(t, d.Title)
		checkView(t, d.Text)
	}
}

func TestViewLong(t *testing.T) {
	s := strings.Repeat("ø", maxView) // cut in the middle of a rune
	var v view
	v.build(s)
	if len(v.b) == 0 || len(v.b) > maxView {
		t.Fatalf("view of a long value has %d bytes", len(v.b))
	}
}
