package crawler

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"gopkg.in/yaml.v3"
)

// Defaults of a site config; a zero or missing value means the default.
var (
	DefaultInterval     = 15 * time.Minute
	DefaultDelay        = 2 * time.Second
	DefaultParallelism  = 1
	DefaultMaxPages     = 50
	DefaultMaxBodyBytes = int64(5 << 20)
	DefaultTimeout      = 30 * time.Second

	DefaultMaxAdPages        = 2000
	DefaultMaxRetries        = 3
	DefaultMaxRetryWait      = 5 * time.Minute
	DefaultMaxFailuresInARow = 10
	DefaultRefetchAfter      = 24 * time.Hour
	DefaultGoneAfter         = 2
	DefaultMaxImages         = 4
	DefaultMaxImageBytes     = int64(2 << 20)
)

// Site is one site config (configs/sites/*.yaml). The format is documented in
// configs/sites/README.md.
type Site struct {
	// Name identifies the site in messages, subjects and the index:
	// lower-case letters, digits and dashes.
	Name string `yaml:"name"`
	// BaseURL is where relative seeds and links resolve; http or https.
	BaseURL string `yaml:"base_url"`
	// Category is given to ads whose page does not state one.
	Category string `yaml:"category"`
	// Contact is an e-mail address or URL put in the User-Agent so that a
	// site's operator can reach us. Required.
	Contact string `yaml:"contact"`
	// Interval between two crawls of the site's listings (default 15m).
	Interval Duration `yaml:"interval"`
	// RespectRobotsTxt defaults to true; turning it off must be explicit.
	RespectRobotsTxt *bool `yaml:"respect_robots_txt"`
	// AllowPrivateAddresses lets the crawler connect to loopback, private and
	// link-local addresses (the simulator); off by default so a crawled link
	// can never reach internal services.
	AllowPrivateAddresses bool `yaml:"allow_private_addresses"`
	// Delay after each request before the next one to the same host may
	// start (default 2s; 0 is only allowed with allow_private_addresses,
	// for the simulator).
	Delay *Duration `yaml:"delay"`
	// Jitter is the most that is added at random to each delay (default
	// half the delay), so that requests do not come like clockwork.
	Jitter *Duration `yaml:"jitter"`
	// Parallelism is how many requests to one host may be in flight at
	// once (default 1).
	Parallelism int `yaml:"parallelism"`
	// MaxPages caps listing pages per crawl, a guard against pagination
	// traps (default 50).
	MaxPages int `yaml:"max_pages"`
	// MaxAdPages caps ad pages fetched per crawl (default 2000); the rest
	// are fetched by the next crawls.
	MaxAdPages int `yaml:"max_ad_pages"`
	// MaxBodyBytes caps a response body after decompression (default 5
	// MiB); a larger page is an error, never truncated.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// Timeout of one request, body included (default 30s).
	Timeout Duration `yaml:"timeout"`
	// MaxRetries is how often a request answered 429 or 503 is retried,
	// after its Retry-After or an exponential backoff (default 3; 0: never).
	MaxRetries *int `yaml:"max_retries"`
	// MaxRetryWait is the longest Retry-After waited for within a crawl
	// (default 5m); a longer one stops the crawl, and the next starts when
	// the site asked.
	MaxRetryWait Duration `yaml:"max_retry_wait"`
	// MaxFailuresInARow stops a crawl after this many failed requests in a
	// row (default 10): a site in a 5xx storm is not hammered.
	MaxFailuresInARow int `yaml:"max_failures_in_a_row"`
	// RefetchAfter is how long an ad page whose listing entry has not
	// changed goes without being fetched again (default 24h); a changed
	// entry is fetched at once, with a conditional GET when the site gave
	// an ETag or Last-Modified.
	RefetchAfter Duration `yaml:"refetch_after"`
	// GoneAfter is how many complete crawls in a row must miss an ad
	// before it is marked gone (default 2).
	GoneAfter int `yaml:"gone_after"`
	// Encoding of pages that declare none or a wrong one (such as
	// windows-1252); empty to detect it from the page.
	Encoding string `yaml:"encoding"`
	// MaxImages caps the images of one ad that are fetched and hashed
	// (default 4; 0: none).
	MaxImages *int `yaml:"max_images"`
	// MaxImageBytes caps one image (default 2 MiB).
	MaxImageBytes int64 `yaml:"max_image_bytes"`
	// ImageHosts are other hosts (such as a CDN) images may be fetched
	// from; by default only base_url's host.
	ImageHosts []string `yaml:"image_hosts"`

	// Exactly one of HTML and JSONAPI describes how to read the site.
	HTML    *HTMLSource `yaml:"html"`
	JSONAPI *JSONSource `yaml:"json_api"`

	file string            // where it was loaded from, for messages
	enc  encoding.Encoding // compiled Encoding; nil: detect
}

