package extract

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/internal/cputime"
	"github.com/dlpgate/dlpgate/internal/testgen"
)

// The front-to-back reading of a large JSON document (jsonstream.go)
// against the whole-document walk: the segments it hands to Batch, and the
// text of the windows of its large strings put back together, are the
// whole-document walk's segments, in order, with the same problems and
// text count; a document it declines is walked whole exactly as before,
// with nothing handed over; and a speculative reading gives the same
// output or ErrSpeculation, never anything else.

// jsonRead is one Extract of body with Stream and Batch set: the segments
// in the order they were handed over, each large string's windows joined
// back into one segment by their offsets.
type jsonRead struct {
	segs    []Segment
	batches int
	windows int
	res     *Result
	err     error
}

func readJSONStream(body []byte, ctype string, spec bool, lim Limits) jsonRead {
	return readEncodedStream(body, ctype, "", spec, lim)
}

// readEncodedStream is readJSONStream of a body with a Content-Encoding.
// Each opt changes the Input before the Extract.
func readEncodedStream(body []byte, ctype, enc string, spec bool, lim Limits, opts ...func(*Input)) jsonRead {
	var out jsonRead
	var cur *strings.Builder
	curOrigin := ""
	end := func() {
		if cur != nil {
			out.segs = append(out.segs, Segment{Origin: curOrigin, Text: cur.String()})
			cur = nil
		}
	}
	in := Input{ContentType: ctype, ContentEncoding: enc, Body: readerOnly{bytes.NewReader(body)}, Size: int64(len(body)), Origin: "body", Speculative: spec,
		Stream: func(s Segment, off int64) {
			out.windows++
			if cur == nil || s.Origin != curOrigin || off == 0 {
				end()
				cur, curOrigin = &strings.Builder{}, s.Origin
			}
			t := cur.String()
			if off > int64(len(t)) {
				panic(fmt.Sprintf("window at %d after %d bytes", off, len(t)))
			}
			cur.Reset()
			cur.WriteString(t[:off])
			cur.WriteString(s.Text)
		},
		Batch: func(segs []Segment) {
			end()
			out.batches++
			for _, s := range segs {
				out.segs = append(out.segs, Segment{Origin: strings.Clone(s.Origin), Text: strings.Clone(s.Text)})
			}
		}}
	for _, o := range opts {
		o(&in)
	}
	out.res, out.err = Extract(context.Background(), in, lim)
	end()
	if out.res != nil {
		out.segs = append(out.segs, out.res.Segments...)
	}
	return out
}

// wholeJSON is the whole-document walk of body (no Batch: it is loaded).
func wholeJSON(t *testing.T, body []byte, ctype string, lim Limits) *Result {
	t.Helper()
	res, err := Extract(context.Background(), Input{ContentType: ctype, Body: readerOnly{bytes.NewReader(body)}, Size: int64(len(body)), Origin: "body"}, lim)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func sameSegments(t *testing.T, what string, got, want []Segment) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d segments, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			g, w := got[i].Text, want[i].Text
			at := 0
			for at < min(len(g), len(w)) && g[at] == w[at] {
				at++
			}
			t.Fatalf("%s: segment %d: %q (%d bytes) differs from %q (%d bytes) at byte %d", what, i, got[i].Origin, len(g), want[i].Origin, len(w), at)
		}
	}
}

var scripts = []string{"en", "tc", "sc"}

