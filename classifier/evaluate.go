package classifier

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/adwatch/adwatch/ad"
)

// Labels are what an annotator saw in one ad: the labels object of the
// development set (../shared/data/README.md).
type Labels struct {
	Indicators []string `json:"indicators"`
	Phones     []string `json:"phones_e164"`
	MinorCue   bool     `json:"minor_cue"`
	Group      string   `json:"group,omitempty"`
	Note       string   `json:"note,omitempty"`
}

// LabelledResult is one ad's assessment next to its labels. The
// assessment may come from Classify alone or from a batch that added the
// cross-ad indicators: Evaluate does not care how it was computed.
type LabelledResult struct {
	ID         string
	Labels     Labels
	Assessment ad.Assessment
}

// Counts are true positives, false positives and false negatives.
type Counts struct{ TP, FP, FN int }

// Precision is TP/(TP+FP); with nothing predicted it is 1 if nothing was
// missed either, else 0.
func (c Counts) Precision() float64 {
	if c.TP+c.FP == 0 {
		if c.FN == 0 {
			return 1
		}
		return 0
	}
	return float64(c.TP) / float64(c.TP+c.FP)
}

// Recall is TP/(TP+FN); with nothing labelled it is 1 if nothing was
// predicted either, else 0.
func (c Counts) Recall() float64 {
	if c.TP+c.FN == 0 {
		if c.FP == 0 {
			return 1
		}
		return 0
	}
	return float64(c.TP) / float64(c.TP+c.FN)
}

// F1 is the harmonic mean of precision and recall.
func (c Counts) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func (c *Counts) add(o Counts) { c.TP, c.FP, c.FN = c.TP+o.TP, c.FP+o.FP, c.FN+o.FN }

// IndicatorScore is one indicator's counts over a labelled set.
type IndicatorScore struct {
	ID      string
	CrossAd bool
	Counts
}

// Average is a micro or macro average over a group of indicators.
type Average struct {
	Precision, Recall, F1 float64
	// Indicators is how many indicators it averages over: those with at
	// least one label or prediction.
	Indicators int
}

// Miss is one wrong call on one ad.
type Miss struct {
	Ad        string
	Indicator string
	// FalsePositive is set when the indicator fired without a label; else
	// it is a label the assessment missed.
	FalsePositive bool
	Evidence      []ad.Evidence
}

// PhoneScore compares the assessments' contacts with the labelled phone
// numbers.
type PhoneScore struct {
	Labelled, Found, Extra int
	Recall, Precision      float64
	Missed                 []string // "ad: +45..." for every labelled number not found
}

// Report is the evaluation of assessments against labels.
type Report struct {
	Ads int
	// Indicators holds every taxonomy indicator with a label or a
	// prediction, single-ad ones first, in taxonomy order.
	Indicators                   []IndicatorScore
	SingleMicro, SingleMacro     Average
	CrossMicro, CrossMacro       Average
	SingleCounts, CrossCounts    Counts
	Unlabelled                   []string // taxonomy ids neither labelled nor predicted
	Phones                       PhoneScore
	Misses                       []Miss
	UnknownLabels, UnknownFiring []string
}

// Evaluate measures assessments against labels: per indicator TP, FP, FN,
// precision, recall and F1; micro and macro averages apart for single-ad
// and cross-ad indicators; and the recall of phone extraction.
func Evaluate(recs []LabelledResult) Report {
	rep := Report{Ads: len(recs)}
	counts := map[string]*Counts{}
	get := func(id string) *Counts {
		c, ok := counts[id]
		if !ok {
			c = &Counts{}
			counts[id] = c
		}
		return c
	}
	for _, rec := range recs {
		want := map[string]bool{}
		for _, id := range rec.Labels.Indicators {
			want[id] = true
			if _, ok := taxonomy[id]; !ok && !slices.Contains(rep.UnknownLabels, id) {
				rep.UnknownLabels = append(rep.UnknownLabels, id)
			}
		}
		got := map[string]*ad.Indicator{}
		for i := range rec.Assessment.Indicators {
			ind := &rec.Assessment.Indicators[i]
			got[ind.ID] = ind
			if _, ok := taxonomy[ind.ID]; !ok && !slices.Contains(rep.UnknownFiring, ind.ID) {
				rep.UnknownFiring = append(rep.UnknownFiring, ind.ID)
			}
		}
		for id := range want {
			if got[id] != nil {
				get(id).TP++
			} else {
				get(id).FN++
				rep.Misses = append(rep.Misses, Miss{Ad: rec.ID, Indicator: id})
			}
		}
		for id, ind := range got {
			if !want[id] {
				get(id).FP++
				rep.Misses = append(rep.Misses, Miss{Ad: rec.ID, Indicator: id, FalsePositive: true, Evidence: ind.Evidence})
			}
		}
		// Phones: every labelled number should be among the contacts.
		for _, p := range rec.Labels.Phones {
			rep.Phones.Labelled++
			if slices.Contains(rec.Assessment.Contacts, p) {
				rep.Phones.Found++
			} else {
				rep.Phones.Missed = append(rep.Phones.Missed, rec.ID+": "+p)
			}
		}
		for _, c := range rec.Assessment.Contacts {
			if !slices.Contains(rec.Labels.Phones, c) {
				rep.Phones.Extra++
			}
		}
	}
	rep.Phones.Recall = Counts{TP: rep.Phones.Found, FN: rep.Phones.Labelled - rep.Phones.Found}.Recall()
	rep.Phones.Precision = Counts{TP: rep.Phones.Found, FP: rep.Phones.Extra}.Precision()

	ids := IndicatorIDs()
	order := func(id string) int { return slices.Index(taxonomyOrder, id) }
	sort.SliceStable(ids, func(i, j int) bool { return order(ids[i]) < order(ids[j]) })
	var single, cross []Counts
	for _, id := range ids {
		c, ok := counts[id]
		if !ok {
			rep.Unlabelled = append(rep.Unlabelled, id)
			continue
		}
		s := IndicatorScore{ID: id, CrossAd: IsCrossAd(id), Counts: *c}
		rep.Indicators = append(rep.Indicators, s)
		if s.CrossAd {
			cross = append(cross, *c)
			rep.CrossCounts.add(*c)
		} else {
			single = append(single, *c)
			rep.SingleCounts.add(*c)
		}
	}
	rep.SingleMicro, rep.SingleMacro = averages(single)
	rep.CrossMicro, rep.CrossMacro = averages(cross)
	sort.SliceStable(rep.Misses, func(i, j int) bool {
		a, b := rep.Misses[i], rep.Misses[j]
		if a.Indicator != b.Indicator {
			return order(a.Indicator) < order(b.Indicator)
		}
		return a.Ad < b.Ad
	})
	return rep
}

