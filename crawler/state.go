package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
)

// adState is what the crawler remembers of one ad, under the ad's id.
type adState struct {
	Version   string    `json:"version"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// Link is the URL the listing gives for the ad, when it is not the
	// canonical URL the id comes from.
	Link string `json:"link,omitempty"`
	// Fingerprint of the ad's listing entry when its page was last fetched.
	Fingerprint string `json:"fingerprint,omitempty"`
	// FetchedAt is when the ad's page was last fetched (or answered 304).
	FetchedAt time.Time `json:"fetched_at,omitzero"`
	// ETag and LastModified are the page's validators, for a conditional GET.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Misses counts complete crawls in a row that did not list the ad.
	Misses int `json:"misses,omitempty"`
	// GoneAt is when the ad was marked gone; zero while it is live.
	GoneAt time.Time `json:"gone_at,omitzero"`
	// ImageHashes are the perceptual hashes of the ad's images (ad.Raw has
	// no field for them yet).
	ImageHashes []string `json:"image_hashes,omitempty"`
	// Raw is the last version published, for the gone message.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// siteRecord is what the crawlers of a site share about it, under
// "site.<name>": the schedule and the baselines of the health checks.
type siteRecord struct {
	LastCrawl   time.Time `json:"last_crawl,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	// NotBefore is the site's Retry-After: no crawl starts before it.
	NotBefore time.Time `json:"not_before,omitzero"`
	Holder    string    `json:"holder,omitempty"`
	// AdsListed is how many ads the last crawl that listed any saw.
	AdsListed int64 `json:"ads_listed,omitempty"`
	// FieldFill is, per field, the smoothed share of extracted ads the
	// field was found in.
	FieldFill map[string]float64 `json:"field_fill,omitempty"`
}

func (r siteRecord) due(interval time.Duration) time.Time {
	t := r.LastCrawl.Add(interval)
	if r.NotBefore.After(t) {
		t = r.NotBefore
	}
	return t
}

func siteKey(name string) string { return "site." + name }

