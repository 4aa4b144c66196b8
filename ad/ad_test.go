package ad

import (
	"encoding/json"
	"testing"
	"time"
)

func TestNewIDStable(t *testing.T) {
	a := NewID("sim-rosa", "https://x.example/ad/1")
	if a != NewID("sim-rosa", "https://x.example/ad/1") {
		t.Fatal("same site and URL gave different ids")
	}
	if a == NewID("sim-rosa", "https://x.example/ad/2") || a == NewID("sim-other", "https://x.example/ad/1") {
		t.Fatal("different ads share an id")
	}
}

func TestVersionIgnoresFetchTime(t *testing.T) {
	r := Raw{ID: "a", Site: "s", Text: "hello", FetchedAt: time.Unix(1, 0)}
	v := r.Version()
	r.FetchedAt = time.Unix(2, 0)
	if r.Version() != v {
		t.Fatal("fetch time changed the version")
	}
	r.Text = "hello!"
	if r.Version() == v {
		t.Fatal("changed text kept the version")
	}
}

func TestRawDecodesDevRecord(t *testing.T) {
	line := `{"id": "dev-0003", "site": "sim-nattelys", "url": "https://sim-nattelys.example/ad/77178", "category": "escort", "lang": "ro", "posted_at": "2026-09-01T16:00:00Z", "title": "Ramona", "text": "Ramona, 28", "name": "Ramona", "city": "Vejle", "age": 28, "price_text": "1200 kr / 1h", "languages": ["Romanian"], "labels": {"indicators": []}}`
	var r Raw
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatal(err)
	}
	if r.Age != 28 || r.City != "Vejle" || r.PostedAt.IsZero() || r.Languages[0] != "Romanian" {
		t.Fatalf("decoded %+v", r)
	}
}

func TestPriority(t *testing.T) {
	tests := []struct {
		a    Assessment
		want int
	}{
		{Assessment{AdRisk: 40, OrganisedActivity: 10}, 40},
		{Assessment{AdRisk: 10, OrganisedActivity: 70}, 70},
		{Assessment{AdRisk: 0, Flags: []string{FlagMinorCue}}, 1000},
	}
	for _, tt := range tests {
		if got := tt.a.Priority(); got != tt.want {
			t.Errorf("Priority(%+v) = %d, want %d", tt.a, got, tt.want)
		}
	}
}

func TestRevisionOrdersVersions(t *testing.T) {
	at := func(sec int64) time.Time { return time.Unix(1_790_000_000+sec, 0) }
	tests := []struct {
		name           string
		earlier, later Scored
	}{
		{"later scoring", Scored{ScoredAt: at(0)}, Scored{ScoredAt: at(1)}},
		{"a millisecond later", Scored{ScoredAt: at(0)}, Scored{ScoredAt: at(0).Add(time.Millisecond)}},
		{"higher link seq, earlier clock", Scored{ScoredAt: at(60), LinkSeq: 1}, Scored{ScoredAt: at(0), LinkSeq: 2}},
		{"linked after unlinked", Scored{ScoredAt: at(60)}, Scored{ScoredAt: at(0), LinkSeq: 1}},
		{"unscored before scored", Scored{}, Scored{ScoredAt: at(0)}},
		{"before 2000 clamps to zero", Scored{ScoredAt: time.Unix(0, 0)}, Scored{ScoredAt: time.Date(2000, 1, 1, 0, 0, 0, 1e6, time.UTC)}},
		{"huge link seq saturates, not wraps", Scored{LinkSeq: 1 << 20}, Scored{LinkSeq: 1 << 40}},
	}
	for _, tt := range tests {
		e, l := tt.earlier.Revision(), tt.later.Revision()
		if e >= l {
			t.Errorf("%s: revisions %d, %d: want the first below the second", tt.name, e, l)
		}
		if e < 0 || l < 0 {
			t.Errorf("%s: negative revision %d, %d", tt.name, e, l)
		}
	}
	far := Scored{ScoredAt: time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), LinkSeq: 1<<64 - 1}
	if r := far.Revision(); r < 0 {
		t.Errorf("revision of the far future = %d, want non-negative", r)
	}
	if (Scored{ScoredAt: at(5)}).Revision() != (Scored{ScoredAt: at(5)}).Revision() {
		t.Error("the same version has two revisions")
	}
}

func TestObservedAt(t *testing.T) {
	f, g := time.Unix(100, 0), time.Unix(200, 0)
	tests := []struct {
		r    Raw
		want time.Time
	}{
		{Raw{}, time.Time{}},
		{Raw{FetchedAt: f}, f},
		{Raw{FetchedAt: f, GoneAt: g}, g},
		{Raw{FetchedAt: g, GoneAt: f}, g},
	}
	for _, tt := range tests {
		if got := tt.r.ObservedAt(); !got.Equal(tt.want) {
			t.Errorf("ObservedAt(fetched %v, gone %v) = %v, want %v", tt.r.FetchedAt, tt.r.GoneAt, got, tt.want)
		}
	}
}

func TestNewIDShape(t *testing.T) {
	id := NewID("sim-rosa", "https://x.example/ad/1")
	if !IsNewID(id) {
		t.Errorf("IsNewID(%q) = false for an id NewID made", id)
	}
	for _, bad := range []string{"dev-0003", "ad-29750341", id + "x", "", "Sim-" + id[len("sim-rosa-"):]} {
		if IsNewID(bad) {
			t.Errorf("IsNewID(%q) = true", bad)
		}
	}
	text := "ads " + id + ", dev-0003 and " + NewID("sim-nattelys", "u") + "."
	var got []string
	for _, m := range NewIDsIn(text) {
		got = append(got, text[m[0]:m[1]])
	}
	if len(got) != 2 || got[0] != id {
		t.Errorf("NewIDsIn found %q", got)
	}
}
