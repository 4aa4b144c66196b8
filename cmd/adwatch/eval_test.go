package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adwatch/adwatch/classifier/devset"
)

func TestEvalDevSet(t *testing.T) {
	devSet := devset.Path(t)
	var out, errOut strings.Builder
	if err := cmdEval([]string{"--in", devSet, "--rules", "../../configs/rules", "--misses"}, &out, &errOut); err != nil {
		t.Fatalf("cmdEval: %v\n%s", err, errOut.String())
	}
	for _, w := range []string{
		"300 ads", "single-ad indicators", "cross-ad indicators", "micro average", "macro average",
		"fl_opaque_employer", "phone extraction: 248 of 248", "misses:",
	} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("report lacks %q:\n%s", w, out.String())
		}
	}
	t.Log("\n" + out.String())
}

func TestEvalErrors(t *testing.T) {
	dir := t.TempDir()
	unlabelled := filepath.Join(dir, "u.jsonl")
	if err := os.WriteFile(unlabelled, []byte(`{"id":"a","site":"s","url":"u","text":"hej"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badLabels := filepath.Join(dir, "b.jsonl")
	if err := os.WriteFile(badLabels, []byte(`{"id":"a","site":"s","url":"u","text":"hej","labels":{"indicators":"x"}}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{}, "--in is required"},
		{[]string{"--in", unlabelled, "--rules", "../../configs/rules"}, `u.jsonl:1: no "labels"`},
		{[]string{"--in", badLabels, "--rules", "../../configs/rules"}, `b.jsonl:1: field "labels"`},
	}
	for _, tt := range tests {
		var out strings.Builder
		err := cmdEval(tt.args, &out, &out)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("cmdEval(%q) = %v, want an error with %q", tt.args, err, tt.want)
		}
	}
}