// jsonRecord is one record with a bit of everything the walker treats
// apart: escapes, surrogate pairs, numbers under keys, keys that carry
// data, JSON inside a string, base64 text and a base64 document, CJK.
func jsonRecord(r *rand.Rand, i int) string {
	sc := scripts[i%3]
	inner, _ := jsonMarshal(map[string]any{"hkid": testgen.HKID(i), "addr": testgen.Address(r, sc)})
	b64 := base64.StdEncoding.EncodeToString([]byte("HKID " + testgen.HKID(i+7) + " " + testgen.Name(r, sc) + " mobile " + testgen.HKMobile(r)))
	name := testgen.Name(r, sc)
	esc := strconv.QuoteToASCII(name) // \uXXXX escapes
	return fmt.Sprintf(`{"id":%d,"name":%s,"raw":"%s","mobile":"%s","email":"%s","note":"line\none\t\"q\" \/ \ud83d\ude00 \ud800 x","amount":-12.5e3,"ok":true,"none":null,`+
		`"nested":%s,"b64":"%s","%s":"key data","地址":"%s","list":[1,"x",[],{}]}`,
		i, esc, name, testgen.HKMobile(r), testgen.Email(r, i), strconv.Quote(string(inner)), b64, testgen.HKID(i+3), testgen.Address(r, sc))
}

func jsonMarshal(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{")
	keys := []string{}
	for k := range v.(map[string]any) {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%q", k, v.(map[string]any)[k])
	}
	b.WriteString("}")
	return b.Bytes(), nil
}

// recordsJSON is an array of records of at least n bytes, wrapped as an
// API body.
func recordsJSON(r *rand.Rand, n int) []byte {
	var b bytes.Buffer
	b.WriteString("\ufeff \n{\"msgtype\":\"records\",\"count\":3,\"records\":[")
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteString(",\n ")
		}
		b.WriteString(jsonRecord(r, i))
	}
	b.WriteString("],\"tail\":\"" + testgen.HKID(99) + "\"}\n")
	return b.Bytes()
}

// bigStringJSON is an object with one string value of at least n bytes of
// words in the three scripts, JSON escapes of every kind scattered
// through it (some at the reading's chunk and window edges), and HKIDs.
func bigStringJSON(r *rand.Rand, n int) []byte {
	words := []string{"quarterly", "plan", "客戶", "资料", "review", "發票", "x", `\n`, `\t`, `\"`, `\\`, `\/`, `\u5ba2`, `\ud83d\ude00`, `\udc00`, "é", testgen.HKID(5)}
	var b bytes.Buffer
	b.WriteString(`{"msgtype":"text","text":{"content":"`)
	for b.Len() < n {
		// Escapes right at the edges of the reading's chunks and
		// windows (the text shrinks a little as escapes decode).
		if d := b.Len() % jsonChunk; d > jsonChunk-14 || d < 3 {
			b.WriteString(`\u00e9`)
			continue
		}
		b.WriteString(words[r.IntN(len(words))])
		b.WriteByte(' ')
		if r.IntN(50) == 0 {
			b.WriteString(testgen.HKID(r.IntN(1000)) + " ")
		}
	}
	b.WriteString(`"},"at":{"isAtAll":false,"atMobiles":["` + testgen.HKMobile(r) + `"]},"after":[1,2,"` + testgen.Name(r, "tc") + `"]}`)
	return b.Bytes()
}

// jsonLinesBody is JSON Lines of at least n bytes: records, blank lines,
// CRLF ends, a line led by a no-break space (not JSON white space: the
// whole walk skips it), an array line.
func jsonLinesBody(r *rand.Rand, n int) []byte {
	var b bytes.Buffer
	b.WriteString("\n \n")
	for i := 0; b.Len() < n; i++ {
		switch i % 97 {
		case 5:
			b.WriteString("\n")
		case 11:
			b.WriteString("\u00a0" + `{"skipped":"` + testgen.HKID(i) + `"}` + "\n")
		case 13:
			b.WriteString(`[1,"` + testgen.Name(r, "sc") + `"]` + "\r\n")
		}
		b.WriteString(jsonRecord(r, i) + "\n")
	}
	return b.Bytes()
}

