package classifiers

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Financial term kinds (sections of dict/financial.txt).
const (
	finTitle uint8 = iota + 1
	finItem
	finPeriod
	finUnit
	finStandard
)

var finSections = map[string]uint8{"title": finTitle, "item": finItem, "period": finPeriod, "unit": finUnit,
	"standard": finStandard}

const (
	finWindow = 8192
	// Whole-document judgement up to this size: line items only count
	// with a figure next to them, which is local evidence already.
	finDocWindow = 64 << 10
	// figureReach: how far after a line item its figure may start, across
	// spaces, tabs, cell and line breaks, brackets and currency signs.
	figureReach = 96
)

type financialClassifier struct {
	opts  options
	vocab []vocabEntry
}

func newFinancialClassifier(o options) (*financialClassifier, error) {
	v, err := loadDict("financial", finSections)
	if err != nil {
		return nil, err
	}
	return &financialClassifier{opts: o, vocab: v}, nil
}

func (c *financialClassifier) name() string             { return FinancialStatement }
func (c *financialClassifier) vocabulary() []vocabEntry { return c.vocab }

type finEvent struct {
	seg, pos, end int
	kind          uint8
	term          string
	// figure: a line item followed by a figure; 0 not yet known, 1 yes,
	// 2 no. Worked out only for windows that might fire (it reads ahead).
	figure uint8
}

// finScore is what one window shows.
type finScore struct {
	fired      bool
	conf       Confidence
	titles     []string
	items      []string
	withFigure int
	markers    []string // period, unit and standard signals
	layout     []string // numeric layout signals
	sample     finEvent
}

func (c *financialClassifier) classify(doc *document) (Finding, bool) {
	// Nothing can fire without a title or at least three line items.
	total, titles, items := 0, 0, 0
	for si := range doc.segs {
		for _, h := range doc.hitsOf(si, clsFinancial) {
			total++
			switch h.kind {
			case finTitle:
				titles++
			case finItem:
				items++
			}
		}
	}
	if (titles == 0 && items < 3) || items < 2 {
		return Finding{}, false
	}
	// Without a title no window can fire unless the document names three
	// distinct line items (score): one item repeated on every line
	// ("存貨 1,200 件") is not read window by window.
	if titles == 0 && c.distinctDocItems(doc, 3) < 3 {
		return Finding{}, false
	}
	var events []finEvent
	if doc.bufs != nil && cap(doc.bufs.fin) >= total {
		events = doc.bufs.fin[:0]
	} else {
		events = make([]finEvent, 0, total)
		if doc.bufs != nil {
			doc.bufs.fin = events // kept for the next document (set.go release)
		}
	}
	for si := range doc.segs {
		// "財務狀況表" inside "綜合財務狀況表" is the same title.
		for _, h := range dropNested(doc.hitsOf(si, clsFinancial)) {
			events = append(events, finEvent{seg: si, pos: int(h.start), end: int(h.end), kind: h.kind, term: c.vocab[h.term].term})
		}
	}
	if len(events) == 0 {
		return Finding{}, false
	}
	var best finScore
	try := func(ev []finEvent) {
		if s := c.score(doc, ev); s.better(best) {
			best = s
		}
	}
	switch {
	case doc.bytes <= finDocWindow:
		try(events)
	case doc.workers > 1:
		best = c.parallelWindows(doc, events)
	default:
		for _, w := range finWindowRanges(events, nil) {
			try(events[w.lo:w.hi])
		}
	}
	if !best.fired {
		return Finding{}, false
	}
	// One document-level verdict; the titles found are in the signals.
	f := Finding{Classifier: FinancialStatement, Count: 1, Confidence: best.conf}
	for _, t := range best.titles {
		f.Signals = append(f.Signals, "title:"+t)
	}
	for i, t := range best.items {
		if i == 6 {
			break
		}
		f.Signals = append(f.Signals, "line_item:"+t)
	}
	f.Signals = append(f.Signals, fmt.Sprintf("line_items:%d", len(best.items)),
		fmt.Sprintf("line_items_with_figures:%d", best.withFigure))
	f.Signals = append(f.Signals, best.markers...)
	f.Signals = append(f.Signals, best.layout...)
	f.Signals = append(f.Signals, fmt.Sprintf("families:%d", finFamilies(len(best.titles) > 0, best.withFigure, len(best.markers) > 0, len(best.layout) > 0)))
	if c.opts.maxSamples > 0 {
		f.Samples = []Sample{{Masked: best.sample.term, Origin: doc.segs[best.sample.seg].origin, Offset: best.sample.pos}}
	}
	return f, true
}

