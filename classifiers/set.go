package classifiers

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/dlpgate/dlpgate/extract"
)

// Design. One input (all its segments) is classified in two steps:
//
//  1. analyse: per segment, one walk of a single Aho-Corasick DFA (ac.go)
//     built from every dictionary of every classifier plus the HKID
//     prefilter patterns; then HKID candidates are parsed only where the
//     walk saw a letter touching six digits (hkid.go).
//     A segment where the walk also saw a character normalisation
//     changes (zero-width, NFKC look-alikes, markdown emphasis) is
//     normalised around those characters and walked again only around
//     what changed; its samples are mapped back (normalize.go).
//  2. each classifier judges the whole document from its own hits:
//     hkid counts distinct checksum-valid numbers with context rules;
//     medical and financial_statement score several signal families over
//     the whole document when it is small and over sliding windows when it
//     is long, and explain themselves in Finding.Signals.
//
// Inputs from 1 MiB of text use every core (analyseParallel): the walk is
// shared out in pieces whose hits concatenate to the one-walk result, and
// the classifiers (and financial_statement's windows) run side by side, so
// a large upload is judged exactly as it would be on one goroutine.
//
// No regular expressions: the hand-written scanners are linear, need no
// timeouts and cannot leak input through error messages.

// classifier is one detector. Each declares its vocabulary; the Set compiles
// all vocabularies into one automaton so every segment is read once, then
// hands each classifier the hits for its own terms.
type classifier interface {
	name() string
	vocabulary() []vocabEntry
	// classify judges the whole input; ok is false when it did not fire.
	classify(doc *document) (f Finding, ok bool)
}

// termHit is a dictionary hit as one classifier sees it.
type termHit struct {
	term       int32 // index into the classifier's vocabulary
	kind       uint8
	start, end int32
}

// segView is one segment after the shared pass.
type segView struct {
	origin string
	text   string
	hits   [][]termHit // per classifier, in order of end offset
	hkids  []hkidMatch // HKID-shaped candidates, valid or not (hkid.go)
	ids    []idMatch   // phones, resident IDs, cards, e-mails (numbers.go)
	// idKinds is kindSet(ids): the identifier classifiers skip a segment
	// without their kinds.
	idKinds uint32
	// digits: 1 when text holds an ASCII digit, 2 when it holds none, 0
	// not known (read from the digit map when view built one).
	digits uint8
	// norm, when not nil: the walk saw a character normalisation changes
	// (normalize.go).
	norm *normState
}

// normState is what normalising a segment needs: the offsets of its
// triggers (nil: read all of it) and the walk's hits, so that only the
// text around the triggers is normalised and walked again.
type normState struct {
	at  []int
	raw []hit
}

// needsNorm reports whether the segment is viewed only after normalisation.
func (v *segView) needsNorm() bool { return v.norm != nil }

// hasDigit reports whether the segment's text holds an ASCII digit.
func (v *segView) hasDigit() bool {
	if v.digits != 0 {
		return v.digits == 1
	}
	return hasDigit(v.text)
}

// document is everything the shared pass learnt about one input.
type document struct {
	segs  []segView
	bytes int
	// workers > 1: the document is large and the classifiers may judge
	// its windows on that many goroutines.
	workers int
	// bufs, when not nil, holds the segments' identifiers (ids) and
	// dictionary hits (hits): see defaultSet.docBufs and release.
	bufs *docBufs
	// more are the buffers of the other goroutines that viewed segments
	// side by side (analyseRanges); released with bufs.
	more []*docBufs
}

// docBufs are the reusable arrays a document's segments keep their
// identifiers and hits in, one after the other.
// fin is financial_statement's event list, which it alone writes.
// dmap is the digit map (digitMap) of the segment being viewed, which
// its identifier scanners share.
type docBufs struct {
	ids  []idMatch
	hits []termHit
	// heads holds the segments' per-classifier hit slices (segView.hits),
	// len(cls) each, for the segments with dictionary hits.
	heads [][]termHit
	fin   []finEvent
	dmap  []uint64
	// kw holds keywordScans' candidate lists while it runs.
	kw kwScans
	// foldFree: the segment last viewed with a digit map holds no byte
	// that can start a character fold.go folds (digitFoldMap).
	foldFree bool
}

