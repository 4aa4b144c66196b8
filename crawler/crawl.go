package crawler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gocolly/colly/v2"

	"github.com/adwatch/adwatch/ad"
)

// Version goes into the User-Agent.
const Version = "0.1"

// maxRedirects bounds a chain of redirects; loops end sooner, when a URL
// comes round again.
const maxRedirects = 5

// CrawlStats counts what one crawl of one site did.
type CrawlStats struct {
	Pages  int64 // listing, API and ad pages fetched
	Ads    int64 // ads extracted
	Errors int64 // failed requests and unreadable pages
	// ErrorKinds counts Errors by kind: too_large, timeout, http_4xx,
	// http_5xx, rate_limited, redirect, robots, blocked_address,
	// encoding, parse, image, network.
	ErrorKinds map[string]int64
	// ListingPages and AdPages split Pages; Images counts images hashed.
	ListingPages, AdPages, Images int64
	// Unchanged counts listed ads that were not fetched again (their
	// listing entry had not changed) or that answered 304 Not Modified.
	Unchanged int64
	// Gone counts listed ad pages that answered 404 or 410.
	Gone int64
	// Complete reports that the crawl read every listing page: none
	// failed, no cap was hit and the crawl was not stopped. Only then can an
	// ad missing from the listings be gone from the site.
	Complete bool
	// RetryAfter is when the site asked us to come back (429 or 503 with
	// Retry-After), if it did.
	RetryAfter time.Time
	// EmptyFields counts, for each field a selector or JSON-LD path
	// extracts, the ads it extracted nothing from.
	EmptyFields map[string]int64
}

// CrawlOnce crawls site once: every listing page (up to max_pages) and every
// ad it links to (up to max_ad_pages). It calls emit for each ad extracted,
// one call at a time; an error from emit stops the crawl. It returns when the
// crawl is complete or ctx ends. Request errors are counted and logged, not
// returned: one bad page must not stop a crawl. The crawl stops with an
// error when the site fails max_failures_in_a_row requests in a row or asks
// (Retry-After) to be left alone for longer than max_retry_wait.
func CrawlOnce(ctx context.Context, site *Site, logger *slog.Logger, emit func(ad.Raw) error) (CrawlStats, error) {
	return crawlSite(ctx, site, logger, hooks{found: func(f *foundAd) error { return emit(f.raw) }})
}

// hooks let the caller of a crawl decide what to fetch and take what it
// found. Calls are serialised. Nil hooks are skipped; a nil listed fetches
// everything.
type hooks struct {
	// listed is called for each ad on a listing page (or API page), with a
	// fingerprint of its listing entry, and decides whether to fetch it.
	listed func(link, fingerprint string) fetchPlan
	// found takes an extracted ad; an error stops the crawl.
	found func(f *foundAd) error
	// notModified is called for a listed ad that answered 304.
	notModified func(link string) error
	// gone is called for a listed ad page that answered 404 or 410.
	gone func(link string) error
}

// fetchPlan says whether to fetch a listed ad, and the validators for a
// conditional GET.
type fetchPlan struct {
	fetch              bool
	etag, lastModified string
}

// foundAd is one ad extracted from its page (or API item).
type foundAd struct {
	raw                ad.Raw
	link               string // the URL the listing gave for it
	fingerprint        string // of its listing entry
	etag, lastModified string
	imageHashes        []string
	values             map[string][]string // extracted, per field
	jsonLDObjects      int
}

const (
	kindListing = "listing"
	kindAd      = "ad"
	kindPage    = "page" // a JSON API page
)

type crawl struct {
	site   *Site
	logger *slog.Logger
	hooks  hooks
	ctx    context.Context
	cancel context.CancelCauseFunc
	base   *url.URL
	f      *fetcher
	c      *colly.Collector
	img    *colly.Collector // images, synchronous

	// onlyListing stops at the first listing page and fetches no ad
	// (sites test); onListingPage, if set, is told what a listing page
	// showed.
	onlyListing   bool
	onListingPage func(u string, links []string, next string)
	// singlePage follows no pagination (sites test).
	singlePage bool

	pages, ads, errs                atomic.Int64
	listingPages, adPages, images   atomic.Int64
	unchanged, gone, failuresInARow atomic.Int64
	adsQueued                       atomic.Int64
	incomplete, capped              atomic.Bool

	mu        sync.Mutex // serialises hooks; guards what follows
	err       error
	kinds     map[string]int64
	empty     map[string]int64
	seenLinks map[string]bool
	imgCache  map[string]string
}

