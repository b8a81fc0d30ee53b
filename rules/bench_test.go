package rules

import (
	"fmt"
	"testing"

	"github.com/dlpgate/dlpgate/classifiers"
)

// policy100 is 100 rules over four endpoints and three classifiers, none of
// which matches the no-match findings, plus one that matches a financial
// statement on the api endpoint.
func policy100(tb testing.TB) *Policy {
	spec := Spec{Global: Global{Mode: "enforce", FailMode: "closed"}}
	eps := []string{"robot", "api", "files", "web"}
	for _, e := range eps {
		spec.Endpoints = append(spec.Endpoints, EndpointSpec{Name: e, Hosts: []string{e + ".dingtalk.com"}, Action: "inspect"})
	}
	names := []string{classifiers.HKID, classifiers.Medical, classifiers.FinancialStatement}
	for i := range 99 {
		spec.Rules = append(spec.Rules, RuleSpec{
			Name:      fmt.Sprintf("r%02d", i),
			Endpoints: []string{eps[i%len(eps)]},
			Methods:   []string{"POST", "PUT"},
			Match:     []string{"all", "any"}[i%2],
			Conditions: []ConditionSpec{
				{Classifier: names[i%3], MinCount: 5 + i, MinConfidence: "medium"},
				{Classifier: names[(i+1)%3], MinCount: 3, MaxCount: 200, MinConfidence: "high"},
			},
			Action:   []string{"block", "log"}[i%2],
			Severity: "high",
		})
	}
	spec.Rules = append(spec.Rules, RuleSpec{
		Name: "fin-api", Endpoints: []string{"api"},
		Conditions: []ConditionSpec{{Classifier: classifiers.FinancialStatement, MinCount: 1}},
		Action:     "block", Severity: "high",
	})
	p, err := Compile(spec)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func BenchmarkEvaluate100Rules(b *testing.B) {
	p := policy100(b)
	req := Request{Host: "api.dingtalk.com", Method: "POST", Path: "/media/upload", Endpoint: "api"}
	noMatch := &Input{Request: req, Findings: []classifiers.Finding{
		{Classifier: classifiers.HKID, Count: 2, Confidence: classifiers.High},
		{Classifier: classifiers.Medical, Count: 1, Confidence: classifiers.Low},
	}}
	oneMatch := &Input{Request: req, Findings: []classifiers.Finding{
		{Classifier: classifiers.HKID, Count: 2, Confidence: classifiers.High},
		{Classifier: classifiers.FinancialStatement, Count: 1, Confidence: classifiers.High},
	}}
	if d := p.Evaluate(noMatch); d.Action != Allow || len(d.Explain) != 0 {
		b.Fatalf("no-match input matched: %+v", d)
	}
	if d := p.Evaluate(oneMatch); d.Action != Block || len(d.Explain) != 1 {
		b.Fatalf("one-match input: %+v", d)
	}
	b.Run("no-match", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p.Evaluate(noMatch)
		}
	})
	b.Run("one-match", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p.Evaluate(oneMatch)
		}
	})
}

// TestEvaluateNoMatchDoesNotAllocate pins the benchmark's 0 allocs/op.
func TestEvaluateNoMatchDoesNotAllocate(t *testing.T) {
	p := policy100(t)
	in := &Input{Request: Request{Endpoint: "api", Method: "POST"}, Findings: []classifiers.Finding{
		{Classifier: classifiers.HKID, Count: 2, Confidence: classifiers.High},
	}}
	if n := testing.AllocsPerRun(100, func() { p.Evaluate(in) }); n != 0 {
		t.Errorf("Evaluate with no matching rule: %v allocs, want 0", n)
	}
}

func BenchmarkRoute(b *testing.B) {
	p := compileTOML(b, testAUP)
	b.ReportAllocs()
	for b.Loop() {
		p.Route("oapi.dingtalk.com", "/robot/send")
	}
}

// TestRouteDoesNotAllocate: the proxy calls Scope and Route on every
// connection and request.
func TestRouteDoesNotAllocate(t *testing.T) {
	p := compileTOML(t, testAUP)
	if n := testing.AllocsPerRun(100, func() {
		p.Route("sh-dualstack.trans.dingtalk.com", "/x?y=1")
		p.Scope("oapi.dingtalk.com:443")
	}); n != 0 {
		t.Errorf("%v allocs, want 0", n)
	}
	host := []byte("[2001:db8::1]:443")
	if got := normHost(string(host)); got != "2001:db8::1" {
		t.Errorf("normHost = %q", got)
	}
}