// Bounds of the buffers kept for reuse (6 MB and 4 MB).
const (
	maxPooledIDs   = 1 << 18
	maxPooledHits  = 1 << 18
	maxPooledFin   = 1 << 17
	maxPooledDmap  = 1 << 18 // 16 MB of text
	maxPooledKW    = 1 << 12 // candidates per keywordScans list
	maxPooledHeads = 1 << 16
)

// release gives the document's buffers back to s; the document must not
// be read afterwards.
func (s *defaultSet) release(doc *document) {
	if doc == nil || doc.bufs == nil {
		return
	}
	for i := range doc.segs {
		doc.segs[i].ids = nil
		doc.segs[i].hits = nil
	}
	for _, b := range doc.more {
		s.releaseBufs(b)
	}
	b := doc.bufs
	doc.bufs, doc.more = nil, nil
	s.releaseBufs(b)
}

// releaseBufs keeps b for reuse unless it grew too large.
func (s *defaultSet) releaseBufs(b *docBufs) {
	if cap(b.fin) > maxPooledFin {
		b.fin = nil
	}
	if cap(b.dmap) > maxPooledDmap {
		b.dmap = nil
	}
	b.kw.trim(maxPooledKW)
	if cap(b.ids) <= maxPooledIDs && cap(b.hits) <= maxPooledHits && cap(b.heads) <= maxPooledHeads {
		b.ids, b.hits, b.fin, b.heads = b.ids[:0], b.hits[:0], b.fin[:0], b.heads[:0]
		s.docBufs.Put(b)
	}
}

// maxHits bounds the hits kept per classifier and segment on pathological
// input (one keyword repeated for megabytes): a fixed floor plus one hit per
// 16 bytes of text, so memory stays proportional to the input while a
// statement after a long run of padding words is still seen.
func maxHits(textLen int) int { return 1<<15 + textLen/16 }

// owner says which classifier term a pattern stands for.
type owner struct {
	cls  uint8
	kind uint8
	term int32
}

type defaultSet struct {
	// scratch holds reusable automaton buffers (*scratch): Classify runs
	// concurrently for many requests, so each call takes its own.
	scratch sync.Pool
	// docBufs holds reusable identifier and hit buffers (*docBufs): a document's
	// segments keep their identifiers in one, which goes back when
	// Classify is done with the document (a sheet of phone numbers grew
	// a new one of megabytes for every call).
	docBufs sync.Pool
	cls     []classifier
	// noHits is the hits of every segment without dictionary hits: one
	// nil slice per classifier, shared and never written.
	noHits [][]termHit
	ac     *automaton
	owners [][]owner // pattern id -> owners (dictionary patterns only)
	// Pattern ids from dictPatterns on are the HKID prefilter: letter and
	// two digits, then (from fullWidthFrom) full-width letters and digits, then
	// (from sepFrom) separated-HKID signs (hkid.go), then (from normFrom) the characters that
	// send a segment through normalisation (normalize.go).
	dictPatterns, fullWidthFrom, sepFrom, normFrom int
	// Inputs with at least parallelMin bytes of text are analysed by up to
	// workers goroutines (0: GOMAXPROCS) in pieces of about pieceSize
	// bytes, so one large upload uses every core. Tests lower both to put
	// many piece boundaries through small documents.
	parallelMin, pieceSize, workers int
}

// Defaults for parallel analysis. Measured on 2 cores (mixed text): from
// 1 MiB on, two goroutines classify 1.45x faster than one; at 256 KiB they
// gain nothing. Pieces are at most 1 MiB and small enough to give every
// worker about four, but not under 64 KiB.
const (
	defaultParallelMin = 1 << 20
	defaultPieceSize   = 1 << 20
	minPieceSize       = 64 << 10
)

type scratch struct {
	out   []hit
	lanes laneBufs
	short shortScratch
	pairs []int // letter+digit positions (HKID prefilter)
}

// Option adjusts the default set.
type Option func(*options)

type options struct {
	maxSamples int
}

// WithMaxSamples caps the masked samples kept per finding (default 10).
func WithMaxSamples(n int) Option {
	return func(o *options) {
		if n >= 0 {
			o.maxSamples = n
		}
	}
}

// NewDefault returns the standard set: hkid, medical, financial_statement.
// The embedded dictionaries are part of the binary, so a failure to compile
// them is a programming error caught by the package tests.
func NewDefault(opts ...Option) Set {
	s, err := newSet(opts...)
	if err != nil {
		panic(fmt.Sprintf("classifiers: %v", err))
	}
	return s
}

