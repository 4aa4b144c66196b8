package crossad

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/classifier/devset"
)

type devAd = devset.Ad

func loadDevSet(tb testing.TB) []devAd { return devset.Ads(tb) }

func devRaws(dev []devAd) []ad.Raw {
	out := make([]ad.Raw, len(dev))
	for i, d := range dev {
		out[i] = d.Raw
	}
	return out
}

func testKey(tb testing.TB) ContactKey {
	tb.Helper()
	k, err := NewContactKey([]byte("adwatch test contact key, not a secret"))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

type prf struct{ tp, fp, fn int }

func (c prf) precision() float64 { return ratio(c.tp, c.tp+c.fp) }
func (c prf) recall() float64    { return ratio(c.tp, c.tp+c.fn) }
func (c prf) f1() float64 {
	p, r := c.precision(), c.recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// scoreDevSet compares the indicators got, by ad id, with the dev set's
// labels, per cross-ad indicator.
func scoreDevSet(dev []devAd, got map[string][]ad.Indicator) (map[string]*prf, []string) {
	counts := map[string]*prf{}
	for _, id := range IDs {
		counts[id] = &prf{}
	}
	var misses []string
	for _, d := range dev {
		var fired []string
		for _, ind := range got[d.ID] {
			fired = append(fired, ind.ID)
		}
		for _, id := range IDs {
			want := slices.Contains(d.Labels.Indicators, id)
			has := slices.Contains(fired, id)
			c := counts[id]
			switch {
			case want && has:
				c.tp++
			case has:
				c.fp++
				misses = append(misses, fmt.Sprintf("FP %s %s (group %q)", d.ID, id, d.Labels.Group))
			case want:
				c.fn++
				misses = append(misses, fmt.Sprintf("FN %s %s (group %q)", d.ID, id, d.Labels.Group))
			}
		}
	}
	return counts, misses
}

// devFloors are the figures the dev set must keep: what the computation
// reaches now (TestDevSet logs them), so a regression fails. image_reuse
// never occurs in the dev set (no images).
var devFloors = map[string]struct{ precision, recall float64 }{
	ManyPersonasPerContact: {1, 1},
	ManyContactsPerPersona: {1, 1},
	RapidCityRotation:      {1, 1},
	NearDuplicateTemplate:  {1, 1},
	PersonaAttributeDrift:  {1, 1},
	SharedPriceTable:       {1, 1},
	PostingBurstVolume:     {1, 1},
	BelowMarketPrice:       {0.9, 0.8},
}

func TestDevSet(t *testing.T) {
	dev := loadDevSet(t)
	got, err := Batch(testKey(t), devRaws(dev), Options{})
	if err != nil {
		t.Fatal(err)
	}
	counts, misses := scoreDevSet(dev, got)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-28s %4s %4s %4s %9s %6s %5s\n", "indicator", "tp", "fp", "fn", "precision", "recall", "F1")
	for _, id := range IDs {
		c := counts[id]
		fmt.Fprintf(&b, "%-28s %4d %4d %4d %9.3f %6.3f %5.3f\n", id, c.tp, c.fp, c.fn, c.precision(), c.recall(), c.f1())
	}
	t.Log(b.String())
	for _, m := range misses {
		t.Log(m)
	}
	for id, f := range devFloors {
		c := counts[id]
		if c.precision() < f.precision || c.recall() < f.recall {
			t.Errorf("%s: precision %.3f recall %.3f, want at least %.2f and %.2f", id, c.precision(), c.recall(), f.precision, f.recall)
		}
	}
	// Kind c groups are plain reposts: nothing cross-ad fires on them.
	for _, d := range dev {
		if strings.HasPrefix(d.Labels.Group, "grp-c") || d.Labels.Group == "grp-d3" {
			for _, ind := range got[d.ID] {
				if ind.ID != BelowMarketPrice {
					t.Errorf("%s (%s): %s fired: %s", d.ID, d.Labels.Group, ind.ID, ind.Evidence[0].Text)
				}
			}
		}
	}
}

// TestDevSetEvidenceHasNoNumber: no evidence text of a linked indicator
// holds a phone number of the dev set, in any spelling.
func TestDevSetEvidenceHasNoNumber(t *testing.T) {
	dev := loadDevSet(t)
	got, err := Batch(testKey(t), devRaws(dev), Options{})
	if err != nil {
		t.Fatal(err)
	}
	strip := strings.NewReplacer(" ", "", "-", "", ".", "", "+", "")
	numbers := map[string]bool{}
	for _, d := range dev {
		for _, p := range d.Labels.Phones {
			numbers[strip.Replace(p)] = true
			numbers[p[len(p)-8:]] = true
		}
		for _, p := range d.Phones {
			numbers[strip.Replace(p)] = true
		}
	}
	for id, inds := range got {
		for _, ind := range inds {
			for _, ev := range ind.Evidence {
				flat := strip.Replace(ev.Text)
				for n := range numbers {
					if len(n) >= 8 && strings.Contains(flat, n) {
						t.Errorf("%s %s: evidence %q holds a phone number", id, ind.ID, ev.Text)
					}
				}
			}
		}
	}
}