func TestJSONStreamEqualsWholeWalk(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 3))
	big := bigStringJSON(r, StreamAbove+3*StreamWindow/2)
	mixed := recordsJSON(r, StreamAbove/2)
	mixed = append(mixed[:len(mixed)-2], []byte(`,"big":`)...)
	mixed = append(mixed, big...) // the big object as a member
	mixed = append(mixed, '}')
	cases := []struct {
		name  string
		body  []byte
		ctype string
	}{
		{"array of records", recordsJSON(r, StreamAbove+1<<20), "application/json"},
		{"huge string", big, "application/json; charset=utf-8"},
		{"records then a huge string", mixed, ""},
		{"JSON Lines", jsonLinesBody(r, StreamAbove+1<<20), "application/x-ndjson"},
		// Pieces that make little text: the buffer of pieces fills
		// before a batch's worth of text.
		{"records padded with white space", []byte("[" + strings.Repeat(`{"a":"x",`+strings.Repeat(" ", 4000)+`"n":1},`, (StreamAbove+1<<20)/4020) + "2]"), "application/json"},
		{"top-level array", []byte("[" + strings.Repeat(`"`+strings.Repeat("abc ", 70000)+`",`, 33) + "1]"), "text/plain"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if len(c.body) <= StreamAbove || !validJSON(string(bytes.TrimPrefix(c.body, []byte("\ufeff")))) && c.ctype != "application/x-ndjson" {
				t.Fatalf("case body: %d bytes, valid JSON %v", len(c.body), validJSON(string(c.body)))
			}
			want := wholeJSON(t, c.body, c.ctype, Limits{})
			for _, spec := range []bool{false, true} {
				got := readJSONStream(c.body, c.ctype, spec, Limits{})
				if got.err != nil {
					t.Fatalf("speculative %v: %v", spec, got.err)
				}
				if got.batches == 0 || len(got.res.Segments) != 0 {
					t.Fatalf("speculative %v: %d batches, %d segments left: not read front to back", spec, got.batches, len(got.res.Segments))
				}
				sameSegments(t, fmt.Sprint("speculative ", spec), got.segs, want.Segments)
				if fmt.Sprint(got.res.Problems) != fmt.Sprint(want.Problems) || got.res.TextBytes != want.TextBytes {
					t.Fatalf("problems %v text %d, want %v %d", got.res.Problems, got.res.TextBytes, want.Problems, want.TextBytes)
				}
			}
		})
	}
}

// A large JSON part of a multipart upload is read front to back too, as
// a part of the spilled body, the parts around it as before.
func TestJSONStreamMultipartPart(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	part := recordsJSON(r, StreamAbove+1<<20)
	var b bytes.Buffer
	b.WriteString("--xyz\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nHKID " + testgen.HKID(4) + "\r\n")
	b.WriteString("--xyz\r\nContent-Disposition: form-data; name=\"media\"; filename=\"dump.json\"\r\nContent-Type: application/json\r\n\r\n")
	b.Write(part)
	b.WriteString("\r\n--xyz\r\nContent-Disposition: form-data; name=\"tail\"\r\n\r\n" + testgen.Name(r, "tc") + "\r\n--xyz--\r\n")
	ctype := "multipart/form-data; boundary=xyz"
	want := wholeJSON(t, b.Bytes(), ctype, Limits{})
	got := readJSONStream(b.Bytes(), ctype, false, Limits{})
	if got.err != nil || got.batches == 0 {
		t.Fatalf("err %v, %d batches", got.err, got.batches)
	}
	// The parts around the JSON part keep their segments in the Result,
	// those before it first: put the batches back between them.
	batched := got.segs[:len(got.segs)-len(got.res.Segments)]
	k := slices.Index(want.Segments, batched[0])
	if k < 0 || k > len(got.res.Segments) {
		t.Fatalf("first batched segment %q not among the whole walk's first %d", batched[0].Origin, len(got.res.Segments))
	}
	segs := slices.Concat(got.res.Segments[:k], batched, got.res.Segments[k:])
	sameSegments(t, "multipart", segs, want.Segments)
	if fmt.Sprint(got.res.Problems) != fmt.Sprint(want.Problems) || got.res.TextBytes != want.TextBytes {
		t.Fatalf("problems %v text %d, want %v %d", got.res.Problems, got.res.TextBytes, want.Problems, want.TextBytes)
	}
}

