// Package classifiers recognises the content the AUP names: HKID numbers,
// mainland resident IDs, payment cards, phones and e-mails, customer
// databases, medical records about people and financial statements, in English,
// Traditional and Simplified Chinese. Findings carry counts, confidence,
// masked samples and the signals that fired, never raw sensitive values.
package classifiers

import (
	"context"

	"fmt"

	"github.com/dlpgate/dlpgate/extract"
)

// Names of the classifiers; rules refer to them in conditions.
const (
	HKID               = "hkid"
	Medical            = "medical"
	FinancialStatement = "financial_statement"
	// PRCID, PaymentCard, Phone, Email and CustomerDatabase are declared
	// in their own files (prc_id.go ...).
	// Uninspectable is not a classifier: inspect reports unreadable parts
	// under this name so that the policy can decide about them.
	Uninspectable = "uninspectable"
)

// Known reports whether name may be used in a rule condition.
func Known(name string) bool {
	switch name {
	case HKID, Medical, FinancialStatement, Uninspectable,
		PRCID, PaymentCard, Phone, Email, CustomerDatabase:
		return true
	}
	return false
}

// Confidence grades a finding.
type Confidence int

const (
	None Confidence = iota
	Low
	Medium
	High
)

func (c Confidence) String() string {
	switch c {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	}
	return "none"
}

// ParseConfidence reads "low", "medium" or "high".
func ParseConfidence(s string) (Confidence, error) {
	switch s {
	case "low":
		return Low, nil
	case "medium":
		return Medium, nil
	case "high":
		return High, nil
	}
	return None, fmt.Errorf("unknown confidence %q (want low, medium or high)", s)
}

func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

func (c *Confidence) UnmarshalText(b []byte) error {
	v, err := ParseConfidence(string(b))
	*c = v
	return err
}

// Sample is masked evidence of one match with where it was found.
type Sample struct {
	Masked string `json:"masked"`           // e.g. "A12****(3)"; never the raw value
	Origin string `json:"origin,omitempty"` // segment origin
	Offset int    `json:"offset"`           // byte offset within the segment text
}

// Finding is what one classifier concluded about a whole input (all of its
// segments together).
type Finding struct {
	Classifier string     `json:"classifier"`
	Count      int        `json:"count"` // distinct matches (distinct HKIDs; 1 for a document-level verdict)
	Confidence Confidence `json:"confidence"`
	Samples    []Sample   `json:"samples,omitempty"`
	// Signals explain why: "check_digit", "keyword:身份證", "title:Balance Sheet", ...
	Signals []string `json:"signals,omitempty"`
	// Keys identify the distinct values counted (a number packed from the
	// normalised value), for policies that count distinct values over a
	// time window (rules: window). They stay in memory: never serialised,
	// and printed only as their number.
	Keys ValueKeys `json:"-"`
}

// ValueKeys identify distinct matched values; see Finding.Keys.
type ValueKeys []uint64

// String hides the keys: "3 keys".
func (k ValueKeys) String() string { return fmt.Sprintf("%d keys", len(k)) }

// GoString hides the keys from %#v too.
func (k ValueKeys) GoString() string { return k.String() }

// Set runs every classifier over all segments of one input.
type Set interface {
	Classify(ctx context.Context, segs []extract.Segment) []Finding
}
