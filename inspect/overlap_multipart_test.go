package inspect_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

// Overlap for multipart bodies (read part by part by extract as they
// arrive, a large text part in windows) against Inspect on the complete
// body: text, CSV, JSON, DOCX, binary, base64 and quoted-printable parts,
// HKIDs and Chinese medical text at window edges, preamble and epilogue,
// RFC 2231 names, a body with no close delimiter; and the bodies that must
// fall back (LF framing, a bare-LF delimiter after the close). Each is fed
// at random and cut at every offset around its delimiters and at the
// scan's chunk edges.

const mpBoundary = "----dlpgateFormBoundaryQ7x2"

const (
	medicalTC = "出院小結\n病人姓名：陳大文\n診斷：心房顫動；高血壓\n出院藥物：Warfarin 3mg 每日一次\n"
	medicalSC = "出院小结\n病人姓名：陈大文\n诊断：心房颤动；高血压\n出院药物：华法林 3mg 每日一次\n"
)

// mpLines is at least n bytes of lines of words in the three scripts
// (no digits), with the given strings where the text reaches the offsets.
func mpLines(r *rand.Rand, n int, at map[int]string) []byte {
	words := []string{"minutes", "of", "the", "planning", "meeting", "會議", "会议", "客戶", "资料", "é", "--"}
	var b bytes.Buffer
	for b.Len() < n {
		for off, s := range at {
			if b.Len() >= off {
				b.WriteString(s)
				delete(at, off)
			}
		}
		b.WriteString(words[r.IntN(len(words))])
		if r.IntN(10) == 0 {
			b.WriteString("\r\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.Bytes()
}

func multipartCases(t *testing.T) []kindCase {
	r := rand.New(rand.NewPCG(29, 3))
	w, o := extract.StreamWindow, extract.StreamOverlap
	hk := strings.ReplaceAll(testgen.HKIDList(3), "\n", " ")
	edges := mpLines(r, 13<<20, map[int]string{
		w - 5: testgen.HKID(51), 2*w - o - 3: medicalTC, 3*w - 2*o - 8: testgen.HKID(52) + " " + medicalSC,
		6 << 20: "\r\n--" + mpBoundary + "X not a delimiter\r\n",
	})
	clean := mpLines(r, 10<<20, nil)
	docx := testgen.DOCX("客戶名單", [][]string{{"name", "hkid"}, {testgen.Name(r, "tc"), testgen.HKID(53)}})
	zipPart := testgen.DOCX("notes", [][]string{{"note"}, {"nothing personal"}})
	json := `{"msgtype":"text","text":{"content":"會議 ` + hk + `"}}`
	bin := make([]byte, 2<<20)
	for i := range bin {
		bin[i] = byte(r.Uint32())
	}
	csv := []byte("name,hkid,note\n" + strings.Repeat("陳大文,"+testgen.HKID(54)+",ok\n", (9<<20)/30))
	nl := "\r\n"
	text := func(b []byte) testgen.Part { return testgen.FormFile("media", "notes.txt", "text/plain", b) }
	ct := "multipart/form-data; boundary=" + mpBoundary
	in := func(b []byte) extract.Input {
		return extract.Input{ContentType: ct, Size: int64(len(b)), Origin: "body"}
	}
	several := testgen.Multipart(mpBoundary, nl, "", []testgen.Part{
		testgen.FormField("msgParam", json), testgen.FormFile("doc", "名單.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx),
		testgen.FormField("note", "会议纪要"), text(edges), testgen.FormField("after", "會議"),
	}, false, "")
	between := testgen.Multipart(mpBoundary, nl, "", []testgen.Part{
		text(clean), testgen.FormFile("blob", "x.bin", "application/octet-stream", bin), testgen.FormFile("z", "n.docx", "", zipPart), testgen.FormFile("csv", "客戶.csv", "text/csv", csv),
	}, false, "")
	encoded := testgen.Multipart(mpBoundary, nl, "", []testgen.Part{
		text(clean),
		{Header: `Content-Disposition: form-data; name="b"; filename="b.txt"` + "\nContent-Transfer-Encoding: base64", Body: []byte("5pyD6K2wIA0KQTEyMzQ1Nig3KQ==")},
		{Header: `Content-Disposition: form-data; name="q"; filename="q.txt"` + "\nContent-Transfer-Encoding: quoted-printable", Body: []byte("=E8=A8=BA=E6=96=B7=EF=BC=9A=E5=BF=83=E6=88=BF=E9=A1=AB=E5=8B=95 " + testgen.HKID(55))},
	}, false, "")
	names := testgen.Multipart(mpBoundary, nl, "preamble "+testgen.HKID(56)+nl, []testgen.Part{
		{Header: `Content-Disposition: form-data; name="f"; filename*=UTF-8''%E5%AE%A2%E6%88%B6%E8%B3%87%E6%96%99.txt` + "\nX-Note: =?UTF-8?B?5a6i5oi3?=", Body: edges[:10<<20]},
		{Header: `Content-Disposition: form-data; name="病歷"; filename="诊断 報告.txt"`, Body: []byte(medicalSC)},
	}, false, nl+"epilogue "+medicalTC)
	truncated := testgen.Multipart(mpBoundary, nl, "", []testgen.Part{testgen.FormField("a", "會議"), text(edges[:11<<20])}, true, "")
	lf := testgen.Multipart(mpBoundary, "\n", "", []testgen.Part{testgen.FormField("a", hk), text(clean)}, false, "")
	lateLF := testgen.Multipart(mpBoundary, nl, "", []testgen.Part{testgen.FormField("a", hk), text(clean)}, false, "x\r\n--"+mpBoundary+"\nlate")
	cs := []kindCase{
		{"multipart several parts, a large text part", in(several), several, rules.Block, true},
		{"multipart binary and docx between text parts", in(between), between, rules.Block, true},
		{"multipart base64 and quoted-printable parts", in(encoded), encoded, "", true},
		{"multipart preamble, epilogue, RFC 2231 names", in(names), names, rules.Block, true},
		{"multipart truncated", in(truncated), truncated, "", true},
		{"multipart LF framing", in(lf), lf, rules.Block, false},
		{"multipart bare-LF delimiter after the close", in(lateLF), lateLF, rules.Block, false},
	}
	for _, c := range cs {
		if c.in.Size <= extract.StreamAbove {
			t.Fatalf("%s: %d bytes, not over StreamAbove", c.name, c.in.Size)
		}
	}
	return cs
}

// mpCuts are the offsets to cut b at: every offset around each delimiter
// (from a few bytes before its CRLF to a few after its line) and around
// the delimiter scan's chunk edges.
func mpCuts(b []byte) []int {
	var cuts []int
	delim := []byte("\r\n--" + mpBoundary)
	for i := 0; ; {
		j := bytes.Index(b[i:], delim)
		if j < 0 {
			break
		}
		for d := -3; d <= len(delim)+4; d++ {
			cuts = append(cuts, i+j+d)
		}
		i += j + len(delim)
	}
	for k := 1; k*(256<<10) < len(b); k++ {
		cuts = append(cuts, k*(256<<10)-1, k*(256<<10)+len(delim)-1)
	}
	slices.Sort(cuts)
	return slices.Compact(cuts)
}

// feedCuts delivers g up to each cut in turn, letting the reading catch
// up (and wait) at the ones around a delimiter, then completes it.
func feedCuts(g *growing, cuts []int) {
	sent := 0
	for _, c := range cuts {
		if c > sent && c < len(g.data) {
			g.feed(c - sent)
			sent = c
			time.Sleep(200 * time.Microsecond)
		}
	}
	g.end(nil)
}

func TestOverlapMultipart(t *testing.T) {
	eng := defaultEngine(t)
	cases := multipartCases(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := inspectWhole(t, eng, c.in, c.body, c.action)
			runs := 2
			if !c.overlaps {
				runs = 1
			}
			for run := range runs {
				feed := func(g *growing) { feedRandom(g, rand.New(rand.NewPCG(uint64(run), 79))) }
				if run > 0 {
					feed = func(g *growing) { feedCuts(g, mpCuts(c.body)) }
				}
				overlapEquals(t, eng, c, want, "run "+strconv.Itoa(run), feed)
			}
		})
	}
	t.Run("fail midway", func(t *testing.T) { kindsFailMidway(t, eng, cases) })
}

// A multipart upload of a large text file is classified while it arrives:
// with a quarter of it still unsent, windows of the file have reached the
// classifiers.
func TestOverlapMultipartClassifiesWhileArriving(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	body := testgen.Multipart(mpBoundary, "\r\n", "", []testgen.Part{
		testgen.FormField("msgParam", `{"title":"會議"}`),
		testgen.FormFile("media", "notes.txt", "text/plain", mpLines(r, 24<<20, map[int]string{12 << 20: testgen.HKIDList(3)})),
	}, false, "")
	in := extract.Input{ContentType: "multipart/form-data; boundary=" + mpBoundary, Size: int64(len(body)), Origin: "body"}
	classifiedWhileArriving(t, in, body)
}

// A large JSON file in a multipart upload is classified while it arrives
// too: with a quarter of the body unsent, batches of its records have
// reached the classifiers.
func TestOverlapMultipartJSONClassifiesWhileArriving(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 10))
	body := testgen.Multipart(mpBoundary, "\r\n", "", []testgen.Part{
		testgen.FormField("msgParam", `{"title":"會議"}`),
		testgen.FormFile("media", "customers.json", "application/json", jsonRecords(r, 20<<20, strings.ReplaceAll(testgen.HKIDList(3), "\n", " "))),
	}, false, "")
	in := extract.Input{ContentType: "multipart/form-data; boundary=" + mpBoundary, Size: int64(len(body)), Origin: "body"}
	classifiedWhileArriving(t, in, body)
}

// A chunked multipart upload (its size not known until its end) is read
// part by part as it arrives exactly when the same body with its size
// is, and its Result is Inspect's on the complete body.
func TestOverlapMultipartUnknownSize(t *testing.T) {
	eng := defaultEngine(t)
	for _, c := range multipartCases(t) {
		if c.in.ContentEncoding != "" {
			continue // a chunked compressed body is read once complete
		}
		t.Run(c.name, func(t *testing.T) { chunkedEqualsSized(t, eng, c) })
	}
}
