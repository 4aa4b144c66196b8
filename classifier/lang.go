package classifier

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Language detection, offline and small: an ad whose site gives no
// language is read by its function words (the short words every sentence
// of a language uses and few other languages share) and its letters (ø, ș,
// ł, ñ, Cyrillic, Thai). No model, no download: the word lists below are
// the model, and outreach staff can read them.
//
// It tells apart the languages of the ads adwatch meets: Danish, English,
// Romanian, Polish, Spanish, Bulgarian, Thai written in Latin letters, and
// the neighbours German, Swedish and Norwegian (Bokmål), which must not be
// taken for Danish. Cyrillic text that is Russian or Ukrainian by its
// letters is reported as ru or uk.

// functionWords lists, per language, words that say which language a text
// is in. A word listed under several languages counts for each, less.
// Lower case, as written (diacritics matter here).
var functionWords = map[string]string{
	"da": `og i at er en et den det de jeg du han hun vi til på af med for ikke som har kan vil skal
		mig dig min mit mine din dit sig sin hos fra om men eller når hvis så også kun efter bare meget
		godt god gerne lidt hej tak nu her der hvor hvad hvem være blive bliver var været nogle nogen
		alle ingen år dag uge aften ring skriv sød søde dejlig lækker lækre venter taler dansk engelsk
		før mellem ved uden altid aldrig helt ny nye hyggelig hyggelige mænd kvinde pige piger søger
		søges løn arbejde jer jeres vores hendes hans deres jo lige fordi hver time timer tid klar kom
		glæder elsker tager imod hele dage byen kr rigtig selv sammen også`,
	"no": `og i å er en et ei den det de jeg du han hun vi til på av med for ikke som har kan vil skal
		meg deg min mitt mine din ditt seg sin hos fra om men eller når hvis så også kun etter bare
		veldig mye gjerne litt hei takk nå her der hva hvem være bli blir var noen alle ingen år uke
		kveld ring skriv søt deilig lekker venter snakker norsk engelsk før mellom ved uten alltid
		aldri helt ny nye koselig menn kvinne jente jenter søker lønn arbeid dere deres vår hennes
		hans jo fordi hver enn time timer tid klar kom gleder elsker tar imot hele dager byen kr selv
		sammen ikkje`,
	"sv": `och i att är en ett den det de jag du han hon vi till på av med för inte som har kan vill
		ska mig dig min mitt mina din ditt sig sin hos från om men eller när så också bara endast
		mycket gärna lite hej tack nu här där vad vem vara bli blir var några någon alla ingen inga
		år vecka kväll ring skriv söt härlig väntar pratar svenska engelska före mellan vid utan
		alltid aldrig helt ny nya mysig män kvinna tjej tjejer söker lön arbete jobb era vår hennes
		hans deras ju eftersom varje efter än timme timmar tid klar kom älskar tar emot hela dagar
		stan kr själv tillsammans`,
	"de": `und in ich du er sie es wir ihr der die das den dem des ein eine einen einem einer ist bin
		bist sind war habe hat haben mit für auf aus bei von zu zum zur nicht kein keine auch nur
		sehr gerne gern mich dich mir dir sich mein meine dein deine wie was wer wo wenn aber oder
		noch schon hier jetzt heute morgen stunde stunden bitte danke hallo liebe süße neu neue
		mädchen frau frauen arbeit lohn deutsch englisch spreche spricht ohne immer alle jeden jede
		diese dieser nach über unter warte freue`,
	"en": `the and a an of to in is are was be i i'm im you he she we they it my your her his our their
		me him us them for with on at by from this that these not no only just very so but or if when
		what who where can will would have has do does don't call text here there now new sweet hour
		hours available please welcome looking speak speaks english danish girl girls lady work job
		pay salary all any every always never without about into up out more also get am been being
		want wants waiting ready come make time our you're it's we're she's`,
	"ro": `și si în de la cu pe pentru din care că ca nu sunt este e eu tu el ea noi voi ei ele mă te
		se îmi imi mi ți meu mea tău sau dar mai foarte doar numai un o unei unui al ale ai acum aici
		vă ce cine unde când cand bună buna salut mulțumesc vorbesc română engleză ore oră ora lei
		muncă munca lucru salariu cazare fără fara până pana după dupa prin aveți aveti nevoie
		căutăm cautam angajăm angajam sună suna frumoasă dulce fată fata fete zile nouă noua ani
		lună luna oraș oras vino scrie`,
	"pl": `i w z na do się nie jest są to że ze jak co ale lub albo dla od po przy o u za bez ja ty on
		ona my wy oni mnie mi cię ciebie jestem mam ma mój moja twój tylko bardzo już jeszcze tu
		tutaj teraz kiedy gdzie kto czy tak też także dzień godzina godzin godzinę zł złotych praca
		pracy pracownik pracowników wynagrodzenie zarobki mieszkanie zakwaterowanie umowa kontakt
		dzwoń zadzwoń napisz mówię polsku angielsku dziewczyna nowa mieście lat przez będzie można
		oraz który która które miesiąc miesięcznie szukamy zatrudni`,
	"es": `el la los las un una unos y o de del en a al con por para sin que es soy eres está estoy
		son muy más pero si no sí yo tú tu mi me te se su sus nos lo le les como cuando donde qué
		quien hola gracias solo sólo también ahora aquí hora horas euros trabajo sueldo salario
		hablo español inglés chica chicas nueva días años llámame escríbeme mensaje todos todo cada
		hasta desde ven estoy estás`,
	"th": `khun mai pen dai ka kha krap khrap khrab na chan phom pom nong phi pee pii suay suai narak
		jai di dee wan thaonan thao phut phasa tae yu yoo ma jak laew leaw mak maak sabai sawatdi
		sawasdee nuat nuad rak khon mee mi arai thi thuk tham thang mot rap sai krai kin khao ngoen
		ngern baht chua mong yang gap kap kub kab ja jaa lae kong khong hai tong noi nit loei poet
		pai ha ban rue sao tho yut namman boran ngan pha khap rot`,
	"bg": `и в на с за от до по не е са съм си се да ще че как какво кой къде но или аз ти той тя ние
		вие те ме ми му й ѝ моя мой само много вече тук сега час часа лева лв евро работа заплата
		говоря български английски датски момиче нова града дни години г обади обадете пиши без
		при след през който която което здравейте казвам приемам`,
	// Russian and Ukrainian, only to tell Cyrillic text apart.
	"ru": `и в на с за от до по не это что как кто где но или я ты он она мы вы они меня тебя мне
		тебе его её только очень уже здесь сейчас час работа зарплата говорю русский английский
		девушка новая городе дней лет звони звоните пиши без при после через который которая жду`,
	"uk": `і в на з за від до по не це що як хто де але або я ти він вона ми ви вони мене тебе мені
		тобі тільки дуже вже тут зараз година робота зарплата говорю українська англійська дівчина
		нова місті днів років дзвони пиши без при після через який яка чекаю та`,
}

