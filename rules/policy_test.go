package rules

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/dlpgate/dlpgate/classifiers"
)

const testEndpoints = `
[[endpoints]]
name = "robot"
hosts = ["oapi.dingtalk.com", "api.dingtalk.com"]
paths = ["/robot/*", "/v1.0/robot/**"]
action = "inspect"

[[endpoints]]
name = "api"
hosts = ["oapi.dingtalk.com", "api.dingtalk.com"]
action = "inspect"

[[endpoints]]
name = "files"
hosts = ["*.trans.dingtalk.com"]
action = "inspect"

[[endpoints]]
name = "web"
hosts = ["*.dingtalk.com"]
action = "inspect"

[[endpoints]]
name = "desktop-long"
hosts = ["webalfa-cm3.dingtalk.com"]
action = "tunnel"

[[endpoints]]
name = "banned"
hosts = ["*.pastebin.example"]
action = "block"
`

const testAUP = `
[global]
mode = "enforce"
fail_mode = "closed"
max_inspect_bytes = 1000
oversize_action = "block"
uninspectable_action = "log"
` + testEndpoints + `
[[rules]]
name = "financial-statement"
conditions = [{ classifier = "financial_statement", min_count = 1 }]
action = "block"
severity = "high"

[[rules]]
name = "hkid-bulk"
conditions = [{ classifier = "hkid", min_count = 3 }]
action = "block"
severity = "high"

[[rules]]
name = "medical-record"
conditions = [{ classifier = "medical", min_count = 1, min_confidence = "medium" }]
action = "block"
severity = "high"

[[rules]]
name = "hkid-single"
conditions = [{ classifier = "hkid", min_count = 1, max_count = 2 }]
action = "log"
severity = "medium"

[[rules]]
name = "encrypted"
conditions = [{ classifier = "uninspectable", reasons = ["encrypted"] }]
action = "log"
severity = "low"

[[rules]]
name = "unsupported-media"
conditions = [{ classifier = "uninspectable", reasons = ["unsupported"] }]
action = "allow"

[[rules]]
name = "robot-post-medical"
endpoints = ["robot"]
methods = ["post"]
conditions = [{ classifier = "medical", min_count = 1, min_confidence = "low" }]
action = "block"
severity = "high"

[[rules]]
name = "web-either"
endpoints = ["web"]
match = "any"
conditions = [
  { classifier = "hkid", min_count = 1, min_confidence = "high" },
  { classifier = "medical", min_count = 1, min_confidence = "low" },
]
action = "log"

[[rules]]
name = "files-both"
endpoints = ["files"]
match = "all"
conditions = [
  { classifier = "hkid", min_count = 1 },
  { classifier = "medical", min_count = 1 },
]
action = "block"

[[rules]]
name = "hr-robot"
description = "the HR robot may receive HKIDs"
endpoints = ["robot"]
methods = ["PUT"]
conditions = [{ classifier = "hkid", min_count = 1 }]
action = "allow"
overrides = ["hkid-bulk", "hkid-single"]

[[exceptions]]
name = "payroll-alice"
rules = ["hkid-bulk"]
users = ["alice"]
expires = "2099-12-31"
reason = "payroll run"

[[exceptions]]
name = "finance-group"
rules = ["financial-statement"]
groups = ["finance"]
expires = "2099-12-31"
reason = "quarterly filing"

[[exceptions]]
name = "clinic-subnet"
rules = ["medical-record"]
clients = ["10.1.0.0/16", "192.0.2.7"]
expires = "2099-12-31"
reason = "clinic uploads to its own group"

[[exceptions]]
name = "files-host"
rules = ["hkid-bulk"]
hosts = ["sh-*.trans.dingtalk.com"]
expires = "2099-01-01T00:00:00Z"
reason = "storage migration"

[[exceptions]]
name = "bob-expired"
users = ["bob"]
expires = "2020-01-01"
reason = "old project"

[[exceptions]]
name = "carol-short"
users = ["carol"]
expires = "2026-06-30"
reason = "one-off"
`

