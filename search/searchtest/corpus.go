package searchtest

import (
	"strings"
	"time"

	"github.com/adwatch/adwatch/ad"
)

// at is a time on a day of September 2026, UTC.
func at(day, hour int) time.Time { return time.Date(2026, 9, day, hour, 0, 0, 0, time.UTC) }

// row is one corpus ad in brief; Corpus fills in the rest.
type row struct {
	id, site, city, level string
	risk, org             int
	inds, flags           []string
	posted, fetched       time.Time
	title, text           string
}

// rows is the corpus. The values are chosen so that every order has ties
// its next key must break:
//   - risk: ad23 (priority 1070), then ad05 and ad17 (minor_cue, 1030, ad_risk
//     30 both: id); ad02, ad04 and ad30 tie on priority 80 and ad_risk 80
//     (id), ad03 has priority 80 but ad_risk 60.
//   - newest: ad01 and ad25 were posted at the same instant (id); ad26 and
//     ad27 in the same millisecond, ad27 later by nanoseconds (id decides,
//     not the nanoseconds); ad17 has only a fetch time, equal to ad02's post
//     (id); ad07 was posted at 13:00+02:00, before ad06 at 12:00Z; ad12
//     was fetched last of all but posted early (the post counts); ad10,
//     ad36 and ad38 have no date (last, by id).
//   - organised: ad03 and ad30 tie on 80 and on priority (id); ad05
//     (escalated) and ad35 tie on 10, ad17 (escalated), ad02, ad06... on 0:
//     priority decides.
//
// Cities come in several spellings: København ×4, københavn, KØBENHAVN;
// Aarhus ×6, aarhus ×2; Aalborg ×2, AALBORG ×2 (a tie: the label is the
// least in byte order, "AALBORG"); Vejle ×2, vejle; ad13 has no city.
// Aarhus and Odense have 8 ads each, Randers and Vejle 3 each, so facet
// order needs its value tie-break.
//
// Texts are Danish or English. A word the suite searches for occurs in one
// form only, so that a store that stems (bleve) and one that does not
// (the Elasticsearch build the tests run against) find the same ads.
var rows = []row{
	{"ad01", "sim-rosa", "København", ad.LevelHigh, 90, 40, []string{"third_person_language", "obscured_contact", "new_in_town"}, nil, at(20, 10), time.Time{},
		"Nye søde pigerne i byen", "Diskret besøg hos os. Ring og hør nærmere."},
	{"ad02", "sim-rosa", "København", ad.LevelHigh, 80, 0, []string{"obscured_contact"}, nil, at(19, 10), time.Time{},
		"Søde pigerne venter", "Kun få dage. Skriv en sms."},
	{"ad03", "sim-nattelys", "Aarhus", ad.LevelMedium, 60, 80, []string{"shared_phone", "obscured_contact"}, nil, at(18, 10), time.Time{},
		"Thai massage", "Diskret og professionel behandling hele døgnet."},
	{"ad04", "sim-nightlife", "Aarhus", ad.LevelHigh, 80, 20, []string{"third_person_language", "new_in_town"}, nil, at(17, 10), time.Time{},
		"New girls in town", "Young and sweet, available now. Call the number in the ad."},
	{"ad05", "sim-rosa", "københavn", ad.LevelLow, 30, 10, []string{"minor_age_cue"}, []string{ad.FlagMinorCue}, at(16, 10), time.Time{},
		"Ung og frisk", "Helt ny i branchen, kom forbi."},
	{"ad06", "sim-jobnu", "Odense", ad.LevelMedium, 75, 0, []string{"fl_wage_withholding"}, nil, at(15, 12), time.Time{},
		"Rengøring søges", "Løn udbetales efter sæsonen. Bolig stilles til rådighed."},
	{"ad07", "sim-rosa", "Aarhus", ad.LevelLow, 10, 75, []string{"shared_phone"}, nil, time.Date(2026, 9, 15, 13, 0, 0, 0, time.FixedZone("", 2*3600)), time.Time{},
		"Pigerne fra Østeuropa", "Vi er flere kvinder. Ring."},
	{"ad08", "sim-nattelys", "aarhus", ad.LevelMedium, 74, 74, []string{"shared_phone", "obscured_contact"}, nil, at(14, 10), time.Time{},
		"Afslappende massage", "Kærlighed og omsorg hver dag."},
	{"ad09", "sim-nightlife", "Odense", ad.LevelMedium, 50, 50, []string{"new_in_town"}, nil, at(13, 10), time.Time{},
		"Sweet massage", "Young lady new in the city, discreet visits."},
	{"ad10", "sim-jobnu", "Esbjerg", ad.LevelNone, 0, 0, nil, nil, time.Time{}, time.Time{},
		"Chauffør søges", "Fast kontrakt, løn efter overenskomst."},
	{"ad11", "sim-jobnu", "Aalborg", ad.LevelLow, 20, 0, []string{"fl_excessive_hours"}, nil, time.Time{}, at(12, 10),
		"Køkkenhjælp", "Arbejde 12 timer om dagen, bolig på stedet. Løn hver måned."},
	{"ad12", "sim-jobnu", "AALBORG", ad.LevelLow, 20, 0, []string{"fl_excessive_hours"}, nil, at(10, 10), at(21, 10),
		"Landbrugsmedhjælper", "Lange dage i marken, kost og logi. Passport kept safe by employer."},
	{"ad13", "sim-nightlife", "", ad.LevelMedium, 55, 30, []string{"third_person_language", "obscured_contact"}, nil, at(12, 10), time.Time{},
		"Hot girls", "New arrivals every week."},
	{"ad14", "sim-nightlife", "Esbjerg", ad.LevelHigh, 85, 60, []string{"obscured_contact", "restricted_movement"}, nil, at(11, 10), time.Time{},
		"Young girls from abroad", "Passport held by the agency. Outcall only."},
	{"ad15", "sim-rosa", "KØBENHAVN", ad.LevelMedium, 45, 45, []string{"obscured_contact"}, nil, at(9, 10), time.Time{},
		"Kærlighed for en aften", "Diskret hotelbesøg."},
	{"ad16", "sim-nattelys", "Odense", ad.LevelNone, 5, 0, nil, nil, at(8, 10), time.Time{},
		"Massage og velvære", "Klassisk massage i rolige omgivelser."},
	{"ad17", "sim-nattelys", "Odense", ad.LevelMedium, 30, 0, []string{"minor_age_cue", "third_person_language"}, []string{ad.FlagMinorCue}, time.Time{}, at(19, 10),
		"Ny massør", "Hun er ung og ny. Ring til hende."},
	{"ad18", "sim-rosa", "AALBORG", ad.LevelMedium, 65, 20, []string{"third_person_language"}, nil, at(7, 10), time.Time{},
		"Lækre kvinder", "Hun venter på dig."},
	{"ad19", "sim-nightlife", "aarhus", ad.LevelLow, 35, 0, []string{"new_in_town"}, nil, at(6, 10), time.Time{},
		"New in town", "Visiting for three days only."},
	{"ad20", "sim-nightlife", "Aarhus", ad.LevelMedium, 40, 65, []string{"shared_phone"}, nil, at(5, 10), time.Time{},
		"Asian massage", "The best massage in town, open late."},
	{"ad21", "sim-jobnu", "Odense", ad.LevelHigh, 70, 85, []string{"fl_wage_withholding", "fl_excessive_hours", "shared_phone"}, nil, at(4, 10), time.Time{},
		"Lagerarbejde", "Løn udbetales kontant. Bolig og transport ordnes af os."},
	{"ad22", "sim-jobnu", "Odense", ad.LevelMedium, 70, 30, []string{"fl_wage_withholding"}, nil, at(3, 10), time.Time{},
		"Plukkere søges", "Løn efter aftale, bolig i container."},
	{"ad23", "sim-nightlife", "Aarhus", ad.LevelHigh, 60, 70, []string{"minor_age_cue", "shared_phone"}, []string{ad.FlagMinorCue, ad.FlagHealthOutreach}, time.Time{}, time.Time{},
		"Very young and new", "Just arrived, no English."}, // dates: see Corpus
	{"ad24", "sim-rosa", "København", ad.LevelNone, 0, 0, nil, nil, at(1, 10), time.Time{},
		"Veninder søger selskab", "Hyggeligt samvær og god mad."},
	{"ad25", "sim-rosa", "København", ad.LevelLow, 25, 25, []string{"new_in_town"}, nil, at(20, 10), time.Time{},
		"Ny i byen", "Første gang i Danmark."},
	{"ad26", "sim-nattelys", "Esbjerg", ad.LevelLow, 15, 15, nil, nil, at(20, 12).Add(100 * time.Microsecond), time.Time{},
		"Zoneterapi", "Afspænding efter aftale."},
	{"ad27", "sim-nattelys", "Esbjerg", ad.LevelLow, 15, 15, nil, nil, at(20, 12).Add(900 * time.Microsecond), time.Time{},
		"Akupunktur", "Tider efter aftale."},
	{"ad28", "sim-jobnu", "Vejle", ad.LevelMedium, 40, 40, []string{"fl_excessive_hours"}, nil, at(8, 10), time.Time{},
		"Rengøringshjælp", "Mange timer, lav løn."},
	{"ad29", "sim-jobnu", "vejle", ad.LevelLow, 10, 0, nil, nil, time.Time{}, at(9, 10),
		"Butiksassistent", "Deltid i weekenden."},
	{"ad30", "sim-rosa", "Randers", ad.LevelHigh, 80, 80, []string{"obscured_contact", "third_person_language"}, nil, at(14, 10), time.Time{},
		"Eksotiske kvinder", "Ring og spørg efter os."},
	{"ad31", "sim-nightlife", "Randers", ad.LevelMedium, 55, 55, nil, nil, at(7, 10), time.Time{},
		"Elegant companion", "Dinner dates and travel."},
	{"ad32", "sim-nattelys", "Aarhus", ad.LevelNone, 0, 0, nil, nil, at(6, 10), time.Time{},
		"Sportsmassage", "Behandling af skader."},
	{"ad33", "sim-rosa", "Odense", ad.LevelLow, 20, 40, []string{"shared_phone"}, nil, at(5, 10), time.Time{},
		"Blondine", "Ring og hør om tider."},
	{"ad34", "sim-nightlife", "Odense", ad.LevelMedium, 45, 45, []string{"obscured_contact"}, nil, time.Time{}, at(3, 10),
		"Party girls", "Call now, text only."},
	{"ad35", "sim-jobnu", "Kolding", ad.LevelHigh, 85, 10, []string{"fl_wage_withholding", "restricted_movement"}, nil, at(2, 10), time.Time{},
		"Fabriksarbejde", "Pas opbevares af arbejdsgiver. Løn hver måned."},
	{"ad36", "sim-rosa", "Kolding", ad.LevelLow, 20, 0, nil, nil, time.Time{}, time.Time{},
		"Moden kvinde", "Diskret og hyggelig."},
	{"ad37", "sim-nattelys", "Randers", ad.LevelLow, 25, 0, []string{"new_in_town"}, nil, at(1, 10), time.Time{},
		"Massage og mere", "Ny i Randers."},
	{"ad38", "sim-nightlife", "Vejle", ad.LevelLow, 30, 30, []string{"third_person_language"}, nil, time.Time{}, time.Time{},
		"Blonde escort", "She is waiting for you."},
	{"ad39", "sim-jobnu", "Esbjerg", ad.LevelMedium, 60, 60, []string{"fl_excessive_hours", "shared_phone"}, nil, at(4, 10), time.Time{},
		"Fiskeindustri", "Nattevagt, mange timer. Bolig i barak."},
	// The same indicator twice: it counts once in the indicator facet.
	{"ad40", "sim-rosa", "Aalborg", ad.LevelLow, 15, 0, []string{"obscured_contact", "obscured_contact"}, nil, at(3, 10), time.Time{},
		"Glad og sjov", "Skriv til mig."},
}

