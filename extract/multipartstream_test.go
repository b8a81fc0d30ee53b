package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"mime/quotedprintable"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

// The front-to-back reading of a large multipart body (multipartstream.go,
// Input.Speculative) against multipart's reading of the complete body:
// every window handed to Stream (origin, offset, text), every batch, the
// segments, problems and text count left in the Result are the same, in
// the same order; or the reading declines (ErrSpeculation), and then only
// for a body the cases say it must.

// mpEvents is everything one Extract handed over, in order: windows and
// batched segments as they came, then the Result's segments and problems.
type mpEvents struct {
	ev      []string
	windows int
	res     *Result
	err     error
}

func (e *mpEvents) String() string { return strings.Join(e.ev, "\n") }

// hiReader is a body that notes how far it was read.
type hiReader struct {
	r  *bytes.Reader
	mu sync.Mutex
	hi int64
}

func (h *hiReader) ReadAt(p []byte, off int64) (int, error) {
	h.mu.Lock()
	h.hi = max(h.hi, off+int64(len(p)))
	h.mu.Unlock()
	return h.r.ReadAt(p, off)
}

func (h *hiReader) high() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hi
}

// readMultipart extracts body (ctype) with Stream and Batch set,
// speculative or not; firstAt is how far the body had been read when the
// first window or batch was handed over (-1: none was).
func readMultipart(body []byte, ctype string, spec bool, lim Limits, opts ...func(*Input)) (out mpEvents, firstAt int64) {
	hr := &hiReader{r: bytes.NewReader(body)}
	firstAt = -1
	sum := func(s string) string { return fmt.Sprintf("%x", sha256.Sum256([]byte(s)))[:16] }
	in := Input{ContentType: ctype, Body: hr, Size: int64(len(body)), Origin: "body", Speculative: spec,
		Stream: func(s Segment, off int64) {
			if firstAt < 0 {
				firstAt = hr.high()
			}
			out.windows++
			out.ev = append(out.ev, fmt.Sprintf("window %s @%d %d %s", s.Origin, off, len(s.Text), sum(s.Text)))
		},
		Batch: func(segs []Segment) {
			if firstAt < 0 {
				firstAt = hr.high()
			}
			for _, s := range segs {
				out.ev = append(out.ev, fmt.Sprintf("batch %s %d %s", s.Origin, len(s.Text), sum(s.Text)))
			}
		}}
	for _, o := range opts {
		o(&in)
	}
	// Panics surface (guard would make them problems of both readings).
	out.res, out.err = extractOpts(context.Background(), in, lim, true)
	if out.res != nil {
		for _, s := range out.res.Segments {
			out.ev = append(out.ev, fmt.Sprintf("segment %s %d %s", s.Origin, len(s.Text), sum(s.Text)))
		}
		for _, p := range out.res.Problems {
			out.ev = append(out.ev, fmt.Sprintf("problem %s %s %s", p.Origin, p.Kind, p.Reason))
		}
		out.ev = append(out.ev, fmt.Sprintf("text %d timedout %v", out.res.TextBytes, out.res.TimedOut))
	}
	return out, firstAt
}

const (
	medTC = "出院小結\n病人姓名：陳大文\n診斷：心房顫動；高血壓\n出院藥物：Warfarin 3mg 每日一次\n"
	medSC = "出院小结\n病人姓名：陈大文\n诊断：心房颤动；高血压\n出院药物：华法林 3mg 每日一次\n"
)