func crawlSite(ctx context.Context, site *Site, logger *slog.Logger, h hooks) (CrawlStats, error) {
	cr, err := newCrawl(ctx, site, logger, h)
	if err != nil {
		return CrawlStats{}, err
	}
	defer cr.cancel(nil)
	cr.start()
	cr.c.Wait()
	return cr.finish(ctx)
}

func newCrawl(ctx context.Context, site *Site, logger *slog.Logger, h hooks) (*crawl, error) {
	cr := &crawl{
		site: site, logger: logger.With("site", site.Name), hooks: h,
		kinds: map[string]int64{}, empty: map[string]int64{}, seenLinks: map[string]bool{}, imgCache: map[string]string{},
	}
	base, err := url.Parse(site.BaseURL)
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("site %q: base_url %q is not an absolute URL", site.Name, site.BaseURL)
	}
	cr.base = base
	cr.ctx, cr.cancel = context.WithCancelCause(ctx)
	if err := cr.collector(); err != nil {
		cr.cancel(nil)
		return nil, err
	}
	return cr, nil
}

func (cr *crawl) start() {
	if h := cr.site.HTML; h != nil {
		for _, seed := range h.Seeds {
			cr.visitListing(cr.resolve(seed), -1)
		}
		if h.PageURL != "" {
			cr.visitListing(cr.resolve(h.pageURL(*h.FirstPage)), *h.FirstPage)
		}
	} else {
		cr.visitPage(*cr.site.JSONAPI.FirstPage)
	}
}

func (cr *crawl) finish(parent context.Context) (CrawlStats, error) {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	st := CrawlStats{
		Pages: cr.pages.Load(), Ads: cr.ads.Load(), Errors: cr.errs.Load(),
		ListingPages: cr.listingPages.Load(), AdPages: cr.adPages.Load(), Images: cr.images.Load(),
		Unchanged: cr.unchanged.Load(), Gone: cr.gone.Load(),
		ErrorKinds: cr.kinds, EmptyFields: cr.empty, RetryAfter: cr.f.RetryAfter(),
	}
	err := cr.err
	if err == nil {
		err = parent.Err()
	}
	st.Complete = err == nil && !cr.incomplete.Load()
	return st, err
}

// fail stops the crawl with err (the first one wins).
func (cr *crawl) fail(err error) {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	cr.failLocked(err)
}

func (cr *crawl) failLocked(err error) {
	if cr.err == nil {
		cr.err = err
		cr.cancel(err)
	}
}

func (cr *crawl) stopped() bool { return cr.ctx.Err() != nil }

