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
