package classifier

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Phrase syntax (see configs/rules/README.md). A phrase is a sequence of
// slots separated by spaces:
//
//	word      a whole word, matched on the normalised text
//	word*     any word starting with "word" (pige* matches pige, piger, pigerne)
//	(a|b c|)  one of the alternatives; an empty alternative makes the slot optional
//	{list}    one of the entries of a word list declared under "lists:"
//	_         exactly one word, whatever it is
//	...       0 to 3 words, whatever they are; ...N for 0 to N words (N ≤ 8)
//
// Each alternative of a phrase's first slot, with the literal words that
// follow it, is a key of one Aho-Corasick automaton shared by all rules;
// where the automaton finds a key, the rest of the phrase is checked word by
// word from there.

const (
	maxGap        = 8
	defaultGap    = 3
	maxGapsPerSeq = 3
)

type elemKind uint8

const (
	elemWord elemKind = iota // literal word (maybe a prefix)
	elemAny                  // exactly one word
	elemGap                  // 0..n words
)

type elem struct {
	kind   elemKind
	text   string // elemWord: normalised, no spaces
	prefix bool   // elemWord: matches words starting with text
	n      int    // elemGap: most words skipped
}

// slot is one position of a phrase before expansion: a set of alternative
// element sequences.
type slot [][]elem

// parsePhrase parses src into slots. lists holds the word lists the
// phrase may refer to, already parsed.
func parsePhrase(src string, lists map[string][][]elem) ([]slot, error) {
	var slots []slot
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '(':
			j := strings.IndexByte(src[i:], ')')
			if j < 0 {
				return nil, errors.New(`"(" without a closing ")"`)
			}
			body := src[i+1 : i+j]
			if strings.ContainsAny(body, "({") {
				return nil, errors.New(`groups "( )" cannot hold another group or a {list}`)
			}
			i += j + 1
			var s slot
			for _, alt := range strings.Split(body, "|") {
				ws, err := parseWords(alt)
				if err != nil {
					return nil, err
				}
				s = append(s, ws)
			}
			slots = append(slots, s)
		case c == ')' || c == '|' || c == '}':
			return nil, fmt.Errorf("unexpected %q outside a group", string(c))
		case c == '{':
			j := strings.IndexByte(src[i:], '}')
			if j < 0 {
				return nil, errors.New(`"{" without a closing "}"`)
			}
			name := strings.TrimSpace(src[i+1 : i+j])
			i += j + 1
			l, ok := lists[name]
			if !ok {
				return nil, fmt.Errorf("unknown list {%s}; declare it under \"lists:\"", name)
			}
			slots = append(slots, slot(l))
		default:
			j := i
			for j < len(src) && !strings.ContainsRune(" \t\n(){}|", rune(src[j])) {
				j++
			}
			w := src[i:j]
			i = j
			switch {
			case w == "_":
				slots = append(slots, slot{{{kind: elemAny}}})
			case strings.HasPrefix(w, "..."):
				n := defaultGap
				if rest := w[3:]; rest != "" {
					v, err := strconv.Atoi(rest)
					if err != nil || v < 1 || v > maxGap {
						return nil, fmt.Errorf("gap %q: write ... or ...N with N from 1 to %d", w, maxGap)
					}
					n = v
				}
				slots = append(slots, slot{{{kind: elemGap, n: n}}})
			default:
				ws, err := parseWords(w)
				if err != nil {
					return nil, err
				}
				if len(ws) > 0 {
					slots = append(slots, slot{ws})
				}
			}
		}
	}
	return slots, nil
}

// parseWords parses plain words (each maybe ending in *) into elements.
func parseWords(src string) ([]elem, error) {
	var out []elem
	for _, w := range strings.Fields(src) {
		prefix := false
		if strings.HasSuffix(w, "*") {
			prefix = true
			w = strings.TrimRight(w, "*")
			if w == "" {
				return nil, errors.New(`"*" must end a word: write pige*, not a lone *`)
			}
		}
		if w == "_" && !prefix {
			out = append(out, elem{kind: elemAny})
			continue
		}
		if strings.HasPrefix(w, "...") {
			return nil, fmt.Errorf("%q is not allowed inside a group or list", w)
		}
		if strings.Contains(w, "*") {
			return nil, fmt.Errorf("%q: \"*\" may only end a word", w)
		}
		norm := normalizeString(w)
		if w == "-" || w == "–" || w == "—" {
			norm = "-" // a range: "10 - 18", "24 - 7"
		}
		toks := strings.Fields(norm)
		for k, t := range toks {
			out = append(out, elem{kind: elemWord, text: t, prefix: prefix && k == len(toks)-1})
		}
	}
	return out, nil
}

