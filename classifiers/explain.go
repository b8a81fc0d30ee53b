package classifiers

import (
	"context"
	"fmt"

	"github.com/dlpgate/dlpgate/extract"
)

// Explanation is one classifier's account of one input, whether or not it
// fired: what it scored against which threshold, the signals it saw (masked
// like finding signals) and, when it stayed quiet, why. `dlpgate scan
// --explain` prints them so an admin can see why a document was or was not
// caught.
type Explanation struct {
	Classifier string     `json:"classifier"`
	Fired      bool       `json:"fired"`
	Confidence Confidence `json:"confidence"`
	Score      int        `json:"score"`
	Threshold  int        `json:"threshold,omitempty"`
	Signals    []string   `json:"signals,omitempty"`
	Reason     string     `json:"reason,omitempty"`
}

// Explainer is a Set that can explain its verdicts. The default set is one.
type Explainer interface {
	Explain(ctx context.Context, segs []extract.Segment) []Explanation
}

// explainer is a classifier with its own explanation; the others are
// explained from their finding and their dictionary hits.
type explainer interface {
	explain(doc *document) Explanation
}

// Explain classifies segs like Classify and returns one explanation per
// classifier, in the set's order. It returns nil when ctx is cancelled.
func (s *defaultSet) Explain(ctx context.Context, segs []extract.Segment) []Explanation {
	doc := s.analyse(ctx, segs)
	if doc == nil {
		return nil
	}
	out := make([]Explanation, 0, len(s.cls))
	for ci, c := range s.cls {
		if ctx.Err() != nil {
			return nil
		}
		if x, ok := c.(explainer); ok {
			out = append(out, x.explain(doc))
			continue
		}
		f, ok := c.classify(doc)
		e := Explanation{Classifier: c.name(), Fired: ok}
		if ok {
			e.Confidence, e.Score, e.Signals = f.Confidence, f.Count, f.Signals
		} else {
			e.Signals = hitSignals(doc, ci, c.vocabulary())
			e.Reason = "below threshold"
		}
		if c.name() == HKID {
			sigs, shaped, valid := hkidCandidateSignals(doc)
			e.Signals = append(e.Signals, sigs...)
			switch {
			case ok:
			case shaped == 0:
				e.Reason = "no HKID-shaped string"
			case valid == 0:
				e.Reason = "no HKID-shaped string passes the check digit"
			}
		}
		out = append(out, e)
	}
	return out
}

// hitSignals lists the distinct dictionary terms of classifier ci that
// occur (up to 12), as "kind#:term" — for classifiers without their own
// explanation; none of their terms is personal data.
func hitSignals(doc *document, ci int, vocab []vocabEntry) []string {
	seen := map[string]bool{}
	for si := range doc.segs {
		for _, h := range doc.hitsOf(si, ci) {
			if len(seen) >= 12 {
				break
			}
			seen["term:"+vocab[h.term].term] = true
		}
	}
	return uniqueSorted(seen)
}

// hkidCandidateSignals counts HKID-shaped strings and how many pass the
// check digit, never showing them.
func hkidCandidateSignals(doc *document) (sigs []string, shaped, valid int) {
	for _, sg := range doc.segs {
		for _, m := range sg.hkids {
			shaped++
			if m.valid {
				valid++
			}
		}
	}
	if shaped == 0 {
		return nil, 0, 0
	}
	return []string{fmt.Sprintf("hkid_shaped:%d", shaped), fmt.Sprintf("check_digit_valid:%d", valid)}, shaped, valid
}