// wordWeights maps a function word to its weight for each language of
// detectOrder that lists it (1 / the number of languages listing it): one
// look-up per word of the text.
var wordWeights = func() map[string][]langWeight {
	count := map[string]int{}
	for _, ws := range functionWords {
		seen := map[string]bool{}
		for _, w := range strings.Fields(ws) {
			if !seen[w] {
				seen[w] = true
				count[w]++
			}
		}
	}
	out := map[string][]langWeight{}
	for k, l := range detectOrder {
		seen := map[string]bool{}
		for _, w := range strings.Fields(functionWords[l]) {
			if !seen[w] {
				seen[w] = true
				out[w] = append(out[w], langWeight{lang: uint8(k), w: 1 / float64(count[w])})
			}
		}
	}
	return out
}()

type langWeight struct {
	lang uint8 // index in detectOrder
	w    float64
}

// detectOrder fixes the order languages are tried in, so that ties are
// broken the same way every time (Danish first: the ads are Danish).
var detectOrder = []string{"da", "en", "no", "sv", "de", "ro", "pl", "es", "bg", "th", "ru", "uk"}

// cyrillicLangs are the languages of detectOrder written in Cyrillic.
var cyrillicLangs = map[string]bool{"bg": true, "ru": true, "uk": true}

// letterHints are letters that point to a language; each occurrence adds
// its weight to each language listed.
var letterHints = map[rune][]string{
	'æ': {"da", "no"}, 'ø': {"da", "no"}, 'å': {"da", "no", "sv"},
	'ä': {"sv", "de"}, 'ö': {"sv", "de"}, 'ü': {"de"}, 'ß': {"de"},
	'ș': {"ro"}, 'ş': {"ro"}, 'ț': {"ro"}, 'ţ': {"ro"}, 'ă': {"ro"}, 'î': {"ro"}, 'â': {"ro"},
	'ą': {"pl"}, 'ę': {"pl"}, 'ł': {"pl"}, 'ś': {"pl"}, 'ż': {"pl"}, 'ź': {"pl"}, 'ć': {"pl"}, 'ń': {"pl"},
	'ñ': {"es"}, '¿': {"es"}, '¡': {"es"}, 'á': {"es"}, 'í': {"es"}, 'ú': {"es"},
	'ъ': {"bg"}, 'ы': {"ru"}, 'э': {"ru"}, 'ё': {"ru"}, 'і': {"uk"}, 'ї': {"uk"}, 'є': {"uk"}, 'ґ': {"uk"},
}

