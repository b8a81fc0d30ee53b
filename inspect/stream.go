package inspect

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
)

// Large plain-text bodies reach the classifiers window by window as
// extraction reads them (extract.Input.Stream): memory stays bounded by the
// window, not the body. A large JSON document read front to back reaches
// them the same way: its large strings in windows, its other values in
// batches of segments of a few MiB (extract.Input.Batch). Bodies up to
// extract.StreamAbove (8 MiB) are classified whole, exactly as before.
// Beyond it each window or batch is classified on its own and the findings
// are folded into one per classifier:
//   - classifiers that count distinct values and report them as
//     Finding.Keys (hkid, prc_id, payment_card, custom patterns) are
//     folded by the union of their keys, so a value repeated in several
//     windows, or lying in the overlap two windows share, counts once;
//   - other counts add up; a match in the overlap (the same masked sample
//     at the same offset of the body) counts once;
//   - document-level verdicts (medical, financial_statement: count 1)
//     take the strongest window, as their sliding-window scoring of long
//     documents already does;
//   - confidence is the highest, signals and samples the union (samples
//     capped as a classifier caps them).
type windowFolder struct {
	mu    sync.Mutex
	byCls map[string]*classifiers.Finding
	order []string
	seen  map[sampleKey]bool
	// windows is how many windows were classified.
	windows int
}

type sampleKey struct {
	cls, masked, origin string
	offset              int
}

const maxFoldedSamples = 10

// documentLevel names the classifiers whose count is a verdict, not a tally.
func documentLevel(name string) bool {
	return name == classifiers.Medical || name == classifiers.FinancialStatement
}

// classifyWindow classifies one window at offset of the body and folds it.
func (e *Engine) classifyWindow(ctx context.Context, f *windowFolder, seg extract.Segment, offset int64) {
	f.add(e.classifyAll(ctx, []extract.Segment{seg}), seg.Origin, int(offset))
	f.mu.Lock()
	f.windows++
	f.mu.Unlock()
}

// classifyBatch classifies one batch of the segments of a large JSON
// document read front to back (extract.Input.Batch) and folds it like a
// window: batches do not overlap, and each segment keeps its own origin,
// so no sample is taken for another.
func (e *Engine) classifyBatch(ctx context.Context, f *windowFolder, segs []extract.Segment) {
	f.add(e.classifyAll(ctx, segs), "", 0)
	f.mu.Lock()
	f.windows += len(segs) // each counts as a segment of the Result
	f.mu.Unlock()
}

// classifyAll runs every classifier set of the engine over segs.
func (e *Engine) classifyAll(ctx context.Context, segs []extract.Segment) []classifiers.Finding {
	fs := e.Classifiers.Classify(ctx, segs)
	if ps := e.Policy.Patterns(); ps != nil {
		fs = append(fs, ps.Classify(ctx, segs)...)
	}
	for _, x := range e.Extra {
		fs = append(fs, x.Classify(ctx, segs)...)
	}
	return fs
}

func (f *windowFolder) add(fs []classifiers.Finding, origin string, offset int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byCls == nil {
		f.byCls, f.seen = map[string]*classifiers.Finding{}, map[sampleKey]bool{}
	}
	for _, nf := range fs {
		// The window's text is reused once the call returns: nothing of
		// it may stay behind in a finding.
		nf.Classifier = strings.Clone(nf.Classifier)
		nf.Signals = cloneAll(nf.Signals)
		dupes := 0
		var samples []classifiers.Sample
		for _, s := range nf.Samples {
			s.Masked, s.Origin = strings.Clone(s.Masked), strings.Clone(s.Origin)
			if s.Origin == origin {
				s.Offset += offset
			}
			k := sampleKey{nf.Classifier, s.Masked, s.Origin, s.Offset}
			if f.seen[k] {
				dupes++
				continue
			}
			f.seen[k] = true
			samples = append(samples, s)
		}
		cur := f.byCls[nf.Classifier]
		keyed := len(nf.Keys) > 0
		if cur == nil {
			c := nf
			c.Samples = samples
			c.Signals = nf.Signals
			switch {
			case keyed:
				c.Keys = slices.Clone(nf.Keys)
				c.Count = len(c.Keys)
			case !documentLevel(nf.Classifier):
				c.Count -= dupes
			}
			f.byCls[nf.Classifier] = &c
			f.order = append(f.order, nf.Classifier)
			continue
		}
		switch {
		case keyed && (len(cur.Keys) > 0 || cur.Count == 0):
			cur.Keys = unionSorted(cur.Keys, nf.Keys)
			cur.Count = len(cur.Keys)
		case documentLevel(nf.Classifier):
			cur.Count = max(cur.Count, nf.Count)
		default:
			cur.Count += max(0, nf.Count-dupes)
		}
		cur.Confidence = max(cur.Confidence, nf.Confidence)
		for _, s := range samples {
			if len(cur.Samples) < maxFoldedSamples {
				cur.Samples = append(cur.Samples, s)
			}
		}
		for _, sg := range nf.Signals {
			if keyed && strings.HasPrefix(sg, distinctSignal) {
				continue // recounted below
			}
			if !slices.Contains(cur.Signals, sg) {
				cur.Signals = append(cur.Signals, sg)
			}
		}
		if keyed {
			recountDistinct(cur)
		}
	}
}

// distinctSignal starts the signal of a classifier that counts distinct
// values ("distinct:12").
const distinctSignal = "distinct:"

// recountDistinct makes f's distinct signal the count of its folded keys:
// each window reports its own ("distinct:12", "distinct:15"), the body
// holds their union.
func recountDistinct(f *classifiers.Finding) {
	for i, sg := range f.Signals {
		if strings.HasPrefix(sg, distinctSignal) {
			f.Signals[i] = distinctSignal + strconv.Itoa(f.Count)
			return
		}
	}
}

// merge returns the folded findings followed by those of the whole-text
// segments (a body has either; a container may have both, e.g. a large
// text member next to small ones), folded the same way.
func (f *windowFolder) merge(rest []classifiers.Finding) []classifiers.Finding {
	if len(f.order) == 0 {
		return rest
	}
	f.add(rest, "", 0)
	out := make([]classifiers.Finding, 0, len(f.order))
	for _, name := range f.order {
		out = append(out, *f.byCls[name])
	}
	return out
}

// unionSorted merges two ascending key lists without duplicates (keys
// arrive sorted and compacted from their classifier).
func unionSorted(a, b classifiers.ValueKeys) classifiers.ValueKeys {
	out := make(classifiers.ValueKeys, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var v uint64
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			v, i = a[i], i+1
		case i == len(a) || b[j] < a[i]:
			v, j = b[j], j+1
		default:
			v, i, j = a[i], i+1, j+1
		}
		if n := len(out); n == 0 || out[n-1] != v {
			out = append(out, v)
		}
	}
	return out
}

func cloneAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.Clone(s)
	}
	return out
}