// HTMLSource reads a site of listing pages that link to ad pages.
type HTMLSource struct {
	// Seeds are the first listing pages, absolute or relative to base_url.
	// Required unless PageURL is given.
	Seeds []string `yaml:"seeds"`
	// NextPage selects the link to the next listing page (its href).
	NextPage string `yaml:"next_page"`
	// PageURL numbers listing pages instead: a URL with "{page}" where the
	// page number goes. Paging starts at FirstPage and stops at a page
	// that fails or shows no ad not already seen (or at max_pages).
	PageURL string `yaml:"page_url"`
	// FirstPage is the number of PageURL's first page (default 1).
	FirstPage *int `yaml:"first_page"`
	// AdLinks selects the links to ad pages on a listing page.
	AdLinks string `yaml:"ad_links"`
	// ListingEntry selects the element around one ad link on a listing
	// page (such as "li.ad"); when its text changes, the ad page is fetched
	// again. Default: the link itself.
	ListingEntry string `yaml:"listing_entry"`
	// JSONLDType picks, for json_ld field rules, the JSON-LD object of this
	// @type (such as "Person"); default: the first object that has the path.
	JSONLDType string `yaml:"json_ld_type"`
	// Fields maps ad fields (see FieldNames) to how to extract them from an
	// ad page.
	Fields map[string]FieldRule `yaml:"fields"`

	adLinks, nextPage, entry cascadia.Selector
}

// FieldRule extracts one field from an ad page.
type FieldRule struct {
	// Selector is a CSS selector; the text of the matching elements is the
	// value (with <br> as a line break), unless Attr is set.
	Selector string `yaml:"selector"`
	// Attr takes the value from this attribute instead of the text.
	Attr string `yaml:"attr"`
	// Multiple keeps every match (for list fields); otherwise the first.
	Multiple bool `yaml:"multiple"`
	// Regex cleans a value: the first capture group (or the whole match)
	// is kept; a value it does not match is dropped.
	Regex string `yaml:"regex"`
	// Value is a constant used instead of a selector.
	Value string `yaml:"value"`
	// JSONLD is a dot path into the page's JSON-LD (<script
	// type="application/ld+json">), such as "address.addressLocality". When
	// the page has a value there it is used; otherwise Selector, if given.
	JSONLD string `yaml:"json_ld"`
	// JSONLDType reads JSONLD from the JSON-LD object of this @type (such
	// as "Offer"); default html.json_ld_type.
	JSONLDType string `yaml:"json_ld_type"`

	sel cascadia.Selector
	re  *regexp.Regexp
}

// JSONSource reads a site that serves its ads through a paged JSON API.
type JSONSource struct {
	// URL of a page of ads, absolute or relative to base_url, with "{page}"
	// standing for the page number.
	URL string `yaml:"url"`
	// FirstPage is the number of the first page (default 1).
	FirstPage *int `yaml:"first_page"`
	// Items is the dot path of the array of ads in a page.
	Items string `yaml:"items"`
	// TotalPages is the dot path of the page count, if the API gives one;
	// otherwise paging stops at the first empty page (or max_pages).
	TotalPages string `yaml:"total_pages"`
	// Fields maps ad fields (see FieldNames, plus "url") to dot paths
	// within one item.
	Fields map[string]string `yaml:"fields"`
}