// Corpus returns the suite's 40 scored ads, in id order. Every call returns
// fresh values, so a test may change what it gets.
func Corpus() []ad.Scored {
	out := make([]ad.Scored, 0, len(rows))
	for _, r := range rows {
		s := ad.Scored{
			Raw: ad.Raw{
				ID: r.id, Site: r.site, URL: "https://" + r.site + ".example/annonce/" + r.id,
				Category: category(r.site), Lang: lang(r.site),
				PostedAt: r.posted, Title: r.title, Text: r.text, City: r.city,
				FetchedAt: r.fetched,
			},
			Assessment: ad.Assessment{
				AdRisk: r.risk, OrganisedActivity: r.org, Level: r.level, Flags: r.flags,
				RulesVersion: "2026-09-01.1",
			},
			ScoredAt: time.Date(2026, 9, 22, 8, 0, 0, 0, time.UTC),
		}
		// A fetch after the post: the post is what orders the ad.
		if s.FetchedAt.IsZero() && !s.PostedAt.IsZero() {
			s.FetchedAt = s.PostedAt.Add(time.Hour).UTC()
		}
		word := strings.Fields(r.title)[0]
		for _, id := range r.inds {
			s.Indicators = append(s.Indicators, ad.Indicator{
				ID: id, Family: "control", Contribution: 12.5,
				Evidence: []ad.Evidence{{Field: "title", Start: 0, End: len(word), Text: word}},
			})
		}
		out = append(out, s)
	}
	out[22] = richAd(out[22])
	return out
}

