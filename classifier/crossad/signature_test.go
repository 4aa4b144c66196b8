package crossad

import (
	"slices"
	"strings"
	"testing"

	"github.com/adwatch/adwatch/ad"
)

// TestSignatureMasksSlots: one template filled in for other women, ages,
// cities and numbers (obscured ones included) has one signature.
func TestSignatureMasksSlots(t *testing.T) {
	fill := func(name, age, city, phone string) ad.Raw {
		text := strings.NewReplacer("{name}", name, "{age}", age, "{city}", city, "{phone}", phone).Replace(agencyText)
		return ad.Raw{Title: "NY PIGE " + name + " " + age, Text: text, Name: name, City: city}
	}
	base := signatureOf(ptr(fill("Bella", "22", "København", "28 64 19 73")))
	if !base.ok() {
		t.Fatal("no signature for a full ad")
	}
	for _, r := range []ad.Raw{
		fill("Sofia", "24", "Odense", "28641973"),
		fill("Nikki", "21", "Aarhus", "+45 52 18 66 30"),
		fill("Lara", "23", "Copenhagen", "to otte seks fire en ni syv tre"),
	} {
		if s := signatureOf(&r); !slices.Equal(s.Sketch, base.Sketch) || !slices.Equal(s.Bands, base.Bands) {
			t.Errorf("%s: signature differs: masked %q", r.Name, maskedTokens(&r))
		}
	}
	other := ad.Raw{Text: "Hej, jeg er en glad og moden kvinde som tager imod i egen lejlighed efter aftale. Ring gerne."}
	if sim := similarity(base, signatureOf(&other)); sim > 0.2 {
		t.Errorf("an unrelated text is %.2f similar", sim)
	}
	if short := signatureOf(&ad.Raw{Text: "Ring nu"}); short.ok() {
		t.Error("two words got a signature")
	}
}

func ptr[T any](v T) *T { return &v }

// FuzzTemplateSignature: any ad text gives a signature without panicking;
// the same text always gives the same one; a text is fully similar to
// itself; and masking leaves no number, name or city.
func FuzzTemplateSignature(f *testing.F) {
	f.Add("NY PIGE I BYEN ❤️ Bella 22", agencyText, "Bella", "København")
	f.Add("Angel 💕 ny i Odense", "Angel 💕 24 år, bulgarsk skønhed. Ring eller sms +40 722 415 903", "Angel", "Odense")
	f.Add("", "to otte seks fire en ni syv tre 2️⃣8️⃣ O1234 ١٢٣ Ⅻ", "İrem", "Ålborg")
	f.Add("x", "a b", "", "")
	f.Add("\xff\xfe", "\x00\x00\x00 1.600 kr", "\x00", "0")
	f.Fuzz(func(t *testing.T, title, text, name, city string) {
		r := ad.Raw{Title: title, Text: text, Name: name, City: city}
		s1, s2 := signatureOf(&r), signatureOf(&r)
		if !slices.Equal(s1.Sketch, s2.Sketch) || !slices.Equal(s1.Bands, s2.Bands) {
			t.Fatal("one text, two signatures")
		}
		if s1.ok() {
			if sim := similarity(s1, s1); sim != 1 {
				t.Fatalf("self-similarity %g", sim)
			}
			if !shareBand(s1, s1) {
				t.Fatal("a text shares no band with itself")
			}
		}
		names, cities := tokenSet(name), tokenSet(city)
		for _, tok := range maskedTokens(&r) {
			if strings.HasPrefix(tok, "\x00") {
				continue
			}
			switch {
			case hasDigit(tok):
				t.Fatalf("number %q left unmasked", tok)
			case names[tok]:
				t.Fatalf("name %q left unmasked", tok)
			case cities[tok] || cityAlias[tok] != "":
				t.Fatalf("city %q left unmasked", tok)
			case nationality[tok] != "":
				t.Fatalf("nationality %q left unmasked", tok)
			}
		}
		other := signatureOf(&ad.Raw{Text: text + " extra words here for a change"})
		if sim := similarity(s1, other); sim < 0 || sim > 1 {
			t.Fatalf("similarity %g out of range", sim)
		}
		_ = priceTable(&r)
		_ = safeText(text)
		_, _ = hourlyPriceDKK(ad.Raw{PriceText: text})
	})
}

// FuzzSafeText: evidence text never holds five digits in a row, whatever
// the ad wrote into its name or city.
func FuzzSafeText(f *testing.F) {
	f.Add("Bella 28 64 19 73")
	f.Add("+45-28.64.19.73 Odense")
	f.Add("12345")
	f.Fuzz(func(t *testing.T, s string) {
		out := safeText(s)
		digits := 0
		for _, r := range out {
			switch {
			case r >= '0' && r <= '9':
				digits++
				if digits >= 5 {
					t.Fatalf("safeText(%q) = %q keeps a number", s, out)
				}
			case strings.ContainsRune(" -.+()/", r):
			default:
				digits = 0
			}
		}
	})
}

func TestIDText(t *testing.T) {
	tests := []struct{ id, want string }{
		{"sim-rosa-171468091c3562b7", "sim-rosa-171468091c3562b7"},
		{"dev-0003", "dev-0003"},
		{"ad-29750341", "ad-…"},                              // a number that may be a phone: made safe
		{"sim-rosa-171468091c3562b7x", "sim-rosa-…c3562b7x"}, // not a crawler's id
	}
	for _, tt := range tests {
		if got := idText(tt.id); got != tt.want {
			t.Errorf("idText(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
}