// Bodies the front-to-back reading must decline: it hands nothing over,
// the whole-document walk reads them as before, and a speculative reading
// reports ErrSpeculation.
func TestJSONStreamDeclines(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 9))
	const unit = "plain words 客戶 资料 "
	words := strings.Repeat(unit, (StreamAbove+1<<20)/len(unit))
	str := func(text string) []byte { return []byte(`{"a":"x","content":"` + text + `"}`) }
	recs := recordsJSON(r, StreamAbove+1<<20)
	ndjson := jsonLinesBody(r, StreamAbove+1<<20)
	cases := []struct {
		name string
		body []byte
	}{
		{"entities in a huge string", str(words + "Tom &amp; Jerry;")},
		{"percent escapes in a huge string", str(words + "A%31%32")},
		{"percent escape split", str(words[:len(words)-1] + "%4" + "1 and %42")},
		{"base64 run in a huge string", str(words + base64.StdEncoding.EncodeToString([]byte("HKID A123456(3) for review")))},
		{"JSON inside a huge string", str(` {\"x\":\"` + words + `\"}`)},
		{"data URL", str("data:text/plain;base64," + words)},
		{"only base64 characters", str(strings.Repeat("QUJD\\n", (StreamAbove+1<<20)/6))},
		{"JSON Lines with a line that is not JSON", append(bytes.Clone(ndjson), `{"a":1}x`...)},
		{"JSON Lines with a scalar line", append(bytes.Clone(ndjson), "12\n"...)},
		{"JSON Lines with a line too long to be a piece", append(bytes.Clone(ndjson), `{"a":"`+words+`"}`...)},
		{"one document, then another on its line", append([]byte(`{"a":1} `), recs...)},
		{"truncated", recs[:len(recs)-5]},
		{"trailing garbage", append(recs[:len(recs):len(recs)], 'x')},
		{"invalid UTF-8 in a record", bytes.Replace(recs, []byte("line"), []byte("li\xffne"), 1)},
		{"invalid UTF-8 in a huge string", str(words + "\xc3(")},
		{"control character in a huge string", str(words + "\x01")},
		{"bad escape in a huge string", str(words + `\x`)},
		{"huge number", []byte(`{"n":` + strings.Repeat("1", StreamAbove+10) + `}`)},
		{"huge key", []byte(`{"` + strings.Repeat("k", StreamAbove+10) + `":1}`)},
		{"nested past the skeleton limit", []byte(strings.Repeat(`[`, jsonSkeletonMax+2) + `"` + words + `"` + strings.Repeat(`]`, jsonSkeletonMax+2))},
		{"deeper than encoding/json", []byte(`[` + strings.Repeat(`[`, jsonMaxNesting) + strings.Repeat(`]`, jsonMaxNesting) + `,"` + words + `"]`)},
		{"unclosed huge string", []byte(`{"a":"` + words)},
		{"missing colon", []byte(`{"a" "` + words + `"}`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if len(c.body) <= StreamAbove {
				t.Fatalf("case body: %d bytes", len(c.body))
			}
			want := wholeJSON(t, c.body, "application/json", Limits{})
			got := readJSONStream(c.body, "application/json", false, Limits{})
			if got.err != nil || got.batches != 0 || got.windows != 0 {
				t.Fatalf("read front to back: err %v, %d batches, %d windows", got.err, got.batches, got.windows)
			}
			sameSegments(t, "declined", got.segs, want.Segments)
			if fmt.Sprint(got.res.Problems) != fmt.Sprint(want.Problems) {
				t.Fatalf("problems %v, want %v", got.res.Problems, want.Problems)
			}
			spec := readJSONStream(c.body, "application/json", true, Limits{})
			if !errors.Is(spec.err, ErrSpeculation) {
				t.Fatalf("speculative reading: %v, want ErrSpeculation", spec.err)
			}
		})
	}
}

