package crossad

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/bus"
	"github.com/adwatch/adwatch/internal/wait"
)

// Store is the key-value bucket that holds the linking state, with
// compare-and-set; *bus.KV is one (see bus.KeyValueTTL). Its errors are
// bus.ErrKeyNotFound, bus.ErrKeyExists and bus.ErrRevisionConflict.
type Store interface {
	GetRevision(ctx context.Context, key string) ([]byte, uint64, error)
	Create(ctx context.Context, key string, value []byte) (uint64, error)
	Update(ctx context.Context, key string, value []byte, revision uint64) (uint64, error)
}

// ErrUnknownAd is returned by Raw and Indicators for an ad the linking
// state does not hold (never linked, or past retention).
var ErrUnknownAd = errors.New("ad not in the linking state")

// ErrSuperseded is returned by Link for a version of an ad observed before
// the version the state already holds (a redelivery that arrives after the
// next version was linked): linking it would put the older text back. The
// newer version was, or will be, published; skip this one.
var ErrSuperseded = errors.New("a newer version of the ad is already linked")

// Linker links ads one at a time as the pipeline sees them. Its state lives
// in a key-value bucket, so it survives a restart and is shared by every
// classifier process:
//
//	l.<key>          the entries of the ads under one key: a contact hash
//	                 (l.c.…), a template band (l.t.…), an image chunk (l.i.…)
//	a.<ad id>        one ad: its raw ad (deflated), entry, indicators, the
//	                 sequence of its changes, whether it awaits republishing
//	m.<cat>.<day>    the hourly prices of one category posted on one day
//	m.<cat>.latest   the last such day
//
// Every change is a compare-and-set on the key's revision, retried on
// conflict, so two processes never lose each other's updates; an ad's
// indicators are recomputed from what its keys hold after every change
// that can alter them, and a recomputation is written only if no key it
// read changed meanwhile, so the stored indicators always catch up with
// the state. The answers are Batch's whatever order the ads arrive in. Lists drop ads Retention older than their newest; the bucket's
// TTL drops keys nobody writes any more.
//
// A Linker is safe for concurrent use.
type Linker struct {
	kv  Store
	key ContactKey
	o   Options

	// days caches decoded market days by key and revision: a day's prices
	// are read by every ad of the 90 days after it, and change rarely once
	// it is over.
	daysMu sync.Mutex
	days   map[string]cachedDay
}

type cachedDay struct {
	rev uint64
	s   map[string]sample
}

// maxCachedDays bounds the market cache: a quarter of days for a few dozen
// categories.
const maxCachedDays = 4096

