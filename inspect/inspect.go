// Package inspect is the one pipeline that both the proxy and `dlpgate scan`
// run: extract text from a body, classify it, and let the policy decide.
// It knows nothing about HTTP connections or files on disk.
package inspect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/rules"
)

// Engine holds one policy, one classifier set and the extraction limits. It is
// immutable and safe for concurrent use; a reload builds a new Engine.
type Engine struct {
	Policy      *rules.Policy
	Classifiers classifiers.Set
	Limits      extract.Limits
	// Budget, when set, bounds the inspections running at once (shared
	// by the engines a reload builds); nil runs every inspection at once.
	Budget *Budget
	// Extra are further classifier sets the policy names, such as its
	// Exact Data Match indexes (classifiers/edm); they belong to the
	// engine so a reload replaces them with the policy.
	Extra []classifiers.Set
	// Windows is what users sent recently, for rules with a window. It
	// belongs to the front end, which hands the same store to every
	// Engine it builds, so counts survive a reload; nil counts each
	// request on its own.
	Windows *rules.Windows
}

// Result is the outcome of inspecting one body.
type Result struct {
	Decision  rules.Decision
	Findings  []classifiers.Finding
	Problems  []extract.Problem
	Segments  int
	TextBytes int64
}

// Inspect extracts, classifies and evaluates one body. An error is returned
// only when ctx ended; every content problem is part of the Result and the
// policy's fail mode or uninspectable action decides about it.
func (e *Engine) Inspect(ctx context.Context, req rules.Request, in extract.Input) (*Result, error) {
	if e.Budget != nil && in.Size >= smallInput {
		release, err := e.Budget.acquire(ctx, e.Budget.weight(in, e.Limits))
		if errors.Is(err, errBudgetWait) {
			// Nothing was read: the policy's fail mode decides.
			return e.judge(req, nil, &extract.Result{Problems: []extract.Problem{{
				Origin: in.Origin, Kind: extract.Limit,
				Reason: fmt.Sprintf("inspection queue: waited longer than %s for a free inspection slot; not inspected", e.Budget.wait),
			}}}), nil
		}
		if err != nil {
			return nil, fmt.Errorf("inspect %s: %w", in.Origin, err)
		}
		defer release()
	}
	c, err := e.collect(ctx, in)
	if err != nil {
		return nil, err
	}
	return c.verdict(e, req), nil
}

// collected is what extraction and classification found in one body,
// before the policy decides.
type collected struct {
	findings []classifiers.Finding
	ex       *extract.Result
	windows  int // streamed windows classified
}

// collect extracts and classifies in; an error means ctx ended.
func (e *Engine) collect(ctx context.Context, in extract.Input) (*collected, error) {
	var folded windowFolder
	if in.Stream == nil {
		in.Stream = func(seg extract.Segment, offset int64) { e.classifyWindow(ctx, &folded, seg, offset) }
		in.Batch = func(segs []extract.Segment) { e.classifyBatch(ctx, &folded, segs) }
	}
	ex, err := extract.Extract(ctx, in, e.Limits)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("inspect %s: %w", in.Origin, ctx.Err())
		}
		if errors.Is(err, extract.ErrSpeculation) {
			// An overlapped reading that must be redone (overlap.go).
			return nil, fmt.Errorf("inspect %s: %w", in.Origin, err)
		}
		// The body could not be read at all: the fail mode decides.
		ex = &extract.Result{Problems: []extract.Problem{{Origin: in.Origin, Kind: extract.Malformed, Reason: err.Error()}}}
	}
	findings := folded.merge(e.classifyAll(ctx, ex.Segments))
	if ctx.Err() != nil {
		return nil, fmt.Errorf("inspect %s: %w", in.Origin, ctx.Err())
	}
	return &collected{findings: findings, ex: ex, windows: folded.windows}, nil
}

// verdict lets the policy decide about what was collected.
func (c *collected) verdict(e *Engine, req rules.Request) *Result {
	r := e.judge(req, c.findings, c.ex)
	r.Segments += c.windows // a streamed body's windows count as segments
	return r
}

// judge folds extraction problems into the findings and lets the policy
// decide.
func (e *Engine) judge(req rules.Request, findings []classifiers.Finding, ex *extract.Result) *Result {
	input := &rules.Input{Request: req, Windows: e.Windows}
	findings, unreadable := splitUninspectable(findings)
	if f, failures := problemsFinding(ex.Problems, unreadable); f != nil {
		findings = append(findings, *f)
		input.Failures = failures
	}
	input.Findings = findings
	dec := e.Policy.Evaluate(input)
	e.Policy.Remember(input, dec)
	return &Result{
		Decision:  dec,
		Findings:  findings,
		Problems:  ex.Problems,
		Segments:  len(ex.Segments),
		TextBytes: ex.TextBytes,
	}
}

// Oversize decides about a body larger than the policy's max_inspect_bytes,
// which is not read at all.
func (e *Engine) Oversize(req rules.Request) rules.Decision {
	return e.Policy.Evaluate(&rules.Input{Request: req, Oversize: true})
}

// splitUninspectable takes out the signals of classifiers that could not
// finish (a pattern's match timeout), to be reported with extraction problems.
func splitUninspectable(fs []classifiers.Finding) ([]classifiers.Finding, []string) {
	var signals []string
	out := fs[:0]
	for _, f := range fs {
		if f.Classifier == classifiers.Uninspectable {
			signals = append(signals, f.Signals...)
			continue
		}
		out = append(out, f)
	}
	return out, signals
}

// problemsFinding folds extraction problems (and classifier signals such as
// "limit: origin: pattern x: match timeout") into one "uninspectable"
// finding whose signals are "kind: origin: reason"; malformed parts and
// exceeded limits are also returned as failures for the fail mode.
func problemsFinding(ps []extract.Problem, more []string) (*classifiers.Finding, []string) {
	if len(ps) == 0 && len(more) == 0 {
		return nil, nil
	}
	f := &classifiers.Finding{Classifier: classifiers.Uninspectable, Count: len(ps) + len(more), Confidence: classifiers.High}
	var failures []string
	for _, p := range ps {
		s := fmt.Sprintf("%s: %s: %s", p.Kind, p.Origin, p.Reason)
		f.Signals = append(f.Signals, s)
		if p.Kind == extract.Malformed || p.Kind == extract.Limit {
			failures = append(failures, s)
		}
	}
	for _, s := range more {
		f.Signals = append(f.Signals, s)
		if strings.HasPrefix(s, string(extract.Limit)+":") || strings.HasPrefix(s, string(extract.Malformed)+":") {
			failures = append(failures, s)
		}
	}
	slices.Sort(f.Signals)
	f.Signals = slices.Compact(f.Signals)
	return f, failures
}

// Unreadable decides about an input that could not be read at all (a file
// scan cannot open, a body cut short): it is one malformed part, and the
// policy's fail mode decides as it does for a body that cannot be parsed.
func (e *Engine) Unreadable(req rules.Request, origin, reason string) *Result {
	ps := []extract.Problem{{Origin: origin, Kind: extract.Malformed, Reason: reason}}
	f, failures := problemsFinding(ps, nil)
	in := &rules.Input{Request: req, Findings: []classifiers.Finding{*f}, Failures: failures}
	return &Result{Decision: e.Policy.Evaluate(in), Findings: in.Findings, Problems: ps}
}
