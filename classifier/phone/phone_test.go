package phone

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// want is one expected match; written is text[Start:End].
type want struct {
	e164     string
	written  string
	obscured bool
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []want
	}{
		// Plainly written Danish numbers.
		{"da spaced pairs", "Ring 28 63 90 14 efter kl. 17", []want{{"+4528639014", "28 63 90 14", false}}},
		{"da one group", "Booking kun på sms: 52186630", []want{{"+4552186630", "52186630", false}}},
		{"da four four", "Tlf. 2863 9014.", []want{{"+4528639014", "2863 9014", false}}},
		{"da dashes", "tlf. 50-87-32-16", []want{{"+4550873216", "50-87-32-16", false}}},
		{"da dotted pairs", "Mobil 28.63.90.14", []want{{"+4528639014", "28.63.90.14", false}}},
		{"da +45", "Skriv til +45 29 36 47 10", []want{{"+4529364710", "+45 29 36 47 10", false}}},
		{"da +45 one group", "+4528639014", []want{{"+4528639014", "+4528639014", false}}},
		{"da 0045", "Ring 0045 28 63 90 14", []want{{"+4528639014", "0045 28 63 90 14", false}}},
		{"da parentheses", "(+45) 28 63 90 14", []want{{"+4528639014", "+45) 28 63 90 14", false}}},
		{"da nbsp", "Ring 28\u00a063\u00a090\u00a014", []want{{"+4528639014", "28\u00a063\u00a090\u00a014", false}}},
		{"en call", "Call or text 25 93 07 68", []want{{"+4525930768", "25 93 07 68", false}}},
		{"unallocated range after cue", "Kom forbi eller ring 22 07 81 59", []want{{"+4522078159", "22 07 81 59", false}}},
		{"after a time range", "Åben kl. 10-20 28 63 90 14", []want{{"+4528639014", "28 63 90 14", false}}},
		{"after 24/7", "Ring 24/7 28 63 90 14", []want{{"+4528639014", "28 63 90 14", false}}},
		{"after CVR in one run", "Kragsig Frugt I/S · CVR 26394825 · 54 91 37 62", []want{{"+4554913762", "54 91 37 62", false}}},
		{"two numbers", "28 63 90 14 / 31 74 26 09", []want{
			{"+4528639014", "28 63 90 14", false},
			{"+4531742609", "31 74 26 09", false},
		}},
		{"repeat keeps first", "Ring 28 63 90 14 eller sms 28639014", []want{{"+4528639014", "28 63 90 14", false}}},
		{"plain then obscured", "Ring 28 63 90 14 – to otte seks tre ni nul et fire", []want{{"+4528639014", "28 63 90 14", false}}},
		{"obscured then plain", "to otte seks tre ni nul et fire eller 28 63 90 14", []want{{"+4528639014", "to otte seks tre ni nul et fire", false}}},

		// Foreign numbers need + or 00.
		{"ro", "Sună acum: +40 754 381 906", []want{{"+40754381906", "+40 754 381 906", false}}},
		{"pl", "Tel. +48 606 318 274", []want{{"+48606318274", "+48 606 318 274", false}}},
		{"uk", "Call +44 7911 123456 | 1h 2000 DKK", []want{{"+447911123456", "+44 7911 123456", false}}},
		{"uk drama range after cue", "Call +44 7700 900412", []want{{"+447700900412", "+44 7700 900412", false}}},
		{"uk trunk zero", "Text +44 (0)7911 123456", []want{{"+447911123456", "+44 (0)7911 123456", false}}},
		{"th", "Line or call +66 81 234 5678", []want{{"+66812345678", "+66 81 234 5678", false}}},
		{"br dash", "WhatsApp +55 11 98472-3310", []want{{"+5511984723310", "+55 11 98472-3310", false}}},
		{"lv odd grouping", "WhatsApp only +371 2 618 4402", []want{{"+37126184402", "+371 2 618 4402", false}}},
		{"0040", "Sunati 0040 745 319 082", []want{{"+40745319082", "0040 745 319 082", false}}},
		{"0045 dashes", "Call me 📞 0045-2863-9014", []want{{"+4528639014", "0045-2863-9014", false}}},
		{"two countries", "Tlf: +45 2863 9014 / +46 70 318 42 96", []want{
			{"+4528639014", "+45 2863 9014", false},
			{"+46703184296", "+46 70 318 42 96", false},
		}},
		{"age after number", "Ring 28 63 90 14 23 år", []want{{"+4528639014", "28 63 90 14", false}}},

		// Obscured.
		{"keycaps", "Sunați la 2️⃣8️⃣ 6️⃣3️⃣ 9️⃣0️⃣ 1️⃣4️⃣", []want{{"+4528639014", "2️⃣8️⃣ 6️⃣3️⃣ 9️⃣0️⃣ 1️⃣4️⃣", true}}},
		{"keycaps without FE0F", "ring 2⃣6⃣ 9⃣1⃣ 4⃣0⃣ 7⃣8⃣", []want{{"+4526914078", "2⃣6⃣ 9⃣1⃣ 4⃣0⃣ 7⃣8⃣", true}}},
		{"full-width", "ring ２８６３９０１４", []want{{"+4528639014", "２８６３９０１４", true}}},
		{"da words", "Skriv: fire to – ni otte – et seks – tre fem", []want{{"+4542981635", "fire to – ni otte – et seks – tre fem", true}}},
		{"da words capitals", "RING TO OTTE SEKS TRE NI NUL EN FIRE NU", []want{{"+4528639014", "TO OTTE SEKS TRE NI NUL EN FIRE", true}}},
		{"da words with 00", "ring på nul nul fire fem to otte seks tre ni nul en fire", []want{{"+4528639014", "nul nul fire fem to otte seks tre ni nul en fire", true}}},
		{"da words and digits", "Ring to otte 6 3 9 0 1 4", []want{{"+4528639014", "to otte 6 3 9 0 1 4", true}}},
		{"en words", "two zero – seven seven – one four – eight six", []want{{"+4520771486", "two zero – seven seven – one four – eight six", true}}},
		{"en words after to", "Send a text to two eight six three nine zero one four", []want{{"+4528639014", "two eight six three nine zero one four", true}}},
		{"en tens", "Text me: twenty-three, sixty-one, forty, eighty-five", []want{{"+4523614085", "twenty-three, sixty-one, forty, eighty-five", true}}},
		{"da then en words", "Ring tre en fire syv two zero nine five", []want{{"+4531472095", "tre en fire syv two zero nine five", true}}},
		{"en then da words", "call two eight six three ni nul en fire", []want{{"+4528639014", "two eight six three ni nul en fire", true}}},
		{"ro words", "Scrie la: patru doi – opt unu – nouă cinci – trei șase", []want{{"+4542819536", "patru doi – opt unu – nouă cinci – trei șase", true}}},
		{"letters for digits", "tlf 4O 8l 37 l2", []want{{"+4540813712", "4O 8l 37 l2", true}}},
		{"lone letters", "Number: 4 O 7 l  9 3  5 8", []want{{"+4540719358", "4 O 7 l  9 3  5 8", true}}},
		{"letters after +45", "WhatsApp only, no call: +45 5l 9O 36 24", []want{{"+4551903624", "+45 5l 9O 36 24", true}}},
		{"emoji between groups", "📞 2l.74💋60.38", []want{{"+4521746038", "2l.74💋60.38", true}}},
		{"emoji between plain pairs", "ring 28🌹63🌹90🌹14", []want{{"+4528639014", "28🌹63🌹90🌹14", true}}},
		{"spaced digits", "Ring ikke, skriv: 9 1 2 4 – 7 3 0 8", []want{{"+4591247308", "9 1 2 4 – 7 3 0 8", true}}},
		{"dotted digits", "Mobil 2 8 · 5 1 · 9 6 · 3 0", []want{{"+4528519630", "2 8 · 5 1 · 9 6 · 3 0", true}}},
		{"dots between single digits", "2.8.6.3.9.0.1.4", []want{{"+4528639014", "2.8.6.3.9.0.1.4", true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Extract(tt.text, DefaultRegion)
			if len(got) != len(tt.want) {
				t.Fatalf("Extract(%q) = %s, want %d matches", tt.text, describe(tt.text, got), len(tt.want))
			}
			for k, w := range tt.want {
				g := got[k]
				if g.E164 != w.e164 || tt.text[g.Start:g.End] != w.written || g.Obscured != w.obscured {
					t.Errorf("match %d = %s %q obscured=%v, want %s %q obscured=%v",
						k, g.E164, tt.text[g.Start:g.End], g.Obscured, w.e164, w.written, w.obscured)
				}
			}
		})
	}
}

