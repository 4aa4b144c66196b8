package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	binDir  string
	binOnce = map[string]*sync.Once{"adwatch": {}, "nats-server": {}}
	binErr  = map[string]error{}
	binMu   sync.Mutex
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "adwatch-bin-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binary builds a program once per test run: "adwatch" (this command, with
// the race detector) or "nats-server" (from the same nats-server module the
// embedded mode uses).
func binary(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(binDir, name)
	binOnce[name].Do(func() {
		args := []string{"build", "-o", path}
		if name == "adwatch" {
			args = append(args, "-race", ".")
		} else {
			args = append(args, "github.com/nats-io/nats-server/v2")
		}
		out, err := exec.Command("go", args...).CombinedOutput()
		binMu.Lock()
		defer binMu.Unlock()
		if err != nil {
			binErr[name] = err
			t.Logf("go build %s: %s", name, out)
		}
	})
	binMu.Lock()
	defer binMu.Unlock()
	if err := binErr[name]; err != nil {
		t.Fatalf("building %s failed: %v", name, err)
	}
	return path
}
