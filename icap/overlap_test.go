package icap

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

// overlapHook records what the server reported for each inspected body.
type overlapHook struct {
	mu   sync.Mutex
	seen []string
}

func (h *overlapHook) hear(s string) {
	h.mu.Lock()
	h.seen = append(h.seen, s)
	h.mu.Unlock()
}

func (h *overlapHook) last(t *testing.T) string {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.seen) == 0 {
		t.Fatal("no body was inspected")
	}
	return h.seen[len(h.seen)-1]
}

// overlapServer starts a server whose inspected bodies hook hears, its
// overlap on or off.
func overlapServer(t *testing.T, noOverlap bool) (*Server, *memRecorder, *overlapHook) {
	hook := &overlapHook{}
	s, rec := startServer(t, nil)
	s.noOverlap, s.testHookOverlap = noOverlap, hook.hear
	return s, rec, hook
}

// overlapConn is overlapServer with overlap on and one connection to it,
// with a deadline long enough for bodies of tens of MiB.
func overlapConn(t *testing.T) (*overlapHook, net.Conn, *bufio.Reader) {
	s, _, hook := overlapServer(t, false)
	c, br := dial(t, s)
	c.SetDeadline(time.Now().Add(2 * time.Minute))
	return hook, c, br
}

// bigBody is n bytes of clean notes followed by tail.
func bigBody(n int, tail string) []byte { return append(cleanBody(n), tail...) }

// A large body that spills is classified while it is spooled, and decides
// as a body inspected once held does: blocked with HKIDs at its very end,
// 204 when clean, with and without a preview.
func TestOverlapWhileSpooled(t *testing.T) {
	for _, noOverlap := range []bool{false, true} {
		s, rec, hook := overlapServer(t, noOverlap)
		c, br := dial(t, s)
		c.SetDeadline(time.Now().Add(2 * time.Minute))
		want := "on"
		if noOverlap {
			want = "off"
		}
		for _, tc := range []struct {
			name    string
			body    []byte
			preview int
			code    int
		}{
			{"hkids at the end", bigBody(12<<20, "\n"+testgen.HKIDList(3)+"\n"), 0, 200},
			{"clean", bigBody(12<<20, ""), 0, 204},
			{"hkids, preview", bigBody(10<<20, "\n"+testgen.HKIDList(3)+"\n"), 4096, 200},
			{"no preview header", bigBody(9<<20, "\n"+testgen.HKIDList(3)+"\n"), -1, 200},
		} {
			name := fmt.Sprintf("%s overlap=%v", tc.name, !noOverlap)
			before := len(rec.events())
			r, _ := roundTrip(t, c, br, icapMsg{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "text/plain", len(tc.body)),
				body: tc.body, preview: tc.preview, chunk: 64 << 10})
			if r.code != tc.code {
				t.Fatalf("%s: answered %d %q, want %d", name, r.code, r.httpHdr, tc.code)
			}
			if got := hook.last(t); got != want {
				t.Fatalf("%s: overlap %q, want %q", name, got, want)
			}
			if tc.code == 200 {
				evs := rec.events()
				if len(evs) != before+1 || evs[len(evs)-1].Action != "block" || !strings.HasPrefix(r.httpHdr, "HTTP/1.1 403 ") {
					t.Fatalf("%s: %d events, answer %q", name, len(evs)-before, r.httpHdr)
				}
				if bytes.Contains(r.body, []byte(testgen.HKID(0))) {
					t.Fatalf("%s: answer leaks an HKID", name)
				}
			}
		}
	}
}

// A body that is not the size its Content-Length declared is read as it
// arrived, not as the overlapped reading saw it.
func TestOverlapSizeMismatch(t *testing.T) {
	hook, c, br := overlapConn(t)
	body := bigBody(10<<20, "\n"+testgen.HKIDList(3)+"\n")
	r, _ := roundTrip(t, c, br, icapMsg{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "text/plain", len(body)+100),
		body: body, preview: 0, chunk: 64 << 10})
	if r.code != 200 || !strings.HasPrefix(r.httpHdr, "HTTP/1.1 403 ") {
		t.Fatalf("answered %d %q, want a block", r.code, r.httpHdr)
	}
	if got := hook.last(t); !strings.Contains(got, "differs from its Content-Length") {
		t.Fatalf("overlap %q", got)
	}
}

// A client that goes away mid-body ends the overlapped reading; the
// server goes on serving.
func TestOverlapClientGoesAway(t *testing.T) {
	s, _, hook := overlapServer(t, false)
	body := bigBody(12<<20, "")
	first, rest := icapMsg{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "text/plain", len(body)), body: body, preview: 0, chunk: 64 << 10}.encode()
	c, br := dial(t, s)
	if _, err := c.Write(first); err != nil {
		t.Fatal(err)
	}
	if r := readResp(t, br); r.code != 100 {
		t.Fatalf("want 100 Continue, got %d", r.code)
	}
	if _, err := c.Write(rest[:len(rest)*2/3]); err != nil {
		t.Fatal(err)
	}
	c.Close()
	// The next client is served (and the abandoned reading did not block
	// the server's budget or connection slots).
	c2, br2 := dial(t, s)
	c2.SetDeadline(time.Now().Add(2 * time.Minute))
	r, _ := roundTrip(t, c2, br2, icapMsg{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "text/plain", len(body)), body: body, preview: 0, chunk: 64 << 10})
	if r.code != 204 || hook.last(t) != "on" {
		t.Fatalf("next client: %d, overlap %q", r.code, hook.last(t))
	}
}

// A client request without a Content-Length (chunked, as Squid passes it
// on) is read while it is spooled as well when it is plain text: blocked
// with HKIDs at its end, 204 when clean; chunked JSON too (front to back,
// its size checked at its end), and JSON cut short is read again once
// complete, with the same decision.
func TestOverlapUnknownSize(t *testing.T) {
	hook, c, br := overlapConn(t)
	js := []byte(`{"notes":"` + strings.Repeat("quarterly planning minutes ", (10<<20)/27) + `","ids":"` + strings.ReplaceAll(testgen.HKIDList(3), "\n", " ") + `"}`)
	for _, tc := range []struct {
		name, ctype string
		body        []byte
		code        int
		overlap     string
	}{
		{"hkids at the end", "text/plain", bigBody(12<<20, "\n"+testgen.HKIDList(3)+"\n"), 200, "on"},
		{"clean", "text/plain", bigBody(12<<20, ""), 204, "on"},
		{"JSON", "application/json", js, 200, "on"},
		{"JSON cut short", "application/json", js[:len(js)-2], 200, "fell back"},
	} {
		host := "oapi.dingtalk.com"
		hdr := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n", robotURL, host, tc.ctype)
		r, _ := roundTrip(t, c, br, icapMsg{headers: []string{"Allow: 204"}, http: hdr, body: tc.body, preview: 0, chunk: 64 << 10})
		if r.code != tc.code {
			t.Fatalf("%s: answered %d %q, want %d", tc.name, r.code, r.httpHdr, tc.code)
		}
		if tc.code == 200 && !strings.HasPrefix(r.httpHdr, "HTTP/1.1 403 ") {
			t.Fatalf("%s: answer %q, want a block", tc.name, r.httpHdr)
		}
		if got := hook.last(t); !strings.HasPrefix(got, tc.overlap) {
			t.Fatalf("%s: overlap %q, want %q", tc.name, got, tc.overlap)
		}
	}
}
