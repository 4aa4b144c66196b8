package classifier

import (
	"slices"
	"testing"
)

func TestEmails(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"Kontakt: jobs.dk2026@gmail.com", []string{"jobs.dk2026@gmail.com"}},
		{"Send til rengoring.nord.2026@gmail.com.", []string{"rengoring.nord.2026@gmail.com"}},
		{"Mail HR@Hansen-Byg.dk eller ring", []string{"hr@hansen-byg.dk"}},
		{"skriv til anna (at) gmail (dot) com", []string{"anna@gmail.com"}},
		{"anna[at]yahoo.ro og anna[at]yahoo.ro", []string{"anna@yahoo.ro"}},
		{"Telegram: @stella_booking_dk", nil},
		{"Line: @kolding.sabai", nil},
		{"1.500 kr, kl. 10.30", nil},
	}
	for _, c := range cases {
		if got := Emails(c.text); !slices.Equal(got, c.want) {
			t.Errorf("Emails(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestOwnDomain(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		{"Ansøg på nordlyshotel.dk.", true},
		{"Ansøg via hvidklint-facility.example/job", true},
		{"Send en ansøgning til hr@stormmaagen-hotel.example", true},
		{"www.firma.dk", true},
		{"Kontakt jobs.dk2026@gmail.com", false},
		{"Info på t.me/jobs_dk", false},
		{"Pris 1.500 kr, kl. 10.30, Mvh.Camilla", false},
		{"Skriv til chlodnia.dania.26@wp.pl", false},
	}
	for _, c := range cases {
		if _, _, _, got := ownDomain(c.text); got != c.want {
			t.Errorf("ownDomain(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestNamedBusiness(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		{"Hotel Stormmågen i Odense søger roomattendants", true},
		{"Restaurant Kobberkedlen's Copenhagen branch is hiring", true},
		{"Pizzeria Ventoverde i Randers søger bude", true},
		{"Tømrerfirmaet Hansen & Søn søger lærling", true},
		{"Opvasker søges til restaurant på Vesterbro.", false},
		{"Vi søger medarbejdere til vores café. Ring til Lars.", false},
		{"Dishwasher needed, Copenhagen restaurant. Cash in hand.", false},
	}
	for _, c := range cases {
		if got := namedBusiness(c.text); got != c.want {
			t.Errorf("namedBusiness(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestParseLanguages(t *testing.T) {
	cases := []struct {
		in   []string
		want []StatedLanguage
	}{
		{[]string{"Dansk", "Engelsk"}, []StatedLanguage{{"da", false}, {"en", false}}},
		{[]string{"Danish, English"}, []StatedLanguage{{"da", false}, {"en", false}}},
		{[]string{"danish", "DA"}, []StatedLanguage{{"da", false}}},
		{[]string{"Thai", "English (a little)"}, []StatedLanguage{{"th", false}, {"en", true}}},
		{[]string{"Engelsk (lidt)"}, []StatedLanguage{{"en", true}}},
		{[]string{"🇩🇰", "🇬🇧"}, []StatedLanguage{{"da", false}, {"en", false}}},
		{[]string{"Rumænsk"}, []StatedLanguage{{"ro", false}}},
		{[]string{"Edo"}, []StatedLanguage{{"edo", false}}},
		{[]string{"No English"}, nil},
		{[]string{"Polish", "No English"}, []StatedLanguage{{"pl", false}}},
	}
	for _, c := range cases {
		if got := ParseLanguages(c.in); !slices.Equal(got, c.want) {
			t.Errorf("ParseLanguages(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	if LanguageCode("Dansk") != "da" || LanguageCode("English") != "en" || LanguageCode("dansk") != "da" {
		t.Error("LanguageCode does not normalise Danish/English names")
	}
}