// better reports whether s beats best: the first window with the highest
// (fired, confidence, distinct items) wins.
func (s finScore) better(best finScore) bool {
	return s.fired && (!best.fired || s.conf > best.conf || (s.conf == best.conf && len(s.items) > len(best.items)))
}

// evRange is a window: events[lo:hi].
type evRange struct{ lo, hi int }

// finWindowRanges appends the finWindow-long windows of events (sorted by
// segment, then position), stepping by half a window inside each segment.
func finWindowRanges(events []finEvent, dst []evRange) []evRange {
	step := finWindow / 2
	for first := 0; first < len(events); {
		end := first
		for end < len(events) && events[end].seg == events[first].seg {
			end++
		}
		for lo := first; lo < end; {
			base := events[lo].pos - events[lo].pos%step
			hi := lo
			for hi < end && events[hi].pos < base+finWindow {
				hi++
			}
			dst = append(dst, evRange{lo, hi})
			next := lo
			for next < end && events[next].pos < base+step {
				next++
			}
			lo = max(next, lo+1)
		}
		first = end
	}
	return dst
}

// parallelWindows is the window loop of a large document on doc.workers
// goroutines, with the sequential result: every line item's figure is
// worked out first (score then only reads the events), the windows are
// scored in blocks, and the blocks' winners are compared in order by the
// same rule, which keeps the first best window.
func (c *financialClassifier) parallelWindows(doc *document, events []finEvent) finScore {
	parallelRanges(len(events), doc.workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if e := &events[i]; e.kind == finItem && e.figure == 0 {
				e.figure = 2
				if figureAfter(doc.segs[e.seg].text, e.end) {
					e.figure = 1
				}
			}
		}
	})
	wins := finWindowRanges(events, nil)
	chunks := min(len(wins), doc.workers*4)
	if chunks == 0 {
		return finScore{}
	}
	size := (len(wins) + chunks - 1) / chunks
	bests := make([]finScore, (len(wins)+size-1)/size)
	parallelRanges(len(bests), doc.workers, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			for _, w := range wins[b*size : min((b+1)*size, len(wins))] {
				if s := c.score(doc, events[w.lo:w.hi]); s.better(bests[b]) {
					bests[b] = s
				}
			}
		}
	})
	var best finScore
	for _, s := range bests {
		if s.better(best) {
			best = s
		}
	}
	return best
}

// score applies the rule: at least two signal families, one of which ties
// words to figures. A title needs two line items with figures (or line
// items plus a period/unit/layout signal); without a title, four line items
// with figures plus another family. A title or line items in chat, news
// quoting revenue, an invoice total: none of these reach it.
func (c *financialClassifier) score(doc *document, ev []finEvent) finScore {
	var s finScore
	// Cheap rejection first: no title and fewer than three item hits, or a
	// title with fewer than two, cannot fire.
	nt, ni := 0, 0
	for i := range ev {
		switch ev[i].kind {
		case finTitle:
			nt++
		case finItem:
			ni++
		}
	}
	if (nt == 0 && ni < 3) || ni < 2 {
		return s
	}
	// Without a title three distinct items with figures are needed, so
	// three distinct items first: business text repeating one item
	// ("存貨 1,200 件" on every line) stops before any figure is read.
	if nt == 0 && distinctItems(ev, 3) < 3 {
		return s
	}
	for i := range ev {
		if e := &ev[i]; e.kind == finItem && e.figure == 0 {
			e.figure = 2
			if figureAfter(doc.segs[e.seg].text, e.end) {
				e.figure = 1
			}
		}
	}
	// Still cheap: without a title, three distinct items with figures are
	// needed; business text repeating one item ("revenue") stops here.
	if nt == 0 && distinctFigureItems(ev, 3) < 3 {
		return s
	}
	titles, items, fig := map[string]bool{}, map[string]bool{}, map[string]bool{}
	markers := map[string]bool{}
	for _, e := range ev {
		switch e.kind {
		case finTitle:
			if !titles[e.term] && len(titles) == 0 {
				s.sample = e
			}
			titles[e.term] = true
		case finItem:
			items[e.term] = true
			if e.figure == 1 {
				fig[e.term] = true
			}
		case finPeriod:
			markers["period:"+e.term] = true
		case finUnit:
			markers["unit:"+e.term] = true
		case finStandard:
			markers["standard:"+e.term] = true
		}
	}
	T, I, F := len(titles) > 0, len(items), len(fig)
	if !T && F < 3 {
		return s
	}
	if T && I < 2 {
		return s
	}
	// Numeric layout only where it can matter: computed over the span of
	// the window's events in their segments.
	layout := numericLayout(doc, ev)
	if F >= 5 {
		// Five different line items each with its figure is a layout of
		// its own, even run together in a chat line ("turnover 845,200,
		// COGS 401,300, GP 443,900, rent 120,000, wages 160,500").
		layout = append(layout, fmt.Sprintf("figured_items:%d", F))
	}
	M := len(markers) > 0 || len(layout) > 0
	switch {
	case T && F >= 2:
		s.fired = true
	case T && I >= 3 && len(layout) > 0:
		// Figures laid out apart from their items (PDF columns): the
		// window must still be full of figures. A blank template or
		// release notes naming the items have none.
		s.fired = true
	case !T && F >= 4 && M:
		s.fired = true
	case !T && F >= 3 && len(markers) > 0 && len(layout) > 0:
		s.fired = true
	}
	if !s.fired {
		return s
	}
	s.conf = Medium
	if T && F >= 3 && M {
		s.conf = High
	}
	if !T {
		for _, e := range ev {
			if e.kind == finItem && e.figure == 1 {
				s.sample = e
				break
			}
		}
	}
	s.titles = uniqueSorted(titles)
	s.items = uniqueSorted(items)
	s.withFigure = F
	s.markers = uniqueSorted(markers)
	if len(s.markers) > 6 {
		s.markers = s.markers[:6]
	}
	s.layout = layout
	return s
}

