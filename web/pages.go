package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/adwatch/adwatch/ad"
	"github.com/adwatch/adwatch/search"
)

// templateFuncs are small formatting helpers. None of them returns
// template.HTML: whatever they produce is escaped by html/template.
var templateFuncs = template.FuncMap{
	"levelClass":   levelClass,
	"levelLabel":   levelLabel,
	"flagLabel":    flagLabel,
	"flagClass":    flagClass,
	"contribution": func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) },
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
}

var levels = []string{ad.LevelHigh, ad.LevelMedium, ad.LevelLow, ad.LevelNone}

// levelClass maps a level to a CSS class from a fixed set, so that a level
// string from the store never reaches a class attribute.
func levelClass(level string) string {
	if slices.Contains(levels, level) {
		return "level-" + level
	}
	return "level-unknown"
}

// levelRank orders levels from high to none, unknown ones last.
func levelRank(level string) int {
	if i := slices.Index(levels, level); i >= 0 {
		return i
	}
	return len(levels)
}

func levelLabel(level string) string {
	switch level {
	case ad.LevelHigh:
		return "High"
	case ad.LevelMedium:
		return "Medium"
	case ad.LevelLow:
		return "Low"
	case ad.LevelNone:
		return "None"
	case "":
		return "Unscored"
	}
	return level
}

func flagLabel(flag string) string {
	switch flag {
	case ad.FlagMinorCue:
		return "Possible minor: review first"
	case ad.FlagHealthOutreach:
		return "Health outreach"
	}
	return flag
}

func flagClass(flag string) string {
	switch flag {
	case ad.FlagMinorCue:
		return "flag flag-escalate"
	case ad.FlagHealthOutreach:
		return "flag flag-health"
	}
	return "flag"
}

// render executes a page into a buffer first, so that a template failure
// becomes a clean 500 instead of half a page under a 200.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.logger.ErrorContext(r.Context(), "web: render page", "page", page, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error rendering the page; it is logged", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage is the data of the error page.
type errorPage struct {
	Title   string
	Message string
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	s.render(w, r, status, "error", errorPage{Title: title, Message: msg})
}

// statusItem is one line of pipeline status.
type statusItem struct{ Key, Value string }

// statusItems turns Options.Status into lines to show. The status is
// whatever the pipeline reports, so it goes through JSON: a JSON object is
// shown key by key, anything else as one line.
func (s *Server) statusItems(r *http.Request) []statusItem {
	if s.status == nil {
		return nil
	}
	b, err := json.Marshal(s.status())
	if err != nil {
		s.logger.WarnContext(r.Context(), "web: status does not marshal to JSON", "err", err)
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(b, &obj) != nil {
		if string(b) == "null" {
			return nil
		}
		return []statusItem{{Key: "status", Value: string(b)}}
	}
	items := make([]statusItem, 0, len(obj))
	for k, v := range obj {
		val := string(v)
		var str string
		if json.Unmarshal(v, &str) == nil {
			val = str
		}
		items = append(items, statusItem{Key: k, Value: val})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Key < items[j].Key })
	return items
}

// searchPageData is the data of the search page.
type searchPageData struct {
	Title    string
	Form     searchForm
	Errors   []string
	Searched bool
	Total    int
	From, To int
	Sort     string
	Active   []activeFilter
	Hits     []hitView
	Facets   []facetView
	Pages    []pageLink
	Prev     string
	Next     string
	Status   []statusItem
}

// searchForm holds the form's values as the user typed them, so that a form
// with a mistake comes back as it was, next to the error.
type searchForm struct {
	Text, Indicators, City, Site, MinScore, Size string
	Levels                                       []option
	Sorts                                        []option
	IndicatorOptions, CityOptions, SiteOptions   []string
}

type option struct {
	Value, Label string
	Selected     bool
}

type activeFilter struct{ Label, Value, Remove string }

type hitView struct {
	ad.Scored
	Href       string
	Snippet    string
	Indicators []indicatorView
}

type indicatorView struct {
	ad.Indicator
	Evidence []evidenceView
}

type evidenceView struct {
	ad.Evidence
	Short string
	// Parts is the Text of cross-ad evidence cut at the ids of the other
	// ads it names, which the ad page links to.
	Parts []textPart
}

// textPart is a piece of evidence text; AdID is set when it names an ad.
type textPart struct {
	Text, AdID string
}