func newSet(opts ...Option) (*defaultSet, error) {
	o := options{maxSamples: 10}
	for _, f := range opts {
		f(&o)
	}
	hk, err := newHKIDClassifier(o)
	if err != nil {
		return nil, err
	}
	med, err := newMedicalClassifier(o)
	if err != nil {
		return nil, err
	}
	fin, err := newFinancialClassifier(o)
	if err != nil {
		return nil, err
	}
	s := &defaultSet{cls: []classifier{hk, med, fin}, parallelMin: defaultParallelMin, pieceSize: defaultPieceSize}
	// The identifier classifiers and customer_database (numbers.go), in
	// the order of their cls* indexes.
	for _, mk := range []func(options) (classifier, error){
		func(o options) (classifier, error) { return newPRCClassifier(o) },
		func(o options) (classifier, error) { return newPaymentCardClassifier(o) },
		func(o options) (classifier, error) { return newPhoneClassifier(o) },
		func(o options) (classifier, error) { return newEmailClassifier(o) },
		func(o options) (classifier, error) { return newCustomerDBClassifier(o) },
	} {
		c, err := mk(o)
		if err != nil {
			return nil, err
		}
		s.cls = append(s.cls, c)
	}
	s.noHits = make([][]termHit, len(s.cls))
	byText := map[string]int{}
	var patterns []string
	for ci, c := range s.cls {
		for ti, v := range c.vocabulary() {
			key := string(foldString(v.term))
			id, ok := byText[key]
			if !ok {
				id = len(patterns)
				byText[key] = id
				patterns = append(patterns, v.term)
				s.owners = append(s.owners, nil)
			}
			s.owners[id] = append(s.owners[id], owner{cls: uint8(ci), kind: v.kind, term: int32(ti)})
		}
	}
	// HKID prefilter patterns ride on the same pass: every ASCII letter
	// followed by two digits (an HKID's prefix always touches its digits), and
	// every full-width letter or digit (rare; they switch the segment to
	// the full scanner, which reads full-width forms).
	s.dictPatterns = len(patterns)
	// A letter and two digits, not one: in base64-like text a letter
	// before a digit is one byte in eight, and every such state stopped
	// the automaton's fast loop; a letter before two digits is one in fifty.
	for l := byte('a'); l <= 'z'; l++ {
		for d := byte('0'); d <= '9'; d++ {
			for e := byte('0'); e <= '9'; e++ {
				patterns = append(patterns, string([]byte{l, d, e}))
			}
		}
	}
	s.fullWidthFrom = len(patterns)
	for r := rune(0xFF10); r <= 0xFF5A; r++ {
		if r <= 0xFF19 || (r >= 0xFF21 && r <= 0xFF3A) || r >= 0xFF41 {
			patterns = append(patterns, string(r))
		}
	}
	s.sepFrom = len(patterns)
	// A letter, a hyphen and a digit ("A-123456-3"), and a bracketed check
	// character ("A 123 456 (3)", read backwards from the bracket). A
	// letter, a space and a digit would fire on every "Room 12": measured,
	// it cost a third of the walk's speed on mixed text.
	for l := byte('a'); l <= 'z'; l++ {
		for d := byte('0'); d <= '9'; d++ {
			patterns = append(patterns, string([]byte{l, '-', d}))
		}
	}
	for _, c := range "0123456789a" {
		// With a space inside the brackets too ("( 3 )", "( 3)", "(3 )";
		// none ends in a digit, which would make it a prefilter pattern
		// wanting six digits: newAutomatonRaw).
		patterns = append(patterns, "("+string(c)+")", "( "+string(c)+")", "( "+string(c)+" ", "("+string(c)+" ")
		// "A 123456（3）": full-width brackets, bytes the automaton
		// already has classes for.
		patterns = append(patterns, "（"+string(c)+"）")
	}
	s.normFrom = len(patterns)
	patterns = append(patterns, normTriggers...)
	patterns = append(patterns, hanTriggers()...)
	s.ac, err = newAutomatonRaw(patterns, s.dictPatterns)
	if err != nil {
		return nil, fmt.Errorf("compile dictionaries: %w", err)
	}
	return s, nil
}

func foldString(s string) []byte {
	b := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		b[i] = fold(s[i])
	}
	return b
}

