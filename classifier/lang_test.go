package classifier

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestDetectLanguage checks the detector on sentences written for this
// test (not taken from the development set), in every language it knows.
func TestDetectLanguage(t *testing.T) {
	cases := []struct{ lang, text string }{
		{"da", "Hej, jeg hedder Sanne og tager imod i min lejlighed. Ring gerne mellem 10 og 18."},
		{"da", "Vi søger en ny kollega til vores lager. Du skal kunne arbejde selvstændigt."},
		{"da", "Sød pige venter på dig, kun få dage i byen"},
		{"en", "Hi, I'm Kate and I work for myself. Please text me with your name first."},
		{"en", "We are hiring warehouse staff for the night shift, training is paid."},
		{"no", "Hei, jeg er en koselig jente som gjerne vil møte deg. Ring meg etter klokken ti."},
		{"no", "Vi søker deg som kan jobbe i helgene. Lønn etter avtale, ta kontakt nå."},
		{"sv", "Hej, jag är en glad tjej som gärna träffar dig. Ring mig efter klockan tio."},
		{"sv", "Vi söker en ny kollega till vårt lager, du måste kunna arbeta helger."},
		{"de", "Hallo, ich bin neu in der Stadt und freue mich auf dich. Ruf mich einfach an."},
		{"de", "Wir suchen Mitarbeiter für unser Lager, die Arbeit ist in Dänemark."},
		{"ro", "Bună, sunt o fată dulce și te aștept în apartamentul meu. Sună-mă acum."},
		{"ro", "Căutăm muncitori pentru o fabrică, salariu bun și cazare."},
		{"pl", "Cześć, jestem nowa w mieście i czekam na ciebie. Zadzwoń do mnie teraz."},
		{"pl", "Szukamy pracowników do magazynu, umowa o pracę i dobre zarobki."},
		{"es", "Hola, soy una chica nueva en la ciudad y te espero en mi piso. Llámame."},
		{"es", "Buscamos trabajadores para el almacén, con contrato y buen sueldo."},
		{"bg", "Здравей, аз съм ново момиче в града и те чакам. Обади се сега."},
		{"th", "Sawatdi kha, nong pen khon thai, yu thi Aarhus, tho ma dai loei na kha"},
		{"th", "Nuat thai boran, poet thuk wan, mai rap sai, SMS only"},
		{"ru", "Привет, я новая девушка в городе, жду тебя. Звони сейчас."},
		{"", "💋💋💋 28 64 19 73"},
	}
	for _, c := range cases {
		if got := DetectLanguage(c.text); got.Lang != c.lang {
			t.Errorf("DetectLanguage(%q) = %q (%.2f), want %q", c.text, got.Lang, got.Confidence, c.lang)
		}
	}
}

// TestDetectLanguageDevSet measures the detector against the lang labels
// of the development set (it never sees them). Run with -v for the
// confusion table.
func TestDetectLanguageDevSet(t *testing.T) {
	ads := loadDevSet(t)
	conf := map[string]map[string]int{}
	right := 0
	var wrong []string
	for _, d := range ads {
		got := DetectLanguage(d.Title + "\n" + d.Text).Lang
		if conf[d.Lang] == nil {
			conf[d.Lang] = map[string]int{}
		}
		conf[d.Lang][got]++
		if got == d.Lang {
			right++
		} else {
			wrong = append(wrong, fmt.Sprintf("%s: labelled %s, detected %q: %.60q", d.ID, d.Lang, got, d.Title+" | "+d.Text))
		}
	}
	acc := float64(right) / float64(len(ads))
	var b strings.Builder
	fmt.Fprintf(&b, "language detection on %d ads: %d right, accuracy %.3f\n", len(ads), right, acc)
	var langs []string
	for l := range conf {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		fmt.Fprintf(&b, "  %s:", l)
		var gs []string
		for g := range conf[l] {
			gs = append(gs, g)
		}
		sort.Strings(gs)
		for _, g := range gs {
			fmt.Fprintf(&b, " %q=%d", g, conf[l][g])
		}
		b.WriteByte('\n')
	}
	t.Log(b.String())
	for _, w := range wrong {
		t.Log(w)
	}
	if acc < 0.95 {
		t.Errorf("accuracy %.3f below the floor 0.95", acc)
	}
}