// FieldNames are the ad fields a site config may extract. "images" are
// image URLs: each image is fetched and reduced to a perceptual hash, and
// the image itself is never stored.
var FieldNames = []string{"title", "text", "name", "city", "age", "price_text", "phones", "languages", "category", "lang", "posted_at", "images"}

var siteNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Duration is a time.Duration written as "90s", "15m" or "1h30m".
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		// A TypeError lets the decoder go on and report every problem at once.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a duration such as 90s, 15m or 1h", n.Line, n.Value)}}
	}
	*d = Duration(v)
	return nil
}

// LoadSite reads and checks one site config file.
func LoadSite(path string) (*Site, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseSite(path, data)
}

// LoadSites reads every *.yaml file of dir, reporting every problem of every
// file at once.
func LoadSites(dir string) ([]*Site, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s: no site configs (*.yaml)", dir)
	}
	sort.Strings(paths)
	var sites []*Site
	var errs []error
	names := map[string]string{}
	for _, p := range paths {
		s, err := LoadSite(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, ok := names[s.Name]; ok {
			errs = append(errs, fmt.Errorf("%s: name %q is already used by %s", p, s.Name, prev))
			continue
		}
		names[s.Name] = p
		sites = append(sites, s)
	}
	return sites, errors.Join(errs...)
}

// ParseSite decodes a site config strictly (unknown fields are errors),
// applies defaults and checks every value; the error lists every problem,
// each as file:line: field: what is wrong and what would be valid.
func ParseSite(file string, data []byte) (*Site, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	s := &Site{file: file}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var errs []error
	if err := dec.Decode(s); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for _, e := range te.Errors {
			errs = append(errs, fmt.Errorf("%s:%s", file, strings.TrimPrefix(e, "line ")))
			if strings.Contains(e, "already defined") {
				// yaml.v3 stops decoding at a duplicate key: the checks
				// below would only report what was never read.
				return nil, errors.Join(errs...)
			}
		}
	}
	p := problems{file: file, root: &root}
	s.check(&p)
	errs = append(errs, p.errs...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// problems collects config errors with the line of the field they concern.
type problems struct {
	file string
	root *yaml.Node
	errs []error
}

func (p *problems) add(path, format string, args ...any) {
	line := lineOf(p.root, strings.Split(path, "."))
	p.errs = append(p.errs, fmt.Errorf("%s:%d: %s: %s", p.file, line, path, fmt.Sprintf(format, args...)))
}

// lineOf finds the line of the deepest existing key along path.
func lineOf(n *yaml.Node, path []string) int {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			return line
		}
	}
	return line
}