// Classify runs every classifier over all segments of one input and returns
// the findings of those that fired, in a stable order.
func (s *defaultSet) Classify(ctx context.Context, segs []extract.Segment) []Finding {
	doc := s.analyse(ctx, segs)
	if doc == nil {
		return nil
	}
	// The findings hold copies of what they take from the document.
	defer s.release(doc)
	maps := s.normalize(doc, segs)
	type result struct {
		f  Finding
		ok bool
	}
	res := make([]result, len(s.cls))
	if doc.bytes >= s.parallelMin && s.workerCount() > 1 {
		// The classifiers only read the document: judge it side by side.
		var wg sync.WaitGroup
		for i, c := range s.cls {
			wg.Go(func() { res[i].f, res[i].ok = c.classify(doc) })
		}
		wg.Wait()
	} else {
		for i, c := range s.cls {
			if ctx.Err() != nil {
				return nil
			}
			res[i].f, res[i].ok = c.classify(doc)
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	var out []Finding
	for _, r := range res {
		if r.ok {
			out = append(out, r.f)
		}
	}
	if maps != nil {
		restoreOffsets(out, maps)
	}
	return out
}

// normalize replaces the views of segments whose walk saw a normalisation
// trigger with views of their normalised text (normalize.go), and returns
// the offset maps of those segments, or nil when there were none.
func (s *defaultSet) normalize(doc *document, segs []extract.Segment) map[int]offsetMap {
	var maps map[int]offsetMap
	var sc scratch
	for i := range doc.segs {
		if !doc.segs[i].needsNorm() {
			continue
		}
		sv := &doc.segs[i]
		text, m, runs := normalizeAt(segs[i].Text, sv.norm.at)
		if maps == nil {
			maps = map[int]offsetMap{}
		}
		maps[i] = m
		// Walk again only around what changed.
		sc.out = s.ac.splice(segs[i].Text, text, sv.norm.raw, runs, sc.out[:0])
		doc.segs[i] = s.viewNormalised(extract.Segment{Origin: normOrigin(segs[i].Origin, i), Text: text}, sc.out, &sc.pairs)
		doc.bytes += len(text) - len(segs[i].Text)
	}
	return maps
}

func (s *defaultSet) workerCount() int {
	if s.workers > 0 {
		return s.workers
	}
	return runtime.GOMAXPROCS(0)
}

// analyse is the shared pass: one automaton walk per segment for every
// dictionary and the HKID prefilter, then the HKID candidates. It returns
// nil when ctx is cancelled.
func (s *defaultSet) analyse(ctx context.Context, segs []extract.Segment) *document {
	total, longest := 0, 0
	for _, sg := range segs {
		total += len(sg.Text)
		longest = max(longest, len(sg.Text))
	}
	if w := s.workerCount(); w > 1 && total >= s.parallelMin {
		if longest <= minPieceSize && len(segs) >= 64*w {
			return s.analyseRanges(ctx, segs, w)
		}
		return s.analyseParallel(ctx, segs, w, min(s.pieceSize, max(minPieceSize, total/(4*w))))
	}
	doc := &document{segs: make([]segView, 0, len(segs))}
	doc.bufs = s.getBufs()
	if !s.analyseInto(ctx, segs, doc, doc.bufs) {
		return nil
	}
	return doc
}

func (s *defaultSet) getBufs() *docBufs {
	b, _ := s.docBufs.Get().(*docBufs)
	if b == nil {
		b = &docBufs{}
	}
	return b
}

// analyseRanges is analyse for a large input of many small segments (a
// JSON export: a million fields of a few dozen bytes): consecutive ranges
// of segments are analysed side by side as analyse does them, each
// goroutine with buffers of its own, so no segment is split and nothing
// is shared per segment. The document is analyse's, byte for byte.
func (s *defaultSet) analyseRanges(ctx context.Context, segs []extract.Segment, workers int) *document {
	doc := &document{segs: make([]segView, len(segs)), workers: workers}
	chunks := min(len(segs), workers*8)
	size := (len(segs) + chunks - 1) / chunks
	bufs := make([]*docBufs, workers)
	for i := range bufs {
		bufs[i] = s.getBufs()
	}
	doc.bufs, doc.more = bufs[0], bufs[1:]
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for wi := range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(1)-1) * size
				if lo >= len(segs) || failed.Load() {
					return
				}
				hi := min(lo+size, len(segs))
				part := &document{segs: doc.segs[lo:lo:hi]}
				if !s.analyseInto(ctx, segs[lo:hi], part, bufs[wi]) {
					failed.Store(true)
					return
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() {
		s.release(doc)
		return nil
	}
	for _, sg := range segs {
		doc.bytes += len(sg.Text)
	}
	return doc
}

// analyseInto appends the views of segs to doc.segs, their identifiers
// and hits kept in bufs; false when ctx was cancelled.
func (s *defaultSet) analyseInto(ctx context.Context, segs []extract.Segment, doc *document, bufs *docBufs) bool {
	sc, _ := s.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer func() {
		// Keep ordinary buffers; let a pathological input's go with it.
		if cap(sc.out) <= 1<<18 {
			s.scratch.Put(sc)
		}
	}()
	add := func(sg extract.Segment, out []hit) {
		// Built in place: a view is a hundred bytes, and copying them
		// cost more than building them for short JSON fields.
		doc.segs = append(doc.segs, segView{})
		v := &doc.segs[len(doc.segs)-1]
		s.viewInto(v, sg, out, &sc.pairs, bufs)
		s.foldViewInto(v, sg, out, bufs.foldFree)
		doc.bytes += len(sg.Text)
	}
	var texts [shortGroup]string
	for i := 0; i < len(segs); {
		if ctx.Err() != nil {
			return false
		}
		// A run of short segments (JSON fields, cells) is walked four
		// at a time (ac_short.go), then viewed in order.
		j := i
		for j < len(segs) && j-i < shortGroup && s.ac.isShort(len(segs[j].Text)) {
			texts[j-i] = segs[j].Text
			j++
		}
		if j-i >= 4 {
			s.ac.scanShort(texts[:j-i], &sc.short)
			for k := i; k < j; k++ {
				add(segs[k], sc.short.hits[k-i])
			}
			clear(texts[:j-i])
			i = j
			continue
		}
		sc.out = s.ac.scanWith(segs[i].Text, sc.out[:0], &sc.lanes)
		add(segs[i], sc.out)
		i++
	}
	return true
}

// piece is a span of one segment scanned by one goroutine.
type piece struct {
	seg, from, to int
	hits          []hit
}

// analyseParallel is analyse for large inputs. The automaton walk (most of
// the work) is shared out in pieces: scanSpan reports exactly the matches
// ending inside its span, whatever straddles the boundary, so the pieces of
// a segment concatenated are the one-walk result. Then each segment's view
// (hits per classifier, HKID candidates) is built from its whole hit list,
// segments side by side. The document is the one analyse builds
// sequentially, byte for byte, so every verdict is the same.
func (s *defaultSet) analyseParallel(ctx context.Context, segs []extract.Segment, workers, pieceSize int) *document {
	size := max(pieceSize, 1)
	var pieces []piece
	first := make([]int, len(segs)+1) // segment i's pieces are pieces[first[i]:first[i+1]]
	for i, sg := range segs {
		first[i] = len(pieces)
		for from := 0; from < len(sg.Text) || from == 0; from += size {
			pieces = append(pieces, piece{seg: i, from: from, to: min(from+size, len(sg.Text))})
		}
	}
	first[len(segs)] = len(pieces)
	// Each worker takes the next few pieces (or segments) until none is
	// left: uneven segments still keep every core busy. A few at a time,
	// not one: a JSON export is a million segments of a few dozen bytes,
	// and the workers contending for the counter cost more than the work.
	run := func(n int, work func(i int, lb *laneBufs, pairs *[]int)) bool {
		var next atomic.Int64
		var wg sync.WaitGroup
		step := min(max(n/(16*workers), 1), 64)
		for range min(workers, n) {
			wg.Go(func() {
				var lb laneBufs
				var pairs []int
				for ctx.Err() == nil {
					i := int(next.Add(int64(step)) - int64(step))
					if i >= n {
						return
					}
					for j := i; j < min(i+step, n); j++ {
						work(j, &lb, &pairs)
					}
				}
			})
		}
		wg.Wait()
		return ctx.Err() == nil
	}
	ok := run(len(pieces), func(i int, lb *laneBufs, _ *[]int) {
		p := &pieces[i]
		p.hits = s.ac.scanSpan(segs[p.seg].Text, p.from, p.to, nil, lb)
	})
	if !ok {
		return nil
	}
	doc := &document{segs: make([]segView, len(segs))}
	ok = run(len(segs), func(i int, _ *laneBufs, pairs *[]int) {
		ps := pieces[first[i]:first[i+1]]
		hits := ps[0].hits
		if len(ps) > 1 {
			n := 0
			for _, p := range ps {
				n += len(p.hits)
			}
			hits = make([]hit, 0, n)
			for _, p := range ps {
				hits = append(hits, p.hits...)
			}
		}
		doc.segs[i] = s.foldView(segs[i], hits, s.view(segs[i], hits, pairs, nil), false)
	})
	if !ok {
		return nil
	}
	for _, sg := range segs {
		doc.bytes += len(sg.Text)
	}
	doc.workers = workers
	return doc
}

// parallelRanges calls f on consecutive ranges [lo,hi) covering [0,n), on up
// to workers goroutines, and waits for them.
func parallelRanges(n, workers int, f func(lo, hi int)) {
	if n == 0 {
		return
	}
	chunks := min(n, workers*4)
	size := (n + chunks - 1) / chunks
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, chunks) {
		wg.Go(func() {
			for {
				lo := int(next.Add(1)-1) * size
				if lo >= n {
					return
				}
				f(lo, min(lo+size, n))
			}
		})
	}
	wg.Wait()
}

// view builds one segment's view from its automaton hits (in order of end
// offset); pairs is a reusable buffer, and the identifiers and hits are
// appended to bufs unless it is nil.
func (s *defaultSet) view(sg extract.Segment, out []hit, pairs *[]int, bufs *docBufs) segView {
	var v segView
	s.viewInto(&v, sg, out, pairs, bufs)
	return v
}

// viewInto is view writing into *v, which must be zero.
func (s *defaultSet) viewInto(v *segView, sg extract.Segment, out []hit, pairs *[]int, bufs *docBufs) {
	if bufs != nil {
		bufs.foldFree = false // known only once this segment's map is built
	}
	// Size each classifier's slice once: growing by appends copied
	// more than the hits themselves on busy text.
	var need [8]int
	anyHit := false
	*pairs = (*pairs)[:0]
	var seps []int
	for _, h := range out {
		switch {
		case int(h.id) >= s.normFrom || int(h.id) >= s.fullWidthFrom && int(h.id) < s.sepFrom:
			// A segment to normalise is viewed after normalisation
			// (normalize; viewNormalised passes no such hit): keep what
			// that needs and nothing more.
			*v = s.normView(sg, out)
			return
		case int(h.id) >= s.sepFrom:
			seps = append(seps, int(h.start))
		case int(h.id) >= s.dictPatterns:
			*pairs = append(*pairs, int(h.start))
		default:
			for _, o := range s.owners[h.id] {
				need[o.cls]++
				anyHit = true
			}
		}
	}
	v.origin, v.text = sg.Origin, sg.Text
	limit := maxHits(len(sg.Text))
	switch {
	case !anyHit:
		// Most fields of a JSON export have no dictionary hit: they share
		// one empty header instead of allocating their own, and have
		// nothing to size or fill.
		v.hits = s.noHits
	case bufs != nil:
		// The header from the shared buffer of headers, then one region
		// of the shared hit buffer per classifier, each capped at its own
		// size (the appends below never pass it).
		n := len(s.cls)
		k := len(bufs.heads)
		if k+n > cap(bufs.heads) {
			bufs.heads = make([][]termHit, 0, max(64*n, 2*cap(bufs.heads)))
			k = 0
		}
		bufs.heads = bufs.heads[:k+n]
		v.hits = bufs.heads[k : k+n : k+n]
		clear(v.hits)
		total := 0
		for ci := range v.hits {
			total += min(need[ci], limit)
		}
		if len(bufs.hits)+total > cap(bufs.hits) {
			bufs.hits = make([]termHit, 0, max(total, 2*cap(bufs.hits)))
		}
		for ci := range v.hits {
			if n := min(need[ci], limit); n > 0 {
				k := len(bufs.hits)
				v.hits[ci] = bufs.hits[k : k : k+n]
				bufs.hits = bufs.hits[:k+n]
			}
		}
	default:
		v.hits = make([][]termHit, len(s.cls))
		for ci := range v.hits {
			if n := min(need[ci], limit); n > 0 {
				v.hits[ci] = make([]termHit, 0, n)
			}
		}
	}
	for _, h := range out {
		if int(h.id) >= s.dictPatterns {
			continue
		}
		for _, o := range s.owners[h.id] {
			if len(v.hits[o.cls]) >= limit {
				continue
			}
			v.hits[o.cls] = append(v.hits[o.cls], termHit{term: o.term, kind: o.kind, start: h.start, end: h.end})
		}
	}
	// At most one candidate per pair: size the slice once. (A segment
	// with full-width forms, which the full scanner reads, is normalised
	// first: viewNormalised.)
	v.hkids = scanHKIDsAt(sg.Text, *pairs, make([]hkidMatch, 0, len(*pairs)))
	if len(seps) > 0 || len(*pairs) > 0 {
		v.hkids = scanSeparatedHKIDs(sg.Text, *pairs, seps, v.hkids)
	}
	var ids *[]idMatch
	var dm []uint64
	if bufs != nil {
		ids = &bufs.ids
		// One digit map for the spaced-HKID and identifier scans (and
		// foldView).
		bufs.dmap, bufs.foldFree = digitFoldMap(sg.Text, bufs.dmap[:0])
		dm = bufs.dmap
		v.digits = 2
		for _, w := range dm {
			if w != 0 {
				v.digits = 1
				break
			}
		}
	}
	var kw *kwScans
	if bufs != nil {
		kw = &bufs.kw
	}
	spacedIfKeyword(v, false, dm, kw) // "A 123456 3": hkid_spaced.go
	v.ids = identifiersOf(v, limit, ids, dm)
	v.idKinds = kindSet(v.ids)
}

// normView is the view of a segment whose hits out hold a normalisation
// trigger or a full-width form: the triggers' offsets and the hits, for
// normalize.
func (s *defaultSet) normView(sg extract.Segment, out []hit) segView {
	ns := &normState{raw: slices.Clone(out)}
	v := segView{origin: sg.Origin, text: sg.Text, hits: s.noHits, norm: ns}
	for _, h := range out {
		if int(h.id) >= s.normFrom || int(h.id) >= s.fullWidthFrom && int(h.id) < s.sepFrom {
			ns.at = append(ns.at, int(h.start))
		}
	}
	slices.Sort(ns.at)
	return v
}

// foldView returns v, or when sg holds characters only fold.go folds
// (which no automaton pattern marks) a view asking for sg to be
// normalised whole. foldFree: sg is known to hold none (digitFoldMap).
func (s *defaultSet) foldView(sg extract.Segment, out []hit, v segView, foldFree bool) segView {
	s.foldViewInto(&v, sg, out, foldFree)
	return v
}

// foldViewInto is foldView changing *v.
func (s *defaultSet) foldViewInto(v *segView, sg extract.Segment, out []hit, foldFree bool) {
	if foldFree || !needsFold(sg.Text) {
		return
	}
	if !v.needsNorm() {
		*v = segView{origin: sg.Origin, text: sg.Text, hits: s.noHits, norm: &normState{raw: slices.Clone(out)}}
	}
	v.norm.at = nil // read all of it
}

// viewNormalised is view for normalised text: triggers left in it (a lone
// '*', a full-width punctuation run) do not ask for normalisation again.
func (s *defaultSet) viewNormalised(sg extract.Segment, out []hit, pairs *[]int) segView {
	kept := out[:0]
	fullWidth := false
	for _, h := range out {
		switch {
		case int(h.id) >= s.normFrom:
			continue
		case int(h.id) >= s.fullWidthFrom && int(h.id) < s.sepFrom:
			fullWidth = true
			continue
		}
		kept = append(kept, h)
	}
	v := s.view(sg, kept, pairs, nil)
	if fullWidth {
		// Full-width forms NFKC left (none for letters and digits) are
		// still read by the full HKID scanner.
		v.hkids = scanSeparatedHKIDs(sg.Text, nil, nil, scanHKIDs(sg.Text, nil))
		spacedIfKeyword(&v, true, nil, nil)
	}
	return v
}

// hitsOf returns classifier ci's hits in segment si.
func (d *document) hitsOf(si, ci int) []termHit { return d.segs[si].hits[ci] }

// uniqueSorted returns the sorted distinct strings of m.
func uniqueSorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
