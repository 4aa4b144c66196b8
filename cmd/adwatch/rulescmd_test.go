package main

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adwatch/adwatch/ad"
)

func TestRulesExplain(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  []string
		not   []string
	}{
		{
			name:  "plain text on stdin",
			args:  []string{"--rules", "../../configs/rules", "--category", "escort"},
			stdin: "NY PIGE I BYEN! Hun er 21 år, ung og frisk. 100% ægte billeder. Ring til hendes booker på 28 64 19 73.",
			want: []string{
				"level high", "trust_assurance_language", `text[`, `"100% ægte billeder"`,
				"language      da (detected)", "phones        +4528641973", "stated ages   21",
				"never a verdict",
			},
		},
		{
			name:  "JSON ad in the dev-set shape",
			args:  []string{"--rules", "../../configs/rules", "-"},
			stdin: `{"id":"dev-x","site":"sim-rosa","category":"escort","lang":"da","text":"Dejlig massage, kom og bliv forkælet.","languages":["Thai"],"price_text":"800 kr/30 min","labels":{"indicators":[]}}`,
			want:  []string{"ad dev-x (sim-rosa, escort)", "fluent_ad_but_language_barrier", `languages[0:4] "Thai"`, "hourly price  1600 DKK", "language      da\n"},
		},
		{
			name:  "nothing fires",
			args:  []string{"--rules", "../../configs/rules"},
			stdin: "Sælger min gamle cykel.",
			want:  []string{"no indicator fired", "level none"},
			not:   []string{"indicators ("},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			if err := cmdRulesExplain(tt.args, strings.NewReader(tt.stdin), &out, &errOut); err != nil {
				t.Fatalf("cmdRulesExplain: %v\n%s", err, errOut.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestRulesExplainFileAndJSON(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ad.txt")
	if err := os.WriteFile(p, []byte("Kun WhatsApp, ingen opkald. Betal chaufføren."), 0o600); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := cmdRulesExplain([]string{"--rules", "../../configs/rules", "--json", p}, strings.NewReader(""), &out, &out); err != nil {
		t.Fatal(err)
	}
	var a ad.Assessment
	if err := json.Unmarshal([]byte(out.String()), &a); err != nil {
		t.Fatalf("--json output is no assessment: %v\n%s", err, out.String())
	}
	if a.RulesVersion == "" || len(a.Indicators) == 0 {
		t.Errorf("assessment %+v", a)
	}
}

func TestRulesExplainErrors(t *testing.T) {
	tests := []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"--rules", "../../configs/rules"}, "   ", "empty input"},
		{[]string{"--rules", "../../configs/rules"}, `{"text": 3}`, "not a JSON ad"},
		{[]string{"--rules", "../../configs/rules"}, `{"text":"a"}{"text":"b"}`, "more than one JSON ad"},
		{[]string{"--rules", "../../configs/rules"}, `{"id":"x"}`, `no "title" or "text"`},
		{[]string{"--rules", "../../configs/rules", "a", "b"}, "x", "at most one FILE"},
		{[]string{"--rules", "../../configs/rules", "/nonexistent/ad.txt"}, "", "no such file"},
		{[]string{"--rules", "/nonexistent"}, "x", "no *.yaml files"},
	}
	for _, tt := range tests {
		var out strings.Builder
		err := cmdRulesExplain(tt.args, strings.NewReader(tt.stdin), &out, &out)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("cmdRulesExplain(%q, %q) = %v, want an error with %q", tt.args, tt.stdin, err, tt.want)
		}
	}
	var out strings.Builder
	if err := cmdRulesExplain([]string{"-h"}, strings.NewReader(""), &out, &out); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "Usage: adwatch rules explain") {
		t.Errorf("-h: %v\n%s", err, out.String())
	}
}
