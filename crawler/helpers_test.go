package crawler

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func textOfHTML(t *testing.T, s string) string {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return textOf(doc.Find("div").First())
}
