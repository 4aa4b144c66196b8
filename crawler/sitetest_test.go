package crawler

import (
	"context"
	"strings"
	"testing"

	"github.com/adwatch/adwatch/simulator"
)

func TestTestSiteShowsWhatEachFieldExtracts(t *testing.T) {
	sim, sites, urls := simSites(t, simulator.Options{Seed: 3, RosaAds: 25, NattelysAds: 25})
	ctx := context.Background()
	t.Run("html", func(t *testing.T) {
		var out strings.Builder
		if err := TestSite(ctx, sites["sim-rosa"], "", &out); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		// The listing is newest first: its first link is the last ad.
		newest := sim.Ads("sim-rosa")[24]
		for _, want := range []string{
			"listing " + urls["sim-rosa"] + "/annoncer",
			"ad links (ul.ads a.ad-link): 10",
			"next page: " + urls["sim-rosa"] + "/annoncer?page=2",
			"ad " + urls["sim-rosa"] + newest.URL,
			"title       selector article.ad-detail h1.title",
			newest.Title,
			"age         selector dl.fields dd.age, regex (\\d+)",
			"raw ad as published:",
			"\nok\n",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
		if n := sim.SiteHits("sim-rosa", "/annoncer"); n != 1 {
			t.Errorf("fetched %d listing pages, want 1", n)
		}
	})
	t.Run("html with --url", func(t *testing.T) {
		var out strings.Builder
		u := urls["sim-rosa"] + sim.Ads("sim-rosa")[2].URL
		if err := TestSite(ctx, sites["sim-rosa"], u, &out); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), sim.Ads("sim-rosa")[2].Title) {
			t.Errorf("output lacks the ad's title:\n%s", out.String())
		}
	})
	t.Run("json api", func(t *testing.T) {
		var out strings.Builder
		if err := TestSite(ctx, sites["sim-nattelys"], "", &out); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		newest := sim.Ads("sim-nattelys")[24]
		for _, want := range []string{"items (ads): 20", "next: page 2 of 2", "path profile.name", newest.Name, "\nok\n"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
		if n := sim.SiteHits("sim-nattelys", "/api/v1/ads"); n != 1 {
			t.Errorf("fetched %d API pages, want 1", n)
		}
	})
	t.Run("broken selectors", func(t *testing.T) {
		s := *sites["sim-rosa"]
		h := *s.HTML
		h.Fields = map[string]FieldRule{}
		for k, v := range s.HTML.Fields {
			h.Fields[k] = v
		}
		r := h.Fields["title"]
		r.Selector = "h1.headline"
		r.sel, _ = compileSelector(r.Selector)
		h.Fields["title"] = r
		s.HTML = &h
		var out strings.Builder
		if err := TestSite(ctx, &s, "", &out); err != nil {
			t.Fatalf("text still extracted, yet: %v", err)
		}
		if !strings.Contains(out.String(), "selector h1.headline\n              EMPTY") || !strings.Contains(out.String(), "came out empty on this ad: phones, title") {
			t.Fatalf("an empty title is not pointed out:\n%s", out.String())
		}
	})
	t.Run("no ad links", func(t *testing.T) {
		s, err := ParseSite("x.yaml", []byte(`name: x
base_url: `+urls["sim-rosa"]+`
contact: a@b.example
allow_private_addresses: true
delay: 0s
html:
  seeds: ["/annoncer"]
  ad_links: "a.nothing"
  fields: {title: {selector: h1}}
`))
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		err = TestSite(ctx, s, "", &out)
		if err == nil || !strings.Contains(err.Error(), `html.ad_links "a.nothing" matches nothing`) {
			t.Fatalf("err %v:\n%s", err, out.String())
		}
	})
}
