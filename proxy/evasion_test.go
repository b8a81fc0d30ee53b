package proxy

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/dlpgate/dlpgate/audit"
	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/classifiers/edm"
	"github.com/dlpgate/dlpgate/config"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

// basicUser names the user from Basic proxy credentials (any password).
func basicUser(proxyAuth string, _ netip.Addr) (string, []string, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(proxyAuth, "Basic "))
	if err != nil {
		return "", nil, nil
	}
	user, _, _ := strings.Cut(string(b), ":")
	return user, nil, nil
}

// userClient is h.client() authenticating to the proxy as user.
func (h *harness) userClient(user string) *http.Client {
	pool := h.ca.Pool()
	pool.AddCert(h.upCA.Cert)
	pu := h.proxyURL()
	pu.User = url.UserPassword(user, "x")
	tr := &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: &tls.Config{RootCAs: pool}}
	h.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

func defaultPolicy(t *testing.T) *rules.Policy {
	t.Helper()
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := rules.Compile(cfg.Policy)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

// eventsFor returns the events recorded for requests carrying body.
func eventsWith(evs []audit.Event, action string) []audit.Event {
	var out []audit.Event
	for _, e := range evs {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// A list sent one or two HKIDs at a time: the 10th distinct number from
// one user within the hour is blocked by identifier-drip (real classifiers,
// default policy), even across a policy reload; another user's numbers do
// not add up; the stand-in never sees the blocked message and the audit
// has exactly one block event for it.
func TestDripExfiltrationThroughProxy(t *testing.T) {
	set := classifiers.NewDefault()
	windows := rules.NewWindows(0, 0)
	var cur atomic.Pointer[inspect.Engine]
	cur.Store(&inspect.Engine{Policy: defaultPolicy(t), Classifiers: set, Windows: windows})
	h := newHarness(t, harnessConfig{classifiers: set, opts: func(o *Options) {
		o.Engine = cur.Load
		o.Identify = basicUser
	}})
	alice, bob := h.userClient("alice"), h.userClient("bob")
	post := func(c *http.Client, text string) int {
		t.Helper()
		resp, err := c.Post(robotURL, "application/json", bytes.NewReader(robotJSON(text)))
		if err != nil {
			t.Fatal(err)
		}
		readDingErrOrReply(resp)
		return resp.StatusCode
	}
	// Nine distinct numbers in six messages (one repeats an earlier one).
	msgs := [][]int{{0, 1}, {2}, {3, 1}, {4, 5}, {6}, {7, 8}}
	for i, m := range msgs {
		var parts []string
		for _, n := range m {
			parts = append(parts, "客戶身份證 "+testgen.HKID(n))
		}
		if st := post(alice, strings.Join(parts, "；")); st != http.StatusOK {
			t.Fatalf("message %d: status %d, want 200", i, st)
		}
		if i == 2 {
			// Bob sends five numbers of his own in between.
			for n := 100; n < 105; n++ {
				if st := post(bob, "HKID "+testgen.HKID(n)); st != http.StatusOK {
					t.Fatalf("bob: status %d", st)
				}
			}
		}
	}
	// A reload: a new engine with a freshly compiled policy, same store.
	cur.Store(&inspect.Engine{Policy: defaultPolicy(t), Classifiers: classifiers.NewDefault(), Windows: windows})
	seen := len(h.up.requests())
	before := len(h.rec.events())
	last := "HKID " + testgen.HKID(9)
	resp, err := alice.Post(robotURL, "application/json", bytes.NewReader(robotJSON(last)))
	if err != nil {
		t.Fatal(err)
	}
	e := readDingErr(t, resp)
	if resp.StatusCode != http.StatusForbidden || e.Errcode != codePolicy {
		t.Fatalf("10th distinct HKID: status %d %+v, want 403 block", resp.StatusCode, e)
	}
	if got := h.up.requests(); len(got) != seen {
		t.Fatalf("stand-in saw %d requests after the block, want none", len(got)-seen)
	}
	for _, r := range h.up.requests() {
		if r.SHA256 == sha(robotJSON(last)) {
			t.Fatal("stand-in received the blocked message")
		}
	}
	evs := h.rec.events()[before:]
	if len(evs) != 1 || evs[0].Action != "block" || evs[0].Rule != "identifier-drip" || evs[0].User != "alice" {
		t.Fatalf("events for the blocked message: %+v", evs)
	}
	if !strings.Contains(evs[0].RuleReason, "hkid count 10 >= 10 within 1h0m0s from one user") {
		t.Errorf("reason %q", evs[0].RuleReason)
	}
	// Bob (five numbers) is still allowed one more.
	if st := post(bob, "HKID "+testgen.HKID(105)); st != http.StatusOK {
		t.Fatalf("bob after alice's block: status %d", st)
	}
}

func readDingErrOrReply(resp *http.Response) {
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	resp.Body.Close()
}

// Evasions of the HKID and medical classifiers that normalisation and the
// separator-tolerant scanner read: each body is blocked by the default
// policy with real classifiers, the stand-in sees nothing of it and the
// audit has exactly one block event.
func TestNormalisedEvasionsThroughProxy(t *testing.T) {
	three := func(form func(id string) string) string {
		var lines []string
		for n := 20; n < 23; n++ {
			lines = append(lines, "Customer "+string(rune('A'+n-20))+": "+form(testgen.HKID(n)))
		}
		return strings.Join(lines, "\n")
	}
	zwAfterHan := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			b.WriteRune(r)
			if unicode.Is(unicode.Han, r) {
				b.WriteString("\u200b")
			}
		}
		return b.String()
	}
	cases := []struct {
		name, text, rule string
	}{
		{"zero-width inside", three(func(id string) string { return id[:2] + "\u200b" + id[2:5] + "\u2060" + id[5:] }), "hkid-bulk"},
		{"soft hyphens", three(func(id string) string { return id[:4] + "\u00ad" + id[4:] }), "hkid-bulk"},
		{"markdown bold", three(func(id string) string { return id[:3] + "**" + id[3:7] + "**" + id[7:] }), "hkid-bulk"},
		{"full width", three(func(id string) string { return fullWidth(id) }), "hkid-bulk"},
		{"spaced groups", three(func(id string) string { return id[:1] + " " + id[1:4] + " " + id[4:7] + " " + id[7:] }), "hkid-bulk"},
		{"hyphenated", three(func(id string) string { return id[:1] + "-" + id[1:7] + "-" + id[8:9] }), "hkid-bulk"},
		{"inline code", three(func(id string) string { return "`" + id + "`" }), "hkid-bulk"},
		{"digit by digit", three(func(id string) string { return strings.Join(strings.Split(id[:7], ""), " ") + " " + id[7:] }), "hkid-bulk"},
		{"check digit in the next column", three(func(id string) string { return id[:7] + "," + id[8:9] + ",HK" }), "hkid-bulk"},
		{"medical record, zero-width after each Han", zwAfterHan("出院小結\n病人姓名：陳大文\n診斷：心房顫動；高血壓\n出院藥物：Warfarin 3mg 每日一次"), "medical-record"},
	}
	h := newHarness(t, harnessConfig{classifiers: classifiers.NewDefault()})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seen := len(h.up.requests())
			before := len(h.rec.events())
			body := robotJSON(c.text)
			resp, err := h.client().Post(robotURL, "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			e := readDingErr(t, resp)
			if resp.StatusCode != http.StatusForbidden || e.Errcode != codePolicy {
				t.Fatalf("status %d %+v, want 403 block", resp.StatusCode, e)
			}
			if n := len(h.up.requests()) - seen; n != 0 {
				t.Fatalf("stand-in saw %d requests", n)
			}
			evs := h.rec.events()[before:]
			if len(evs) != 1 || evs[0].Action != "block" || evs[0].Rule != c.rule {
				t.Fatalf("events: %d, want one block by %s: %+v", len(evs), c.rule, evs)
			}
			// Samples point into the text as sent and are masked.
			for _, f := range evs[0].Findings {
				for _, s := range f.Samples {
					if f.Classifier == classifiers.HKID && strings.Count(s.Masked, "*") < 4 {
						t.Errorf("sample %q not masked", s.Masked)
					}
				}
			}
		})
	}
}

func fullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > ' ' && r < 0x7F {
			r += 0xFEE0
		}
		b.WriteRune(r)
	}
	return b.String()
}

// An Exact Data Match index in the engine: a CSV upload holding rows of
// the indexed table is blocked (stand-in sees nothing, one audit event
// with the edm finding), a list of other people passes.
func TestEDMThroughProxy(t *testing.T) {
	b, err := edm.NewBuilder("customers", []string{"name", "mobile", "email"})
	if err != nil {
		t.Fatal(err)
	}
	type person struct{ name, mobile, email string }
	var people []person
	for i := range 300 {
		p := person{fmt.Sprintf("Wong Ka Yan %c%c", 'A'+byte(i%26), 'A'+byte(i/26)), fmt.Sprintf("9%07d", i*13), fmt.Sprintf("kayan%d@example.hk", i)}
		people = append(people, p)
		b.Add([]string{p.name, p.mobile, p.email})
	}
	var raw bytes.Buffer
	if _, err := b.WriteTo(&raw); err != nil {
		t.Fatal(err)
	}
	x, err := edm.Parse(raw.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessConfig{
		spec: func(s *rules.Spec) {
			s.EDM = []rules.EDMSpec{{Name: "customers", File: "customers.edm"}}
			s.Rules = append(s.Rules, rules.RuleSpec{Name: "customer-rows", Action: "block",
				Conditions: []rules.ConditionSpec{{Classifier: "edm:customers", MinCount: 3}}})
		},
		opts: func(o *Options) {
			eng := o.Engine()
			eng.Extra = []classifiers.Set{edm.NewSet(x)}
		},
	})
	upload := func(csv string) (int, int, []audit.Event) {
		seen, before := len(h.up.requests()), len(h.rec.events())
		ct, body := multipartBody(t, "media", "export.csv", []byte(csv))
		resp, err := h.client().Post("https://oapi.dingtalk.com/media/upload?access_token=x&type=file", ct, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		readDingErrOrReply(resp)
		return resp.StatusCode, len(h.up.requests()) - seen, h.rec.events()[before:]
	}
	var rows strings.Builder
	rows.WriteString("mobile,name\n")
	for _, i := range []int{5, 50, 150, 299} {
		fmt.Fprintf(&rows, "%s,%s\n", people[i].mobile, strings.ToLower(people[i].name))
	}
	st, up, evs := upload(rows.String())
	if st != http.StatusForbidden || up != 0 || len(evs) != 1 || evs[0].Rule != "customer-rows" {
		t.Fatalf("rows of the table: status %d, upstream %d, events %+v", st, up, evs)
	}
	var sig []string
	for _, f := range evs[0].Findings {
		if f.Classifier == "edm:customers" {
			sig = f.Signals
		}
	}
	if len(sig) == 0 || sig[0] != "edm:customers rows=4" {
		t.Errorf("signals %v", sig)
	}
	var others strings.Builder
	others.WriteString("mobile,name\n")
	for i := range 20 {
		fmt.Fprintf(&others, "6%07d,Wong Ka Yan Z%c\n", i, 'A'+byte(i))
	}
	if st, up, _ := upload(others.String()); st != http.StatusOK || up != 1 {
		t.Fatalf("other people: status %d, upstream %d", st, up)
	}
}
