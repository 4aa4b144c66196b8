package classifier

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/adwatch/adwatch/ad"
)

// devSetPath is the labelled development set (../shared/data/README.md).
const devSetPath = "../../shared/data/ads-dev.jsonl"

type devAd struct {
	ad.Raw
	Labels struct {
		Indicators []string `json:"indicators"`
		Phones     []string `json:"phones_e164"`
		Note       string   `json:"note"`
	} `json:"labels"`
}

func loadDevSet(tb testing.TB) []devAd {
	tb.Helper()
	f, err := os.Open(devSetPath)
	if err != nil {
		tb.Skipf("dev set not available: %v", err)
	}
	defer f.Close()
	var out []devAd
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var d devAd
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			tb.Fatalf("dev set line %d: %v", len(out)+1, err)
		}
		out = append(out, d)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func loadConfigRules(tb testing.TB) *Rules {
	tb.Helper()
	r, err := LoadRules("../configs/rules")
	if err != nil {
		tb.Fatalf("load rules:\n%v", err)
	}
	return r
}

// The single-ad indicators the rule files implement so far.
var implemented = []string{
	"third_person_language", "controller_or_booker_contact", "trust_assurance_language",
	"availability_control", "new_in_town_text", "youth_emphasis_language", "stated_age_18_23",
	"risky_or_no_limits_services", "messaging_only_contact", "third_party_payment",
	"multiple_persons_in_ad", "ethnicity_nationality_marketing", "obscured_contact",
	"foreign_or_out_of_area_number",
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

// TestDevSet measures every implemented indicator against the labels of
// the development set and fails below floors the rules honestly reach.
// Run with -v to see the table and every miss.
func TestDevSet(t *testing.T) {
	ads := loadDevSet(t)
	r := loadConfigRules(t)
	counts := map[string]*prf{}
	for _, id := range implemented {
		counts[id] = &prf{}
	}
	var misses []string
	var micro prf
	for _, d := range ads {
		a := r.Classify(d.Raw)
		got := map[string]bool{}
		for _, ind := range a.Indicators {
			got[ind.ID] = true
		}
		want := map[string]bool{}
		for _, id := range d.Labels.Indicators {
			want[id] = true
		}
		for _, id := range implemented {
			c := counts[id]
			switch {
			case got[id] && want[id]:
				c.tp++
			case got[id]:
				c.fp++
				misses = append(misses, fmt.Sprintf("FP %s %s: %s", d.ID, id, evidenceOf(a, id)))
			case want[id]:
				c.fn++
				misses = append(misses, fmt.Sprintf("FN %s %s", d.ID, id))
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-32s %4s %4s %4s %6s %6s %6s\n", "indicator", "TP", "FP", "FN", "P", "R", "F1")
	for _, id := range implemented {
		c := counts[id]
		micro.tp += c.tp
		micro.fp += c.fp
		micro.fn += c.fn
		fmt.Fprintf(&b, "%-32s %4d %4d %4d %6.2f %6.2f %6.2f\n", id, c.tp, c.fp, c.fn, c.precision(), c.recall(), c.f1())
	}
	fmt.Fprintf(&b, "%-32s %4d %4d %4d %6.2f %6.2f %6.2f\n", "micro", micro.tp, micro.fp, micro.fn, micro.precision(), micro.recall(), micro.f1())
	t.Log(b.String())
	sort.Strings(misses)
	for _, m := range misses {
		t.Log(m)
	}
	// Floors below what the rules reach, so that a rule edit that costs
	// real precision or recall fails here.
	if f := micro.f1(); f < 0.9 {
		t.Errorf("micro-F1 %.3f below the floor 0.9", f)
	}
	if p := micro.precision(); p < 0.9 {
		t.Errorf("micro precision %.3f below the floor 0.9", p)
	}
	for _, id := range implemented {
		if f := counts[id].f1(); f < 0.8 {
			t.Errorf("%s: F1 %.3f below the floor 0.8", id, f)
		}
	}
}

func evidenceOf(a ad.Assessment, id string) string {
	for _, i := range a.Indicators {
		if i.ID == id {
			return evidenceList(i.Evidence)
		}
	}
	return ""
}