// The text limit stops the front-to-back reading where it stops the whole
// walk; a speculative reading cut so cannot vouch for the rest.
func TestJSONStreamTextLimit(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 1))
	for _, body := range [][]byte{recordsJSON(r, StreamAbove+1<<20), bigStringJSON(r, StreamAbove+1<<20)} {
		lim := Limits{MaxTotalBytes: 5 << 20}
		want := wholeJSON(t, body, "application/json", lim)
		got := readJSONStream(body, "application/json", false, lim)
		if got.err != nil {
			t.Fatal(got.err)
		}
		// The whole walk cuts its last segment at the limit; windows cut
		// theirs at the same byte of the text.
		sameSegments(t, "limited", got.segs, want.Segments)
		if fmt.Sprint(got.res.Problems) != fmt.Sprint(want.Problems) || got.res.TextBytes != want.TextBytes {
			t.Fatalf("problems %v text %d, want %v %d", got.res.Problems, got.res.TextBytes, want.Problems, want.TextBytes)
		}
		if spec := readJSONStream(body, "application/json", true, lim); !errors.Is(spec.err, ErrSpeculation) {
			t.Fatalf("speculative reading past the text limit: %v", spec.err)
		}
	}
}

func TestStreamsJSONHead(t *testing.T) {
	size := int64(StreamAbove + 1)
	for _, c := range []struct {
		ctype, head string
		want        bool
	}{
		{"application/json", `{"a":1}`, true},
		{"", "\ufeff \r\n\ufeff[1]", true},
		{"application/json; charset=UTF-8", `[`, true},
		{"application/json; charset=us-ascii", `{}`, false},
		{"application/json; charset=gbk", `{}`, false},
		{"application/x-www-form-urlencoded", `{}`, false},
		{"multipart/form-data; boundary=x", `{}`, false},
		{"text/plain", `"a"`, false},
		{"text/plain", "{\x00}", false},
	} {
		head := []byte(c.head)
		if got := StreamsJSON(c.ctype, head, int64(len(head))); got {
			t.Errorf("%q %q: a body of its head's size is small", c.ctype, c.head)
		}
		full := append(head, bytes.Repeat([]byte(" "), HeadLen)...)
		if got := StreamsJSON(c.ctype, full[:HeadLen], size); got != c.want {
			t.Errorf("StreamsJSON(%q, %q) = %v, want %v", c.ctype, c.head, got, c.want)
		}
	}
}

// FuzzJSONStream: any body, padded past StreamAbove, is either read front
// to back with the whole walk's output or declined with it untouched.
func FuzzJSONStream(f *testing.F) {
	for i, s := range []string{`{"t":"\u00e9\ud83d\ude00\ud800"}`, `{"a":"{\"b\":1}"}`, `{"a":"b"}`, `[1,"x",{"k":[true,null]}]`, `{"a":"&x;"}`, `{"a":"%41%42"}`, `[{"a":1}]` + "\n" + `{"b":2}`, "{\"a\":\"\xff\"}", `{"a" 1}`, `{"12345678":"x"}`} {
		f.Add([]byte(s), uint16(0))
		if i < 2 {
			f.Add([]byte(s), uint16(40000)) // the value across a chunk edge
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte, pad uint16) {
		if len(doc) > 4096 {
			return
		}
		body := fuzzJSONBody(doc, pad)
		want := wholeJSON(t, body, "application/json", Limits{})
		got := readJSONStream(body, "application/json", false, Limits{})
		if got.err != nil {
			t.Fatal(got.err)
		}
		sameSegments(t, "fuzzed", got.segs, want.Segments)
		if fmt.Sprint(got.res.Problems) != fmt.Sprint(want.Problems) || got.res.TextBytes != want.TextBytes {
			t.Fatalf("problems %v text %d, want %v %d", got.res.Problems, got.res.TextBytes, want.Problems, want.TextBytes)
		}
		spec := readJSONStream(body, "application/json", true, Limits{})
		sameSpeculative(t, got.batches > 0, spec, want.Segments)
	})
}

// fuzzJSONBody is a large JSON array holding doc: a huge string before it
// makes the body large, and pad moves doc across the reading's chunk
// edges.
func fuzzJSONBody(doc []byte, pad uint16) []byte {
	filler := strings.Repeat("w ", jsonPieceMax/2+int(pad))
	body := []byte(`[" ` + filler + ` ",` + strings.Repeat(`"`+strings.Repeat("y ", jsonPieceMax/4)+`",`, 15))
	body = append(append(body, doc...), ']')
	if len(body) <= StreamAbove {
		body = append([]byte(strings.Repeat(" ", StreamAbove+1-len(body))), body...)
	}
	return body
}

