package crawler

import (
	"os"
	"path/filepath"
	"reflect"
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
		{"duplicate-key.bad.yaml", []string{"duplicate-key.bad.yaml:5: mapping key \"delay\" already defined at line 4"}},
		{"new-fields.bad.yaml", []string{
			"new-fields.bad.yaml:4: max_retries: 11 must be from 0 to 10",
			"new-fields.bad.yaml:5: gone_after: -1 must be from 1 to 100",
			"new-fields.bad.yaml:6: encoding: \"klingon-8\" is not a known character encoding",
			"new-fields.bad.yaml:7: max_images: 50 must be from 0 to 20",
			"new-fields.bad.yaml:8: max_image_bytes: 10 must be from 1024",
			"new-fields.bad.yaml:9: image_hosts: entry 1, \"https://cdn.example.org/img\", must be a host name",
			"new-fields.bad.yaml:10: max_ad_pages: -3 must be positive",
			"new-fields.bad.yaml:11: max_failures_in_a_row: -1 must be positive",
			"new-fields.bad.yaml:13: html.page_url: \"/ads?p=1\" must contain {page}",
			"new-fields.bad.yaml:14: html.first_page: -1 must be 0 or more",
			"new-fields.bad.yaml:16: html.listing_entry: \"li[[\" is not a CSS selector",
			"new-fields.bad.yaml:18: html.fields.title.json_ld: \".name\" is not a dot path",
			"new-fields.bad.yaml:19: html.fields.text: give a selector and/or json_ld, or a constant value, not both",
			"new-fields.bad.yaml:20: html.fields.city.json_ld_type: give json_ld",
			"new-fields.bad.yaml:21: html.fields.images.attr: images need the attribute",
		}},
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

func TestExampleSiteConfigsLoad(t *testing.T) {
	sites, err := LoadSites("../configs/sites/examples")
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) < 4 {
		t.Fatalf("%d example configs", len(sites))
	}
}

// TestEveryFieldIsDocumented keeps configs/sites/README.md in step with
// the structs: every yaml key appears there as `key`.
func TestEveryFieldIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../configs/sites/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[Site](), reflect.TypeFor[HTMLSource](), reflect.TypeFor[FieldRule](), reflect.TypeFor[JSONSource]()} {
		for f := range typ.Fields() {
			key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if key == "" || key == "-" {
				continue
			}
			if !strings.Contains(string(doc), "`"+key+"`") {
				t.Errorf("%s.%s (yaml %q) is not documented in configs/sites/README.md", typ.Name(), f.Name, key)
			}
		}
	}
	for _, name := range FieldNames {
		if !strings.Contains(string(doc), "`"+name+"`") {
			t.Errorf("ad field %q is not documented", name)
		}
	}
}