// compiledSeq is one way a phrase can start: the literal words the
// automaton looks up (its key), and the slots checked word by word after it.
type compiledSeq struct {
	key       string
	keyPrefix bool // the key's last word is a prefix
	tail      []tailSlot
}

// tailSlot is a slot after the key: a set of alternative word sequences
// (an empty one makes the slot optional), one arbitrary word, or a gap.
type tailSlot struct {
	kind elemKind // elemWord: alternatives
	alts [][]elem
	n    int
	// idx, for slots with many alternatives, finds the ones that can match
	// a word by its first byte.
	idx *altIndex
}

// altIndex buckets a slot's alternatives by the first byte of their first
// word; rest holds the alternatives that start with _ or are empty.
type altIndex struct {
	off   [257]uint16
	order []int32
	rest  []int32
}

const minIndexedAlts = 6

func buildAltIndex(alts [][]elem) *altIndex {
	x := &altIndex{}
	var count [256]int
	for _, a := range alts {
		if len(a) > 0 && a[0].kind == elemWord && a[0].text != "" {
			count[a[0].text[0]]++
		}
	}
	sum := 0
	for c := 0; c < 256; c++ {
		x.off[c] = uint16(sum)
		sum += count[c]
	}
	x.off[256] = uint16(sum)
	x.order = make([]int32, sum)
	var fill [256]int
	for i, a := range alts {
		if len(a) > 0 && a[0].kind == elemWord && a[0].text != "" {
			c := a[0].text[0]
			x.order[int(x.off[c])+fill[c]] = int32(i)
			fill[c]++
		} else {
			x.rest = append(x.rest, int32(i))
		}
	}
	return x
}

// indexTails adds alternative indexes to the slots of c, sharing one index
// per alternatives slice (a list used by many phrases is indexed once).
func indexTails(c *compiledSeq, cache map[*[]elem]*altIndex) {
	for i := range c.tail {
		t := &c.tail[i]
		if t.kind != elemWord || len(t.alts) < minIndexedAlts || len(t.alts) > 1<<15 {
			continue
		}
		key := &t.alts[0]
		if x, ok := cache[key]; ok {
			t.idx = x
			continue
		}
		t.idx = buildAltIndex(t.alts)
		cache[key] = t.idx
	}
}

// compilePhrase turns parsed slots into one compiledSeq per alternative of
// the first slot. Only the first slot is expanded, so a phrase built from
// long lists costs as many automaton keys as its first slot has entries.
func compilePhrase(slots []slot) ([]compiledSeq, error) {
	if len(slots) == 0 {
		return nil, errors.New("phrase has no words after normalisation")
	}
	first := slots[0]
	if len(first) == 0 {
		return nil, errors.New("phrase starts with an empty list")
	}
	for _, alt := range first {
		if len(alt) == 0 {
			return nil, errors.New("a phrase must start with a word: its first group cannot be optional")
		}
		if alt[0].kind != elemWord {
			return nil, errors.New("a phrase must start with a word, not with _ or a gap (...)")
		}
	}
	if last := slots[len(slots)-1]; len(last) == 1 && len(last[0]) == 1 && last[0][0].kind == elemGap {
		return nil, errors.New("a phrase must not end with a gap (...)")
	}
	// The slots after the first, as tail slots; single-alternative word
	// slots are split into one slot per word so the key can absorb them.
	var rest []tailSlot
	gaps := 0
	for _, s := range slots[1:] {
		if len(s) == 1 && len(s[0]) == 1 && s[0][0].kind != elemWord {
			e := s[0][0]
			if e.kind == elemGap {
				gaps++
			}
			rest = append(rest, tailSlot{kind: e.kind, n: e.n})
			continue
		}
		if len(s) == 1 && len(s[0]) > 0 {
			for _, w := range s[0] {
				if w.kind == elemAny {
					rest = append(rest, tailSlot{kind: elemAny})
					continue
				}
				rest = append(rest, tailSlot{kind: elemWord, alts: [][]elem{{w}}})
			}
			continue
		}
		if len(s) == 0 {
			return nil, errors.New("phrase uses an empty list")
		}
		rest = append(rest, tailSlot{kind: elemWord, alts: s})
	}
	if gaps > maxGapsPerSeq {
		return nil, fmt.Errorf("a phrase may hold at most %d gaps (...)", maxGapsPerSeq)
	}
	out := make([]compiledSeq, 0, len(first))
	seen := map[string]bool{}
	for _, alt := range first {
		var c compiledSeq
		words := make([]string, 0, len(alt))
		i := 0
		for ; i < len(alt) && alt[i].kind == elemWord; i++ {
			words = append(words, alt[i].text)
			if alt[i].prefix {
				c.keyPrefix = true
				i++
				break
			}
		}
		for _, w := range alt[i:] {
			if w.kind == elemAny {
				c.tail = append(c.tail, tailSlot{kind: elemAny})
				continue
			}
			c.tail = append(c.tail, tailSlot{kind: elemWord, alts: [][]elem{{w}}})
		}
		tail := rest
		if len(c.tail) == 0 && !c.keyPrefix {
			// Absorb following single literal words into the key.
			for len(tail) > 0 && tail[0].kind == elemWord && len(tail[0].alts) == 1 && len(tail[0].alts[0]) == 1 {
				w := tail[0].alts[0][0]
				words = append(words, w.text)
				tail = tail[1:]
				if w.prefix {
					c.keyPrefix = true
					break
				}
			}
		}
		c.tail = append(c.tail, tail...)
		c.key = strings.Join(words, " ")
		k := c.key + "\x00" + tailString(c.tail)
		if c.keyPrefix {
			k += "*"
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, c)
	}
	return out, nil
}

