package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gocolly/colly/v2"
	"golang.org/x/net/html"

	"github.com/adwatch/adwatch/ad"
)

// Version goes into the User-Agent.
const Version = "0.1"

// CrawlStats counts what one crawl of one site did.
type CrawlStats struct {
	Pages  int64 // listing and API pages fetched
	Ads    int64 // ads extracted
	Errors int64 // failed requests and unreadable pages
}

// CrawlOnce crawls site once: every listing page (up to max_pages) and every
// ad it links to. It calls emit for each ad extracted, one call at a time;
// an error from emit stops the crawl. It returns when the crawl is complete
// or ctx ends. Request errors are counted and logged, not returned: one bad
// page must not stop a crawl.
func CrawlOnce(ctx context.Context, site *Site, logger *slog.Logger, emit func(ad.Raw) error) (CrawlStats, error) {
	cr := &crawl{site: site, logger: logger.With("site", site.Name), emit: emit}
	c, err := cr.collector(ctx)
	if err != nil {
		return CrawlStats{}, err
	}
	if site.HTML != nil {
		cr.html(c)
		for _, seed := range site.HTML.Seeds {
			cr.visit(c, cr.resolve(seed), kindListing)
		}
	} else {
		cr.jsonAPI(c)
		cr.visitPage(c, *site.JSONAPI.FirstPage)
	}
	c.Wait()
	st := CrawlStats{Pages: cr.pages.Load(), Ads: cr.ads.Load(), Errors: cr.errors.Load()}
	if err := cr.emitErr(); err != nil {
		return st, err
	}
	return st, ctx.Err()
}

const (
	kindListing = "listing"
	kindAd      = "ad"
	kindPage    = "page" // a JSON API page
)

type crawl struct {
	site   *Site
	logger *slog.Logger
	emit   func(ad.Raw) error

	base               *url.URL
	pages, ads, errors atomic.Int64
	listingPages       atomic.Int64
	mu                 sync.Mutex // serialises emit and guards err
	err                error
}

func (cr *crawl) collector(ctx context.Context) (*colly.Collector, error) {
	s := cr.site
	base, err := url.Parse(s.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("site %q: base_url: %w", s.Name, err)
	}
	cr.base = base
	c := colly.NewCollector(colly.StdlibContext(ctx), colly.Async(true))
	// Fields are set after NewCollector because it applies COLLY_* environment
	// variables last: our config, not the environment, decides politeness.
	c.UserAgent = fmt.Sprintf("adwatch/%s (+%s)", Version, s.Contact)
	c.IgnoreRobotsTxt = !*s.RespectRobotsTxt
	if c.IgnoreRobotsTxt {
		cr.logger.Warn("robots.txt is ignored for this site, as its config says (respect_robots_txt: false)")
	}
	c.MaxBodySize = int(s.MaxBodyBytes)
	c.AllowedDomains = []string{base.Hostname()}
	c.ParseHTTPErrorResponse = false
	c.WithTransport(newTransport(s.AllowPrivateAddresses))
	c.SetRequestTimeout(time.Duration(s.Timeout))
	delay := time.Duration(*s.Delay)
	if err := c.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: s.Parallelism, Delay: delay, RandomDelay: delay / 2}); err != nil {
		return nil, fmt.Errorf("site %q: %w", s.Name, err)
	}
	c.OnResponse(func(*colly.Response) { cr.pages.Add(1) })
	c.OnError(func(r *colly.Response, err error) {
		cr.errors.Add(1)
		cr.logger.Warn("fetch failed", "url", r.Request.URL.String(), "status", r.StatusCode, "err", err)
	})
	return c, nil
}

func (cr *crawl) resolve(ref string) string {
	u, err := cr.base.Parse(ref)
	if err != nil {
		return ref
	}
	return u.String()
}

func (cr *crawl) visit(c *colly.Collector, u, kind string) {
	if cr.emitErr() != nil {
		return
	}
	ctx := colly.NewContext()
	ctx.Put("kind", kind)
	if err := c.Request("GET", u, nil, ctx, nil); err != nil && !isBenignVisitErr(err) {
		cr.errors.Add(1)
		cr.logger.Warn("cannot visit", "url", u, "err", err)
	}
}

