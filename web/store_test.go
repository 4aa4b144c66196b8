package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/search"
)

// memStore is a Store over a slice. It filters honestly by every Query field
// so that the handlers are tested against real answers; the real stores have
// their own tests of the same contract.
type memStore struct {
	ads []ad.Scored

	mu      sync.Mutex
	err     error          // returned by every call when set
	queries []search.Query // every query asked, for tests of the parsing
}

func (m *memStore) Search(ctx context.Context, q search.Query) (search.Result, error) {
	m.mu.Lock()
	m.queries = append(m.queries, q)
	err := m.err
	m.mu.Unlock()
	if err != nil {
		return search.Result{}, err
	}
	var hits []ad.Scored
	for _, a := range m.ads {
		if matches(a, q) {
			hits = append(hits, a)
		}
	}
	slices.SortStableFunc(hits, func(a, b ad.Scored) int {
		switch q.Sort {
		case search.SortNewest:
			return cmp.Or(postedOrFetched(b).Compare(postedOrFetched(a)), cmp.Compare(a.ID, b.ID))
		case search.SortOrganised:
			return cmp.Or(cmp.Compare(b.OrganisedActivity, a.OrganisedActivity), cmp.Compare(a.ID, b.ID))
		}
		return cmp.Or(cmp.Compare(b.Priority(), a.Priority()), cmp.Compare(a.ID, b.ID))
	})
	res := search.Result{Total: len(hits), Facets: facets(hits), Hits: []ad.Scored{}}
	from := (q.Page - 1) * q.Size
	if from < len(hits) {
		res.Hits = hits[from:min(from+q.Size, len(hits))]
	}
	return res, nil
}

func (m *memStore) Get(ctx context.Context, id string) (ad.Scored, error) {
	m.mu.Lock()
	err := m.err
	m.mu.Unlock()
	if err != nil {
		return ad.Scored{}, err
	}
	for _, a := range m.ads {
		if a.ID == id {
			return a, nil
		}
	}
	return ad.Scored{}, fmt.Errorf("get %q: %w", id, search.ErrNotFound)
}

func (m *memStore) setErr(err error) {
	m.mu.Lock()
	m.err = err
	m.mu.Unlock()
}

func (m *memStore) lastQuery() search.Query {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.queries[len(m.queries)-1]
}

func matches(a ad.Scored, q search.Query) bool {
	if q.Text != "" {
		body := strings.ToLower(a.Title + " " + a.Text)
		for _, term := range strings.Fields(strings.ToLower(q.Text)) {
			if !strings.Contains(body, term) {
				return false
			}
		}
	}
	if max(a.AdRisk, a.OrganisedActivity) < q.MinScore {
		return false
	}
	if len(q.Levels) > 0 && !slices.Contains(q.Levels, a.Level) {
		return false
	}
	for _, want := range q.Indicators {
		if !slices.ContainsFunc(a.Indicators, func(i ad.Indicator) bool { return i.ID == want }) {
			return false
		}
	}
	if q.City != "" && !strings.EqualFold(a.City, q.City) {
		return false
	}
	if q.Site != "" && a.Site != q.Site {
		return false
	}
	return true
}

func postedOrFetched(a ad.Scored) time.Time {
	if !a.PostedAt.IsZero() {
		return a.PostedAt
	}
	return a.FetchedAt
}

func facets(hits []ad.Scored) map[string][]search.FacetCount {
	counts := map[string]map[string]int{}
	add := func(name, value string) {
		if counts[name] == nil {
			counts[name] = map[string]int{}
		}
		counts[name][value]++
	}
	for _, a := range hits {
		add("level", a.Level)
		add("site", a.Site)
		add("city", a.City)
		seen := map[string]bool{}
		for _, i := range a.Indicators {
			if !seen[i.ID] {
				seen[i.ID] = true
				add("indicator", i.ID)
			}
		}
	}
	out := map[string][]search.FacetCount{}
	for _, name := range search.FacetNames {
		fc := []search.FacetCount{}
		for v, n := range counts[name] {
			fc = append(fc, search.FacetCount{Value: v, Count: n})
		}
		slices.SortFunc(fc, func(a, b search.FacetCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
		})
		out[name] = fc
	}
	return out
}

// evidence locates match in the field's value, as the classifier would.
func evidence(field, value, match string) ad.Evidence {
	i := strings.Index(value, match)
	if i < 0 {
		panic(fmt.Sprintf("test fixture: %q not in %q", match, value))
	}
	return ad.Evidence{Field: field, Start: i, End: i + len(match), Text: match}
}

var errStoreDown = errors.New("index unavailable: secret-internal-detail")

const (
	hostileScript = `<script>window.__pwned=1</script>`
	hostileImg    = `<img src=x onerror="window.__pwned=1">`
	testPhone     = "+4529750341"
)