// distinctDocItems counts the distinct line items among the document's
// hits, stopping at limit (at most eight).
func (c *financialClassifier) distinctDocItems(doc *document, limit int) int {
	var seen [8]string
	n := 0
	for si := range doc.segs {
		for _, h := range doc.hitsOf(si, clsFinancial) {
			if h.kind != finItem {
				continue
			}
			if t := c.vocab[h.term].term; !slices.Contains(seen[:n], t) {
				seen[n] = t
				n++
				if n >= limit || n == len(seen) {
					return n
				}
			}
		}
	}
	return n
}

// distinctItems counts distinct line items, stopping at limit (at most
// eight).
func distinctItems(ev []finEvent, limit int) int {
	var seen [8]string
	n := 0
	for i := range ev {
		e := &ev[i]
		if e.kind != finItem || slices.Contains(seen[:n], e.term) {
			continue
		}
		seen[n] = e.term
		n++
		if n >= limit || n == len(seen) {
			return n
		}
	}
	return n
}

// distinctFigureItems counts distinct line items followed by a figure,
// stopping at limit (a short linear search: no map for the common case).
func distinctFigureItems(ev []finEvent, limit int) int {
	var seen [8]string
	n := 0
	for i := range ev {
		e := &ev[i]
		if e.kind != finItem || e.figure != 1 {
			continue
		}
		dup := false
		for _, t := range seen[:n] {
			if t == e.term {
				dup = true
				break
			}
		}
		if !dup {
			seen[n] = e.term
			n++
			if n >= limit || n == len(seen) {
				return n
			}
		}
	}
	return n
}

// numericLayout measures the figures around the events: bracketed negatives,
// two adjacent year columns and the share of lines that carry a figure.
func numericLayout(doc *document, ev []finEvent) []string {
	type span struct{ lo, hi int }
	spans := map[int]span{}
	for _, e := range ev {
		sp, ok := spans[e.seg]
		if !ok {
			sp = span{e.pos, e.end}
		}
		sp.lo, sp.hi = min(sp.lo, e.pos), max(sp.hi, e.end)
		spans[e.seg] = sp
	}
	segs := make([]int, 0, len(spans))
	for si := range spans {
		segs = append(segs, si)
	}
	sort.Ints(segs)
	var neg, lines, figLines int
	years := false
	for _, si := range segs {
		sp := spans[si]
		text := doc.segs[si].text
		lo := max(0, sp.lo-256)
		hi := min(len(text), sp.hi+finWindow/2)
		w := text[lo:hi]
		neg += bracketedNegatives(w)
		years = years || yearColumns(w)
		for rest := w; rest != ""; {
			line := rest
			if i := strings.IndexByte(rest, '\n'); i >= 0 {
				line, rest = rest[:i], rest[i+1:]
			} else {
				rest = ""
			}
			if strings.TrimSpace(line) == "" {
				continue
			}
			lines++
			if hasFigure(line) {
				figLines++
			}
		}
	}
	var out []string
	if neg > 0 {
		out = append(out, fmt.Sprintf("bracketed_negatives:%d", neg))
	}
	if years {
		out = append(out, "year_columns")
	}
	if lines >= 4 && figLines >= 4 {
		d := float64(figLines) / float64(lines)
		if d >= 0.3 {
			out = append(out, fmt.Sprintf("numeric_density:%.2f", d))
		}
	}
	return out
}

