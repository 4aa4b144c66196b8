package phone

import (
	"strconv"
	"sync"

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
	if len(d) > len(sc.memo[0].key) {
		return "", qNone
	}
	var kb [cacheKeyLen]byte
	key := cacheKey(kb[:0], sc.region, intl, d)
	e, q, ok := validated.get(key)
	if !ok {
		if sc.budget == 0 {
			return "", qNone
		}
		sc.budget--
		if intl {
			e, q = validIntl(d)
		} else {
			e, q = sc.validNational(d)
		}
		validated.put(key, e, q)
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
		return validDK(d)
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
		if cc == 45 && len(d)-l == 8 {
			return validDK(d[l:])
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

// validDK validates an eight-digit Danish national number. The Danish
// numbering plan decides validity by the first three digits, so the
// library's answer is read once per prefix into a table (on first use, so
// it always agrees with the linked metadata) and most numbers cost a table
// look-up instead of the library's regular expressions. A prefix whose
// numbers the library does not judge alike is left to the library.
func validDK(d []byte) (string, quality) {
	if len(d) == 8 && d[0] >= '0' && d[0] <= '9' && d[1] >= '0' && d[1] <= '9' && d[2] >= '0' && d[2] <= '9' {
		dkPrefixes.once.Do(buildDKPrefixes)
		p := int(d[0]-'0')*100 + int(d[1]-'0')*10 + int(d[2]-'0')
		if q := dkPrefixes.q[p]; q != 0 {
			if q-1 == uint8(qNone) {
				return "", qNone
			}
			return e164(45, d), quality(q - 1)
		}
	}
	return validCC(45, d)
}

// dkPrefixes.q[p] is 1 + the quality of every eight-digit number starting
// with the three digits p, or 0 where the library must be asked.
var dkPrefixes struct {
	once sync.Once
	q    [1000]uint8
}

// dkProbeSuffixes are the last five digits tried per prefix: a prefix is
// tabled only if the library judges them all alike.
var dkProbeSuffixes = [...]string{"00000", "99999", "50505", "12345", "98760", "31415", "27182"}

func buildDKPrefixes() {
	var buf [8]byte
	for p := 0; p < 1000; p++ {
		buf[0], buf[1], buf[2] = byte('0'+p/100), byte('0'+p/10%10), byte('0'+p%10)
		var first quality
		same := true
		for k, suf := range dkProbeSuffixes {
			copy(buf[3:], suf)
			_, q := validCC(45, buf[:])
			if k == 0 {
				first = q
			} else if q != first {
				same = false
				break
			}
		}
		if same {
			dkPrefixes.q[p] = uint8(first) + 1
		}
	}
}

// validated remembers validations across calls. The same numbers recur
// across ads (that is what links them), and a number the library has
// judged once need not be judged again; a hit also reuses the E.164
// string. It is bounded: when full it is emptied and refills.
var validated = validationCache{m: make(map[string]cachedValidation, 1024)}

// maxCached bounds the validation cache (about 100 bytes an entry).
const maxCached = 1 << 15

const cacheKeyLen = 8 + 1 + maxE164 + 2

type cachedValidation struct {
	e164 string
	q    quality
}

type validationCache struct {
	mu sync.RWMutex
	m  map[string]cachedValidation
}

// cacheKey builds region, international flag and digits into buf.
func cacheKey(buf []byte, region string, intl bool, d []byte) []byte {
	if intl {
		buf = append(buf, '+')
	} else {
		buf = append(buf, region...)
		buf = append(buf, ':')
	}
	return append(buf, d...)
}

func (c *validationCache) get(key []byte) (string, quality, bool) {
	c.mu.RLock()
	v, ok := c.m[string(key)]
	c.mu.RUnlock()
	return v.e164, v.q, ok
}

func (c *validationCache) put(key []byte, e string, q quality) {
	c.mu.Lock()
	if len(c.m) >= maxCached {
		clear(c.m)
	}
	c.m[string(key)] = cachedValidation{e164: e, q: q}
	c.mu.Unlock()
}
