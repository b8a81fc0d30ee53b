package rules

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/dlpgate/dlpgate/classifiers"
)

const dripAUP = testEndpoints + `
[[rules]]
name = "hkid-bulk"
conditions = [{ classifier = "hkid", min_count = 3 }]
action = "block"

[[rules]]
name = "hkid-single"
conditions = [{ classifier = "hkid", min_count = 1, max_count = 2 }]
action = "log"

[[rules]]
name = "drip"
window = "1h"
conditions = [{ classifier = "hkid", min_count = 10 }]
action = "block"
`

func compileText(t *testing.T, text string) (*Policy, error) {
	t.Helper()
	var spec Spec
	if _, err := toml.Decode(text, &spec); err != nil {
		t.Fatal(err)
	}
	return Compile(spec)
}

func hkidFinding(keys ...uint64) []classifiers.Finding {
	return []classifiers.Finding{{Classifier: classifiers.HKID, Count: len(keys), Confidence: classifiers.High, Keys: keys}}
}

// send evaluates one request of user carrying keys at t and remembers it.
func send(p *Policy, w *Windows, user string, t time.Time, keys ...uint64) Decision {
	in := &Input{Request: Request{User: user, Time: t, Method: "POST", Host: "oapi.dingtalk.com"}, Findings: hkidFinding(keys...), Windows: w}
	d := p.Evaluate(in)
	p.Remember(in, d)
	return d
}

func TestWindowCountsDistinctValuesPerUser(t *testing.T) {
	p, err := compileText(t, dripAUP)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWindows(0, 0)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	// Nine distinct numbers in messages of one or two, with repeats.
	msgs := [][]uint64{{1, 2}, {3}, {2, 4}, {5, 6}, {1}, {7, 8}, {9}}
	for i, m := range msgs {
		if d := send(p, w, "alice", t0.Add(time.Duration(i)*time.Minute), m...); d.Action != Log {
			t.Fatalf("message %d: %s (%s), want log", i, d.Action, d.Reason)
		}
	}
	// Bob's numbers do not add to Alice's.
	if d := send(p, w, "bob", t0.Add(10*time.Minute), 10, 11); d.Action != Log {
		t.Fatalf("bob: %s (%s)", d.Action, d.Reason)
	}
	// A repeat is not new.
	if d := send(p, w, "alice", t0.Add(11*time.Minute), 9); d.Action != Log {
		t.Fatalf("repeat: %s (%s)", d.Action, d.Reason)
	}
	d := send(p, w, "alice", t0.Add(12*time.Minute), 10)
	if d.Action != Block || d.Rule != "drip" {
		t.Fatalf("10th distinct: %s by %q (%s), want block by drip", d.Action, d.Rule, d.Reason)
	}
	if !strings.Contains(d.Reason, "hkid count 10 >= 10 within 1h0m0s from one user") {
		t.Errorf("reason %q", d.Reason)
	}
	// The blocked number was not remembered: another single one is
	// blocked too (9 sent + 1 new), and the count stays at 9 sent.
	if d := send(p, w, "alice", t0.Add(13*time.Minute), 12); d.Action != Block {
		t.Fatalf("after the block: %s", d.Action)
	}
	if _, n := w.Len(); n != 11 {
		t.Errorf("store holds %d values, want 9 (alice) + 2 (bob)", n)
	}
	// A reload compiles a new policy; the store carries on.
	p2, err := compileText(t, dripAUP+"\n# reloaded\n")
	if err != nil {
		t.Fatal(err)
	}
	if d := send(p2, w, "alice", t0.Add(14*time.Minute), 13); d.Action != Block {
		t.Fatalf("after a reload: %s, want block", d.Action)
	}
	// An hour after the first messages, they no longer count.
	if d := send(p2, w, "alice", t0.Add(65*time.Minute), 14); d.Action != Log {
		t.Fatalf("after the window: %s (%s), want log", d.Action, d.Reason)
	}
	// A message without numbers is not blocked by history.
	in := &Input{Request: Request{User: "alice", Time: t0.Add(15 * time.Minute)}, Windows: w}
	if d := p.Evaluate(in); d.Action != Allow {
		t.Fatalf("clean message: %s", d.Action)
	}
}

