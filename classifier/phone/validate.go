package phone

import (
	"strconv"

	"github.com/nyaruka/phonenumbers"
)

// quality is how far phonenumbers vouches for a candidate.
type quality uint8

const (
	qNone quality = iota
	// qPossible: right length for its country, but in no range the
	// library's metadata knows as allocated. Metadata lags new ranges and
	// people invent numbers, so such a number is taken only where the text
	// introduces it as a phone number (a cue word, or a phone field).
	qPossible
	qValid
)

const (
	// maxValidations bounds the library calls of one Extract. An ad needs
	// a handful; only spam such as "2 2 2 2 ..." repeated for pages
	// reaches the bound, and it then costs milliseconds, not seconds.
	maxValidations = 256
	memoSize       = 8
)

// memoEntry remembers one validation, so a number repeated in an ad, or
// the same window met again, is validated once.
type memoEntry struct {
	key  [maxE164 + 2]byte
	n    int
	intl bool
	e164 string
	q    quality
}

// validate checks a candidate, international (after + or 00) or national.
func (sc *scanner) validate(d []byte, intl bool) (string, quality) {
	for k := range sc.memo {
		m := &sc.memo[k]
		if m.n > 0 && m.n == len(d) && m.intl == intl && string(m.key[:m.n]) == string(d) {
			return m.e164, m.q
		}
	}
	if sc.budget == 0 || len(d) > len(sc.memo[0].key) {
		return "", qNone
	}
	sc.budget--
	var e string
	var q quality
	if intl {
		e, q = validIntl(d)
	} else {
		e, q = sc.validNational(d)
	}
	m := &sc.memo[sc.memoNext]
	sc.memoNext = (sc.memoNext + 1) % memoSize
	m.n = copy(m.key[:], d)
	m.intl, m.e164, m.q = intl, e, q
	return e, q
}

// validNational checks a number written without a country code. Danish
// numbers take a fast path: eight digits starting 2-9, no trunk prefix,
// and the PhoneNumber is built directly, since phonenumbers.Parse costs
// several times more than the validation itself.
func (sc *scanner) validNational(d []byte) (string, quality) {
	if sc.dk {
		if len(d) != 8 || d[0] < '2' {
			return "", qNone
		}
		return validCC(45, d)
	}
	var pn phonenumbers.PhoneNumber
	if err := phonenumbers.ParseToNumber(string(d), sc.region, &pn); err != nil {
		return "", qNone
	}
	switch {
	case phonenumbers.IsValidNumber(&pn):
		return phonenumbers.Format(&pn, phonenumbers.E164), qValid
	case phonenumbers.IsPossibleNumberWithReason(&pn) == phonenumbers.IS_POSSIBLE:
		return phonenumbers.Format(&pn, phonenumbers.E164), qPossible
	}
	return "", qNone
}

// validIntl checks digits that followed + or 00. Country calling codes are
// prefix-free, so the first known prefix of one to three digits is the one.
func validIntl(d []byte) (string, quality) {
	cc := 0
	for l := 1; l <= 3 && l < len(d); l++ {
		cc = cc*10 + int(d[l-1]-'0')
		if cc == 0 {
			break
		}
		if len(phonenumbers.GetRegionCodesForCountryCode(cc)) > 0 {
			return validCC(cc, d[l:])
		}
	}
	return "", qNone
}

// validCC validates a national significant number under a country code.
// A leading zero is kept as Italian-style when that is valid, and otherwise
// read as a trunk prefix written by mistake after the country code ("+44
// 07700 ...").
func validCC(cc int, nat []byte) (string, quality) {
	if len(nat) < 4 || len(nat) > 17 {
		return "", qNone
	}
	var nn uint64
	zeros := 0
	for k, c := range nat {
		if c == '0' && zeros == k {
			zeros++
		}
		nn = nn*10 + uint64(c-'0')
	}
	cc32 := int32(cc)
	pn := phonenumbers.PhoneNumber{CountryCode: &cc32, NationalNumber: &nn}
	if zeros > 0 {
		lz := true
		nz := int32(zeros)
		pn.ItalianLeadingZero = &lz
		pn.NumberOfLeadingZeros = &nz
	}
	if phonenumbers.IsValidNumber(&pn) {
		return e164(cc, nat), qValid
	}
	if zeros == 1 {
		pn.ItalianLeadingZero = nil
		pn.NumberOfLeadingZeros = nil
		if phonenumbers.IsValidNumber(&pn) {
			return e164(cc, nat[1:]), qValid
		}
	}
	if zeros == 0 && phonenumbers.IsPossibleNumberWithReason(&pn) == phonenumbers.IS_POSSIBLE {
		return e164(cc, nat), qPossible
	}
	return "", qNone
}

func e164(cc int, nat []byte) string {
	var buf [24]byte
	b := append(buf[:0], '+')
	b = strconv.AppendInt(b, int64(cc), 10)
	b = append(b, nat...)
	return string(b)
}

func regionKnown(region string) bool {
	return region != "" && phonenumbers.GetCountryCodeForRegion(region) != 0
}
