package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/adwatch/adwatch/ad"
)

func TestNattelysPagination(t *testing.T) {
	tests := []struct {
		ads       int
		wantPages int
	}{
		{40, 2},
		{41, 3},
		{20, 1},
		{5, 1},
		{-1, 1}, // no ads: one empty page
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.ads), func(t *testing.T) {
			s := New(Options{Seed: 3, NattelysAds: tt.ads})
			base := serve(t, s)[SiteNattelys]
			seen := map[string]bool{}
			for page := 1; page <= tt.wantPages+1; page++ {
				p := getAPIPage(t, fmt.Sprintf("%s/api/v1/ads?page=%d", base, page))
				if p.Page != page || p.TotalPages != tt.wantPages {
					t.Errorf("page %d says page %d of %d, want of %d", page, p.Page, p.TotalPages, tt.wantPages)
				}
				switch {
				case page > tt.wantPages && len(p.Ads) != 0:
					t.Errorf("page %d past the end has %d ads", page, len(p.Ads))
				case page < tt.wantPages && len(p.Ads) != nattelysPerPage:
					t.Errorf("page %d has %d ads, want %d", page, len(p.Ads), nattelysPerPage)
				}
				for _, a := range p.Ads {
					seen[a.URL] = true
				}
			}
			if len(seen) != len(s.Ads(SiteNattelys)) {
				t.Errorf("API pages hold %d distinct ads, want %d", len(seen), len(s.Ads(SiteNattelys)))
			}
			// An empty page is an empty array, never null.
			r := get(t, fmt.Sprintf("%s/api/v1/ads?page=%d", base, tt.wantPages+1))
			if !bytes.Contains(r.body, []byte(`"ads":[]`)) {
				t.Errorf("page past the end: %s", r.body)
			}
			a, b := get(t, base+"/api/v1/ads"), get(t, base+"/api/v1/ads?page=1")
			if !bytes.Equal(a.body, b.body) {
				t.Error("/api/v1/ads and /api/v1/ads?page=1 differ")
			}
		})
	}
}

func getAPIPage(t *testing.T, url string) apiPage {
	t.Helper()
	r := get(t, url)
	if r.status != http.StatusOK || r.ctype != "application/json; charset=utf-8" {
		t.Fatalf("%s: %d %q", url, r.status, r.ctype)
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	var p apiPage
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return p
}

func TestNattelysStatus(t *testing.T) {
	s := New(Options{Seed: 1})
	base := serve(t, s)[SiteNattelys]
	tests := []struct {
		path  string
		want  int
		ctype string
	}{
		{"/", 200, "text/html; charset=utf-8"},
		{"/api/v1/ads", 200, "application/json; charset=utf-8"},
		{"/api/v1/ads?page=99", 200, "application/json; charset=utf-8"},
		{"/api/v1/ads?page=0", 400, "application/json; charset=utf-8"},
		{"/api/v1/ads?page=x", 400, "application/json; charset=utf-8"},
		{"/ads/1", 200, "text/html; charset=utf-8"},
		{"/ads/40", 200, "text/html; charset=utf-8"},
		{"/ads/41", 404, ""},
		{"/ads/0", 404, ""},
		{"/ads/x", 404, ""},
		{"/api/v1/nope", 404, ""},
		{"/annonce/1", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := get(t, base+tt.path)
			if r.status != tt.want || (tt.ctype != "" && r.ctype != tt.ctype) {
				t.Errorf("got %d %q, want %d %q", r.status, r.ctype, tt.want, tt.ctype)
			}
		})
	}
}

