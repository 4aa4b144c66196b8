package classifier

import (
	"fmt"
	"testing"
)

// TestTextAges: which numbers are ages, and which of those stand next to a
// person (what minor_cue may read: an address must never flag an ad).
func TestTextAges(t *testing.T) {
	tests := []struct {
		text, name string
		want       string // the ages found, "n" or "n person"
	}{
		{"Mia, 15, fra Aalborg.", "", "[15 person]"},
		{"Hej, jeg er Mia 15", "Mia", "[15 person]"},
		{"Emma (16) venter.", "", "[16 person]"},
		{"Ung pige 17 søger.", "", "[17 person]"},
		{"Pige på 17 år.", "", "[17 person]"},
		{"Jeg er 16, ny her.", "", "[16 person]"},
		{"Jeg er 16 og ny her.", "", "[]"}, // after a lead, only where the clause ends (the phrase rules read this one)
		{"I'm 16, new in town.", "", "[16 person]"},
		{"She is 17.", "", "[17 person]"},
		{"Bella 22 ❤️", "", "[22]"},
		{"Sasha 27, Odense", "", "[27]"},
		{"Klinik på Vesterbrogade 15, 1620 København.", "", "[]"},
		{"14 år som massør.", "", "[14]"},
		{"Find mig på Vesterbrogade 21, 2. sal.", "", "[]"},
		{"Klinik på Åboulevard 22", "", "[]"},
		{"Jagtvej 19, st. th.", "", "[]"},
		{"Jeg er 13. gang i Aarhus.", "", "[]"},
		{"Åbent 10-18, 2. sal.", "", "[]"},
		{"Ring 28 64 19 73", "", "[]"},
		{"i 20 år", "", "[]"},
		{"Prisen er 15 minutter 500 kr", "", "[]"},
	}
	for _, tt := range tests {
		var got []string
		for _, a := range textAges(tt.text, tt.name, nil) {
			s := fmt.Sprint(a.age)
			if a.person {
				s += " person"
			}
			got = append(got, s)
		}
		if g := fmt.Sprintf("%v", got); g != tt.want && !(g == "[]" && tt.want == "[]") {
			t.Errorf("textAges(%q, name %q) = %s, want %s", tt.text, tt.name, g, tt.want)
		}
	}
}
