package proxy

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/http"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/internal/testgen"
)

// Item 4: HTTP framing and multipart shapes. Requests are written byte by
// byte in a TLS tunnel through the proxy. Whatever the proxy does with an
// odd request (block it, refuse it as malformed), no HKID may reach the
// stand-in, in the body, a header or a trailer, and nothing passes without
// an event unless it was refused outright.

func rtRaw(t *testing.T, h *harness, req string) int {
	t.Helper()
	c := h.tlsTunnel(t, "oapi.dingtalk.com")
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0 // connection closed: refused
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// rtNoLeak fails when any request the stand-in saw holds one of ids (a
// body counts when it may hold them: benign is false).
func rtNoLeak(t *testing.T, h *harness, from int, ids []string, benign bool) {
	t.Helper()
	for _, r := range h.up.requests()[from:] {
		all := fmt.Sprintf("%v %v %s %s", r.Header, r.Trailer, r.Path, r.Query)
		for _, id := range ids {
			if strings.Contains(all, id) || strings.Contains(all, id[:7]) {
				t.Fatalf("stand-in received an HKID in the header or trailer: %s", maskTestID(all, ids))
			}
		}
		if r.Size > 0 && !benign {
			t.Fatalf("stand-in received a %d-byte body", r.Size)
		}
	}
}

func maskTestID(s string, ids []string) string {
	for _, id := range ids {
		s = strings.ReplaceAll(s, id[:7], id[:3]+"****")
	}
	return s
}

func chunked(body string, ext string) string {
	var b strings.Builder
	for s := body; s != ""; {
		n := min(7, len(s))
		fmt.Fprintf(&b, "%x%s\r\n%s\r\n", n, ext, s[:n])
		s = s[n:]
	}
	return b.String()
}

func TestRedTeamFraming(t *testing.T) {
	list := testgen.HKIDList(3)
	ids := []string{testgen.HKID(0), testgen.HKID(1), testgen.HKID(2)}
	head := "POST /robot/send?access_token=tok HTTP/1.1\r\nHost: oapi.dingtalk.com\r\nContent-Type: text/plain\r\n"
	cases := []struct {
		name, req string
		benign    bool // the body holds nothing (the list is elsewhere)
	}{
		{"chunk extensions", head + "Transfer-Encoding: chunked\r\n\r\n" + chunked(list, `;name="x";q=1`) + "0\r\n\r\n", false},
		{"trailer carrying the list", head + "Transfer-Encoding: chunked\r\nTrailer: X-Ids\r\n\r\n" + chunked("hello", "") + "0\r\nX-Ids: " + strings.Join(ids, " ") + "\r\n\r\n", true},
		{"chunked and Content-Length", head + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n" + chunked(list, "") + "0\r\n\r\n", false},
		{"Content-Length then chunked", head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(list, "") + "0\r\n\r\n", false},
		{"obs-fold header carrying the list", head + "X-Note: customers\r\n " + strings.Join(ids, "\r\n ") + "\r\nContent-Length: 2\r\n\r\nhi", true},
		{"custom header carrying the list", head + "X-Note: " + strings.Join(ids, " ") + "\r\nContent-Length: 2\r\n\r\nhi", true},
		{"transfer-encoding gzip, chunked", head + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunked(string(gz([]byte(list))), "") + "0\r\n\r\n", false},
	}
	h := newHarness(t, harnessConfig{classifiers: classifiers.NewDefault()})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seen, before := len(h.up.requests()), len(h.rec.events())
			st := rtRaw(t, h, c.req)
			rtNoLeak(t, h, seen, ids, c.benign)
			evs := h.rec.events()[before:]
			switch {
			case st == http.StatusForbidden:
				if len(evs) != 1 || evs[0].Action != "block" {
					t.Fatalf("403 with events %+v", evs)
				}
			case st == http.StatusOK && c.benign:
				// The harmless body went on; the list did not (rtNoLeak):
				// a trailer is not forwarded.
			case st >= 400 && st < 500 || st == 0:
				// Refused before inspection as malformed: nothing forwarded.
				if len(h.up.requests()) != seen {
					t.Fatalf("status %d but forwarded", st)
				}
			default:
				t.Fatalf("status %d, events %+v", st, evs)
			}
		})
	}
}