func (cr *crawl) collector() error {
	s := cr.site
	cr.f = &fetcher{
		ctx:         cr.ctx,
		base:        newTransport(s.AllowPrivateAddresses),
		maxBody:     s.MaxBodyBytes,
		maxImage:    s.MaxImageBytes,
		timeout:     time.Duration(s.Timeout),
		delay:       time.Duration(*s.Delay),
		jitter:      time.Duration(*s.Jitter),
		parallelism: s.Parallelism,
		maxRetries:  *s.MaxRetries,
		maxWait:     time.Duration(s.MaxRetryWait),
		encoding:    s.enc,
		onRetry: func(u string, status int, wait time.Duration) {
			cr.logger.Warn("site asks us to slow down; pausing it and retrying", "url", u, "status", status, "wait", wait)
		},
		onRobotsDenied: func(u string, status int) {
			cr.logger.Warn("robots.txt could not be fetched (server error or rate limit): crawling nothing of this host until the next crawl", "url", u, "status", status)
		},
	}
	c := colly.NewCollector(colly.StdlibContext(cr.ctx), colly.Async(true))
	// NewCollector applies COLLY_* environment variables last; every
	// setting they touch is set again here, so that the site config, not
	// the environment, decides politeness and safety.
	c.UserAgent = fmt.Sprintf("adwatch/%s (+%s)", Version, s.Contact)
	c.IgnoreRobotsTxt = !*s.RespectRobotsTxt
	if c.IgnoreRobotsTxt {
		cr.logger.Warn("robots.txt is ignored for this site, as its config says (respect_robots_txt: false)")
	}
	c.MaxBodySize = 0 // the fetcher caps bodies, with an error instead of truncation
	c.AllowedDomains = []string{cr.base.Hostname()}
	c.DisallowedDomains = nil
	c.CacheDir = ""
	c.DetectCharset = false // the fetcher decodes text
	c.MaxDepth = 0
	c.MaxRequests = 0
	c.TraceHTTP = false
	c.ParseHTTPErrorResponse = false
	jar, _ := cookiejar.New(nil)
	c.SetCookieJar(jar) // cookies stay within one crawl
	c.WithTransport(cr.f)
	c.SetRequestTimeout(0) // per attempt, in the fetcher: waiting for a slot is no timeout
	c.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects: %w", maxRedirects, errRedirect)
		}
		return nil
	})
	c.OnResponse(cr.onResponse)
	c.OnError(cr.onError)
	cr.c = c

	img := c.Clone()
	img.Async = false
	img.AllowURLRevisit = true // the crawl caches hashes by URL itself
	img.AllowedDomains = append([]string{cr.base.Hostname()}, s.ImageHosts...)
	img.Context = context.WithValue(cr.ctx, imageRequest, true)
	img.OnResponse(func(r *colly.Response) {
		h, err := ImageHash(r.Body)
		r.Ctx.Put("hash", h)
		if err != nil {
			r.Ctx.Put("err", err)
		}
	})
	img.OnError(func(r *colly.Response, err error) {
		r.Ctx.Put("err", err)
		r.Ctx.Put("status", r.StatusCode)
	})
	cr.img = img
	return nil
}

// errRedirect marks a redirect that was not followed.
var errRedirect = errors.New("redirect not followed")

func (cr *crawl) resolve(ref string) string {
	u, err := cr.base.Parse(ref)
	if err != nil {
		return ref
	}
	return u.String()
}

// request queues a GET of u; kind and extra say what it is.
func (cr *crawl) request(u, kind string, hdr http.Header, extra map[string]string) {
	if cr.stopped() {
		return
	}
	ctx := colly.NewContext()
	ctx.Put("kind", kind)
	for k, v := range extra {
		ctx.Put(k, v)
	}
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Set("User-Agent", cr.c.UserAgent)
	if err := cr.c.Request("GET", u, nil, ctx, hdr); err != nil {
		if kind != kindAd {
			cr.incomplete.Store(true)
		}
		var already *colly.AlreadyVisitedError
		switch {
		case errors.As(err, &already), errors.Is(err, colly.ErrMissingURL):
			return
		case errors.Is(err, colly.ErrForbiddenDomain):
			if kind != kindAd {
				cr.failure(kind, u, 0, err)
			}
			return // an ad link to another site: not ours to follow
		}
		cr.failure(kind, u, 0, err)
	}
}

// visitListing queues a listing page; page is its number when it is one of
// html.page_url's pages, or -1.
func (cr *crawl) visitListing(u string, page int) {
	if cr.stopped() || !cr.countListingPage() {
		return
	}
	var extra map[string]string
	if page >= 0 {
		extra = map[string]string{"page": strconv.Itoa(page)}
	}
	cr.request(u, kindListing, nil, extra)
}

// countListingPage counts a listing page about to be fetched, or reports
// that max_pages is reached.
func (cr *crawl) countListingPage() bool {
	if n := cr.listingPages.Add(1); n <= int64(cr.site.MaxPages) {
		return true
	}
	cr.listingPages.Add(-1)
	if cr.capped.CompareAndSwap(false, true) {
		cr.logger.Warn("listing pages capped at max_pages; raise it in the site config if the site really has more", "max_pages", cr.site.MaxPages)
	}
	cr.incomplete.Store(true)
	return false
}

