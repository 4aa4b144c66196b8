// Package crossad links ads across one another — by a keyed hash of their
// phone numbers, by their text templates, by their photos and prices — and
// computes the cross-ad indicators of INDICATORS.md (organised activity):
// many personas on one contact, many contacts for one persona, rapid city
// rotation, near-duplicate templates, persona attribute drift, image reuse,
// shared price tables and posting bursts, and below_market_price, which
// needs the market of many ads. Every fired indicator carries evidence that
// names what linked (ads, hash prefixes, names, cities, the window), never a
// clear phone number, and the points it brings to
// (*classifier.Rules).ClassifyLinked.
//
// Reposts are counted once: ads on one contact with near-identical text and
// the same persona (name, age, city) are one ad. A pattern is a pattern on
// every ad in it: when a new ad completes one, the earlier ads of it gain
// the indicator too.
//
// Batch computes the indicators over a whole input (adwatch classify --in,
// evaluation); Linker computes them one ad at a time in the running
// pipeline, with its state in JetStream key-value buckets shared by every
// classifier process. Both run one computation and give the same answers.
package crossad

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/adwatch/adwatch/ad"
)

// Batch computes the cross-ad indicators of every ad of ads, which it
// links with one another, and returns them by ad id (ads with none are
// left out). An id that occurs more than once is the ad's last version.
// Windows are placed by posted_at (else fetched_at); ads with neither link
// to nothing. The answers do not depend on the order of ads. Pass the
// result for an ad to (*classifier.Rules).ClassifyLinked.
func Batch(key ContactKey, ads []ad.Raw, opts Options) (map[string][]ad.Indicator, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	last := map[string]int{}
	for i, r := range ads {
		last[r.ID] = i
	}
	type item struct {
		raw *ad.Raw
		idx int
		e   *entry
	}
	var items []item
	for i := range ads {
		if last[ads[i].ID] != i {
			continue
		}
		items = append(items, item{raw: &ads[i], idx: i, e: newEntry(key, &ads[i], &o)})
	}

	// The same lists the Linker keeps, unpruned.
	lists := map[string][]*entry{}
	for _, it := range items {
		if it.e == nil {
			continue
		}
		for _, k := range o.keysOf(it.e) {
			lists[k] = append(lists[k], it.e)
		}
	}
	out := map[string][]ad.Indicator{}
	for _, it := range items {
		if it.e == nil {
			continue
		}
		var nb []*entry
		for _, k := range o.keysOf(it.e) {
			nb = append(nb, lists[k]...)
		}
		if inds := o.structural(it.e, nb); len(inds) > 0 {
			out[it.raw.ID] = inds
		}
	}

	// The market: each priced ad against the others of its category posted
	// in the window before it.
	type pricedAd struct {
		id  string
		raw *ad.Raw
		cat string
		s   sample
	}
	byCat := map[string][]pricedAd{}
	for _, it := range items {
		if cat, s, ok := o.priced(it.raw); ok {
			byCat[cat] = append(byCat[cat], pricedAd{it.raw.ID, it.raw, cat, s})
		}
	}
	window := int64(o.MarketWindow.Seconds())
	for _, ps := range byCat {
		slices.SortStableFunc(ps, func(x, y pricedAd) int { return cmp.Compare(x.s.T, y.s.T) })
		from := 0
		for i, a := range ps {
			for ps[from].s.T < a.s.T-window {
				from++
			}
			var others []sample
			for j := from; j < len(ps) && ps[j].s.T <= a.s.T; j++ {
				if j != i {
					others = append(others, ps[j].s)
				}
			}
			if ind := o.belowMarket(a.raw, a.cat, a.s, others); ind != nil {
				out[a.id] = append(out[a.id], *ind)
			}
		}
	}
	return out, nil
}

// keysOf returns the keys an entry is listed under in the linking state:
// its contacts, its template bands and its image chunks.
func (o *Options) keysOf(e *entry) []string {
	var ks []string
	for _, c := range e.Contacts {
		ks = append(ks, "c."+c)
	}
	if e.Sig.ok() {
		for i, b := range e.Sig.Bands {
			ks = append(ks, "t."+strconv.Itoa(i)+"."+strconv.FormatUint(uint64(b), 16))
		}
	}
	for _, h := range e.Images {
		// Four 16-bit chunks: two hashes within Hamming distance 3 share one.
		for i := range 4 {
			ks = append(ks, "i."+strconv.Itoa(i)+"."+strconv.FormatUint(h>>(16*i)&0xffff, 16))
		}
	}
	slices.Sort(ks)
	return slices.Compact(ks)
}
