package esindex

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/adwatch/adwatch/search"
	"github.com/adwatch/adwatch/search/searchtest"
)

// TestRebuild fills a new index while searches still see the old one, then
// swaps the alias: afterwards only the rebuilt content is there.
func TestRebuild(t *testing.T) {
	s := openTest(t, Options{})
	ctx := context.Background()
	corpus := searchtest.Corpus()
	if err := s.Put(ctx, corpus[:10]); err != nil {
		t.Fatal(err)
	}
	old := s.writeIndex
	index, err := Rebuild(ctx, Options{Addresses: []string{esURL()}, Index: s.alias}, func(w *Store) error {
		var ids []string
		var docs [][]byte
		for _, a := range corpus[5:] {
			b, _ := json.Marshal(a)
			ids, docs = append(ids, a.ID), append(docs, b)
		}
		if err := w.PutJSON(ctx, ids, docs); err != nil {
			return err
		}
		// Mid-rebuild, searches still answer from the old index.
		if n, err := s.Count(ctx); err != nil || n != 10 {
			t.Errorf("during the rebuild the alias counts %d (%v), want the old 10", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(index, s.alias+"-v") || index == old {
		t.Fatalf("rebuilt into %q", index)
	}
	res, err := s.Search(ctx, search.Query{Page: 1, Size: 100, Sort: search.SortRisk})
	if err != nil || res.Total != len(corpus)-5 {
		t.Fatalf("after the rebuild: %d ads (%v), want %d", res.Total, err, len(corpus)-5)
	}
	if code, _ := esCall(t, http.MethodGet, "/"+old, nil); code != http.StatusNotFound {
		t.Errorf("old index %s still there (%d)", old, code)
	}
	// The store keeps writing through the alias, now into the new index.
	if err := s.Put(ctx, corpus[:1]); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { esCall(t, http.MethodDelete, "/"+index, nil) })

	// A failing fill leaves everything as it was.
	_, err = Rebuild(ctx, Options{Addresses: []string{esURL()}, Index: s.alias}, func(*Store) error { return context.Canceled })
	if err == nil {
		t.Fatal("failed fill reported success")
	}
	if n, _ := s.Count(ctx); n != len(corpus)-4 {
		t.Fatalf("after a failed rebuild the alias counts %d, want %d", n, len(corpus)-4)
	}
}
