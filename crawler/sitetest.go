package crawler

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"unicode/utf8"
)

// TestSite shows an operator what a site config extracts, so that
// selectors can be tuned in minutes: it fetches the site's first listing
// page (or API page) and one ad (adURL, or the first one listed), with the
// same politeness and safety rules as a crawl, and writes to w the ad links
// found, the next page, and for each field its rule and what it extracted.
// It returns an error when the listing shows no ad, the ad cannot be
// fetched, or title and text both come out empty; other fields that come
// out empty are pointed out in the output (an ad may not show them). It
// publishes and stores nothing.
func TestSite(ctx context.Context, site *Site, adURL string, w io.Writer) error {
	var logBuf strings.Builder
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&logBuf, &logMu}, &slog.HandlerOptions{
		Level:       slog.LevelWarn,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr { return dropTime(a) },
	}))
	var (
		mu      sync.Mutex
		listing struct {
			url   string
			links []string
			next  string
			seen  bool
		}
		found *foundAd
		first string
	)
	h := hooks{
		listed: func(link, _ string) fetchPlan {
			if first == "" {
				first = link
			}
			// JSON API items: extract the one asked for, or the first.
			return fetchPlan{fetch: link == adURL || (adURL == "" && link == first)}
		},
		found: func(f *foundAd) error {
			mu.Lock()
			defer mu.Unlock()
			if found == nil {
				found = f
			}
			return nil
		},
		gone: func(link string) error { return fmt.Errorf("ad page %s answered 404/410: the ad is gone", link) },
	}
	cr, err := newCrawl(ctx, site, logger, h)
	if err != nil {
		return err
	}
	defer cr.cancel(nil)
	cr.onlyListing = site.HTML != nil
	cr.onListingPage = func(u string, links []string, next string) {
		mu.Lock()
		defer mu.Unlock()
		if !listing.seen {
			listing.url, listing.links, listing.next, listing.seen = u, links, next, true
		}
	}
	cr.singlePage = true

	fmt.Fprintf(w, "site %s (%s)\n", site.Name, site.BaseURL)
	fmt.Fprintf(w, "user agent: %s\nrobots.txt: %s\n\n", cr.c.UserAgent, map[bool]string{true: "respected", false: "IGNORED (respect_robots_txt: false)"}[*site.RespectRobotsTxt])

	var problems, notes []string
	if hs := site.HTML; hs != nil {
		u := ""
		switch {
		case len(hs.Seeds) > 0:
			u = cr.resolve(hs.Seeds[0])
			cr.request(u, kindListing, nil, nil)
		default:
			u = cr.resolve(hs.pageURL(*hs.FirstPage))
			cr.request(u, kindListing, nil, map[string]string{"page": fmt.Sprint(*hs.FirstPage)})
		}
		cr.c.Wait()
		fmt.Fprintf(w, "listing %s\n", u)
		if !listing.seen {
			problems = append(problems, "the listing page could not be fetched (see the log below)")
		} else {
			fmt.Fprintf(w, "  ad links (%s): %d\n", hs.AdLinks, len(listing.links))
			for i, l := range listing.links {
				if i == 5 {
					fmt.Fprintf(w, "    ... and %d more\n", len(listing.links)-5)
					break
				}
				fmt.Fprintf(w, "    %s\n", l)
			}
			switch {
			case hs.NextPage != "" || hs.PageURL != "":
				fmt.Fprintf(w, "  next page: %s\n", orNone(listing.next))
			}
			if len(listing.links) == 0 {
				problems = append(problems, fmt.Sprintf("the listing shows no ad links: html.ad_links %q matches nothing", hs.AdLinks))
			}
		}
		target := adURL
		if target == "" && len(listing.links) > 0 {
			target = listing.links[0]
		}
		if target != "" {
			fmt.Fprintf(w, "\nad %s\n", target)
			cr.request(cr.resolve(target), kindAd, nil, map[string]string{"link": target})
			cr.c.Wait()
		}
	} else {
		cr.visitPage(*site.JSONAPI.FirstPage)
		cr.c.Wait()
		fmt.Fprintf(w, "API page %s\n", cr.resolve(site.JSONAPI.pageURL(*site.JSONAPI.FirstPage)))
		if !listing.seen {
			problems = append(problems, "the API page could not be fetched or read (see the log below)")
		} else {
			fmt.Fprintf(w, "  items (%s): %d\n", site.JSONAPI.Items, len(listing.links))
			if site.JSONAPI.TotalPages != "" {
				fmt.Fprintf(w, "  next: %s\n", orNone(listing.next))
			}
			if len(listing.links) == 0 {
				problems = append(problems, fmt.Sprintf("the API page has no items at %q", site.JSONAPI.Items))
			}
		}
		if found != nil {
			fmt.Fprintf(w, "\nad %s\n", found.link)
		}
	}
	if cr.err != nil {
		problems = append(problems, cr.err.Error())
	}
	if found == nil {
		if len(problems) == 0 {
			problems = append(problems, "no ad was extracted (see the log below)")
		}
	} else {
		notes = writeAd(w, site, found)
		if found.raw.Title == "" && found.raw.Text == "" {
			problems = append(problems, "title and text are both empty: the ad page selectors do not match")
		}
	}
	logMu.Lock()
	if logBuf.Len() > 0 {
		fmt.Fprintf(w, "\nlog:\n%s", logBuf.String())
	}
	logMu.Unlock()
	if len(notes) > 0 {
		fmt.Fprintf(w, "\nnotes:\n")
		for _, n := range notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
	if len(problems) > 0 {
		fmt.Fprintf(w, "\nPROBLEMS:\n")
		for _, p := range problems {
			fmt.Fprintf(w, "  - %s\n", p)
		}
		return fmt.Errorf("site %q: %s", site.Name, strings.Join(problems, "; "))
	}
	fmt.Fprintf(w, "\nok\n")
	return nil
}

