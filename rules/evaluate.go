package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
)

// Scope says what to do with a CONNECT (or plain request) to host:
// "inspect", "tunnel" or "block", and the endpoint group that matched.
// Among the endpoints whose hosts match, host-wide ones (no paths) decide,
// the most literal host pattern first ("oapi.dingtalk.com" beats
// "*.dingtalk.com"), then file order. When an endpoint limited to some paths
// of the host wants something else than the host-wide answer, the host must
// be inspected so the path can be seen: the answer is then "inspect".
// Hosts no endpoint names are tunnelled.
func (p *Policy) Scope(host string) (endpoint, action string) {
	host = normHost(host)
	best, bestLit := -1, -1
	needPaths := false
	for i := range p.endpoints {
		e := &p.endpoints[i]
		lit := e.matchHost(host)
		if lit < 0 {
			continue
		}
		if len(e.paths) > 0 {
			needPaths = true
			continue
		}
		if lit > bestLit {
			best, bestLit = i, lit
		}
	}
	if best < 0 {
		if needPaths {
			// Only path-scoped endpoints: inspect to see the path; requests
			// outside those paths get no endpoint name.
			return "", "inspect"
		}
		return "", "tunnel"
	}
	e := &p.endpoints[best]
	if needPaths && e.action != "inspect" {
		for i := range p.endpoints {
			o := &p.endpoints[i]
			if len(o.paths) > 0 && o.action != e.action && o.matchHost(host) >= 0 {
				return e.name, "inspect"
			}
		}
	}
	return e.name, e.action
}

// EndpointFor names the endpoint group of one request ("dingtalk-robot" for
// POST oapi.dingtalk.com/robot/send), or "" when none matches. The most
// specific match wins: an endpoint whose path pattern matches beats a
// host-wide one, a more literal path beats a shorter one, then the more
// literal host, then file order.
func (p *Policy) EndpointFor(host, path string) string {
	name, _ := p.Route(host, path)
	return name
}

// Route is EndpointFor with the endpoint's action: a path-scoped endpoint
// may say "block" (answer without forwarding) or "tunnel" (forward without
// inspection) for some paths of an inspected host.
func (p *Policy) Route(host, path string) (endpoint, action string) {
	host = normHost(host)
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		path = "/"
	}
	best, bestPath, bestHost := -1, -1, -1
	for i := range p.endpoints {
		e := &p.endpoints[i]
		hl := e.matchHost(host)
		if hl < 0 {
			continue
		}
		pl := 0 // host-wide endpoints rank below any path match
		if len(e.paths) > 0 {
			pl = -1
			for _, g := range e.paths {
				if g.match(path) && g.literal+1 > pl {
					pl = g.literal + 1
				}
			}
			if pl < 0 {
				continue
			}
		}
		if pl > bestPath || (pl == bestPath && hl > bestHost) {
			best, bestPath, bestHost = i, pl, hl
		}
	}
	if best < 0 {
		return "", "tunnel"
	}
	return p.endpoints[best].name, p.endpoints[best].action
}

// matchHost returns the literal length of the most specific matching host
// pattern, or -1.
func (e *endpoint) matchHost(host string) int {
	best := -1
	for _, g := range e.hosts {
		if g.literal > best && g.match(host) {
			best = g.literal
		}
	}
	return best
}

