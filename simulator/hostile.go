package simulator

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"html"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HostileOptions configure a Hostile site. The zero value is ready to use.
type HostileOptions struct {
	// DisallowAll makes robots.txt disallow everything ("Disallow: /").
	DisallowAll bool
	// HugeBytes is the size of /huge/ad (default 8 MiB), sent in chunks
	// without ever being held in memory.
	HugeBytes int64
	// BombBytes is what /bomb/ad decompresses to (default 1 GiB); it is
	// sent gzip-compressed, about a thousandth of that, whether or not the
	// client asked for gzip.
	BombBytes int64
	// Drip is the pause between two bytes of /slow/ad (default 100ms).
	Drip time.Duration
}

// Hostile is a site that misbehaves in every way a crawler must survive,
// one small listing per misbehaviour so that a site config can point at
// each. Every listing and ad page uses the same markup: a listing is
// <ul class="ads"> of <li class="ad"><a class="ad-link" href=...>, with
// <a class="next" rel="next"> to a next page; an ad page has h1.title and
// div.description, and the good ones a <link rel="canonical">.
//
//	GET /robots.txt          disallows /admin/ (or everything, DisallowAll)
//	GET /malformed/list      broken markup: unclosed and stray tags, unquoted
//	                         attributes, 300 nested divs, a link in a comment;
//	                         links /malformed/ad/1..3, which are broken too but
//	                         keep their h1.title and div.description, and
//	                         /malformed/deep, 5000 nested divs (more than an
//	                         HTML parser holds)
//	GET /huge/list           links /huge/ad (HugeBytes of HTML) and /ok/1
//	GET /bomb/list           links /bomb/ad (a gzip bomb) and /ok/2
//	GET /redirect/list       links /redirect/loop-a (→ loop-b → loop-a ...),
//	                         /redirect/away (→ the same port under another host
//	                         name, /away-target), /redirect/chain/0 (→ 1 → ... →
//	                         20) and /redirect/ok (→ /ok/3, followed)
//	GET /trap/list?page=N    pages for ever, each with one new ad /trap/ad/N
//	GET /clamp/list?page=N   answers every N > 3 with page 3, as many sites do
//	GET /slow/list           links /slow/ad (headers, then one byte per Drip,
//	                         never ending), /stall/ad (no answer at all until
//	                         the client leaves) and /ok/4
//	GET /storm/list          links /storm/ad/1..40, which all answer 500
//	GET /ratelimit/list      links /ratelimit/ad/1..3: each answers 429 with
//	                         Retry-After: 1 the first time, then the ad
//	GET /ratelimit/forever   503 with Retry-After: 3600, always
//	GET /charset/list        links /charset/invalid (invalid UTF-8 declared as
//	                         UTF-8), /charset/latin1-header (ISO-8859-1 in
//	                         Content-Type), /charset/cp1252-meta (Windows-1252
//	                         in a <meta> only) and /charset/undeclared
//	                         (Windows-1252, declared nowhere)
//	GET /jsonld/list         links /jsonld/ad/1 and /jsonld/ad/2: fields in
//	                         JSON-LD only (an @graph; a top-level array)
//	GET /images/list         links /images/ad: <img> of /img/a.png, /img/a.jpg
//	                         (the same picture), /img/b.gif (another one),
//	                         /img/huge.png (over 64 MiB), /img/bomb.png (a
//	                         100000×100000 header) and /img/not.png (text)
//	GET /ok/{n}              a good ad
//	GET /admin/stats         disallowed by robots.txt
//
// Every path's requests are counted (Hits).
type Hostile struct {
	opts HostileOptions
	mux  *http.ServeMux

	mu   sync.Mutex
	hits map[string]int

	bombOnce sync.Once
	bomb     []byte // one gzip member of 1 MiB of zeros
}

// OkTitle is the title of the good ad /ok/{n} of a Hostile site.
func OkTitle(n int) string { return fmt.Sprintf("Good ad %d", n) }

// NewHostile returns a hostile site.
func NewHostile(opts HostileOptions) *Hostile {
	if opts.HugeBytes == 0 {
		opts.HugeBytes = 8 << 20
	}
	if opts.BombBytes == 0 {
		opts.BombBytes = 1 << 30
	}
	if opts.Drip == 0 {
		opts.Drip = 100 * time.Millisecond
	}
	h := &Hostile{opts: opts, mux: http.NewServeMux(), hits: map[string]int{}}
	h.routes()
	return h
}

