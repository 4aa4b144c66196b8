package classifier

import (
	"testing"

	"github.com/adwatch/adwatch/ad"
)

// TestWordingsBatch3 is a third held-out batch, written before any rule was
// changed for it, covering every single-ad indicator the rules detect
// (below_market_price is computed across ads and left out) and every
// forced-labour indicator: other synonyms, word orders, misspellings,
// slang and mixed languages; Danish and English throughout, Romanian,
// Polish, Spanish and Bulgarian for the job indicators; with look-alikes
// that must not fire. 45 of its 161 cases passed before the rules were
// widened (by family: language_control 5/21, movement 4/9, youth_signal
// 11/25, risky_services 1/4, nationality_language_barrier 3/10,
// multi_person 1/5, contact_pattern 4/11, emoji_code 1/4, forced_labour
// 15/72); the rules were then widened for the concepts the failures
// exposed, not for these sentences. Two cases stayed known misses until
// the engine learnt ages next to a person ("Mia, 15,") and number words
// that switch language. Since its sentences also serve as inline rule
// tests now, it is no longer held out: the next estimate needs a batch 4.
func TestWordingsBatch3(t *testing.T) {
	cases := []wordingCase{
		// Third person.
		{"third_person_language", escAd("da", "Skønne Vera nyder at forkæle dig med en lang massage."), true},
		{"third_person_language", escAd("da", "Hun nyder en god snak og et glas vin først."), true},
		{"third_person_language", escAd("en", "Sweet Kira adores gentlemen and candlelight."), true},
		{"third_person_language", escAd("en", "This stunning lady welcomes you in her private suite."), true},
		{"third_person_language", escAd("da", "Hej! Jeg er Line, og jeg elsker at give massage."), false},

		// Contact through someone else.
		{"controller_or_booker_contact", escAd("da", "Aftaler laves med min sekretær på telefon."), true},
		{"controller_or_booker_contact", escAd("en", "Reach out to her handler for rates and times."), true},
		{"controller_or_booker_contact", escAd("da", "Kontaktperson: Jonas, han svarer på sms."), true},
		{"controller_or_booker_contact", escAd("en", "Independent lady, I answer my phone myself."), false},

		// Assurance of genuineness.
		{"trust_assurance_language", escAd("da", "Fotos er autentiske, ikke photoshoppet."), true},
		{"trust_assurance_language", escAd("en", "Legit pics, no bait and switch."), true},
		{"trust_assurance_language", escAd("en", "Real deal 💯 pics are really me."), true},
		{"trust_assurance_language", escAd("en", "Real coffee and real conversation before we start."), false},

		// Always available.
		{"availability_control", escAd("da", "Tilgængelig når som helst, også om natten."), true},
		{"availability_control", escAd("en", "Ready any hour, even weekends and holidays."), true},
		{"availability_control", escAd("da", "Åben 24 timer, kom forbi."), true},
		{"availability_control", escAd("en", "I reply to all messages within 24 hours."), false},

		// A fluent ad for someone who does not speak its language.
		{"fluent_ad_but_language_barrier", escAd("da", "Forkæl dig selv med en sensuel aften hos skønne Mei i hendes hyggelige lejlighed.", "Kinesisk"), true},
		{"fluent_ad_but_language_barrier", escAd("en", "Refined and discreet, Ioana offers unforgettable moments. Note: English not spoken, Romanian only."), true},
		{"fluent_ad_but_language_barrier", escAd("da", "Elegant og diskret selskab i Aarhus. Bemærk: hun forstår hverken engelsk eller dansk."), true},
		{"fluent_ad_but_language_barrier", escAd("da", "Hyggelig massage i Aarhus, jeg taler flydende dansk.", "Dansk", "Thai"), false},

		// Arrival and short stay; Nyhavn, Nyborg, "best in town", "downtown".
		{"new_in_town_text", escAd("da", "Første dag i Herning – skynd dig."), true},
		{"new_in_town_text", escAd("da", "Kun på gennemrejse, ring i aften."), true},
		{"new_in_town_text", escAd("en", "Here till Tuesday, then I fly home."), true},
		{"new_in_town_text", escAd("en", "Freshly landed in CPH, come say hi."), true},
		{"new_in_town_text", escAd("da", "Klinik tæt på Nyhavn. Bedste thaimassage in town, også for gæster fra Nyborg."), false},
		{"new_in_town_text", escAd("en", "Studio in downtown Vejle, under new management."), false},
		{"new_in_town_text", escAd("da", "Nyt i klinikken: hot stone massage."), false},

		// Youth stressed.
		{"youth_emphasis_language", escAd("da", "Yngre pige søger generøs herre."), true},
		{"youth_emphasis_language", escAd("en", "Babyface cutie, petite and sweet."), true},
		{"youth_emphasis_language", escAd("en", "Teenage looks, 21 years old."), true},
		{"youth_emphasis_language", escAd("da", "Jeg er 45, men føler mig ung."), false},

		// A stated age of 18-23.
		{"stated_age_18_23", escAd("da", "Alder: 20. Slank og sød."), true},
		{"stated_age_18_23", escAd("da", "20-årig studerende fra Odense."), true},
		{"stated_age_18_23", escAd("en", "Age 25, curvy and warm."), false},
		{"stated_age_18_23", escAd("da", "Åbent fra 18 til 23 alle hverdage."), false},

		// Cues that the person may be a minor; age-gate boilerplate and
		// adults are not.
		{"minor_cue", escAd("en", "Just turned 18 last week, first time doing this."), true},
		{"minor_cue", escAd("en", "Naughty schoolgirl waiting for you after class."), true},
		{"minor_cue", escAd("en", "Young teen, very shy, be gentle."), true},
		{"minor_cue", escAd("en", "Barely legal and eager to learn."), true},
		{"minor_cue", escAd("da", "Ung pige 17 søger generøs mand."), true},
		{"minor_cue", escAd("da", "Sød gymnasiepige vil tjene lidt ekstra."), true},
		{"minor_cue", escAd("da", "Hej jeg er 16 og ny her."), true},
		{"minor_cue", escAd("da", "Mia, 15, fra Aalborg."), true}, // known miss, see below
		{"minor_cue", escAd("da", "Lige fyldt 18 🎀 sød og uskyldig."), true},
		{"minor_cue", escAd("en", "Almost 18, looking for a sugar daddy."), true},
		{"minor_cue", ad.Raw{Category: "escort", Text: "Sød pige klar til dig.", Age: 16}, true},
		{"minor_cue", escAd("da", "Kun for voksne 18+. Jeg er 25 år og arbejder selvstændigt."), false},
		{"minor_cue", escAd("en", "18+ only. All models are over 18."), false},
		{"minor_cue", escAd("da", "Ingen under 18 – legitimation kan kræves."), false},
		{"minor_cue", escAd("da", "Moden kvinde, 45, med 17 års erfaring som massør."), false},
		{"minor_cue", escAd("en", "Teen 19, sweet and petite."), false},
		{"minor_cue", ad.Raw{Category: "escort", Text: "Adult woman, 25, independent.", Age: 25}, false},

		// Unprotected or no limits.
		{"risky_or_no_limits_services", escAd("da", "Intet er tabu hos mig."), true},
		{"risky_or_no_limits_services", escAd("en", "Natural service available for extra."), true},
		{"risky_or_no_limits_services", escAd("en", "Open for everything, just ask."), true},
		{"risky_or_no_limits_services", escAd("da", "Altid med kondom – sikkerhed først."), false},

		// Nationality sold as the product.
		{"ethnicity_nationality_marketing", escAd("en", "Sexy Filipina in Vesterbro."), true},
		{"ethnicity_nationality_marketing", escAd("da", "Dejlig polsk kvinde venter."), true},
		{"ethnicity_nationality_marketing", escAd("en", "Brazilian bombshell, curvy and wild."), true},
		{"ethnicity_nationality_marketing", escAd("da", "Exotisk skønhed i Aarhus."), true},
		{"ethnicity_nationality_marketing", escAd("en", "I speak Russian and English."), false},

		// Speaks neither Danish nor English.
		{"language_barrier", escAd("en", "Understands just Bulgarian, please text short."), true},
		{"language_barrier", escAd("da", "Hun forstår hverken dansk eller engelsk."), true},
		{"language_barrier", escAd("", "Sweet girl", "Romanian", "English (basic)"), true},
		{"language_barrier", escAd("en", "Zero English, sorry, translator app only."), true},
		{"language_barrier", escAd("en", "I speak fluent English and some Danish."), false},

		// Several persons.
		{"multiple_persons_in_ad", escAd("da", "Stort udvalg af damer hver dag."), true},
		{"multiple_persons_in_ad", escAd("en", "Choose your girl from our gallery."), true},
		{"multiple_persons_in_ad", escAd("en", "Team of 8 ladies waiting."), true},
		{"multiple_persons_in_ad", escAd("da", "Ny pige hver mandag."), true},
		{"multiple_persons_in_ad", escAd("da", "Jeg arbejder alene, der er ingen andre i lejligheden."), false},

		// Numbers written to evade scrapers.
		{"obscured_contact", escAd("", "Ring tre en fire syv two zero nine five"), true}, // known miss, see below
		{"obscured_contact", escAd("", "sms: fem to / otte nul / tre en / seks ni"), true},
		{"obscured_contact", escAd("", "Ring 52 80 31 69. Priser: to timer 2000, tre timer 2800."), false},

		// Written contact only.
		{"messaging_only_contact", escAd("da", "Opkald besvares ikke, skriv i stedet."), true},
		{"messaging_only_contact", escAd("en", "Texts preferred, calls ignored."), true},
		{"messaging_only_contact", escAd("en", "Contact solely via Signal."), true},
		{"messaging_only_contact", escAd("da", "Ring eller skriv, begge dele er fint."), false},

		// Payment to someone else, or crypto.
		{"third_party_payment", escAd("da", "Afregning sker med chaufføren."), true},
		{"third_party_payment", escAd("en", "Settle the fee with the doorman."), true},
		{"third_party_payment", escAd("en", "Only USDC or LTC accepted."), true},
		{"third_party_payment", escAd("da", "Betaling direkte til mig, kontant eller MobilePay."), false},

		// Emoji as code.
		{"emoji_code_adult", escAd("", "🛬 Lige landet i Aalborg"), true},
		{"emoji_code_adult", escAd("", "Tribute: 🌹1400 / 1h"), true},
		{"emoji_code_adult", escAd("", "Booking through Papi 👑"), true},
		{"emoji_code_adult", escAd("", "Rejser til Thailand ✈️ – lukket i juli."), false},

		// A number outside Denmark.
		{"foreign_or_out_of_area_number", escAd("", "WhatsApp: 0044 7700 900 418"), true},
		{"foreign_or_out_of_area_number", escAd("", "Ring 0045 31 47 20 95"), false},

		// Forced labour: too good to be true.
		{"fl_too_good_to_be_true", jobAd("Câștig garantat 4000 euro lunar, nu cerem experiență!"), true},
		{"fl_too_good_to_be_true", jobAd("Dobrze płatna praca, 25 000 zł na miesiąc, nie wymagamy doświadczenia."), true},
		{"fl_too_good_to_be_true", jobAd("Sueldo de 3000€ mensuales, no pedimos experiencia, empiezas ya."), true},
		{"fl_too_good_to_be_true", jobAd("Много добри пари, не е нужен опит."), true},
		{"fl_too_good_to_be_true", jobAd("Fed løn – 50.000 om måneden – ingen forkundskaber."), true},
		{"fl_too_good_to_be_true", jobAd("Earn 6k a month, zero experience needed."), true},
		{"fl_too_good_to_be_true", jobAd("Senior developer, 60.000 kr/md, at least 5 years of experience required, start asap."), false},

		// Recruitment fee.
		{"fl_recruitment_fee", jobAd("Pentru dosar se achită 200 lei."), true},
		{"fl_recruitment_fee", jobAd("Kandydat wpłaca zaliczkę 300 zł na poczet biletu."), true},
		{"fl_recruitment_fee", jobAd("Hay que abonar 250 € por los trámites antes de viajar."), true},
		{"fl_recruitment_fee", jobAd("Плащате 150 лв. за документи преди заминаване."), true},
		{"fl_recruitment_fee", jobAd("Jobbet koster 1.500 kr. at få – betales forud."), true},
		{"fl_recruitment_fee", jobAd("Secure your spot with a 200 EUR down payment."), true},
		{"fl_recruitment_fee", jobAd("Nu se percepe niciun comision de la candidați."), false},

		// Housing taken out of the pay.
		{"fl_housing_tied_deductions", jobAd("Locuință oferită de firmă, 150 euro/lună opriți din salariu."), true},
		{"fl_housing_tied_deductions", jobAd("Kwatera pracownicza – 600 zł miesięcznie odciągane od pensji."), true},
		{"fl_housing_tied_deductions", jobAd("Alojamiento en casa de la empresa, 250 euros al mes que se restan de la nómina."), true},
		{"fl_housing_tied_deductions", jobAd("Værelse i personalehuset – lejen modregnes i lønudbetalingen."), true},
		{"fl_housing_tied_deductions", jobAd("Bed in staff caravan, weekly rent comes out of your paycheck."), true},
		{"fl_housing_tied_deductions", jobAd("Housing available nearby; tenants pay rent directly to the landlord."), false},

		// Documents held.
		{"fl_documents_held", jobAd("Vă păstrăm noi pașapoartele, pentru siguranță."), true},
		{"fl_documents_held", jobAd("Dowody osobiste zostawiacie u brygadzisty."), true},
		{"fl_documents_held", jobAd("La empresa guarda tu pasaporte mientras trabajas."), true},
		{"fl_documents_held", jobAd("Паспортите се събират при пристигане."), true},
		{"fl_documents_held", jobAd("Passet skal deponeres hos formanden."), true},
		{"fl_documents_held", jobAd("The supervisor will look after your ID card for the whole season."), true},
		{"fl_documents_held", jobAd("HR makes a copy of your passport on your first day; the original stays with you."), false},

		// Excessive hours.
		{"fl_excessive_hours", jobAd("Lucru de luni până duminică, câte 12 ore."), true},
		{"fl_excessive_hours", jobAd("Pracujemy od świtu do nocy, bez weekendów."), true},
		{"fl_excessive_hours", jobAd("Turnos de doce horas, todos los días."), true},
		{"fl_excessive_hours", jobAd("Работно време 13 часа дневно."), true},
		{"fl_excessive_hours", jobAd("Du arbejder 70 timer ugentligt."), true},
		{"fl_excessive_hours", jobAd("Double shifts daily, no weekends off."), true},
		{"fl_excessive_hours", jobAd("Part-time, 15 hours a week, weekends free."), false},

		// Wages withheld.
		{"fl_wage_withholding", jobAd("Plata se face la întoarcerea acasă."), true},
		{"fl_wage_withholding", jobAd("Pensja wypłacana co trzy miesiące."), true},
		{"fl_wage_withholding", jobAd("Te pagamos todo junto al terminar la cosecha."), true},
		{"fl_wage_withholding", jobAd("Заплащане накрая, след приключване на работата."), true},
		{"fl_wage_withholding", jobAd("Lønnen holdes tilbage indtil kontraktens udløb."), true},
		{"fl_wage_withholding", jobAd("We keep your wages safe until you go home."), true},
		{"fl_wage_withholding", jobAd("Monthly salary paid into your account on the last working day."), false},

		// Irregular status accepted.
		{"fl_irregular_status_ok", jobAd("Nu contează dacă nu ai acte."), true},
		{"fl_irregular_status_ok", jobAd("Przyjmiemy osoby bez legalnego pobytu."), true},
		{"fl_irregular_status_ok", jobAd("Aceptamos gente sin permiso de trabajo."), true},
		{"fl_irregular_status_ok", jobAd("Не питаме за документи."), true},
		{"fl_irregular_status_ok", jobAd("Vi spørger ikke efter papirer."), true},
		{"fl_irregular_status_ok", jobAd("Visa overstayers welcome."), true},
		{"fl_irregular_status_ok", jobAd("Tredjelandsborgere skal have arbejdstilladelse."), false},

		// No employer named.
		{"fl_opaque_employer", jobAd("Se necesita personal para invernadero, info por WhatsApp."), true},
		{"fl_opaque_employer", jobAd("Need 10 guys for demolition, DM me."), true},
		{"fl_opaque_employer", jobAd("Folk til rengøring mangles, skriv privat."), true},
		{"fl_opaque_employer", jobAd("SC Agro Nord SRL angajează muncitori pentru seră."), false},

		// Isolation and transport from home.
		{"fl_isolation_transport", jobAd("Microbuz din Moldova până la locul de muncă."), true},
		{"fl_isolation_transport", jobAd("Mieszkanie na terenie gospodarstwa, do najbliższego sklepu 30 km."), true},
		{"fl_isolation_transport", jobAd("Vivienda dentro de la explotación agrícola."), true},
		{"fl_isolation_transport", jobAd("Осигурен автобус от България до фермата."), true},
		{"fl_isolation_transport", jobAd("Husvogn på marken, 20 km til nærmeste by."), true},
		{"fl_isolation_transport", jobAd("Bunkhouse on the estate, no public transport."), true},
		{"fl_isolation_transport", jobAd("Staff commute by train; the station is 300 m away."), false},

		// Sex-work recruitment dressed as a job.
		{"fl_disguised_sex_recruitment", otherAd("Job de companie pentru domni în Elveția, 5000 CHF/lună, avion plătit, doar fete."), true},
		{"fl_disguised_sex_recruitment", jobAd("Praca w salonie masażu w Norwegii dla atrakcyjnych pań, zakwaterowanie gratis, zarobki 20 000 zł."), true},
		{"fl_disguised_sex_recruitment", otherAd("Se buscan señoritas de compañía para Suiza, vuelo pagado, 4000 € al mes."), true},
		{"fl_disguised_sex_recruitment", jobAd("Търсим момичета за бар в Гърция, безплатна квартира и билет, висока заплата."), true},
		{"fl_disguised_sex_recruitment", otherAd("Dansepiger søges til natklub i Tyrkiet – fri bolig og flybillet, 30.000 kr/md."), true},
		{"fl_disguised_sex_recruitment", otherAd("Seeking attractive girls as VIP companions in Macau, airfare covered, earn $8,000/month."), true},
		{"fl_disguised_sex_recruitment", jobAd("Flight attendants wanted for a Gulf airline, travel and housing paid, high salary."), false},

		// A Danish job advertised in an origin-country language.
		{"fl_targeted_foreign_recruitment", jobAd("Locuri de muncă la abator lângă Aarhus, Iutlanda."), true},
		{"fl_targeted_foreign_recruitment", jobAd("Praca na fermie norek koło Kopenhagi."), true},
		{"fl_targeted_foreign_recruitment", jobAd("Trabajo en una granja en Jutlandia."), true},
		{"fl_targeted_foreign_recruitment", jobAd("Работа в Копенхаген, склад."), true},
		{"fl_targeted_foreign_recruitment", jobAd("Praca w Niemczech, Berlin, magazyn."), false},
		{"fl_targeted_foreign_recruitment", jobAd("Warehouse jobs in Denmark for English speakers already living in Aarhus."), false},
	}
	checkWordings(t, cases, nil)
}
