package simulator

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var seeds = []uint64{0, 1, 2, 3, 4, 5, 42, 1 << 40}

func TestMix(t *testing.T) {
	for _, seed := range seeds {
		s := New(Options{Seed: seed})
		for _, site := range Sites() {
			t.Run(fmt.Sprintf("%s/%d", site, seed), func(t *testing.T) {
				labels := s.Labels(site)
				ads := s.Ads(site)
				risky, massage := 0, 0
				for i, l := range labels {
					if len(l.Indicators) > 0 {
						risky++
					}
					if ads[i].Category == "massage" {
						massage++
					}
				}
				if share := float64(risky) / float64(len(labels)); share < 0.3 || share > 0.5 {
					t.Errorf("%d of %d ads carry indicators (%.0f%%), want about 40%%", risky, len(labels), 100*share)
				}
				if massage == 0 || massage == len(ads) {
					t.Errorf("%d of %d ads are massage, want a mix", massage, len(ads))
				}
			})
		}
	}
}

// TestIndicatorCoverage: across a few seeds every text indicator is planted
// on each site, so rules for all of them meet real input.
func TestIndicatorCoverage(t *testing.T) {
	for _, site := range Sites() {
		got := map[string]int{}
		for _, seed := range seeds[:4] {
			for _, l := range New(Options{Seed: seed}).Labels(site) {
				for _, id := range l.Indicators {
					got[id]++
				}
			}
		}
		want := append(slices.Clone(textIndicators), indObscured, indForeignNumber, indBelowMarket, indManyPersonas)
		for _, id := range want {
			if got[id] == 0 {
				t.Errorf("%s: %s never planted", site, id)
			}
		}
	}
}

func TestPlantedPhrasesAppear(t *testing.T) {
	for _, seed := range seeds {
		s := New(Options{Seed: seed})
		for _, site := range Sites() {
			for _, a := range s.ads[site] {
				all := a.title + "\n" + a.text()
				for _, p := range a.planted {
					if !strings.Contains(all, p) {
						t.Errorf("seed %d %s%s: planted %q not in title or text", seed, site, a.url(), p)
					}
				}
				var text []string
				for _, id := range a.indicators {
					if slices.Contains(textIndicators, id) {
						text = append(text, id)
					}
				}
				if a.group == "" && len(text) > 4 {
					t.Errorf("seed %d %s%s: %d text indicators, want at most 4", seed, site, a.url(), len(text))
				}
			}
		}
	}
}

// TestBenignAdsCarryNoIndicatorPhrase keeps the benign ads clean: no
// indicator pool phrase and no third-person line, in any language, so that
// a classifier's hit on a benign ad is a real false positive.
func TestBenignAdsCarryNoIndicatorPhrase(t *testing.T) {
	var probes []string
	addProbe := func(tmpl string) {
		// The longest literal stretch of a template is what must not appear.
		best := ""
		for _, part := range regexp.MustCompile(`\{[a-z]+\}`).Split(tmpl, -1) {
			if len(part) > len(best) {
				best = part
			}
		}
		if best = strings.ToLower(strings.TrimSpace(best)); len(best) >= 4 {
			probes = append(probes, best)
		}
	}
	for _, p := range []*pools{poolsDA, poolsEN, poolsRO} {
		for _, id := range textIndicators {
			for _, tmpl := range p.indicators[id] {
				addProbe(tmpl)
			}
		}
		for _, ph := range p.nationality {
			for _, tmpl := range ph {
				addProbe(tmpl)
			}
		}
		for _, tag := range p.titleTag {
			addProbe(tag)
		}
		for _, tmpl := range slices.Concat(p.bodyEscort3, p.bodyMassage3) {
			addProbe(tmpl)
		}
	}
	for _, seed := range seeds {
		s := New(Options{Seed: seed})
		for _, site := range Sites() {
			labels := s.Labels(site)
			for i, a := range s.Ads(site) {
				if len(labels[i].Indicators) > 0 {
					continue
				}
				all := strings.ToLower(a.Title + "\n" + a.Text)
				for _, p := range probes {
					if strings.Contains(all, p) {
						t.Errorf("seed %d benign %s%s contains indicator phrase %q", seed, site, a.URL, p)
					}
				}
			}
		}
	}
}