func (s *Site) check(p *problems) {
	if !siteNameRE.MatchString(s.Name) {
		p.add("name", "%q must be 1-63 lower-case letters, digits and dashes", s.Name)
	}
	if u, err := url.Parse(s.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.add("base_url", "%q must be an absolute http or https URL", s.BaseURL)
	}
	if s.Contact == "" {
		p.add("contact", "required: an e-mail address or URL for the User-Agent, so the site can reach us")
	}
	if s.Interval == 0 {
		s.Interval = Duration(DefaultInterval)
	}
	if s.RespectRobotsTxt == nil {
		yes := true
		s.RespectRobotsTxt = &yes
	}
	if s.Delay == nil {
		d := Duration(DefaultDelay)
		s.Delay = &d
	} else if *s.Delay == 0 && !s.AllowPrivateAddresses {
		p.add("delay", "0 would hammer a real site; give a delay such as 2s (0 is only for the simulator, with allow_private_addresses)")
	}
	if s.Parallelism == 0 {
		s.Parallelism = DefaultParallelism
	} else if s.Parallelism < 0 || s.Parallelism > 16 {
		p.add("parallelism", "%d must be from 1 to 16", s.Parallelism)
	}
	if s.MaxPages == 0 {
		s.MaxPages = DefaultMaxPages
	} else if s.MaxPages < 0 {
		p.add("max_pages", "%d must be positive", s.MaxPages)
	}
	if s.MaxBodyBytes == 0 {
		s.MaxBodyBytes = DefaultMaxBodyBytes
	} else if s.MaxBodyBytes < 1024 {
		p.add("max_body_bytes", "%d is too small: give at least 1024", s.MaxBodyBytes)
	}
	if s.Timeout == 0 {
		s.Timeout = Duration(DefaultTimeout)
	}
	if s.Jitter == nil {
		j := *s.Delay / 2
		s.Jitter = &j
	}
	if s.MaxAdPages == 0 {
		s.MaxAdPages = DefaultMaxAdPages
	} else if s.MaxAdPages < 0 {
		p.add("max_ad_pages", "%d must be positive", s.MaxAdPages)
	}
	if s.MaxRetries == nil {
		n := DefaultMaxRetries
		s.MaxRetries = &n
	} else if *s.MaxRetries < 0 || *s.MaxRetries > 10 {
		p.add("max_retries", "%d must be from 0 to 10", *s.MaxRetries)
	}
	if s.MaxRetryWait == 0 {
		s.MaxRetryWait = Duration(DefaultMaxRetryWait)
	}
	if s.MaxFailuresInARow == 0 {
		s.MaxFailuresInARow = DefaultMaxFailuresInARow
	} else if s.MaxFailuresInARow < 0 {
		p.add("max_failures_in_a_row", "%d must be positive", s.MaxFailuresInARow)
	}
	if s.RefetchAfter == 0 {
		s.RefetchAfter = Duration(DefaultRefetchAfter)
	}
	if s.GoneAfter == 0 {
		s.GoneAfter = DefaultGoneAfter
	} else if s.GoneAfter < 0 || s.GoneAfter > 100 {
		p.add("gone_after", "%d must be from 1 to 100 crawls", s.GoneAfter)
	}
	if s.Encoding != "" {
		e, _ := charset.Lookup(s.Encoding)
		if e == nil {
			p.add("encoding", "%q is not a known character encoding; give one such as windows-1252, iso-8859-1 or utf-8", s.Encoding)
		}
		s.enc = e
	}
	if s.MaxImages == nil {
		n := DefaultMaxImages
		s.MaxImages = &n
	} else if *s.MaxImages < 0 || *s.MaxImages > 20 {
		p.add("max_images", "%d must be from 0 to 20", *s.MaxImages)
	}
	if s.MaxImageBytes == 0 {
		s.MaxImageBytes = DefaultMaxImageBytes
	} else if s.MaxImageBytes < 1024 || s.MaxImageBytes > 64<<20 {
		p.add("max_image_bytes", "%d must be from 1024 to 67108864", s.MaxImageBytes)
	}
	for i, h := range s.ImageHosts {
		if h == "" || strings.ContainsAny(h, "/:@ ") {
			p.add("image_hosts", "entry %d, %q, must be a host name such as img.example.org, without scheme, port or path", i+1, h)
		}
	}
	switch {
	case s.HTML == nil && s.JSONAPI == nil:
		p.add("html", "a site needs either an html or a json_api section")
	case s.HTML != nil && s.JSONAPI != nil:
		p.add("json_api", "give either html or json_api, not both")
	case s.HTML != nil:
		s.HTML.check(p)
	default:
		s.JSONAPI.check(p)
	}
}