// TestExtractNegative holds text that looks numeric but holds no phone
// number: prices, dates, times, postcodes, CVR numbers, ages, hours,
// years, house numbers and everyday number words.
func TestExtractNegative(t *testing.T) {
	tests := []struct{ name, text string }{
		{"prices", "1 time 1.600 kr · 2 timer 2.900 kr · middag + nat 7.500 kr"},
		{"price dash", "Pris: 1.200,- pr. time, 2.000,- for 2 timer"},
		{"price list", "30 min 700 / 1 hour 1200 / 2 hours 2200"},
		{"donations", "Donations: 30 min 900🌹 · 1h 1600🌹"},
		{"date dotted", "Ledig fra 21.09.2026"},
		{"date iso", "Start 2026-09-21, slut 2026-11-30"},
		{"date slashes", "Available 09/21/2026"},
		{"opening hours", "Åbent alle ugens dage 10-18, lørdag 9-13"},
		{"time range dotted", "kl. 20.00-22.00 og 22.30 - 23.30"},
		{"time range colon", "Åbent 20:00-22:00"},
		{"year range", "Erfaring 2019-2026"},
		{"postcode", "Nørrebrogade 28, 2200 København N"},
		{"house number and postcode", "Vesterbrogade 28 63, 1620 København V"},
		{"cvr", "Trekløver Transport ApS · CVR 35806129"},
		{"cvr nr", "CVR-nr.: 35806129"},
		{"cvr parens", "egen virksomhed (CVR 41273388) og faste priser"},
		{"cvr lower spaced", "cvr 3580 6129"},
		{"org nr", "org.nr 35806129"},
		{"se nr", "SE-nr. 35806129"},
		{"time range round", "Ring kl. 2000-2200"},
		{"time range spaced", "Ring tidsrum 20.00 - 02.00"},
		{"opening hours list", "Åbningstider: man-fre 10-18, lør 10-14, søn 12-16"},
		{"measurements", "Mål 90-60-90, 170 cm, 55 kg"},
		{"danish date", "Sidste frist 15/10-2026"},
		{"item number", "Varenr. 28639014"},
		{"reference", "Ref. 2863-9014"},
		{"bank account", "Reg. nr. 2863 konto 90141234"},
		{"ages", "Vi er to piger på 24 og 25 år"},
		{"ages without commas", "Piger 21 23 24 26 år"},
		{"number words in prose", "Vi er to søde piger, tre dage i byen, fem minutter fra stationen"},
		{"english age words", "I am twenty-three, five foot six"},
		{"age list", "Piger 21, 23, 24, 26 år"},
		{"24/7", "Escort 24/7 hele Sjælland"},
		{"en alone", "Ring en gang til, så er jeg der på fem minutter"},
		{"few number words", "one two three, fire fem seks"},
		{"english to", "Come to 2 rooms at 10"},
		{"email", "Skriv til jobs28639014@gmail.example"},
		{"handle", "Telegram @28639014 eller #28639014"},
		{"glued letters", "Ring28639014x"},
		{"too long", "Ordre 286390142863"},
		{"foreign without plus", "Informații pe WhatsApp: 0733 612 480"},
		{"lone I", "I am 28 and I love 63 roses"},
		{"kr after", "Løn 28.639 kr + 14 dages ferie"},
		{"decimals", "3,5 km, 10,5 km"},
		{"percent", "100% ægte, 20 % rabat"},
		{"single digits in prose", "2 timer, 3 piger, 4 rum, 5 stjerner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Extract(tt.text, DefaultRegion); len(got) != 0 {
				t.Errorf("Extract(%q) = %s, want none", tt.text, describe(tt.text, got))
			}
		})
	}
}