// TestLookAlikeTraps: benign ads include the look-alikes INDICATORS.md warns
// about, so that naive rules fail here first.
func TestLookAlikeTraps(t *testing.T) {
	traps := map[string]int{}
	for _, seed := range seeds[:4] {
		s := New(Options{Seed: seed})
		for _, site := range Sites() {
			labels := s.Labels(site)
			for i, a := range s.Ads(site) {
				if len(labels[i].Indicators) > 0 {
					continue
				}
				for _, w := range []string{"nyhavn", "in town", "downtown", "ny frisure", "fresh towels", "ung af sind", "døgnåbne", "alle ugens dage"} {
					if strings.Contains(strings.ToLower(a.Text), w) {
						traps[w]++
					}
				}
			}
		}
	}
	for _, w := range []string{"in town", "downtown", "ny frisure", "ung af sind", "døgnåbne"} {
		if traps[w] == 0 {
			t.Errorf("no benign ad has the look-alike %q", w)
		}
	}
}

func TestAges(t *testing.T) {
	textAge := regexp.MustCompile(`\((\d{2})\)|(\d+) år|(\d+) years|, (\d+), an|am (\d+) de ani`)
	minorCue := regexp.MustCompile(`(?i)teen|skolepige|schoolgirl|under 18|barely|gymnasie|high school|1[0-8] år|1[0-8] years`)
	for _, seed := range seeds {
		s := New(Options{Seed: seed})
		for _, site := range Sites() {
			for _, a := range s.Ads(site) {
				if a.Age != 0 && a.Age < 19 {
					t.Errorf("seed %d %s%s: age %d", seed, site, a.URL, a.Age)
				}
				for _, m := range textAge.FindAllStringSubmatch(a.Title+"\n"+a.Text, -1) {
					for _, g := range m[1:] {
						if n, err := strconv.Atoi(g); err == nil && (n < 19 || (a.Age != 0 && n != a.Age)) {
							t.Errorf("seed %d %s%s: text age %d, field age %d", seed, site, a.URL, n, a.Age)
						}
					}
				}
				if m := minorCue.FindString(a.Title + "\n" + a.Text); m != "" {
					t.Errorf("seed %d %s%s: minor cue %q", seed, site, a.URL, m)
				}
			}
		}
	}
}

func TestPrices(t *testing.T) {
	priceRE := map[string]*regexp.Regexp{
		SiteRosa:     regexp.MustCompile(`^(\d{1,3}(?:\.\d{3})?|\d+) kr/time$`),
		SiteNattelys: regexp.MustCompile(`^(\d+) DKK$`),
	}
	for _, seed := range seeds {
		s := New(Options{Seed: seed})
		for _, site := range Sites() {
			labels := s.Labels(site)
			for i, a := range s.Ads(site) {
				if a.PriceText == "" {
					continue
				}
				m := priceRE[site].FindStringSubmatch(a.PriceText)
				if m == nil {
					t.Errorf("seed %d %s%s: price %q", seed, site, a.URL, a.PriceText)
					continue
				}
				kr, _ := strconv.Atoi(strings.ReplaceAll(m[1], ".", ""))
				low := slices.Contains(labels[i].Indicators, indBelowMarket)
				lo, hi := 1200, 2500
				switch {
				case a.Category == "massage" && low:
					lo, hi = 250, 350
				case a.Category == "massage":
					lo, hi = 450, 1000
				case low:
					lo, hi = 400, 600
				}
				if kr < lo || kr > hi {
					t.Errorf("seed %d %s%s: %s %d kr (below market %v), want %d-%d", seed, site, a.URL, a.Category, kr, low, lo, hi)
				}
			}
		}
	}
}