// ServeHTTP implements http.Handler.
func (h *Hostile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.hits[r.URL.Path]++
	h.mu.Unlock()
	h.mux.ServeHTTP(w, r)
}

// Hits returns how many requests path (query ignored) got.
func (h *Hostile) Hits(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[path]
}

// HitsPrefix returns how many requests paths starting with prefix got.
func (h *Hostile) HitsPrefix(prefix string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for p, c := range h.hits {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

func listing(w http.ResponseWriter, next string, links ...string) {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Listing</title></head><body>\n<ul class=\"ads\">\n")
	for _, l := range links {
		fmt.Fprintf(&b, "<li class=\"ad\"><a class=\"ad-link\" href=\"%s\">%s</a></li>\n", html.EscapeString(l), html.EscapeString(l))
	}
	b.WriteString("</ul>\n")
	if next != "" {
		fmt.Fprintf(&b, "<a class=\"next\" rel=\"next\" href=\"%s\">Next</a>\n", html.EscapeString(next))
	}
	b.WriteString("<footer><a href=\"/admin/stats\">admin</a></footer>\n</body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

func adPage(canonical, title, text string) []byte {
	return []byte(fmt.Sprintf("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%[2]s</title><link rel=\"canonical\" href=\"%[1]s\"></head>\n<body><article><h1 class=\"title\">%[2]s</h1>\n<div class=\"description\">%[3]s</div></article></body></html>\n",
		html.EscapeString(canonical), html.EscapeString(title), html.EscapeString(text)))
}

func writeHTML(w http.ResponseWriter, ctype string, body []byte) {
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(body)
}

func (h *Hostile) routes() {
	m := h.mux
	m.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, r *http.Request) {
		if h.opts.DisallowAll {
			writeText(w, "User-agent: *\nDisallow: /\n")
			return
		}
		writeText(w, "User-agent: *\nDisallow: /admin/\n")
	})
	m.HandleFunc("GET /admin/stats", func(w http.ResponseWriter, r *http.Request) { writeText(w, "admin") })
	m.HandleFunc("GET /away-target", func(w http.ResponseWriter, r *http.Request) { writeText(w, "you should not be here") })
	m.HandleFunc("GET /ok/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 1 {
			http.NotFound(w, r)
			return
		}
		writeHTML(w, "text/html; charset=utf-8", adPage(r.URL.Path, OkTitle(n), "A good ad among bad ones."))
	})

	// Malformed markup.
	m.HandleFunc("GET /malformed/list", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString("<html><head><title>broken</title><body><div><ul class=ads>\n")
		b.WriteString("<li class=ad><a class=ad-link href=/malformed/ad/1>one<li class=ad><a class=ad-link href='/malformed/ad/2'>two</b></i></span>\n")
		b.WriteString("<!-- <li class=ad><a class=ad-link href=/malformed/commented>hidden</a> -->\n")
		b.WriteString(strings.Repeat("<div>", 300))
		b.WriteString("<li class=ad><a class=ad-link href=\"/malformed/ad/3\">three</a><li class=ad><a class=ad-link href=/malformed/deep>deep</a>")
		b.WriteString("</table></td></tr></form></p></p></html></html><<<>>>&&&;&#xFFFFFFFF;&bogus;")
		writeHTML(w, "text/html; charset=utf-8", []byte(b.String()))
	})
	m.HandleFunc("GET /malformed/deep", func(w http.ResponseWriter, r *http.Request) {
		writeHTML(w, "text/html; charset=utf-8", []byte("<html><body><h1 class=title>Deep</h1>"+strings.Repeat("<div>", 5000)+"</body></html>"))
	})
	m.HandleFunc("GET /malformed/ad/{n}", func(w http.ResponseWriter, r *http.Request) {
		n := r.PathValue("n")
		body := "<html><head><link rel=canonical href=/malformed/ad/" + n + "><body><article><h1 class=title>Broken " + n +
			"</h3><div class=description>line one<br>line two<p>para<td>cell</article></body><script>document.write('<h1 class=title>injected</h1>')"
		writeHTML(w, "text/html; charset=utf-8", []byte(body))
	})

	// Size: a page over any sane cap, sent without holding it in memory.
	m.HandleFunc("GET /huge/list", func(w http.ResponseWriter, r *http.Request) { listing(w, "", "/huge/ad", "/ok/1") })
	m.HandleFunc("GET /huge/ad", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		chunk := []byte(strings.Repeat("<p>padding padding padding padding</p>\n", 256))
		_, _ = w.Write([]byte("<html><body><h1 class=\"title\">Huge</h1><div class=\"description\">"))
		for sent := int64(0); sent < h.opts.HugeBytes; sent += int64(len(chunk)) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte("</div></body></html>"))
	})

	// A gzip bomb: concatenated gzip members of 1 MiB of zeros each.
	m.HandleFunc("GET /bomb/list", func(w http.ResponseWriter, r *http.Request) { listing(w, "", "/bomb/ad", "/ok/2") })
	m.HandleFunc("GET /bomb/ad", func(w http.ResponseWriter, r *http.Request) {
		member := h.bombMember()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		for sent := int64(0); sent < h.opts.BombBytes; sent += 1 << 20 {
			if _, err := w.Write(member); err != nil {
				return
			}
		}
	})

	// Redirects.
	m.HandleFunc("GET /redirect/list", func(w http.ResponseWriter, r *http.Request) {
		listing(w, "", "/redirect/loop-a", "/redirect/away", "/redirect/chain/0", "/redirect/ok")
	})
	m.HandleFunc("GET /redirect/loop-a", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/redirect/loop-b", http.StatusFound)
	})
	m.HandleFunc("GET /redirect/loop-b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/redirect/loop-a", http.StatusFound)
	})
	m.HandleFunc("GET /redirect/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n >= 20 {
			writeHTML(w, "text/html; charset=utf-8", adPage(r.URL.Path, "End of a long chain", "x"))
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/redirect/chain/%d", n+1), http.StatusFound)
	})
	m.HandleFunc("GET /redirect/away", func(w http.ResponseWriter, r *http.Request) {
		// Another host name for the same loopback server: leaving the site
		// must be refused by the crawler's rules, not by the network.
		host, port := r.Host, ""
		if i := strings.LastIndexByte(host, ':'); i >= 0 {
			host, port = host[:i], host[i:]
		}
		other := "localhost"
		if host == "localhost" {
			other = "127.0.0.1"
		}
		http.Redirect(w, r, "http://"+other+port+"/away-target", http.StatusFound)
	})
	m.HandleFunc("GET /redirect/ok", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok/3", http.StatusMovedPermanently)
	})

	// Pagination traps.
	m.HandleFunc("GET /trap/list", func(w http.ResponseWriter, r *http.Request) {
		n, err := pageParam(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		listing(w, fmt.Sprintf("/trap/list?page=%d", n+1), fmt.Sprintf("/trap/ad/%d", n))
	})
	m.HandleFunc("GET /trap/ad/{n}", func(w http.ResponseWriter, r *http.Request) {
		writeHTML(w, "text/html; charset=utf-8", adPage(r.URL.Path, "Trap ad "+r.PathValue("n"), "x"))
	})
	m.HandleFunc("GET /clamp/list", func(w http.ResponseWriter, r *http.Request) {
		n, err := pageParam(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n = min(n, 3)
		listing(w, "", fmt.Sprintf("/clamp/ad/%d", 2*n-1), fmt.Sprintf("/clamp/ad/%d", 2*n))
	})
	m.HandleFunc("GET /clamp/ad/{n}", func(w http.ResponseWriter, r *http.Request) {
		writeHTML(w, "text/html; charset=utf-8", adPage(r.URL.Path, "Clamp ad "+r.PathValue("n"), "x"))
	})

	// Slow servers.
	m.HandleFunc("GET /slow/list", func(w http.ResponseWriter, r *http.Request) { listing(w, "", "/slow/ad", "/stall/ad", "/ok/4") })
	m.HandleFunc("GET /slow/ad", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		fl, _ := w.(http.Flusher)
		t := time.NewTicker(h.opts.Drip)
		defer t.Stop()
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			case <-t.C:
			}
		}
	})
	m.HandleFunc("GET /stall/ad", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})

	// A 5xx storm.
	m.HandleFunc("GET /storm/list", func(w http.ResponseWriter, r *http.Request) {
		var links []string
		for i := 1; i <= 40; i++ {
			links = append(links, fmt.Sprintf("/storm/ad/%d", i))
		}
		listing(w, "", links...)
	})
	m.HandleFunc("GET /storm/ad/{n}", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "internal server error", http.StatusInternalServerError)
	})

	// Rate limiting.
	m.HandleFunc("GET /ratelimit/list", func(w http.ResponseWriter, r *http.Request) {
		listing(w, "", "/ratelimit/ad/1", "/ratelimit/ad/2", "/ratelimit/ad/3")
	})
	m.HandleFunc("GET /ratelimit/ad/{n}", func(w http.ResponseWriter, r *http.Request) {
		if h.Hits(r.URL.Path) == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		writeHTML(w, "text/html; charset=utf-8", adPage(r.URL.Path, "Patient ad "+r.PathValue("n"), "x"))
	})
	m.HandleFunc("GET /ratelimit/forever", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "come back in an hour", http.StatusServiceUnavailable)
	})

	// Character sets.
	m.HandleFunc("GET /charset/list", func(w http.ResponseWriter, r *http.Request) {
		listing(w, "", "/charset/invalid", "/charset/latin1-header", "/charset/cp1252-meta", "/charset/undeclared")
	})
	m.HandleFunc("GET /charset/invalid", func(w http.ResponseWriter, r *http.Request) {
		body := adPage(r.URL.Path, "Bad bytes here", "before")
		body = bytes.Replace(body, []byte("Bad bytes here"), []byte("Bad \xff\xfe bytes \xc3\x28 here \xed\xa0\x80"), 2)
		writeHTML(w, "text/html; charset=utf-8", body)
	})
	m.HandleFunc("GET /charset/latin1-header", func(w http.ResponseWriter, r *http.Request) {
		body := bytes.Replace(adPage(r.URL.Path, "TITLE", "TEXT"), []byte(`<meta charset="utf-8">`), nil, 1)
		body = bytes.ReplaceAll(body, []byte("TITLE"), Latin1Title)
		body = bytes.ReplaceAll(body, []byte("TEXT"), []byte("S\xf8de piger"))
		writeHTML(w, "text/html; charset=ISO-8859-1", body)
	})
	m.HandleFunc("GET /charset/cp1252-meta", func(w http.ResponseWriter, r *http.Request) {
		body := bytes.Replace(adPage(r.URL.Path, "TITLE", "TEXT"), []byte(`<meta charset="utf-8">`), []byte(`<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">`), 1)
		body = bytes.ReplaceAll(body, []byte("TITLE"), CP1252Title)
		body = bytes.ReplaceAll(body, []byte("TEXT"), []byte("\x93quoted\x94"))
		writeHTML(w, "text/html", body)
	})
	m.HandleFunc("GET /charset/undeclared", func(w http.ResponseWriter, r *http.Request) {
		body := bytes.Replace(adPage(r.URL.Path, "TITLE", "TEXT"), []byte(`<meta charset="utf-8">`), nil, 1)
		body = bytes.ReplaceAll(body, []byte("TITLE"), Latin1Title)
		body = bytes.ReplaceAll(body, []byte("TEXT"), []byte("x"))
		writeHTML(w, "text/html", body)
	})

	// JSON-LD.
	m.HandleFunc("GET /jsonld/list", func(w http.ResponseWriter, r *http.Request) { listing(w, "", "/jsonld/ad/1", "/jsonld/ad/2") })
	m.HandleFunc("GET /jsonld/ad/1", func(w http.ResponseWriter, r *http.Request) {
		writeHTML(w, "text/html; charset=utf-8", []byte(`<!DOCTYPE html><html><head><link rel="canonical" href="/jsonld/ad/1">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"BreadcrumbList","name":"Home"},
 {"@type":"Person","name":"Mira","address":{"@type":"PostalAddress","addressLocality":"Odense"},"telephone":["+45 12 34 56 78","+45 87 65 43 21"],"knowsLanguage":["da","en"]},
 {"@type":"Offer","name":"Mira in Odense","description":"New in town.\nCall me.","price":"1200","priceCurrency":"DKK","datePosted":"2026-11-01T10:00:00Z"}]}
</script><script type="application/ld+json">{ this is not json</script></head><body><p>Nothing in the markup.</p></body></html>`))
	})
	m.HandleFunc("GET /jsonld/ad/2", func(w http.ResponseWriter, r *http.Request) {
		writeHTML(w, "text/html; charset=utf-8", []byte(`<!DOCTYPE html><html><head><link rel="canonical" href="/jsonld/ad/2">
<script type="application/ld+json">[{"@type":"Person","name":"Lina","address":{"addressLocality":"Aarhus"}},{"@type":"Offer","name":"Lina","description":"Hello"}]</script>
</head><body><h1 class="title">Markup title</h1></body></html>`))
	})

	// Images.
	m.HandleFunc("GET /images/list", func(w http.ResponseWriter, r *http.Request) { listing(w, "", "/images/ad") })
	m.HandleFunc("GET /images/ad", func(w http.ResponseWriter, r *http.Request) {
		writeHTML(w, "text/html; charset=utf-8", []byte(`<!DOCTYPE html><html><head><link rel="canonical" href="/images/ad"></head><body>
<h1 class="title">Pictures</h1><div class="gallery">
<img src="/img/a.png"><img src="img/../../img/a.jpg"><img src="/img/b.gif"><img src="/img/huge.png"><img src="/img/bomb.png"><img src="/img/not.png">
</div></body></html>`))
	})
	m.HandleFunc("GET /img/{name}", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("name") {
		case "a.png":
			w.Header().Set("Content-Type", "image/png")
			_ = png.Encode(w, TestPicture(0))
		case "a.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			_ = jpeg.Encode(w, TestPicture(0), &jpeg.Options{Quality: 70})
		case "b.gif":
			w.Header().Set("Content-Type", "image/gif")
			_ = gif.Encode(w, TestPicture(1), nil)
		case "huge.png":
			w.Header().Set("Content-Type", "image/png")
			chunk := make([]byte, 1<<20)
			for range 65 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "bomb.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(pngHeader(100000, 100000))
		case "not.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write([]byte("<html>not an image</html>"))
		default:
			http.NotFound(w, r)
		}
	})
}

