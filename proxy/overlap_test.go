package proxy

import (
	"archive/zip"
	"bytes"
	"cmp"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

// Receiving overlapped with inspection: a large plain-text body is
// classified while it is spilled, and still nothing reaches the upstream
// before the decision. These tests go through the real proxy with real TLS
// and the default classifiers and policy.

// overlapStates records what the handler reported about overlap.
type overlapStates struct {
	mu sync.Mutex
	s  []string
}

func (o *overlapStates) add(s string) {
	o.mu.Lock()
	o.s = append(o.s, s)
	o.mu.Unlock()
}

func (o *overlapStates) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.s)
}

func (o *overlapStates) has(s string) bool { return slices.Contains(o.list(), s) }

// last is the final state reported for the last body ("on", "off",
// "fell back: ...").
func (o *overlapStates) last() string {
	l := o.list()
	if len(l) == 0 {
		return ""
	}
	return l[len(l)-1]
}

func overlapHarness(t *testing.T, off bool) (*harness, *overlapStates) {
	h := newHarness(t, harnessConfig{classifiers: classifiers.NewDefault()})
	st := &overlapStates{}
	h.srv.noOverlap = off
	h.srv.testHookOverlap = st.add
	return h, st
}

// filler is n bytes of harmless business text in lines.
func filler(n int) []byte {
	const line = "plain quarterly planning notes without identifiers, budget review on Friday\n"
	return []byte(strings.Repeat(line, n/len(line)+1)[:n])
}

const uploadURL = "https://sh-dualstack.trans.dingtalk.com/put"

