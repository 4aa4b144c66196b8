package search

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in      string
		want    Query
		wantErr string
	}{
		{in: "", want: Query{Sort: SortRisk, Page: 1, Size: DefaultSize}},
		{
			in:   "q=ny+i+byen&min_score=30&level=high,medium&indicator=obscured_contact&indicator=third_person_language&city=Odense&site=sim-rosa&sort=newest&page=2&size=50",
			want: Query{Text: "ny i byen", MinScore: 30, Levels: []string{"high", "medium"}, Indicators: []string{"obscured_contact", "third_person_language"}, City: "Odense", Site: "sim-rosa", Sort: SortNewest, Page: 2, Size: 50},
		},
		{in: "min_score=101", wantErr: `parameter "min_score": "101" is not a whole number from 0 to 100`},
		{in: "size=abc", wantErr: `parameter "size"`},
		{in: "page=0", wantErr: `parameter "page"`},
		{in: "level=severe", wantErr: `parameter "level": "severe" is not one of none, low, medium, high`},
		{in: "sort=random", wantErr: `parameter "sort": "random"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, _ := url.ParseQuery(tt.in)
			got, err := ParseQuery(v)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
			again, err := ParseQuery(got.Values())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("Values round trip gave %+v, %v", again, err)
			}
		})
	}
}

func TestParseQueryReportsEveryError(t *testing.T) {
	v, _ := url.ParseQuery("min_score=x&sort=y")
	_, err := ParseQuery(v)
	if err == nil || !strings.Contains(err.Error(), "min_score") || !strings.Contains(err.Error(), "sort") {
		t.Fatalf("error = %v, want both parameters named", err)
	}
}

func TestLatest(t *testing.T) {
	tests := []struct {
		ids  []string
		revs []int64
		want []int
	}{
		{nil, nil, nil},
		{[]string{"a", "b"}, []int64{1, 1}, []int{0, 1}},
		{[]string{"a", "a"}, []int64{1, 2}, []int{1}},
		{[]string{"a", "a"}, []int64{2, 1}, []int{0}},
		{[]string{"a", "a"}, []int64{5, 5}, []int{1}},
		{[]string{"a", "b", "a", "b", "a"}, []int64{1, 9, 3, 2, 2}, []int{2, 1}},
	}
	for _, tt := range tests {
		if got := Latest(tt.ids, tt.revs); !slices.Equal(got, tt.want) {
			t.Errorf("Latest(%q, %v) = %v, want %v", tt.ids, tt.revs, got, tt.want)
		}
	}
}

func TestWindow(t *testing.T) {
	tests := []struct {
		q          Query
		from, size int
		ok         bool
	}{
		{Query{}, 0, DefaultSize, true},
		{Query{Page: 3, Size: 7}, 14, 7, true},
		{Query{Page: MaxPage, Size: MaxSize}, (MaxPage - 1) * MaxSize, MaxSize, true},
		{Query{Page: -1}, 0, 0, false},
		{Query{Page: MaxPage + 1}, 0, 0, false},
		{Query{Size: MaxSize + 1}, 0, 0, false},
		{Query{Size: -5}, 0, 0, false},
	}
	for _, tt := range tests {
		from, size, err := tt.q.Window()
		if (err == nil) != tt.ok || from != tt.from || size != tt.size {
			t.Errorf("%+v.Window() = %d, %d, %v; want %d, %d, ok %v", tt.q, from, size, err, tt.from, tt.size, tt.ok)
		}
	}
}
