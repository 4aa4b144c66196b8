package classifier

import (
	"fmt"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// normalizeRegex rewrites the literal text of a rule-file regex into the
// form of a view (lower case, ø→o, å→a, æ→ae, accents dropped, "aa" read
// as "a"), so that "Åbent alle ugens dage" matches as written. It rejects
// literal punctuation, which never occurs in a view.
func normalizeRegex(src string) (string, error) {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return "", fmt.Errorf("invalid regex: %v", err)
	}
	var fix func(re *syntax.Regexp) error
	fix = func(re *syntax.Regexp) error {
		if re.Op == syntax.OpLiteral {
			// Spaces and dashes stay as written; the text between them is
			// normalised like the ad text.
			var out []rune
			seg := make([]rune, 0, len(re.Rune))
			flush := func() error {
				if len(seg) == 0 {
					return nil
				}
				for _, r := range seg {
					if normalizeString(string(r)) == "" {
						return fmt.Errorf("regex literal %q never occurs: punctuation reads as a space in normalised text; write a space", string(r))
					}
				}
				n := normalizeString(string(seg))
				out = append(out, []rune(n)...)
				seg = seg[:0]
				return nil
			}
			for _, r := range re.Rune {
				if re.Flags&syntax.FoldCase != 0 {
					r = unicode.ToLower(r)
				}
				if r == ' ' || r == '-' {
					if err := flush(); err != nil {
						return err
					}
					out = append(out, r)
					continue
				}
				seg = append(seg, r)
			}
			if err := flush(); err != nil {
				return err
			}
			re.Rune = out
			re.Flags &^= syntax.FoldCase
			return nil
		}
		for _, s := range re.Sub {
			if err := fix(s); err != nil {
				return err
			}
		}
		return nil
	}
	if err := fix(re); err != nil {
		return "", err
	}
	return re.String(), nil
}

// requiredLiterals returns strings of which at least one occurs in every
// match of the regex src, or nil if it finds none worth checking for. A
// regex is only run on a view where the automaton found one of them.
func requiredLiterals(src string) []string {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil
	}
	lits := required(re.Simplify())
	for _, l := range lits {
		if len(strings.TrimSpace(l)) < 2 {
			return nil
		}
	}
	return lits
}

func required(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			var b strings.Builder
			for _, r := range re.Rune {
				b.WriteRune(unicode.ToLower(r))
			}
			return []string{b.String()}
		}
		return []string{string(re.Rune)}
	case syntax.OpCapture:
		return required(re.Sub[0])
	case syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
		return nil
	case syntax.OpConcat:
		var best []string
		for _, s := range re.Sub {
			if l := required(s); l != nil && better(l, best) {
				best = l
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, s := range re.Sub {
			l := required(s)
			if l == nil {
				return nil
			}
			all = append(all, l...)
		}
		if len(all) > 64 {
			return nil
		}
		return all
	}
	return nil
}

// better prefers the literal set whose shortest member is longest.
func better(a, b []string) bool {
	if b == nil {
		return true
	}
	return shortest(a) > shortest(b)
}

func shortest(l []string) int {
	m := 1 << 30
	for _, s := range l {
		m = min(m, utf8.RuneCountInString(strings.TrimSpace(s)))
	}
	return m
}
