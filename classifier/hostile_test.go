package classifier

import (
	"strings"
	"testing"
	"time"

	"github.com/adwatch/adwatch/ad"
)

// TestHostileInput classifies megabyte-sized ads built to hit the costly
// paths (many hits, negatives, ages, digits, symbols): no blow-up, bounded
// evidence. Ads are 16 to 121 words; these are attacks or crawler bugs.
func TestHostileInput(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	r := config(t)
	for _, unit := range []string{
		"in town best in town ", "ring til hendes ven ", "22 år ", "2 8 6 4 1 9 7 3 ",
		"ny i _ ? ", "aaaa", "💋", "24/7 ", "e\u0301", "\xff",
	} {
		s := strings.Repeat(unit, (1<<20)/len(unit))
		start := time.Now()
		raw := ad.Raw{Title: s[:1000], Text: s, Phones: []string{s[:200]}}
		a := r.Classify(raw)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%q × %d: %v", unit, len(s)/len(unit), d)
		}
		for _, ind := range a.Indicators {
			if len(ind.Evidence) > maxEvidence {
				t.Errorf("%q: %s has %d evidence spans, more than %d", unit, ind.ID, len(ind.Evidence), maxEvidence)
			}
		}
	}
}
