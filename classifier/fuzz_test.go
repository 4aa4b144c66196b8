package classifier

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/adwatch/adwatch/ad"
)

// FuzzParseRules feeds arbitrary rule files to the compiler: it must
// return rules or errors, never panic, and rules it returns must classify.
func FuzzParseRules(f *testing.F) {
	for _, glob := range []string{"../configs/rules/*.yaml", "testdata/*.yaml", "testdata/dup/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("indicators:\n  - {id: third_person_language, family: language_control, grade: C, weight: 0.25, patterns: {en: ['(a|b) ... {x} _ c*']}}\nlists: {x: [y]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRules("fuzz.yaml", data)
		if err != nil {
			if r != nil {
				t.Fatal("rules and an error")
			}
			return
		}
		a := r.Classify(ad.Raw{Title: "Ny i byen", Text: "she is 22, 24/7, ring 28 64 19 73 🌹", Age: 22, Phones: []string{"+40 745 319 082"}})
		if a.Level == "" || a.AdRisk < 0 || a.AdRisk > 100 {
			t.Fatalf("bad assessment %+v", a)
		}
		_ = r.Test()
	})
}

// FuzzClassify feeds arbitrary ads to the configured rules: Classify must
// never panic, scores stay in 0-100, and every evidence span indexes its
// field with Text equal to the original bytes.
func FuzzClassify(f *testing.F) {
	r := config(f)
	for i, d := range loadDevSet(f) {
		if i%7 == 0 {
			f.Add(d.Title, d.Text, d.Name, d.Age, firstOr(d.Phones), d.Lang)
		}
	}
	f.Add("", "e\u0301\u0301 ﬁ ２️⃣ \xff\xfe aaa sooo -- 10-18 24/7", "", 0, "", "")
	f.Fuzz(func(t *testing.T, title, text, name string, age int, phone, lang string) {
		raw := ad.Raw{Title: title, Text: text, Name: name, Age: age, Lang: lang}
		if phone != "" {
			raw.Phones = []string{phone}
		}
		a := r.Classify(raw)
		if a.AdRisk < 0 || a.AdRisk > 100 || a.OrganisedActivity < 0 || a.OrganisedActivity > 100 {
			t.Fatalf("scores out of range: %+v", a)
		}
		checkEvidence(t, raw, a)
		for _, ind := range a.Indicators {
			for _, e := range ind.Evidence {
				field := map[string]string{"title": raw.Title, "text": raw.Text}[e.Field]
				if (e.Field == "title" || e.Field == "text") && utf8.ValidString(field) && !utf8.ValidString(e.Text) {
					t.Fatalf("%s: evidence %q cuts a character", ind.ID, e.Text)
				}
			}
		}
	})
}

func firstOr(s []string) string {
	if len(s) > 0 {
		return s[0]
	}
	return ""
}
