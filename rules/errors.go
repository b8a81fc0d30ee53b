package rules

import "strings"

// FieldError is one validation problem, located by its path in the Spec as
// written ("rules[2].conditions[0].classifier", "global.mode"). The config
// loader turns the path into file:line:col; on its own it reads
// "rules[2].conditions[0].classifier: unknown classifier \"hkidd\"".
type FieldError struct {
	Path string
	Msg  string
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Names of the decisions the policy makes without a [[rules]] entry. They
// are reserved (no rule may use them) and exceptions may name them.
const (
	RuleFailClosed    = "fail-closed"
	RuleFailOpen      = "fail-open"
	RuleOversize      = "oversize"
	RuleUninspectable = "uninspectable-default"
)

func reservedRule(name string) bool {
	switch name {
	case RuleFailClosed, RuleFailOpen, RuleOversize, RuleUninspectable:
		return true
	}
	return false
}

// Reasons an uninspectable finding carries as the prefix of its signals
// ("encrypted: body/a.zip: ..."), as extract names its problem kinds.
var knownReasons = []string{"encrypted", "unsupported", "limit", "malformed", "unreadable", "ocr"}

func knownReason(r string) bool {
	for _, k := range knownReasons {
		if r == k {
			return true
		}
	}
	return false
}

func listOr(s []string) string {
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