func TestWindowClientAddressWhenNoUser(t *testing.T) {
	p, err := compileText(t, dripAUP)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWindows(0, 0)
	now := time.Now()
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	var last Decision
	for i := range 10 {
		ip := a
		in := &Input{Request: Request{ClientIP: ip, Time: now}, Findings: hkidFinding(uint64(i)), Windows: w}
		last = p.Evaluate(in)
		p.Remember(in, last)
		// The other address sends the same numbers: its own count.
		in2 := &Input{Request: Request{ClientIP: b, Time: now}, Findings: hkidFinding(uint64(i + 100)), Windows: w}
		p.Remember(in2, p.Evaluate(in2))
	}
	if last.Action != Block || !strings.Contains(last.Reason, "from one client") {
		t.Fatalf("10th from one address: %s (%s)", last.Action, last.Reason)
	}
}

func TestWindowMemoryIsBounded(t *testing.T) {
	w := NewWindows(5, 8)
	now := time.Now()
	for u := range 20 {
		for k := range 50 {
			w.record(windowID("r", "hkid", fmt.Sprint("u", u)), []uint64{uint64(k)}, now, time.Hour)
		}
	}
	subjects, values := w.Len()
	if subjects != 5 || values != 5*8 {
		t.Fatalf("store holds %d subjects, %d values; want 5, 40", subjects, values)
	}
	// The newest values are kept, the oldest forgotten.
	id := windowID("r", "hkid", "u19")
	if n := w.count(id, []uint64{49}, now, time.Hour); n != 8 {
		t.Errorf("newest value forgotten: count %d", n)
	}
	if n := w.count(id, []uint64{0}, now, time.Hour); n != 9 {
		t.Errorf("oldest value kept: count %d", n)
	}
	// The least recently active subjects went first.
	if n := w.count(windowID("r", "hkid", "u0"), nil, now, time.Hour); n != 0 {
		t.Errorf("u0 still counted %d", n)
	}
}

func TestWindowValidation(t *testing.T) {
	cases := map[string]string{
		`window = "soon"`:   `rules[0].window: bad duration "soon"`,
		`window = "0s"`:     `rules[0].window: window 0s is outside`,
		`window = "30d"`:    `rules[0].window: bad duration`,
		`window = "9000h"`:  `rules[0].window: window 9000h is outside`,
		`min_count_big = 1`: `rules[0].conditions[0].min_count: a window remembers at most 256`,
		`action_allow = 1`:  `rules[0].window: an allow rule cannot have a window`,
		`uninspectable = 1`: `a window counts distinct values`,
	}
	for line, want := range cases {
		cond := `{ classifier = "hkid", min_count = 10 }`
		action := "block"
		window := line
		switch line {
		case `min_count_big = 1`:
			cond, window = `{ classifier = "hkid", min_count = 300 }`, `window = "1h"`
		case `action_allow = 1`:
			action, window = "allow", `window = "1h"`
		case `uninspectable = 1`:
			cond, window = `{ classifier = "uninspectable", min_count = 1 }`, `window = "1h"`
		}
		text := testEndpoints + fmt.Sprintf("\n[[rules]]\nname = \"w\"\n%s\nconditions = [%s]\naction = %q\n", window, cond, action)
		_, err := compileText(t, text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", line, err, want)
		}
	}
}

// Keys never show in printed findings.
func TestValueKeysArePrintedAsACount(t *testing.T) {
	f := hkidFinding(123456789, 987654321)[0]
	for _, s := range []string{fmt.Sprintf("%v", f), fmt.Sprintf("%+v", f), fmt.Sprintf("%#v", f)} {
		if strings.Contains(s, "123456789") || !strings.Contains(s, "2 keys") {
			t.Errorf("printed finding %s", s)
		}
	}
}
