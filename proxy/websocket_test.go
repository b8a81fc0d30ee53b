package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wsEcho upgrades and echoes every message; it records what it received.
func wsEcho(got chan<- string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionContextTakeover})
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, b, err := c.Read(r.Context())
			if err != nil {
				return
			}
			got <- string(b)
			if err := c.Write(r.Context(), typ, b); err != nil {
				return
			}
		}
	}
}

// Chat over the DingTalk web WebSocket: clean messages pass (even though the
// client offers compression), a message with 3 HKIDs is blocked, audited and
// never reaches the server.
func TestWebSocketMessagesInspected(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	got := make(chan string, 10)
	h.up.srv.Handler = wsEcho(got)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pool := h.ca.Pool()
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(h.proxyURL()), TLSClientConfig: &tls.Config{RootCAs: pool}}}
	c, resp, err := websocket.Dial(ctx, "wss://webalfa-cm3.dingtalk.com/long", &websocket.DialOptions{
		HTTPClient: hc, CompressionMode: websocket.CompressionContextTakeover,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); ext != "" {
		t.Errorf("compression negotiated through the proxy: %q", ext)
	}
	clean := `{"lwp":"/r/IDLSend/send","body":[{"content":{"textContent":{"text":"lunch at 1?"}}}]}`
	if err := c.Write(ctx, websocket.MessageText, []byte(clean)); err != nil {
		t.Fatal(err)
	}
	if _, b, err := c.Read(ctx); err != nil || string(b) != clean {
		t.Fatalf("echo %q %v", b, err)
	}
	text, ids := hkidText(3)
	bad := `{"lwp":"/r/IDLSend/send","body":[{"content":{"textContent":{"text":` + string(mustJSON(text)) + `}}}]}`
	if err := c.Write(ctx, websocket.MessageText, []byte(bad)); err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation || !strings.Contains(ce.Reason, "hkid-bulk") {
		t.Fatalf("after a bad message: %v, want close 1008 naming the rule", err)
	}
	close(got)
	var seen []string
	for m := range got {
		seen = append(seen, m)
	}
	if len(seen) != 1 || seen[0] != clean {
		t.Errorf("server received %d messages, want only the clean one", len(seen))
	}
	evs := h.rec.events()
	if len(evs) != 1 || evs[0].Channel != "websocket" || evs[0].Action != "block" || !strings.Contains(ce.Reason, evs[0].ID) {
		t.Fatalf("events %+v", evs)
	}
	for _, id := range ids {
		if strings.Contains(ce.Reason, id) {
			t.Error("close reason leaks an HKID")
		}
	}
}
