package bleveindex

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/search"
)

func openTest(t testing.TB, dir string) *Index {
	t.Helper()
	ix, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	return ix
}

func put(t testing.TB, ix *Index, ads ...ad.Scored) {
	t.Helper()
	if err := ix.Put(context.Background(), ads); err != nil {
		t.Fatal(err)
	}
}

func day(d int) time.Time { return time.Date(2026, 9, d, 12, 0, 0, 0, time.UTC) }

func scored(id, site, city, level string, risk, org int, indicators ...string) ad.Scored {
	s := ad.Scored{
		Raw:        ad.Raw{ID: id, Site: site, URL: "https://" + site + ".example/ad/" + id, City: city},
		Assessment: ad.Assessment{AdRisk: risk, OrganisedActivity: org, Level: level},
	}
	for _, ind := range indicators {
		s.Indicators = append(s.Indicators, ad.Indicator{ID: ind, Contribution: 10})
	}
	return s
}

// fixture is six ads chosen so that every order has a tie its next key
// breaks. Priorities: a1 80, a2 70, a3 1020 (minor_cue), a4 0, a5 80, a6 80.
func fixture() []ad.Scored {
	a1 := scored("a1", "sim-rosa", "Aarhus", ad.LevelHigh, 80, 20, "third_person_language", "obscured_contact")
	a1.Title, a1.Text, a1.PostedAt = "Nye piger i byen", "Søde pigerne venter på dig", day(3)

	a2 := scored("a2", "sim-rosa", "aarhus", ad.LevelMedium, 50, 70, "obscured_contact")
	a2.Title, a2.Text = "New girls", "Young girl from abroad, the best in the city"
	a2.PostedAt, a2.FetchedAt = day(1), day(10) // posted_at wins over a later fetch

	a3 := scored("a3", "sim-nattelys", "København", ad.LevelLow, 20, 10, "minor_age_cue")
	a3.Title, a3.Text, a3.FetchedAt = "Massage", "Ung pige", day(2)
	a3.Flags = []string{ad.FlagMinorCue}

	a4 := scored("a4", "sim-jobnu", "Odense", ad.LevelNone, 0, 0)
	a4.Title, a4.Text = "Chauffør søges", "Fast kontrakt, løn efter overenskomst" // no dates at all

	a5 := scored("a5", "sim-jobnu", "AARHUS", ad.LevelHigh, 80, 0, "fl_wage_withholding", "obscured_contact")
	a5.Title, a5.Text, a5.PostedAt = "Høsthjælp", "Løn udbetales ved sæsonens afslutning", day(2)

	a6 := scored("a6", "sim-rosa", "Aarhus", ad.LevelMedium, 40, 80, "third_person_language")
	a6.Title, a6.Text, a6.PostedAt = "Hot girls", "New in town", time.Date(2026, 8, 30, 0, 0, 0, 0, time.UTC)

	return []ad.Scored{a1, a2, a3, a4, a5, a6}
}

func ids(ads []ad.Scored) []string {
	out := make([]string, len(ads))
	for i, s := range ads {
		out[i] = s.ID
	}
	return out
}

