package rules

import (
	"strings"

	"github.com/dlpgate/dlpgate/classifiers"
)

// Policy is a compiled, validated Spec. It is immutable: a reload compiles a
// new one, so requests in flight keep the policy they started with.
type Policy struct {
	spec Spec
}

// Compile validates spec and prepares it for evaluation.
// PLACEHOLDER: the full implementation replaces this file.
func Compile(spec Spec) (*Policy, error) { return &Policy{spec: spec}, nil }

// Scope says what to do with a CONNECT (or plain request) to host:
// "inspect", "tunnel" or "block", and the endpoint group that matched.
func (p *Policy) Scope(host string) (endpoint, action string) {
	for _, e := range p.spec.Endpoints {
		for _, h := range e.Hosts {
			if h == host || (strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:])) {
				return e.Name, e.Action
			}
		}
	}
	return "", "tunnel"
}

// Evaluate decides about one inspected input.
func (p *Policy) Evaluate(in *Input) Decision {
	for _, f := range in.Findings {
		if f.Classifier == classifiers.HKID && f.Count >= 3 {
			return Decision{Action: Block, Rule: "hkid-bulk", Reason: "3 or more HKIDs"}
		}
	}
	return Decision{Action: Allow}
}
