package classifiers

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// scoreRef is financialClassifier.score before the distinct-item check
// ahead of the figures, frozen as the reference of TestFinScoreMatchesOld.
func scoreRef(doc *document, ev []finEvent) finScore {
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

// genFinText is text of financial terms, figures and filler: titles,
// items (few distinct ones, or many), periods, units, figures near and far.
func genFinText(r *rand.Rand, n int) string {
	var b strings.Builder
	terms := []string{"Balance Sheet", "Revenue", "Cost of sales", "Gross profit", "Inventories", "存貨", "營業額", "毛利",
		"資產負債表", "利润表", "营业收入", "净利润", "HK$'000", "For the year ended 31 March 2026", "於2025年12月31日", "Total assets"}
	few := terms[r.IntN(len(terms))]
	for b.Len() < n {
		switch r.IntN(7) {
		case 0, 1:
			b.WriteString(few)
		case 2:
			b.WriteString(terms[r.IntN(len(terms))])
		case 3:
			b.WriteString(pickOne(r, []string{" 1,200 件", "\t152,340\t148,210", " (301,220)", " 2025 2024", "  12.5", " ......... 5 512,330"}))
		case 4:
			b.WriteString(pickOne(r, []string{"\n", "，請於月底前盤點。", " the team will review. ", "\t"}))
		default:
			b.WriteString(genDigitDense(r, r.IntN(30)))
		}
		b.WriteString(pickOne(r, []string{" ", "\n", "", "\t"}))
	}
	return b.String()
}

func checkFinScore(t *testing.T, c *financialClassifier, segs []extract.Segment) (fired int) {
	t.Helper()
	doc := testSet.analyse(context.Background(), segs)
	var events []finEvent
	for si := range doc.segs {
		for _, h := range dropNested(doc.hitsOf(si, clsFinancial)) {
			events = append(events, finEvent{seg: si, pos: int(h.start), end: int(h.end), kind: h.kind, term: c.vocab[h.term].term})
		}
	}
	// The windows share their events (and the figures worked out in
	// them), as classify's do: score them in order on one copy each.
	got, want := slices.Clone(events), slices.Clone(events)
	wins := append(finWindowRanges(events, nil), evRange{0, len(events)})
	for _, w := range wins {
		g, x := c.score(doc, got[w.lo:w.hi]), scoreRef(doc, want[w.lo:w.hi])
		if !reflect.DeepEqual(g, x) {
			t.Fatalf("window %v: score %+v, frozen reference %+v", w, g, x)
		}
		if g.fired {
			fired++
		}
	}
	return fired
}

func TestFinScoreMatchesOld(t *testing.T) {
	var c *financialClassifier
	for _, cl := range testSet.cls {
		if f, ok := cl.(*financialClassifier); ok {
			c = f
		}
	}
	if c == nil {
		t.Fatal("no financial classifier in testSet")
	}
	r := rand.New(rand.NewPCG(151, 152))
	fired := 0
	for range 400 {
		segs := []extract.Segment{{Text: genFinText(r, 1+r.IntN(3000))}}
		if r.IntN(3) == 0 {
			segs = append(segs, extract.Segment{Text: genFinText(r, 1+r.IntN(20000))})
		}
		fired += checkFinScore(t, c, segs)
	}
	if fired < 100 {
		t.Fatalf("only %d windows fired", fired)
	}
	checkFinScore(t, c, []extract.Segment{{Text: strings.Repeat("明天下午三點喺觀塘辦公室開會，記得帶埋投影機。倉庫存貨 1,200 件，請於月底前盤點。\n", 2000)}})
}

func FuzzFinScoreMatchesOld(f *testing.F) {
	var c *financialClassifier
	for _, cl := range testSet.cls {
		if fc, ok := cl.(*financialClassifier); ok {
			c = fc
		}
	}
	r := rand.New(rand.NewPCG(153, 154))
	for range 6 {
		f.Add(genFinText(r, 400))
	}
	f.Fuzz(func(t *testing.T, text string) { _ = checkFinScore(t, c, []extract.Segment{{Text: text}}) })
}

// classifyFinRef is financialClassifier.classify before the document-level
// distinct-item check, frozen as the reference of TestFinClassifyMatchesOld.
func classifyFinRef(c *financialClassifier, doc *document) (Finding, bool) {
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

func checkFinClassify(t *testing.T, c *financialClassifier, segs []extract.Segment) bool {
	t.Helper()
	got, gok := c.classify(testSet.analyse(context.Background(), segs))
	want, wok := classifyFinRef(c, testSet.analyse(context.Background(), segs))
	if gok != wok || !reflect.DeepEqual(got, want) {
		t.Fatalf("classify %v %+v, frozen reference %v %+v", gok, got, wok, want)
	}
	return gok
}

func TestFinClassifyMatchesOld(t *testing.T) {
	c := finClassifierOf(t)
	r := rand.New(rand.NewPCG(155, 156))
	fired := 0
	for range 300 {
		segs := []extract.Segment{{Text: genFinText(r, 1+r.IntN(3000))}}
		switch r.IntN(3) {
		case 0:
			segs = append(segs, extract.Segment{Text: genFinText(r, 1+r.IntN(20000))})
		case 1:
			segs = append(segs, extract.Segment{Text: genFinText(r, 60000+r.IntN(40000))}) // windows
		}
		if checkFinClassify(t, c, segs) {
			fired++
		}
	}
	if fired < 30 {
		t.Fatalf("only %d documents fired", fired)
	}
	checkFinClassify(t, c, []extract.Segment{{Text: strings.Repeat("明天下午三點喺觀塘辦公室開會，記得帶埋投影機。倉庫存貨 1,200 件，請於月底前盤點。\n", 2000)}})
}

func FuzzFinClassifyMatchesOld(f *testing.F) {
	r := rand.New(rand.NewPCG(157, 158))
	for range 6 {
		f.Add(genFinText(r, 400))
	}
	f.Fuzz(func(t *testing.T, text string) {
		_ = checkFinClassify(t, finClassifierOf(t), []extract.Segment{{Text: text}})
	})
}

func finClassifierOf(t testing.TB) *financialClassifier {
	for _, cl := range testSet.cls {
		if f, ok := cl.(*financialClassifier); ok {
			return f
		}
	}
	t.Fatal("no financial classifier in testSet")
	return nil
}