// richAd fills every field of ad23, so that a round trip through a store
// shows any field it loses or changes.
func richAd(s ad.Scored) ad.Scored {
	s.PostedAt = time.Date(2026, 9, 2, 9, 30, 15, 123456789, time.UTC)
	s.FetchedAt = time.Date(2026, 9, 2, 10, 0, 0, 987654321, time.UTC)
	s.ScoredAt = time.Date(2026, 9, 2, 10, 0, 1, 5, time.UTC)
	s.Name = "Lily"
	s.Age = 18
	s.PriceText = "1500 kr / time – \"kun\" <b>kontant</b>"
	s.Phones = []string{"+45 29 75 03 41", "29750341"}
	s.Languages = []string{"en", "th"}
	s.Contacts = []string{"+4529750341"}
	s.Text = "Just arrived, no English.\nCall \u00e6\u00f8\u00e5 \u2013 <script>alert(1)</script> \U0001F339"
	s.Indicators = []ad.Indicator{
		{ID: "minor_age_cue", Family: "minor", Contribution: 40, Evidence: []ad.Evidence{
			{Field: "title", Start: 0, End: 10, Text: "Very young"},
			{Field: "age", Start: 0, End: 2, Text: "18"},
		}},
		{ID: "shared_phone", Family: "organised", Contribution: 0.1 + 0.2, Evidence: []ad.Evidence{
			{Field: "text", Start: 40, End: 47, Text: "æøå"},
		}},
	}
	return s
}

func category(site string) string {
	switch site {
	case "sim-jobnu":
		return "job"
	case "sim-nattelys":
		return "massage"
	}
	return "escort"
}

func lang(site string) string {
	if site == "sim-nightlife" {
		return "en"
	}
	return "da"
}
