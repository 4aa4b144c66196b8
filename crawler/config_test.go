package crawler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseSiteBadFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []string // every fragment must appear in the error
	}{
		{"unknown-field.bad.yaml", []string{"unknown-field.bad.yaml:4: field colour not found"}},
		{"bad-selector.bad.yaml", []string{"bad-selector.bad.yaml:6: html.ad_links: \"a[[\" is not a CSS selector", "bad-selector.bad.yaml:8: html.fields.title.selector"}},
		{"bad-regex.bad.yaml", []string{"bad-regex.bad.yaml:9: html.fields.age.regex: \"(\\\\d+\" is not a valid regular expression"}},
		{"many.bad.yaml", []string{
			"many.bad.yaml:3: \"soon\" is not a duration",
			"many.bad.yaml:1: name: \"Not A Name\" must be",
			"many.bad.yaml:2: base_url: \"ftp://example.org\" must be an absolute http or https URL",
			"contact: required",
			"many.bad.yaml:4: delay: 0 would hammer a real site",
			"many.bad.yaml:5: parallelism: 99 must be from 1 to 16",
			"html.seeds: give at least one",
			"many.bad.yaml:9: html.fields.shoe_size: unknown field; valid fields are title,",
		}},
		{"no-source.bad.yaml", []string{"html: a site needs either an html or a json_api section"}},
		{"json-no-page.bad.yaml", []string{"json_api.url: \"/api/ads\" must contain {page}", "json_api.items: give the dot path", "json_api.fields: map url"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := LoadSite(filepath.Join("testdata", tt.file))
			if err == nil {
				t.Fatal("bad config accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestParseSiteDefaults(t *testing.T) {
	s, err := LoadSite("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !*s.RespectRobotsTxt || time.Duration(*s.Delay) != DefaultDelay || s.Parallelism != DefaultParallelism ||
		s.MaxPages != DefaultMaxPages || s.MaxBodyBytes != DefaultMaxBodyBytes || time.Duration(s.Interval) != DefaultInterval {
		t.Fatalf("defaults not applied: %+v", s)
	}
}

func TestShippedSiteConfigsLoad(t *testing.T) {
	sites, err := LoadSites("../configs/sites")
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) < 2 {
		t.Fatalf("loaded %d sites, want the two simulator sites at least", len(sites))
	}
}

func TestLoadSitesDuplicateName(t *testing.T) {
	dir := t.TempDir()
	data, _ := os.ReadFile("testdata/good.yaml")
	for _, n := range []string{"a.yaml", "b.yaml"} {
		os.WriteFile(filepath.Join(dir, n), data, 0o644)
	}
	_, err := LoadSites(dir)
	if err == nil || !strings.Contains(err.Error(), `name "good-site" is already used by`) {
		t.Fatalf("error = %v", err)
	}
}

func FuzzParseSite(f *testing.F) {
	for _, p := range []string{"testdata/good.yaml", "testdata/many.bad.yaml", "../configs/sites/sim-rosa.yaml", "../configs/sites/sim-nattelys.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSite("fuzz.yaml", data)
		if err == nil && (s.Name == "" || s.Delay == nil || s.RespectRobotsTxt == nil) {
			t.Fatalf("accepted config without defaults: %+v", s)
		}
	})
}
