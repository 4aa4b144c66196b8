package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/classifier"
	"github.com/adwatch/adwatch/classifier/crossad"
)

// cmdEval runs 'adwatch eval --in FILE': it scores a labelled file of ads
// (the shape of shared/data/ads-dev.jsonl) and prints, per indicator, TP,
// FP, FN, precision, recall and F1, the micro and macro averages of the
// single-ad and the cross-ad indicators, and the recall of phone
// extraction.
func cmdEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", stderr)
	in := fs.String("in", "", "labelled `file` of ads as JSON lines (the shape of shared/data/ads-dev.jsonl)")
	dir := fs.String("rules", "configs/rules", "`directory` of rule files")
	misses := fs.Bool("misses", false, "also list every false positive (with its evidence) and false negative")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *in == "" {
		return usagef("--in is required: a JSON-lines file of labelled ads")
	}
	rules, err := classifier.LoadRules(*dir)
	if err != nil {
		return err
	}
	recs, err := readAds(*in)
	if err != nil {
		return err
	}
	ads := make([]ad.Raw, len(recs))
	labels := make([]classifier.Labels, len(recs))
	var errs []error
	for i, rec := range recs {
		ads[i] = rec.ad
		raw, ok := rec.raw["labels"]
		if !ok {
			errs = append(errs, fmt.Errorf("%s:%d: no \"labels\": eval needs labelled ads", *in, rec.line))
			continue
		}
		if err := json.Unmarshal(raw, &labels[i]); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: field \"labels\": %v", *in, rec.line, err))
		}
		if len(errs) == 10 {
			errs = append(errs, errors.New("(stopped after 10 bad lines)"))
			break
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	as, err := assessBatch(rules, ads)
	if err != nil {
		return err
	}
	results := make([]classifier.LabelledResult, len(ads))
	for i := range ads {
		results[i] = classifier.LabelledResult{ID: ads[i].ID, Labels: labels[i], Assessment: as[i]}
	}
	rep := classifier.Evaluate(results)
	fmt.Fprintf(stdout, "rules %s on %s\n", rules.Version(), *in)
	return rep.WriteText(stdout, *misses)
}

// assessBatch scores a batch of ads as the pipeline would: the ads are
// linked first (cross-ad indicators over the whole batch, contacts keyed by
// ADWATCH_CONTACT_KEY or a key made for this run), then each is scored with
// its own indicators and its linked ones.
func assessBatch(rules *classifier.Rules, ads []ad.Raw) ([]ad.Assessment, error) {
	key, err := batchContactKey()
	if err != nil {
		return nil, err
	}
	linked, err := crossad.Batch(key, ads, crossad.Options{HourlyPrice: classifier.HourlyPriceDKK})
	if err != nil {
		return nil, err
	}
	out := make([]ad.Assessment, len(ads))
	for i := range ads {
		out[i] = rules.ClassifyLinked(ads[i], linked[ads[i].ID])
	}
	return out, nil
}

// batchContactKey is the key that pseudonymises contacts in offline runs:
// ADWATCH_CONTACT_KEY when set (so that runs can be compared), else a new
// random key, whose hashes mean nothing outside this run.
func batchContactKey() (crossad.ContactKey, error) {
	if s := os.Getenv("ADWATCH_CONTACT_KEY"); s != "" {
		k, err := crossad.ParseContactKey(s)
		if err != nil {
			return k, fmt.Errorf("ADWATCH_CONTACT_KEY: %w", err)
		}
		return k, nil
	}
	return crossad.GenerateContactKey()
}