// crossAdParts cuts cross-ad evidence text at the ad ids it names.
func crossAdParts(text string) []textPart {
	var out []textPart
	last := 0
	for _, m := range ad.NewIDsIn(text) {
		if m[0] > last {
			out = append(out, textPart{Text: text[last:m[0]]})
		}
		out = append(out, textPart{Text: text[m[0]:m[1]], AdID: text[m[0]:m[1]]})
		last = m[1]
	}
	if last < len(text) {
		out = append(out, textPart{Text: text[last:]})
	}
	return out
}

type facetView struct {
	Name, Label string
	Values      []facetValue
}

type facetValue struct {
	Value, Label, Href string
	Count              int
	Active             bool
}

type pageLink struct {
	N       int
	Href    string
	Current bool
	Gap     bool
}

// searchPage serves GET /: the search form, facets and one page of hits,
// highest risk first unless asked otherwise.
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	data := searchPageData{Title: "Search ads", Status: s.statusItems(r)}
	v, err := url.ParseQuery(r.URL.RawQuery)
	data.Form = newSearchForm(v)
	if err != nil {
		data.Errors = []string{"The address has a malformed query string; start a new search."}
		s.render(w, r, http.StatusBadRequest, "search", data)
		return
	}
	q, err := search.ParseQuery(v)
	if err != nil {
		data.Errors = strings.Split(err.Error(), "\n")
		s.render(w, r, http.StatusBadRequest, "search", data)
		return
	}
	res, err := s.store.Search(r.Context(), q)
	if err != nil {
		s.storeFailed(r, "search", err)
		data.Errors = []string{"Search is unavailable right now. Try again in a moment; the error is logged."}
		s.render(w, r, http.StatusInternalServerError, "search", data)
		return
	}
	data.fill(q, res)
	s.render(w, r, http.StatusOK, "search", data)
}

func newSearchForm(v url.Values) searchForm {
	f := searchForm{
		Text:       v.Get("q"),
		Indicators: strings.Join(v["indicator"], ", "),
		City:       v.Get("city"),
		Site:       v.Get("site"),
		MinScore:   v.Get("min_score"),
		Size:       v.Get("size"),
	}
	var chosen []string
	for _, l := range v["level"] {
		chosen = append(chosen, strings.Split(l, ",")...)
	}
	for _, l := range levels {
		f.Levels = append(f.Levels, option{Value: l, Label: levelLabel(l), Selected: slices.Contains(chosen, l)})
	}
	sortBy := v.Get("sort")
	for _, o := range []option{
		{Value: search.SortRisk, Label: "Highest risk first"},
		{Value: search.SortOrganised, Label: "Most organised activity first"},
		{Value: search.SortNewest, Label: "Newest first"},
	} {
		o.Selected = o.Value == sortBy
		f.Sorts = append(f.Sorts, o)
	}
	return f
}

// fill turns a result into what the page shows.
func (d *searchPageData) fill(q search.Query, res search.Result) {
	d.Searched = true
	d.Total = res.Total
	d.Sort = q.Sort
	if len(res.Hits) > 0 {
		d.From = (q.Page-1)*q.Size + 1
		d.To = d.From + len(res.Hits) - 1
	}
	for _, h := range res.Hits {
		d.Hits = append(d.Hits, hitView{
			Scored:     h,
			Href:       adHref(h.ID),
			Snippet:    truncate(h.Text, 280),
			Indicators: indicatorViews(h.Indicators),
		})
	}
	d.Active = activeFilters(q)
	d.Facets = facetViews(q, res.Facets)
	for _, f := range d.Facets {
		var vals []string
		for _, v := range f.Values {
			vals = append(vals, v.Value)
		}
		switch f.Name {
		case "indicator":
			d.Form.IndicatorOptions = vals
		case "city":
			d.Form.CityOptions = vals
		case "site":
			d.Form.SiteOptions = vals
		}
	}
	d.paginate(q)
}

// adHref is the link to an ad's page. The id is path-escaped here because
// html/template leaves "/", "?" and "#" of a URL alone.
func adHref(id string) string { return "/ads/" + url.PathEscape(id) }

// searchHref is the link to the search q, starting at its first page unless
// q says otherwise.
func searchHref(q search.Query) string {
	if v := q.Values(); len(v) > 0 {
		return "/?" + v.Encode()
	}
	return "/"
}

