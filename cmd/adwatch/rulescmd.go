package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/classifier"
)

// maxExplainInput bounds the ad read by 'rules explain'.
const maxExplainInput = 1 << 20

// cmdRulesExplain runs 'adwatch rules explain [flags] [FILE]': it reads one
// ad (plain text, or a JSON ad in the shape of the development set) from
// FILE or stdin and prints each indicator that fired with the text that
// made it fire and its contribution, and the resulting scores.
func cmdRulesExplain(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("rules explain", stderr)
	dir := fs.String("rules", "configs/rules", "`directory` of rule files")
	category := fs.String("category", "", "the ad's `category` (escort, massage, dating, job, other) for plain text")
	lang := fs.String("lang", "", "the ad's `language` (ISO 639-1) for plain text; detected when empty")
	asJSON := fs.Bool("json", false, "print the assessment as JSON instead")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: adwatch rules explain [flags] [FILE]\n\n"+
			"Explains one ad: FILE (or stdin when FILE is - or missing) holds plain ad\n"+
			"text, or one JSON ad in the shape of shared/data/ads-dev.jsonl.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 1 {
		return usagef("want at most one FILE, got %d arguments", fs.NArg())
	}
	name := "-"
	if fs.NArg() == 1 {
		name = fs.Arg(0)
	}
	in := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	data, err := io.ReadAll(io.LimitReader(in, maxExplainInput+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxExplainInput {
		return fmt.Errorf("%s: larger than %d bytes; an ad is a few hundred", name, maxExplainInput)
	}
	r, err := explainInput(data)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if *category != "" {
		r.Category = *category
	}
	if *lang != "" {
		r.Lang = *lang
	}
	rules, err := classifier.LoadRules(*dir)
	if err != nil {
		return err
	}
	a := rules.Classify(r)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(a)
	}
	return classifier.Explain(stdout, r, a)
}

// explainInput reads an ad: a JSON object (one ad of the development set's
// shape; its labels are ignored) or plain text.
func explainInput(data []byte) (ad.Raw, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return ad.Raw{}, errors.New("empty input: give ad text or a JSON ad")
	}
	if trimmed[0] != '{' {
		return ad.Raw{Text: string(trimmed)}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	var r ad.Raw
	if err := dec.Decode(&r); err != nil {
		return ad.Raw{}, fmt.Errorf("not a JSON ad: %v", err)
	}
	if dec.More() {
		return ad.Raw{}, errors.New("more than one JSON ad; explain takes one (use 'adwatch classify --in' for a file)")
	}
	if r.Title == "" && r.Text == "" {
		return ad.Raw{}, errors.New(`the JSON ad has no "title" or "text"`)
	}
	return r, nil
}