const letterHintWeight = 0.3

// letterHintIdx is letterHints with languages as indexes in detectOrder.
var letterHintIdx = func() map[rune][]uint8 {
	out := map[rune][]uint8{}
	for r, ls := range letterHints {
		for _, l := range ls {
			for k, o := range detectOrder {
				if o == l {
					out[r] = append(out[r], uint8(k))
				}
			}
		}
	}
	return out
}()

// Detection is the result of DetectLanguage.
type Detection struct {
	// Lang is the ISO 639-1 code of the language the text is most likely
	// in, or "" when the text gives too little to tell.
	Lang string
	// Confidence is from 0 to 1: the share of the evidence that points to
	// Lang rather than the runner-up.
	Confidence float64
	// Words is how many words the text has.
	Words int
}

// minDetectScore is the least evidence (about two distinctive function
// words) on which a language is named.
const minDetectScore = 1.5

// DetectLanguage guesses the language of text, offline. It is meant for
// ads: a few dozen words, often mixed with English, numbers and emoji.
func DetectLanguage(text string) Detection {
	var d detector
	d.run(text)
	return d.result()
}

type detector struct {
	scores   [16]float64 // by index in detectOrder
	words    int
	cyrillic int
	thai     int
}

func (d *detector) run(text string) {
	if len(text) > maxView {
		text = text[:maxView]
	}
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(text[i:])
			d.letter(r)
			i += size - 1
		}
	}
	var it wordIter
	it.s = text
	for {
		w, ok := it.next()
		if !ok {
			break
		}
		d.words++
		for _, lw := range wordWeights[string(w)] {
			d.scores[lw.lang] += lw.w
		}
	}
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
}

func (d *detector) letter(r rune) {
	lr := unicode.ToLower(r)
	switch {
	case unicode.Is(unicode.Cyrillic, r):
		d.cyrillic++
	case unicode.Is(unicode.Thai, r):
		d.thai++
	}
	for _, k := range letterHintIdx[lr] {
		d.scores[k] += letterHintWeight
	}
}

func (d *detector) result() Detection {
	out := Detection{Words: d.words}
	// Scripts first: Thai script is Thai; mostly Cyrillic text is one of
	// the Cyrillic languages (Bulgarian when its words do not say which).
	if d.thai > 0 && d.thai*2 >= d.cyrillic+d.thai {
		out.Lang, out.Confidence = "th", 1
		return out
	}
	cyr := d.cyrillic >= 4
	best, second := -1, -1
	for k, l := range detectOrder {
		if cyrillicLangs[l] != cyr {
			continue
		}
		switch {
		case best < 0 || d.scores[k] > d.scores[best]:
			best, second = k, best
		case second < 0 || d.scores[k] > d.scores[second]:
			second = k
		}
	}
	if cyr && d.scores[best] < minDetectScore {
		out.Lang, out.Confidence = "bg", 0.5
		return out
	}
	if best < 0 || d.scores[best] < minDetectScore {
		return out
	}
	out.Lang = detectOrder[best]
	total := d.scores[best]
	if second >= 0 {
		total += d.scores[second]
	}
	out.Confidence = d.scores[best] / total
	return out
}

// wordIter yields the words of s, lower-cased: letters and marks, with
// inner apostrophes kept ("don't", "i'm"). A word is valid until the next
// call.
type wordIter struct {
	s   string
	i   int
	buf [64]byte
}

func (it *wordIter) next() ([]byte, bool) {
	s := it.s
	if len(s) > maxView {
		s = s[:maxView]
	}
	for it.i < len(s) {
		// ASCII fast path: skip non-letters, copy lower-cased letters.
		if c := s[it.i]; c < utf8.RuneSelf && !isASCIILetter(c) {
			it.i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[it.i:])
		if !isWordRune(r) {
			it.i += size
			continue
		}
		n := 0
		j := it.i
		for j < len(s) {
			if c := s[j]; c < utf8.RuneSelf {
				if isASCIILetter(c) {
					if n < len(it.buf) {
						it.buf[n] = c | 0x20
						n++
					}
					j++
					continue
				}
				if c != '\'' {
					break
				}
			}
			r, size := utf8.DecodeRuneInString(s[j:])
			if r == '’' {
				r = '\''
			}
			if !isWordRune(r) && r != '\'' {
				break
			}
			lr := unicode.ToLower(r)
			if n+utf8.RuneLen(lr) <= len(it.buf) {
				n += utf8.EncodeRune(it.buf[n:], lr)
			}
			j += size
		}
		it.i = j
		for n > 0 && it.buf[n-1] == '\'' {
			n--
		}
		if n > 0 {
			return it.buf[:n], true
		}
	}
	return nil, false
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
