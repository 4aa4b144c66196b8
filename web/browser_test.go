package web

import (
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var screenshot = flag.String("screenshot", "", "write a PNG of the search page as the browser test renders it to this file (e.g. /tmp/adwatch-search.png), and of the ad pages beside it")

// screenshotPath is where to write the screenshot of the named page, or "".
func screenshotPath(page string) string {
	if *screenshot == "" || page == "search" {
		return *screenshot
	}
	return strings.TrimSuffix(*screenshot, ".png") + "-" + strings.ReplaceAll(page, " ", "-") + ".png"
}

// chromiumPaths are where the browser test looks for a browser; the
// ADWATCH_CHROMIUM environment variable comes first.
var chromiumPaths = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// newBrowser starts a headless Chromium for the test and returns its context.
// Without a browser the test fails in CI (CI=true), so that the escaping
// check cannot silently stop running there, and is skipped elsewhere.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	var path string
	for _, p := range append([]string{os.Getenv("ADWATCH_CHROMIUM")}, chromiumPaths...) {
		if p == "" {
			continue
		}
		if found, err := exec.LookPath(p); err == nil {
			path = found
			break
		}
	}
	if path == "" {
		msg := "no Chromium found (looked for $ADWATCH_CHROMIUM, " + strings.Join(chromiumPaths, ", ") + "); install chromium to run the browser test"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// Start the browser now, on a context without a deadline: a deadline on
	// the first Run would bound the browser's whole life.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// TestBrowserHostileAd loads the pages in a real browser with ads whose
// crawled fields carry scripts and event handlers, and checks that none ran,
// that they show as literal text, and that evidence is marked.
func TestBrowserHostileAd(t *testing.T) {
	ctx := newBrowser(t)
	store := &memStore{ads: testAds()}
	s, err := New(store, Options{Status: func() any {
		return map[string]any{"crawled": 1284, "scored": 1279, "indexed": 1279, "sites": 4}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)

	pages := []struct {
		name, path string
		wantText   []string
	}{
		{"search", "/", []string{"<script>window.__pwned=1</script>", "signals for a human", "Ny pige i Odense"}},
		{"hostile ad", "/ads/sim-evil-0006", []string{"<script>window.__pwned=1</script>", `<img src=x onerror="window.__pwned=1">`, "javascript:window.__pwned=1", "<b>Odense</b>"}},
		{"ad", "/ads/sim-rosa-0001", []string{"100% ægte billeder", "obscured_contact"}},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			run := func(a chromedp.Action[chromedp.Void]) {
				t.Helper()
				actx, cancel := context.WithTimeout(ctx, 20*time.Second)
				defer cancel()
				if err := chromedp.Do(actx, a); err != nil {
					t.Fatal(err)
				}
			}
			eval := func(js string) string {
				t.Helper()
				actx, cancel := context.WithTimeout(ctx, 20*time.Second)
				defer cancel()
				v, err := chromedp.Run(actx, chromedp.Evaluate[string](js))
				if err != nil {
					t.Fatalf("evaluate %s: %v", js, err)
				}
				return v
			}
			run(chromedp.Navigate(ts.URL + p.path))
			if got := eval(`typeof window.__pwned`); got != "undefined" {
				t.Errorf("window.__pwned is %s: crawled script ran", got)
			}
			text := eval(`document.body.innerText`)
			for _, want := range p.wantText {
				if !strings.Contains(text, want) {
					t.Errorf("page text does not show %q literally", want)
				}
			}
			if n := eval(`String(document.querySelectorAll("mark").length)`); n == "0" {
				t.Error("no evidence <mark> on the page")
			}
			if n := eval(`String(document.querySelectorAll("script, img:not([src^='/static/']), [onerror], a[href^='javascript']").length)`); n != "0" {
				t.Errorf("%s injected elements on the page", n)
			}
			// The stylesheet loaded under the Content-Security-Policy: the
			// header bar has its colour.
			if bg := eval(`getComputedStyle(document.querySelector("header.site")).backgroundColor`); bg != "rgb(31, 58, 95)" {
				t.Errorf("stylesheet not applied: header background %q", bg)
			}
			if shot := screenshotPath(p.name); shot != "" {
				actx, cancel := context.WithTimeout(ctx, 20*time.Second)
				defer cancel()
				png, err := chromedp.Run(actx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(shot, png, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("wrote %s", shot)
			}
		})
	}

	t.Run("mark wraps the evidence", func(t *testing.T) {
		actx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(actx, chromedp.Navigate(ts.URL+"/ads/sim-rosa-0001")); err != nil {
			t.Fatal(err)
		}
		marks, err := chromedp.Run(actx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".ad-text mark")].map(m => m.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Vores piger venter", "to ni syv fem 03 41", "100% ægte billeder"}
		if strings.Join(marks, "|") != strings.Join(want, "|") {
			t.Errorf("marked %q, want %q", marks, want)
		}
	})
}
