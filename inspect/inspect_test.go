package inspect_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/config"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

func defaultEngine(t testing.TB) *inspect.Engine {
	t.Helper()
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := rules.Compile(cfg.Policy)
	if err != nil {
		t.Fatal(err)
	}
	return &inspect.Engine{Policy: pol, Classifiers: classifiers.NewDefault()}
}

func input(body []byte, contentType string) extract.Input {
	return extract.Input{ContentType: contentType, Body: bytes.NewReader(body), Size: int64(len(body)), Origin: "body"}
}

func findingOf(r *inspect.Result, name string) *classifiers.Finding {
	for i := range r.Findings {
		if r.Findings[i].Classifier == name {
			return &r.Findings[i]
		}
	}
	return nil
}

func TestInspectDecisions(t *testing.T) {
	eng := defaultEngine(t)
	robot := func(text string) []byte {
		return []byte(`{"msgtype":"text","text":{"content":` + strings.ReplaceAll(`"`+text+`"`, "\n", `\n`) + `}}`)
	}
	cases := []struct {
		name  string
		body  []byte
		ctype string
		want  rules.Action
		rule  string
		hkids int
	}{
		{"clean chat", robot("Lunch at 1pm? 今晚開會"), "application/json", rules.Allow, "", 0},
		{"one HKID is logged", robot("My HKID is " + testgen.HKID(1)), "application/json", rules.Log, "hkid-single", 1},
		{"customer list is blocked", []byte(testgen.HKIDList(5)), "text/csv", rules.Block, "hkid-bulk", 5},
		{"invalid check digits are not HKIDs", []byte("ids: " + testgen.InvalidHKID(1) + " " + testgen.InvalidHKID(2) + " " + testgen.InvalidHKID(3)), "text/plain", rules.Allow, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := eng.Inspect(context.Background(), rules.Request{Method: "POST", Host: "oapi.dingtalk.com", Path: "/robot/send"}, input(c.body, c.ctype))
			if err != nil {
				t.Fatal(err)
			}
			if r.Decision.Action != c.want {
				t.Fatalf("action = %s (rule %q, reason %q), want %s", r.Decision.Action, r.Decision.Rule, r.Decision.Reason, c.want)
			}
			if c.rule != "" && r.Decision.Rule != c.rule {
				t.Errorf("rule = %q, want %q", r.Decision.Rule, c.rule)
			}
			got := 0
			if f := findingOf(r, classifiers.HKID); f != nil {
				got = f.Count
			}
			if got != c.hkids {
				t.Errorf("hkid count = %d, want %d", got, c.hkids)
			}
		})
	}
}

// A body that cannot be parsed is an inspection failure: the default
// fail_mode (closed) blocks it rather than letting it through unread.
func TestInspectMalformedFailsClosed(t *testing.T) {
	eng := defaultEngine(t)
	// A ZIP local header followed by garbage: detected as a zip, unreadable.
	body := append([]byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), bytes.Repeat([]byte{0xff, 0x13, 0x00}, 40)...)
	r, err := eng.Inspect(context.Background(), rules.Request{Method: "PUT", Host: "sh-dualstack.trans.dingtalk.com"}, input(body, "application/octet-stream"))
	if err != nil {
		t.Fatal(err)
	}
	f := findingOf(r, classifiers.Uninspectable)
	if f == nil {
		t.Fatalf("no uninspectable finding; problems %+v", r.Problems)
	}
	if r.Decision.Action != rules.Block {
		t.Fatalf("malformed upload: action %s, want block (fail_mode closed); decision %+v", r.Decision.Action, r.Decision)
	}
}

func TestInspectCancelled(t *testing.T) {
	eng := defaultEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := eng.Inspect(ctx, rules.Request{}, input([]byte("hello"), "text/plain")); err == nil {
		t.Fatal("cancelled context: want an error")
	}
}
