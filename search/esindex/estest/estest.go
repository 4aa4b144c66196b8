// Package estest finds the real Elasticsearch that tests run against.
package estest

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// URL is the Elasticsearch the tests use: $ES_URL, or the one that
// `make es-up` starts.
func URL() string {
	if u := os.Getenv("ES_URL"); u != "" {
		return strings.TrimSuffix(u, "/")
	}
	return "http://127.0.0.1:9200"
}

var (
	once  sync.Once
	upErr error
)

// Need skips the test when no Elasticsearch answers at URL, or fails it when
// CI=true, where a missing Elasticsearch is a broken setup.
func Need(t testing.TB) {
	t.Helper()
	once.Do(func() {
		c := &http.Client{Timeout: 3 * time.Second}
		res, err := c.Get(URL() + "/_cluster/health")
		if err != nil {
			upErr = err
			return
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			upErr = fmt.Errorf("cluster health answered %s", res.Status)
		}
	})
	if upErr == nil {
		return
	}
	msg := fmt.Sprintf("no Elasticsearch at %s (%v): start it with make es-up, or set ES_URL", URL(), upErr)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
