package crossad

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
)

// The market in the linking state: the priced ads of one category posted on
// one day under m.<category>.<yyyymmdd>, by ad id, and the last day with
// any under m.<category>.latest. An ad's price is judged against the ads
// posted in the MarketWindow before it, whatever order they arrived in:
// an ad that arrives late (a crawl goes newest first) joins the market of
// the ads posted after it, which are judged again.

// pricing is a priced ad as its record keeps it.
type pricing struct {
	Cat string `json:"cat"`
	sample
}

func dayOf(t int64) string { return time.Unix(t, 0).UTC().Format("20060102") }

func dayKey(cat string, t int64) string { return "m." + cat + "." + dayOf(t) }

func latestKey(cat string) string { return "m." + cat + ".latest" }

// dayKeys are the keys of the days of cat from from to to.
func dayKeys(cat string, from, to int64) []string {
	var ks []string
	end := time.Unix(to, 0).UTC()
	for d := time.Unix(from, 0).UTC().Truncate(24 * time.Hour); !d.After(end); d = d.Add(24 * time.Hour) {
		ks = append(ks, "m."+cat+"."+d.Format("20060102"))
	}
	return ks
}

// updateMarket moves ad id's price from old to p (either may be nil) and
// advances the category's latest day.
func (l *Linker) updateMarket(ctx context.Context, id string, old, p *pricing) error {
	if old != nil && (p == nil || dayKey(old.Cat, old.T) != dayKey(p.Cat, p.T)) {
		if err := l.updateDay(ctx, dayKey(old.Cat, old.T), id, nil); err != nil {
			return err
		}
	}
	if p == nil {
		return nil
	}
	if err := l.updateDay(ctx, dayKey(p.Cat, p.T), id, &p.sample); err != nil {
		return err
	}
	return l.advanceLatest(ctx, p.Cat, dayOf(p.T))
}

