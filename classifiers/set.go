package classifiers

import (
	"context"

	"github.com/dlpgate/dlpgate/extract"
)

// PLACEHOLDER until the classifiers land.
type defaultSet struct{}

// NewDefault returns the standard set: hkid, medical, financial_statement.
func NewDefault() Set { return defaultSet{} }

func (defaultSet) Classify(ctx context.Context, segs []extract.Segment) []Finding { return nil }