// writeAd writes what each field rule extracted and returns notes on it.
func writeAd(w io.Writer, site *Site, f *foundAd) []string {
	var notes []string
	fmt.Fprintf(w, "  canonical URL: %s\n  id: %s\n", f.raw.URL, f.raw.ID)
	if site.HTML != nil {
		for _, r := range site.HTML.Fields {
			if r.JSONLD != "" {
				fmt.Fprintf(w, "  JSON-LD objects on the page: %d\n", f.jsonLDObjects)
				break
			}
		}
	}
	fmt.Fprintf(w, "\n  fields:\n")
	var empty []string
	for _, name := range extractedOrConstant(site) {
		v := f.values[name]
		fmt.Fprintf(w, "  %-11s %s\n", name, ruleString(site, name))
		if len(v) == 0 {
			fmt.Fprintf(w, "              EMPTY\n")
			empty = append(empty, name)
			continue
		}
		for i, s := range v {
			if i == 5 {
				fmt.Fprintf(w, "              ... and %d more\n", len(v)-5)
				break
			}
			fmt.Fprintf(w, "              %q\n", truncate(s, 200))
		}
	}
	if len(f.values["images"]) > 0 || len(f.imageHashes) > 0 {
		fmt.Fprintf(w, "  image hashes: %s\n", orNone(strings.Join(f.imageHashes, " ")))
	}
	b, _ := json.MarshalIndent(f.raw, "  ", "  ")
	fmt.Fprintf(w, "\n  raw ad as published:\n  %s\n", b)
	if len(empty) > 0 {
		notes = append(notes, fmt.Sprintf("fields that came out empty on this ad: %s (fine if the ad does not show them; otherwise fix their rules)", strings.Join(empty, ", ")))
	}
	return notes
}

func extractedOrConstant(s *Site) []string {
	if s.HTML != nil {
		return sortedKeys(s.HTML.Fields)
	}
	var out []string
	for _, k := range sortedKeys(s.JSONAPI.Fields) {
		if k != "url" {
			out = append(out, k)
		}
	}
	return out
}

func ruleString(s *Site, name string) string {
	if s.JSONAPI != nil {
		return "path " + s.JSONAPI.Fields[name]
	}
	r := s.HTML.Fields[name]
	var parts []string
	if r.Value != "" {
		parts = append(parts, fmt.Sprintf("value %q", r.Value))
	}
	if r.JSONLD != "" {
		t := r.JSONLDType
		if t == "" {
			t = s.HTML.JSONLDType
		}
		if t != "" {
			parts = append(parts, fmt.Sprintf("json_ld %s (@type %s)", r.JSONLD, t))
		} else {
			parts = append(parts, "json_ld "+r.JSONLD)
		}
	}
	if r.Selector != "" {
		sel := "selector " + r.Selector
		if r.Attr != "" {
			sel += " @" + r.Attr
		}
		if r.JSONLD != "" {
			sel = "else " + sel
		}
		parts = append(parts, sel)
	}
	if r.Regex != "" {
		parts = append(parts, "regex "+r.Regex)
	}
	if r.Multiple {
		parts = append(parts, "multiple")
	}
	return strings.Join(parts, ", ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func dropTime(a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
