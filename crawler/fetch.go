package crawler

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"

	"github.com/adwatch/adwatch/internal/wait"
)

// fetcher is the http.RoundTripper under every request of one crawl (colly's
// too, robots.txt included). It does what colly does not do safely:
//
//   - politeness per host: at most parallelism requests in flight, and a
//     delay plus random jitter after each before its slot is free again;
//     every wait ends with the crawl;
//   - backoff: a 429 or 503 pauses the whole host for its Retry-After (or
//     an exponential backoff) and is retried; a Retry-After longer than
//     maxRetryWait stops the crawl until then (RetryAfterError);
//   - a deadline per attempt that covers the body, so a server that never
//     finishes a body cannot hold a crawl;
//   - a size cap on the decoded body that is an error (BodyTooLargeError),
//     never a silent truncation, and that applies after decompression, so a
//     gzip bomb stops at the cap; colly's own cap is off;
//   - character sets: HTML in ISO-8859-1, Windows-1252 and the like is
//     decoded to UTF-8 (header, BOM or <meta>), and invalid UTF-8 becomes
//     U+FFFD, so that nothing downstream sees broken text.
type fetcher struct {
	ctx         context.Context // the crawl's: its end ends every wait and request
	base        http.RoundTripper
	maxBody     int64 // pages
	maxImage    int64 // images (requests marked with imageRequest)
	timeout     time.Duration
	delay       time.Duration
	jitter      time.Duration
	parallelism int
	maxRetries  int
	maxWait     time.Duration // longest Retry-After waited for within a crawl
	encoding    encoding.Encoding
	onRetry     func(url string, status int, wait time.Duration)
	// onRobotsDenied is told of a robots.txt that answered 5xx or 429.
	onRobotsDenied func(url string, status int)

	mu         sync.Mutex
	hosts      map[string]*hostPace
	retryAfter time.Time // the latest time a site asked us to stay away until
}

// hostPace paces the requests to one host.
type hostPace struct {
	slots chan struct{}
	mu    sync.Mutex
	until time.Time // no request starts before this (Retry-After)
}

// ctxKey marks requests in their context.
type ctxKey int

// imageRequest marks an image request: it gets the image size cap and no
// character set decoding.
const imageRequest ctxKey = 1

// BodyTooLargeError reports a response body larger than the site's cap.
// The response is dropped whole: a truncated page would yield wrong ads.
type BodyTooLargeError struct {
	URL   string
	Limit int64
}

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("body of %s is larger than the cap of %d bytes (max_body_bytes or max_image_bytes)", e.URL, e.Limit)
}

// RetryAfterError reports that a site asked us (429 or 503 with
// Retry-After) to stay away longer than a crawl waits; the crawl stops and
// the next one starts no earlier than Until.
type RetryAfterError struct {
	Status int
	Until  time.Time
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("site answered %d and asks us to come back after %s", e.Status, e.Until.UTC().Format(time.RFC3339))
}

// errUnsupportedEncoding is returned for a Content-Encoding we did not ask for
// and cannot decode: the bytes would be garbage.
var errUnsupportedEncoding = errors.New("unsupported Content-Encoding")

func (f *fetcher) pace(host string) *hostPace {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hosts == nil {
		f.hosts = map[string]*hostPace{}
	}
	p, ok := f.hosts[host]
	if !ok {
		p = &hostPace{slots: make(chan struct{}, max(1, f.parallelism))}
		f.hosts[host] = p
	}
	return p
}

// RetryAfter is the latest time the site asked us to come back after; zero
// if it did not.
func (f *fetcher) RetryAfter() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.retryAfter
}

func (f *fetcher) noteRetryAfter(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.After(f.retryAfter) {
		f.retryAfter = t
	}
}

// sleep waits d or until req or the crawl ends.
func (f *fetcher) sleep(req *http.Request, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-req.Context().Done():
		return req.Context().Err()
	case <-f.ctx.Done():
		return context.Cause(f.ctx)
	}
}

// RoundTrip implements http.RoundTripper.
func (f *fetcher) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := f.roundTrip(req)
	if err == nil && req.URL.Path == "/robots.txt" && (resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests) {
		// A robots.txt the server fails to give (or rate-limits) means
		// "crawl nothing for now". colly would read it as "crawl anything":
		// its robots parser marks a 5xx as disallow-all, but colly asks for
		// the rules of a user agent, of which such a file has none.
		if f.onRobotsDenied != nil {
			f.onRobotsDenied(req.URL.String(), resp.StatusCode)
		}
		body := "User-agent: *\nDisallow: /\n"
		resp.StatusCode, resp.Status = http.StatusOK, "200 OK"
		resp.Header.Set("Content-Type", "text/plain; charset=utf-8")
		resp.ContentLength = int64(len(body))
		resp.Body = io.NopCloser(strings.NewReader(body))
	}
	return resp, err
}

func (f *fetcher) roundTrip(req *http.Request) (*http.Response, error) {
	p := f.pace(req.URL.Host)
	for attempt := 0; ; attempt++ {
		select {
		case p.slots <- struct{}{}:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-f.ctx.Done():
			return nil, context.Cause(f.ctx)
		}
		p.mu.Lock()
		wait := time.Until(p.until)
		p.mu.Unlock()
		if err := f.sleep(req, wait); err != nil {
			<-p.slots
			return nil, err
		}
		resp, err := f.attempt(req)
		f.release(p)
		if err != nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
			return resp, err
		}
		wait, stated := retryAfter(resp.Header, time.Now())
		if !stated {
			wait = backoff(attempt, f.delay)
		}
		if wait > f.maxWait {
			until := time.Now().Add(wait)
			f.noteRetryAfter(until)
			return nil, &RetryAfterError{Status: resp.StatusCode, Until: until}
		}
		if attempt >= f.maxRetries {
			if stated {
				f.noteRetryAfter(time.Now().Add(wait))
			}
			return resp, nil
		}
		if f.onRetry != nil {
			f.onRetry(req.URL.String(), resp.StatusCode, wait)
		}
		p.mu.Lock()
		if u := time.Now().Add(wait); u.After(p.until) {
			p.until = u
		}
		p.mu.Unlock()
	}
}