func TestSearchFiltersAndText(t *testing.T) {
	ix := openTest(t, t.TempDir())
	put(t, ix, fixture()...)

	tests := []struct {
		name string
		q    search.Query
		want []string // in risk order
	}{
		{"empty query matches all", search.Query{}, []string{"a3", "a1", "a5", "a6", "a2", "a4"}},
		{"blank text matches all", search.Query{Text: "  "}, []string{"a3", "a1", "a5", "a6", "a2", "a4"}},
		// a3 is escalated by minor_cue but its score is 20.
		{"min score on the higher score", search.Query{MinScore: 70}, []string{"a1", "a5", "a6", "a2"}},
		{"min score is inclusive", search.Query{MinScore: 80}, []string{"a1", "a5", "a6"}},
		{"levels any of", search.Query{Levels: []string{ad.LevelHigh, ad.LevelLow}}, []string{"a3", "a1", "a5"}},
		{"level matched exactly", search.Query{Levels: []string{"High"}}, []string{}},
		{"one indicator", search.Query{Indicators: []string{"obscured_contact"}}, []string{"a1", "a5", "a2"}},
		{"indicators all of", search.Query{Indicators: []string{"obscured_contact", "third_person_language"}}, []string{"a1"}},
		{"city ignores case", search.Query{City: "aarhus"}, []string{"a1", "a5", "a6", "a2"}},
		{"city ignores case upper", search.Query{City: "AARHUS"}, []string{"a1", "a5", "a6", "a2"}},
		{"city non-ASCII", search.Query{City: "københavn"}, []string{"a3"}},
		{"city is whole", search.Query{City: "Aarh"}, []string{}},
		{"site exact", search.Query{Site: "sim-rosa"}, []string{"a1", "a6", "a2"}},
		{"site is case-sensitive", search.Query{Site: "SIM-ROSA"}, []string{}},
		{"filters combine", search.Query{Site: "sim-rosa", MinScore: 75, City: "aarhus"}, []string{"a1", "a6"}},
		{"danish stem piger", search.Query{Text: "piger"}, []string{"a3", "a1"}},
		{"danish stem pigerne", search.Query{Text: "pigerne"}, []string{"a3", "a1"}},
		{"danish stop word dropped", search.Query{Text: "piger i byen"}, []string{"a1"}},
		{"danish ø", search.Query{Text: "søde"}, []string{"a1"}},
		{"english stem girls", search.Query{Text: "girls"}, []string{"a6", "a2"}},
		{"english stem girl", search.Query{Text: "girl"}, []string{"a6", "a2"}},
		{"english stop words dropped", search.Query{Text: "the girls in the city"}, []string{"a2"}},
		{"all words must appear", search.Query{Text: "girls abroad"}, []string{"a2"}},
		{"words may be split over title and text", search.Query{Text: "massage pige"}, []string{"a3"}},
		{"a missing word excludes", search.Query{Text: "massage abroad"}, []string{}},
		{"text is case-insensitive", search.Query{Text: "MASSAGE"}, []string{"a3"}},
		{"text and filter", search.Query{Text: "girls", Levels: []string{ad.LevelMedium}, MinScore: 75}, []string{"a6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res.Hits); !slices.Equal(got, tt.want) {
				t.Fatalf("hits = %q, want %q", got, tt.want)
			}
			if res.Total != len(tt.want) {
				t.Fatalf("total = %d, want %d", res.Total, len(tt.want))
			}
		})
	}
}