// mpText is at least n bytes of lines in the three scripts, with the
// given strings written where the text reaches the given offsets.
func mpText(r *rand.Rand, n int, at map[int]string) []byte {
	words := []string{"minutes", "of", "the", "planning", "meeting", "會議", "会议", "客戶", "资料", "é", "--", "\r\n"}
	var b bytes.Buffer
	for b.Len() < n {
		for off, s := range at {
			if b.Len() >= off {
				b.WriteString(s)
				delete(at, off)
			}
		}
		b.WriteString(words[r.IntN(len(words))])
		if r.IntN(12) == 0 {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.Bytes()
}

type mpCase struct {
	name      string
	ctype     string
	body      []byte
	lim       Limits
	streams   bool // read as it arrives (no ErrSpeculation)
	whileRead bool // a window is handed over well before the body's end
}

func mpCases(t testing.TB) []mpCase {
	r := rand.New(rand.NewPCG(61, 7))
	const bnd = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
	ct := "multipart/form-data; boundary=" + bnd
	w := StreamWindow
	hk := strings.ReplaceAll(testgen.HKIDList(3), "\n", " ")
	edges := mpText(r, 13<<20, map[int]string{
		w - 6: testgen.HKID(31), 2*w - StreamOverlap - 3: medTC, 3*w - 2*StreamOverlap - 9: testgen.HKID(33) + " " + medSC,
		7 << 20: "--" + bnd + "X not a delimiter\r\n--" + bnd + "- neither\r\n",
	})
	docx := testgen.DOCX("客戶名單", [][]string{{"name", "hkid"}, {testgen.Name(r, "tc"), testgen.HKID(40)}})
	json := []byte(`{"msgtype":"text","text":{"content":"` + hk + ` 會議"}}`)
	small := mpText(r, 300<<10, map[int]string{100 << 10: testgen.HKID(41)})
	bigBin := make([]byte, 9<<20)
	for i := range bigBin {
		bigBin[i] = byte(r.Uint32())
	}
	zipBig := testgen.DOCX("big", [][]string{{"note"}, {string(mpText(r, 9<<20, nil))}})
	b64 := []byte(base64.StdEncoding.EncodeToString(mpText(r, 7<<20, map[int]string{5 << 20: hk})))
	var qp bytes.Buffer
	qw := quotedprintable.NewWriter(&qp)
	qw.Write(mpText(r, 9<<20, map[int]string{8 << 20: medTC}))
	qw.Close()
	bigJSON := []byte(`{"records":[` + strings.Repeat(`{"note":"minutes of the meeting","n":1},`, (9<<20)/40) + `{"hkid":"` + testgen.HKID(44) + `"}]}`)
	hugeString := []byte(`{"msgtype":"text","text":{"content":"` + strings.ReplaceAll(string(mpText(r, 10<<20, map[int]string{w + 3: testgen.HKID(48)})), "\r\n", `\r\n`) + `"}}`)
	hugeString = bytes.ReplaceAll(hugeString, []byte("\n"), []byte(`\n`))
	lines := bytes.Repeat([]byte(`{"note":"minutes of the meeting","n":1}`+"\n"), (9<<20)/40)
	lines = append(lines, `{"hkid":"`+testgen.HKID(49)+`"}`+"\n"...)
	form := []byte(strings.Repeat("note=minutes+of+the+meeting&", (9<<20)/28) + "hkid=" + testgen.HKID(50))
	csv := []byte("name,hkid,note\n" + strings.Repeat("陳大文,"+testgen.HKID(45)+",ok\n", (10<<20)/30))
	text := func(ft []byte) testgen.Part { return testgen.FormFile("media", "notes.txt", "text/plain", ft) }
	cases := []mpCase{
		{"fields, a docx, a large text part", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{
			testgen.FormField("msgParam", string(json)), testgen.FormFile("doc", "名單.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx),
			testgen.FormField("note", string(small)), text(edges), testgen.FormField("after", "会议 "+testgen.HKID(46)),
		}, false, ""), Limits{}, true, true},
		{"two large text parts, a binary between", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{
			text(edges[:9<<20]), testgen.FormFile("blob", "x.bin", "application/octet-stream", bigBin), testgen.FormFile("csv", "客戶.csv", "text/csv", csv),
		}, false, ""), Limits{}, true, true},
		{"large zip, json, base64 and quoted-printable parts", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{
			testgen.FormFile("z", "big.docx", "", zipBig), testgen.FormFile("j", "r.json", "application/json", bigJSON),
			{Header: `Content-Disposition: form-data; name="b"; filename="b.txt"` + "\nContent-Transfer-Encoding: base64", Body: b64},
			{Header: `Content-Disposition: form-data; name="q"; filename="q.txt"` + "\nContent-Transfer-Encoding: quoted-printable", Body: qp.Bytes()},
			text(small),
		}, false, ""), Limits{}, true, false},
		{"preamble, epilogue, padding, RFC 2231 and UTF-8 names", ct, testgen.Multipart(bnd, "\r\n", "preamble "+testgen.HKID(47)+"\r\n", []testgen.Part{
			{Header: `Content-Disposition: form-data; name="f"; filename*=UTF-8''%E5%AE%A2%E6%88%B6%E8%B3%87%E6%96%99.txt` + "\nX-Note: =?UTF-8?B?5a6i5oi3?=", Body: edges[:10<<20]},
			{Header: `Content-Disposition: form-data; name="病歷"; filename="诊断 報告.txt"`, Body: []byte(medSC)},
		}, false, "\r\nepilogue "+medTC), Limits{}, true, true},
		{"truncated: no close delimiter", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{testgen.FormField("a", hk), text(edges[:11<<20])}, true, ""), Limits{}, true, true},
		{"text part ending at a chunk edge", ct, chunkEdge(bnd, edges), Limits{}, true, true},
		// The smallest part read in windows (its CRLF one byte past the
		// threshold), and the largest read whole once in.
		{"a part just large enough to stream", ct, thresholdPart(bnd, edges, 1), Limits{}, true, false},
		{"a part just too small to stream", ct, thresholdPart(bnd, edges, 0), Limits{}, true, false},
		{"no headers, multipart/mixed", "multipart/mixed; boundary=" + bnd, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{{Body: edges[:9<<20]}, {Body: []byte(hk)}}, false, ""), Limits{}, true, true},
		// Left to mime/multipart, or beyond the text limits: read afresh.
		{"LF framing", ct, testgen.Multipart(bnd, "\n", "", []testgen.Part{testgen.FormField("a", hk), text(edges[:9<<20])}, false, ""), Limits{}, false, false},
		{"a bare-LF delimiter after the close", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{testgen.FormField("a", hk), text(edges[:9<<20])}, false, "x\r\n--"+bnd+"\nlate"), Limits{}, false, false},
		{"text part over the text cap", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{text(edges[:10<<20])}, false, ""), Limits{MaxTotalBytes: 2 << 20}, false, false},
		{"total text limit reached", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{text(edges[:10<<20]), testgen.FormField("a", hk)}, false, ""), Limits{MaxTotalBytes: 6 << 20}, false, false},
		// A large JSON document, JSON Lines or form part: walked as it
		// arrives; one that is not JSON throughout, or past the text
		// cap, is read afresh.
		{"a large JSON part between fields", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{
			testgen.FormField("a", hk), testgen.FormFile("j", "r.json", "application/json", bigJSON), testgen.FormField("b", medTC),
		}, false, ""), Limits{}, true, true},
		{"a large JSON part with a huge string", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{
			testgen.FormFile("j", "robot.json", "", hugeString), text(small),
		}, false, ""), Limits{}, true, true},
		{"a large JSON Lines part", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{testgen.FormFile("j", "r.ndjson", "application/x-ndjson", lines)}, false, ""), Limits{}, true, true},
		{"a large form part", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{testgen.FormFile("f", "f.txt", "application/x-www-form-urlencoded", form)}, false, ""), Limits{}, true, true},
		{"a large JSON part cut short", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{testgen.FormFile("j", "r.json", "application/json", bigJSON[:len(bigJSON)-2]), testgen.FormField("b", hk)}, false, ""), Limits{}, false, false},
		{"a large JSON part over the text cap", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{testgen.FormFile("j", "r.json", "application/json", bigJSON)}, false, ""), Limits{MaxTotalBytes: 2 << 20}, false, false},
		{"too many delimiters", ct, testgen.Multipart(bnd, "\r\n", "", []testgen.Part{text(edges[:9<<20]), testgen.FormField("a", hk), testgen.FormField("b", hk), testgen.FormField("c", hk)}, false, ""), Limits{MaxEntries: 2}, false, false},
	}
	for _, c := range cases {
		if int64(len(c.body)) <= StreamAbove || !StreamsMultipart(c.ctype, c.body[:HeadLen], int64(len(c.body))) {
			t.Fatalf("%s: not a large multipart body by its head", c.name)
		}
	}
	return cases
}

