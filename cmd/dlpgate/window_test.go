package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/config"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

// The engines run builds at start and on every reload share one window
// store: nine HKIDs sent before a reload and one after are ten.
func TestRunEnginesShareWindows(t *testing.T) {
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	windows := rules.NewWindows(0, 0)
	eng, err := buildRunEngine(cfg, windows)
	if err != nil {
		t.Fatal(err)
	}
	req := rules.Request{User: "carol", Method: "POST", Host: "oapi.dingtalk.com", Path: "/robot/send", Endpoint: "dingtalk-robot"}
	send := func(text string) rules.Decision {
		body := []byte(fmt.Sprintf(`{"msgtype":"text","text":{"content":%q}}`, text))
		r, err := eng.Inspect(context.Background(), req, extract.Input{ContentType: "application/json", Body: bytes.NewReader(body), Size: int64(len(body)), Origin: "body"})
		if err != nil {
			t.Fatal(err)
		}
		return r.Decision
	}
	for i := 0; i < 9; i += 2 {
		ids := []string{testgen.HKID(i)}
		if i+1 < 9 {
			ids = append(ids, testgen.HKID(i+1))
		}
		if d := send("HKID " + strings.Join(ids, ", HKID ")); d.Action != rules.Log {
			t.Fatalf("message %d: %s (%s)", i, d.Action, d.Reason)
		}
	}
	// Reload: a new engine from the same (re-read) config.
	if eng, err = buildRunEngine(cfg, windows); err != nil {
		t.Fatal(err)
	}
	if d := send("HKID " + testgen.HKID(9)); d.Action != rules.Block || d.Rule != "identifier-drip" {
		t.Fatalf("10th after a reload: %s by %q (%s)", d.Action, d.Rule, d.Reason)
	}
}

// identifier-drip counts resident ID and card numbers too: one or two a
// message, the 10th distinct card from one user is blocked.
func TestDripCountsCardsAndResidentIDs(t *testing.T) {
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := buildRunEngine(cfg, rules.NewWindows(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(4, 2))
	for _, kind := range []struct {
		name string
		gen  func() string
	}{
		{"payment_card", func() string { return "card " + testgen.Card(r, "4", 16) }},
		{"prc_id", func() string { return "身份证号码 " + testgen.PRCID(r) }},
	} {
		req := rules.Request{User: "dave-" + kind.name, Method: "POST", Host: "oapi.dingtalk.com", Path: "/robot/send", Endpoint: "dingtalk-robot"}
		var last rules.Decision
		for i := range 10 {
			body := []byte(fmt.Sprintf(`{"msgtype":"text","text":{"content":%q}}`, "please update "+kind.gen()))
			res, err := eng.Inspect(context.Background(), req, extract.Input{ContentType: "application/json", Body: bytes.NewReader(body), Size: int64(len(body)), Origin: "body"})
			if err != nil {
				t.Fatal(err)
			}
			last = res.Decision
			if i < 9 && last.Action == rules.Block {
				t.Fatalf("%s: message %d blocked early: %s (%s)", kind.name, i, last.Rule, last.Reason)
			}
		}
		if last.Action != rules.Block || last.Rule != "identifier-drip" {
			t.Errorf("%s: 10th distinct: %s by %q (%s)", kind.name, last.Action, last.Rule, last.Reason)
		}
	}
}
