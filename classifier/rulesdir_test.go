package classifier

import (
	"testing"
)

// TestRuleFiles runs the inline test cases of every rule file in
// configs/rules and lists every case that fails.
func TestRuleFiles(t *testing.T) {
	r, err := LoadRules("../configs/rules")
	if err != nil {
		t.Fatalf("load rules:\n%v", err)
	}
	fails := r.Test()
	for _, f := range fails {
		t.Error(f)
	}
	if len(fails) > 0 {
		t.Logf("%d inline test cases failed", len(fails))
	}
}
