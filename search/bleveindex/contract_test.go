package bleveindex_test

import (
	"testing"

	"github.com/adwatch/adwatch/search/bleveindex"
	"github.com/adwatch/adwatch/search/searchtest"
)

// TestContract runs the contract every store of scored ads must pass, so
// that the embedded index and Elasticsearch answer alike.
func TestContract(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) searchtest.Store {
		ix, err := bleveindex.Open(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ix.Close() })
		return ix
	})
}
