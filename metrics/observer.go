// Package metrics counts what the front ends do, for the admin listener's
// /metrics. The front ends (proxy, icap) call the small Observer interface;
// Prometheus implements it on a Registry passed in (no global registry).
// A nil Observer is fine everywhere: Or turns it into one that does nothing.
package metrics

import "time"

// Observer receives the front ends' counts. Implementations must be safe
// for concurrent use and cheap: they are called on every request.
type Observer interface {
	// Decision counts one request's outcome: front end ("proxy", "icap"),
	// endpoint group, action (allow, log, would-block, block) and the rule
	// that decided ("" when none fired).
	Decision(frontEnd, endpoint, action, rule string)
	// Inspected counts one body or query run through the pipeline.
	Inspected(frontEnd string, bytes int64, segments int, took time.Duration)
	// Held counts one body held before forwarding; spilled says it went to
	// a spill file.
	Held(frontEnd string, bytes int64, spilled bool)
}

// Or returns o, or an Observer that does nothing when o is nil.
func Or(o Observer) Observer {
	if o == nil {
		return nop{}
	}
	return o
}

type nop struct{}

func (nop) Decision(string, string, string, string)     {}
func (nop) Inspected(string, int64, int, time.Duration) {}
func (nop) Held(string, int64, bool)                    {}
