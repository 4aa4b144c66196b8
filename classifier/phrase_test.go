package classifier

import (
	"fmt"
	"strings"
	"testing"

	"github.com/adwatch/adwatch/ad"
)

// oneRule compiles a rule file with one indicator whose patterns and
// negatives are the given phrases (or regexes, written "re:...").
func oneRule(t *testing.T, pos, neg []string) *Rules {
	t.Helper()
	var b strings.Builder
	b.WriteString("lists:\n  roles: [manager*, booker, \"booking office\"]\nindicators:\n  - id: third_person_language\n    family: language_control\n    grade: C\n    weight: 0.25\n    patterns:\n      en:\n")
	entry := func(p string) {
		if re, ok := strings.CutPrefix(p, "re:"); ok {
			fmt.Fprintf(&b, "        - regex: %q\n", re)
		} else {
			fmt.Fprintf(&b, "        - %q\n", p)
		}
	}
	for _, p := range pos {
		entry(p)
	}
	if len(neg) > 0 {
		b.WriteString("    negative:\n      en:\n")
		for _, p := range neg {
			entry(p)
		}
	}
	r, err := ParseRules("test.yaml", []byte(b.String()))
	if err != nil {
		t.Fatalf("rules:\n%s\n%v", b.String(), err)
	}
	return r
}

func TestPhraseMatching(t *testing.T) {
	tests := []struct {
		name   string
		phrase string
		neg    []string
		text   string
		want   string // the evidence text, "" for no match
	}{
		{"literal", "ny i byen", nil, "NY PIGE? Ny i byen!!", "Ny i byen"},
		{"word boundary after", "ny i byen", nil, "ny i byens bedste", ""},
		{"word boundary before: Nyhavn", "ny", nil, "Nyhavn og Nyborg", ""},
		{"unicode boundary", "sød", nil, "sødt og sødere", ""},
		{"unicode word", "sød", nil, "hun er sød.", "sød"},
		{"folded letters", "sød pige", nil, "SOD PIGE", "SOD PIGE"},
		{"aa is å", "år", nil, "23 aar", "aar"},
		{"prefix", "pige*", nil, "Pigerne venter", "Pigerne"},
		{"prefix needs a word start", "pige*", nil, "smukpige", ""},
		{"prefix mid phrase", "vores pige* venter", nil, "vores pigerne venter", "vores pigerne venter"},
		{"alternatives", "(hun|she) (er|is) her", nil, "She is her.", "She is her"},
		{"optional", "ring til (min|) manager", nil, "Ring til manager", "Ring til manager"},
		{"optional taken", "ring til (min|) manager", nil, "Ring til min manager", "Ring til min manager"},
		{"gap", "hun ... venter", nil, "hun sidder og venter", "hun sidder og venter"},
		{"gap too long", "hun ... venter", nil, "hun a b c d venter", ""},
		{"gap of 5", "hun ...5 venter", nil, "hun a b c d venter", "hun a b c d venter"},
		{"gap of none", "hun ... venter", nil, "hun venter", "hun venter"},
		{"any word", "ny i _", nil, "ny i Odense i dag", "ny i Odense"},
		{"any word at end of text", "ny i _", nil, "ny i", ""},
		{"list", "call ...2 {roles}", nil, "Call our booking office", "Call our booking office"},
		{"list prefix entry", "call ...2 {roles}", nil, "call the managers", "call the managers"},
		{"symbol token", "24 / 7", nil, "open 24/7", "24/7"},
		{"symbol token spaced", "24 / 7", nil, "open 24 / 7", "24 / 7"},
		{"dash is not slash", "24 / 7", nil, "open 24-7", ""},
		{"percent", "100 % real", nil, "100%REAL pics", "100%REAL"},
		{"emoji", "💯 real", nil, "photos 💯💯 real", "💯 real"},
		{"cyrillic", "нова в града", nil, "Нова в града! 💋", "Нова в града"},
		{"keycaps", "28", nil, "ring 2️⃣8️⃣", "2️⃣8️⃣"},
		{"negative overlapping", "in town", []string{"best ... in town"}, "Best GFE in town", ""},
		{"negative elsewhere", "in town", []string{"best ... in town"}, "In town for 2 days. Best wishes.", "In town"},
		{"negative suppresses only what it overlaps", "in town", []string{"best ... in town"}, "Best GFE in town, and in town for 2 days", "in town"},
		{"regex", "re:(?:^| )(?:ny|nye) i [a-z]+", nil, "Hun er ny i Vejle", "ny i Vejle"},
		{"regex literal normalised", "re:alle ugens dage", nil, "ALLE UGENS DAGE", "ALLE UGENS DAGE"},
		{"regex unicode guard", "re:(?:^|[^\\p{L}\\p{N}])sod(?:$|[^\\p{L}\\p{N}])", nil, "sødt, sød", "sød"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := oneRule(t, []string{tt.phrase}, tt.neg)
			a := r.Classify(ad.Raw{Text: tt.text})
			got := ""
			for _, ind := range a.Indicators {
				for _, e := range ind.Evidence {
					if tt.text[e.Start:e.End] != e.Text {
						t.Fatalf("evidence %+v does not index the text", e)
					}
					if got == "" {
						got = e.Text
					}
				}
			}
			if got != tt.want {
				t.Errorf("phrase %q on %q: got %q, want %q", tt.phrase, tt.text, got, tt.want)
			}
		})
	}
}

func TestPhraseSyntaxErrors(t *testing.T) {
	tests := []struct{ phrase, want string }{
		{"(a|b", `"(" without a closing ")"`},
		{"a ) b", `unexpected ")" outside a group`},
		{"{nolist} x", `unknown list {nolist}`},
		{"... a", `a phrase must start with a word`},
		{"_ a", `a phrase must start with a word`},
		{"a ...", `a phrase must not end with a gap`},
		{"a ...9 b", `gap "...9"`},
		{"(|a) b", `its first group cannot be optional`},
		{"a (b (c)) d", `cannot hold another group`},
		{"a*b", `"*" may only end a word`},
		{"!!!", `no words after normalisation`},
		{"a ... b ... c ... d ... e", `at most 3 gaps`},
	}
	for _, tt := range tests {
		t.Run(tt.phrase, func(t *testing.T) {
			y := fmt.Sprintf("indicators:\n  - id: third_person_language\n    family: language_control\n    grade: C\n    weight: 0.25\n    patterns:\n      en: [%q]\n", tt.phrase)
			_, err := ParseRules("p.yaml", []byte(y))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("phrase %q: got error %v, want one containing %q", tt.phrase, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "p.yaml:7:") {
				t.Errorf("error %q does not name file and line", err)
			}
		})
	}
}
