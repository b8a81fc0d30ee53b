package inspect

import (
	"context"
	"fmt"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
)

// Explain extracts in like Inspect and asks the classifier set to explain
// itself: every classifier's score, threshold and the signals it saw, also
// below its threshold (`dlpgate scan --explain`). A set that cannot explain
// itself yields nil.
func (e *Engine) Explain(ctx context.Context, in extract.Input) ([]classifiers.Explanation, error) {
	x, ok := e.Classifiers.(classifiers.Explainer)
	if !ok {
		return nil, nil
	}
	ex, err := extract.Extract(ctx, in, e.Limits)
	if err != nil {
		return nil, fmt.Errorf("explain %s: %w", in.Origin, err)
	}
	out := x.Explain(ctx, ex.Segments)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("explain %s: %w", in.Origin, ctx.Err())
	}
	return out, nil
}