// isBenignVisitErr reports errors that only say a link was not followed on
// purpose (already seen, another domain, forbidden by robots.txt).
func isBenignVisitErr(err error) bool {
	var already *colly.AlreadyVisitedError
	return errors.As(err, &already) || errors.Is(err, colly.ErrForbiddenDomain) ||
		errors.Is(err, colly.ErrRobotsTxtBlocked) || errors.Is(err, colly.ErrMissingURL)
}

func (cr *crawl) html(c *colly.Collector) {
	h := cr.site.HTML
	c.OnHTML(h.AdLinks, func(e *colly.HTMLElement) {
		if e.Request.Ctx.Get("kind") != kindListing {
			return
		}
		if href := e.Request.AbsoluteURL(e.Attr("href")); href != "" {
			cr.visit(c, href, kindAd)
		}
	})
	if h.NextPage != "" {
		c.OnHTML(h.NextPage, func(e *colly.HTMLElement) {
			if e.Request.Ctx.Get("kind") != kindListing {
				return
			}
			href := e.Request.AbsoluteURL(e.Attr("href"))
			if href == "" {
				return
			}
			// Seeds count as listing pages too; the cap guards against
			// pagination traps that link on forever.
			if n := cr.listingPages.Add(1); n >= int64(cr.site.MaxPages) {
				cr.logger.Warn("listing pagination capped at max_pages; raise it in the site config if the site really has more", "max_pages", cr.site.MaxPages)
				return
			}
			cr.visit(c, href, kindListing)
		})
	}
	c.OnHTML("html", func(e *colly.HTMLElement) {
		if e.Request.Ctx.Get("kind") != kindAd {
			return
		}
		canonical := e.Request.URL.String()
		if href, ok := e.DOM.Find(`link[rel="canonical"]`).Attr("href"); ok {
			if u := e.Request.AbsoluteURL(href); u != "" {
				canonical = u
			}
		}
		r := cr.newAd(canonical)
		for _, name := range sortedKeys(h.Fields) {
			rule := h.Fields[name]
			setField(&r, name, rule.extract(e.DOM))
		}
		cr.found(r)
	})
}

func (cr *crawl) newAd(canonicalURL string) ad.Raw {
	u, err := url.Parse(canonicalURL)
	if err == nil {
		u.Fragment = ""
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

func (cr *crawl) found(r ad.Raw) {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	if cr.err != nil {
		return
	}
	cr.ads.Add(1)
	if err := cr.emit(r); err != nil {
		cr.err = err
	}
}

func (cr *crawl) emitErr() error {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return cr.err
}

// extract returns the rule's values on an ad page.
func (r FieldRule) extract(doc *goquery.Selection) []string {
	if r.Value != "" {
		return []string{r.Value}
	}
	var out []string
	doc.FindMatcher(r.sel).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		var v string
		if r.Attr != "" {
			v, _ = s.Attr(r.Attr)
		} else {
			v = textOf(s)
		}
		if v = clean(v, r.re); v != "" {
			out = append(out, v)
		}
		return r.Multiple
	})
	return out
}

func clean(v string, re *regexp.Regexp) string {
	v = strings.TrimSpace(v)
	if re == nil || v == "" {
		return v
	}
	m := re.FindStringSubmatch(v)
	switch {
	case m == nil:
		return ""
	case len(m) > 1:
		return strings.TrimSpace(m[1])
	default:
		return strings.TrimSpace(m[0])
	}
}

// blockElements end a line when text is taken from a page.
var blockElements = map[string]bool{"p": true, "div": true, "li": true, "tr": true, "h1": true, "h2": true, "h3": true, "h4": true, "dd": true, "dt": true}

