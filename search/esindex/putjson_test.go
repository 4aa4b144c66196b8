package esindex

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/adwatch/adwatch/search/searchtest"
)

// TestDocumentFromJSON: the document built from an ad's JSON is the one
// built from the ad, byte for byte, and its revision is the ad's.
func TestDocumentFromJSON(t *testing.T) {
	for i, a := range searchtest.Corpus() {
		a.LinkSeq = uint64(i % 3)
		want, err := document(a)
		if err != nil {
			t.Fatal(err)
		}
		src, _ := json.Marshal(a)
		got, rev, err := documentFromJSON(src)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("ad %s: documentFromJSON = %s, %v\nwant %s", a.ID, got, err, want)
		}
		if rev != a.Revision() {
			t.Errorf("ad %s: revision %d, want %d", a.ID, rev, a.Revision())
		}
	}
	for _, bad := range []string{"", "[]", "{", `{"ad_risk":"high"}`} {
		if _, _, err := documentFromJSON([]byte(bad)); err == nil {
			t.Errorf("documentFromJSON(%q) accepted", bad)
		}
	}
}

func TestPutJSON(t *testing.T) {
	s := openTest(t, Options{})
	ads := searchtest.Corpus()[:5]
	var ids []string
	var docs [][]byte
	for _, a := range ads {
		b, _ := json.Marshal(a)
		ids, docs = append(ids, a.ID), append(docs, b)
	}
	if err := s.PutJSON(context.Background(), ids, docs); err != nil {
		t.Fatal(err)
	}
	for _, a := range ads {
		got, err := s.Get(context.Background(), a.ID)
		if err != nil || !reflect.DeepEqual(got, a) {
			t.Fatalf("Get(%s) after PutJSON = %+v, %v", a.ID, got, err)
		}
	}
	if err := s.PutJSON(context.Background(), ids[:1], nil); err == nil {
		t.Fatal("mismatched ids and documents accepted")
	}
}
