package rules

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/dlpgate/dlpgate/classifiers"
)

// maxClasses bounds the distinct classifiers conditions may name; it lets
// Evaluate index findings in a fixed array on the stack.
const maxClasses = 16

// Policy is a compiled, validated Spec. It is immutable: a reload compiles a
// new one, so requests in flight keep the policy they started with.
type Policy struct {
	spec       Spec
	patterns   *classifiers.PatternSet
	version    string
	monitor    bool
	failClosed bool
	maxInspect int64
	oversize   Action
	uninspect  Action
	endpoints  []endpoint
	rules      []rule
	exceptions []exception
	// classes are the classifier names conditions use; a condition refers to
	// its classifier by index here.
	classes []string
	// hasWindows: some rule counts values over a window (Remember).
	hasWindows bool
}

type endpoint struct {
	name   string
	hosts  []glob
	paths  []glob
	action string
}

type rule struct {
	name      string
	severity  string
	action    Action
	endpoints []string
	methods   []string
	any       bool
	conds     []cond
	overrides []string
}

type cond struct {
	class      int
	classifier string
	minCount   int // >= 1
	maxCount   int // 0 = unbounded
	minConf    classifiers.Confidence
	// reasons are signal prefixes with the colon: "encrypted:".
	reasons []string
	// window > 0: count distinct values per subject over this long
	// (the rule's window; windowRule names the rule in the store).
	window     time.Duration
	windowRule string
}

type exception struct {
	name    string
	reason  string
	expires string
	until   time.Time
	rules   []string
	users   []string
	groups  []string
	clients []netip.Prefix
	hosts   []glob
}

// Compile validates spec and prepares it for evaluation. All problems are
// returned at once (errors.Join of *FieldError), each naming the path of the
// offending key.
func Compile(spec Spec) (*Policy, error) {
	c := compiler{p: &Policy{spec: spec}}
	c.global(spec.Global)
	c.compileEndpoints(spec.Endpoints)
	c.compilePatterns(spec.Patterns)
	c.compileEDM(spec.EDM)
	c.compileRules(spec.Rules)
	c.compileExceptions(spec.Exceptions)
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	c.p.version = Version(spec)
	return c.p, nil
}

// Version is the short sha256 of the canonical TOML of spec: the merged
// policy as `dlpgate policy show` prints it, so comments and layout do not
// change it but every effective value does.
func Version(spec Spec) string {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(spec); err != nil {
		// Spec holds only strings, ints and slices of them: cannot fail.
		buf.WriteString(fmt.Sprintf("%#v", spec))
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:6])
}

// Version identifies the policy (see the Version function).
func (p *Policy) Version() string { return p.version }

// Spec returns the policy as written (after defaults were merged by config).
func (p *Policy) Spec() Spec { return p.spec }

// Monitor reports whether the policy only logs what it would block.
func (p *Policy) Monitor() bool { return p.monitor }

// FailOpen reports whether fail_mode is "open": inspection failures (and an
// audit log that cannot be written) let the upload through, logged.
func (p *Policy) FailOpen() bool { return !p.failClosed }

// MaxInspectBytes is the largest body the proxy reads for inspection; 0
// means no limit. Larger bodies are decided by Evaluate with Input.Oversize.
func (p *Policy) MaxInspectBytes() int64 { return p.maxInspect }

type compiler struct {
	p        *Policy
	errs     []error
	patterns map[string]bool // names of admin-defined patterns
	edm      map[string]bool // names of [[edm]] indexes
}

// hostGlobs compiles the host globs of an endpoint or exception, reporting
// each bad one at its index.
func (c *compiler) hostGlobs(at string, hosts []string) []glob {
	var out []glob
	for k, h := range hosts {
		g, err := compileHostGlob(h)
		if err != nil {
			c.errf(fmt.Sprintf("%s.hosts[%d]", at, k), "%v", err)
			continue
		}
		out = append(out, g)
	}
	return out
}

// compilePatterns validates [[patterns]]; rule conditions may then name them.
func (c *compiler) compilePatterns(specs []classifiers.PatternSpec) {
	if len(specs) == 0 {
		return
	}
	c.patterns = map[string]bool{}
	for _, s := range specs {
		c.patterns[s.Name] = true
	}
	ps, errs := classifiers.CompilePatterns(specs)
	for _, err := range errs {
		path, msg, ok := strings.Cut(err.Error(), ": ")
		if !ok {
			path, msg = "patterns", err.Error()
		}
		c.errf(path, "%s", msg)
	}
	c.p.patterns = ps
}

// Patterns returns the admin-defined pattern classifiers (nil when none).
// They belong to the policy so that a reload replaces them with it.
func (p *Policy) Patterns() *classifiers.PatternSet { return p.patterns }