func TestSearchSort(t *testing.T) {
	ix := openTest(t, t.TempDir())
	put(t, ix, fixture()...)

	tests := []struct {
		sort string
		want []string
	}{
		// a3 escalated; a1 and a5 tie on priority and ad_risk, so id; a6 has
		// priority 80 too but a lower ad_risk.
		{"", []string{"a3", "a1", "a5", "a6", "a2", "a4"}},
		{search.SortRisk, []string{"a3", "a1", "a5", "a6", "a2", "a4"}},
		// a3 (fetched day 2) and a5 (posted day 2) tie, so id; a2's later
		// fetch does not count; a4 has no date and comes last.
		{search.SortNewest, []string{"a1", "a3", "a5", "a2", "a6", "a4"}},
		// a4 and a5 tie on organised_activity 0; a5 has the higher priority.
		{search.SortOrganised, []string{"a6", "a2", "a1", "a3", "a5", "a4"}},
	}
	for _, tt := range tests {
		t.Run("sort="+tt.sort, func(t *testing.T) {
			res, err := ix.Search(context.Background(), search.Query{Sort: tt.sort})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res.Hits); !slices.Equal(got, tt.want) {
				t.Fatalf("hits = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSearchPaging(t *testing.T) {
	ix := openTest(t, t.TempDir())
	put(t, ix, fixture()...)
	all := []string{"a3", "a1", "a5", "a6", "a2", "a4"}

	tests := []struct {
		page, size int
		want       []string
	}{
		{1, 2, all[0:2]},
		{2, 2, all[2:4]},
		{3, 2, all[4:6]},
		{4, 2, []string{}},
		{2, 4, all[4:6]},
		{0, 0, all}, // zero: page 1, default size
		{1, 1, all[:1]},
		{search.MaxPage, search.MaxSize, []string{}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("page=%d,size=%d", tt.page, tt.size), func(t *testing.T) {
			res, err := ix.Search(context.Background(), search.Query{Page: tt.page, Size: tt.size})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res.Hits); !slices.Equal(got, tt.want) {
				t.Fatalf("hits = %q, want %q", got, tt.want)
			}
			if res.Total != len(all) {
				t.Fatalf("total = %d, want %d", res.Total, len(all))
			}
		})
	}
}

func TestSearchRejectsBadQuery(t *testing.T) {
	ix := openTest(t, t.TempDir())
	tests := []struct {
		q       search.Query
		wantErr string
	}{
		{search.Query{Page: -1}, "page -1"},
		{search.Query{Page: search.MaxPage + 1}, "page 501"},
		{search.Query{Size: -5}, "size -5"},
		{search.Query{Size: search.MaxSize + 1}, "size 101"},
		{search.Query{Sort: "random"}, `sort "random"`},
	}
	for _, tt := range tests {
		t.Run(tt.wantErr, func(t *testing.T) {
			_, err := ix.Search(context.Background(), tt.q)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

// fc makes facet counts from value, count pairs.
func fc(pairs ...any) []search.FacetCount {
	out := []search.FacetCount{}
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, search.FacetCount{Value: pairs[i].(string), Count: pairs[i+1].(int)})
	}
	return out
}

func TestSearchFacets(t *testing.T) {
	ix := openTest(t, t.TempDir())
	put(t, ix, fixture()...)

	type facets = map[string][]search.FacetCount
	tests := []struct {
		name string
		q    search.Query
		want facets
	}{
		{
			name: "all ads",
			q:    search.Query{},
			want: facets{
				"level": fc("high", 2, "medium", 2, "low", 1, "none", 1),
				"site":  fc("sim-rosa", 3, "sim-jobnu", 2, "sim-nattelys", 1),
				// Aarhus, aarhus and AARHUS are one city, shown as most ads spell it.
				"city":      fc("Aarhus", 4, "København", 1, "Odense", 1),
				"indicator": fc("obscured_contact", 3, "third_person_language", 2, "fl_wage_withholding", 1, "minor_age_cue", 1),
			},
		},
		{
			name: "counts every match, not the page",
			q:    search.Query{Site: "sim-rosa", Size: 1},
			want: facets{
				"level":     fc("medium", 2, "high", 1),
				"site":      fc("sim-rosa", 3),
				"city":      fc("Aarhus", 3),
				"indicator": fc("obscured_contact", 2, "third_person_language", 2),
			},
		},
		{
			name: "no match keeps every key",
			q:    search.Query{Text: "nothingmatchesthis"},
			want: facets{"level": fc(), "site": fc(), "city": fc(), "indicator": fc()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.Facets, tt.want) {
				t.Fatalf("facets =\n%v\nwant\n%v", res.Facets, tt.want)
			}
		})
	}
}

func TestSearchFacetTiesAndCap(t *testing.T) {
	ix := openTest(t, t.TempDir())
	var ads []ad.Scored
	// 60 cities, city i held by i%3+1 ads; two spellings of "Tie" tie on count.
	for i := range 60 {
		for j := range i%3 + 1 {
			ads = append(ads, scored(fmt.Sprintf("c%02d-%d", i, j), "s", fmt.Sprintf("City%02d", i), ad.LevelLow, 1, 0))
		}
	}
	ads = append(ads, scored("t1", "s", "tie", ad.LevelLow, 1, 0), scored("t2", "s", "Tie", ad.LevelLow, 1, 0))
	put(t, ix, ads...)

	res, err := ix.Search(context.Background(), search.Query{})
	if err != nil {
		t.Fatal(err)
	}
	city := res.Facets["city"]
	if len(city) != 50 {
		t.Fatalf("city facet has %d values, want the cap of 50", len(city))
	}
	// 20 cities have 3 ads, then 21 have 2 (20 and "Tie", spelt "Tie" as
	// the least in byte order of its tied spellings), then the 1s.
	if city[0] != (search.FacetCount{Value: "City02", Count: 3}) || city[19] != (search.FacetCount{Value: "City59", Count: 3}) {
		t.Fatalf("first and 20th city = %v, %v", city[0], city[19])
	}
	if city[20] != (search.FacetCount{Value: "City01", Count: 2}) || city[40] != (search.FacetCount{Value: "Tie", Count: 2}) {
		t.Fatalf("21st and 41st city = %v, %v", city[20], city[40])
	}
	if city[41] != (search.FacetCount{Value: "City00", Count: 1}) {
		t.Fatalf("42nd city = %v", city[41])
	}
}

func TestResultJSONShape(t *testing.T) {
	ix := openTest(t, t.TempDir())
	res, err := ix.Search(context.Background(), search.Query{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"total":0,"hits":[],"facets":{"city":[],"indicator":[],"level":[],"site":[]}}`
	if string(b) != want {
		t.Fatalf("empty result JSON = %s\nwant %s", b, want)
	}
}

func TestPutOverwritesByID(t *testing.T) {
	ctx := context.Background()
	v1 := scored("x1", "sim-rosa", "Odense", ad.LevelLow, 10, 0, "obscured_contact")
	v1.Title = "Gammel annonce"
	v2 := scored("x1", "sim-rosa", "Aalborg", ad.LevelHigh, 90, 0, "third_person_language")
	v2.Title = "Ny annonce"

	tests := []struct {
		name    string
		batches [][]ad.Scored
	}{
		{"two puts", [][]ad.Scored{{v1}, {v2}}},
		{"one put, last wins", [][]ad.Scored{{v1, v2}}},
		{"same version again", [][]ad.Scored{{v2}, {v2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := openTest(t, t.TempDir())
			for _, b := range tt.batches {
				put(t, ix, b...)
			}
			if n, err := ix.Count(ctx); err != nil || n != 1 {
				t.Fatalf("count = %d, %v; want 1", n, err)
			}
			got, err := ix.Get(ctx, "x1")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, v2) {
				t.Fatalf("got %+v, want the latest version %+v", got, v2)
			}
			// The old version's fields must be gone from the index, not only the source.
			for _, q := range []search.Query{{City: "odense"}, {Indicators: []string{"obscured_contact"}}, {Text: "gammel"}, {Levels: []string{ad.LevelLow}}} {
				res, err := ix.Search(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if res.Total != 0 {
					t.Fatalf("query %+v found the overwritten version", q)
				}
			}
			res, err := ix.Search(ctx, search.Query{Text: "ny", City: "AALBORG"})
			if err != nil || res.Total != 1 {
				t.Fatalf("latest version not found: %+v, %v", res, err)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	ix := openTest(t, t.TempDir())
	want := ad.Scored{
		Raw: ad.Raw{
			ID: "sim-rosa-0123456789abcdef", Site: "sim-rosa", URL: "https://sim-rosa.example/ad/1",
			Category: "escort", Lang: "da", PostedAt: time.Date(2026, 9, 1, 9, 0, 0, 123456789, time.UTC),
			Title: "Ny pige – kun få dage", Text: "Hun taler ikke dansk.\nRing 29 75 03 41 \u00e6\u00f8\u00e5 <script>",
			Name: "Ramona", City: "Aarhus C", Age: 19, PriceText: "1000 kr / time",
			Phones: []string{"29 75 03 41"}, Languages: []string{"ro", "en"},
			FetchedAt: time.Date(2026, 9, 2, 10, 30, 0, 0, time.UTC),
		},
		Assessment: ad.Assessment{
			AdRisk: 72, OrganisedActivity: 35, Level: ad.LevelHigh,
			Flags: []string{ad.FlagHealthOutreach}, Contacts: []string{"+4529750341"},
			Indicators: []ad.Indicator{
				{ID: "third_person_language", Family: "control", Contribution: 22.5, Evidence: []ad.Evidence{
					{Field: "text", Start: 0, End: 3, Text: "Hun"},
					{Field: "text", Start: 4, End: 21, Text: "taler ikke dansk"},
				}},
				{ID: "new_in_town", Contribution: 8, Evidence: []ad.Evidence{{Field: "title", Start: 0, End: 7, Text: "Ny pige"}}},
			},
			RulesVersion: "2026-09-01.1",
		},
		ScoredAt: time.Date(2026, 9, 2, 10, 30, 1, 0, time.UTC),
	}
	put(t, ix, want)

	got, err := ix.Get(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Get =\n%+v\nwant\n%+v", got, want)
	}
	res, err := ix.Search(ctx, search.Query{Text: "dansk"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || !reflect.DeepEqual(res.Hits[0], want) {
		t.Fatalf("search hit =\n%+v\nwant\n%+v", res.Hits, want)
	}
}

func TestGetNotFound(t *testing.T) {
	ix := openTest(t, t.TempDir())
	put(t, ix, fixture()...)
	for _, id := range []string{"nope", "", "a"} {
		t.Run(id, func(t *testing.T) {
			if _, err := ix.Get(context.Background(), id); !errors.Is(err, search.ErrNotFound) {
				t.Fatalf("Get(%q) error = %v, want search.ErrNotFound", id, err)
			}
		})
	}
}

func TestPutRejects(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		ads     []ad.Scored
		wantErr string
	}{
		{"an ad without id", ctx, []ad.Scored{fixture()[0], {}}, "ad 2 of 2 has no id"},
		{"a cancelled context", cancelled, fixture(), "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := openTest(t, t.TempDir())
			err := ix.Put(tt.ctx, tt.ads)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
			if n, _ := ix.Count(ctx); n != 0 {
				t.Fatalf("count = %d after a rejected put, want 0", n)
			}
		})
	}
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data", "index") // parents created too
	ix, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	put(t, ix, fixture()...)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}

	ix = openTest(t, dir)
	if n, err := ix.Count(ctx); err != nil || n != len(fixture()) {
		t.Fatalf("count after reopen = %d, %v; want %d", n, err, len(fixture()))
	}
	got, err := ix.Get(ctx, "a1")
	if err != nil || !reflect.DeepEqual(got, fixture()[0]) {
		t.Fatalf("Get after reopen = %+v, %v", got, err)
	}
	res, err := ix.Search(ctx, search.Query{Text: "piger", City: "aarhus"})
	if err != nil || !slices.Equal(ids(res.Hits), []string{"a1"}) {
		t.Fatalf("search after reopen = %q, %v", ids(res.Hits), err)
	}
	// Writes after a reopen overwrite what was there before it.
	changed := fixture()[0]
	changed.AdRisk = 5
	put(t, ix, changed)
	if n, _ := ix.Count(ctx); n != len(fixture()) {
		t.Fatalf("count after overwrite = %d", n)
	}
}

// TestCrash kills (SIGKILL) a process that is putting batches and reopens
// its index: every batch whose Put had returned must be there, and no batch
// may be there in part.
func TestCrash(t *testing.T) {
	const batch = 50
	if dir := os.Getenv("BLEVEINDEX_CRASH_DIR"); dir != "" {
		ix, err := Open(dir, nil)
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(1)
		}
		for n := 1; ; n++ {
			ads := make([]ad.Scored, batch)
			for i := range ads {
				ads[i] = genAd(n*batch + i)
			}
			if err := ix.Put(context.Background(), ads); err != nil {
				fmt.Println("put:", err)
				os.Exit(1)
			}
			fmt.Println("put", n)
		}
	}

	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrash$")
	cmd.Env = append(os.Environ(), "BLEVEINDEX_CRASH_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const killAfter = 10
	lines := bufio.NewScanner(out)
	returned := 0
	for returned < killAfter && lines.Scan() {
		if _, err := fmt.Sscanf(lines.Text(), "put %d", &returned); err != nil {
			_ = cmd.Process.Kill()
			t.Fatalf("child said %q", lines.Text())
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if returned < killAfter {
		t.Fatalf("child stopped after %d puts", returned)
	}

	ix := openTest(t, dir)
	n, err := ix.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n < returned*batch || n%batch != 0 {
		t.Fatalf("after a crash %d ads are stored; want a whole number of batches of %d, at least %d", n, batch, returned*batch)
	}
	t.Logf("%d puts had returned; %d batches survived", returned, n/batch)
	want := genAd(returned*batch + batch - 1)
	if got, err := ix.Get(context.Background(), want.ID); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("last returned ad = %+v, %v", got, err)
	}
}

func TestOpen(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string)
		wantErr string
	}{
		{"missing directory", func(t *testing.T, dir string) {}, ""},
		{"empty directory", func(t *testing.T, dir string) {
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"leftover of a crashed create", func(t *testing.T, dir string) {
			tmp := filepath.Join(dir, "bleve.creating")
			if err := os.MkdirAll(filepath.Join(tmp, "store"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(tmp, "index_meta.json"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"directory with other files", func(t *testing.T, dir string) {
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"incomplete index", func(t *testing.T, dir string) {
			if err := os.MkdirAll(filepath.Join(dir, "bleve", "store"), 0o700); err != nil {
				t.Fatal(err)
			}
		}, "not a complete index"},
		{"index with another mapping", func(t *testing.T, dir string) {
			bi, err := bleve.New(filepath.Join(dir, "bleve"), bleve.NewIndexMapping())
			if err != nil {
				t.Fatal(err)
			}
			if err := bi.Close(); err != nil {
				t.Fatal(err)
			}
		}, "different mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "index")
			tt.prepare(t, dir)
			ix, err := Open(dir, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			put(t, ix, fixture()...)
			if n, _ := ix.Count(context.Background()); n != len(fixture()) {
				t.Fatalf("count = %d", n)
			}
			if _, err := os.Stat(filepath.Join(dir, "bleve.creating")); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("temporary directory left behind: %v", err)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "notes.txt")); tt.name == "directory with other files" && string(b) != "mine" {
				t.Fatalf("Open touched a file of others: %q, %v", b, err)
			}
		})
	}
}

// genAd makes the i-th of a deterministic, varied set of ads.
func genAd(i int) ad.Scored {
	cities := []string{"København", "Aarhus", "Odense", "Aalborg", "Esbjerg", "Randers", "Kolding", "Vejle"}
	sites := []string{"sim-rosa", "sim-nattelys", "sim-jobnu"}
	levels := []string{ad.LevelNone, ad.LevelLow, ad.LevelMedium, ad.LevelHigh}
	inds := []string{"third_person_language", "obscured_contact", "new_in_town", "fl_wage_withholding", "fl_excessive_hours", "shared_phone"}
	words := []string{"ny", "pige", "piger", "søde", "massage", "diskret", "girls", "new", "in", "town", "young", "sweet", "hotel", "besøg", "kun", "få", "dage", "løn", "arbejde", "bolig"}
	w := func(k, n int) string {
		var b strings.Builder
		for j := range n {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[(i*7+k*13+j*31)%len(words)])
		}
		return b.String()
	}
	s := scored(fmt.Sprintf("gen-%06d", i), sites[i%len(sites)], cities[i%len(cities)], levels[i%len(levels)], (i*37)%101, (i*53)%101)
	s.Title, s.Text = w(1, 5), w(2, 40)
	s.PostedAt = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	for k := range i % 4 {
		id := inds[(i+k)%len(inds)]
		s.Indicators = append(s.Indicators, ad.Indicator{ID: id, Contribution: 10, Evidence: []ad.Evidence{{Field: "text", Start: 0, End: 3, Text: "abc"}}})
	}
	if i%97 == 0 {
		s.Flags = []string{ad.FlagMinorCue}
	}
	return s
}

func TestPutManyInBatches(t *testing.T) {
	ctx := context.Background()
	ix := openTest(t, t.TempDir())
	const n, batch = 1000, 100
	var all []ad.Scored
	for i := range n {
		all = append(all, genAd(i))
	}
	for start := 0; start < n; start += batch {
		put(t, ix, all[start:start+batch]...)
	}
	if got, err := ix.Count(ctx); err != nil || got != n {
		t.Fatalf("count = %d, %v; want %d", got, err, n)
	}
	// All again in one Put: every ad overwrites itself.
	put(t, ix, all...)
	if got, _ := ix.Count(ctx); got != n {
		t.Fatalf("count after putting all again = %d, want %d", got, n)
	}
	res, err := ix.Search(ctx, search.Query{Size: search.MaxSize, Page: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != n || len(res.Hits) != search.MaxSize {
		t.Fatalf("total %d, %d hits on the last page", res.Total, len(res.Hits))
	}
	sum := 0
	for _, f := range res.Facets["level"] {
		sum += f.Count
	}
	if sum != n {
		t.Fatalf("level facet counts %d ads, want %d", sum, n)
	}
	for _, id := range []int{0, 499, 999} {
		got, err := ix.Get(ctx, genAd(id).ID)
		if err != nil || !reflect.DeepEqual(got, genAd(id)) {
			t.Fatalf("Get(%d) = %+v, %v", id, got, err)
		}
	}
}

// TestConcurrentUse is for the race detector: puts, searches and gets at once.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	ix := openTest(t, t.TempDir())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for b := range 5 {
				var ads []ad.Scored
				for i := range 20 {
					ads = append(ads, genAd(w*1000+b*20+i))
				}
				if err := ix.Put(ctx, ads); err != nil {
					t.Error(err)
					return
				}
				if _, err := ix.Search(ctx, search.Query{Text: "piger", Sort: search.SortNewest}); err != nil {
					t.Error(err)
					return
				}
				if _, err := ix.Get(ctx, ads[0].ID); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n, _ := ix.Count(ctx); n != 4*5*20 {
		t.Fatalf("count = %d, want %d", n, 4*5*20)
	}
}

func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	for _, batch := range []int{1, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			ix := openTest(b, b.TempDir())
			ads := make([]ad.Scored, batch)
			n := 0
			for b.Loop() {
				for i := range ads {
					ads[i] = genAd(n)
					n++
				}
				if err := ix.Put(ctx, ads); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ads/s")
		})
	}
}

func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	ix := openTest(b, b.TempDir())
	const n = 20000
	ads := make([]ad.Scored, 0, 1000)
	for i := range n {
		ads = append(ads, genAd(i))
		if len(ads) == cap(ads) {
			put(b, ix, ads...)
			ads = ads[:0]
		}
	}
	queries := []struct {
		name string
		q    search.Query
	}{
		{"all", search.Query{}},
		{"text", search.Query{Text: "søde piger"}},
		{"filtered", search.Query{MinScore: 50, Levels: []string{ad.LevelHigh, ad.LevelMedium}, City: "odense"}},
		{"text+filters+newest", search.Query{Text: "girls", Indicators: []string{"obscured_contact"}, Sort: search.SortNewest}},
		{"deep page", search.Query{Page: 50, Size: 100}},
	}
	for _, tt := range queries {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := ix.Search(ctx, tt.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestSortKeyOrdersDescending(t *testing.T) {
	tests := []struct {
		hi, lo []int64 // hi must sort first
	}{
		{[]int64{1}, []int64{0}},
		{[]int64{0}, []int64{-1}},
		{[]int64{1020}, []int64{100}},
		{[]int64{math.MaxInt64}, []int64{math.MinInt64}},
		{[]int64{1_790_000_000_000}, []int64{1_780_000_000_000}},
		{[]int64{80, 80}, []int64{80, 40}},
		{[]int64{81, 0}, []int64{80, 100}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.hi, tt.lo), func(t *testing.T) {
			hi, lo := sortKey(tt.hi...), sortKey(tt.lo...)
			if hi >= lo {
				t.Fatalf("sortKey(%v) = %s, not before sortKey(%v) = %s", tt.hi, hi, tt.lo, lo)
			}
			if lo >= sortKeyMissing {
				t.Fatalf("sortKey(%v) = %s sorts after a missing key", tt.lo, lo)
			}
		})
	}
}

func TestOpenHeldIndex(t *testing.T) {
	saved := openConfig
	openConfig = map[string]any{"bolt_timeout": "100ms"}
	t.Cleanup(func() { openConfig = saved })

	dir := t.TempDir()
	openTest(t, dir)
	ix, err := Open(dir, nil)
	if err == nil {
		_ = ix.Close()
		t.Fatal("a second Open of a held index succeeded")
	}
	if !strings.Contains(err.Error(), "another process") {
		t.Fatalf("error = %v, want it to say the index is held", err)
	}
}

// FuzzSearch feeds what a user types (q and city reach Search unchanged from
// the URL) to a real index: any text must give a result of the stable shape,
// never an error or a panic.
func FuzzSearch(f *testing.F) {
	for _, seed := range [][2]string{
		{"piger", "Aarhus"}, {"the girls in the city", ""}, {"og", "KØBENHAVN"},
		{"", ""}, {"\xff\xfe", "\x00"}, {`"+-*?~^:()[]{}\`, "ǅ"}, {"e-mail 29 75 03 41", "İstanbul"},
	} {
		f.Add(seed[0], seed[1])
	}
	ix := openTest(f, f.TempDir())
	put(f, ix, fixture()...)
	f.Fuzz(func(t *testing.T, text, city string) {
		res, err := ix.Search(context.Background(), search.Query{Text: text, City: city})
		if err != nil {
			t.Fatal(err)
		}
		if res.Hits == nil || len(res.Facets) != len(search.FacetNames) || res.Total < len(res.Hits) {
			t.Fatalf("result of unstable shape: %+v", res)
		}
	})
}