func postBody(t *testing.T, h *harness, ct, enc string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, uploadURL, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	if enc != "" {
		req.Header.Set("Content-Encoding", enc)
	}
	resp, err := h.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

// (1) Three HKIDs in the last KiB of a 20 MiB text body streamed into the
// hold are found by the overlapped reading, the upload is blocked, and the
// stand-in never sees the request.
func TestOverlapHKIDAtEndBlocked(t *testing.T) {
	h, st := overlapHarness(t, false)
	bad, _ := hkidText(3)
	body := append(filler(20<<20-len(bad)), bad...)
	if code, _ := postBody(t, h, "text/plain", "", body); code != http.StatusForbidden {
		t.Fatalf("status %d, want 403", code)
	}
	if st.last() != "on" || !st.has("begun") {
		t.Fatalf("overlap states %q, want begun then on", st.list())
	}
	if n := h.up.arrived.Load(); n != 0 {
		t.Fatalf("the stand-in saw %d requests", n)
	}
	evs := h.rec.events()
	if len(evs) != 1 || evs[0].Rule != "hkid-bulk" {
		t.Fatalf("events %+v", evs)
	}
}

// longLineText is n bytes of prose with no line end (so windows are cut
// exactly at StreamWindow) with s written at the given offsets.
func longLineText(n int, at map[int]string) []byte {
	b := []byte(strings.Repeat("the team reviews the plan ", n/26+1)[:n])
	for off, s := range at {
		copy(b[off:], " "+s+" ")
	}
	return b
}

// (2) An HKID cut by the first window boundary is still counted: with two
// others elsewhere it makes three (blocked); missed, two would only be
// logged.
func TestOverlapHKIDAcrossWindowBoundary(t *testing.T) {
	w := extract.StreamWindow
	body := longLineText(10<<20, map[int]string{1000: testgen.HKID(1), 2*w + 777: testgen.HKID(2), w - 5: testgen.HKID(3)})
	h, st := overlapHarness(t, false)
	if code, _ := postBody(t, h, "text/plain", "", body); code != http.StatusForbidden {
		t.Fatalf("status %d, want 403", code)
	}
	if st.last() != "on" {
		t.Fatalf("overlap states %q", st.list())
	}
	evs := h.rec.events()
	if len(evs) != 1 || evs[0].Rule != "hkid-bulk" {
		t.Fatalf("events %+v", evs)
	}
	if n := h.up.arrived.Load(); n != 0 {
		t.Fatalf("the stand-in saw %d requests", n)
	}
}

// (3) A client that pauses in the middle of its body: the overlapped
// inspection has begun, yet the stand-in has seen nothing during the pause;
// a clean body arrives whole after the decision, a bad one never.
func TestOverlapNothingForwardedBeforeDecision(t *testing.T) {
	bad, _ := hkidText(3)
	for _, tc := range []struct {
		name   string
		tail   string
		enc    string
		status int
	}{
		{"clean", "the end of the notes\n", "", http.StatusOK},
		{"bad", bad, "", http.StatusForbidden},
		{"gzip clean", "the end of the notes\n", "gzip", http.StatusOK},
		{"gzip bad", bad, "gzip", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, st := overlapHarness(t, false)
			first := filler(12 << 20)
			rest := append(filler(4<<20), tc.tail...)
			if tc.enc == "gzip" {
				// Barely compressible text, its gzip cut in two.
				gz := gzipped(t, append(wordNoise(13, 18<<20), tc.tail...))
				first, rest = gz[:len(gz)*3/4], gz[len(gz)*3/4:]
			}
			body := append(slices.Clone(first), rest...)
			pr, pw := io.Pipe()
			req, _ := http.NewRequest(http.MethodPut, uploadURL, pr)
			req.ContentLength = int64(len(body))
			req.Header.Set("Content-Type", "text/plain")
			if tc.enc != "" {
				req.Header.Set("Content-Encoding", tc.enc)
			}
			type result struct {
				code int
				err  error
			}
			done := make(chan result, 1)
			go func() {
				resp, err := h.client().Do(req)
				if err != nil {
					done <- result{err: err}
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				done <- result{code: resp.StatusCode}
			}()
			if _, err := pw.Write(first); err != nil {
				t.Fatal(err)
			}
			// The pause: the first 12 MiB are with the proxy (or on
			// their way), the inspection reads them.
			for i := 0; i < 500 && !st.has("begun"); i++ {
				time.Sleep(10 * time.Millisecond)
			}
			if !st.has("begun") {
				t.Fatalf("no overlapped inspection began: %q", st.list())
			}
			time.Sleep(300 * time.Millisecond)
			if n := h.up.arrived.Load(); n != 0 {
				t.Fatalf("the stand-in saw %d requests while the body was incomplete", n)
			}
			if _, err := pw.Write(rest); err != nil {
				t.Fatal(err)
			}
			pw.Close()
			r := <-done
			if r.err != nil || r.code != tc.status {
				t.Fatalf("status %d, err %v, want %d", r.code, r.err, tc.status)
			}
			if st.last() != "on" {
				t.Fatalf("overlap states %q", st.list())
			}
			seen := h.up.requests()
			if tc.status == http.StatusOK {
				if len(seen) != 1 || seen[0].SHA256 != sha(body) {
					t.Fatalf("upstream saw %d requests, want the whole body once", len(seen))
				}
			} else if n := h.up.arrived.Load(); n != 0 {
				t.Fatalf("the stand-in saw %d requests", n)
			}
		})
	}
}

// wordNoise is at least n bytes of lines of random lowercase words: its
// gzip is more than half its size, and it holds nothing to find.
func wordNoise(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 3))
	b := make([]byte, 0, n+64)
	for len(b) < n {
		for range 8 {
			for range 3 + r.IntN(6) {
				b = append(b, byte('a'+r.IntN(26)))
			}
			b = append(b, ' ')
		}
		b[len(b)-1] = '\n'
	}
	return b
}

func gzipped(t *testing.T, b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// (4) gzip of text is blocked either way: with Content-Encoding gzip it is
// overlapped (decompressed as it is spilled), a raw gzip body labelled
// text/plain begins and falls back on its magic (a gzip file is opened
// as a container, with the whole-body path).
func TestOverlapGzipFallsBackAndBlocks(t *testing.T) {
	bad, _ := hkidText(3)
	// Random-ish text so the gzip stays above StreamAbove.
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for b.Len() < 20<<20 {
		fmt.Fprintf(&b, "ref %x %x\n", r.Uint64(), r.Uint64())
	}
	b.WriteString(bad)
	gz := gzipped(t, []byte(b.String()))
	if len(gz) <= extract.StreamAbove {
		t.Fatalf("gzip of %d bytes is not larger than StreamAbove", len(gz))
	}
	for _, tc := range []struct {
		name, enc, state string
	}{
		{"content-encoding", "gzip", "on"},
		{"raw gzip body", "", "fell back: not plain text read in windows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, st := overlapHarness(t, false)
			if code, _ := postBody(t, h, "text/plain", tc.enc, gz); code != http.StatusForbidden {
				t.Fatalf("status %d, want 403", code)
			}
			if st.last() != tc.state {
				t.Fatalf("overlap states %q, want %q last", st.list(), tc.state)
			}
			if n := h.up.arrived.Load(); n != 0 {
				t.Fatalf("the stand-in saw %d requests", n)
			}
		})
	}
}