// judgeMarket judges the ad's price and those of every ad its old or new
// price is in the market window of, and returns the ids of the others
// that await republishing. The latest day bounds the search: an ad posted
// later advanced it before judging itself, so it saw this price.
func (l *Linker) judgeMarket(ctx context.Context, id string, old, p *pricing) ([]string, error) {
	v := newDayView()
	cands := []string{id}
	for _, q := range []*pricing{p, old} {
		if q == nil {
			continue
		}
		to := q.T + int64(l.o.MarketWindow/time.Second)
		if latest, err := l.latest(ctx, q.Cat); err != nil {
			return nil, err
		} else if latest < to {
			to = max(latest, q.T)
		}
		keys := dayKeys(q.Cat, q.T, to)
		if _, err := l.fetchDays(ctx, keys, v, false); err != nil {
			return nil, err
		}
		all, _ := v.snapshot(keys)
		for _, x := range all {
			if x.id != id && x.s.T >= q.T && x.s.T <= to && !slices.Contains(cands, x.id) {
				cands = append(cands, x.id)
			}
		}
	}
	dirty := make([]bool, len(cands))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, c := range cands {
		g.Go(func() error {
			var err error
			dirty[i], err = l.settleMarket(gctx, c, v)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []string
	for i, c := range cands[1:] {
		if dirty[i+1] {
			out = append(out, c)
		}
	}
	return out, nil
}

// settleMarket is settle for an ad's market verdict, computed from the
// days of its window.
func (l *Linker) settleMarket(ctx context.Context, id string, v *dayView) (bool, error) {
	window := int64(l.o.MarketWindow / time.Second)
	return l.settleLoop(ctx, id, "market verdict", func(rec *record, refresh bool) (derived, error) {
		p := rec.Priced
		if p == nil {
			return derived{same: sameMarket(nil, rec.Market), set: func(r *record) { r.Market = nil }}, nil
		}
		keys := dayKeys(p.Cat, p.T-window, p.T)
		if _, err := l.fetchDays(ctx, keys, v, refresh); err != nil {
			return derived{}, err
		}
		all, seen := v.snapshot(keys)
		var others []sample
		for _, x := range all {
			if x.id != id && x.s.T >= p.T-window && x.s.T <= p.T {
				others = append(others, x.s)
			}
		}
		raw, err := rec.raw()
		if err != nil {
			return derived{}, fmt.Errorf("crossad: ad %q: %w", id, err)
		}
		ind := l.o.belowMarket(&raw, p.Cat, p.sample, others)
		return derived{
			same:   sameMarket(ind, rec.Market),
			set:    func(r *record) { r.Market = ind },
			seen:   seen,
			reread: func() (map[string]uint64, error) { return l.fetchDays(ctx, keys, v, true) },
		}, nil
	})
}

func sameMarket(a, b *ad.Indicator) bool {
	if a == nil || b == nil {
		return a == b
	}
	return sameIndicators([]ad.Indicator{*a}, []ad.Indicator{*b})
}

// updateDay sets (s nil: removes) ad id's price in one market day.
func (l *Linker) updateDay(ctx context.Context, k, id string, s *sample) error {
	_, err := l.compareAndSet(ctx, k, func(val []byte) ([]byte, error) {
		md := marketDay{S: map[string]sample{}}
		if val != nil {
			if err := json.Unmarshal(val, &md); err != nil {
				return nil, fmt.Errorf("market %q: %w", k, err)
			}
			if md.S == nil {
				md.S = map[string]sample{}
			}
		}
		cur, had := md.S[id]
		if s == nil && !had || s != nil && had && cur == *s {
			return nil, nil
		}
		if s == nil {
			delete(md.S, id)
		} else {
			md.S[id] = *s
		}
		return json.Marshal(md)
	})
	return err
}

// advanceLatest moves the category's latest day forward to day.
func (l *Linker) advanceLatest(ctx context.Context, cat, day string) error {
	_, err := l.compareAndSet(ctx, latestKey(cat), func(val []byte) ([]byte, error) {
		if val != nil && string(val) >= day {
			return nil, nil
		}
		return []byte(day), nil
	})
	return err
}

// latest returns the end of the category's latest day with a price, or 0.
func (l *Linker) latest(ctx context.Context, cat string) (int64, error) {
	val, _, err := l.kv.GetRevision(ctx, latestKey(cat))
	if errors.Is(err, bus.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("crossad: %w", err)
	}
	d, err := time.Parse("20060102", string(val))
	if err != nil {
		return 0, fmt.Errorf("crossad: market %q: %w", latestKey(cat), err)
	}
	return d.Add(24*time.Hour).Unix() - 1, nil
}

// day returns the prices of one market day (read-only) and its revision,
// decoding it only when it changed since the last read.
func (l *Linker) day(ctx context.Context, k string) (map[string]sample, uint64, error) {
	val, rev, err := l.kv.GetRevision(ctx, k)
	if errors.Is(err, bus.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("crossad: %w", err)
	}
	l.daysMu.Lock()
	c, ok := l.days[k]
	l.daysMu.Unlock()
	if ok && c.rev == rev {
		return c.s, rev, nil
	}
	var md marketDay
	if err := json.Unmarshal(val, &md); err != nil {
		return nil, 0, fmt.Errorf("crossad: market %q: %w", k, err)
	}
	l.daysMu.Lock()
	defer l.daysMu.Unlock()
	if len(l.days) >= maxCachedDays {
		clear(l.days)
	}
	l.days[k] = cachedDay{rev: rev, s: md.S}
	return md.S, rev, nil
}

// dayView holds the market days one Link has read, with their revisions.
type dayView struct {
	mu   sync.Mutex
	days map[string]map[string]sample
	revs map[string]uint64
}

type idSample struct {
	id string
	s  sample
}

func newDayView() *dayView {
	return &dayView{days: map[string]map[string]sample{}, revs: map[string]uint64{}}
}

// fetchDays reads the days of keys that v lacks (all with refresh) and
// returns the revisions read.
func (l *Linker) fetchDays(ctx context.Context, keys []string, v *dayView, refresh bool) (map[string]uint64, error) {
	var mu sync.Mutex
	read := map[string]uint64{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, k := range keys {
		v.mu.Lock()
		_, have := v.revs[k]
		v.mu.Unlock()
		if have && !refresh {
			continue
		}
		g.Go(func() error {
			s, rev, err := l.day(gctx, k)
			if err != nil {
				return err
			}
			v.mu.Lock()
			if have, ok := v.revs[k]; !ok || have <= rev {
				v.days[k], v.revs[k] = s, rev
			}
			v.mu.Unlock()
			mu.Lock()
			read[k] = rev
			mu.Unlock()
			return nil
		})
	}
	return read, g.Wait()
}

// snapshot returns the prices of the days of keys, sorted by id, and the
// revisions they are at, taken together.
func (v *dayView) snapshot(keys []string) ([]idSample, map[string]uint64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []idSample
	revs := make(map[string]uint64, len(keys))
	for _, k := range keys {
		for id, s := range v.days[k] {
			out = append(out, idSample{id, s})
		}
		revs[k] = v.revs[k]
	}
	slices.SortFunc(out, func(a, b idSample) int {
		if a.id < b.id {
			return -1
		}
		if a.id > b.id {
			return 1
		}
		return 0
	})
	return out, revs
}