func TestRedTeamEncodingsAndMultipart(t *testing.T) {
	list := testgen.HKIDList(3)
	ids := []string{testgen.HKID(0), testgen.HKID(1), testgen.HKID(2)}
	h := newHarness(t, harnessConfig{classifiers: classifiers.NewDefault()})
	mp := func(boundary, preamble, epilogue string, parts ...string) []byte {
		var b strings.Builder
		b.WriteString(preamble)
		for _, p := range parts {
			b.WriteString("--" + boundary + "\r\n" + p + "\r\n")
		}
		b.WriteString("--" + boundary + "--\r\n" + epilogue)
		return []byte(b.String())
	}
	field := func(name, body string) string {
		return `Content-Disposition: form-data; name="` + name + `"` + "\r\n\r\n" + body
	}
	var qp bytes.Buffer
	qw := quotedprintable.NewWriter(&qp)
	qw.Write([]byte(list))
	qw.Close()
	odd := `a'()+_,-./:=?b`
	up := "https://oapi.dingtalk.com/media/upload?access_token=tok&type=file"
	cases := []struct {
		name, url, ctype, enc string
		body                  []byte
	}{
		{"gzip, gzip", robotURL, "text/plain", "gzip, gzip", gz(gz([]byte(list)))},
		{"quoted odd boundary", up, `multipart/form-data; boundary="` + odd + `"`, "", mp(odd, "", "", field("media", list))},
		{"preamble carrying the list", up, "multipart/form-data; boundary=BB", "", mp("BB", list+"\r\n", "", field("media", "hello"))},
		{"epilogue carrying the list", up, "multipart/form-data; boundary=BB", "", mp("BB", "", list, field("media", "hello"))},
		{"second part with the same name", up, "multipart/form-data; boundary=BB", "", mp("BB", "", "", field("media", "hello"), field("media", list))},
		{"base64 part", up, "multipart/form-data; boundary=BB", "", mp("BB", "", "", "Content-Disposition: form-data; name=\"media\"; filename=\"c.csv\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"+base64.StdEncoding.EncodeToString([]byte(list)))},
		{"quoted-printable part", up, "multipart/form-data; boundary=BB", "", mp("BB", "", "", "Content-Disposition: form-data; name=\"media\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"+qp.String())},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seen, before := len(h.up.requests()), len(h.rec.events())
			req, _ := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(c.body))
			req.Header.Set("Content-Type", c.ctype)
			if c.enc != "" {
				req.Header.Set("Content-Encoding", c.enc)
			}
			if st := h.status(t, req); st != http.StatusForbidden {
				t.Errorf("status %d, want 403", st)
			}
			if len(h.up.requests()) != seen {
				t.Fatalf("forwarded")
			}
			evs := h.rec.events()[before:]
			if len(evs) != 1 || evs[0].Action != "block" {
				t.Fatalf("events %+v", evs)
			}
		})
	}
	// An unknown Content-Encoding cannot be read: uninspectable, and the
	// policy's uninspectable action (log, by default) decides, with the
	// reason in the event.
	t.Run("unknown content-encoding", func(t *testing.T) {
		before := len(h.rec.events())
		req, _ := http.NewRequest(http.MethodPost, robotURL, bytes.NewReader([]byte(list)))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Content-Encoding", "x-secret")
		st := h.status(t, req)
		evs := h.rec.events()[before:]
		if len(evs) != 1 {
			t.Fatalf("status %d, events %+v, want one", st, evs)
		}
		if got := fmt.Sprintf("%+v", evs[0]); !strings.Contains(got, "content-encoding") {
			t.Errorf("event does not name the content-encoding: %s", maskTestID(got, ids))
		}
		if st == http.StatusOK && evs[0].Action != "log" || st == http.StatusForbidden && evs[0].Action != "block" {
			t.Errorf("status %d with action %s", st, evs[0].Action)
		}
	})
}