func compileTOML(t testing.TB, text string) *Policy {
	t.Helper()
	var spec Spec
	md, err := toml.Decode(text, &spec)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("undecoded keys %v", u)
	}
	p, err := Compile(spec)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return p
}

func hkid(n int) classifiers.Finding {
	return classifiers.Finding{Classifier: classifiers.HKID, Count: n, Confidence: classifiers.High,
		Samples: []classifiers.Sample{{Masked: "A12****(3)"}}}
}

func finding(name string, n int, c classifiers.Confidence) classifiers.Finding {
	return classifiers.Finding{Classifier: name, Count: n, Confidence: c}
}

func uninspectable(signals ...string) classifiers.Finding {
	return classifiers.Finding{Classifier: classifiers.Uninspectable, Count: len(signals), Confidence: classifiers.High, Signals: signals}
}

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestEvaluate(t *testing.T) {
	p := compileTOML(t, testAUP)
	robot := Request{Host: "oapi.dingtalk.com", Path: "/robot/send", Method: "POST", Endpoint: "robot", Time: now}
	api := Request{Host: "oapi.dingtalk.com", Path: "/media/upload", Method: "POST", Endpoint: "api", Time: now}
	web := Request{Host: "im.dingtalk.com", Method: "POST", Endpoint: "web", Time: now}
	files := Request{Host: "zjk-dualstack.trans.dingtalk.com", Method: "PUT", Endpoint: "files", Time: now}
	with := func(r Request, f func(*Request)) Request { f(&r); return r }
	med := classifiers.Medical
	fin := classifiers.FinancialStatement

	tests := []struct {
		name       string
		in         Input
		action     Action
		rule       string
		reason     string // exact when set
		exception  string
		wouldBlock bool
		explain    []string // exact when set
		severity   string
	}{
		{name: "nothing found", in: Input{Request: api}, action: Allow},
		{name: "hkid 1 logs", in: Input{Request: api, Findings: []classifiers.Finding{hkid(1)}},
			action: Log, rule: "hkid-single", reason: "hkid count 1 in 1..2", severity: "medium"},
		{name: "hkid 2 logs (max_count inclusive)", in: Input{Request: api, Findings: []classifiers.Finding{hkid(2)}},
			action: Log, rule: "hkid-single"},
		{name: "hkid 3 blocks (min_count inclusive)", in: Input{Request: api, Findings: []classifiers.Finding{hkid(3)}},
			action: Block, rule: "hkid-bulk", reason: "hkid count 3 >= 3", explain: []string{"hkid-bulk: hkid count 3 >= 3 -> block"}},
		{name: "hkid 4 blocks, hkid-single out of range", in: Input{Request: api, Findings: []classifiers.Finding{hkid(4)}},
			action: Block, rule: "hkid-bulk", reason: "hkid count 4 >= 3"},
		{name: "strongest action wins and every match is explained",
			in:     Input{Request: api, Findings: []classifiers.Finding{hkid(1), finding(fin, 1, classifiers.High)}},
			action: Block, rule: "financial-statement",
			explain: []string{"financial-statement: financial_statement count 1 >= 1 -> block", "hkid-single: hkid count 1 in 1..2 -> log"}},
		{name: "medical below min_confidence allowed", in: Input{Request: api, Findings: []classifiers.Finding{finding(med, 1, classifiers.Low)}},
			action: Allow},
		{name: "medical at min_confidence blocks", in: Input{Request: api, Findings: []classifiers.Finding{finding(med, 1, classifiers.Medium)}},
			action: Block, rule: "medical-record", reason: "medical count 1 >= 1, confidence medium >= medium"},
		{name: "endpoint and method filter: robot POST low-confidence medical blocks",
			in:     Input{Request: robot, Findings: []classifiers.Finding{finding(med, 1, classifiers.Low)}},
			action: Block, rule: "robot-post-medical"},
		{name: "method filter: robot GET not matched",
			in:     Input{Request: with(robot, func(r *Request) { r.Method = "GET" }), Findings: []classifiers.Finding{finding(med, 1, classifiers.Low)}},
			action: Allow},
		{name: "method filter is case-insensitive",
			in:     Input{Request: with(robot, func(r *Request) { r.Method = "post" }), Findings: []classifiers.Finding{finding(med, 1, classifiers.Low)}},
			action: Block, rule: "robot-post-medical"},
		{name: "match any: one condition suffices",
			in:     Input{Request: web, Findings: []classifiers.Finding{finding(med, 1, classifiers.Low)}},
			action: Log, rule: "web-either", reason: "medical count 1 >= 1, confidence low >= low"},
		{name: "match any: no condition holds",
			in:     Input{Request: web, Findings: []classifiers.Finding{{Classifier: classifiers.HKID, Count: 1, Confidence: classifiers.Low}}},
			action: Log, rule: "hkid-single", explain: []string{"hkid-single: hkid count 1 in 1..2 -> log"}},
		{name: "match all: one condition is not enough",
			in:     Input{Request: files, Findings: []classifiers.Finding{finding(med, 1, classifiers.Low)}},
			action: Allow},
		{name: "match all: both hold",
			in:     Input{Request: files, Findings: []classifiers.Finding{hkid(1), finding(med, 1, classifiers.Low)}},
			action: Block, rule: "files-both", reason: "hkid count 1 >= 1 and medical count 1 >= 1"},
		{name: "allow rule overrides only the rules it names",
			in:     Input{Request: with(robot, func(r *Request) { r.Method = "PUT" }), Findings: []classifiers.Finding{hkid(5)}},
			action: Allow, rule: "hkid-bulk", reason: "hkid count 5 >= 3; overridden by allow rule hr-robot"},
		{name: "allow rule does not silence other rules",
			in:     Input{Request: with(robot, func(r *Request) { r.Method = "PUT" }), Findings: []classifiers.Finding{hkid(5), finding(fin, 1, classifiers.High)}},
			action: Block, rule: "financial-statement"},
		{name: "exception by user", in: Input{Request: with(api, func(r *Request) { r.User = "Alice" }), Findings: []classifiers.Finding{hkid(4)}},
			action: Allow, rule: "hkid-bulk", exception: "payroll-alice", reason: "hkid count 4 >= 3; excepted by payroll-alice",
			explain: []string{"hkid-bulk: hkid count 4 >= 3 -> block, excepted by payroll-alice (until 2099-12-31)"}},
		{name: "exception covers only the rules it names",
			in:     Input{Request: with(api, func(r *Request) { r.User = "alice" }), Findings: []classifiers.Finding{hkid(4), finding(fin, 1, classifiers.High)}},
			action: Block, rule: "financial-statement"},
		{name: "exception by user does not cover others", in: Input{Request: with(api, func(r *Request) { r.User = "mallory" }), Findings: []classifiers.Finding{hkid(4)}},
			action: Block, rule: "hkid-bulk"},
		{name: "exception by group", in: Input{Request: with(api, func(r *Request) { r.Groups = []string{"staff", "finance"} }), Findings: []classifiers.Finding{finding(fin, 1, classifiers.High)}},
			action: Allow, rule: "financial-statement", exception: "finance-group"},
		{name: "exception by client CIDR", in: Input{Request: with(api, func(r *Request) { r.ClientIP = netip.MustParseAddr("10.1.200.3") }), Findings: []classifiers.Finding{finding(med, 1, classifiers.High)}},
			action: Allow, exception: "clinic-subnet"},
		{name: "exception by client address (IPv4-mapped)", in: Input{Request: with(api, func(r *Request) { r.ClientIP = netip.MustParseAddr("::ffff:192.0.2.7") }), Findings: []classifiers.Finding{finding(med, 1, classifiers.High)}},
			action: Allow, exception: "clinic-subnet"},
		{name: "exception client outside CIDR", in: Input{Request: with(api, func(r *Request) { r.ClientIP = netip.MustParseAddr("10.2.0.1") }), Findings: []classifiers.Finding{finding(med, 1, classifiers.High)}},
			action: Block, rule: "medical-record"},
		{name: "exception by host glob", in: Input{Request: with(files, func(r *Request) { r.Host = "sh-dualstack.trans.dingtalk.com" }), Findings: []classifiers.Finding{hkid(4)}},
			action: Allow, exception: "files-host"},
		{name: "exception host glob not matching", in: Input{Request: files, Findings: []classifiers.Finding{hkid(4)}},
			action: Block, rule: "hkid-bulk"},
		{name: "expired exception ignored", in: Input{Request: with(api, func(r *Request) { r.User = "bob" }), Findings: []classifiers.Finding{hkid(4)}},
			action: Block, rule: "hkid-bulk"},
		{name: "exception ends after its RFC 3339 instant", in: Input{Request: with(files, func(r *Request) {
			r.Host = "sh-dualstack.trans.dingtalk.com"
			r.Time = time.Date(2099, 1, 1, 0, 0, 1, 0, time.UTC)
		}), Findings: []classifiers.Finding{hkid(4)}},
			action: Block, rule: "hkid-bulk"},
		{name: "date expiry is inclusive (last day)", in: Input{Request: with(api, func(r *Request) {
			r.User = "carol"
			r.Time = time.Date(2026, 6, 30, 23, 59, 0, 0, time.Local)
		}), Findings: []classifiers.Finding{hkid(4)}},
			action: Allow, exception: "carol-short"},
		{name: "date expiry ends at midnight after", in: Input{Request: with(api, func(r *Request) {
			r.User = "carol"
			r.Time = time.Date(2026, 7, 1, 0, 0, 1, 0, time.Local)
		}), Findings: []classifiers.Finding{hkid(4)}},
			action: Block, rule: "hkid-bulk"},
		{name: "exception without rules covers every rule",
			in: Input{Request: with(api, func(r *Request) {
				r.User = "carol"
				r.Time = time.Date(2026, 6, 1, 0, 0, 0, 0, time.Local)
			}), Findings: []classifiers.Finding{hkid(4), finding(fin, 1, classifiers.High)}, Failures: []string{"malformed: body: unexpected EOF"}},
			action: Allow, exception: "carol-short"},
		{name: "fail closed blocks", in: Input{Request: api, Failures: []string{"malformed: body: unexpected EOF", "limit: body/a.zip: too many entries"},
			Findings: []classifiers.Finding{uninspectable("limit: body/a.zip: too many entries", "malformed: body: unexpected EOF")}},
			action: Block, rule: RuleFailClosed, reason: "inspection failed: malformed: body: unexpected EOF (and 1 more)",
			explain: []string{"fail-closed: inspection failed: malformed: body: unexpected EOF (and 1 more) -> block"}},
		{name: "content rule named before fail-closed on a tie", in: Input{Request: api, Failures: []string{"malformed: body: x"}, Findings: []classifiers.Finding{hkid(3)}},
			action: Block, rule: "hkid-bulk"},
		{name: "oversize blocks", in: Input{Request: api, Oversize: true},
			action: Block, rule: RuleOversize, reason: "body larger than max_inspect_bytes (1000 bytes) was not inspected"},
		{name: "encrypted part logged by its rule", in: Input{Request: api, Findings: []classifiers.Finding{uninspectable("encrypted: body/a.zip: password")}},
			action: Log, rule: "encrypted", reason: "uninspectable encrypted count 1 >= 1", explain: []string{"encrypted: uninspectable encrypted count 1 >= 1 -> log"}},
		{name: "unsupported part allowed by its rule", in: Input{Request: api, Findings: []classifiers.Finding{uninspectable("unsupported: body/cat.png: image")}},
			action: Allow, rule: "unsupported-media"},
		{name: "unreadable image (ocr) is not unsupported media: uninspectable_action logs it",
			in:     Input{Request: api, Findings: []classifiers.Finding{uninspectable("ocr: body/id.png: no OCR engine")}},
			action: Log, rule: RuleUninspectable, reason: "1 uninspectable part(s) (ocr) not matched by a rule"},
		{name: "uninspectable not matched by a rule takes uninspectable_action",
			in:     Input{Request: api, Findings: []classifiers.Finding{uninspectable("limit: body/x: time budget", "unsupported: body/cat.png: image")}},
			action: Log, rule: RuleUninspectable, reason: "1 uninspectable part(s) (limit) not matched by a rule"},
		{name: "monitor mode never blocks", in: Input{Request: api, Findings: []classifiers.Finding{hkid(4)}},
			action: Log, wouldBlock: true, rule: "hkid-bulk"},
	}
	monitor := compileTOML(t, strings.Replace(testAUP, `mode = "enforce"`, `mode = "monitor"`, 1))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := p
			if strings.HasPrefix(tt.name, "monitor") {
				pol = monitor
			}
			in := tt.in
			d := pol.Evaluate(&in)
			if d.Action != tt.action || d.WouldBlock != tt.wouldBlock {
				t.Fatalf("action %s would_block %v, want %s %v (%+v)", d.Action, d.WouldBlock, tt.action, tt.wouldBlock, d)
			}
			if tt.rule != "" && d.Rule != tt.rule {
				t.Errorf("rule %q, want %q (%+v)", d.Rule, tt.rule, d)
			}
			if tt.reason != "" && d.Reason != tt.reason {
				t.Errorf("reason %q, want %q", d.Reason, tt.reason)
			}
			if d.Exception != tt.exception {
				t.Errorf("exception %q, want %q", d.Exception, tt.exception)
			}
			if tt.explain != nil && !slices.Equal(d.Explain, tt.explain) {
				t.Errorf("explain %q, want %q", d.Explain, tt.explain)
			}
			if tt.severity != "" && d.Severity != tt.severity {
				t.Errorf("severity %q, want %q", d.Severity, tt.severity)
			}
			if d.PolicyVersion != pol.Version() || len(d.PolicyVersion) != 12 {
				t.Errorf("policy version %q, want %q", d.PolicyVersion, pol.Version())
			}
			if strings.Contains(d.Reason+strings.Join(d.Explain, ""), "A12") {
				t.Errorf("decision leaks a sample: %+v", d)
			}
		})
	}
}