// chunkEdge is a body whose text part ends where the CRLF before its
// close delimiter falls across a scan chunk's edge.
func chunkEdge(bnd string, text []byte) []byte {
	pre := testgen.Multipart(bnd, "\r\n", "", []testgen.Part{testgen.FormFile("m", "a.txt", "", nil)}, true, "")
	n := 40*partChunk - len(pre) - 3
	return testgen.Multipart(bnd, "\r\n", "", []testgen.Part{testgen.FormFile("m", "a.txt", "", text[:n])}, false, "")
}

// thresholdPart is a body whose second part's CRLF before the close
// delimiter is past bytes after partHeaderMax+StreamAbove bytes of it.
func thresholdPart(bnd string, text []byte, past int) []byte {
	p := testgen.FormFile("media", "notes.txt", "text/plain", nil)
	hlen := len(strings.ReplaceAll(p.Header, "\n", "\r\n")) + 4
	p.Body = text[:partHeaderMax+StreamAbove+past-hlen]
	return testgen.Multipart(bnd, "\r\n", "", []testgen.Part{testgen.FormField("a", "x"), p}, false, "")
}

func TestMultipartStreamEqualsWhole(t *testing.T) {
	for _, c := range mpCases(t) {
		t.Run(c.name, func(t *testing.T) {
			want, _ := readMultipart(c.body, c.ctype, false, c.lim)
			if want.err != nil {
				t.Fatal(want.err)
			}
			got, firstAt := readMultipart(c.body, c.ctype, true, c.lim)
			if !c.streams {
				if !errors.Is(got.err, ErrSpeculation) {
					t.Fatalf("read as it arrives (err %v), want ErrSpeculation", got.err)
				}
				return
			}
			if got.err != nil {
				t.Fatal(got.err)
			}
			if g, w := got.String(), want.String(); g != w {
				t.Fatalf("read as it arrives:\n%s\nwant\n%s", g, w)
			}
			// The same body sent chunked (its size not known until its
			// end) is read the same way.
			chunked, _ := readMultipart(c.body, c.ctype, true, c.lim, sizeUnknown)
			if chunked.err != nil {
				t.Fatalf("size unknown: %v", chunked.err)
			}
			if g, w := chunked.String(), want.String(); g != w {
				t.Fatalf("size unknown:\n%s\nwant\n%s", g, w)
			}
			// A part is known to be read in windows once StreamAbove
			// bytes of it are in; the first window follows at once.
			if c.whileRead && (firstAt < 0 || firstAt > int64(len(c.body))-512<<10) {
				t.Fatalf("first window handed over once %d of %d bytes were read", firstAt, len(c.body))
			}
		})
	}
}

