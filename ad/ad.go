// Package ad defines the messages that flow between adwatch's stages: the raw
// ad a crawler publishes and the scored ad the classifier publishes. It imports
// only the standard library so that every stage, tool and test can share it.
//
// The JSON shape of Raw is the shape of the labelled development set
// (../shared/data/ads-dev.jsonl): a record of that file decodes into a Raw, and
// unknown keys such as "labels" are ignored.
package ad

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"time"
)

// Raw is one version of one ad as a crawler extracted it. Fields a site does
// not show are left empty: a missing field is unknown, not absent.
type Raw struct {
	// ID identifies the ad across versions: see NewID.
	ID   string `json:"id"`
	Site string `json:"site"`
	// URL is the canonical URL of the ad's page.
	URL       string    `json:"url"`
	Category  string    `json:"category,omitempty"`
	Lang      string    `json:"lang,omitempty"`
	PostedAt  time.Time `json:"posted_at,omitzero"`
	Title     string    `json:"title,omitempty"`
	Text      string    `json:"text,omitempty"`
	Name      string    `json:"name,omitempty"`
	City      string    `json:"city,omitempty"`
	Age       int       `json:"age,omitempty"` // 0: not stated
	PriceText string    `json:"price_text,omitempty"`
	Phones    []string  `json:"phones,omitempty"`
	Languages []string  `json:"languages,omitempty"`
	// ImageHashes are perceptual hashes (dHash, 16 hex digits) of the ad's
	// images, for linking ads that reuse a picture; images are never stored.
	ImageHashes []string `json:"image_hashes,omitempty"`
	// FetchedAt is when the crawler fetched this version.
	FetchedAt time.Time `json:"fetched_at,omitzero"`
	// GoneAt is when the ad disappeared from its site; zero while it is
	// live. Outreach needs to know an ad is no longer up.
	GoneAt time.Time `json:"gone_at,omitzero"`
}

// ObservedAt is when the crawler last saw this version: when it was
// fetched, or marked gone (a gone version keeps the fetch time of the
// version before it). Of two versions of an ad, the one observed later is
// the newer; equal times (fetches within a second) do not tell.
func (r Raw) ObservedAt() time.Time {
	if r.GoneAt.After(r.FetchedAt) {
		return r.GoneAt
	}
	return r.FetchedAt
}

// NewID returns the stable id of the ad at canonicalURL on site: the same
// page always gets the same id, so a re-crawl or a redelivery overwrites.
func NewID(site, canonicalURL string) string {
	sum := sha256.Sum256([]byte(site + "\x00" + canonicalURL))
	return site + "-" + hex.EncodeToString(sum[:8])
}

// idShape is the shape of the ids NewID makes: the site name, "-" and 16
// hex digits of a hash (which is never a phone number).
const idShape = `[a-z0-9][a-z0-9_.-]*-[0-9a-f]{16}`

var (
	wholeID  = regexp.MustCompile(`^` + idShape + `$`)
	idInText = regexp.MustCompile(idShape + `\b`)
)

// IsNewID reports whether id has the shape of the ids NewID makes (ids
// from a file may be anything).
func IsNewID(id string) bool { return wholeID.MatchString(id) }

// NewIDsIn returns where text names ids of NewID's shape, as [start, end)
// pairs: the cross-ad evidence names the ads it links that way.
func NewIDsIn(text string) [][]int { return idInText.FindAllStringIndex(text, -1) }

// Version returns a hash of the ad's content (everything but FetchedAt), so
// that publishing an unchanged ad again is recognised as the same version.
func (r Raw) Version() string {
	r.FetchedAt = time.Time{}
	b, _ := json.Marshal(r) // a struct of strings, ints and times always marshals
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// Levels of an assessment, from no signal to strong signals. Indicators are
// signals for a human, never a verdict.
const (
	LevelNone   = "none"
	LevelLow    = "low"
	LevelMedium = "medium"
	LevelHigh   = "high"
)

// Flags an assessment can carry besides its scores.
const (
	// FlagMinorCue escalates the ad to the top for a human, bypassing scoring.
	FlagMinorCue = "minor_cue"
	// FlagHealthOutreach marks ads that call for health outreach.
	FlagHealthOutreach = "health_outreach"
)

// Assessment is what the classifier concluded about one ad, with the
// evidence for each indicator so that a worker can see why.
type Assessment struct {
	AdRisk            int         `json:"ad_risk"`            // 0-100, single-ad families
	OrganisedActivity int         `json:"organised_activity"` // 0-100, cross-ad families
	Level             string      `json:"level"`
	Flags             []string    `json:"flags"`
	Contacts          []string    `json:"contacts"` // phone numbers in E.164
	Indicators        []Indicator `json:"indicators"`
	RulesVersion      string      `json:"rules_version,omitempty"`
}

// Priority orders ads for outreach: escalated ads first, then by the higher
// of the two scores.
func (a Assessment) Priority() int {
	p := max(a.AdRisk, a.OrganisedActivity)
	for _, f := range a.Flags {
		if f == FlagMinorCue {
			p += 1000
		}
	}
	return p
}

// HasFlag reports whether the assessment carries flag.
func (a Assessment) HasFlag(flag string) bool {
	for _, f := range a.Flags {
		if f == flag {
			return true
		}
	}
	return false
}

// Indicator is one risk indicator that fired, with its evidence.
type Indicator struct {
	ID           string     `json:"id"`
	Family       string     `json:"family,omitempty"`
	Contribution float64    `json:"contribution"`
	Evidence     []Evidence `json:"evidence"`
}

// Evidence locates what made an indicator fire: the byte offsets [Start, End)
// of Text within the named field of the raw ad ("title", "text", "age", ...),
// or, with Field FieldCrossAd, what linked the ad to others.
type Evidence struct {
	Field string `json:"field"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
}

// FieldCrossAd is the Field of the evidence of a cross-ad indicator: its
// Text says what linked the ad with which others (their ids, a contact's
// hash prefix, the window), never a phone number, and it has no offsets.
const FieldCrossAd = "cross_ad"

// Scored is a raw ad with its assessment: what the classifier publishes and
// the indexer stores.
type Scored struct {
	Raw
	Assessment
	ScoredAt time.Time `json:"scored_at,omitzero"`
	// LinkSeq counts the changes of the ad's cross-ad indicators and of its
	// versions after the first, as the linking state saw them
	// (crossad.Linked.Seq); 0 for an ad scored on its own.
	LinkSeq uint64 `json:"link_seq,omitempty"`
}

// Revision orders the scored versions of one ad, so that a store can keep
// the latest whatever order they reach it in: two classifier processes, or
// two indexer workers, can deliver an earlier one last. A higher LinkSeq is
// later (the linking state orders changes across processes, whose clocks
// may differ); at equal LinkSeq, the later ScoredAt (a re-score with new
// rules). It is LinkSeq in the top 21 bits and ScoredAt in milliseconds
// since 2000 in the low 42 (until the year 2139), so it is never negative,
// as an Elasticsearch external version must be. Equal revisions are the
// same version, or one scored in the same millisecond: either may win.
func (s Scored) Revision() int64 {
	const msBits, seqBits = 42, 21
	ms := max(0, min(s.ScoredAt.UnixMilli()-revisionEpochMs, 1<<msBits-1))
	seq := min(s.LinkSeq, 1<<seqBits-1)
	return int64(seq)<<msBits | ms
}

// revisionEpochMs is 2000-01-01T00:00:00Z in Unix milliseconds.
const revisionEpochMs = 946684800000
