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
	// Delay between two requests to the site (default 2s; 0 is only allowed
	// with allow_private_addresses, for the simulator).
	Delay *Duration `yaml:"delay"`
	// Parallelism is how many requests may be in flight at once (default 1).
	Parallelism int `yaml:"parallelism"`
	// MaxPages caps listing pages per crawl, a guard against pagination
	// traps (default 50).
	MaxPages int `yaml:"max_pages"`
	// MaxBodyBytes caps a response body (default 5 MiB).
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// Timeout of one request (default 30s).
	Timeout Duration `yaml:"timeout"`

	// Exactly one of HTML and JSONAPI describes how to read the site.
	HTML    *HTMLSource `yaml:"html"`
	JSONAPI *JSONSource `yaml:"json_api"`

	file string // where it was loaded from, for messages
}

// HTMLSource reads a site of listing pages that link to ad pages.
type HTMLSource struct {
	// Seeds are the first listing pages, absolute or relative to base_url.
	Seeds []string `yaml:"seeds"`
	// NextPage selects the link to the next listing page (its href).
	NextPage string `yaml:"next_page"`
	// AdLinks selects the links to ad pages on a listing page.
	AdLinks string `yaml:"ad_links"`
	// Fields maps ad fields (see FieldNames) to how to extract them from an
	// ad page.
	Fields map[string]FieldRule `yaml:"fields"`
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

// FieldNames are the ad fields a site config may extract.
var FieldNames = []string{"title", "text", "name", "city", "age", "price_text", "phones", "languages", "category", "lang", "posted_at"}

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
	if len(h.Seeds) == 0 {
		p.add("html.seeds", "give at least one listing page URL")
	}
	for _, name := range []string{"next_page", "ad_links"} {
		v := map[string]string{"next_page": h.NextPage, "ad_links": h.AdLinks}[name]
		if v == "" && name == "next_page" {
			continue
		}
		if _, err := cascadia.Compile(v); err != nil {
			p.add("html."+name, "%q is not a CSS selector: %v", v, err)
		}
	}
	for _, name := range sortedKeys(h.Fields) {
		path := "html.fields." + name
		if !knownField(name) {
			p.add(path, "unknown field; valid fields are %s", strings.Join(FieldNames, ", "))
			continue
		}
		r := h.Fields[name]
		switch {
		case r.Value != "" && r.Selector != "":
			p.add(path, "give selector or value, not both")
		case r.Value == "" && r.Selector == "":
			p.add(path, "give a selector (or a constant value)")
		case r.Selector != "":
			sel, err := cascadia.Compile(r.Selector)
			if err != nil {
				p.add(path+".selector", "%q is not a CSS selector: %v", r.Selector, err)
			}
			r.sel = sel
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

// pageURL returns the JSON API URL of page n.
func (j *JSONSource) pageURL(n int) string {
	return strings.ReplaceAll(j.URL, "{page}", strconv.Itoa(n))
}