// mpFiller is the large middle of FuzzMultipartStream's big bodies: text
// with near-miss delimiters of its boundary.
var mpFiller = sync.OnceValue(func() []byte {
	r := rand.New(rand.NewPCG(5, 5))
	return mpText(r, 9<<20, map[int]string{1 << 20: "\r\n--xYzq", 4 << 20: "\r\n--xY\r\n", StreamWindow - 2: "\r\n--x"})
})

// FuzzMultipartStream: whatever the bytes, the reading as it arrives
// equals multipart's reading of the complete body, or declines: the
// delimiter scan, part headers, padding, preamble and epilogue of small
// bodies (the reading as it arrives takes any size once speculative).
func FuzzMultipartStream(f *testing.F) {
	for _, s := range mpSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) { mpSame(t, data) })
}

// FuzzMultipartStreamLarge is FuzzMultipartStream with 9 MiB of text in
// the body: a part large enough to be read in windows when the bytes
// frame one around it. (Each input takes seconds under -fuzz.)
func FuzzMultipartStreamLarge(f *testing.F) {
	for _, s := range mpSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The text goes where the bytes say "@@" (the seeds: inside a
		// part), else in their middle.
		k, skip := len(data)/2, 0
		if i := bytes.Index(data, []byte("@@")); i >= 0 {
			k, skip = i, 2
		}
		mpSame(t, append(append(append([]byte{}, data[:k]...), mpFiller()...), data[k+skip:]...))
	})
}

const mpFuzzBoundary = "xYz"

func mpSeeds() [][]byte {
	const bnd = mpFuzzBoundary
	nl := "\r\n"
	return [][]byte{
		testgen.Multipart(bnd, nl, "", []testgen.Part{testgen.FormField("a", "v "+testgen.HKID(1)), testgen.FormFile("f", "n.txt", "", []byte("text @@"))}, false, ""),
		testgen.Multipart(bnd, nl, "pre\r\n", []testgen.Part{testgen.FormFile("f", "n.txt", "text/plain", []byte("a@@")), testgen.FormField("b", "會議")}, false, "epi"),
		testgen.Multipart(bnd, nl, "", []testgen.Part{testgen.FormField("a", "x"), testgen.FormFile("f", "n.csv", "text/csv", []byte("h,k\n@@"))}, true, ""),
		testgen.Multipart(bnd, nl, "", []testgen.Part{testgen.FormField("a", "x"), testgen.FormFile("f", "n.json", "application/json", []byte(`{"a":"@@"}`))}, false, ""),
		testgen.Multipart(bnd, nl, "", []testgen.Part{testgen.FormFile("f", "f.txt", "application/x-www-form-urlencoded", []byte("a=1&b=@@&c=2")), testgen.FormField("b", "x")}, false, ""),
		testgen.Multipart(bnd, nl, "", []testgen.Part{{Header: `Content-Disposition: form-data; name="f"` + "\nContent-Transfer-Encoding: quoted-printable", Body: []byte("=E6=9C=83@@")}}, false, ""),
		testgen.Multipart(bnd, nl, "", []testgen.Part{testgen.FormField("a", "x"), testgen.FormFile("f", "n.txt", "text/plain; charset=gbk", []byte("@@"))}, false, ""),
		testgen.Multipart(bnd, "\n", "", []testgen.Part{testgen.FormField("a", "x"), testgen.FormFile("f", "n.txt", "", []byte("@@"))}, false, ""),
		[]byte("--xYz  \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--xYzX\r\n--xYz\r\n\r\n\r\n--xYz--"),
		[]byte("--xYz\r\nContent-Transfer-Encoding: base64\r\n\r\nQUJD\r\n--xYz--\r\n"),
		[]byte("--xYz\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\nin\r\n--q--\r\n--xYz--"),
		[]byte("--xYz--\r\n"),
		[]byte("junk\r\n--xYz\r\nbroken header\r\n\r\nbody"),
		[]byte("--xYz\r\n\r\n--xYz\r\n\r\n--xYz--\r\n--xYz\nlate"),
	}
}

