package classifier

import "sort"

// The indicator ids of ../../shared/INDICATORS.md: the contract between the
// rule files, the scored ads, the UI, the exports and the labelled data. A
// rule file may only use these ids; add new ones here and there together.
//
// family is the family the taxonomy puts the indicator in ("" where the
// taxonomy leaves it to the scoring file: forced-labour and cross-ad ids).
var taxonomy = map[string]struct{ family string }{
	// Single-ad indicators.
	"third_person_language":           {"language_control"},
	"controller_or_booker_contact":    {"language_control"},
	"trust_assurance_language":        {"language_control"},
	"availability_control":            {"language_control"},
	"fluent_ad_but_language_barrier":  {"language_control"},
	"new_in_town_text":                {"movement"},
	"foreign_or_out_of_area_number":   {"movement"},
	"youth_emphasis_language":         {"youth_signal"},
	"stated_age_18_23":                {"youth_signal"},
	"minor_cue":                       {"youth_signal"},
	"risky_or_no_limits_services":     {"risky_services"},
	"below_market_price":              {"pricing"},
	"ethnicity_nationality_marketing": {"nationality_language_barrier"},
	"language_barrier":                {"nationality_language_barrier"},
	"multiple_persons_in_ad":          {"multi_person"},
	"obscured_contact":                {"contact_pattern"},
	"messaging_only_contact":          {"contact_pattern"},
	"third_party_payment":             {"contact_pattern"},
	"emoji_code_adult":                {"emoji_code"},

	// Forced-labour indicators (job ads).
	"fl_too_good_to_be_true":          {""},
	"fl_recruitment_fee":              {""},
	"fl_housing_tied_deductions":      {""},
	"fl_documents_held":               {""},
	"fl_excessive_hours":              {""},
	"fl_wage_withholding":             {""},
	"fl_irregular_status_ok":          {""},
	"fl_opaque_employer":              {""},
	"fl_isolation_transport":          {""},
	"fl_disguised_sex_recruitment":    {""},
	"fl_targeted_foreign_recruitment": {""},

	// Cross-ad indicators (organised activity).
	"many_personas_per_contact": {""},
	"many_contacts_per_persona": {""},
	"rapid_city_rotation":       {""},
	"near_duplicate_template":   {""},
	"persona_attribute_drift":   {""},
	"image_reuse":               {""},
	"shared_price_table":        {""},
	"posting_burst_volume":      {""},
}

// taxonomyOrder is the order of INDICATORS.md, for reports.
var taxonomyOrder = []string{
	"third_person_language", "controller_or_booker_contact", "trust_assurance_language",
	"availability_control", "fluent_ad_but_language_barrier", "new_in_town_text",
	"foreign_or_out_of_area_number", "youth_emphasis_language", "stated_age_18_23", "minor_cue",
	"risky_or_no_limits_services", "below_market_price", "ethnicity_nationality_marketing",
	"language_barrier", "multiple_persons_in_ad", "obscured_contact", "messaging_only_contact",
	"third_party_payment", "emoji_code_adult",
	"fl_too_good_to_be_true", "fl_recruitment_fee", "fl_housing_tied_deductions",
	"fl_documents_held", "fl_excessive_hours", "fl_wage_withholding", "fl_irregular_status_ok",
	"fl_opaque_employer", "fl_isolation_transport", "fl_disguised_sex_recruitment",
	"fl_targeted_foreign_recruitment",
	"many_personas_per_contact", "many_contacts_per_persona", "rapid_city_rotation",
	"near_duplicate_template", "persona_attribute_drift", "image_reuse", "shared_price_table",
	"posting_burst_volume",
}

// crossAdIDs are the indicators found by linking ads (INDICATORS.md,
// "Cross-ad indicators"); every other id is found on one ad.
var crossAdIDs = map[string]bool{
	"many_personas_per_contact": true, "many_contacts_per_persona": true, "rapid_city_rotation": true,
	"near_duplicate_template": true, "persona_attribute_drift": true, "image_reuse": true,
	"shared_price_table": true, "posting_burst_volume": true,
}

// IsCrossAd reports whether the indicator id is a cross-ad one (computed
// by linking ads, not from one ad).
func IsCrossAd(id string) bool { return crossAdIDs[id] }

// Grades of evidence behind an indicator (INDICATORS.md).
var grades = []string{"A", "A-", "B", "C", "D"}

// IndicatorIDs returns every indicator id of the taxonomy, sorted.
func IndicatorIDs() []string {
	ids := make([]string, 0, len(taxonomy))
	for id := range taxonomy {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// closestID returns the known id nearest to id by edit distance, for "did
// you mean" hints.
func closestID(id string) string {
	best, bestD := "", 1<<30
	for _, k := range IndicatorIDs() {
		if d := editDistance(id, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