func (h *HTMLSource) check(p *problems) {
	if len(h.Seeds) == 0 && h.PageURL == "" {
		p.add("html.seeds", "give at least one listing page URL (or a page_url with {page})")
	}
	if h.PageURL != "" && !strings.Contains(h.PageURL, "{page}") {
		p.add("html.page_url", "%q must contain {page} where the page number goes", h.PageURL)
	}
	if h.FirstPage == nil {
		one := 1
		h.FirstPage = &one
	} else if *h.FirstPage < 0 {
		p.add("html.first_page", "%d must be 0 or more", *h.FirstPage)
	}
	compile := func(name, v string, required bool) cascadia.Selector {
		if v == "" && !required {
			return nil
		}
		sel, err := cascadia.Compile(v)
		if err != nil {
			p.add("html."+name, "%q is not a CSS selector: %v", v, err)
		}
		return sel
	}
	h.adLinks = compile("ad_links", h.AdLinks, true)
	h.nextPage = compile("next_page", h.NextPage, false)
	h.entry = compile("listing_entry", h.ListingEntry, false)
	for _, name := range sortedKeys(h.Fields) {
		path := "html.fields." + name
		if !knownField(name) {
			p.add(path, "unknown field; valid fields are %s", strings.Join(FieldNames, ", "))
			continue
		}
		r := h.Fields[name]
		switch {
		case r.Value != "" && (r.Selector != "" || r.JSONLD != ""):
			p.add(path, "give a selector and/or json_ld, or a constant value, not both")
		case r.Value == "" && r.Selector == "" && r.JSONLD == "":
			p.add(path, "give a selector, a json_ld path or a constant value")
		}
		if r.Selector != "" {
			sel, err := cascadia.Compile(r.Selector)
			if err != nil {
				p.add(path+".selector", "%q is not a CSS selector: %v", r.Selector, err)
			}
			r.sel = sel
		}
		if r.JSONLD != "" && (strings.HasPrefix(r.JSONLD, ".") || strings.HasSuffix(r.JSONLD, ".") || strings.Contains(r.JSONLD, "..")) {
			p.add(path+".json_ld", "%q is not a dot path such as address.addressLocality", r.JSONLD)
		}
		if r.JSONLDType != "" && r.JSONLD == "" {
			p.add(path+".json_ld_type", "give json_ld, the path the type applies to")
		}
		if name == "images" && r.Selector != "" && r.Attr == "" {
			p.add(path+".attr", "images need the attribute that holds the image URL, such as src or data-src")
		}
		if r.Regex != "" {
			re, err := regexp.Compile(r.Regex)
			if err != nil {
				p.add(path+".regex", "%q is not a valid regular expression (RE2 syntax): %v", r.Regex, err)
			}
			r.re = re
		}
		h.Fields[name] = r
	}
	if _, ok := h.Fields["title"]; !ok {
		if _, ok := h.Fields["text"]; !ok {
			p.add("html.fields", "extract at least title or text")
		}
	}
}

func (j *JSONSource) check(p *problems) {
	if !strings.Contains(j.URL, "{page}") {
		p.add("json_api.url", "%q must contain {page} where the page number goes", j.URL)
	}
	if j.FirstPage == nil {
		one := 1
		j.FirstPage = &one
	}
	if j.Items == "" {
		p.add("json_api.items", "give the dot path of the array of ads, such as data.ads")
	}
	if _, ok := j.Fields["url"]; !ok {
		p.add("json_api.fields", "map url: the ad's URL identifies it")
	}
	for _, name := range sortedKeys(j.Fields) {
		if name != "url" && !knownField(name) {
			p.add("json_api.fields."+name, "unknown field; valid fields are url, %s", strings.Join(FieldNames, ", "))
		}
		if j.Fields[name] == "" {
			p.add("json_api.fields."+name, "give a dot path such as profile.name")
		}
	}
}

func compileSelector(s string) (cascadia.Selector, error) { return cascadia.Compile(s) }

func knownField(name string) bool {
	for _, f := range FieldNames {
		if f == name {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// pageURL returns the listing URL of page n.
func (h *HTMLSource) pageURL(n int) string {
	return strings.ReplaceAll(h.PageURL, "{page}", strconv.Itoa(n))
}

// pageURL returns the JSON API URL of page n.
func (j *JSONSource) pageURL(n int) string {
	return strings.ReplaceAll(j.URL, "{page}", strconv.Itoa(n))
}