// averages returns the micro average (of the summed counts) and the macro
// average (the mean of each indicator's precision, recall and F1).
func averages(cs []Counts) (micro, macro Average) {
	var sum Counts
	for _, c := range cs {
		sum.add(c)
		macro.Precision += c.Precision()
		macro.Recall += c.Recall()
		macro.F1 += c.F1()
	}
	micro = Average{Precision: sum.Precision(), Recall: sum.Recall(), F1: sum.F1(), Indicators: len(cs)}
	if n := float64(len(cs)); n > 0 {
		macro.Precision /= n
		macro.Recall /= n
		macro.F1 /= n
	}
	macro.Indicators = len(cs)
	return micro, macro
}

// WriteText writes the report as a table for a person; with misses set,
// also every false positive (with its evidence) and false negative.
func (rep Report) WriteText(w io.Writer, misses bool) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("%d ads\n\n", rep.Ads)
	header := func(title string) {
		p("%-34s %5s %5s %5s %7s %7s %7s\n", title, "TP", "FP", "FN", "P", "R", "F1")
	}
	row := func(name string, c Counts) {
		p("%-34s %5d %5d %5d %7.3f %7.3f %7.3f\n", name, c.TP, c.FP, c.FN, c.Precision(), c.Recall(), c.F1())
	}
	avg := func(name string, a Average) {
		p("%-34s %5s %5s %5s %7.3f %7.3f %7.3f\n", name, "", "", "", a.Precision, a.Recall, a.F1)
	}
	for _, group := range []struct {
		title        string
		cross        bool
		micro, macro Average
		sum          Counts
	}{
		{"single-ad indicators", false, rep.SingleMicro, rep.SingleMacro, rep.SingleCounts},
		{"cross-ad indicators", true, rep.CrossMicro, rep.CrossMacro, rep.CrossCounts},
	} {
		header(group.title)
		n := 0
		for _, s := range rep.Indicators {
			if s.CrossAd == group.cross {
				row("  "+s.ID, s.Counts)
				n++
			}
		}
		if n == 0 {
			p("  (none labelled or predicted)\n\n")
			continue
		}
		row(fmt.Sprintf("micro average (%d indicators)", group.micro.Indicators), group.sum)
		avg(fmt.Sprintf("macro average (%d indicators)", group.macro.Indicators), group.macro)
		p("\n")
	}
	if len(rep.Unlabelled) > 0 {
		p("never labelled nor predicted: %v\n\n", rep.Unlabelled)
	}
	p("phone extraction: %d of %d labelled numbers found, recall %.3f; %d contacts not labelled, precision %.3f\n",
		rep.Phones.Found, rep.Phones.Labelled, rep.Phones.Recall, rep.Phones.Extra, rep.Phones.Precision)
	if len(rep.UnknownLabels) > 0 {
		p("labels not in the taxonomy: %v\n", rep.UnknownLabels)
	}
	if len(rep.UnknownFiring) > 0 {
		p("indicators fired that are not in the taxonomy: %v\n", rep.UnknownFiring)
	}
	if misses {
		p("\nmisses:\n")
		for _, m := range rep.Misses {
			if m.FalsePositive {
				p("  FP %-32s %s %s\n", m.Indicator, m.Ad, evidenceList(m.Evidence))
			} else {
				p("  FN %-32s %s\n", m.Indicator, m.Ad)
			}
		}
		for _, m := range rep.Phones.Missed {
			p("  FN phone %s\n", m)
		}
	}
	return bw.Flush()
}