func tailString(t []tailSlot) string {
	var b strings.Builder
	for _, s := range t {
		switch s.kind {
		case elemAny:
			b.WriteString(" _")
		case elemGap:
			fmt.Fprintf(&b, " ...%d", s.n)
		default:
			b.WriteString(" (")
			for i, a := range s.alts {
				if i > 0 {
					b.WriteByte('|')
				}
				for j, e := range a {
					if j > 0 {
						b.WriteByte(' ')
					}
					b.WriteString(e.text)
					if e.prefix {
						b.WriteByte('*')
					}
				}
			}
			b.WriteByte(')')
		}
	}
	return b.String()
}

// matchSeq reports where the sequence whose key occupies b[start:end]
// ends, if it matches there with word boundaries on both sides.
func matchSeq(b []byte, start, end int, c *compiledSeq) (int, bool) {
	if start > 0 && b[start-1] != ' ' {
		return 0, false
	}
	if c.keyPrefix {
		for end < len(b) && b[end] != ' ' {
			end++
		}
	} else if end < len(b) && b[end] != ' ' {
		return 0, false
	}
	return matchTail(b, end, c.tail)
}

// matchTail matches the tail slots from pos (the end of the previous word)
// and returns where the shortest match ends.
func matchTail(b []byte, pos int, tail []tailSlot) (int, bool) {
	if len(tail) == 0 {
		return pos, true
	}
	t := &tail[0]
	switch t.kind {
	case elemGap:
		p := pos
		for k := 0; ; k++ {
			if end, ok := matchTail(b, p, tail[1:]); ok {
				return end, true
			}
			if k == t.n {
				return 0, false
			}
			var ok bool
			if p, ok = nextWordEnd(b, p); !ok {
				return 0, false
			}
		}
	case elemAny:
		p, ok := nextWordEnd(b, pos)
		if !ok {
			return 0, false
		}
		return matchTail(b, p, tail[1:])
	default:
		if x := t.idx; x != nil {
			if pos+1 < len(b) && b[pos] == ' ' {
				c := b[pos+1]
				for _, ai := range x.order[x.off[c]:x.off[int(c)+1]] {
					if p, ok := matchWords(b, pos, t.alts[ai]); ok {
						if end, ok := matchTail(b, p, tail[1:]); ok {
							return end, true
						}
					}
				}
			}
			for _, ai := range x.rest {
				if p, ok := matchWords(b, pos, t.alts[ai]); ok {
					if end, ok := matchTail(b, p, tail[1:]); ok {
						return end, true
					}
				}
			}
			return 0, false
		}
		for _, alt := range t.alts {
			if p, ok := matchWords(b, pos, alt); ok {
				if end, ok := matchTail(b, p, tail[1:]); ok {
					return end, true
				}
			}
		}
		return 0, false
	}
}

// matchWords matches the words of one alternative from pos.
func matchWords(b []byte, pos int, words []elem) (int, bool) {
	for i := range words {
		e := &words[i]
		if e.kind == elemAny {
			p, ok := nextWordEnd(b, pos)
			if !ok {
				return 0, false
			}
			pos = p
			continue
		}
		if pos >= len(b) || b[pos] != ' ' {
			return 0, false
		}
		s := pos + 1
		// The first byte rejects most alternatives before a full compare.
		if len(b)-s < len(e.text) || e.text != "" && b[s] != e.text[0] || string(b[s:s+len(e.text)]) != e.text {
			return 0, false
		}
		p := s + len(e.text)
		if e.prefix {
			for p < len(b) && b[p] != ' ' {
				p++
			}
		} else if p < len(b) && b[p] != ' ' {
			return 0, false
		}
		pos = p
	}
	return pos, true
}

// nextWordEnd skips the space at pos and the word after it.
func nextWordEnd(b []byte, pos int) (int, bool) {
	if pos >= len(b) || b[pos] != ' ' {
		return 0, false
	}
	p := pos + 1
	for p < len(b) && b[p] != ' ' {
		p++
	}
	return p, true
}
