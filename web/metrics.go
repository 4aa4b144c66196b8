package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the server's HTTP metrics. Routes are labelled by their
// ServeMux pattern, never by path, so that ad ids cannot blow up cardinality.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newMetrics makes the server's metrics and registers them on reg when reg is
// not nil. A nil reg still gives working, unexported collectors.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "adwatch",
			Subsystem: "web",
			Name:      "requests_total",
			Help:      "HTTP requests served, by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "adwatch",
			Subsystem: "web",
			Name:      "request_duration_seconds",
			Help:      "Time to serve an HTTP request, by route pattern and status code.",
			Buckets:   prometheus.DefBuckets,
		}, []string{"route", "code"}),
	}
	if reg == nil {
		return m, nil
	}
	var done []prometheus.Collector
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			// Leave the registerer as we found it, so a caller can retry.
			for _, d := range done {
				reg.Unregister(d)
			}
			return nil, fmt.Errorf("web: register metrics: %w", err)
		}
		done = append(done, c)
	}
	return m, nil
}

// instrument wraps h with the access log and the metrics. mux is asked for
// the route pattern so that a request is labelled by the route it matched.
func (s *Server) instrument(mux *http.ServeMux, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		route := "unmatched"
		if _, p := mux.Handler(r); p != "" {
			route = p
		}
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		elapsed := time.Since(start)
		code := strconv.Itoa(sw.code())
		s.metrics.requests.WithLabelValues(route, code).Inc()
		s.metrics.duration.WithLabelValues(route, code).Observe(elapsed.Seconds())
		// The query string is never logged: it holds what a worker searched
		// for, which can be a phone number or a phrase from an ad.
		s.logger.LogAttrs(r.Context(), slog.LevelDebug, "http request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", route),
			slog.Int("status", sw.code()),
			slog.Duration("duration", elapsed),
		)
	})
}

// statusWriter remembers the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer (Flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK // the handler wrote nothing: net/http sends 200
	}
	return w.status
}
