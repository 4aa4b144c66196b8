package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/classifier"
	"github.com/adwatch/adwatch/crawler"
)

func cmdCrawl(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("crawl", stderr)
	site := fs.String("site", "", "site config `file`")
	once := fs.Bool("once", false, "crawl once and exit, without NATS")
	out := fs.String("out", "-", "output `file` of raw ads as JSON lines (- for stdout)")
	logLevel := fs.String("log-level", "info", "log `level`")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *site == "" {
		return usagef("--site is required: a site config such as configs/sites/sim-rosa.yaml")
	}
	if !*once {
		return usagef("only --once is supported yet: crawling into NATS runs inside 'adwatch run'")
	}
	logger, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	s, err := crawler.LoadSite(*site)
	if err != nil {
		return err
	}
	return writeFile(*out, stdout, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		st, err := crawler.CrawlOnce(ctx, s, logger, func(r ad.Raw) error { return enc.Encode(r) })
		logger.Info("crawl done", "site", s.Name, "pages", st.Pages, "ads", st.Ads, "errors", st.Errors)
		if err == nil && st.Ads == 0 {
			return fmt.Errorf("site %q: no ads found (%d pages fetched, %d errors): check base_url and the selectors with the log above", s.Name, st.Pages, st.Errors)
		}
		return err
	})
}

func cmdClassify(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("classify", stderr)
	in := fs.String("in", "", "input `file` of ads as JSON lines (the shape of shared/data/ads-dev.jsonl)")
	out := fs.String("out", "-", "output `file`: each input record with its assessment added (- for stdout)")
	rulesDir := fs.String("rules", "configs/rules", "`directory` of rule files")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *in == "" {
		return usagef("--in is required: a JSON-lines file of ads")
	}
	rules, err := classifier.LoadRules(*rulesDir)
	if err != nil {
		return err
	}
	recs, err := readAds(*in)
	if err != nil {
		return err
	}
	raws := make([]ad.Raw, len(recs))
	for i, rec := range recs {
		raws[i] = rec.ad
	}
	// Cross-ad indicators are computed over the whole input.
	assessments, err := assessBatch(rules, raws)
	if err != nil {
		return err
	}
	return writeFile(*out, stdout, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		for i, rec := range recs {
			b, err := withAssessment(rec.raw, assessments[i])
			if err != nil {
				return fmt.Errorf("%s:%d: %w", *in, rec.line, err)
			}
			bw.Write(b)
			bw.WriteByte('\n')
		}
		return bw.Flush()
	})
}

// record is one input line: the ad and the line as read.
type record struct {
	line int
	raw  map[string]json.RawMessage
	ad   ad.Raw
}

// readAds reads a JSON-lines file of ads; its error names file, line and
// field, and reports up to ten bad lines at once.
func readAds(path string) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []record
	var errs []error
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		rec := record{line: n}
		if err := decodeAd(line, &rec); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", path, n, err))
			if len(errs) == 10 {
				errs = append(errs, errors.New("(stopped after 10 bad lines)"))
				break
			}
			continue
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", path, err))
	}
	return recs, errors.Join(errs...)
}

func decodeAd(line []byte, rec *record) error {
	if err := json.Unmarshal(line, &rec.raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("not valid JSON at byte %d: %v", se.Offset, err)
		}
		return fmt.Errorf("want a JSON object: %v", err)
	}
	if err := json.Unmarshal(line, &rec.ad); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("field %q: got a JSON %s, want %s", te.Field, te.Value, jsonKind(te.Type.String()))
		}
		var pe *time.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("field \"posted_at\": %q is not an RFC 3339 time such as 2026-09-01T16:00:00Z", pe.Value)
		}
		return err
	}
	if rec.ad.Text == "" && rec.ad.Title == "" {
		return errors.New(`field "text": an ad needs a title or a text`)
	}
	return nil
}

func jsonKind(goType string) string {
	switch {
	case goType == "int":
		return "a whole number"
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "[]"):
		return "an array of strings"
	default:
		return goType
	}
}

// withAssessment returns the input record with the assessment's keys added.
func withAssessment(rec map[string]json.RawMessage, a ad.Assessment) ([]byte, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	var extra map[string]json.RawMessage
	if err := json.Unmarshal(b, &extra); err != nil {
		return nil, err
	}
	out := make(map[string]json.RawMessage, len(rec)+len(extra))
	for k, v := range rec {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// writeFile runs write on the named file ("-" for stdout), created only when
// write succeeds, so a failed run leaves no half-written output.
func writeFile(name string, stdout io.Writer, write func(io.Writer) error) error {
	if name == "-" || name == "" {
		return write(stdout)
	}
	tmp, err := os.CreateTemp(dirOf(name), ".adwatch-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

func dirOf(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[:i+1]
	}
	return "."
}

func cmdRules(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "test" {
		return usagef("want 'adwatch rules test' or 'adwatch rules explain'")
	}
	fs := newFlagSet("rules test", stderr)
	dir := fs.String("rules", "configs/rules", "`directory` of rule files")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	rules, err := classifier.LoadRules(*dir)
	if err != nil {
		return err
	}
	failures := rules.Test()
	for _, f := range failures {
		fmt.Fprintln(stdout, "FAIL", f)
	}
	if len(failures) > 0 {
		return fmt.Errorf("%d rule test cases failed", len(failures))
	}
	fmt.Fprintf(stdout, "rules %s: every test case passed\n", rules.Version())
	return nil
}

func cmdSites(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "check" && args[0] != "test") {
		return usagef("want 'adwatch sites check' or 'adwatch sites test SITE [--url AD_URL]'")
	}
	verb, args := args[0], args[1:]
	fs := newFlagSet("sites "+verb, stderr)
	dir := fs.String("sites", "configs/sites", "`directory` of site configs")
	adURL := fs.String("url", "", "with test: an ad page to extract instead of the first one listed")
	var name string
	if verb == "test" {
		// The site comes first: adwatch sites test sim-rosa --url ...
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return usagef("sites test needs a site: its name or its config file")
		}
		name, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if verb == "check" {
		sites, err := crawler.LoadSites(*dir)
		if err != nil {
			return err
		}
		for _, s := range sites {
			fmt.Fprintf(stdout, "ok  %s  %s\n", s.Name, s.BaseURL)
		}
		return nil
	}
	site, err := findSite(*dir, name)
	if err != nil {
		return err
	}
	return crawler.TestSite(ctx, site, *adURL, stdout)
}

// findSite loads a site config by file name or by site name within dir.
func findSite(dir, name string) (*crawler.Site, error) {
	if strings.HasSuffix(name, ".yaml") {
		return crawler.LoadSite(name)
	}
	sites, err := crawler.LoadSites(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range sites {
		if s.Name == name {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return nil, usagef("no site %q in %s; the sites there are %s", name, dir, strings.Join(names, ", "))
}