func TestExtractRegion(t *testing.T) {
	tests := []struct {
		name, text, region string
		want               []string
	}{
		{"no region finds only +", "Ring 28 63 90 14 eller +40 745 319 082", "", []string{"+40745319082"}},
		{"region case-insensitive", "Ring 28 63 90 14", "dk", []string{"+4528639014"}},
		{"ro national", "Informații pe WhatsApp: 0733 612 480", "RO", []string{"+40733612480"}},
		{"unknown region", "Ring 28 63 90 14", "XX", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range Extract(tt.text, tt.region) {
				got = append(got, m.E164)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Extract(%q, %q) = %v, want %v", tt.text, tt.region, got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{"28 63 90 14", "+4528639014", true},
		{"28639014", "+4528639014", true},
		{"+45 2863 9014", "+4528639014", true},
		{"+45 28 63 90 14", "+4528639014", true},
		{"50-87-32-16", "+4550873216", true},
		{"+55 11 98472-3310", "+5511984723310", true},
		{"+371 26184402", "+37126184402", true},
		{" +44 7700 900412 ", "+447700900412", true}, // drama range: possible, and a phone field says it is a phone
		{"22 07 81 59", "+4522078159", true},         // outside the known ranges, but the right length
		{"0733 612 480", "", false},                  // national format of another country
		{"CVR 35806129", "", false},
		{"28 63 90 14 / 31 74 26 09", "", false},
		{"28 63 90", "", false},
		{"1500 kr", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, ok := Normalize(tt.raw, DefaultRegion)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Normalize(%q) = %q, %v, want %q, %v", tt.raw, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func describe(text string, ms []Match) string {
	var b strings.Builder
	b.WriteByte('[')
	for k, m := range ms {
		if k > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.E164 + " " + strconvQuote(text[m.Start:m.End]))
		if m.Obscured {
			b.WriteString(" obscured")
		}
	}
	b.WriteByte(']')
	return b.String()
}

func strconvQuote(s string) string { return "\"" + s + "\"" }

// TestValidDKMatchesLibrary checks the Danish prefix table against the
// library on random numbers: the fast path must never change an answer.
func TestValidDKMatchesLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var d [8]byte
		for k := range d {
			d[k] = byte('0' + rng.IntN(10))
		}
		e1, q1 := validDK(d[:])
		e2, q2 := validCC(45, d[:])
		if e1 != e2 || q1 != q2 {
			t.Fatalf("%s: table says %q %d, library %q %d", d[:], e1, q1, e2, q2)
		}
	}
}