func activeFilters(q search.Query) []activeFilter {
	var out []activeFilter
	add := func(label, value string, without func(*search.Query)) {
		nq := clone(q)
		nq.Page = 1
		without(&nq)
		out = append(out, activeFilter{Label: label, Value: value, Remove: searchHref(nq)})
	}
	if q.Text != "" {
		add("Text", q.Text, func(n *search.Query) { n.Text = "" })
	}
	for _, l := range q.Levels {
		add("Level", levelLabel(l), func(n *search.Query) { n.Levels = without(n.Levels, l) })
	}
	for _, i := range q.Indicators {
		add("Indicator", i, func(n *search.Query) { n.Indicators = without(n.Indicators, i) })
	}
	if q.City != "" {
		add("City", q.City, func(n *search.Query) { n.City = "" })
	}
	if q.Site != "" {
		add("Site", q.Site, func(n *search.Query) { n.Site = "" })
	}
	if q.MinScore > 0 {
		add("Score at least", strconv.Itoa(q.MinScore), func(n *search.Query) { n.MinScore = 0 })
	}
	return out
}

var facetLabels = map[string]string{"level": "Level", "indicator": "Indicator", "city": "City", "site": "Site"}

// facetViews makes a link of every facet value: clicking a value adds it to
// the search (or, for city and site, replaces the current one); clicking an
// active value removes it.
func facetViews(q search.Query, facets map[string][]search.FacetCount) []facetView {
	var out []facetView
	for _, name := range search.FacetNames {
		counts := facets[name]
		if len(counts) == 0 {
			continue
		}
		fv := facetView{Name: name, Label: facetLabels[name]}
		if fv.Label == "" {
			fv.Label = name
		}
		for _, c := range counts {
			if c.Value == "" {
				continue // "not stated" cannot be filtered on
			}
			nq := clone(q)
			nq.Page = 1
			var active bool
			switch name {
			case "level":
				active = slices.Contains(q.Levels, c.Value)
				nq.Levels = toggle(nq.Levels, c.Value)
			case "indicator":
				active = slices.Contains(q.Indicators, c.Value)
				nq.Indicators = toggle(nq.Indicators, c.Value)
			case "city":
				active = q.City == c.Value
				nq.City = c.Value
				if active {
					nq.City = ""
				}
			case "site":
				active = q.Site == c.Value
				nq.Site = c.Value
				if active {
					nq.Site = ""
				}
			default:
				continue // a facet the query cannot filter on
			}
			label := c.Value
			switch name {
			case "level":
				label = levelLabel(c.Value)
			case "indicator":
				// Ids are long snake_case words that a narrow column can only
				// break mid-word; the link title keeps the exact id.
				label = strings.ReplaceAll(c.Value, "_", " ")
			}
			fv.Values = append(fv.Values, facetValue{Value: c.Value, Label: label, Count: c.Count, Href: searchHref(nq), Active: active})
		}
		if name == "level" {
			// Severity order reads better than count order for levels.
			slices.SortStableFunc(fv.Values, func(a, b facetValue) int {
				return cmp.Compare(levelRank(a.Value), levelRank(b.Value))
			})
		}
		if len(fv.Values) > 0 {
			out = append(out, fv)
		}
	}
	return out
}

// paginate links the first and last pages and a window around the current
// one, keeping the query.
func (d *searchPageData) paginate(q search.Query) {
	last := min((d.Total+q.Size-1)/q.Size, search.MaxPage)
	if last <= 1 && q.Page == 1 {
		return
	}
	at := func(n int) string {
		nq := clone(q)
		nq.Page = n
		return searchHref(nq)
	}
	if q.Page > 1 {
		d.Prev = at(min(q.Page-1, max(last, 1)))
	}
	if q.Page < last {
		d.Next = at(q.Page + 1)
	}
	const window = 2
	prevN := 0
	for n := 1; n <= last; n++ {
		if n != 1 && n != last && (n < q.Page-window || n > q.Page+window) {
			continue
		}
		if prevN != 0 && n > prevN+1 {
			d.Pages = append(d.Pages, pageLink{Gap: true})
		}
		d.Pages = append(d.Pages, pageLink{N: n, Href: at(n), Current: n == q.Page})
		prevN = n
	}
}

func clone(q search.Query) search.Query {
	q.Levels = slices.Clone(q.Levels)
	q.Indicators = slices.Clone(q.Indicators)
	return q
}

