package simulator

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strconv"
	"time"
)

// rosaPerPage is how many ads a sim-rosa listing page shows.
const rosaPerPage = 10

// rosaRobots keeps crawlers out of /admin/, which the footer links to so
// that a crawler which ignores robots.txt shows up in Hits.
const rosaRobots = "User-agent: *\nDisallow: /admin/\n"

// Rosa returns the handler of sim-rosa, Danish HTML classifieds:
//
//	GET /robots.txt        disallows /admin/
//	GET /annoncer?page=N   listing, 10 ads a page, newest first; page 1 by default;
//	                       a page past the end is 404, a page that is no number 400
//	GET /annonce/{n}       one ad; unknown n is 404
//	GET /admin/stats       "admin": disallowed by robots.txt, counted by Hits
//	GET /                  a front page linking to /annoncer
//
// A listing page has <ul class="ads"> of <li class="ad"><a class="ad-link"
// href="/annonce/{n}">title</a> <span class="city">city</span></li>, and
// <a class="next" rel="next" href="/annoncer?page={N+1}">Næste</a> when there is
// a next page. An ad page is an <article class="ad-detail"> with h1.title, a
// dl.fields of dd.name, dd.city, dd.age ("24 år"), dd.price, dd.phone (one
// per number), ul.languages li and dd.category, a div.description whose
// lines are separated by <br>, and time.posted with an RFC 3339 datetime
// attribute; a field the ad does not have is left out, dt and all. Every
// piece of ad content is HTML-escaped.
func (s *Simulator) Rosa() http.Handler { return s.rosa }

func (s *Simulator) rosaMux() http.Handler {
	ads := s.ads[SiteRosa]
	pages := max(1, (len(ads)+rosaPerPage-1)/rosaPerPage)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, r *http.Request) {
		writeText(w, rosaRobots)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		render(w, rosaFront, nil)
	})
	mux.HandleFunc("GET /admin/stats", func(w http.ResponseWriter, r *http.Request) {
		writeText(w, "admin")
	})
	mux.HandleFunc("GET /annoncer", func(w http.ResponseWriter, r *http.Request) {
		page, err := pageParam(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if page > pages {
			http.NotFound(w, r)
			return
		}
		var items []adView
		for _, a := range pageOf(ads, page, rosaPerPage) {
			items = append(items, a.view())
		}
		data := struct {
			Page, Prev, Next int
			Ads              []adView
		}{Page: page, Ads: items}
		if page > 1 {
			data.Prev = page - 1
		}
		if page < pages {
			data.Next = page + 1
		}
		render(w, rosaListing, data)
	})
	mux.HandleFunc("GET /annonce/{n}", func(w http.ResponseWriter, r *http.Request) {
		a := lookupAd(ads, r.PathValue("n"))
		if a == nil {
			http.NotFound(w, r)
			return
		}
		render(w, rosaDetail, a.view())
	})
	return mux
}

// pageOf returns page (1-based) of ads listed newest first, as classifieds
// list them: the highest n on page 1; none past the end.
func pageOf(ads []*adSpec, page, perPage int) []*adSpec {
	var out []*adSpec
	for i := len(ads) - 1 - (page-1)*perPage; i >= 0 && len(out) < perPage; i-- {
		out = append(out, ads[i])
	}
	return out
}

// pageParam reads ?page=N (default 1).
func pageParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("page %q is not a page number", v)
	}
	return n, nil
}

// lookupAd finds ad n; ads are numbered 1..len in order. Only the canonical
// spelling of n matches, so that every ad has one URL.
func lookupAd(ads []*adSpec, v string) *adSpec {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > len(ads) || strconv.Itoa(n) != v {
		return nil
	}
	return ads[n-1]
}

// adView is an ad as the templates see it.
type adView struct {
	URL, Title, Name, City, PriceText, Category string
	Age                                         int
	Phones, Languages, Lines                    []string
	Posted                                      time.Time
}

func (a *adSpec) view() adView {
	r := a.raw()
	return adView{
		URL: r.URL, Title: r.Title, Name: r.Name, City: r.City, PriceText: r.PriceText, Category: r.Category,
		Age: r.Age, Phones: r.Phones, Languages: r.Languages, Lines: a.lines, Posted: r.PostedAt,
	}
}

