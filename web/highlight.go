package web

import (
	"cmp"
	"html"
	"html/template"
	"slices"
	"strings"
	"unicode/utf8"
)

// span is a byte range [Start, End) of a field to highlight, with the ids of
// the indicators whose evidence it is.
type span struct {
	Start, End int
	Labels     []string
}

// highlight returns s as HTML with every span wrapped in <mark>.
//
// It is the one place in this package that makes template.HTML from crawled
// text, so it trusts nothing: s and the labels are escaped segment by segment
// here; spans come from the classifier but are treated as untrusted too. Spans
// are clipped to s, empty or inverted ones dropped, overlapping ones merged so
// that marks never nest, and a boundary that falls inside a UTF-8 sequence is
// widened to the whole character so that no character is cut in two. Bytes
// that are not valid UTF-8, and NUL, become U+FFFD.
func highlight(s string, spans []span) template.HTML {
	var b strings.Builder
	b.Grow(len(s) + len(spans)*32)
	pos := 0
	for _, sp := range mergeSpans(s, spans) {
		writeEscaped(&b, s[pos:sp.Start])
		b.WriteString(`<mark`)
		if len(sp.Labels) > 0 {
			b.WriteString(` title="`)
			writeEscaped(&b, strings.Join(sp.Labels, ", "))
			b.WriteString(`"`)
		}
		b.WriteString(`>`)
		writeEscaped(&b, s[sp.Start:sp.End])
		b.WriteString(`</mark>`)
		pos = sp.End
	}
	writeEscaped(&b, s[pos:])
	return template.HTML(b.String())
}

// mergeSpans returns the spans clipped to s and aligned to its characters,
// sorted, with overlapping spans merged and their labels combined.
func mergeSpans(s string, spans []span) []span {
	out := make([]span, 0, len(spans))
	for _, sp := range spans {
		start, end := max(sp.Start, 0), min(sp.End, len(s))
		if start >= end {
			continue
		}
		start = charStart(s, start)
		if c := charStart(s, end); c < end {
			_, n := utf8.DecodeRuneInString(s[c:])
			end = c + n
		}
		out = append(out, span{Start: start, End: end, Labels: slices.Clone(sp.Labels)})
	}
	slices.SortFunc(out, func(a, b span) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(b.End, a.End))
	})
	merged := out[:0]
	for _, sp := range out {
		if n := len(merged); n > 0 && sp.Start < merged[n-1].End {
			last := &merged[n-1]
			last.End = max(last.End, sp.End)
			for _, l := range sp.Labels {
				if !slices.Contains(last.Labels, l) {
					last.Labels = append(last.Labels, l)
				}
			}
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// charStart returns the start of the character that byte i of s belongs to:
// i itself unless i is inside a valid multi-byte UTF-8 sequence. A stray
// continuation byte is a character of its own, as when ranging over a string.
func charStart(s string, i int) int {
	if i <= 0 || i >= len(s) || utf8.RuneStart(s[i]) {
		return i
	}
	for j := i - 1; j >= 0 && j > i-utf8.UTFMax; j-- {
		if utf8.RuneStart(s[j]) {
			if r, n := utf8.DecodeRuneInString(s[j:]); (r != utf8.RuneError || n > 1) && j+n > i {
				return j
			}
			return i
		}
	}
	return i
}

// writeEscaped writes s escaped for HTML text and for a double-quoted
// attribute value. Invalid UTF-8 and NUL are replaced first, byte by byte, so
// that the result does not depend on where s was cut.
func writeEscaped(b *strings.Builder, s string) {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		var clean strings.Builder
		clean.Grow(len(s))
		for _, r := range s {
			if r == 0 {
				r = utf8.RuneError
			}
			clean.WriteRune(r)
		}
		s = clean.String()
	}
	b.WriteString(html.EscapeString(s))
}