// NewLinker returns a linker keeping its state in kv and hashing contacts
// with key.
func NewLinker(kv Store, key ContactKey, opts Options) (*Linker, error) {
	if key.IsZero() {
		return nil, errors.New("crossad: linker without a contact key")
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Linker{kv: kv, key: key, o: o, days: map[string]cachedDay{}}, nil
}

// BucketTTL is the TTL for the linking state's bucket: keys last written
// longer ago than the retention (and the market window) hold nothing a new
// ad can link to.
func (o Options) BucketTTL() time.Duration {
	d, err := o.withDefaults()
	if err != nil {
		d, _ = Options{}.withDefaults()
	}
	return max(d.Retention, d.MarketWindow) + 24*time.Hour
}

// record is one ad in the linking state.
type record struct {
	Raw    []byte         `json:"raw"` // the raw ad as JSON, deflated
	Entry  *entry         `json:"e,omitempty"`
	Linked []ad.Indicator `json:"l,omitempty"`
	Market *ad.Indicator  `json:"m,omitempty"`
	Priced *pricing       `json:"pr,omitempty"` // its price in the market
	// Version is the raw ad's (ad.Raw.Version). Seq counts the changes of
	// what is published of the ad: its indicators and, after the first,
	// its versions. Dirty: its indicators changed since it was last
	// published (Done).
	Version string `json:"v,omitempty"`
	Seq     uint64 `json:"q,omitempty"`
	Dirty   bool   `json:"d,omitempty"`
	// Observed is the version's ad.Raw.ObservedAt in Unix nanoseconds.
	Observed int64 `json:"o,omitempty"`
}

// Linked is an ad's cross-ad indicators as the linking state holds them.
type Linked struct {
	// Indicators are for (*classifier.Rules).ClassifyLinked.
	Indicators []ad.Indicator
	// Seq orders what is published of the ad: it grows with every change
	// of its cross-ad indicators and every new version of the ad after the
	// first. A store that keeps, of two scored versions of an ad, the one
	// with the higher Seq shows the latest whatever order they arrive in.
	Seq uint64
}

// MsgIDSuffix completes the message id of the scored ad: "" while its
// indicators never changed (so an ad without links keeps the id it had),
// else ".x" and Seq. Every change gives a new id, so the bus never drops a
// republish as a duplicate — not even one back to an earlier state — and a
// redelivery gives the same id, so its republish is dropped.
func (l Linked) MsgIDSuffix() string {
	if l.Seq == 0 {
		return ""
	}
	return ".x" + strconv.FormatUint(l.Seq, 10)
}

func (r *record) linked() Linked {
	out := slices.Clone(r.Linked)
	if r.Market != nil {
		out = append(out, *r.Market)
	}
	return Linked{Indicators: out, Seq: r.Seq}
}

type list struct {
	E []*entry `json:"e"`
}

type marketDay struct {
	S map[string]sample `json:"s"`
}

// Link adds the ad (or its new version) to the linking state and returns
// its cross-ad indicators, to score with (*classifier.Rules).ClassifyLinked,
// and the ids of earlier ads whose indicators changed because of it (a
// pattern it completed, or one its new version broke) and are not yet
// republished. Re-score and republish those with Current, and
// call Done for each ad published, this one included. The mark that an ad
// needs republishing is written with its new indicators and cleared only by
// Done, so a crash anywhere loses no re-score: linking the ad again (the
// redelivery) returns the same ids, and otherwise changes nothing.
func (l *Linker) Link(ctx context.Context, raw ad.Raw) (Linked, []string, error) {
	if raw.ID == "" {
		return Linked{}, nil, errors.New("crossad: ad without id")
	}
	e := newEntry(l.key, &raw, &l.o)
	rawJSON, err := json.Marshal(raw)
	if err != nil {
		return Linked{}, nil, fmt.Errorf("crossad: ad %q: %w", raw.ID, err)
	}
	stored, err := deflate(rawJSON)
	if err != nil {
		return Linked{}, nil, err
	}
	prev, _, err := l.getRecord(ctx, raw.ID)
	if err != nil && !errors.Is(err, ErrUnknownAd) {
		return Linked{}, nil, err
	}
	observed := observedNanos(raw)
	if prev.Version != "" && prev.Version != raw.Version() && observed < prev.Observed {
		return Linked{}, nil, fmt.Errorf("crossad: ad %q: %w", raw.ID, ErrSuperseded)
	}
	old := prev.Entry

	// Its entry under each of its keys, and out of the keys of the version
	// its record holds, before the record names the new version: after a
	// crash in between, the redelivery cleans up the same keys again.
	c := newCache()
	newKeys, oldKeys := l.keys(e), l.keys(old)
	for _, k := range union2(newKeys, oldKeys) {
		var add *entry
		if slices.Contains(newKeys, k) {
			add = e
		}
		if err := l.updateList(ctx, k, raw.ID, add, c); err != nil {
			return Linked{}, nil, err
		}
	}

	// Its price in the market, out of the day its old version was on.
	cat, s, priced := l.o.priced(&raw)
	var newP *pricing
	if priced {
		newP = &pricing{Cat: cat, sample: s}
	}
	if err := l.updateMarket(ctx, raw.ID, prev.Priced, newP); err != nil {
		return Linked{}, nil, err
	}

	// Its record names the new version.
	for attempt := 0; ; attempt++ {
		rec, rev, err := l.getRecord(ctx, raw.ID)
		if err != nil && !errors.Is(err, ErrUnknownAd) {
			return Linked{}, nil, err
		}
		if v := raw.Version(); v != rec.Version {
			if rec.Version != "" {
				rec.Seq++
			}
			rec.Version = v
		}
		rec.Raw, rec.Entry, rec.Priced, rec.Observed = stored, e, newP, observed
		err = l.putRecord(ctx, raw.ID, rec, rev)
		if err == nil {
			break
		}
		if !conflict(err) || attempt >= maxAttempts {
			return Linked{}, nil, err
		}
		backoff(ctx, attempt)
	}

	// Recompute every ad whose indicators it can change, itself first.
	cands := []string{raw.ID}
	for _, pair := range []struct {
		x    *entry
		keys []string
	}{{e, newKeys}, {old, oldKeys}} {
		for _, k := range pair.keys {
			for _, b := range c.lists[k].E {
				if b.ID != raw.ID && l.related(pair.x, b, k) && !slices.Contains(cands, b.ID) {
					cands = append(cands, b.ID)
				}
			}
		}
	}
	if _, err := l.settle(ctx, raw.ID, c); err != nil {
		return Linked{}, nil, err
	}
	dirty := make([]bool, len(cands))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, id := range cands[1:] {
		g.Go(func() error {
			var err error
			dirty[i+1], err = l.settle(gctx, id, c)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return Linked{}, nil, err
	}
	var affected []string
	for i, id := range cands[1:] {
		if dirty[i+1] {
			affected = append(affected, id)
		}
	}

	// Judge its price, and again those of the ads posted in the market
	// window after it, whose market it joined (or left).
	mAffected, err := l.judgeMarket(ctx, raw.ID, prev.Priced, newP)
	if err != nil {
		return Linked{}, nil, err
	}
	affected = union2(affected, mAffected)
	linked, err := l.Indicators(ctx, raw.ID)
	if err != nil {
		return Linked{}, nil, err
	}
	return linked, affected, nil
}

// observedNanos is r.ObservedAt in Unix nanoseconds, 0 when unknown.
func observedNanos(r ad.Raw) int64 {
	t := r.ObservedAt()
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Done records that the ad id was published with the indicators of
// change seq (Linked.Seq, as Link, Current or Indicators returned it). If they
// changed again meanwhile, the ad stays marked for republishing.
func (l *Linker) Done(ctx context.Context, id string, seq uint64) error {
	for attempt := 0; ; attempt++ {
		rec, rev, err := l.getRecord(ctx, id)
		if errors.Is(err, ErrUnknownAd) {
			return nil // expired: nothing to republish
		}
		if err != nil {
			return err
		}
		if !rec.Dirty || rec.Seq != seq {
			return nil
		}
		rec.Dirty = false
		err = l.putRecord(ctx, id, rec, rev)
		if err == nil || !conflict(err) || attempt >= maxAttempts {
			return err
		}
	}
}

// Raw returns the ad as last linked, to re-score it.
func (l *Linker) Raw(ctx context.Context, id string) (ad.Raw, error) {
	rec, _, err := l.getRecord(ctx, id)
	if err != nil {
		return ad.Raw{}, err
	}
	r, err := rec.raw()
	if err != nil {
		return ad.Raw{}, fmt.Errorf("crossad: ad %q: %w", id, err)
	}
	return r, nil
}

func (r *record) raw() (ad.Raw, error) {
	b, err := inflate(r.Raw)
	if err != nil {
		return ad.Raw{}, err
	}
	var out ad.Raw
	err = json.Unmarshal(b, &out)
	return out, err
}

// Current returns the ad as last linked with its current cross-ad
// indicators, read together, to re-score it.
func (l *Linker) Current(ctx context.Context, id string) (ad.Raw, Linked, error) {
	rec, _, err := l.getRecord(ctx, id)
	if err != nil {
		return ad.Raw{}, Linked{}, err
	}
	r, err := rec.raw()
	if err != nil {
		return ad.Raw{}, Linked{}, fmt.Errorf("crossad: ad %q: %w", id, err)
	}
	return r, rec.linked(), nil
}

// Indicators returns the ad's current cross-ad indicators.
func (l *Linker) Indicators(ctx context.Context, id string) (Linked, error) {
	rec, _, err := l.getRecord(ctx, id)
	if err != nil {
		return Linked{}, err
	}
	return rec.linked(), nil
}

// related reports whether b, found under key k of x, links to x: a
// contact list links all its ads, a band or image list only those with
// near-identical text or one photo (the others merely share a hash
// bucket). Only ads that link to x can have their indicators changed by
// it.
func (l *Linker) related(x, b *entry, k string) bool {
	if x == nil || abs(b.T-x.T) > int64(l.o.LinkWindow/time.Second) {
		return false
	}
	switch k[:4] {
	case "l.t.":
		return l.o.nearIdentical(x, b)
	case "l.i.":
		return l.o.samePhoto(x, b)
	}
	return true
}

// settle recomputes the linked indicators of ad id from what its keys hold
// and stores them, marked for republishing, if they changed. It reports
// whether the ad awaits republishing.
func (l *Linker) settle(ctx context.Context, id string, c *cache) (bool, error) {
	return l.settleLoop(ctx, id, "indicators", func(rec *record, refresh bool) (derived, error) {
		keys := l.keys(rec.Entry)
		if rec.Entry == nil {
			return derived{same: sameIndicators(nil, rec.Linked), set: func(r *record) { r.Linked = nil }}, nil
		}
		if _, err := l.fetch(ctx, keys, c, refresh); err != nil {
			return derived{}, err
		}
		nb, seen := c.snapshot(keys)
		inds := l.o.structural(rec.Entry, nb)
		return derived{
			same:   sameIndicators(inds, rec.Linked),
			set:    func(r *record) { r.Linked = inds },
			seen:   seen,
			reread: func() (map[string]uint64, error) { return l.fetch(ctx, keys, c, true) },
		}, nil
	})
}

// derived is a part of an ad's record computed from keys that other ads
// write, as settleLoop needs it.
type derived struct {
	same bool          // it equals what the record holds
	set  func(*record) // stores it in a record
	// seen are the revisions of the keys it was computed from; reread
	// reads them again (nil: computed from no key).
	seen   map[string]uint64
	reread func() (map[string]uint64, error)
}

// settleLoop is how settle and settleMarket store what derive computes:
// written, marked for republishing, if it changed, and kept only if none
// of the keys it was computed from changed meanwhile; otherwise computed
// again (from freshly read keys), so the last write always reflects the
// last change. what names the part in errors.
func (l *Linker) settleLoop(ctx context.Context, id, what string, derive func(rec *record, refresh bool) (derived, error)) (bool, error) {
	changed, refresh := false, false
	for attempt := 0; attempt <= maxAttempts; attempt++ {
		rec, rev, err := l.getRecord(ctx, id)
		if errors.Is(err, ErrUnknownAd) {
			return changed, nil // expired meanwhile
		}
		if err != nil {
			return changed, err
		}
		d, err := derive(rec, refresh)
		if err != nil {
			return changed, err
		}
		if d.same {
			return changed || rec.Dirty, nil
		}
		d.set(rec)
		rec.Dirty, rec.Seq = true, rec.Seq+1
		if err := l.putRecord(ctx, id, rec, rev); err != nil {
			if !conflict(err) {
				return changed, err
			}
			refresh = true
			backoff(ctx, attempt)
			continue
		}
		changed = true
		if d.reread == nil {
			return changed, nil
		}
		now, err := d.reread()
		if err != nil {
			return changed, err
		}
		if sameRevisions(d.seen, now) {
			return changed, nil
		}
		refresh = false // reread just refreshed them
	}
	return changed, fmt.Errorf("crossad: ad %q: %s did not settle after %d attempts", id, what, maxAttempts)
}

// updateList puts add (nil: nothing) under key k in place of any entry of
// ad id, drops entries past retention and over the bound, and leaves the
// list as stored in c.
func (l *Linker) updateList(ctx context.Context, k, id string, add *entry, c *cache) error {
	var ls list
	rev, err := l.compareAndSet(ctx, k, func(val []byte) ([]byte, error) {
		ls = list{}
		if val != nil {
			if err := json.Unmarshal(val, &ls); err != nil {
				return nil, fmt.Errorf("list %q: %w", k, err)
			}
			for _, e := range ls.E {
				e.prepare()
			}
		}
		had := slices.ContainsFunc(ls.E, func(e *entry) bool { return e.ID == id })
		if !had && add == nil {
			return nil, nil
		}
		ls.E = slices.DeleteFunc(ls.E, func(e *entry) bool { return e.ID == id })
		if add != nil {
			ls.E = append(ls.E, add)
		}
		ls.E = l.prune(ls.E)
		return json.Marshal(ls)
	})
	if err != nil {
		return err
	}
	c.put(k, ls, rev)
	return nil
}

// compareAndSet changes the value under key k: change gets the stored
// value (nil when there is none) and returns the new one, or nil to leave
// it as it is. A write that lost a race with another writer is tried again
// on the value that won, so no writer's change is lost. It returns the
// key's revision as written or read (0: no such key).
func (l *Linker) compareAndSet(ctx context.Context, k string, change func(val []byte) ([]byte, error)) (uint64, error) {
	for attempt := 0; ; attempt++ {
		val, rev, err := l.kv.GetRevision(ctx, k)
		switch {
		case errors.Is(err, bus.ErrKeyNotFound):
			val, rev = nil, 0
		case err != nil:
			return 0, fmt.Errorf("crossad: %w", err)
		}
		b, err := change(val)
		if err != nil || b == nil {
			if err != nil {
				err = fmt.Errorf("crossad: %w", err)
			}
			return rev, err
		}
		if rev == 0 {
			rev, err = l.kv.Create(ctx, k, b)
		} else {
			rev, err = l.kv.Update(ctx, k, b, rev)
		}
		if err == nil {
			return rev, nil
		}
		if !conflict(err) || attempt >= maxAttempts {
			return 0, fmt.Errorf("crossad: %q: %w", k, err)
		}
		backoff(ctx, attempt)
	}
}

// prune sorts a list by time and drops what is Retention older than its
// newest entry, then the oldest over MaxListEntries.
func (l *Linker) prune(es []*entry) []*entry {
	slices.SortFunc(es, byTime)
	if len(es) == 0 {
		return es
	}
	cut := es[len(es)-1].T - int64(l.o.Retention/time.Second)
	i := 0
	for i < len(es) && es[i].T < cut {
		i++
	}
	es = es[i:]
	if len(es) > l.o.MaxListEntries {
		es = es[len(es)-l.o.MaxListEntries:]
	}
	return es
}

// keys are the linking-state keys of an entry's lists.
func (l *Linker) keys(e *entry) []string {
	if e == nil {
		return nil
	}
	ks := l.o.keysOf(e)
	for i, k := range ks {
		ks[i] = "l." + k
	}
	return ks
}

var plainID = regexp.MustCompile(`^[A-Za-z0-9_=-]{1,200}$`)

// recordKey is the key of an ad's record; ids that are no valid key are
// hashed.
func recordKey(id string) string {
	if plainID.MatchString(id) {
		return "a." + id
	}
	sum := sha256.Sum256([]byte(id))
	return "ax." + hex.EncodeToString(sum[:20])
}

func (l *Linker) getRecord(ctx context.Context, id string) (*record, uint64, error) {
	val, rev, err := l.kv.GetRevision(ctx, recordKey(id))
	if errors.Is(err, bus.ErrKeyNotFound) {
		return &record{}, 0, fmt.Errorf("crossad: ad %q: %w", id, ErrUnknownAd)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("crossad: %w", err)
	}
	var rec record
	if err := json.Unmarshal(val, &rec); err != nil {
		return nil, 0, fmt.Errorf("crossad: ad %q: %w", id, err)
	}
	if rec.Entry != nil {
		rec.Entry.prepare()
	}
	return &rec, rev, nil
}

// putRecord stores rec at revision rev (0: create).
func (l *Linker) putRecord(ctx context.Context, id string, rec *record, rev uint64) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if rev == 0 {
		_, err = l.kv.Create(ctx, recordKey(id), b)
	} else {
		_, err = l.kv.Update(ctx, recordKey(id), b, rev)
	}
	return err
}

// cache holds the lists one Link has read, with their revisions.
type cache struct {
	mu    sync.Mutex
	lists map[string]list
	revs  map[string]uint64
}

func newCache() *cache { return &cache{lists: map[string]list{}, revs: map[string]uint64{}} }

// put caches a list read at rev, unless a later revision is cached:
// concurrent readers never move the cache back.
func (c *cache) put(k string, ls list, rev uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if have, ok := c.revs[k]; ok && have > rev {
		return
	}
	c.lists[k], c.revs[k] = ls, rev
}

// snapshot returns the entries of the lists of keys and the revisions
// they are at, taken together.
func (c *cache) snapshot(keys []string) ([]*entry, map[string]uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var es []*entry
	m := make(map[string]uint64, len(keys))
	for _, k := range keys {
		es = append(es, c.lists[k].E...)
		m[k] = c.revs[k]
	}
	return es, m
}

// fetch reads the lists of keys that c lacks (all of them with refresh)
// into c, and returns the revisions it read.
func (l *Linker) fetch(ctx context.Context, keys []string, c *cache, refresh bool) (map[string]uint64, error) {
	var mu sync.Mutex
	read := map[string]uint64{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, k := range keys {
		c.mu.Lock()
		_, have := c.lists[k]
		c.mu.Unlock()
		if have && !refresh {
			continue
		}
		g.Go(func() error {
			val, rev, err := l.kv.GetRevision(gctx, k)
			var ls list
			switch {
			case errors.Is(err, bus.ErrKeyNotFound):
				rev = 0
			case err != nil:
				return fmt.Errorf("crossad: %w", err)
			default:
				if err := json.Unmarshal(val, &ls); err != nil {
					return fmt.Errorf("crossad: list %q: %w", k, err)
				}
			}
			for _, e := range ls.E {
				e.prepare()
			}
			c.put(k, ls, rev)
			mu.Lock()
			read[k] = rev
			mu.Unlock()
			return nil
		})
	}
	return read, g.Wait()
}

func sameRevisions(a, b map[string]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func sameIndicators(a, b []ad.Indicator) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func union2(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// maxAttempts bounds the retries of one compare-and-set.
const maxAttempts = 64

func conflict(err error) bool {
	return errors.Is(err, bus.ErrRevisionConflict) || errors.Is(err, bus.ErrKeyExists)
}

// backoff waits a little, more after repeated conflicts, so that writers
// racing for one key do not collide in lockstep.
func backoff(ctx context.Context, attempt int) {
	if attempt < 2 {
		return
	}
	wait.Sleep(ctx, time.Duration(rand.Int64N(int64(time.Millisecond)<<min(attempt, 6))))
}

// deflaters are reused: a flate writer allocates most of a megabyte.
var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed) // BestSpeed is a valid level
	return w
}}

func deflate(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := deflaters.Get().(*flate.Writer)
	defer deflaters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func inflate(b []byte) ([]byte, error) {
	return io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(b)), 16<<20))
}