// The titles of the character-set pages, in the page's encoding; decoded
// correctly they read "Pæne piger i Århus" and "Café – 25 år – 500 €".
var (
	Latin1Title = []byte("P\xe6ne piger i \xc5rhus")
	CP1252Title = []byte("Caf\xe9 \x96 25 \xe5r \x96 500 \x80")
)

// bombMember returns one gzip member holding 1 MiB of zeros (about 1 KiB);
// members concatenated are one valid gzip stream.
func (h *Hostile) bombMember() []byte {
	h.bombOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = zw.Write(make([]byte, 1<<20))
		_ = zw.Close()
		h.bomb = b.Bytes()
	})
	return h.bomb
}

// TestPicture returns one of two distinct deterministic 64×48 pictures
// (n even or odd): gradients with shapes, so that perceptual hashes of the
// two differ a lot and of one picture in two formats little.
func TestPicture(n int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			var c color.RGBA
			if n%2 == 0 {
				c = color.RGBA{uint8(x * 4), uint8(y * 5), 128, 255}
				if (x-20)*(x-20)+(y-24)*(y-24) < 100 {
					c = color.RGBA{250, 250, 250, 255}
				}
			} else {
				c = color.RGBA{uint8(255 - x*4), uint8(255 - x*3), uint8(y * 5), 255}
				if x > 40 && y < 20 {
					c = color.RGBA{10, 10, 10, 255}
				}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// pngHeader returns the start of a PNG whose header declares w×h pixels.
func pngHeader(w, h int) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := []byte{0, 0, 0, 13, 'I', 'H', 'D', 'R',
		byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w),
		byte(h >> 24), byte(h >> 16), byte(h >> 8), byte(h),
		8, 2, 0, 0, 0}
	b.Write(ihdr)
	crc := crc32.ChecksumIEEE(ihdr[4:])
	b.Write([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	return b.Bytes()
}
