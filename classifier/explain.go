package classifier

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/adwatch/adwatch/ad"
)

// Explain writes, for a person, why the ad scored what it did: the
// scores, level and flags, what was read out of the ad (language, stated
// languages, numbers, e-mails, ages, hourly price), and every indicator
// that fired with its family, its contribution to the score and the text
// that made it fire. Indicators are signals for a human, never a verdict,
// and the output says so.
func Explain(w io.Writer, r ad.Raw, a ad.Assessment) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	id := r.ID
	if id == "" {
		id = "(no id)"
	}
	var about []string
	if r.Site != "" {
		about = append(about, r.Site)
	}
	if r.Category != "" {
		about = append(about, r.Category)
	}
	p("ad %s", id)
	if len(about) > 0 {
		p(" (%s)", strings.Join(about, ", "))
	}
	if a.RulesVersion != "" {
		p("  rules %s", a.RulesVersion)
	}
	p("\n")
	flags := "none"
	if len(a.Flags) > 0 {
		flags = strings.Join(a.Flags, ", ")
	}
	p("ad risk %d/100, organised activity %d/100, level %s, flags: %s\n", a.AdRisk, a.OrganisedActivity, a.Level, flags)

	f := ReadFacts(r)
	p("\nread from the ad:\n")
	switch {
	case f.Lang == "":
		p("  language      unknown (too little text to tell)\n")
	case f.LangDetected:
		p("  language      %s (detected)\n", f.Lang)
	default:
		p("  language      %s\n", f.Lang)
	}
	if len(r.Languages) > 0 {
		var ls []string
		for _, l := range f.Languages {
			s := l.Code
			if l.Limited {
				s += " (a little)"
			}
			ls = append(ls, s)
		}
		p("  speaks        %s (languages field: %s)\n", orNone(ls), strings.Join(r.Languages, ", "))
	}
	p("  phones        %s\n", orNone(f.Phones))
	if len(f.Emails) > 0 {
		p("  e-mails       %s\n", strings.Join(f.Emails, ", "))
	}
	if len(f.Ages) > 0 {
		var as []string
		for _, x := range f.Ages {
			as = append(as, itoa(x))
		}
		p("  stated ages   %s\n", strings.Join(as, ", "))
	}
	if f.HasHourly {
		p("  hourly price  %.0f DKK\n", f.HourlyDKK)
	} else if len(f.Prices) > 0 {
		p("  hourly price  none stated (prices without an hour's duration)\n")
	}

	if len(a.Indicators) == 0 {
		p("\nno indicator fired.\n")
		return bw.Flush()
	}
	p("\nindicators (contribution to the score after caps; 0 = context only):\n")
	for _, ind := range a.Indicators {
		fam := ind.Family
		if fam == "" {
			fam = "-"
		}
		p("  %-32s %-28s %+.3f\n", ind.ID, fam, ind.Contribution)
		for _, e := range ind.Evidence {
			p("      %s[%d:%d] %q\n", e.Field, e.Start, e.End, e.Text)
		}
	}
	p("\nIndicators are signals for a person to look at, never a verdict.\n")
	return bw.Flush()
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}