func (cr *crawl) visitPage(page int) {
	if cr.stopped() || !cr.countListingPage() {
		return
	}
	cr.request(cr.resolve(cr.site.JSONAPI.pageURL(page)), kindPage, nil, map[string]string{"page": strconv.Itoa(page)})
}

func (cr *crawl) onResponse(r *colly.Response) {
	if cr.stopped() {
		return
	}
	cr.pages.Add(1)
	cr.failuresInARow.Store(0)
	switch r.Ctx.Get("kind") {
	case kindListing:
		cr.onListing(r)
	case kindAd:
		cr.adPages.Add(1)
		cr.onAd(r)
	case kindPage:
		cr.onAPIPage(r)
	}
}

// document parses an HTML response. The parser accepts anything (it is the
// browsers' algorithm), so malformed HTML yields a best-effort tree; the
// base for relative links honours <base href>.
func (cr *crawl) document(r *colly.Response) (*goquery.Document, *url.URL, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.Body))
	if err != nil {
		return nil, nil, err
	}
	base := r.Request.URL
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if u, err := base.Parse(strings.TrimSpace(href)); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			base = u
		}
	}
	return doc, base, nil
}

// absolute resolves a link found on a page: only http(s), without fragment.
func absolute(base *url.URL, href string) string {
	href = strings.TrimSpace(href)
	if href == "" {
		return ""
	}
	u, err := base.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Fragment = ""
	u.RawFragment = ""
	return u.String()
}

func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func (cr *crawl) onListing(r *colly.Response) {
	h := cr.site.HTML
	doc, base, err := cr.document(r)
	if err != nil {
		cr.incomplete.Store(true)
		cr.failure(kindListing, r.Request.URL.String(), r.StatusCode, fmt.Errorf("%w: %v", errParse, err))
		return
	}
	links, fresh := 0, 0
	var all []string
	doc.FindMatcher(h.adLinks).Each(func(_ int, s *goquery.Selection) {
		link := absolute(base, s.AttrOr("href", ""))
		if link == "" {
			return
		}
		links++
		all = append(all, link)
		entry := s
		if h.entry != nil {
			if e := s.ClosestMatcher(h.entry); e.Length() > 0 {
				entry = e
			}
		}
		fp := fingerprint(link, textOf(entry))
		cr.mu.Lock()
		if cr.seenLinks[link] {
			cr.mu.Unlock()
			return
		}
		cr.seenLinks[link] = true
		fresh++
		plan := fetchPlan{fetch: true}
		if cr.hooks.listed != nil {
			plan = cr.hooks.listed(link, fp)
		}
		cr.mu.Unlock()
		if cr.onlyListing {
			return
		}
		if !plan.fetch {
			cr.unchanged.Add(1)
			return
		}
		if n := cr.adsQueued.Add(1); n > int64(cr.site.MaxAdPages) {
			if n == int64(cr.site.MaxAdPages)+1 {
				cr.logger.Warn("ad pages capped at max_ad_pages for this crawl; the rest follow in the next crawls", "max_ad_pages", cr.site.MaxAdPages)
			}
			cr.incomplete.Store(true)
			return
		}
		hdr := http.Header{}
		if plan.etag != "" {
			hdr.Set("If-None-Match", plan.etag)
		}
		if plan.lastModified != "" {
			hdr.Set("If-Modified-Since", plan.lastModified)
		}
		cr.request(link, kindAd, hdr, map[string]string{"link": link, "fp": fp})
	})
	pageURL := r.Request.URL.String()
	if links == 0 {
		cr.logger.Warn("listing page shows no ad links: check html.ad_links", "url", pageURL, "ad_links", h.AdLinks)
	}
	if cr.onListingPage != nil {
		next := ""
		if h.nextPage != nil {
			next = absolute(base, doc.FindMatcher(h.nextPage).First().AttrOr("href", ""))
		} else if p := r.Ctx.Get("page"); p != "" && h.PageURL != "" {
			n, _ := strconv.Atoi(p)
			next = cr.resolve(h.pageURL(n + 1))
		}
		cr.onListingPage(pageURL, all, next)
	}
	if cr.onlyListing || cr.singlePage {
		return
	}
	// A page that shows no ad not already seen ends the paging: sites that
	// answer every page number with their last page, and pagination traps,
	// stop here instead of at max_pages.
	if fresh == 0 {
		if links > 0 {
			cr.logger.Debug("listing page shows no new ads; paging stops", "url", pageURL)
		}
		return
	}
	if h.nextPage != nil {
		if next := absolute(base, doc.FindMatcher(h.nextPage).First().AttrOr("href", "")); next != "" {
			cr.visitListing(next, -1)
		}
	}
	if p := r.Ctx.Get("page"); p != "" && h.PageURL != "" {
		n, _ := strconv.Atoi(p)
		cr.visitListing(cr.resolve(h.pageURL(n+1)), n+1)
	}
}