// TestNattelysExtraction reads the API as configs/sites/sim-nattelys.yaml
// maps it and checks that it gives exactly Ads().
func TestNattelysExtraction(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			s := New(Options{Seed: seed})
			base := serve(t, s)[SiteNattelys]
			got := map[string]ad.Raw{}
			for page := 1; ; page++ {
				r := get(t, fmt.Sprintf("%s/api/v1/ads?page=%d", base, page))
				if bytes.Contains(bytes.ToLower(r.body), []byte("<script")) {
					t.Errorf("API page %d carries a raw <script", page)
				}
				var doc map[string]any
				if err := json.Unmarshal(r.body, &doc); err != nil {
					t.Fatal(err)
				}
				for _, it := range doc["ads"].([]any) {
					a := fromJSON(t, it.(map[string]any))
					got[a.URL] = a
				}
				if float64(page) >= doc["total_pages"].(float64) {
					break
				}
			}
			for _, want := range s.Ads(SiteNattelys) {
				if g := got[want.URL]; !reflect.DeepEqual(g, want) {
					gj, _ := json.MarshalIndent(g, "", "  ")
					wj, _ := json.MarshalIndent(want, "", "  ")
					t.Errorf("%s: extracted\n%s\nwant\n%s", want.URL, gj, wj)
				}
				page := get(t, base+want.URL)
				if !bytes.Contains(page.body, []byte(`<link rel="canonical" href="`+want.URL+`">`)) {
					t.Errorf("%s: no canonical link to itself", want.URL)
				}
				if got := textOf(findAll(parseHTML(t, page.body), "div", "body")[0]); got != want.Text {
					t.Errorf("%s: HTML page text %q, want %q", want.URL, got, want.Text)
				}
			}
		})
	}
}

// fromJSON maps one API ad the way the site config does.
func fromJSON(t *testing.T, m map[string]any) ad.Raw {
	t.Helper()
	str := func(v any) string { s, _ := v.(string); return s }
	strs := func(v any) []string {
		var out []string
		for _, e := range asSlice(v) {
			out = append(out, e.(string))
		}
		return out
	}
	obj := func(k string) map[string]any { o, _ := m[k].(map[string]any); return o }
	r := ad.Raw{
		Site:      SiteNattelys,
		URL:       str(m["url"]),
		Title:     str(m["title"]),
		Text:      str(m["body"]),
		Category:  str(m["category"]),
		Name:      str(obj("profile")["name"]),
		City:      str(obj("profile")["city"]),
		Languages: strs(obj("profile")["languages"]),
		Phones:    strs(obj("contact")["phones"]),
		PriceText: str(obj("rates")["hour"]),
	}
	if age, ok := obj("profile")["age"].(float64); ok {
		r.Age = int(age)
	}
	p, err := time.Parse(time.RFC3339, str(m["created_at"]))
	if err != nil {
		t.Errorf("%s created_at: %v", r.URL, err)
	}
	r.PostedAt = p.UTC()
	if id := str(m["id"]); !strings.HasPrefix(id, "nl-") {
		t.Errorf("%s: id %q", r.URL, id)
	}
	// Optional objects are left out, never present and empty.
	for _, k := range []string{"profile", "contact", "rates"} {
		if o, ok := m[k]; ok && len(o.(map[string]any)) == 0 {
			t.Errorf("%s: empty %q object", r.URL, k)
		}
	}
	return r
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func TestNattelysGolden(t *testing.T) {
	s := New(Options{Seed: 1})
	base := serve(t, s)[SiteNattelys]
	golden(t, "sim-nattelys-api-2.json", get(t, base+"/api/v1/ads?page=2").body)
	for _, a := range s.Ads(SiteNattelys) {
		if strings.Contains(a.Title, "<script>") {
			golden(t, "sim-nattelys-hostile.html", get(t, base+a.URL).body)
		}
	}
}

// FuzzPageParam: no query makes either site fail or answer off-contract.
func FuzzPageParam(f *testing.F) {
	for _, q := range []string{"page=1", "page=0", "page=-3", "page=abc", "page=1&page=2", "page=%00", "page=99999999999999999999", ""} {
		f.Add(q)
	}
	s := New(Options{Seed: 1, RosaAds: 15, NattelysAds: 25})
	f.Fuzz(func(t *testing.T, q string) {
		for _, tt := range []struct {
			h    http.Handler
			path string
		}{{s.Rosa(), "/annoncer"}, {s.Nattelys(), "/api/v1/ads"}} {
			req := httptest.NewRequest(http.MethodGet, "http://sim.test"+tt.path, nil)
			req.URL.RawQuery = q
			w := httptest.NewRecorder()
			tt.h.ServeHTTP(w, req)
			switch w.Code {
			case http.StatusOK, http.StatusBadRequest, http.StatusNotFound:
			default:
				t.Fatalf("%s?%s: status %d", tt.path, q, w.Code)
			}
			if tt.path == "/api/v1/ads" && !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%s?%s: not JSON: %s", tt.path, q, w.Body)
			}
		}
	})
}