// release frees a slot after the politeness delay, without holding up the
// response.
func (f *fetcher) release(p *hostPace) {
	d := f.delay
	if f.jitter > 0 {
		d += rand.N(f.jitter)
	}
	if d <= 0 {
		<-p.slots
		return
	}
	go func() {
		wait.Sleep(f.ctx, d)
		<-p.slots
	}()
}

// attempt makes one request and reads its whole body, bounded in time and
// size, decoded to UTF-8 for text.
func (f *fetcher) attempt(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), f.timeout)
	defer cancel()
	stop := context.AfterFunc(f.ctx, cancel)
	defer stop()
	resp, err := f.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		return nil, f.cause(ctx, err)
	}
	defer resp.Body.Close()
	image := req.Context().Value(imageRequest) != nil
	limit := f.maxBody
	if image {
		limit = f.maxImage
	}
	u := req.URL.String()
	if resp.ContentLength > limit {
		return nil, &BodyTooLargeError{URL: u, Limit: limit}
	}
	var body io.Reader = resp.Body
	if !resp.Uncompressed {
		switch ce := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); ce {
		case "", "identity":
		case "gzip", "x-gzip":
			zr, err := gzip.NewReader(body)
			if err != nil {
				return nil, fmt.Errorf("gzip body of %s: %w", u, f.cause(ctx, err))
			}
			defer zr.Close()
			body = zr
		case "deflate":
			// Servers send zlib or raw deflate under this name: a zlib
			// header is two bytes whose big-endian value is a multiple of 31.
			var hdr [2]byte
			n, _ := io.ReadFull(body, hdr[:])
			body = io.MultiReader(bytes.NewReader(hdr[:n]), body)
			if n == 2 && hdr[0]&0x0f == 8 && (uint16(hdr[0])<<8|uint16(hdr[1]))%31 == 0 {
				zr, err := zlib.NewReader(body)
				if err != nil {
					return nil, fmt.Errorf("deflate body of %s: %w", u, f.cause(ctx, err))
				}
				defer zr.Close()
				body = zr
			} else {
				fr := flate.NewReader(body)
				defer fr.Close()
				body = fr
			}
		default:
			return nil, fmt.Errorf("%s: %w %q", u, errUnsupportedEncoding, ce)
		}
	}
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read body of %s: %w", u, f.cause(ctx, err))
	}
	if int64(len(data)) > limit {
		return nil, &BodyTooLargeError{URL: u, Limit: limit}
	}
	if !image && resp.StatusCode != http.StatusNotModified {
		data = f.toUTF8(data, resp.Header)
	}
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = int64(len(data))
	// Uncompressed stops colly from gunzipping the body again, after its
	// own (switched off) cap.
	resp.Uncompressed = true
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp, nil
}

// cause turns a deadline of the attempt into a clear timeout error.
func (f *fetcher) cause(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && f.ctx.Err() == nil {
		return fmt.Errorf("no complete answer within the timeout of %s: %w", f.timeout, context.DeadlineExceeded)
	}
	return err
}

// textual reports whether a media type carries text that must be decoded.
func textual(mediaType string) bool {
	switch {
	case mediaType == "":
		return true
	case strings.HasPrefix(mediaType, "text/"), strings.HasSuffix(mediaType, "+xml"), strings.HasSuffix(mediaType, "+json"):
		return true
	}
	switch mediaType {
	case "application/json", "application/xml", "application/javascript", "application/xhtml+xml":
		return true
	}
	return false
}

// toUTF8 decodes a text body to valid UTF-8 and says so in its Content-Type.
// The encoding is, in order: the site config's, a byte-order mark, the
// Content-Type charset, and for HTML a <meta> charset; a page that declares
// none is UTF-8 if it is valid UTF-8, and Windows-1252 (which the web
// treats ISO-8859-1 as) otherwise.
func (f *fetcher) toUTF8(data []byte, h http.Header) []byte {
	ct := h.Get("Content-Type")
	mt, params, _ := mime.ParseMediaType(ct)
	if params == nil { // a malformed parameter: the media type stands alone
		params = map[string]string{}
	}
	if !textual(mt) {
		return data
	}
	enc := f.encoding
	if enc == nil {
		var certain bool
		if mt == "" || mt == "text/html" || mt == "application/xhtml+xml" {
			enc, _, certain = charset.DetermineEncoding(data, ct)
		} else if e, _ := charset.Lookup(params["charset"]); e != nil {
			enc, certain = e, true
		}
		if !certain && utf8.Valid(data) {
			enc = nil
		}
	}
	if enc != nil && enc != encoding.Nop {
		if out, _, err := transform.Bytes(enc.NewDecoder(), data); err == nil {
			data = out
		}
	}
	data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	if mt != "" {
		params["charset"] = "utf-8"
		h.Set("Content-Type", mime.FormatMediaType(mt, params))
	}
	return data
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, int64(365*24*3600))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// backoff is the wait before retry attempt+1 when the site gave no
// Retry-After: 1s, 2s, 4s, ... (at least the politeness delay), up to 1m.
func backoff(attempt int, delay time.Duration) time.Duration {
	d := max(time.Second, delay) << min(attempt, 6)
	return min(d, time.Minute)
}