func (cr *crawl) onAd(r *colly.Response) {
	h := cr.site.HTML
	doc, base, err := cr.document(r)
	if err != nil {
		cr.failure(kindAd, r.Request.URL.String(), r.StatusCode, fmt.Errorf("%w: %v", errParse, err))
		return
	}
	canonical := r.Request.URL.String()
	if href, ok := doc.Find(`link[rel="canonical"]`).First().Attr("href"); ok {
		if u := absolute(base, href); u != "" {
			canonical = u
		}
	}
	f := &foundAd{
		raw: cr.newAd(canonical), link: r.Ctx.Get("link"), fingerprint: r.Ctx.Get("fp"),
		values: map[string][]string{},
	}
	if f.link == "" {
		f.link = r.Request.URL.String()
	}
	if r.Headers != nil {
		f.etag, f.lastModified = r.Headers.Get("ETag"), r.Headers.Get("Last-Modified")
	}
	var ld *jsonLD
	for _, rule := range h.Fields {
		if rule.JSONLD != "" {
			ld = parseJSONLD(doc.Selection)
			f.jsonLDObjects = len(ld.objects)
			break
		}
	}
	for _, name := range sortedKeys(h.Fields) {
		rule := h.Fields[name]
		v := rule.extract(doc.Selection, ld, h.JSONLDType)
		if name == "images" {
			v = absoluteAll(base, v)
		}
		f.values[name] = v
		setField(&f.raw, name, v)
	}
	f.imageHashes = cr.hashImages(f.values["images"])
	f.raw.ImageHashes = f.imageHashes
	cr.found(f)
}

func absoluteAll(base *url.URL, refs []string) []string {
	var out []string
	for _, r := range refs {
		if u := absolute(base, r); u != "" {
			out = append(out, u)
		}
	}
	return out
}

func (cr *crawl) newAd(canonicalURL string) ad.Raw {
	u, err := url.Parse(canonicalURL)
	if err == nil {
		u.Fragment = ""
		u.RawFragment = ""
		canonicalURL = u.String()
	}
	return ad.Raw{
		ID:        ad.NewID(cr.site.Name, canonicalURL),
		Site:      cr.site.Name,
		URL:       canonicalURL,
		Category:  cr.site.Category,
		FetchedAt: time.Now().UTC().Truncate(time.Second),
	}
}

// found hands an ad to the caller and counts fields that came out empty.
func (cr *crawl) found(f *foundAd) {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	if cr.err != nil {
		return
	}
	for name, v := range f.values {
		if len(v) == 0 {
			cr.empty[name]++
		}
	}
	cr.ads.Add(1)
	if cr.hooks.found == nil {
		return
	}
	if err := cr.hooks.found(f); err != nil {
		cr.failLocked(err)
	}
}