func (c *compiler) errf(path, format string, args ...any) {
	c.errs = append(c.errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (c *compiler) oneOf(path, v, def string, allowed ...string) string {
	if v == "" {
		return def
	}
	if !slices.Contains(allowed, v) {
		c.errf(path, "%q is not one of %s", v, listOr(quoteAll(allowed)))
		return def
	}
	return v
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strconv.Quote(v)
	}
	return out
}

func (c *compiler) global(g Global) {
	p := c.p
	p.monitor = c.oneOf("global.mode", g.Mode, "enforce", "enforce", "monitor") == "monitor"
	p.failClosed = c.oneOf("global.fail_mode", g.FailMode, "closed", "closed", "open") == "closed"
	p.oversize = Action(c.oneOf("global.oversize_action", g.OversizeAction, "block", "block", "log", "allow"))
	p.uninspect = Action(c.oneOf("global.uninspectable_action", g.UninspectableAction, "log", "block", "log", "allow"))
	if g.MaxInspectBytes < 0 {
		c.errf("global.max_inspect_bytes", "must not be negative (0 means no limit)")
	}
	p.maxInspect = g.MaxInspectBytes
}

func (c *compiler) compileEndpoints(specs []EndpointSpec) {
	seen := map[string]int{}
	for i, s := range specs {
		at := fmt.Sprintf("endpoints[%d]", i)
		e := endpoint{name: s.Name}
		if s.Name == "" {
			c.errf(at, "endpoint needs a name")
		} else if j, dup := seen[s.Name]; dup {
			c.errf(at+".name", "duplicate endpoint name %q (also endpoints[%d])", s.Name, j)
		} else {
			seen[s.Name] = i
		}
		if len(s.Hosts) == 0 {
			c.errf(at, "endpoint %q needs hosts", s.Name)
		}
		e.hosts = c.hostGlobs(at, s.Hosts)
		for k, pth := range s.Paths {
			g, err := compilePathGlob(pth)
			if err != nil {
				c.errf(fmt.Sprintf("%s.paths[%d]", at, k), "%v", err)
				continue
			}
			e.paths = append(e.paths, g)
		}
		e.action = c.oneOf(at+".action", s.Action, "inspect", "inspect", "tunnel", "block")
		c.p.endpoints = append(c.p.endpoints, e)
	}
}

var severities = []string{"info", "low", "medium", "high", "critical"}

func (c *compiler) classID(name string) int {
	if i := slices.Index(c.p.classes, name); i >= 0 {
		return i
	}
	if len(c.p.classes) == maxClasses {
		return -1
	}
	c.p.classes = append(c.p.classes, name)
	return len(c.p.classes) - 1
}

func (c *compiler) compileRules(specs []RuleSpec) {
	names := map[string]int{}
	for i, s := range specs {
		if s.Name != "" {
			if _, dup := names[s.Name]; !dup {
				names[s.Name] = i
			}
		}
	}
	endpoints := map[string]bool{}
	for _, e := range c.p.spec.Endpoints {
		endpoints[e.Name] = true
	}
	keys := map[string]int{}
	for i, s := range specs {
		at := fmt.Sprintf("rules[%d]", i)
		r := rule{name: s.Name, severity: s.Severity}
		switch {
		case s.Name == "":
			c.errf(at, "rule needs a name")
		case names[s.Name] != i:
			c.errf(at+".name", "duplicate rule name %q (also rules[%d])", s.Name, names[s.Name])
		case reservedRule(s.Name):
			c.errf(at+".name", "rule name %q is reserved for the policy's own decisions", s.Name)
		}
		for k, e := range s.Endpoints {
			if !endpoints[e] {
				c.errf(fmt.Sprintf("%s.endpoints[%d]", at, k), "unknown endpoint %q (not in [[endpoints]])", e)
			}
		}
		r.endpoints = s.Endpoints
		for k, m := range s.Methods {
			if m == "" || strings.IndexFunc(m, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') }) >= 0 {
				c.errf(fmt.Sprintf("%s.methods[%d]", at, k), "bad HTTP method %q", m)
			}
			r.methods = append(r.methods, strings.ToUpper(m))
		}
		r.any = c.oneOf(at+".match", s.Match, "all", "all", "any") == "any"
		if s.Action == "" {
			c.errf(at, "rule %q needs an action (block, log or allow)", s.Name)
		}
		r.action = Action(c.oneOf(at+".action", s.Action, "log", "block", "log", "allow"))
		if s.Severity != "" && !slices.Contains(severities, s.Severity) {
			c.errf(at+".severity", "%q is not one of %s", s.Severity, listOr(quoteAll(severities)))
		}
		window := c.window(at, s)
		for k, cs := range s.Conditions {
			cd := c.condition(fmt.Sprintf("%s.conditions[%d]", at, k), cs)
			if window > 0 {
				c.windowCondition(fmt.Sprintf("%s.conditions[%d]", at, k), cs)
				cd.window, cd.windowRule = window, s.Name
				c.p.hasWindows = true
			}
			r.conds = append(r.conds, cd)
		}
		for k, o := range s.Overrides {
			op := fmt.Sprintf("%s.overrides[%d]", at, k)
			if _, ok := names[o]; !ok && !reservedRule(o) {
				c.errf(op, "unknown rule %q", o)
			} else if o == s.Name {
				c.errf(op, "a rule cannot override itself")
			}
		}
		if len(s.Overrides) > 0 && s.Action != string(Allow) {
			c.errf(at+".overrides", "only an allow rule may override other rules")
		}
		r.overrides = s.Overrides
		key := ruleKey(s)
		if j, ok := keys[key]; ok && specs[j].Action != s.Action {
			c.errf(at, "rule %q contradicts rule %q: same endpoints, methods and conditions but action %s vs %s",
				s.Name, specs[j].Name, orDefault(s.Action, "?"), orDefault(specs[j].Action, "?"))
		} else if !ok {
			keys[key] = i
		}
		c.p.rules = append(c.p.rules, r)
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// ruleKey canonicalises what a rule matches, so that two rules matching
// exactly the same requests can be compared.
func ruleKey(s RuleSpec) string {
	eps := slices.Clone(s.Endpoints)
	slices.Sort(eps)
	ms := make([]string, len(s.Methods))
	for i, m := range s.Methods {
		ms[i] = strings.ToUpper(m)
	}
	slices.Sort(ms)
	match := orDefault(s.Match, "all")
	if len(s.Conditions) <= 1 {
		match = "all"
	}
	conds := make([]string, len(s.Conditions))
	for i, c := range s.Conditions {
		rs := slices.Clone(c.Reasons)
		slices.Sort(rs)
		conds[i] = fmt.Sprintf("%s/%d/%d/%s/%s", c.Classifier, max(c.MinCount, 1), c.MaxCount, c.MinConfidence, strings.Join(rs, ","))
	}
	slices.Sort(conds)
	return strings.Join(eps, ",") + "|" + strings.Join(ms, ",") + "|" + match + "|" + strings.Join(conds, ";") + "|" + s.Window
}

func (c *compiler) condition(at string, s ConditionSpec) cond {
	k := cond{classifier: s.Classifier, minCount: max(s.MinCount, 1), maxCount: s.MaxCount}
	switch {
	case s.Classifier == "":
		c.errf(at, "condition needs a classifier")
	case strings.HasPrefix(s.Classifier, edmPrefix):
		if !c.edm[strings.TrimPrefix(s.Classifier, edmPrefix)] {
			c.errf(at+".classifier", "unknown EDM index %q (not named in [[edm]])", strings.TrimPrefix(s.Classifier, edmPrefix))
		}
	case !classifiers.Known(s.Classifier) && !c.patterns[s.Classifier]:
		c.errf(at+".classifier", "unknown classifier %q", s.Classifier)
	}
	k.class = c.classID(s.Classifier)
	if k.class < 0 {
		c.errf(at+".classifier", "too many distinct classifiers (at most %d)", maxClasses)
	}
	if s.MinCount < 0 {
		c.errf(at+".min_count", "must not be negative")
	}
	if s.MaxCount < 0 {
		c.errf(at+".max_count", "must not be negative (0 means no upper bound)")
	}
	if s.MaxCount > 0 && k.minCount > s.MaxCount {
		c.errf(at+".max_count", "max_count %d is below min_count %d: the condition can never match", s.MaxCount, k.minCount)
	}
	if s.MinConfidence != "" {
		v, err := classifiers.ParseConfidence(s.MinConfidence)
		if err != nil {
			c.errf(at+".min_confidence", "%v", err)
		}
		k.minConf = v
	}
	if len(s.Reasons) > 0 && s.Classifier != classifiers.Uninspectable {
		c.errf(at+".reasons", "reasons apply only to classifier %q", classifiers.Uninspectable)
	}
	for i, r := range s.Reasons {
		if !knownReason(r) {
			c.errf(fmt.Sprintf("%s.reasons[%d]", at, i), "unknown reason %q (want %s)", r, listOr(quoteAll(knownReasons)))
		}
		k.reasons = append(k.reasons, r+":")
	}
	return k
}

func (c *compiler) compileExceptions(specs []ExceptionSpec) {
	rulesByName := map[string]bool{}
	for _, r := range c.p.spec.Rules {
		rulesByName[r.Name] = true
	}
	seen := map[string]int{}
	for i, s := range specs {
		at := fmt.Sprintf("exceptions[%d]", i)
		e := exception{name: s.Name, reason: s.Reason, expires: s.Expires, rules: s.Rules, users: s.Users, groups: s.Groups}
		if s.Name == "" {
			c.errf(at, "exception needs a name (it is recorded in every decision it changes)")
		} else if j, dup := seen[s.Name]; dup {
			c.errf(at+".name", "duplicate exception name %q (also exceptions[%d])", s.Name, j)
		} else {
			seen[s.Name] = i
		}
		for k, r := range s.Rules {
			if !rulesByName[r] && !reservedRule(r) {
				c.errf(fmt.Sprintf("%s.rules[%d]", at, k), "unknown rule %q", r)
			}
		}
		for k, u := range s.Users {
			if strings.TrimSpace(u) == "" {
				c.errf(fmt.Sprintf("%s.users[%d]", at, k), "empty user name")
			}
		}
		for k, g := range s.Groups {
			if strings.TrimSpace(g) == "" {
				c.errf(fmt.Sprintf("%s.groups[%d]", at, k), "empty group name")
			}
		}
		for k, cl := range s.Clients {
			pfx, err := parseClient(cl)
			if err != nil {
				c.errf(fmt.Sprintf("%s.clients[%d]", at, k), "%v", err)
				continue
			}
			e.clients = append(e.clients, pfx)
		}
		e.hosts = c.hostGlobs(at, s.Hosts)
		if s.Expires == "" {
			c.errf(at, "exception %q needs expires (a date, YYYY-MM-DD, or RFC 3339 time)", s.Name)
		} else if t, err := parseExpiry(s.Expires); err != nil {
			c.errf(at+".expires", "%v", err)
		} else {
			e.until = t
		}
		if strings.TrimSpace(s.Reason) == "" {
			c.errf(at, "exception %q needs a reason (compliance reads it)", s.Name)
		}
		c.p.exceptions = append(c.p.exceptions, e)
	}
}

func parseClient(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("bad CIDR %q", s)
		}
		if p.Masked() != p {
			return netip.Prefix{}, fmt.Errorf("bad CIDR %q: host bits set (did you mean %s?)", s, p.Masked())
		}
		return p, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("bad CIDR or address %q", s)
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// parseExpiry returns the first instant at which the exception no longer
// applies. A date is inclusive: "2026-12-31" ends at midnight after that day
// in the proxy host's local time zone.
func parseExpiry(s string) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t.AddDate(0, 0, 1), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bad date %q (want YYYY-MM-DD or RFC 3339 like 2026-12-31T18:00:00+08:00)", s)
}

// Warnings lists what is valid but probably not meant: exceptions that have
// expired by now (they are ignored), and a host wildcard "*.example.com"
// whose apex "example.com" no endpoint names (the wildcard matches
// subdomains only, so the apex would be tunnelled).
func (p *Policy) Warnings(now time.Time) []string {
	var out []string
	for _, e := range p.endpoints {
		for _, g := range e.hosts {
			apex, ok := strings.CutPrefix(g.pat, "*.")
			if !ok || strings.ContainsAny(apex, "*?") {
				continue
			}
			if name, _ := p.Scope(apex); name == "" {
				out = append(out, fmt.Sprintf("endpoint %q: host %q matches subdomains only; no endpoint names the apex %q, which is tunnelled uninspected (add it to hosts)", e.name, g.pat, apex))
			}
		}
	}
	for i, e := range p.exceptions {
		if !e.until.IsZero() && !now.Before(e.until) {
			out = append(out, fmt.Sprintf("exceptions[%d] %q expired on %s and is ignored", i, e.name, e.expires))
		}
	}
	return out
}

// edmPrefix starts the classifier name of an EDM index: "edm:customers".
const edmPrefix = "edm:"

// compileEDM validates [[edm]]: unique names a rule can write after
// "edm:", and a file each. Whether the file is a readable index is checked
// where it is loaded (config, and the front end that builds the engine).
func (c *compiler) compileEDM(specs []EDMSpec) {
	c.edm = map[string]bool{}
	for i, s := range specs {
		at := fmt.Sprintf("edm[%d]", i)
		switch {
		case s.Name == "":
			c.errf(at, "edm index needs a name (rules refer to it as \"edm:NAME\")")
		case strings.IndexFunc(s.Name, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
		}) >= 0 || len(s.Name) > 64:
			c.errf(at+".name", "bad edm name %q (letters, digits, '-' and '_', at most 64)", s.Name)
		case c.edm[s.Name]:
			c.errf(at+".name", "duplicate edm name %q", s.Name)
		}
		c.edm[s.Name] = true
		if strings.TrimSpace(s.File) == "" {
			c.errf(at, "edm index %q needs a file (written by `dlpgate edm index`)", s.Name)
		}
	}
}
