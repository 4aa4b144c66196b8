package crossad

import (
	"fmt"
	"time"

	"github.com/adwatch/adwatch/ad"
)

// Options tune linking. The zero value is the taxonomy's conditions
// (INDICATORS.md, "Cross-ad indicators"); every field says its default,
// used when it is zero.
type Options struct {
	// PersonaWindow: many_personas_per_contact needs MinPersonas personas on
	// one contact within it. Default 30 days.
	PersonaWindow time.Duration
	// RotationWindow: rapid_city_rotation needs MinCities cities on one
	// contact or text template within it. Default 14 days.
	RotationWindow time.Duration
	// BurstWindow: posting_burst_volume needs MinBurst ads (reposts counted
	// once) on one contact within it. Default 24 hours.
	BurstWindow time.Duration
	// LinkWindow is how far apart in time two ads may be and still be
	// linked by a text template, photos or a price table; it bounds the
	// other windows too. Default 45 days.
	LinkWindow time.Duration
	// Retention: the linking state drops an ad from a key's list once it is
	// this much older than the newest ad there. At least 2×LinkWindow, so
	// that an ad's links are complete for as long as a new ad can change
	// them. Default 90 days.
	Retention time.Duration

	// MinPersonas is how many persona names (or clearly different ages)
	// make many_personas_per_contact. Default 3.
	MinPersonas int
	// MinContacts is how many contacts one persona needs for
	// many_contacts_per_persona. Default 3.
	MinContacts int
	// MinCities is how many cities make rapid_city_rotation. Default 3.
	MinCities int
	// MinTemplateAds and MinTemplateNames: near_duplicate_template needs
	// that many near-identical texts (reposts counted once) with that many
	// persona names. Defaults 3 and 2.
	MinTemplateAds, MinTemplateNames int
	// MinPriceTablePersonas is how many personas must share one price table
	// for shared_price_table. Default 3.
	MinPriceTablePersonas int
	// MinBurst is how many ads on one contact within BurstWindow make
	// posting_burst_volume. Default 4.
	MinBurst int
	// Similarity is the estimated Jaccard similarity of two slot-masked
	// texts (word 3-shingles) from which they are near-identical. Default
	// 0.6: on the development set texts of one template are 0.72 or more
	// alike, unrelated ads at most 0.19.
	Similarity float64

	// ImageHashes returns an ad's perceptual image hashes (16 hex digits,
	// e.g. a 64-bit pHash); nil, or an ad without images, skips image_reuse.
	// Wire it to the raw ad's ImageHashes field once the crawler fills it.
	ImageHashes func(ad.Raw) []string
	// MaxImageDistance is the Hamming distance up to which two image hashes
	// are one photo. At most 3, which the four 16-bit key chunks of a hash
	// are sure to find. Default 3; -1 for exact matches only.
	MaxImageDistance int

	// HourlyPrice returns an ad's price per hour in DKK; nil uses a
	// built-in reading of the price field (see hourlyPriceDKK).
	HourlyPrice func(ad.Raw) (float64, bool)
	// MarketWindow: below_market_price compares an ad's hourly price with
	// the ads of its category (and city) posted within this window before
	// it. Default 90 days.
	MarketWindow time.Duration
	// MarketQuantile: an ad is below market when fewer than this share of
	// the other ads in the window ask as little or less. Default 0.15.
	MarketQuantile float64
	// MinMarketSamples is the fewest other priced ads of the category a
	// verdict needs; with fewer, the price is not judged. Default 10.
	MinMarketSamples int
	// MinCityMarketSamples is the fewest priced ads of the ad's city and
	// category for the city's own distribution; with fewer, the category's
	// is used. Default 30.
	MinCityMarketSamples int

	// MaxListEntries bounds one key's list in the linking state; the
	// oldest ads are dropped past it. Default 256.
	MaxListEntries int
}

func (o Options) withDefaults() (Options, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	def(&o.PersonaWindow, 30*24*time.Hour)
	def(&o.RotationWindow, 14*24*time.Hour)
	def(&o.BurstWindow, 24*time.Hour)
	def(&o.LinkWindow, 45*24*time.Hour)
	def(&o.Retention, 2*o.LinkWindow)
	def(&o.MarketWindow, 90*24*time.Hour)
	defInt(&o.MinPersonas, 3)
	defInt(&o.MinContacts, 3)
	defInt(&o.MinCities, 3)
	defInt(&o.MinTemplateAds, 3)
	defInt(&o.MinTemplateNames, 2)
	defInt(&o.MinPriceTablePersonas, 3)
	defInt(&o.MinBurst, 4)
	defInt(&o.MaxImageDistance, 3)
	defInt(&o.MinMarketSamples, 10)
	defInt(&o.MinCityMarketSamples, 30)
	defInt(&o.MaxListEntries, 256)
	if o.Similarity == 0 {
		o.Similarity = 0.6
	}
	if o.MarketQuantile == 0 {
		o.MarketQuantile = 0.15
	}
	if o.HourlyPrice == nil {
		o.HourlyPrice = hourlyPriceDKK
	}
	switch {
	case o.PersonaWindow > o.LinkWindow || o.RotationWindow > o.LinkWindow || o.BurstWindow > o.LinkWindow:
		return o, fmt.Errorf("crossad: persona, rotation and burst windows (%s, %s, %s) must not exceed the link window %s", o.PersonaWindow, o.RotationWindow, o.BurstWindow, o.LinkWindow)
	case o.Retention < 2*o.LinkWindow:
		return o, fmt.Errorf("crossad: retention %s is shorter than twice the link window %s", o.Retention, o.LinkWindow)
	case o.Similarity < 0 || o.Similarity > 1:
		return o, fmt.Errorf("crossad: similarity %g is not between 0 and 1", o.Similarity)
	case o.MarketQuantile < 0 || o.MarketQuantile > 1:
		return o, fmt.Errorf("crossad: market quantile %g is not between 0 and 1", o.MarketQuantile)
	case o.MaxImageDistance > 3:
		return o, fmt.Errorf("crossad: max image distance %d is over 3, which the image keys cannot find", o.MaxImageDistance)
	}
	return o, nil
}