// hashImages fetches up to max_images images and returns their hashes;
// failures are counted (kind image) and skipped.
func (cr *crawl) hashImages(urls []string) []string {
	var out []string
	for _, u := range urls {
		if len(out) >= *cr.site.MaxImages || cr.stopped() {
			break
		}
		cr.mu.Lock()
		h, ok := cr.imgCache[u]
		cr.mu.Unlock()
		if !ok {
			h = cr.hashImage(u)
			cr.mu.Lock()
			cr.imgCache[u] = h
			cr.mu.Unlock()
		}
		if h != "" {
			out = append(out, h)
		}
	}
	return out
}

func (cr *crawl) hashImage(u string) string {
	ctx := colly.NewContext()
	hdr := http.Header{"User-Agent": {cr.c.UserAgent}, "Accept": {"image/jpeg,image/png,image/gif;q=0.9,*/*;q=0.1"}}
	err := cr.img.Request("GET", u, nil, ctx, hdr)
	if e, ok := ctx.GetAny("err").(error); ok && err == nil {
		err = e
	}
	if err != nil {
		var already *colly.AlreadyVisitedError
		if errors.As(err, &already) || cr.stopped() {
			return ""
		}
		status, _ := ctx.GetAny("status").(int)
		cr.count("image")
		cr.logger.Warn("image not hashed", "url", u, "status", status, "kind", errorKind(status, err), "err", err)
		return ""
	}
	cr.images.Add(1)
	return ctx.Get("hash")
}

func (cr *crawl) onAPIPage(r *colly.Response) {
	j := cr.site.JSONAPI
	pageURL := r.Request.URL.String()
	page, _ := strconv.Atoi(r.Ctx.Get("page"))
	var doc any
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		cr.incomplete.Store(true)
		cr.failure(kindPage, pageURL, r.StatusCode, fmt.Errorf("%w: API page is not JSON: %v", errParse, err))
		return
	}
	items, ok := lookup(doc, j.Items).([]any)
	if !ok {
		cr.incomplete.Store(true)
		cr.failure(kindPage, pageURL, r.StatusCode, fmt.Errorf("%w: API page has no array at items path %q", errParse, j.Items))
		return
	}
	fresh := 0
	for _, it := range items {
		if cr.stopped() {
			return
		}
		u := strings.Join(values(lookup(it, j.Fields["url"])), "")
		link := absolute(r.Request.URL, u)
		if link == "" {
			cr.failure(kindPage, pageURL, r.StatusCode, fmt.Errorf("%w: API item without a usable url (%q); skipped", errParse, u))
			continue
		}
		b, _ := json.Marshal(it) // map keys sorted: the same item, the same bytes
		fp := fingerprint(link, string(b))
		cr.mu.Lock()
		dup := cr.seenLinks[link]
		cr.seenLinks[link] = true
		plan := fetchPlan{fetch: true}
		if !dup && cr.hooks.listed != nil {
			plan = cr.hooks.listed(link, fp)
		}
		cr.mu.Unlock()
		if dup {
			continue
		}
		fresh++
		if !plan.fetch {
			cr.unchanged.Add(1)
			continue
		}
		f := &foundAd{raw: cr.newAd(link), link: link, fingerprint: fp, values: map[string][]string{}}
		for _, name := range sortedKeys(j.Fields) {
			if name == "url" {
				continue
			}
			v := values(lookup(it, j.Fields[name]))
			if name == "images" {
				v = absoluteAll(r.Request.URL, v)
			}
			f.values[name] = v
			setField(&f.raw, name, v)
		}
		f.imageHashes = cr.hashImages(f.values["images"])
		f.raw.ImageHashes = f.imageHashes
		cr.found(f)
	}
	if cr.onListingPage != nil {
		next := ""
		if total, ok := lookup(doc, j.TotalPages).(float64); j.TotalPages != "" && ok {
			next = fmt.Sprintf("page %d of %v", page+1, total)
		}
		cr.onListingPage(pageURL, make([]string, len(items)), next)
	}
	more := len(items) > 0 && fresh > 0
	if j.TotalPages != "" {
		if total, ok := lookup(doc, j.TotalPages).(float64); ok {
			more = float64(page) < total && fresh > 0
		}
	}
	if more && !cr.singlePage {
		cr.visitPage(page + 1)
	}
}

