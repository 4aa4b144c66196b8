package classifier

import (
	"sort"
	"testing"

	"github.com/adwatch/adwatch/ad"
)

// wordingCase is one held-out wording: whether indicator id must fire on ad.
type wordingCase struct {
	id    string
	ad    ad.Raw
	fires bool
}

func jobAd(text string) ad.Raw { return ad.Raw{Category: "job", Text: text} }

func jobAdIn(lang, text string) ad.Raw { return ad.Raw{Category: "job", Lang: lang, Text: text} }

func otherAd(text string) ad.Raw { return ad.Raw{Category: "other", Text: text} }

func escAd(lang, text string, langs ...string) ad.Raw {
	return ad.Raw{Category: "escort", Lang: lang, Text: text, Languages: langs}
}

// checkWordings scores every case with the repository's rules and fails
// each that does not fire as it must, with its evidence checked. A case
// listed in knownMiss (by ad text, with the reason) is a known miss: it is
// logged and counted, not failed, and once it passes the test fails until
// its entry is removed. It logs the passes per family and in all.
func checkWordings(t *testing.T, cases []wordingCase, knownMiss map[string]string) {
	t.Helper()
	r := config(t)
	pass, known, marked := 0, 0, 0
	byFamily := map[string][2]int{}
	for _, c := range cases {
		if knownMiss[c.ad.Text] != "" {
			marked++
		}
		i, ok := r.byID[c.id]
		if !ok {
			t.Errorf("%s: no rule for it in configs/rules", c.id)
			continue
		}
		fam := r.inds[i].family
		n := byFamily[fam]
		n[1]++
		a := r.Classify(c.ad)
		checkEvidence(t, c.ad, a)
		ok = hasIndicator(a, c.id) == c.fires
		why := knownMiss[c.ad.Text]
		switch {
		case ok && why != "":
			t.Errorf("%s on %q: a known miss (%s) now passes: remove its mark", c.id, c.ad.Text, why)
		case ok:
			pass++
			n[0]++
		case why != "":
			known++
			t.Logf("known miss: %s on %q: fired %v, want %v (%s)", c.id, c.ad.Text, !c.fires, c.fires, why)
		default:
			t.Errorf("%s on %q %v: fired %v, want %v (got %s)", c.id, c.ad.Text, c.ad.Languages, !c.fires, c.fires, indicatorList(a))
		}
		byFamily[fam] = n
	}
	fams := make([]string, 0, len(byFamily))
	for f := range byFamily {
		fams = append(fams, f)
	}
	sort.Strings(fams)
	for _, f := range fams {
		t.Logf("%-30s %d of %d", f, byFamily[f][0], byFamily[f][1])
	}
	if marked != len(knownMiss) {
		t.Errorf("%d known misses marked, %d of them name a case", len(knownMiss), marked)
	}
	t.Logf("%d of %d held-out cases pass, %d known misses", pass, len(cases), known)
}
