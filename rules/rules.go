// Package rules owns the acceptable-use policy: its TOML schema, validation
// and the evaluation of findings into a decision (allow, log or block) that
// explains itself. Rules with a window count what one user sent over time
// in a Windows store that the front end owns and hands to every policy it
// compiles (window.go).
package rules

import (
	"net/netip"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
)

// Action is what the policy says to do with an upload.
type Action string

const (
	Allow Action = "allow"
	Log   Action = "log"
	Block Action = "block"
)

// Request describes who sends what where; the proxy fills it from the
// connection, scan from its flags.
type Request struct {
	User     string
	Groups   []string
	ClientIP netip.Addr
	Host     string // without port
	Method   string
	Path     string
	Endpoint string // endpoint group name, e.g. "dingtalk-robot"; "" when none
	Time     time.Time
}

// Input is what evaluation needs: the request, the findings, and the reasons
// inspection failed (malformed bodies, exceeded limits), which fail_mode decides.
type Input struct {
	Request  Request
	Findings []classifiers.Finding
	Failures []string
	// Oversize is set when the body exceeded max_inspect_bytes and was not inspected.
	Oversize bool
	// Windows holds what each subject sent recently, for rules with a
	// window; nil counts this request's values only.
	Windows *Windows
}

// Decision is the outcome of evaluation.
type Decision struct {
	// Action is what the proxy does: in monitor mode never Block.
	Action Action `json:"action"`
	// WouldBlock is set in monitor mode when enforce mode would have blocked.
	WouldBlock bool   `json:"would_block,omitempty"`
	Rule       string `json:"rule,omitempty"`
	Severity   string `json:"severity,omitempty"`
	// Reason is a one-line human explanation ("3 distinct HKIDs >= 3").
	Reason string `json:"reason,omitempty"`
	// Exception names the exception that turned a block/log into allow, if any.
	Exception string `json:"exception,omitempty"`
	// Explain lists each rule that matched and why, in evaluation order.
	Explain []string `json:"explain,omitempty"`
	// PolicyVersion identifies the policy that decided (hash of its source).
	PolicyVersion string `json:"policy_version,omitempty"`
}