// testAds are the fixtures: one of each level, an escalated ad with a low
// score, and a hostile ad whose every crawled field tries to inject markup.
func testAds() []ad.Scored {
	t0 := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

	highText := "Ny i byen – kun få dage! Vores piger venter på dig. Ring to ni syv fem 03 41, 100% ægte billeder."
	high := ad.Scored{
		Raw: ad.Raw{
			ID: "sim-rosa-0001", Site: "sim-rosa", URL: "https://sim-rosa.example/ad/1",
			Category: "escort", Lang: "da", PostedAt: t0, Title: "Ny pige i Odense – eksotisk",
			Text: highText, Name: "Mia", City: "Odense", Age: 21, PriceText: "1000 kr/time",
			Phones: []string{"to ni syv fem 03 41"}, Languages: []string{"rumænsk"}, FetchedAt: t0,
		},
		Assessment: ad.Assessment{
			AdRisk: 78, OrganisedActivity: 40, Level: ad.LevelHigh,
			Flags: []string{ad.FlagHealthOutreach}, Contacts: []string{testPhone},
			Indicators: []ad.Indicator{
				{ID: "obscured_contact", Family: "contact_pattern", Contribution: 1, Evidence: []ad.Evidence{evidence("text", highText, "to ni syv fem 03 41")}},
				{ID: "third_person_language", Family: "language_control", Contribution: 0.25, Evidence: []ad.Evidence{evidence("text", highText, "Vores piger venter")}},
				{ID: "trust_assurance_language", Family: "language_control", Contribution: 0.75, Evidence: []ad.Evidence{evidence("text", highText, "100% ægte billeder")}},
				{ID: "ethnicity_nationality_marketing", Family: "nationality_language_barrier", Contribution: 0.5, Evidence: []ad.Evidence{evidence("title", "Ny pige i Odense – eksotisk", "eksotisk")}},
				{ID: "many_personas_per_contact", Family: "organised", Contribution: 1.2},
			},
			RulesVersion: "rules-2026-09",
		},
		ScoredAt: t0,
	}

	medText := "Young and fresh, new face in town. Only SMS."
	medium := ad.Scored{
		Raw: ad.Raw{ID: "sim-nattelys-0002", Site: "sim-nattelys", URL: "https://sim-nattelys.example/ad/2", Title: "Sweet Anna", Text: medText, City: "København", PostedAt: t0.Add(2 * time.Hour)},
		Assessment: ad.Assessment{AdRisk: 55, OrganisedActivity: 0, Level: ad.LevelMedium, Indicators: []ad.Indicator{
			{ID: "youth_emphasis_language", Family: "youth_signal", Contribution: 0.75, Evidence: []ad.Evidence{evidence("text", medText, "Young and fresh")}},
			{ID: "messaging_only_contact", Family: "contact_pattern", Contribution: 0.25, Evidence: []ad.Evidence{evidence("text", medText, "Only SMS")}},
		}},
	}

	low := ad.Scored{
		Raw:        ad.Raw{ID: "sim-rosa-0003", Site: "sim-rosa", URL: "https://sim-rosa.example/ad/3", Title: "Massage", Text: "Afslappende massage alle ugens dage.", City: "Odense", PostedAt: t0.Add(time.Hour), GoneAt: t0.Add(48 * time.Hour)},
		Assessment: ad.Assessment{AdRisk: 20, Level: ad.LevelLow, Indicators: []ad.Indicator{{ID: "availability_control", Family: "language_control", Contribution: 0.25, Evidence: []ad.Evidence{evidence("text", "Afslappende massage alle ugens dage.", "alle ugens dage")}}}},
	}

	none := ad.Scored{
		Raw:        ad.Raw{ID: "sim-jobnu-0004", Site: "sim-jobnu", URL: "https://sim-jobnu.example/ad/4", Title: "Chauffør C/E", Text: "Fast natrute, overenskomst.", City: "Padborg", PostedAt: t0.Add(3 * time.Hour)},
		Assessment: ad.Assessment{AdRisk: 0, Level: ad.LevelNone},
	}

	minorText := "Ung pige, lige fyldt."
	minor := ad.Scored{
		Raw: ad.Raw{ID: "sim-rosa-0005", Site: "sim-rosa", URL: "https://sim-rosa.example/ad/5", Title: "Ny", Text: minorText, City: "Aarhus", PostedAt: t0.Add(-time.Hour)},
		Assessment: ad.Assessment{AdRisk: 10, Level: ad.LevelLow, Flags: []string{ad.FlagMinorCue}, Indicators: []ad.Indicator{
			{ID: "minor_cue", Family: "youth_signal", Evidence: []ad.Evidence{evidence("text", minorText, "lige fyldt")}},
		}},
	}

	hTitle := "Hot " + hostileScript + " " + hostileImg
	hText := "Call me " + hostileImg + " now " + hostileScript + " & enjoy \u202etxet desrever"
	hostile := ad.Scored{
		Raw: ad.Raw{
			ID: "sim-evil-0006", Site: "sim-evil", URL: `javascript:window.__pwned=1`,
			Title: hTitle, Text: hText, Name: `"><script>window.__pwned=1</script>`, City: `<b>Odense</b>`,
			PriceText: hostileImg, Phones: []string{hostileScript}, PostedAt: t0.Add(-2 * time.Hour),
		},
		Assessment: ad.Assessment{
			AdRisk: 60, Level: ad.LevelMedium, Flags: []string{`<i>flag</i>`}, Contacts: []string{hostileScript},
			Indicators: []ad.Indicator{
				{ID: `obscured_contact`, Family: `<u>family</u>`, Contribution: 1, Evidence: []ad.Evidence{
					evidence("text", hText, hostileScript),
					evidence("title", hTitle, hostileImg),
				}},
				// Overlaps the first span and runs far past the end of the text.
				{ID: `"><script>window.__pwned=1</script>`, Contribution: 0.5, Evidence: []ad.Evidence{
					{Field: "text", Start: strings.Index(hText, "now"), End: len(hText) + 50, Text: hostileImg},
					{Field: "text", Start: -5, End: 3, Text: "Cal"},
				}},
			},
		},
	}
	return []ad.Scored{high, medium, low, none, minor, hostile}
}
