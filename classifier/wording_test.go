package classifier

import (
	"testing"

	"github.com/adwatch/adwatch/ad"
)

// TestWordings checks the rules on wordings absent from the development
// set: synonyms, inflections, word order, typos, capitals, spacing and
// broken English, as unseen ads will be written.
func TestWordings(t *testing.T) {
	r := config(t)
	cases := []struct {
		id    string
		text  string
		fires bool
	}{
		// third person
		{"third_person_language", "Lækre Mia er klar til dig, hun elsker at blive forkælet", true},
		{"third_person_language", "Hun er en sød pige fra Vejle", true},
		{"third_person_language", "Pigen er sød og venter på dit opkald", true},
		{"third_person_language", "Ring og book hende i dag", true},
		{"third_person_language", "She's sweet and waiting for your call", true},
		{"third_person_language", "Book her now, she wont wait long", true},
		{"third_person_language", "Our lovely masseuses welcome you", true},
		{"third_person_language", "The girl is waiting for you", true},
		{"third_person_language", "Hun glæder sig til at møde dig", true},
		{"third_person_language", "hun er ny og venter", true},
		{"third_person_language", "I love to meet new people", false},
		{"third_person_language", "Jeg og min veninde tager imod sammen", false},
		// controller
		{"controller_or_booker_contact", "Ring til min chauffør for at aftale tid", true},
		{"controller_or_booker_contact", "Kontakt vores kontor for booking", true},
		{"controller_or_booker_contact", "Her bf will answer the phone", true},
		{"controller_or_booker_contact", "Booking via agency only", true},
		{"controller_or_booker_contact", "Text my manager to book", true},
		{"controller_or_booker_contact", "hendes kæreste tager telefonen", true},
		{"controller_or_booker_contact", "Manageren svarer på sms", true},
		{"controller_or_booker_contact", "Ring til mig direkte, ingen mellemmand", false},
		// trust
		{"trust_assurance_language", "100 procent ægte billeder", true},
		{"trust_assurance_language", "Ægte fotos – garanteret", true},
		{"trust_assurance_language", "Real photo, not fake", true},
		{"trust_assurance_language", "100% real no fake", true},
		{"trust_assurance_language", "foto 100% ægte", true},
		{"trust_assurance_language", "no fakes!!!", true},
		{"trust_assurance_language", "genuine pics guaranteed", true},
		// availability
		{"availability_control", "Døgnåbent hele ugen", true},
		{"availability_control", "Klar døgnet rundt alle dage", true},
		{"availability_control", "Tilgængelig 24/7", true},
		{"availability_control", "24 timer i døgnet", true},
		{"availability_control", "Open 24h", true},
		{"availability_control", "available anytime day or night", true},
		{"availability_control", "open 7 days", true},
		{"availability_control", "Jeg arbejder kun hverdage 10-16", false},
		// new in town
		{"new_in_town_text", "Kun her i 3 dage", true},
		{"new_in_town_text", "Nyankommen til Aarhus", true},
		{"new_in_town_text", "ny her i byen", true},
		{"new_in_town_text", "first time in Denmark", true},
		{"new_in_town_text", "Just arrived!! Only 2 days", true},
		{"new_in_town_text", "here for a short time only", true},
		{"new_in_town_text", "leaving on Friday", true},
		{"new_in_town_text", "Kun denne weekend i Odense", true},
		{"new_in_town_text", "Ny i Danmark", true},
		{"new_in_town_text", "Nye billeder på profilen", false},
		{"new_in_town_text", "New photos uploaded", false},
		// youth
		{"youth_emphasis_language", "Helt ung pige", true},
		{"youth_emphasis_language", "Ung, lækker og frisk", true},
		{"youth_emphasis_language", "young & fresh", true},
		{"youth_emphasis_language", "teen 19", true},
		{"youth_emphasis_language", "Barely legal", true},
		{"youth_emphasis_language", "lige fyldt 18", true},
		{"youth_emphasis_language", "Studerende på 21 år", true},
		{"youth_emphasis_language", "ungdommelig og sød", true},
		{"youth_emphasis_language", "Frisk kaffe på kanden", false},
		{"youth_emphasis_language", "Unge mennesker er velkomne", false},
		// risky
		{"risky_or_no_limits_services", "Ingen grænser!", true},
		{"risky_or_no_limits_services", "alt muligt", true},
		{"risky_or_no_limits_services", "Alt kan lade sig gøre", true},
		{"risky_or_no_limits_services", "no limit", true},
		{"risky_or_no_limits_services", "without condom possible", true},
		{"risky_or_no_limits_services", "BB possible", true},
		{"risky_or_no_limits_services", "uden gummi", true},
		// messaging
		{"messaging_only_contact", "Kun SMS!", true},
		{"messaging_only_contact", "Skriv kun på WhatsApp", true},
		{"messaging_only_contact", "Jeg tager ikke imod opkald", true},
		{"messaging_only_contact", "only whatsapp", true},
		{"messaging_only_contact", "sms only no calls", true},
		{"messaging_only_contact", "Do not call, text", true},
		{"messaging_only_contact", "Ring ikke – skriv", true},
		{"messaging_only_contact", "Messages only", true},
		// payment
		{"third_party_payment", "Pengene gives til chaufføren", true},
		{"third_party_payment", "Betalingen tager min chauffør sig af", true},
		{"third_party_payment", "Payment to my manager before the meeting", true},
		{"third_party_payment", "Bitcoin accepted only", true},
		{"third_party_payment", "Betal kun med krypto", true},
		{"third_party_payment", "Pay driver on arrival", true},
		{"third_party_payment", "Pay me in cash", false},
		// multiple
		{"multiple_persons_in_ad", "Vi er 2 piger", true},
		{"multiple_persons_in_ad", "to lækre damer venter", true},
		{"multiple_persons_in_ad", "Flere søde piger på vagt", true},
		{"multiple_persons_in_ad", "Mange forskellige piger", true},
		{"multiple_persons_in_ad", "3 girls available", true},
		{"multiple_persons_in_ad", "new ladies every week", true},
		{"multiple_persons_in_ad", "me and my girlfriend available for duo", true},
		{"multiple_persons_in_ad", "Nye piger hver uge", true},
		// ethnicity
		{"ethnicity_nationality_marketing", "Thai pige", true},
		{"ethnicity_nationality_marketing", "Smuk thailandsk kvinde", true},
		{"ethnicity_nationality_marketing", "Asiatiske piger", true},
		{"ethnicity_nationality_marketing", "Russian beauty", true},
		{"ethnicity_nationality_marketing", "Latina hot", true},
		{"ethnicity_nationality_marketing", "Piger fra Thailand", true},
		{"ethnicity_nationality_marketing", "Ebony queen", true},
		{"ethnicity_nationality_marketing", "African girl", true},
		{"ethnicity_nationality_marketing", "Spansk pige", true},
		{"ethnicity_nationality_marketing", "Jeg er halvt spansk", false},
		{"third_person_language", "HUN ER KLAR NU!!!", true},
		{"third_person_language", "hun venter paa dig", true},
		{"third_person_language", "Vores søde pige Lulu venter", true},
		{"third_person_language", "she waiting for you", true},
		{"third_person_language", "SHE IS NEW", true},
		{"third_person_language", "our new girl Mona", true},
		{"controller_or_booker_contact", "ring til min manger", false},
		{"controller_or_booker_contact", "Kontakt: hendes fætter 22 33 44 55", true},
		{"controller_or_booker_contact", "call my boss for booking", true},
		{"controller_or_booker_contact", "Booking: receptionen", true},
		{"controller_or_booker_contact", "Bookinger går via kontoret", true},
		{"trust_assurance_language", "100% ÆGTE!!", true},
		{"trust_assurance_language", "100 % real photos!!!", true},
		{"trust_assurance_language", "real pictures 100%", true},
		{"trust_assurance_language", "ingen falske billeder", true},
		{"trust_assurance_language", "Verified ✅", true},
		{"availability_control", "24/7!!!", true},
		{"availability_control", "24 / 7", true},
		{"availability_control", "døgnåbent 🔥", true},
		{"availability_control", "Altid åben", true},
		{"availability_control", "Åben døgnet rundt", true},
		{"availability_control", "open all day every day", true},
		{"new_in_town_text", "NY I BYEN", true},
		{"new_in_town_text", "ny i Kbh", true},
		{"new_in_town_text", "Helt ny i København", true},
		{"new_in_town_text", "new in cph", true},
		{"new_in_town_text", "Kun i 2 dage!", true},
		{"new_in_town_text", "just arrived to Odense", true},
		{"new_in_town_text", "Rejser videre på søndag", true},
		{"youth_emphasis_language", "UNG OG FRISK", true},
		{"youth_emphasis_language", "ung,frisk og lækker", true},
		{"youth_emphasis_language", "Youngest girl in town", false},
		{"youth_emphasis_language", "so young", true},
		{"risky_or_no_limits_services", "INGEN GRÆNSER", true},
		{"risky_or_no_limits_services", "ingen grænser 😈", true},
		{"risky_or_no_limits_services", "No-limits", true},
		{"risky_or_no_limits_services", "everything possible!!", true},
		{"risky_or_no_limits_services", "alt er muligt;)", true},
		{"messaging_only_contact", "KUN SMS", true},
		{"messaging_only_contact", "kun sms!!", true},
		{"messaging_only_contact", "only sms", true},
		{"messaging_only_contact", "NO CALLS!!", true},
		{"messaging_only_contact", "whatsapp only 📱", true},
		{"messaging_only_contact", "sms/whatsapp only", true},
		{"third_party_payment", "betaling til min kæreste", true},
		{"third_party_payment", "Pay the reception", true},
		{"third_party_payment", "MobilePay til chauffør", true},
		{"third_party_payment", "crypto only", true},
		{"multiple_persons_in_ad", "2 PIGER", true},
		{"multiple_persons_in_ad", "flere piger", true},
		{"multiple_persons_in_ad", "Nye piger ugentligt", true},
		{"multiple_persons_in_ad", "duo med min veninde", true},
		{"ethnicity_nationality_marketing", "THAI PIGE", true},
		{"ethnicity_nationality_marketing", "ny thai-pige", true},
		{"ethnicity_nationality_marketing", "Asian girls", true},
		{"ethnicity_nationality_marketing", "Sexy latina", true},
		{"ethnicity_nationality_marketing", "rumænsk skønhed", true},
		{"ethnicity_nationality_marketing", "Bulgarian girl", true},
		{"ethnicity_nationality_marketing", "Chinese massage", true},
	}
	for _, c := range cases {
		a := r.Classify(ad.Raw{Category: "escort", Text: c.text})
		checkEvidence(t, ad.Raw{Text: c.text}, a)
		if hasIndicator(a, c.id) != c.fires {
			t.Errorf("%s on %q: fired %v, want %v (got %s)", c.id, c.text, !c.fires, c.fires, indicatorList(a))
		}
	}
}