// storedZip is a ZIP holding one uncompressed member.
func storedZip(t *testing.T, name string, content []byte) []byte {
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// (5) Bodies that are not plain text read in windows fall back to the
// whole-body path and get its decision: a ZIP labelled text/plain (its
// text member's HKIDs at the end). A JSON document is read as it arrives
// (extract reads it front to back) and gets the same decision.
func TestOverlapNonTextFallsBack(t *testing.T) {
	bad, _ := hkidText(3)
	text := append(filler(10<<20), bad...)
	js, _ := json.Marshal(map[string]string{"content": string(text)})
	for _, tc := range []struct {
		name, ct string
		body     []byte
		state    string // "": a fall-back
	}{
		{"zip labelled as text", "text/plain", storedZip(t, "notes.txt", text), ""},
		{"json", "application/json", js, "on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, st := overlapHarness(t, false)
			if code, _ := postBody(t, h, tc.ct, "", tc.body); code != http.StatusForbidden {
				t.Fatalf("status %d, want 403", code)
			}
			if tc.state != "" && st.last() != tc.state || tc.state == "" && !strings.HasPrefix(st.last(), "fell back: ") {
				t.Fatalf("overlap states %q, want %q", st.list(), cmp.Or(tc.state, "a fall-back"))
			}
			if n := h.up.arrived.Load(); n != 0 {
				t.Fatalf("the stand-in saw %d requests", n)
			}
		})
	}
}

