package proxy

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// TestDecisionLogCarriesBodyHash: the operational log line of an HTTP block
// carries the same body hash as its audit event.
func TestDecisionLogCarriesBodyHash(t *testing.T) {
	var logs syncBuffer
	h := newHarness(t, harnessConfig{opts: func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}})
	text, _ := hkidText(3)
	ct, body := multipartBody(t, "media", "list.csv", []byte(text))
	resp, err := h.client().Post("https://oapi.dingtalk.com/media/upload?type=file", ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403", resp.StatusCode)
	}
	evs := h.rec.events()
	if len(evs) != 1 || evs[0].BodySHA256 != sha(body) {
		t.Fatalf("events %+v", evs)
	}
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "msg=decision") && strings.Contains(l, "action=block") {
			line = l
		}
	}
	if !strings.Contains(line, "sha256="+sha(body)) {
		t.Errorf("decision line %q lacks sha256=%s", line, sha(body))
	}
}