func TestEvaluateFailOpenAndActions(t *testing.T) {
	text := strings.NewReplacer(`fail_mode = "closed"`, `fail_mode = "open"`,
		`oversize_action = "block"`, `oversize_action = "log"`,
		`uninspectable_action = "log"`, `uninspectable_action = "block"`).Replace(testAUP)
	p := compileTOML(t, text)
	req := Request{Host: "oapi.dingtalk.com", Endpoint: "api", Time: now}
	tests := []struct {
		name   string
		in     Input
		action Action
		rule   string
	}{
		{"fail open logs", Input{Request: req, Failures: []string{"malformed: body: x"}, Findings: []classifiers.Finding{uninspectable("malformed: body: x")}}, Log, RuleFailOpen},
		{"oversize_action log", Input{Request: req, Oversize: true}, Log, RuleOversize},
		{"uninspectable_action block", Input{Request: req, Findings: []classifiers.Finding{uninspectable("limit: body: depth")}}, Block, RuleUninspectable},
		{"encrypted still logged by its rule", Input{Request: req, Findings: []classifiers.Finding{uninspectable("encrypted: body: x")}}, Log, "encrypted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Evaluate(&tt.in)
			if d.Action != tt.action || d.Rule != tt.rule {
				t.Fatalf("got %s by %q, want %s by %q (%+v)", d.Action, d.Rule, tt.action, tt.rule, d)
			}
		})
	}
}