// (6) A client that declares 20 MiB, sends 12 MiB of clean text and
// disconnects: the overlapped reading began and read what came, but
// nothing is forwarded and nothing is left on disk.
func TestOverlapTruncatedBodyNeverForwarded(t *testing.T) {
	h, st := overlapHarness(t, false)
	raw, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(raw, "CONNECT sh-dualstack.trans.dingtalk.com:443 HTTP/1.1\r\nHost: sh-dualstack.trans.dingtalk.com:443\r\n\r\n")
	buf := make([]byte, 0, 256)
	one := make([]byte, 1)
	for !bytes.HasSuffix(buf, []byte("\r\n\r\n")) { // byte by byte: TLS follows
		if _, err := raw.Read(one); err != nil {
			t.Fatal(err)
		}
		buf = append(buf, one[0])
	}
	if !bytes.HasPrefix(buf, []byte("HTTP/1.1 200")) {
		t.Fatalf("CONNECT answer %q", buf)
	}
	conn := tls.Client(raw, &tls.Config{ServerName: "sh-dualstack.trans.dingtalk.com", RootCAs: h.ca.Pool()})
	fmt.Fprintf(conn, "PUT /put HTTP/1.1\r\nHost: sh-dualstack.trans.dingtalk.com\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n", 20<<20)
	if _, err := conn.Write(filler(12 << 20)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500 && !st.has("begun"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !st.has("begun") {
		t.Fatalf("no overlapped inspection began: %q", st.list())
	}
	time.Sleep(100 * time.Millisecond)
	conn.Close()
	waitEmpty(t, h.srv.spillDir)
	time.Sleep(200 * time.Millisecond)
	if n := h.up.arrived.Load(); n != 0 {
		t.Fatalf("the stand-in saw %d requests from a truncated body", n)
	}
	if slices.Contains(st.list(), "on") {
		t.Fatalf("a truncated body was judged: %q", st.list())
	}
	// The proxy is still fine.
	if code, _ := postBody(t, h, "text/plain", "", filler(9<<20)); code != http.StatusOK {
		t.Fatalf("next upload: status %d", code)
	}
	if st.last() != "on" {
		t.Fatalf("overlap states %q", st.list())
	}
}

// (7) The same bodies get the same decisions, rules and findings with the
// overlapped reading and without it.
func TestOverlapSameDecisions(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	bad, _ := hkidText(3)
	one := "Please call about HKID " + testgen.HKID(9) + " today\n"
	var csv strings.Builder
	csv.WriteString("name,mobile,email,address,date of birth\n")
	for i := range 40 {
		fmt.Fprintf(&csv, "%s,%s,%s,\"%s\",%s\n", testgen.Name(r, "en"), testgen.HKMobile(r), testgen.Email(r, i), testgen.Address(r, "en"), testgen.Birthday(r))
	}
	medical := "DISCHARGE SUMMARY\nPatient: Chan Tai Man  DOB: 1961-04-02\nDiagnosis: community-acquired pneumonia; type 2 diabetes mellitus\n" +
		"Discharge medication: amoxicillin 500mg tds, metformin 500mg bd\nFollow-up: medical outpatient clinic in 2 weeks\n"
	financial := "Balance Sheet as at 31 December 2025\nHK$'000\t2025\t2024\nProperty, plant and equipment\t152,340\t148,210\n" +
		"Inventories\t40,211\t38,877\nTrade receivables\t55,102\t49,310\nTotal assets\t328,108\t308,317\nTotal liabilities\t87,106\t82,801\n"
	binary := make([]byte, 9<<20)
	for i := range binary {
		binary[i] = byte(r.Uint32())
	}
	copy(binary, filler(16<<10))
	copy(binary[5<<20:], bad)
	w := extract.StreamWindow
	gzBad := gzipped(t, slices.Concat(wordNoise(21, 9<<20), []byte(bad), wordNoise(22, 9<<20)))
	gzCSV := gzipped(t, slices.Concat(wordNoise(23, 18<<20), []byte(csv.String())))
	gzClean := gzipped(t, wordNoise(24, 18<<20))
	var zl bytes.Buffer
	zw := zlib.NewWriter(&zl)
	zw.Write(slices.Concat(wordNoise(25, 18<<20), []byte(one)))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, ct string
		body     []byte
		overlap  bool   // the overlapped reading is used (not a fall-back)
		enc      string // Content-Encoding
	}{
		{"gzip hkid list mid-body", "text/plain", gzBad, true, "gzip"},
		{"gzip customer csv", "text/csv", gzCSV, true, "gzip"},
		{"gzip clean", "text/plain", gzClean, true, "gzip"},
		{"deflate one hkid", "text/plain", zl.Bytes(), true, "deflate"},
		{"clean", "text/plain", filler(9 << 20), true, ""},
		{"one hkid", "text/plain", append(filler(9<<20), one...), true, ""},
		{"hkid list mid-body", "text/plain", slices.Concat(filler(5<<20), []byte(bad), filler(5<<20)), true, ""},
		{"customer csv", "text/csv", slices.Concat(filler(9<<20), []byte(csv.String())), true, ""},
		{"medical", "text/plain", slices.Concat(filler(9<<20), []byte(medical)), true, ""},
		{"financial", "text/plain", slices.Concat(filler(5<<20), []byte(financial), filler(4<<20)), true, ""},
		{"hkid at each window edge", "text/plain", longLineText(13<<20, map[int]string{w - 4: testgen.HKID(11), 2*w - 6: testgen.HKID(12), 3*w - 8: testgen.HKID(13)}), true, ""},
		{"text then binary", "application/octet-stream", binary, true, ""},
		{"json", "application/json", []byte(`{"content":"` + string(filler(9<<20)) + strings.ReplaceAll(bad, "\n", " ") + `"}`), false, ""},
	}
	hOn, stOn := overlapHarness(t, false)
	hOff, stOff := overlapHarness(t, true)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			codeOn, _ := postBody(t, hOn, c.ct, c.enc, c.body)
			codeOff, _ := postBody(t, hOff, c.ct, c.enc, c.body)
			if got := stOn.last(); (got == "on") != c.overlap {
				t.Errorf("overlap state %q, want overlapped %v", got, c.overlap)
			}
			if got := stOff.last(); got != "off" {
				t.Errorf("switched off: state %q", got)
			}
			if codeOn != codeOff {
				t.Fatalf("status %d overlapped, %d not", codeOn, codeOff)
			}
			on, off := lastEvent(hOn), lastEvent(hOff)
			if on != off {
				t.Fatalf("overlapped: %s\nnot:        %s", on, off)
			}
			t.Logf("status %d, %s", codeOn, on)
		})
	}
	// Guard against a test that could not tell: the set must contain
	// blocks and allows.
	codes := map[string]bool{}
	for _, ev := range hOff.rec.events() {
		codes[ev.Action] = true
	}
	if !codes["block"] || !codes["log"] {
		t.Errorf("the cases gave actions %v; want blocks and logs among them", codes)
	}
}

var eventSeq = map[*harness]int{}