// errParse marks a page that arrived but cannot be read.
var errParse = errors.New("unreadable page")

func (cr *crawl) onError(r *colly.Response, err error) {
	if cr.stopped() {
		return // the crawl was stopped: what fails now is no news
	}
	kind := r.Ctx.Get("kind")
	u := r.Request.URL.String()
	link := r.Ctx.Get("link")
	if link == "" {
		link = u
	}
	switch {
	case kind == kindAd && r.StatusCode == http.StatusNotModified:
		cr.failuresInARow.Store(0)
		cr.unchanged.Add(1)
		cr.callHook(cr.hooks.notModified, link)
		return
	case kind == kindAd && (r.StatusCode == http.StatusNotFound || r.StatusCode == http.StatusGone):
		cr.failuresInARow.Store(0)
		cr.gone.Add(1)
		cr.callHook(cr.hooks.gone, link)
		return
	case kind == kindListing && r.Ctx.Get("page") != "" && (r.StatusCode == http.StatusNotFound || r.StatusCode == http.StatusGone):
		// Numbered listing pages end with a 404 on many sites; the first
		// page failing is an error all the same.
		if p, _ := strconv.Atoi(r.Ctx.Get("page")); p > *cr.site.HTML.FirstPage {
			cr.failuresInARow.Store(0)
			return
		}
	}
	if kind == kindListing || kind == kindPage {
		cr.incomplete.Store(true)
	}
	var ra *RetryAfterError
	if errors.As(err, &ra) {
		cr.count(errorKind(r.StatusCode, err))
		cr.logger.Warn("site asks to be left alone; stopping this crawl", "url", u, "until", ra.Until)
		cr.fail(fmt.Errorf("site %q: %w", cr.site.Name, ra))
		return
	}
	cr.failure(kind, u, r.StatusCode, err)
}

func (cr *crawl) callHook(h func(string) error, link string) {
	if h == nil {
		return
	}
	cr.mu.Lock()
	defer cr.mu.Unlock()
	if cr.err != nil {
		return
	}
	if err := h(link); err != nil {
		cr.failLocked(err)
	}
}

// failure counts and logs a failed request or unreadable page, and stops
// the crawl when the site fails too many requests in a row.
func (cr *crawl) failure(kind, u string, status int, err error) {
	k := errorKind(status, err)
	cr.count(k)
	cr.logger.Warn("fetch failed", "url", u, "page", kind, "status", status, "kind", k, "err", err)
	switch k {
	case "http_5xx", "rate_limited", "timeout", "network":
		if n := cr.failuresInARow.Add(1); n >= int64(cr.site.MaxFailuresInARow) {
			cr.fail(fmt.Errorf("site %q failed %d requests in a row (the last: %s, %v): crawl stopped; the next starts after the interval", cr.site.Name, n, k, err))
		}
	}
}

func (cr *crawl) count(kind string) {
	cr.errs.Add(1)
	cr.mu.Lock()
	cr.kinds[kind]++
	cr.mu.Unlock()
}

// errorKind sorts a failure into a kind for metrics and logs.
func errorKind(status int, err error) string {
	var tooLarge *BodyTooLargeError
	var retry *RetryAfterError
	var already *colly.AlreadyVisitedError
	var netErr net.Error
	switch {
	case errors.As(err, &tooLarge):
		return "too_large"
	case errors.As(err, &retry):
		return "rate_limited"
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		return "robots"
	case errors.Is(err, ErrNotPublic):
		return "blocked_address"
	case errors.Is(err, errRedirect), errors.Is(err, colly.ErrForbiddenDomain), errors.As(err, &already):
		return "redirect"
	case errors.Is(err, errUnsupportedEncoding):
		return "encoding"
	case errors.Is(err, errParse), errors.Is(err, errNotImage):
		return "parse"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		return "rate_limited"
	case status >= 500:
		return "http_5xx"
	case status >= 400:
		return "http_4xx"
	case status >= 300:
		return "redirect"
	}
	return "network"
}
