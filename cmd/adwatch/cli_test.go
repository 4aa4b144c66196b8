package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adwatch/adwatch/classifier/devset"
	"github.com/adwatch/adwatch/simulator"
)

func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"id\":\"a\",\"text\":\"x\"}\n{\"id\": 5}\n{nope\n{\"id\":\"b\",\"age\":\"old\",\"text\":\"t\"}\n"), 0o644)
	badCfg := filepath.Join(dir, "adwatch.yaml")
	os.WriteFile(badCfg, []byte("data: x\nnats:\n  urll: nats://x\n  replicas: nine\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"unknown command", []string{"frobnicate"}, exitUsage, []string{`unknown command "frobnicate"`}},
		{"no command", nil, exitUsage, []string{"Usage:"}},
		{"classify without input", []string{"classify", "--in"}, exitUsage, []string{"flag needs an argument"}},
		{"classify bad lines", []string{"classify", "--in", bad, "--rules", "../../configs/rules"}, exitError, []string{
			bad + `:2: field "id": got a JSON number, want a string`,
			bad + `:3: not valid JSON`,
			bad + `:4: field "age": got a JSON string, want a whole number`,
		}},
		{"classify missing file", []string{"classify", "--in", filepath.Join(dir, "none.jsonl"), "--rules", "../../configs/rules"}, exitError, []string{"none.jsonl: no such file"}},
		{"non-loopback address", []string{"run", "--config", os.DevNull, "--addr", "0.0.0.0:8080"}, exitUsage, []string{`--addr`, "loopback"}},
		{"bad config file", []string{"run", "--config", badCfg}, exitError, []string{badCfg + ":3: field urll not found", badCfg + ":4: cannot unmarshal"}},
		{"missing config file", []string{"run", "--config", filepath.Join(dir, "none.yaml")}, exitError, []string{"--config", "none.yaml"}},
		{"metrics on all interfaces", []string{"crawl", "--config", os.DevNull, "--nats", "nats://127.0.0.1:1", "--metrics-addr", "0.0.0.0:9100"}, exitUsage, []string{"--metrics-addr", "loopback"}},
		{"stage without nats", []string{"classify", "--config", os.DevNull}, exitUsage, []string{"needs --nats"}},
		{"sites test unknown", []string{"sites", "test", "nosuch", "--sites", "../../configs/sites"}, exitUsage, []string{`no site "nosuch"`, "sim-rosa"}},
		{"sites check", []string{"sites", "check", "--sites", "../../configs/sites"}, exitOK, []string{"ok  sim-rosa"}},
		{"rules test", []string{"rules", "test", "--rules", "../../configs/rules"}, exitOK, []string{"every test case passed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			code := runCLI(tt.args, &out, &out)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestClassifyDevSet(t *testing.T) {
	in := devset.Path(t)
	out := filepath.Join(t.TempDir(), "scored.jsonl")
	var msgs strings.Builder
	if code := runCLI([]string{"classify", "--in", in, "--out", out, "--rules", "../../configs/rules"}, &msgs, &msgs); code != 0 {
		t.Fatalf("exit %d: %s", code, msgs.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 300 {
		t.Fatalf("%d scored lines, want 300", len(lines))
	}
	levels := map[string]int{}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"id", "labels", "ad_risk", "organised_activity", "level", "flags", "contacts", "indicators"} {
			if _, ok := rec[k]; !ok {
				t.Fatalf("record %v lacks %q", rec["id"], k)
			}
		}
		levels[rec["level"].(string)]++
	}
	if levels["high"] == 0 || levels["none"] == 0 {
		t.Errorf("levels %v: want both flagged and unflagged ads", levels)
	}
}

func TestSitesTestAgainstSimulator(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls, err := simulator.New(simulator.Options{Seed: 2}).Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := siteConfigsFor(t, urls)
	var out strings.Builder
	if code := runCLI([]string{"sites", "test", "sim-rosa", "--sites", dir}, &out, &out); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	for _, w := range []string{"ad links (ul.ads a.ad-link): 10", "next page: " + urls["sim-rosa"] + "/annoncer?page=2", "title", "phones"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
}
