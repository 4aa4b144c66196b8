package simulator

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"time"
)

// nattelysPerPage is how many ads a sim-nattelys API page holds.
const nattelysPerPage = 20

const nattelysRobots = "User-agent: *\nAllow: /\n"

// Nattelys returns the handler of sim-nattelys, an English site read
// through a paged JSON API:
//
//	GET /robots.txt          allows everything
//	GET /api/v1/ads?page=N   20 ads a page, newest first; page 1 by default; a page
//	                         past the end has "ads":[], a page that is no number is 400
//	GET /ads/{n}             the ad as a plain HTML page (the canonical URL); unknown n is 404
//	GET /                    a front page pointing to the API
//
// An API page is {"page":N,"total_pages":T,"ads":[...]}, each ad
// {"id","url","title","body","created_at","category","profile":{"name","age",
// "city","languages"},"contact":{"phones"},"rates":{"hour"}}: body lines are
// separated by "\n", created_at is RFC 3339 in UTC, and a field the ad does
// not have is left out (profile, contact and rates too when empty). JSON
// escapes <, > and & as \u003c, \u003e and \u0026; decoded, they are literal.
func (s *Simulator) Nattelys() http.Handler { return s.nattelys }

type apiPage struct {
	Page       int     `json:"page"`
	TotalPages int     `json:"total_pages"`
	Ads        []apiAd `json:"ads"`
}

type apiAd struct {
	ID        string      `json:"id"`
	URL       string      `json:"url"`
	Title     string      `json:"title"`
	Body      string      `json:"body"`
	CreatedAt string      `json:"created_at"`
	Category  string      `json:"category"`
	Profile   *apiProfile `json:"profile,omitempty"`
	Contact   *apiContact `json:"contact,omitempty"`
	Rates     *apiRates   `json:"rates,omitempty"`
}

type apiProfile struct {
	Name      string   `json:"name,omitempty"`
	Age       int      `json:"age,omitempty"`
	City      string   `json:"city,omitempty"`
	Languages []string `json:"languages,omitempty"`
}

type apiContact struct {
	Phones []string `json:"phones"`
}

type apiRates struct {
	Hour string `json:"hour"`
}

func (a *adSpec) api() apiAd {
	r := a.raw()
	out := apiAd{
		ID:        fmt.Sprintf("nl-%05d", a.n),
		URL:       r.URL,
		Title:     r.Title,
		Body:      r.Text,
		CreatedAt: r.PostedAt.UTC().Format(time.RFC3339),
		Category:  r.Category,
	}
	if p := (apiProfile{Name: r.Name, Age: r.Age, City: r.City, Languages: r.Languages}); p.Name != "" || p.Age != 0 || p.City != "" || len(p.Languages) > 0 {
		out.Profile = &p
	}
	if len(r.Phones) > 0 {
		out.Contact = &apiContact{Phones: r.Phones}
	}
	if r.PriceText != "" {
		out.Rates = &apiRates{Hour: r.PriceText}
	}
	return out
}

func (s *Simulator) nattelysMux() http.Handler {
	ads := s.ads[SiteNattelys]
	pages := max(1, (len(ads)+nattelysPerPage-1)/nattelysPerPage)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, r *http.Request) {
		writeText(w, nattelysRobots)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		render(w, nattelysFront, nil)
	})
	mux.HandleFunc("GET /api/v1/ads", func(w http.ResponseWriter, r *http.Request) {
		page, err := pageParam(r)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		out := apiPage{Page: page, TotalPages: pages, Ads: []apiAd{}}
		for _, a := range pageOf(ads, page, nattelysPerPage) {
			out.Ads = append(out.Ads, a.api())
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("GET /ads/{n}", func(w http.ResponseWriter, r *http.Request) {
		a := lookupAd(ads, r.PathValue("n"))
		if a == nil {
			http.NotFound(w, r)
			return
		}
		render(w, nattelysDetail, a.view())
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "json: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n')) // a failed write means the client left
}

var (
	nattelysFront = template.Must(template.New("front").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Nattelys</title>
</head>
<body>
<h1>Nattelys</h1>
<p>Ads are served by the API: <a href="/api/v1/ads?page=1">/api/v1/ads?page=1</a></p>
</body>
</html>
`))

	nattelysDetail = template.Must(template.New("detail").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{esc .Title}} – Nattelys</title>
<link rel="canonical" href="{{.URL}}">
</head>
<body>
<article class="ad">
<h1>{{esc .Title}}</h1>
<p class="profile">{{esc .Name}}{{with .Age}}, {{.}}{{end}}{{with .City}}, {{esc .}}{{end}}</p>
<div class="body">{{range $i, $line := .Lines}}{{if $i}}<br>{{end}}{{esc $line}}{{end}}</div>
{{- with .Phones}}
<ul class="phones">{{range .}}<li>{{esc .}}</li>{{end}}</ul>
{{- end}}
{{- with .PriceText}}
<p class="rate">{{esc .}} per hour</p>
{{- end}}
{{- with .Languages}}
<p class="languages">Speaks: {{range $i, $l := .}}{{if $i}}, {{end}}{{esc $l}}{{end}}</p>
{{- end}}
<p class="category">{{esc .Category}}</p>
<time datetime="{{rfc3339 .Posted}}">{{englishTime .Posted}}</time>
</article>
</body>
</html>
`))
)