func toggle(list []string, v string) []string {
	if slices.Contains(list, v) {
		return without(list, v)
	}
	return append(list, v)
}

func without(list []string, v string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == v })
}

// truncate shortens s to at most n characters, on a character boundary.
func truncate(s string, n int) string {
	i := 0
	for range n {
		if i >= len(s) {
			return s
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	if i >= len(s) {
		return s
	}
	return strings.TrimSpace(s[:i]) + "…"
}

func indicatorViews(inds []ad.Indicator) []indicatorView {
	out := make([]indicatorView, 0, len(inds))
	for _, ind := range inds {
		iv := indicatorView{Indicator: ind}
		for _, ev := range ind.Evidence {
			v := evidenceView{Evidence: ev, Short: truncate(ev.Text, 120)}
			if ev.Field == ad.FieldCrossAd {
				v.Parts = crossAdParts(ev.Text)
			}
			iv.Evidence = append(iv.Evidence, v)
		}
		out = append(out, iv)
	}
	// The biggest contributions first: they explain most of the score.
	slices.SortStableFunc(out, func(a, b indicatorView) int {
		switch {
		case a.Contribution > b.Contribution:
			return -1
		case a.Contribution < b.Contribution:
			return 1
		}
		return 0
	})
	return out
}

// adPageData is the data of an ad's page.
type adPageData struct {
	Title       string
	Ad          ad.Scored
	TitleHTML   template.HTML // highlighted by highlight, which escapes
	TextHTML    template.HTML // likewise
	Fields      []fieldView
	Indicators  []indicatorView
	OriginalURL string // set only for http and https URLs
}

// fieldView is one labelled field of the ad. Value is highlighted by
// highlight, which escapes.
type fieldView struct {
	Label string
	Value template.HTML
}

// adPage serves GET /ads/{id}: every field, the text with its evidence
// marked, the indicators with their evidence, and the contacts.
func (s *Server) adPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a, err := s.store.Get(r.Context(), id)
	switch {
	case errors.Is(err, search.ErrNotFound):
		s.renderError(w, r, http.StatusNotFound, "Ad not found", fmt.Sprintf("No ad has the id %q. It may have been purged after the retention period.", id))
		return
	case err != nil:
		s.storeFailed(r, "get", err)
		s.renderError(w, r, http.StatusInternalServerError, "Ad unavailable", "Reading the ad failed. Try again in a moment; the error is logged.")
		return
	}
	s.render(w, r, http.StatusOK, "ad", newAdPage(a))
}

func newAdPage(a ad.Scored) adPageData {
	marks := evidenceSpans(a.Indicators)
	title := a.Title
	if title == "" {
		title = "Ad " + a.ID
	}
	d := adPageData{
		Title:      title,
		Ad:         a,
		TitleHTML:  highlight(a.Title, marks["title"]),
		TextHTML:   highlight(a.Text, marks["text"]),
		Indicators: indicatorViews(a.Indicators),
	}
	if u, ok := webURL(a.URL); ok {
		d.OriginalURL = u
	}
	// Evidence on a field shown here is marked in place; evidence on any
	// other field (phones, languages: lists whose offsets would be a guess)
	// is listed in the indicator table only.
	field := func(label, name, value string) {
		if value != "" {
			d.Fields = append(d.Fields, fieldView{Label: label, Value: highlight(value, marks[name])})
		}
	}
	field("Name", "name", a.Name)
	if a.Age > 0 {
		field("Age", "age", strconv.Itoa(a.Age))
	}
	field("City", "city", a.City)
	field("Price", "price_text", a.PriceText)
	field("Category", "category", a.Category)
	field("Language of the ad", "lang", a.Lang)
	return d
}

// evidenceSpans collects every evidence span by field, labelled with the
// indicator that found it.
func evidenceSpans(inds []ad.Indicator) map[string][]span {
	out := map[string][]span{}
	for _, ind := range inds {
		for _, ev := range ind.Evidence {
			out[ev.Field] = append(out[ev.Field], span{Start: ev.Start, End: ev.End, Labels: []string{ind.ID}})
		}
	}
	return out
}

// webURL returns raw as a link target if it is an absolute http or https
// URL. Anything else (javascript:, data:, relative) is shown as text only.
func webURL(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.String(), true
	}
	return "", false
}