// figureAt parses a figure at text[i]: digits with optional thousands
// separators and decimals. It returns the end and whether it counts as an
// amount (three or more digits or grouped, not a percentage, not a year).
func figureAt(text string, i int) (end int, ok bool) {
	digits, grouped, intDigits := 0, false, 0
	dot := false
	j := i
	for j < len(text) {
		c, n := normAt(text, j)
		switch {
		case isDigit(c):
			digits++
			if !dot {
				intDigits++
			}
		case c == ',' && digits > 0 && j+n < len(text) && isDigit(text[j+n]):
			grouped = true
		case c == '.' && !dot && digits > 0 && j+n < len(text) && isDigit(text[j+n]):
			dot = true
		default:
			goto done
		}
		j += n
	}
done:
	if digits == 0 {
		return i, false
	}
	if c, _ := peek(text, j); c == '%' {
		return j, false
	}
	if !grouped && !dot && intDigits == 4 && (text[i] == '1' || text[i] == '2') && (text[i+1] == '9' || text[i+1] == '0') {
		return j, false // a year
	}
	if !grouped && intDigits < 3 {
		// A scaled amount, as management summaries write them
		// ("revenue HK$12.3m", "EBITDA 2.1 million", "營業額 3.5億").
		if k := scaleAfter(text, j); k > j {
			return k, true
		}
	}
	return j, grouped || intDigits >= 3
}

// scaleAfter returns the end of a scale word right after a number ending
// at text[j] ("m", "mn", "bn", "k", "million", "billion", "thousand", one
// space before allowed; 萬, 万, 億, 亿, 千, not 千克 or 千米), or j.
func scaleAfter(text string, j int) int {
	k := j
	if k < len(text) && text[k] == ' ' {
		k++
	}
	rest := text[k:]
	for _, w := range [...]string{"million", "billion", "thousand", "mn", "bn", "m", "k"} {
		if len(rest) >= len(w) && strings.EqualFold(rest[:len(w)], w) && (len(rest) == len(w) || !isLetter(rest[len(w)])) {
			if len(w) <= 2 && k > j {
				return j // "12 m" is a length; "12m" and "12 million" are amounts
			}
			return k + len(w)
		}
	}
	for _, w := range [...]string{"百萬", "百万", "萬", "万", "億", "亿", "千"} {
		if strings.HasPrefix(rest, w) && !strings.HasPrefix(rest[len(w):], "克") && !strings.HasPrefix(rest[len(w):], "米") {
			return k + len(w)
		}
	}
	return j
}

