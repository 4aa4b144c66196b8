package phone

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzExtract checks that Extract never panics on outside input and that
// every match points at a non-empty stretch of the text and carries an
// E.164 number.
func FuzzExtract(f *testing.F) {
	seeds := []string{
		"Ring 28 63 90 14",
		"+45 5l 9O 36 24",
		"2️⃣8️⃣ 6️⃣3️⃣ 9️⃣0️⃣ 1️⃣4️⃣",
		"2⃣6⃣ 9⃣1⃣ 4⃣0⃣ 7⃣8⃣",
		"to otte seks tre – ni nul et fire",
		"twenty-three, sixty-one, forty, eighty-five",
		"patru doi – opt unu – nouă cinci – trei șase",
		"2l.74💋60.38",
		"CVR 35806129 · 54 91 37 62",
		"01.09.2026 kl. 20.00-22.00",
		"００４５ ２８６３９０１４",
		"+",
		"00",
		"+0000000000000000000",
		"\xff\xfe 28\u20e3",
		strings.Repeat("1 ", 200),
		strings.Repeat("to ", 100),
		strings.Repeat("+4", 50),
	}
	for _, s := range seeds {
		f.Add(s, "DK")
	}
	f.Add("Informații pe WhatsApp: 0733 612 480", "RO")
	f.Add("Ring 28 63 90 14", "")
	f.Fuzz(func(t *testing.T, text, region string) {
		if len(region) > 8 {
			region = region[:8]
		}
		for _, m := range Extract(text, region) {
			if m.Start < 0 || m.End > len(text) || m.Start >= m.End {
				t.Fatalf("Extract(%q) offsets %d:%d out of range", text, m.Start, m.End)
			}
			if !strings.HasPrefix(m.E164, "+") || len(m.E164) < 5 || len(m.E164) > 16 {
				t.Fatalf("Extract(%q) E164 %q", text, m.E164)
			}
			if utf8.ValidString(text) && !utf8.ValidString(text[m.Start:m.End]) {
				t.Fatalf("Extract(%q) cut a rune: %q", text, text[m.Start:m.End])
			}
		}
		if e, ok := Normalize(text, region); ok && !strings.HasPrefix(e, "+") {
			t.Fatalf("Normalize(%q) = %q", text, e)
		}
	})
}
