// Package devset finds the labelled development set of synthetic ads
// (shared/data/ads-dev.jsonl beside the repository) for tests and
// benchmarks that measure the classifier on it.
package devset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/adwatch/adwatch/ad"
)

// rel is where the set lies relative to a folder above the repository.
const rel = "shared/data/ads-dev.jsonl"

// Path returns the dev set's path, looked for beside every folder above the
// working directory. Where it is missing the test is skipped, except under
// CI=true, where CI lays it beside the clone and its absence is a failure.
func Path(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err == nil {
		for {
			p := filepath.Join(dir, "..", rel)
			if _, err := os.Stat(p); err == nil {
				return filepath.Clean(p)
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("the dev set %s is not beside the repository", rel)
	}
	tb.Skipf("the dev set %s is not beside the repository", rel)
	return ""
}

// Lines returns the dev set's records, one JSON object each.
func Lines(tb testing.TB) [][]byte {
	tb.Helper()
	f, err := os.Open(Path(tb))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			out = append(out, bytes.Clone(line))
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// Ad is one record of the dev set: the raw ad and its labels (see the
// dev set's README).
type Ad struct {
	ad.Raw
	Labels Labels `json:"labels"`
}

// Labels are a record's labels; the fields are classifier.Labels', so one
// converts to the other.
type Labels struct {
	Indicators []string `json:"indicators"`
	Phones     []string `json:"phones_e164"`
	MinorCue   bool     `json:"minor_cue"`
	Group      string   `json:"group,omitempty"`
	Note       string   `json:"note,omitempty"`
}

// Ads returns the dev set's records, decoded; a record that does not
// decode fails the test with its line.
func Ads(tb testing.TB) []Ad {
	tb.Helper()
	lines := Lines(tb)
	out := make([]Ad, len(lines))
	for i, line := range lines {
		if err := json.Unmarshal(line, &out[i]); err != nil {
			tb.Fatalf("dev set line %d: %v", i+1, err)
		}
	}
	if len(out) == 0 {
		tb.Fatal("the dev set is empty")
	}
	return out
}