// figureAfter reports whether a figure follows a line item at text[end],
// across separators only: no words in between.
func figureAfter(text string, end int) bool {
	limit := min(len(text), end+figureReach)
	for i := end; i < limit; {
		c, n := normAt(text, i)
		switch {
		case isDigit(c):
			e, ok := figureAt(text, i)
			if ok {
				return true
			}
			// A note reference ("Revenue  5  512,330") is skipped; any
			// other short number (a percentage, "8% to") ends the search.
			if e-i > 2 || (e < len(text) && text[e] == '%') {
				return false
			}
			n = e - i
		case c == 0:
			// Leaders and separators (…, ·, ─, no-break space) are skipped;
			// a word in any script ends the search.
			r, size := utf8.DecodeRuneInString(text[i:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return false
			}
			n = size
		case isLetter(c):
			// Currency codes and "note" may stand between an item and its
			// figure ("HK$ 1,200", "RMB 3,000", "Revenue (note 5) 512,330").
			w := i
			for w < limit && isLetter(text[w]) {
				w++
			}
			if !currencyCode(text[i:w]) {
				return false
			}
			n = w - i
		}
		i += n
	}
	return false
}

func currencyCode(w string) bool {
	for _, c := range [...]string{"HK", "HKD", "RMB", "US", "USD", "CNY", "note", "notes"} {
		if strings.EqualFold(w, c) {
			return true
		}
	}
	return false
}

func hasFigure(line string) bool {
	for i := 0; i < len(line); i++ {
		if isDigit(line[i]) && (i == 0 || !isDigit(line[i-1])) {
			if _, ok := figureAt(line, i); ok {
				return true
			}
		}
	}
	return false
}

// bracketedNegatives counts "(1,234)"-style amounts.
func bracketedNegatives(w string) int {
	n := 0
	for i := 0; i+2 < len(w); i++ {
		if w[i] != '(' || !isDigit(w[i+1]) {
			continue
		}
		end, ok := figureAt(w, i+1)
		if ok && end < len(w) && w[end] == ')' {
			n++
		}
	}
	return n
}

// yearColumns reports two adjacent year headings one year apart
// ("2025  2024", "2025\t2024", "2024年 2025年").
func yearColumns(w string) bool {
	prev, prevEnd := 0, -1
	for i := 0; i+4 <= len(w); i++ {
		if !(w[i] == '1' && w[i+1] == '9' || w[i] == '2' && w[i+1] == '0') || !isDigit(w[i+2]) || !isDigit(w[i+3]) {
			continue
		}
		if (i > 0 && isDigit(w[i-1])) || (i+4 < len(w) && isDigit(w[i+4])) {
			continue
		}
		y := int(w[i]-'0')*1000 + int(w[i+1]-'0')*100 + int(w[i+2]-'0')*10 + int(w[i+3]-'0')
		if prevEnd >= 0 && i-prevEnd <= 24 && (y == prev+1 || y == prev-1) && strings.Trim(w[prevEnd:i], " \t\n|,年度") == "" {
			return true
		}
		prev, prevEnd = y, i+4
		i += 3
	}
	return false
}

// finFamilies counts the signal families that fired: a title, line items
// with figures (two or more), period/unit/standard markers, numeric layout.
// A finding needs two, one of them figures; three or more is high
// confidence.
func finFamilies(title bool, withFigure int, markers, layout bool) int {
	n := 0
	for _, b := range []bool{title, withFigure >= 2, markers, layout} {
		if b {
			n++
		}
	}
	return n
}

// explain reports the families seen over the whole input (the first
// 4096 signals of a long one) and why they did not make a statement.
func (c *financialClassifier) explain(doc *document) Explanation {
	e := Explanation{Classifier: FinancialStatement, Threshold: 2}
	if f, ok := c.classify(doc); ok {
		e.Fired, e.Confidence, e.Signals = true, f.Confidence, f.Signals
		e.Score = finFamilies(hasPrefix(f.Signals, "title:"), 2, hasPrefix(f.Signals, "period:", "unit:", "standard:"), hasPrefix(f.Signals, "bracketed_", "year_columns", "numeric_density", "figured_items"))
		return e
	}
	var events []finEvent
	for si := range doc.segs {
		for _, h := range dropNested(doc.hitsOf(si, clsFinancial)) {
			if len(events) < 4096 {
				events = append(events, finEvent{seg: si, pos: int(h.start), end: int(h.end), kind: h.kind, term: c.vocab[h.term].term})
			}
		}
	}
	titles, items, fig, markers := map[string]bool{}, map[string]bool{}, 0, map[string]bool{}
	for i := range events {
		ev := &events[i]
		switch ev.kind {
		case finTitle:
			titles["title:"+ev.term] = true
		case finItem:
			if !items[ev.term] && figureAfter(doc.segs[ev.seg].text, ev.end) {
				fig++
			}
			items[ev.term] = true
		case finPeriod:
			markers["period:"+ev.term] = true
		case finUnit:
			markers["unit:"+ev.term] = true
		case finStandard:
			markers["standard:"+ev.term] = true
		}
	}
	var layout []string
	if len(events) > 0 {
		layout = numericLayout(doc, events)
	}
	e.Score = finFamilies(len(titles) > 0, fig, len(markers) > 0, len(layout) > 0)
	e.Signals = append(e.Signals, firstN(uniqueSorted(titles), 6)...)
	e.Signals = append(e.Signals, fmt.Sprintf("line_items:%d", len(items)), fmt.Sprintf("line_items_with_figures:%d", fig))
	e.Signals = append(e.Signals, firstN(uniqueSorted(markers), 6)...)
	e.Signals = append(e.Signals, layout...)
	switch {
	case len(events) == 0:
		e.Reason = "no statement title or line item"
	case fig == 0:
		e.Reason = "line items carry no figures (template, chart of accounts, notes)"
	case len(titles) == 0:
		e.Reason = "without a title, four line items with figures and a period, unit or layout signal are needed"
	default:
		e.Reason = "too few line items with figures close together"
	}
	return e
}

func hasPrefix(sigs []string, prefixes ...string) bool {
	for _, s := range sigs {
		for _, p := range prefixes {
			if strings.HasPrefix(s, p) {
				return true
			}
		}
	}
	return false
}