// normHost lower-cases host and drops a port, IPv6 brackets and a trailing
// dot, without allocating when host is already in that form.
func normHost(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			h = h[1:i]
		}
	} else if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.IndexByte(h, ':') == i {
		h = h[:i]
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

// rank orders actions: the strongest wins.
func rank(a Action) int {
	switch a {
	case Block:
		return 2
	case Log:
		return 1
	}
	return 0
}

// Evaluate decides about one inspected input.
//
// Every rule is tested in order; each one that matches is recorded in
// Explain, and the decision takes the strongest action among them
// (block > log > allow; the first such rule names it). A matching allow rule
// silences only the rules it lists in overrides; an exception turns only
// the rules it names (all when it names none) into allow for the requests it
// selects. Failed inspection (fail_mode), oversize bodies and uninspectable
// parts no rule matched take part as the rules "fail-closed"/"fail-open",
// "oversize" and "uninspectable-default". In monitor mode a block becomes
// log with WouldBlock set.
//
// A request no rule matches costs no allocation.
func (p *Policy) Evaluate(in *Input) Decision {
	var idx [maxClasses]int16
	for i := range idx {
		idx[i] = -1
	}
	uninspectable := false
	for fi := range in.Findings {
		name := in.Findings[fi].Classifier
		if name == classifiers.Uninspectable {
			uninspectable = true
		}
		for c, cn := range p.classes {
			if cn == name {
				if idx[c] < 0 {
					idx[c] = int16(fi)
				}
				break
			}
		}
	}
	var buf [16]int
	matched := buf[:0]
	for i := range p.rules {
		if p.rules[i].matches(in, &idx) {
			matched = append(matched, i)
		}
	}
	if len(matched) == 0 && len(in.Failures) == 0 && !in.Oversize && !uninspectable {
		return Decision{Action: Allow, PolicyVersion: p.version}
	}
	return p.decide(in, &idx, matched)
}

func (r *rule) matches(in *Input, idx *[maxClasses]int16) bool {
	if len(r.endpoints) > 0 && !contains(r.endpoints, in.Request.Endpoint) {
		return false
	}
	if len(r.methods) > 0 && !containsFold(r.methods, in.Request.Method) {
		return false
	}
	if len(r.conds) == 0 {
		return true
	}
	for i := range r.conds {
		ok := r.conds[i].test(in, idx)
		if r.any && ok {
			return true
		}
		if !r.any && !ok {
			return false
		}
	}
	return !r.any
}

// count is the number the condition compares: the finding's count, or for
// reasons the number of its signals with one of those reasons, or for a
// rule with a window the distinct values the subject sent within it,
// this request's included.
func (c *cond) count(in *Input, idx *[maxClasses]int16) (int, *classifiers.Finding) {
	fi := idx[c.class]
	if fi < 0 {
		return 0, nil
	}
	f := &in.Findings[fi]
	if c.window > 0 {
		return c.windowCount(in, f), f
	}
	if len(c.reasons) == 0 {
		return f.Count, f
	}
	n := 0
	for _, s := range f.Signals {
		if c.covers(s) {
			n++
		}
	}
	return n, f
}

func (c *cond) covers(signal string) bool {
	if len(c.reasons) == 0 {
		return true
	}
	for _, r := range c.reasons {
		if strings.HasPrefix(signal, r) {
			return true
		}
	}
	return false
}

func (c *cond) test(in *Input, idx *[maxClasses]int16) bool {
	n, f := c.count(in, idx)
	if f == nil || n < c.minCount || (c.maxCount > 0 && n > c.maxCount) {
		return false
	}
	return f.Confidence >= c.minConf
}

// describe says why the condition holds, with counts and never values:
// "hkid count 4 >= 3".
func (c *cond) describe(in *Input, idx *[maxClasses]int16) string {
	n, f := c.count(in, idx)
	var b strings.Builder
	b.WriteString(c.classifier)
	for i, r := range c.reasons {
		if i == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteByte('|')
		}
		b.WriteString(strings.TrimSuffix(r, ":"))
	}
	if c.maxCount > 0 {
		fmt.Fprintf(&b, " count %d in %d..%d", n, c.minCount, c.maxCount)
	} else {
		fmt.Fprintf(&b, " count %d >= %d", n, c.minCount)
	}
	if c.window > 0 {
		fmt.Fprintf(&b, " within %s from one %s", c.window, in.subjectKind())
	}
	if c.minConf > classifiers.None && f != nil {
		fmt.Fprintf(&b, ", confidence %s >= %s", f.Confidence, c.minConf)
	}
	return b.String()
}

func (r *rule) describe(in *Input, idx *[maxClasses]int16) string {
	if len(r.conds) == 0 {
		var parts []string
		if len(r.endpoints) > 0 {
			parts = append(parts, "endpoint "+in.Request.Endpoint)
		}
		if len(r.methods) > 0 {
			parts = append(parts, "method "+strings.ToUpper(in.Request.Method))
		}
		if len(parts) == 0 {
			return "every request"
		}
		return strings.Join(parts, ", ")
	}
	var parts []string
	for i := range r.conds {
		if r.conds[i].test(in, idx) {
			parts = append(parts, r.conds[i].describe(in, idx))
		}
	}
	if r.any {
		return strings.Join(parts, " or ")
	}
	return strings.Join(parts, " and ")
}

// outcome is one matched rule (or policy-level decision) after overrides and
// exceptions.
type outcome struct {
	rule, severity, reason string
	original, action       Action
	exception              string // exception that lowered it
	silencedBy             string // allow rule that overrode it
}

