package classifier

import (
	"slices"
	"strings"
	"testing"

	"github.com/adwatch/adwatch/ad"
)

// TestBenignAds runs ordinary ads (clinics, dating, jobs, classifieds,
// independents) past the rules: none may fire, except where noted.
func TestBenignAds(t *testing.T) {
	r := config(t)
	// Indicators an ad may fire, by its text's first words.
	allowed := map[string][]string{
		"Ung mand på 28": {"youth_emphasis_language"}, // stresses youth, in a non-commercial ad
		// Job ads that name no employer (no business name, CVR, legal form
		// or own domain) are fl_opaque_employer by the taxonomy's
		// definition, however ordinary the job: a weak signal on its own
		// (one family, level low), for a human to weigh.
		"Vi søger unge, friske":      {"fl_opaque_employer"},
		"Rengøringshjælp søges":      {"fl_opaque_employer"},
		"Babysitter søges":           {"fl_opaque_employer"},
		"Seasonal workers wanted in": {"fl_opaque_employer"},
		// A Danish job advertised in Polish or Romanian is targeted foreign
		// recruitment even when lawful: context that scores nothing alone.
		"Praca w gospodarstwie":   {"fl_targeted_foreign_recruitment"},
		"Firma daneză de constru": {"fl_targeted_foreign_recruitment"},
	}
	texts := []ad.Raw{
		{Category: "massage", Text: "Velkommen til min klinik i Vejle. Jeg er uddannet massør og tilbyder sportsmassage. Åbent mandag til fredag 9-17. Ring 22 33 44 55 for tid."},
		{Category: "massage", Text: "Vi er et lille team af fysioterapeuter. Book online eller ring til receptionen på 33 44 55 66. Betaling sker i receptionen efter behandlingen."},
		{Category: "dating", Text: "Kvinde på 45 søger en sød mand til hygge og gåture. Jeg elsker at rejse og har lige været i Thailand. Skriv til mig her."},
		{Category: "dating", Text: "Ung mand på 28 søger kæreste. Jeg er frisk på det meste og elsker friluftsliv."},
		{Category: "job", Text: "Vi søger unge, friske medarbejdere til vores café. Ingen erfaring nødvendig. Ring til vores manager Lars på 40 50 60 70."},
		{Category: "job", Text: "Rengøringshjælp søges alle ugens dage. Løn efter overenskomst. Kontakt kontoret."},
		{Category: "other", Text: "Sælger min gamle cykel, næsten ny. Kun afhentning i weekenden. Ring eller sms."},
		{Category: "escort", Text: "Hej, jeg er Lotte, 38, og arbejder selvstændigt. Jeg tager imod i min lejlighed og kører selv ud. Tidsbestilling dagen før. Ring 20 30 40 50."},
		{Category: "escort", Text: "Independent, mature companion. I choose my clients and my hours. I speak English, German and a little Danish. Email me with your preferred date."},
		{Category: "massage", Text: "Thai massage by certified therapists, open Monday to Saturday 10-19. Walk-ins welcome. Gift cards available at the reception."},
		{Category: "massage", Text: "Hot stone og aromaterapi. Rolige omgivelser og friske håndklæder. Alle er velkomne. 60 min 500 kr."},
		{Category: "dating", Text: "We are a couple in our thirties looking for new friends for dinners and board games. She is a teacher, he is a nurse."},
		{Category: "escort", Text: "Bookings by phone or text. I travel to Aarhus once a month, see my calendar. Discreet and relaxed."},
		{Category: "massage", Text: "Massage for kvinder og mænd i Aalborg. Jeg har 15 års erfaring og arbejder efter aftale. Ingen sex, kun massage."},
		{Category: "dating", Text: "Single dad, 41, looking for someone to share the little things with. I cook, I run, I read. No games please."},
		{Category: "other", Text: "Babysitter søges til to børn på 4 og 7 år. Erfaring og ren straffeattest. Ring til mig på 26 27 28 29."},
		{Category: "job", Text: "Chauffør søges til vores firma. Kontakt vores HR-afdeling. Løn efter overenskomst, fast kontrakt."},
		{Category: "job", Text: "Hotel Nordlys i Svendborg søger stuepiger til sommeren. Løn efter overenskomst, oplæring, kontrakt. Ring til Susanne på 62 21 40 90."},
		{Category: "job", Text: "Tømrerfirmaet Hansen & Søn søger en lærling. Ansøg på hansen-soen.dk."},
		{Category: "job", Text: "Farm workers for the apple harvest on Funen. EU citizens need no work permit; others need a valid permit. Housing optional on a separate lease, 1,600 DKK a month. Pay under the agricultural agreement, paid every 14 days to your bank account. Solbakken Frugt I/S."},
		{Category: "job", Text: "Praca w gospodarstwie na Fionii, firma Solbakken Frugt I/S. Umowa o pracę po polsku, wynagrodzenie według duńskiego układu zbiorowego, bez żadnych opłat. Zakwaterowanie opcjonalne, osobna umowa najmu."},
		{Category: "job", Text: "Firma daneză de construcții Havørn Byg ApS angajează zidari. Contract tradus în română, 37 de ore pe săptămână, ore suplimentare plătite, fără taxe de recrutare."},
		{Category: "escort", Text: "Jeg er Sanne, 34. Jeg svarer på sms og opkald mellem 10 og 20. Ingen opkald efter kl. 22."},
		{Category: "massage", Text: "Kinesisk medicin og akupunktur i Odense. Autoriseret behandler, ydernummer. Tidsbestilling på telefon."},
		{Category: "other", Text: "Danseundervisning for par og singler. Nyt hold starter i januar, alle niveauer. 8 gange, 600 kr."},
		{Category: "escort", Text: "Erfaren og moden kvinde på 52 år. Jeg er her for dig i hverdagene. Ring gerne."},
		{Category: "dating", Text: "Spansk kvinde, 36, bosat i København i 10 år, søger en venlig mand til en seriøs relation."},
		{Category: "massage", Text: "Klinikken er åben hver dag 8-16 og lørdag 9-12. Vi har flere behandlere, der alle er uddannede."},
		{Category: "escort", Text: "New photos this week! Same me, same rates. Text for bookings, I answer quickly."},
		{Category: "job", Text: "Seasonal workers wanted in Denmark. Contract in English, union pay, no fees. Accommodation optional at 1,500 DKK per month."},
	}
	for _, raw := range texts {
		a := r.Classify(raw)
		checkEvidence(t, raw, a)
		var ok []string
		for k, v := range allowed {
			if strings.HasPrefix(raw.Text, k) {
				ok = v
			}
		}
		for _, i := range a.Indicators {
			if !slices.Contains(ok, i.ID) {
				t.Errorf("%s fired on %q: %s", i.ID, raw.Text[:min(70, len(raw.Text))], evidenceList(i.Evidence))
			}
		}
	}
}
