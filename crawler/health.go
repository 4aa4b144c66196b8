package crawler

import "log/slog"

// Thresholds of the health checks.
const (
	// minAdsForFieldCheck is how many ads a crawl must extract before an
	// always-empty field is taken for a broken selector.
	minAdsForFieldCheck = 3
	// fieldFillBefore is the share of ads a field must have been found in
	// before it coming out empty everywhere raises the alarm.
	fieldFillBefore = 0.5
	// fillSmoothing is the weight of the last crawl in FieldFill.
	fillSmoothing = 0.3
)

// checkHealth says loudly when a site that used to yield ads yields none, or
// when a field that used to be found comes out empty on every ad: the two
// ways a crawler breaks silently when a site changes its layout. It updates
// the baselines in rec.
func (c *Crawler) checkHealth(s *Site, st CrawlStats, crawlErr error, sess *session, rec *siteRecord, logger *slog.Logger) {
	listed := int64(sess.seenCount())
	noAds := 0.0
	switch {
	case crawlErr != nil:
	case listed == 0 && rec.AdsListed > 0:
		noAds = 1
		logger.Error("site used to list ads and this crawl listed none: its layout may have changed (check the selectors with 'adwatch sites test'), or it blocks us",
			"listed_before", rec.AdsListed, "pages", st.Pages, "errors", st.Errors)
	case listed == 0:
		logger.Warn("crawl found no ads: the site may be down or the selectors may not match (check with 'adwatch sites test')", "pages", st.Pages, "errors", st.Errors)
	}
	c.metrics.layout.WithLabelValues(s.Name, "no_ads").Set(noAds)
	if crawlErr == nil && listed > 0 {
		rec.AdsListed = listed
		if st.Errors == 0 || st.Complete {
			rec.LastSuccess = c.now()
			c.metrics.lastSuccess.WithLabelValues(s.Name).Set(float64(rec.LastSuccess.Unix()))
		}
	}

	extracted := st.Ads
	broken := 0.0
	if extracted > 0 {
		if rec.FieldFill == nil {
			rec.FieldFill = map[string]float64{}
		}
		for _, name := range extractedFields(s) {
			empty := st.EmptyFields[name]
			ratio := float64(empty) / float64(extracted)
			c.metrics.emptyField.WithLabelValues(s.Name, name).Set(ratio)
			before, known := rec.FieldFill[name]
			if extracted >= minAdsForFieldCheck && empty == extracted && known && before >= fieldFillBefore {
				broken = 1
				logger.Error("a field came out empty on every ad this crawl extracted, though it used to be found: its selector or path probably no longer matches the site",
					"field", name, "ads", extracted, "found_before", before)
			}
			fill := 1 - ratio
			if known {
				fill = (1-fillSmoothing)*before + fillSmoothing*fill
			}
			rec.FieldFill[name] = fill
		}
	}
	c.metrics.layout.WithLabelValues(s.Name, "empty_fields").Set(broken)
}

// extractedFields are the fields of s that a selector, JSON-LD or JSON path
// extracts (constant values cannot come out empty).
func extractedFields(s *Site) []string {
	var out []string
	if s.HTML != nil {
		for _, name := range sortedKeys(s.HTML.Fields) {
			if s.HTML.Fields[name].Value == "" {
				out = append(out, name)
			}
		}
		return out
	}
	for _, name := range sortedKeys(s.JSONAPI.Fields) {
		if name != "url" {
			out = append(out, name)
		}
	}
	return out
}