func writeText(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(s)) // a failed write means the client left
}

// render executes t into a buffer first, so that a template error is a 500
// rather than half a page.
func render(w http.ResponseWriter, t *template.Template, data any) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		http.Error(w, "template: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

var danishMonths = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"}

var funcs = template.FuncMap{
	// esc escapes only what HTML needs (<, >, &, ' and "), so that pages stay
	// readable ("+45", not html/template's "&#43;45"); it is used in text
	// and quoted-attribute contexts only, where that is enough.
	"esc":     func(s string) template.HTML { return template.HTML(html.EscapeString(s)) },
	"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"danishTime": func(t time.Time) string {
		t = t.UTC()
		return fmt.Sprintf("%d. %s %d kl. %s UTC", t.Day(), danishMonths[t.Month()-1], t.Year(), t.Format("15:04"))
	},
	"englishTime": func(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") },
}

// The templates are html/template, so every ad field is escaped for where
// it lands; hostile ads rely on that. Layout is kept on one line per
// element so that pages diff readably in golden files.
var (
	rosaFront = template.Must(template.New("front").Parse(`<!DOCTYPE html>
<html lang="da">
<head>
<meta charset="utf-8">
<title>Rosa – diskrete annoncer</title>
</head>
<body>
<h1>Rosa</h1>
<p><a href="/annoncer">Se alle annoncer</a></p>
<footer><a href="/admin/stats">admin</a></footer>
</body>
</html>
`))

	rosaListing = template.Must(template.New("listing").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="da">
<head>
<meta charset="utf-8">
<title>Annoncer – side {{.Page}} – Rosa</title>
</head>
<body>
<header><a href="/">Rosa</a></header>
<main>
<h1>Annoncer</h1>
<ul class="ads">
{{- range .Ads}}
<li class="ad"><a class="ad-link" href="{{.URL}}">{{esc .Title}}</a> <span class="city">{{esc .City}}</span></li>
{{- end}}
</ul>
<nav class="pages">
{{- if .Prev}}
<a class="prev" rel="prev" href="/annoncer?page={{.Prev}}">Forrige</a>
{{- end}}
{{- if .Next}}
<a class="next" rel="next" href="/annoncer?page={{.Next}}">Næste</a>
{{- end}}
</nav>
</main>
<footer><a href="/admin/stats">admin</a></footer>
</body>
</html>
`))

	rosaDetail = template.Must(template.New("detail").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="da">
<head>
<meta charset="utf-8">
<title>{{esc .Title}} – Rosa</title>
<link rel="canonical" href="{{.URL}}">
</head>
<body>
<header><a href="/">Rosa</a> · <a href="/annoncer">Alle annoncer</a></header>
<main>
<article class="ad-detail">
<h1 class="title">{{esc .Title}}</h1>
<dl class="fields">
{{- with .Name}}
<dt>Navn</dt><dd class="name">{{esc .}}</dd>
{{- end}}
{{- with .City}}
<dt>By</dt><dd class="city">{{esc .}}</dd>
{{- end}}
{{- with .Age}}
<dt>Alder</dt><dd class="age">{{.}} år</dd>
{{- end}}
{{- with .PriceText}}
<dt>Pris</dt><dd class="price">{{esc .}}</dd>
{{- end}}
{{- range .Phones}}
<dt>Telefon</dt><dd class="phone">{{esc .}}</dd>
{{- end}}
{{- with .Languages}}
<dt>Sprog</dt><dd><ul class="languages">{{range .}}<li>{{esc .}}</li>{{end}}</ul></dd>
{{- end}}
{{- with .Category}}
<dt>Kategori</dt><dd class="category">{{esc .}}</dd>
{{- end}}
</dl>
<div class="description">{{range $i, $line := .Lines}}{{if $i}}<br>{{end}}{{esc $line}}{{end}}</div>
<time class="posted" datetime="{{rfc3339 .Posted}}">{{danishTime .Posted}}</time>
</article>
</main>
<footer><a href="/admin/stats">admin</a></footer>
</body>
</html>
`))
)