// sameSpeculative checks a speculative reading against the reading that
// is not: when that one read the body front to back (read), the
// speculative one gives the same segments (want); when it declined, the
// speculative one gives ErrSpeculation.
func sameSpeculative(t *testing.T, read bool, spec jsonRead, want []Segment) {
	t.Helper()
	switch {
	case !read && !errors.Is(spec.err, ErrSpeculation):
		t.Fatalf("declined, but a speculative reading gave %v", spec.err)
	case read:
		if spec.err != nil {
			t.Fatalf("read, but a speculative reading gave %v", spec.err)
		}
		sameSegments(t, "speculative", spec.segs, want)
	}
}

// BenchmarkJSONStream: the front-to-back reading of a 50 MiB robot
// message (one huge string) and a 20 MiB array of records, plain and
// gzip-encoded, segments and windows thrown away, against the
// whole-document walk ("-whole"). SetBytes is the body's size as sent.
func BenchmarkJSONStream(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	text := strings.ReplaceAll(string(randomText(r, 50<<20, true)), "\n", `\n`)
	robot := []byte(`{"msgtype":"text","text":{"content":"` + strings.ReplaceAll(text, "A123456(7)", "A1234") + `"}}`)
	var recs bytes.Buffer
	recs.WriteString(`{"records":[`)
	for i := 0; recs.Len() < 20<<20; i++ {
		if i > 0 {
			recs.WriteByte(',')
		}
		fmt.Fprintf(&recs, `{"id":%d,"title":"plain quarterly planning notes %d","status":"ok","tags":["plan","q%d"]}`, i, i, i%4)
	}
	recs.WriteString(`]}`)
	for _, c := range []struct {
		name string
		body []byte
		enc  string
	}{{"robot-50MiB", robot, ""}, {"records-20MiB", recs.Bytes(), ""},
		// Content-Encoding gzip: read from the decompressor (twice, a
		// check and a walk), against decompressed whole ("-whole").
		{"robot-50MiB-gzip", gzipNamed(b, "", robot), "gzip"}, {"records-20MiB-gzip", gzipNamed(b, "", recs.Bytes()), "gzip"}} {
		for _, whole := range []bool{false, true} {
			name := c.name
			if whole {
				name += "-whole"
			}
			b.Run(name, func(b *testing.B) {
				in := Input{ContentType: "application/json", ContentEncoding: c.enc, Body: readerOnly{bytes.NewReader(c.body)}, Size: int64(len(c.body)), Origin: "body"}
				if !whole {
					in.Stream = func(Segment, int64) {}
					in.Batch = func([]Segment) {}
				}
				b.SetBytes(int64(len(c.body)))
				cpu0 := cputime.Process()
				for b.Loop() {
					if _, err := Extract(context.Background(), in, Limits{}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
			})
		}
	}
}

// A speculative reading of a JSON body beyond a size limit (which the
// whole walk reads only the first part of) gives up rather than load it.
func TestJSONStreamSpeculativeBeyondLimits(t *testing.T) {
	body := []byte(`{"a":"` + strings.Repeat("plain notes ", (StreamAbove+1<<20)/12) + `"}`)
	for _, lim := range []Limits{{MaxDecompressed: StreamAbove + 1}, {MaxTotalBytes: 1 << 20}} {
		if got := readJSONStream(body, "application/json", true, lim); !errors.Is(got.err, ErrSpeculation) {
			t.Fatalf("limits %+v: %v, want ErrSpeculation", lim, got.err)
		}
		if got := readJSONStream(body, "application/json", false, lim); got.err != nil || got.batches != 0 {
			t.Fatalf("limits %+v: %v, %d batches, want the whole walk", lim, got.err, got.batches)
		}
	}
}