// mpSame fails when the reading of body as it arrives neither declines
// nor equals the reading of the complete body.
func mpSame(t *testing.T, body []byte) {
	ct := "multipart/form-data; boundary=" + mpFuzzBoundary
	want, _ := readMultipart(body, ct, false, Limits{})
	got, _ := readMultipart(body, ct, true, Limits{})
	mpSameAs(t, "read as it arrives", got, want)
	// Chunked (its size unknown until its end): a body is read so only
	// when it fills its head (HeadLen bytes) and shows a delimiter in
	// it, so the fuzzed bytes go after a preamble that makes up the rest.
	pre := max(HeadLen-len(body), 0) + 16
	padded := append(bytes.Repeat([]byte("preamble text\r\n"), pre/15+1), body...)
	want, _ = readMultipart(padded, ct, false, Limits{})
	chunked, _ := readMultipart(padded, ct, true, Limits{}, sizeUnknown)
	mpSameAs(t, "size unknown", chunked, want)
}

// mpSameAs fails unless got, a reading as the body arrives, declined
// (ErrSpeculation) or equals want, the complete body's.
func mpSameAs(t *testing.T, name string, got, want mpEvents) {
	t.Helper()
	if errors.Is(got.err, ErrSpeculation) {
		return
	}
	if fmt.Sprint(got.err) != fmt.Sprint(want.err) {
		t.Fatalf("%s: error %v, want %v", name, got.err, want.err)
	}
	if g, w := got.String(), want.String(); g != w {
		t.Fatalf("%s:\n%s\nwant\n%s", name, g, w)
	}
}

// sizeUnknown makes an Input a chunked upload's: its size not known.
func sizeUnknown(in *Input) { in.Size, in.SizeUnknown = -1, true }

// A chunked multipart body cut short in its last part (no delimiter after
// it) is read to its true end: the last part is the bytes up to where the
// body ended, as the complete body's reading has it, for a small last
// part (read in place), a ZIP (read where it lies, by its size), a large
// ZIP and a large text (read in windows).
func TestMultipartUnknownSizeTruncated(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	ct := "multipart/form-data; boundary=" + mpFuzzBoundary
	pre := bytes.Repeat([]byte("preamble text\r\n"), HeadLen/30)
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	if f, err := zw.Create("notes.txt"); err == nil {
		f.Write([]byte("zipped notes of the meeting"))
	}
	zw.Close()
	// And one over StreamAbove that is not text: read in place once the
	// scan has found where the body ends.
	var big bytes.Buffer
	bw := zip.NewWriter(&big)
	if f, err := bw.CreateHeader(&zip.FileHeader{Name: "data.bin", Method: zip.Store}); err == nil {
		noise := make([]byte, StreamAbove+1<<20)
		for i := range noise {
			noise[i] = byte(r.Uint32())
		}
		f.Write(noise)
		f.Write([]byte(" notes: A123456(3)"))
	}
	bw.Close()
	for _, last := range [][]byte{[]byte("last part, A123456(3), cut"), zb.Bytes(), big.Bytes(), mpText(r, StreamAbove+1<<20, nil)} {
		body := slices.Concat(pre, []byte("--"+mpFuzzBoundary+"\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nfirst part "+strings.Repeat("of the notes ", 400)+"\r\n--"+mpFuzzBoundary+
			"\r\nContent-Disposition: form-data; name=\"b\"; filename=\"n.txt\"\r\n\r\n"), last)
		want, _ := readMultipart(body, ct, false, Limits{})
		got, _ := readMultipart(body, ct, true, Limits{}, sizeUnknown)
		if got.err != nil {
			t.Fatalf("%d-byte last part: %v", len(last), got.err)
		}
		if g, w := got.String(), want.String(); g != w {
			t.Fatalf("%d-byte last part:\n%s\nwant\n%s", len(last), g, w)
		}
	}
}