func TestScopeAndEndpointFor(t *testing.T) {
	p := compileTOML(t, testAUP+`
[[endpoints]]
name = "robot-blocked"
hosts = ["oapi.dingtalk.io"]
paths = ["/robot/*"]
action = "block"

[[endpoints]]
name = "legacy-io"
hosts = ["oapi.dingtalk.io"]
action = "tunnel"
`)
	scope := []struct{ host, endpoint, action string }{
		{"oapi.dingtalk.com", "api", "inspect"},
		{"OAPI.DingTalk.com.", "api", "inspect"},
		{"oapi.dingtalk.com:443", "api", "inspect"},
		{"[2001:db8::1]:443", "", "tunnel"},
		{"2001:db8::1", "", "tunnel"},
		{"sh-dualstack.trans.dingtalk.com", "files", "inspect"},
		{"im.dingtalk.com", "web", "inspect"},
		{"webalfa-cm3.dingtalk.com", "desktop-long", "tunnel"},
		{"a.b.dingtalk.com", "web", "inspect"},
		{"dingtalk.com", "", "tunnel"},
		{"example.com", "", "tunnel"},
		{"x.pastebin.example", "banned", "block"},
		// A path-scoped endpoint wants something else than the host-wide
		// tunnel: the host must be inspected to see paths.
		{"oapi.dingtalk.io", "legacy-io", "inspect"},
	}
	for _, tt := range scope {
		if e, a := p.Scope(tt.host); e != tt.endpoint || a != tt.action {
			t.Errorf("Scope(%q) = %q %q, want %q %q", tt.host, e, a, tt.endpoint, tt.action)
		}
	}
	route := []struct{ host, path, endpoint, action string }{
		{"oapi.dingtalk.com", "/robot/send", "robot", "inspect"},
		{"oapi.dingtalk.com", "/robot/sendBySession?access_token=x", "robot", "inspect"},
		{"oapi.dingtalk.com", "/robot/send/extra", "api", "inspect"},
		{"api.dingtalk.com", "/v1.0/robot/groupMessages/send", "robot", "inspect"},
		{"oapi.dingtalk.com", "/media/upload", "api", "inspect"},
		{"oapi.dingtalk.com", "", "api", "inspect"},
		{"sh-dualstack.trans.dingtalk.com", "/any/thing", "files", "inspect"},
		{"oapi.dingtalk.io", "/robot/send", "robot-blocked", "block"},
		{"oapi.dingtalk.io", "/gettoken", "legacy-io", "tunnel"},
		{"example.com", "/robot/send", "", "tunnel"},
	}
	for _, tt := range route {
		if e, a := p.Route(tt.host, tt.path); e != tt.endpoint || a != tt.action {
			t.Errorf("Route(%q, %q) = %q %q, want %q %q", tt.host, tt.path, e, a, tt.endpoint, tt.action)
		}
		if e := p.EndpointFor(tt.host, tt.path); e != tt.endpoint {
			t.Errorf("EndpointFor(%q, %q) = %q, want %q", tt.host, tt.path, e, tt.endpoint)
		}
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pat, s string
		host   bool
		want   bool
	}{
		{"*.dingtalk.com", "a.dingtalk.com", true, true},
		{"*.dingtalk.com", "a.b.dingtalk.com", true, true},
		{"*.dingtalk.com", "dingtalk.com", true, false},
		{"*.oss-*.aliyuncs.com", "b.oss-cn-hongkong.aliyuncs.com", true, true},
		{"oapi.dingtalk.co?", "oapi.dingtalk.com", true, true},
		{"/robot/*", "/robot/send", false, true},
		{"/robot/*", "/robot/send/x", false, false},
		{"/robot/*", "/robot/", false, true},
		{"/v1.0/robot/**", "/v1.0/robot/groupMessages/send", false, true},
		{"/v1.0/**/send", "/v1.0/robot/groupMessages/send", false, true},
		{"/file/upload/?", "/file/upload/x", false, true},
		{"/file/upload/?", "/file/upload/", false, false},
	}
	for _, tt := range tests {
		var g glob
		var err error
		if tt.host {
			g, err = compileHostGlob(tt.pat)
		} else {
			g, err = compilePathGlob(tt.pat)
		}
		if err != nil {
			t.Fatalf("%q: %v", tt.pat, err)
		}
		if got := g.match(tt.s); got != tt.want {
			t.Errorf("%q match %q = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	base := func() Spec {
		var s Spec
		if _, err := toml.Decode(testAUP, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name   string
		mutate func(*Spec)
		path   string
		msg    string
	}{
		{"bad mode", func(s *Spec) { s.Global.Mode = "audit" }, "global.mode", `"audit" is not one of "enforce" or "monitor"`},
		{"bad fail mode", func(s *Spec) { s.Global.FailMode = "half" }, "global.fail_mode", "is not one of"},
		{"negative max_inspect_bytes", func(s *Spec) { s.Global.MaxInspectBytes = -1 }, "global.max_inspect_bytes", "negative"},
		{"bad oversize action", func(s *Spec) { s.Global.OversizeAction = "drop" }, "global.oversize_action", "is not one of"},
		{"bad uninspectable action", func(s *Spec) { s.Global.UninspectableAction = "drop" }, "global.uninspectable_action", "is not one of"},
		{"endpoint without name", func(s *Spec) { s.Endpoints[1].Name = "" }, "endpoints[1]", "needs a name"},
		{"duplicate endpoint", func(s *Spec) { s.Endpoints[2].Name = "robot" }, "endpoints[2].name", `duplicate endpoint name "robot"`},
		{"endpoint without hosts", func(s *Spec) { s.Endpoints[2].Hosts = nil }, "endpoints[2]", "needs hosts"},
		{"bad host glob", func(s *Spec) { s.Endpoints[0].Hosts[1] = "https://api.dingtalk.com/" }, "endpoints[0].hosts[1]", "bad host glob"},
		{"bad path glob", func(s *Spec) { s.Endpoints[0].Paths[0] = "robot/[a-z]" }, "endpoints[0].paths[0]", "bad path glob"},
		{"bad endpoint action", func(s *Spec) { s.Endpoints[0].Action = "mitm" }, "endpoints[0].action", "is not one of"},
		{"rule without name", func(s *Spec) { s.Rules[0].Name = "" }, "rules[0]", "needs a name"},
		{"duplicate rule", func(s *Spec) { s.Rules[3].Name = "hkid-bulk" }, "rules[3].name", `duplicate rule name "hkid-bulk" (also rules[1])`},
		{"reserved rule name", func(s *Spec) { s.Rules[3].Name = "fail-closed" }, "rules[3].name", "reserved"},
		{"unknown endpoint", func(s *Spec) { s.Rules[6].Endpoints = []string{"robots"} }, "rules[6].endpoints[0]", `unknown endpoint "robots"`},
		{"bad method", func(s *Spec) { s.Rules[6].Methods = []string{"PO ST"} }, "rules[6].methods[0]", "bad HTTP method"},
		{"bad match", func(s *Spec) { s.Rules[7].Match = "some" }, "rules[7].match", "is not one of"},
		{"missing action", func(s *Spec) { s.Rules[0].Action = "" }, "rules[0]", "needs an action"},
		{"bad action", func(s *Spec) { s.Rules[0].Action = "deny" }, "rules[0].action", "is not one of"},
		{"bad severity", func(s *Spec) { s.Rules[0].Severity = "severe" }, "rules[0].severity", "is not one of"},
		{"unknown classifier", func(s *Spec) { s.Rules[1].Conditions[0].Classifier = "hkidd" }, "rules[1].conditions[0].classifier", `unknown classifier "hkidd"`},
		{"condition without classifier", func(s *Spec) { s.Rules[1].Conditions[0].Classifier = "" }, "rules[1].conditions[0]", "needs a classifier"},
		{"negative min_count", func(s *Spec) { s.Rules[1].Conditions[0].MinCount = -1 }, "rules[1].conditions[0].min_count", "negative"},
		{"min_count above max_count", func(s *Spec) { s.Rules[3].Conditions[0].MinCount = 3 }, "rules[3].conditions[0].max_count", "below min_count 3"},
		{"bad confidence", func(s *Spec) { s.Rules[2].Conditions[0].MinConfidence = "certain" }, "rules[2].conditions[0].min_confidence", "unknown confidence"},
		{"reasons on a classifier", func(s *Spec) { s.Rules[1].Conditions[0].Reasons = []string{"encrypted"} }, "rules[1].conditions[0].reasons", "apply only to"},
		{"unknown reason", func(s *Spec) { s.Rules[4].Conditions[0].Reasons = []string{"password"} }, "rules[4].conditions[0].reasons[0]", `unknown reason "password"`},
		{"override by a block rule", func(s *Spec) { s.Rules[0].Overrides = []string{"hkid-bulk"} }, "rules[0].overrides", "only an allow rule"},
		{"override of an unknown rule", func(s *Spec) { s.Rules[9].Overrides = []string{"nope"} }, "rules[9].overrides[0]", `unknown rule "nope"`},
		{"contradictory rules", func(s *Spec) {
			s.Rules = append(s.Rules, RuleSpec{Name: "hkid-bulk-log", Conditions: []ConditionSpec{{Classifier: "hkid", MinCount: 3}}, Action: "log"})
		}, "rules[10]", `contradicts rule "hkid-bulk"`},
		{"exception without name", func(s *Spec) { s.Exceptions[0].Name = "" }, "exceptions[0]", "needs a name"},
		{"duplicate exception", func(s *Spec) { s.Exceptions[1].Name = "payroll-alice" }, "exceptions[1].name", "duplicate exception"},
		{"exception names unknown rule", func(s *Spec) { s.Exceptions[0].Rules = []string{"hkid-bulky"} }, "exceptions[0].rules[0]", `unknown rule "hkid-bulky"`},
		{"bad CIDR", func(s *Spec) { s.Exceptions[2].Clients[0] = "10.1.0.0/33" }, "exceptions[2].clients[0]", `bad CIDR "10.1.0.0/33"`},
		{"CIDR with host bits", func(s *Spec) { s.Exceptions[2].Clients[0] = "10.1.2.3/16" }, "exceptions[2].clients[0]", "did you mean 10.1.0.0/16"},
		{"bad exception host", func(s *Spec) { s.Exceptions[3].Hosts[0] = "a b" }, "exceptions[3].hosts[0]", "bad host glob"},
		{"bad date", func(s *Spec) { s.Exceptions[0].Expires = "31/12/2099" }, "exceptions[0].expires", `bad date "31/12/2099"`},
		{"missing expires", func(s *Spec) { s.Exceptions[0].Expires = "" }, "exceptions[0]", "needs expires"},
		{"missing reason", func(s *Spec) { s.Exceptions[0].Reason = " " }, "exceptions[0]", "needs a reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.mutate(&s)
			_, err := Compile(s)
			if err == nil {
				t.Fatal("no error")
			}
			var found bool
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var fe *FieldError
				if errors.As(e, &fe) && fe.Path == tt.path && strings.Contains(fe.Msg, tt.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("want %s: ...%s..., got:\n%v", tt.path, tt.msg, err)
			}
		})
	}
	if _, err := Compile(base()); err != nil {
		t.Fatalf("base policy: %v", err)
	}
}

func TestVersion(t *testing.T) {
	a := compileTOML(t, testAUP)
	b := compileTOML(t, "# a comment changes nothing\n"+testAUP)
	c := compileTOML(t, strings.Replace(testAUP, "min_count = 3", "min_count = 4", 1))
	if a.Version() != b.Version() {
		t.Errorf("comment changed the version: %s vs %s", a.Version(), b.Version())
	}
	if a.Version() == c.Version() {
		t.Errorf("a threshold change kept the version %s", a.Version())
	}
}

func TestWarnings(t *testing.T) {
	p := compileTOML(t, testAUP)
	var w []string
	for _, x := range p.Warnings(now) {
		if strings.Contains(x, "exceptions[") {
			w = append(w, x)
		}
	}
	if len(w) != 1 || !strings.Contains(w[0], `"bob-expired" expired on 2020-01-01`) {
		t.Errorf("warnings %q", w)
	}
}

func TestWarningsWildcardWithoutApex(t *testing.T) {
	p := compileTOML(t, `
[[endpoints]]
name = "web"
hosts = ["*.dingtalk.com", "*.trans.dingtalk.com", "*.dingtalkapps.com", "dingtalkapps.com"]
action = "inspect"
`)
	w := p.Warnings(now)
	// *.trans.dingtalk.com's apex is covered by *.dingtalk.com; dingtalkapps.com is listed.
	if len(w) != 1 || !strings.Contains(w[0], `"*.dingtalk.com" matches subdomains only`) || !strings.Contains(w[0], `apex "dingtalk.com"`) {
		t.Errorf("warnings %q", w)
	}
	p = compileTOML(t, `
[[endpoints]]
name = "web"
hosts = ["*.dingtalk.com", "dingtalk.com"]
action = "inspect"
`)
	if w := p.Warnings(now); len(w) != 0 {
		t.Errorf("apex listed, still warned: %q", w)
	}
}