// lastEvent describes the newest audit event not seen before ("none" when
// the request made none: allowed), with its findings by classifier.
func lastEvent(h *harness) string {
	evs := h.rec.events()
	if len(evs) == eventSeq[h] {
		return "none"
	}
	eventSeq[h] = len(evs)
	ev := evs[len(evs)-1]
	var fs []string
	for _, f := range ev.Findings {
		fs = append(fs, fmt.Sprintf("%s=%d/%v", f.Classifier, f.Count, f.Confidence))
	}
	slices.Sort(fs)
	return fmt.Sprintf("%s %s %s [%s]", ev.Action, ev.Rule, ev.BodySHA256, strings.Join(fs, " "))
}

// A classifier that panics inside the overlapped reading (its own
// goroutine) takes neither the process down nor the request through: the
// outcome is the one without the overlap (extraction's guard makes the
// window a malformed part: fail-closed).
func TestOverlapPanicFailsRequestOnly(t *testing.T) {
	var codes [2]int
	for i, off := range []bool{false, true} {
		h := newHarness(t, harnessConfig{classifiers: windowPanic{}})
		st := &overlapStates{}
		h.srv.testHookOverlap = st.add
		h.srv.noOverlap = off
		for range 2 {
			resp, err := h.client().Post(uploadURL, "text/plain", bytes.NewReader(filler(9<<20)))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}
		if st.has("begun") == off {
			t.Fatalf("overlap off %v: states %q", off, st.list())
		}
		if n := h.up.arrived.Load(); n != 0 {
			t.Fatalf("the stand-in saw %d requests", n)
		}
		waitEmpty(t, h.srv.spillDir)
	}
	if codes[0] != codes[1] || codes[0] == http.StatusOK {
		t.Fatalf("status %d overlapped, %d not; want the same refusal", codes[0], codes[1])
	}
}

// windowPanic panics on body-sized text only (not on the URL and headers,
// which are inspected first).
type windowPanic struct{}

func (windowPanic) Classify(_ context.Context, segs []extract.Segment) []classifiers.Finding {
	for _, s := range segs {
		if len(s.Text) > 1<<20 {
			panic("classifier bug (test)")
		}
	}
	return nil
}

