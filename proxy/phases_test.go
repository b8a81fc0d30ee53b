package proxy

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
)

// The decision record of an inspected body says how long holding it and
// inspecting it took, so an admin can tell a slow client from slow
// inspection.
func TestDecisionLogPhases(t *testing.T) {
	var logs syncBuffer
	h := newHarness(t, harnessConfig{opts: func(o *Options) {
		o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}})
	resp, err := h.client().Post(robotURL, "application/json", bytes.NewReader(robotJSON("Build 1234 passed")))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	found := false
	for _, line := range bytes.Split([]byte(logs.String()), []byte("\n")) {
		var rec map[string]any
		if json.Unmarshal(line, &rec) != nil || rec["msg"] != "decision" {
			continue
		}
		found = true
		hold, okH := rec["hold"].(float64)
		insp, okI := rec["inspect"].(float64)
		took, okT := rec["took"].(float64)
		if !okH || !okI || !okT {
			t.Fatalf("decision record without hold/inspect/took durations: %v", rec)
		}
		if hold < 0 || insp <= 0 || took != hold+insp {
			t.Errorf("hold %v + inspect %v should be took %v, inspect > 0", hold, insp, took)
		}
	}
	if !found {
		t.Fatal("no decision record logged")
	}
}
