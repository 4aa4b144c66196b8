package main

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/adwatch/adwatch/simulator"
)

// simSiteConfigs copies the shipped site configs into a temporary directory
// with the simulated sites moved to free loopback ports.
func simSiteConfigs(t *testing.T) (dir string, urls map[string]string) {
	t.Helper()
	dir = t.TempDir()
	urls = map[string]string{}
	for _, name := range []string{"sim-rosa", "sim-nattelys"} {
		b, err := os.ReadFile("../../configs/sites/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		u := "http://" + freeAddr(t)
		var lines []string
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "base_url:") {
				l = "base_url: " + u
			}
			lines = append(lines, l)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		urls[name] = u
	}
	return dir, urls
}

// TestKillAndRestartLosesNothing kills adwatch demo with SIGKILL in the middle
// of a run, starts it again on the same data directory, and checks that the
// index ends up with every simulated ad exactly once.
func TestKillAndRestartLosesNothing(t *testing.T) {
	t.Parallel() // mostly waits on other processes
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := binary(t, "adwatch")
	sitesDir, urls := simSiteConfigs(t)
	const perSite = 150
	want := groundTruth(simulator.New(simulator.Options{Seed: 3, RosaAds: perSite, NattelysAds: perSite}), urls)
	data := t.TempDir()
	addr := freeAddr(t)
	api := "http://" + addr
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "demo", "--seed", "3", "--sim-ads", fmt.Sprint(perSite), "--data", data,
			"--addr", addr, "--sites", sitesDir, "--rules", "../../configs/rules", "--progress", "0", "--log-level", "warn")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	status := func() (progress, error) {
		var st progress
		err := getJSON(api+"/api/v1/status", &st)
		return st, err
	}

	first := start()
	// Kill it as soon as ads are flowing through every stage but before the
	// run is complete.
	waitFor(t, 2*time.Minute, func() (bool, string) {
		st, err := status()
		if err != nil {
			return false, err.Error()
		}
		return st.Indexed > 0, fmt.Sprintf("%+v", st)
	})
	st, _ := status()
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	t.Logf("killed at %+v of %d ads", st, len(want))
	if st.Indexed >= int64(len(want)) {
		t.Logf("the first run had already indexed everything; the restart still must not duplicate")
	}

	second := start()
	defer func() {
		if second.ProcessState == nil {
			second.Process.Kill()
			second.Wait()
		}
	}()
	// The messages the killed process had taken and not acknowledged come
	// back only after the consumers' ack wait (30s).
	var total int
	waitFor(t, 5*time.Minute, func() (bool, string) {
		var res struct{ Total int }
		if err := getJSON(api+"/api/v1/ads?size=1", &res); err != nil {
			return false, err.Error()
		}
		total = res.Total
		st, _ := status()
		return total >= len(want) && st.ClassifierPending == 0 && st.IndexerPending == 0, fmt.Sprintf("total %d, %+v", total, st)
	})
	all := searchAll(t, api, url.Values{})
	seen := map[string]bool{}
	for _, h := range all {
		if seen[h.ID] {
			t.Fatalf("ad %s indexed twice", h.ID)
		}
		seen[h.ID] = true
		if _, ok := want[h.ID]; !ok {
			t.Errorf("unexpected ad %s (%s)", h.ID, h.URL)
		}
	}
	for id, w := range want {
		if !seen[id] {
			t.Errorf("ad %s (%s) lost", id, w.URL)
		}
	}
	if len(all) != len(want) {
		t.Fatalf("index holds %d ads, want %d", len(all), len(want))
	}

	// A clean stop drains and exits 0.
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- second.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("adwatch exited with %v after SIGTERM, want 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("adwatch did not stop within 30s of SIGTERM")
	}
}