// (9) A chunked upload (no declared size) of plain text is read as it
// spills, as a sized one is: blocked when it holds three HKIDs, never
// forwarded; allowed, it reaches the stand-in whole. A chunked JSON body
// is read as it spills too (front to back, its size checked at its end),
// and one that is not JSON throughout is read again once complete, with
// the same decision.
func TestOverlapChunked(t *testing.T) {
	h, st := overlapHarness(t, false)
	post := func(ct string, body []byte) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, uploadURL, io.MultiReader(bytes.NewReader(body)))
		req.ContentLength = -1
		req.Header.Set("Content-Type", ct)
		return h.status(t, req)
	}
	bad, _ := hkidText(3)
	body := append(filler(12<<20), bad...)
	if code := post("text/plain", body); code != http.StatusForbidden {
		t.Fatalf("status %d, want 403", code)
	}
	if !st.has("begun") || st.last() != "on" {
		t.Fatalf("overlap states %q, want begun then on", st.list())
	}
	if n := h.up.arrived.Load(); n != 0 {
		t.Fatalf("the stand-in saw %d requests", n)
	}
	ok := filler(12 << 20)
	if code := post("text/plain", ok); code != http.StatusOK {
		t.Fatalf("allowed chunked upload: status %d", code)
	}
	if st.last() != "on" {
		t.Fatalf("allowed chunked upload: overlap %q", st.last())
	}
	if seen := h.up.requests(); len(seen) != 1 || seen[0].Size != int64(len(ok)) || seen[0].SHA256 != sha(ok) {
		t.Fatalf("the stand-in saw %+v, want the %d bytes whole", seen, len(ok))
	}
	js := []byte(`{"notes":"` + string(filler(12 << 20)[:12<<20-200]) + `","ids":"` + strings.ReplaceAll(bad, "\n", " ") + `"}`)
	js = bytes.ReplaceAll(js, []byte("\n"), []byte(" "))
	if code := post("application/json", js); code != http.StatusForbidden {
		t.Fatalf("chunked JSON: status %d, want 403", code)
	}
	if l := st.last(); l != "on" {
		t.Fatalf("chunked JSON: overlap %q, want on", l)
	}
	// Cut short before its end: not a JSON document, read again whole.
	if code := post("application/json", js[:len(js)-2]); code != http.StatusForbidden {
		t.Fatalf("chunked truncated JSON: status %d, want 403", code)
	}
	if l := st.last(); !strings.HasPrefix(l, "fell back") {
		t.Fatalf("chunked truncated JSON: overlap %q, want fell back", l)
	}
	// A chunked multipart upload (a file upload streamed by its
	// client) is read part by part as it arrives.
	mpType, mp := multipartFields(t, [][3]string{{"msgParam", "", `{"title":"notes"}`}, {"media", "notes.txt", string(body)}})
	if code := post(mpType, mp); code != http.StatusForbidden {
		t.Fatalf("chunked multipart: status %d, want 403", code)
	}
	if l := st.last(); l != "on" {
		t.Fatalf("chunked multipart: overlap %q, want on", l)
	}
	mpType, mp = multipartFields(t, [][3]string{{"msgParam", "", `{"title":"notes"}`}, {"media", "notes.txt", string(ok)}})
	if code := post(mpType, mp); code != http.StatusOK {
		t.Fatalf("allowed chunked multipart: status %d", code)
	}
	if l := st.last(); l != "on" {
		t.Fatalf("allowed chunked multipart: overlap %q, want on", l)
	}
	if seen := h.up.requests(); len(seen) != 2 || seen[1].Size != int64(len(mp)) || seen[1].SHA256 != sha(mp) {
		t.Fatalf("the stand-in saw %+v, want the multipart's %d bytes whole", seen, len(mp))
	}
	// A chunked gzip upload (a client compressing as it streams) is
	// decompressed and read as it arrives; it must be over StreamAbove
	// compressed, as a sized one must, so its text hardly compresses.
	r := rand.New(rand.NewPCG(6, 6))
	noisy := make([]byte, 20<<20)
	for i := range noisy {
		noisy[i] = "abcdefghijklmnopqrstuvwxyz      \n"[r.IntN(33)]
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(append(noisy, bad...))
	zw.Close()
	if gz.Len() <= extract.StreamAbove {
		t.Fatalf("compressed to %d bytes, not over StreamAbove", gz.Len())
	}
	req, _ := http.NewRequest(http.MethodPost, uploadURL, io.MultiReader(bytes.NewReader(gz.Bytes())))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Content-Encoding", "gzip")
	if code := h.status(t, req); code != http.StatusForbidden {
		t.Fatalf("chunked gzip: status %d, want 403", code)
	}
	if l := st.last(); l != "on" {
		t.Fatalf("chunked gzip: overlap %q, want on", l)
	}
	if n := h.up.arrived.Load(); n != 2 {
		t.Fatalf("the stand-in saw %d requests, want the two allowed", n)
	}
}

// A chunked text upload over max_inspect_bytes that spills and is read
// as it arrives ends as the oversize action says: forwarded whole when it
// is "log", blocked and never forwarded when it is "block".
func TestOverlapChunkedOversize(t *testing.T) {
	for _, action := range []string{"log", "block"} {
		t.Run(action, func(t *testing.T) {
			h := newHarness(t, harnessConfig{classifiers: classifiers.NewDefault(), spec: func(s *rules.Spec) {
				s.Global.MaxInspectBytes = 12 << 20
				s.Global.OversizeAction = action
			}})
			st := &overlapStates{}
			h.srv.testHookOverlap = st.add
			body := filler(20 << 20)
			req, _ := http.NewRequest(http.MethodPost, uploadURL, io.MultiReader(bytes.NewReader(body)))
			req.ContentLength = -1
			req.Header.Set("Content-Type", "text/plain")
			code := h.status(t, req)
			seen := h.up.requests()
			switch action {
			case "log":
				if code != http.StatusOK || len(seen) != 1 || seen[0].SHA256 != sha(body) {
					t.Fatalf("status %d, stand-in saw %+v; want the %d bytes forwarded whole", code, seen, len(body))
				}
			case "block":
				if code != http.StatusForbidden || h.up.arrived.Load() != 0 {
					t.Fatalf("status %d, stand-in reached %d times", code, h.up.arrived.Load())
				}
			}
			if !st.has("begun") {
				t.Fatalf("overlap states %q: the spilled chunked body was not begun", st.list())
			}
			if evs := h.rec.events(); len(evs) != 1 || evs[0].Rule != rules.RuleOversize {
				t.Fatalf("events %+v", evs)
			}
		})
	}
}
