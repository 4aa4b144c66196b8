package crawler

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"

	"github.com/adwatch/adwatch/simulator"
)

// FuzzImageHash: any bytes give a hash or an error, never a panic or an
// unbounded decode.
func FuzzImageHash(f *testing.F) {
	var b bytes.Buffer
	png.Encode(&b, simulator.TestPicture(0))
	f.Add(b.Bytes())
	f.Add([]byte("GIF89a\x01\x00\x01\x00"))
	f.Add([]byte("\xff\xd8\xff\xe0"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ImageHash(data)
		if err == nil && len(h) != 16 {
			t.Fatalf("hash %q", h)
		}
	})
}

// FuzzExtract runs every rule of the shipped HTML config, JSON-LD included,
// over arbitrary pages.
func FuzzExtract(f *testing.F) {
	f.Add([]byte(`<article class="ad-detail"><h1 class="title">x</h1><dl class="fields"><dd class="age">24 år</dd></dl></article>`))
	f.Add([]byte(`<script type="application/ld+json">{"@graph":[{"@type":"Person","name":"a","address":{"addressLocality":["b",{"x":1}]}}]}</script>`))
	f.Add([]byte(`<div><p>a<br>b</div></p><table><td>c`))
	s, err := LoadSite("../configs/sites/sim-rosa.yaml")
	if err != nil {
		f.Fatal(err)
	}
	rules := s.HTML.Fields
	rules["city"] = FieldRule{JSONLD: "address.addressLocality", Selector: "dd.city", sel: rules["city"].sel, Multiple: true}
	f.Fuzz(func(t *testing.T, page []byte) {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
		if err != nil {
			return // too deep: reported as a parse error by the crawl
		}
		ld := parseJSONLD(doc.Selection)
		for _, name := range sortedKeys(rules) {
			for _, v := range rules[name].extract(doc.Selection, ld, "") {
				if v != strings.TrimSpace(v) || v == "" {
					t.Fatalf("%s: untrimmed or empty value %q", name, v)
				}
			}
		}
	})
}

// FuzzToUTF8: whatever the bytes and the declared charset, text comes out
// as valid UTF-8.
func FuzzToUTF8(f *testing.F) {
	f.Add([]byte("P\xe6ne"), "text/html; charset=iso-8859-1")
	f.Add([]byte(`<meta charset="windows-1252">`+"\x80"), "text/html")
	f.Add([]byte("\xff\xfe\x00<"), "")
	f.Add([]byte(`{"a":"\xff"}`), "application/json; charset=utf-16")
	f.Fuzz(func(t *testing.T, data []byte, ctype string) {
		fe := &fetcher{ctx: context.Background()}
		h := http.Header{"Content-Type": {ctype}}
		out := fe.toUTF8(data, h)
		if textualType(ctype) && !utf8.Valid(out) {
			t.Fatalf("invalid UTF-8 out of %q", ctype)
		}
	})
}

func textualType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return textual(strings.TrimSpace(strings.ToLower(mt)))
}