func (p *Policy) decide(in *Input, idx *[maxClasses]int16, matched []int) Decision {
	d := Decision{Action: Allow, PolicyVersion: p.version}
	now := in.Request.Time
	if now.IsZero() {
		now = time.Now()
	}
	var best, lowered *outcome
	add := func(o outcome) {
		line := o.rule + ": " + o.reason + " -> " + string(o.original)
		if o.silencedBy != "" {
			o.action = Allow
			line += ", overridden by allow rule " + o.silencedBy
		} else if o.original != Allow {
			if e := p.exceptionFor(o.rule, in, now); e != nil {
				o.action = Allow
				o.exception = e.name
				line += ", excepted by " + e.name + " (until " + e.expires + ")"
			}
		}
		d.Explain = append(d.Explain, line)
		if best == nil || rank(o.action) > rank(best.action) {
			best = &o
		}
		if o.action != o.original && (lowered == nil || rank(o.original) > rank(lowered.original)) {
			lowered = &o
		}
	}
	for _, ri := range matched {
		r := &p.rules[ri]
		add(outcome{
			rule: r.name, severity: r.severity, reason: r.describe(in, idx),
			original: r.action, action: r.action, silencedBy: p.silencer(r.name, in, idx, matched),
		})
	}
	if n := len(in.Failures); n > 0 {
		o := outcome{rule: RuleFailOpen, original: Log, reason: "inspection failed: " + in.Failures[0]}
		if p.failClosed {
			o.rule, o.original = RuleFailClosed, Block
		}
		if n > 1 {
			o.reason += fmt.Sprintf(" (and %d more)", n-1)
		}
		o.action = o.original
		o.silencedBy = p.silencer(o.rule, in, idx, matched)
		add(o)
	}
	if in.Oversize {
		add(outcome{
			rule: RuleOversize, original: p.oversize, action: p.oversize,
			reason:     fmt.Sprintf("body larger than max_inspect_bytes (%d bytes) was not inspected", p.maxInspect),
			silencedBy: p.silencer(RuleOversize, in, idx, matched),
		})
	}
	if reason := p.uncovered(in, idx, matched); reason != "" {
		add(outcome{
			rule: RuleUninspectable, original: p.uninspect, action: p.uninspect, reason: reason,
			silencedBy: p.silencer(RuleUninspectable, in, idx, matched),
		})
	}
	if best != nil {
		d.Action, d.Rule, d.Severity, d.Reason = best.action, best.rule, best.severity, best.reason
	}
	if lowered != nil && rank(lowered.original) > rank(d.Action) {
		d.Exception = lowered.exception
		if d.Action == Allow {
			d.Rule, d.Severity = lowered.rule, lowered.severity
			if lowered.exception != "" {
				d.Reason = lowered.reason + "; excepted by " + lowered.exception
			} else {
				d.Reason = lowered.reason + "; overridden by allow rule " + lowered.silencedBy
			}
		}
	}
	if d.Action == Block && p.monitor {
		d.Action, d.WouldBlock = Log, true
	}
	return d
}

// silencer names the first matched allow rule that overrides name.
func (p *Policy) silencer(name string, in *Input, idx *[maxClasses]int16, matched []int) string {
	for _, ri := range matched {
		r := &p.rules[ri]
		if r.action == Allow && contains(r.overrides, name) {
			return r.name
		}
	}
	return ""
}

// uncovered describes the uninspectable parts that no matched rule's
// condition covers and that are not inspection failures (fail_mode decides
// those), or returns "".
func (p *Policy) uncovered(in *Input, idx *[maxClasses]int16, matched []int) string {
	var f *classifiers.Finding
	for i := range in.Findings {
		if in.Findings[i].Classifier == classifiers.Uninspectable {
			f = &in.Findings[i]
			break
		}
	}
	if f == nil {
		return ""
	}
	n := 0
	var kinds []string
	signals := f.Signals
	if len(signals) == 0 {
		signals = []string{"unknown: "}
	}
next:
	for _, s := range signals {
		for _, fl := range in.Failures {
			if strings.EqualFold(fl, s) {
				continue next
			}
		}
		for _, ri := range matched {
			r := &p.rules[ri]
			for ci := range r.conds {
				c := &r.conds[ci]
				if c.classifier == classifiers.Uninspectable && c.covers(s) && c.test(in, idx) {
					continue next
				}
			}
		}
		n++
		kind, _, _ := strings.Cut(s, ":")
		if !contains(kinds, kind) {
			kinds = append(kinds, kind)
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d uninspectable part(s) (%s) not matched by a rule", n, strings.Join(kinds, ", "))
}

func (p *Policy) exceptionFor(rule string, in *Input, now time.Time) *exception {
	for i := range p.exceptions {
		if p.exceptions[i].applies(rule, in, now) {
			return &p.exceptions[i]
		}
	}
	return nil
}

func (e *exception) applies(rule string, in *Input, now time.Time) bool {
	if !e.until.IsZero() && !now.Before(e.until) {
		return false
	}
	if len(e.rules) > 0 && !contains(e.rules, rule) {
		return false
	}
	rq := &in.Request
	if len(e.users) > 0 && !containsFold(e.users, rq.User) {
		return false
	}
	if len(e.groups) > 0 {
		ok := false
		for _, g := range rq.Groups {
			if containsFold(e.groups, g) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(e.clients) > 0 {
		ip := rq.ClientIP.Unmap()
		ok := false
		for _, c := range e.clients {
			if ip.IsValid() && c.Contains(ip) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(e.hosts) > 0 {
		h := normHost(rq.Host)
		ok := false
		for _, g := range e.hosts {
			if g.match(h) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	if s == "" {
		return false
	}
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