func TestPhones(t *testing.T) {
	shown := map[string]*regexp.Regexp{
		SiteRosa:     regexp.MustCompile(`^(\d{2} \d{2} \d{2} \d{2}|\+45 \d{8}|\d{8}|\+45 \d{2} \d{2} \d{2} \d{2}|\+40 7\d{2} \d{3} \d{3}|\+66 \d{2} \d{3} \d{4})$`),
		SiteNattelys: regexp.MustCompile(`^(\+45 \d{8}|\+45 \d{2} \d{2} \d{2} \d{2}|\+40 7\d{2} \d{3} \d{3}|\+66 \d{2} \d{3} \d{4})$`),
	}
	noPhone, twoPhones := map[string]int{}, map[string]int{}
	for _, seed := range seeds {
		s := New(Options{Seed: seed})
		owners := map[string][]string{} // E.164 -> ads, over both sites
		groups := map[string]string{}   // E.164 -> group
		for _, site := range Sites() {
			labels := s.Labels(site)
			for i, a := range s.Ads(site) {
				l := labels[i]
				for _, p := range a.Phones {
					if !shown[site].MatchString(p) {
						t.Errorf("seed %d %s%s: phone shown as %q", seed, site, a.URL, p)
					}
					if strings.HasPrefix(p, "+") && !strings.HasPrefix(p, "+45") && !slices.Contains(l.Indicators, indForeignNumber) {
						t.Errorf("seed %d %s%s: foreign %q without %s", seed, site, a.URL, p, indForeignNumber)
					}
				}
				switch len(a.Phones) {
				case 0:
					noPhone[site]++
				case 2:
					twoPhones[site]++
				}
				for _, e := range l.PhonesE164 {
					owners[e] = append(owners[e], site+a.URL)
					groups[e] = l.Group
				}
			}
		}
		for e, ads := range owners {
			if len(ads) > 1 && groups[e] == "" {
				t.Errorf("seed %d: %s shared by %v outside a group", seed, e, ads)
			}
		}
	}
	for _, site := range Sites() {
		if noPhone[site] == 0 || twoPhones[site] == 0 {
			t.Errorf("%s: %d ads without and %d with two phones, want some of each", site, noPhone[site], twoPhones[site])
		}
	}
}

func TestPersonaRotationGroup(t *testing.T) {
	for _, seed := range seeds {
		s := New(Options{Seed: seed})
		for _, site := range Sites() {
			t.Run(fmt.Sprintf("%s/%d", site, seed), func(t *testing.T) {
				labels := s.Labels(site)
				byPhone := map[string][]int{}
				for i, a := range s.Ads(site) {
					for _, p := range a.Phones {
						byPhone[p] = append(byPhone[p], i)
					}
				}
				ads := s.Ads(site)
				found := false
				for p, idx := range byPhone {
					if len(idx) < 3 {
						continue
					}
					found = true
					if len(idx) > 4 {
						t.Errorf("%s on %d ads, want 3 or 4", p, len(idx))
					}
					names, cities := map[string]bool{}, map[string]bool{}
					var first, last time.Time
					for _, i := range idx {
						names[ads[i].Name] = true
						cities[ads[i].City] = true
						if first.IsZero() || ads[i].PostedAt.Before(first) {
							first = ads[i].PostedAt
						}
						if ads[i].PostedAt.After(last) {
							last = ads[i].PostedAt
						}
						if labels[i].Group == "" || !slices.Contains(labels[i].Indicators, indManyPersonas) {
							t.Errorf("%s is in the group but labelled %v", ads[i].URL, labels[i])
						}
					}
					if len(names) != len(idx) || len(cities) != len(idx) {
						t.Errorf("%s: %d names and %d cities on %d ads, want all different", p, len(names), len(cities), len(idx))
					}
					if last.Sub(first) > 14*24*time.Hour {
						t.Errorf("%s: group spans %v, want within 14 days", p, last.Sub(first))
					}
				}
				if !found {
					t.Error("no phone on 3 or more ads")
				}
			})
		}
	}
}

