package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/search"
)

// contentSecurityPolicy allows no script at all and styles only from our own
// /static/: if crawled markup ever slipped through escaping, it still could
// not run, load anything, or post a form elsewhere.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"

// apiParams are the parameters search.ParseQuery reads. The API refuses any
// other, so that a misspelt filter fails loudly instead of silently returning
// everything; keep in step with search.ParseQuery.
var apiParams = []string{"q", "min_score", "level", "indicator", "city", "site", "sort", "page", "size"}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/ads", s.apiSearch)
	mux.HandleFunc("GET /api/v1/ads/{id}", s.apiAd)
	mux.HandleFunc("GET /api/v1/status", s.apiStatus)
	mux.HandleFunc("GET /api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, fmt.Sprintf("no API endpoint %q", r.URL.Path))
	})
	if s.gather != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.gather, promhttp.HandlerOpts{}))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok"))
	})
	mux.HandleFunc("GET /{$}", s.searchPage)
	mux.HandleFunc("GET /ads/{id}", s.adPage)
	mux.Handle("GET /static/", staticHandler())
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusNotFound, "Page not found", "There is no page at this address.")
	})
	return s.instrument(mux, secureHeaders(mux))
}

// secureHeaders sets the headers every response carries. Pages and API
// answers are marked no-store: they hold personal data that must not linger
// in a shared or proxy cache.
func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY") // for browsers without frame-ancestors
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// staticHandler serves the embedded stylesheet and icon, without directory
// listings.
func staticHandler() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(staticFiles()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		// Nothing here is personal, so unlike pages it may be cached.
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// apiSearch answers GET /api/v1/ads with a search.Result.
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "malformed query string: "+err.Error())
		return
	}
	var unknown []error
	for name := range v {
		if !slices.Contains(apiParams, name) {
			unknown = append(unknown, fmt.Errorf("parameter %q is not known; known are %s", name, strings.Join(apiParams, ", ")))
		}
	}
	if len(unknown) > 0 {
		slices.SortFunc(unknown, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		writeJSONError(w, http.StatusBadRequest, errors.Join(unknown...).Error())
		return
	}
	q, err := search.ParseQuery(v)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	res, err := s.store.Search(r.Context(), q)
	if err != nil {
		s.storeFailed(r, "search", err)
		writeJSONError(w, http.StatusInternalServerError, "search failed; the error is logged")
		return
	}
	s.writeJSON(w, r, http.StatusOK, stableResult(res))
}

// stableResult gives clients the same JSON shape whatever the store returned:
// hits is always an array and facets always an object.
func stableResult(res search.Result) search.Result {
	if res.Hits == nil {
		res.Hits = []ad.Scored{}
	}
	if res.Facets == nil {
		res.Facets = map[string][]search.FacetCount{}
	}
	return res
}

// apiAd answers GET /api/v1/ads/{id} with the ad.Scored document.
func (s *Server) apiAd(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a, err := s.store.Get(r.Context(), id)
	switch {
	case errors.Is(err, search.ErrNotFound):
		writeJSONError(w, http.StatusNotFound, fmt.Sprintf("ad %q not found", id))
	case err != nil:
		s.storeFailed(r, "get", err)
		writeJSONError(w, http.StatusInternalServerError, "reading the ad failed; the error is logged")
	default:
		s.writeJSON(w, r, http.StatusOK, a)
	}
}

// apiStatus answers GET /api/v1/status with Options.Status, or {}.
func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	var v any
	if s.status != nil {
		v = s.status()
	}
	if v == nil {
		v = struct{}{}
	}
	s.writeJSON(w, r, http.StatusOK, v)
}

// writeJSON encodes v before writing anything, so that an encoding failure
// becomes a clean 500 instead of a 200 with half a body. The encoder escapes
// <, > and & so that no browser could take the answer for HTML.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		s.logger.ErrorContext(r.Context(), "web: encode JSON answer", "path", r.URL.Path, "err", err)
		writeJSONError(w, http.StatusInternalServerError, "encoding the answer failed; the error is logged")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"error": msg}) // a map of strings always marshals
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// storeFailed logs a store error. The query is not logged: it can hold a
// phone number or a phrase from an ad.
func (s *Server) storeFailed(r *http.Request, op string, err error) {
	s.logger.ErrorContext(r.Context(), "web: store "+op+" failed", "path", r.URL.Path, "err", err)
}