// textOf returns the visible text of a selection with line breaks where
// <br> and block elements put them, and spaces folded within each line.
func textOf(s *goquery.Selection) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "template":
				return
			case "br":
				b.WriteByte('\n')
				return
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
		if n.Type == html.ElementNode && blockElements[n.Data] {
			b.WriteByte('\n')
		}
	}
	for _, n := range s.Nodes {
		walk(n)
	}
	lines := strings.Split(b.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

var firstNumber = regexp.MustCompile(`\d+`)

// setField sets the ad field name from extracted values; values a field
// cannot hold (an age that is no number) leave it unknown.
func setField(r *ad.Raw, name string, values []string) {
	if len(values) == 0 {
		return
	}
	first := values[0]
	switch name {
	case "title":
		r.Title = first
	case "text":
		r.Text = strings.Join(values, "\n")
	case "name":
		r.Name = first
	case "city":
		r.City = first
	case "age":
		if n, err := strconv.Atoi(firstNumber.FindString(first)); err == nil && n > 0 && n < 130 {
			r.Age = n
		}
	case "price_text":
		r.PriceText = first
	case "phones":
		r.Phones = values
	case "languages":
		r.Languages = values
	case "category":
		r.Category = strings.ToLower(first)
	case "lang":
		r.Lang = strings.ToLower(first)
	case "posted_at":
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
			if t, err := time.Parse(layout, first); err == nil {
				r.PostedAt = t.UTC()
				break
			}
		}
	}
}

func (cr *crawl) jsonAPI(c *colly.Collector) {
	j := cr.site.JSONAPI
	c.OnResponse(func(resp *colly.Response) {
		if resp.Request.Ctx.Get("kind") != kindPage {
			return
		}
		page, _ := strconv.Atoi(resp.Request.Ctx.Get("page"))
		var doc any
		if err := json.Unmarshal(resp.Body, &doc); err != nil {
			cr.errors.Add(1)
			cr.logger.Warn("API page is not JSON", "url", resp.Request.URL.String(), "err", err)
			return
		}
		items, ok := lookup(doc, j.Items).([]any)
		if !ok {
			cr.errors.Add(1)
			cr.logger.Warn("API page has no array at items path", "url", resp.Request.URL.String(), "items", j.Items)
			return
		}
		for _, it := range items {
			u := strings.Join(values(lookup(it, j.Fields["url"])), "")
			if u == "" {
				cr.errors.Add(1)
				cr.logger.Warn("API item without url; skipped", "url", resp.Request.URL.String())
				continue
			}
			r := cr.newAd(resp.Request.AbsoluteURL(u))
			for _, name := range sortedKeys(j.Fields) {
				if name != "url" {
					setField(&r, name, values(lookup(it, j.Fields[name])))
				}
			}
			cr.found(r)
		}
		more := len(items) > 0
		if j.TotalPages != "" {
			if total, ok := lookup(doc, j.TotalPages).(float64); ok {
				more = float64(page) < total
			}
		}
		if n := cr.listingPages.Add(1); more && n >= int64(cr.site.MaxPages) {
			cr.logger.Warn("API paging capped at max_pages; raise it in the site config if the site really has more", "max_pages", cr.site.MaxPages)
			return
		}
		if more {
			cr.visitPage(c, page+1)
		}
	})
}

func (cr *crawl) visitPage(c *colly.Collector, page int) {
	ctx := colly.NewContext()
	ctx.Put("kind", kindPage)
	ctx.Put("page", strconv.Itoa(page))
	u := cr.resolve(cr.site.JSONAPI.pageURL(page))
	if err := c.Request("GET", u, nil, ctx, nil); err != nil && !isBenignVisitErr(err) {
		cr.errors.Add(1)
		cr.logger.Warn("cannot visit", "url", u, "err", err)
	}
}

// lookup follows a dot path ("profile.name") through decoded JSON.
func lookup(v any, path string) any {
	if path == "" || path == "." {
		return v
	}
	for _, key := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			v = t[key]
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

// values flattens a JSON value into strings.
func values(v any) []string {
	switch t := v.(type) {
	case nil:
		return nil
	case string:
		if t = strings.TrimSpace(t); t != "" {
			return []string{t}
		}
		return nil
	case float64:
		return []string{strconv.FormatFloat(t, 'f', -1, 64)}
	case bool:
		return []string{strconv.FormatBool(t)}
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, values(e)...)
		}
		return out
	default:
		return nil
	}
}