var keycapOrWord = strings.NewReplacer(
	"\uFE0F\u20E3", "",
	"nul", "0", "en", "1", "to", "2", "tre", "3", "fire", "4", "fem", "5", "seks", "6", "syv", "7", "otte", "8", "ni", "9",
)

func TestObfuscatedPhone(t *testing.T) {
	digitsOnly := regexp.MustCompile(`\D`)
	for _, seed := range seeds {
		s := New(Options{Seed: seed})
		for _, site := range Sites() {
			labels := s.Labels(site)
			found := false
			for i, a := range s.Ads(site) {
				if !slices.Contains(labels[i].Indicators, indObscured) {
					continue
				}
				found = true
				if len(a.Phones) != 0 || len(labels[i].PhonesE164) != 1 {
					t.Fatalf("seed %d %s%s: phones %v, labelled %v; want none shown, one hidden", seed, site, a.URL, a.Phones, labels[i].PhonesE164)
				}
				national := strings.TrimPrefix(labels[i].PhonesE164[0], "+45")
				spaced := national[0:2] + " " + national[2:4] + " " + national[4:6] + " " + national[6:8]
				if strings.Contains(a.Text, national) || strings.Contains(a.Text, spaced) {
					t.Errorf("seed %d %s%s: number written plainly in %q", seed, site, a.URL, a.Text)
				}
				lines := strings.Split(a.Text, "\n")
				last := lines[len(lines)-1]
				_, number, _ := strings.Cut(last, ":")
				if got := digitsOnly.ReplaceAllString(keycapOrWord.Replace(number), ""); got != national {
					t.Errorf("seed %d %s%s: %q normalises to %q, want %q", seed, site, a.URL, last, got, national)
				}
			}
			if !found {
				t.Errorf("seed %d %s: no ad with an obfuscated phone", seed, site)
			}
		}
	}
}

func TestLanguagesFitText(t *testing.T) {
	// Benign ads list the language they are written in, so that no
	// language indicator fires on them by accident.
	want := map[string]map[string]string{
		SiteRosa:     {"da": "Dansk", "en": "Engelsk"},
		SiteNattelys: {"en": "English", "th": "English", "ro": "Romanian"},
	}
	for _, seed := range seeds {
		s := New(Options{Seed: seed})
		for _, site := range Sites() {
			labels := s.Labels(site)
			for i, a := range s.Ads(site) {
				l := labels[i]
				if len(l.Indicators) > 0 || a.Languages == nil {
					continue
				}
				if !slices.Contains(a.Languages, want[site][l.Lang]) {
					t.Errorf("seed %d %s%s: %s text, languages %v", seed, site, a.URL, l.Lang, a.Languages)
				}
				if l.Lang == "ro" && !slices.Contains(a.Languages, "English") {
					t.Errorf("seed %d %s%s: Romanian text, languages %v lack English", seed, site, a.URL, a.Languages)
				}
			}
		}
	}
}

func TestTextNormalised(t *testing.T) {
	for _, seed := range seeds {
		s := New(Options{Seed: seed})
		for _, site := range Sites() {
			for _, a := range s.Ads(site) {
				for _, l := range append(strings.Split(a.Text, "\n"), a.Title) {
					if l == "" || l != strings.Join(strings.Fields(l), " ") {
						t.Errorf("seed %d %s%s: line %q is not normalised", seed, site, a.URL, l)
					}
				}
			}
		}
	}
}

func TestSmallSitesKeepFixturesWhole(t *testing.T) {
	tests := []struct {
		ads       int
		wantGroup bool
	}{
		{1, false}, {2, false}, {5, false}, {6, true}, {7, true},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.ads), func(t *testing.T) {
			s := New(Options{Seed: 1, RosaAds: tt.ads})
			members := 0
			for _, l := range s.Labels(SiteRosa) {
				if l.Group != "" {
					members++
				}
			}
			if got := members > 0; got != tt.wantGroup || (got && members != 4) {
				t.Errorf("%d group members among %d ads", members, tt.ads)
			}
		})
	}
}