// isAdKey reports whether key is the id of an ad of site (see ad.NewID:
// the site, a dash and 16 hex digits), so that a site whose name is a
// prefix of another's does not take its ads.
func isAdKey(site, key string) bool {
	rest, ok := strings.CutPrefix(key, site+"-")
	if !ok || len(rest) != 16 {
		return false
	}
	for _, r := range rest {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

func (c *Crawler) loadRecord(ctx context.Context, site string) (siteRecord, error) {
	var rec siteRecord
	b, err := c.state.Get(ctx, siteKey(site))
	if errors.Is(err, bus.ErrKeyNotFound) {
		return rec, nil
	}
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return siteRecord{}, fmt.Errorf("site record %q: %w", siteKey(site), err)
	}
	return rec, nil
}

func (c *Crawler) saveRecord(ctx context.Context, site string, rec *siteRecord) error {
	b, _ := json.Marshal(rec)
	return c.state.Put(ctx, siteKey(site), b)
}

// session is the Crawler's side of one crawl of one site: it decides which
// ad pages to fetch, publishes new versions and keeps the ads' state.
type session struct {
	c      *Crawler
	ctx    context.Context
	site   *Site
	logger *slog.Logger
	now    time.Time
	states map[string]*adState // by ad id, every ad of the site
	byLink map[string]string   // listing link → ad id
	seen   map[string]bool     // ad ids listed by this crawl
	stored map[string]bool     // ad ids whose state this crawl already stored
	live   int                 // ads not gone when the crawl started
	counts map[string]int64    // by change, for the log
}

func (c *Crawler) newSession(ctx context.Context, s *Site, logger *slog.Logger) (*session, error) {
	sess := &session{
		c: c, ctx: ctx, site: s, logger: logger, now: c.now().UTC().Truncate(time.Second),
		states: map[string]*adState{}, byLink: map[string]string{}, seen: map[string]bool{},
		stored: map[string]bool{}, counts: map[string]int64{},
	}
	keys, err := c.state.Keys(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if !isAdKey(s.Name, k) {
			continue
		}
		b, err := c.state.Get(ctx, k)
		if errors.Is(err, bus.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("crawl state of %q: %w", k, err)
		}
		var st adState
		if err := json.Unmarshal(b, &st); err != nil {
			logger.Warn("crawl state unreadable; treating the ad as new", "ad", k, "err", err)
			continue
		}
		sess.states[k] = &st
		if st.Link != "" {
			sess.byLink[st.Link] = k
		}
		if st.GoneAt.IsZero() {
			sess.live++
		}
	}
	return sess, nil
}

func (s *session) hooks() hooks {
	return hooks{listed: s.listed, found: s.found, notModified: s.notModified, gone: s.goneHook}
}

// idOf finds the ad listed at link.
func (s *session) idOf(link string) (string, bool) {
	if id, ok := s.byLink[link]; ok {
		return id, true
	}
	id := ad.NewID(s.site.Name, link)
	_, ok := s.states[id]
	return id, ok
}

func (s *session) seenCount() int { return len(s.seen) }

// listed decides whether to fetch an ad's page: when it is new, when its
// listing entry changed, when it had gone and is back, or when its page was
// last fetched refetch_after ago (then with a conditional GET).
func (s *session) listed(link, fp string) fetchPlan {
	id, ok := s.idOf(link)
	if !ok {
		return fetchPlan{fetch: true}
	}
	s.seen[id] = true
	s.c.ads.Add(1)
	st := s.states[id]
	switch {
	case !st.GoneAt.IsZero(), st.Fingerprint != fp:
		return fetchPlan{fetch: true}
	case s.now.Sub(st.FetchedAt) >= time.Duration(s.site.RefetchAfter):
		return fetchPlan{fetch: true, etag: st.ETag, lastModified: st.LastModified}
	}
	s.c.skipped.Add(1)
	s.count("skipped")
	return fetchPlan{}
}

func (s *session) count(change string) {
	s.counts[change]++
	s.c.metrics.ads.WithLabelValues(s.site.Name, change).Inc()
}

// found publishes an ad if it is new, changed or back, and stores its state.
func (s *session) found(f *foundAd) error {
	r := f.raw
	st, known := s.states[r.ID]
	if !s.seen[r.ID] { // a new ad: listed could not know its id
		s.seen[r.ID] = true
		s.c.ads.Add(1)
	}
	if !known {
		st = &adState{FirstSeen: s.now}
		s.states[r.ID] = st
	}
	version := r.Version()
	back := !st.GoneAt.IsZero()
	switch {
	case !known:
		s.count("new")
	case back:
		s.count("reappeared")
	case st.Version != version:
		s.count("changed")
	default:
		s.count("unchanged")
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if st.Version != version || back {
		if err := s.c.pub.Publish(s.ctx, bus.RawSubject(r.Site), r.ID+"."+version, data); err != nil {
			s.c.metrics.errors.WithLabelValues(s.site.Name, "publish").Inc()
			return err
		}
		s.c.published.Add(1)
		st.Version = version
		st.Raw = data
	}
	if len(st.Raw) == 0 {
		st.Raw = data
	}
	st.LastSeen, st.FetchedAt = s.now, s.now
	st.Fingerprint, st.ETag, st.LastModified = f.fingerprint, f.etag, f.lastModified
	st.ImageHashes = f.imageHashes
	st.Misses, st.GoneAt = 0, time.Time{}
	if f.link != "" && f.link != r.URL {
		st.Link = f.link
		s.byLink[f.link] = r.ID
	}
	return s.store(r.ID, st)
}

func (s *session) store(id string, st *adState) error {
	b, _ := json.Marshal(st)
	if err := s.c.state.Put(s.ctx, id, b); err != nil {
		s.c.metrics.errors.WithLabelValues(s.site.Name, "state").Inc()
		return fmt.Errorf("crawl state of %q: %w", id, err)
	}
	s.stored[id] = true
	return nil
}

func (s *session) notModified(link string) error {
	id, ok := s.idOf(link)
	if !ok {
		return nil
	}
	st := s.states[id]
	st.FetchedAt, st.LastSeen, st.Misses = s.now, s.now, 0
	s.count("unchanged")
	return s.store(id, st)
}

// goneHook marks an ad whose page answered 404 or 410 gone at once.
func (s *session) goneHook(link string) error {
	id, ok := s.idOf(link)
	if !ok || !s.states[id].GoneAt.IsZero() {
		return nil
	}
	delete(s.seen, id)
	return s.markGone(id, s.states[id])
}

func (s *session) markGone(id string, st *adState) error {
	g := Gone{FirstSeen: st.FirstSeen, LastSeen: st.LastSeen, GoneAt: s.now}
	if len(st.Raw) > 0 {
		_ = json.Unmarshal(st.Raw, &g.Raw)
	}
	if g.Raw.ID == "" {
		g.Raw = ad.Raw{ID: id, Site: s.site.Name, URL: st.Link}
	}
	// The gone marker travels down the pipeline as a new version of the
	// ad, so the index can show outreach that the ad is no longer up.
	g.Raw.GoneAt = s.now
	data, err := json.Marshal(g.Raw)
	if err != nil {
		return err
	}
	version := g.Raw.Version()
	if err := s.c.pub.Publish(s.ctx, bus.RawSubject(g.Raw.Site), id+"."+version, data); err != nil {
		s.c.metrics.errors.WithLabelValues(s.site.Name, "publish").Inc()
		return fmt.Errorf("gone ad %q: %w", id, err)
	}
	s.c.published.Add(1)
	st.Version, st.Raw = version, data
	if s.c.onGone != nil {
		if err := s.c.onGone(s.ctx, g); err != nil {
			return fmt.Errorf("gone ad %q: %w", id, err)
		}
	}
	st.GoneAt = s.now
	s.c.gone.Add(1)
	s.count("gone")
	s.logger.Info("ad gone from the site", "ad", id, "url", g.Raw.URL, "first_seen", st.FirstSeen, "last_seen", st.LastSeen)
	return s.store(id, st)
}

// finish records that the listed ads were seen, and counts a miss for every
// live ad a complete crawl did not list; gone_after misses in a row mark it
// gone. A crawl that listed fewer than half the live ads counts no misses:
// that looks like a broken layout or a site in trouble, not a mass exodus.
func (s *session) finish(ctx context.Context, st CrawlStats, complete bool) {
	sane := len(s.seen)*2 >= s.live
	if complete && !sane {
		s.logger.Warn("crawl listed fewer than half the ads that were live; no ad is marked gone", "listed", len(s.seen), "live", s.live)
	}
	ids := make([]string, 0, len(s.states))
	for id := range s.states {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	live := 0
	for _, id := range ids {
		if ctx.Err() != nil {
			return
		}
		a := s.states[id]
		var err error
		switch {
		case s.seen[id]:
			if !s.stored[id] {
				a.LastSeen, a.Misses = s.now, 0
				err = s.store(id, a)
			}
		case !a.GoneAt.IsZero():
		case complete && sane:
			a.Misses++
			if a.Misses >= s.site.GoneAfter {
				err = s.markGone(id, a)
			} else {
				err = s.store(id, a)
			}
		}
		if err != nil {
			s.c.errors.Add(1)
			s.logger.Warn("cannot store an ad's crawl state", "ad", id, "err", err)
		}
		if a.GoneAt.IsZero() {
			live++
		}
	}
	s.c.metrics.listed.WithLabelValues(s.site.Name).Set(float64(len(s.seen)))
	s.c.metrics.live.WithLabelValues(s.site.Name).Set(float64(live))
}
