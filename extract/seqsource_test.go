package extract

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// The front-to-back reading of a decompressed JSON document or form
// (seqsource.go): for Content-Encoding gzip and deflate, and a .gz upload,
// what it hands over is what the same document gets uncompressed (the
// whole-document walk's segments); whatever it declines — not JSON read
// so, a damaged stream, the decompression limit — is read exactly as
// without it (decompressed whole), with nothing handed over; and a
// speculative reading gives the same output or ErrSpeculation.

func encodeAs(t testing.TB, enc string, b []byte) []byte {
	t.Helper()
	switch enc {
	case "gzip":
		return gzipNamed(t, "", b)
	case "deflate":
		return deflateBytes(t, b)
	}
	t.Fatalf("no encoder for %q", enc)
	return nil
}

// wholeEncoded is Extract of an encoded body with no Stream or Batch: the
// decompressed stream read whole.
func wholeEncoded(t *testing.T, body []byte, ctype, enc string, lim Limits) *Result {
	t.Helper()
	res, err := Extract(context.Background(), Input{ContentType: ctype, ContentEncoding: enc, Body: readerOnly{bytes.NewReader(body)}, Size: int64(len(body)), Origin: "body"}, lim)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func sameRead(t *testing.T, what string, got jsonRead, want *Result) {
	t.Helper()
	sameSegments(t, what, got.segs, want.Segments)
	if fmt.Sprint(got.res.Problems) != fmt.Sprint(want.Problems) || got.res.TextBytes != want.TextBytes {
		t.Fatalf("%s: problems %v text %d, want %v %d", what, got.res.Problems, got.res.TextBytes, want.Problems, want.TextBytes)
	}
}

func TestDecompressedJSONStreams(t *testing.T) {
	r := rand.New(rand.NewPCG(77, 5))
	cases := []struct {
		name  string
		body  []byte
		ctype string
	}{
		{"array of records", recordsJSON(r, StreamAbove+1<<20), "application/json"},
		{"huge string", bigStringJSON(r, StreamAbove+3*StreamWindow/2), "application/json; charset=utf-8"},
		{"JSON Lines", jsonLinesBody(r, StreamAbove+1<<20), "application/x-ndjson"},
		{"form", formBody(r, StreamAbove+1<<20), "application/x-www-form-urlencoded"},
	}
	for _, c := range cases {
		want := wholeJSON(t, c.body, c.ctype, Limits{}) // the same document uncompressed
		for _, enc := range []string{"gzip", "deflate"} {
			t.Run(c.name+"/"+enc, func(t *testing.T) {
				z := encodeAs(t, enc, c.body)
				if len(z)*DefaultMaxRatio < len(c.body) {
					t.Fatalf("%d bytes compressed to %d: past the ratio limit", len(c.body), len(z))
				}
				for _, spec := range []bool{false, true} {
					got := readEncodedStream(z, c.ctype, enc, spec, Limits{})
					if got.err != nil {
						t.Fatalf("speculative %v: %v", spec, got.err)
					}
					if got.batches == 0 || len(got.res.Segments) != 0 {
						t.Fatalf("speculative %v: %d batches, %d segments left: not read front to back", spec, got.batches, len(got.res.Segments))
					}
					sameRead(t, fmt.Sprint("speculative ", spec), got, want)
				}
			})
		}
	}
}

// A .gz upload holding a JSON document is read front to back too, below
// its gzip origin.
func TestDecompressedJSONFile(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 55))
	z := gzipNamed(t, "dump.json", recordsJSON(r, StreamAbove+1<<20))
	want := wholeEncoded(t, z, "application/gzip", "", Limits{})
	got := readEncodedStream(z, "application/gzip", "", false, Limits{})
	if got.err != nil || got.batches == 0 {
		t.Fatalf("err %v, %d batches", got.err, got.batches)
	}
	if !strings.HasPrefix(got.segs[0].Origin, "gzip:dump.json") {
		t.Fatalf("origin %q", got.segs[0].Origin)
	}
	sameRead(t, ".gz", got, want)
}

// What the reading declines is read as it was before: decompressed whole.
func TestDecompressedJSONDeclines(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 77))
	recs := recordsJSON(r, StreamAbove+1<<20)
	// Words at random, so that the ratio limit is not what declines.
	words := string(randomText(r, StreamAbove+1<<20, false))
	gz := gzipNamed(t, "", recs)
	backStep := append([]byte(`{"a":1}`+strings.Repeat("\n", 2*seqKeep)), jsonLinesBody(r, StreamAbove)...)
	cases := []struct {
		name string
		body []byte // gzip
		lim  Limits
	}{
		{"truncated document", gzipNamed(t, "", recs[:len(recs)-5]), Limits{}},
		{"trailing garbage", gzipNamed(t, "", append(recs[:len(recs):len(recs)], 'x')), Limits{}},
		{"entities in a huge string", gzipNamed(t, "", []byte(`{"a":"`+words+`Tom &amp; Jerry;"}`)), Limits{}},
		{"invalid UTF-8", gzipNamed(t, "", bytes.Replace(recs, []byte("line"), []byte("li\xffne"), 1)), Limits{}},
		{"cut gzip stream", gz[:len(gz)*9/10], Limits{}},
		{"corrupt gzip stream", corruptAt(gz, len(gz)*9/10), Limits{}},
		{"past MaxDecompressed", gz, Limits{MaxDecompressed: StreamAbove + 1<<19}},
		{"past the text cap", gz, Limits{MaxTotalBytes: 1 << 20}},
		// A step back further than the bytes kept: the body is JSON
		// Lines only once a second line is seen, 2.5 MiB of blank lines
		// after the first; the reading then goes back to the first.
		{"long white space after a first line", gzipNamed(t, "", backStep), Limits{}},
	}
	if got := readJSONStream(backStep, "application/json", false, Limits{}); got.batches == 0 {
		t.Fatal("the step-back case is not read front to back even uncompressed")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := wholeEncoded(t, c.body, "application/json", "gzip", c.lim)
			if c.lim == (Limits{}) && strings.Contains(fmt.Sprint(want.Problems), "ratio") {
				t.Fatalf("declined by the ratio limit: %v", want.Problems)
			}
			got := readEncodedStream(c.body, "application/json", "gzip", false, c.lim)
			if got.err != nil || got.batches != 0 || got.windows != 0 {
				t.Fatalf("read front to back: err %v, %d batches, %d windows", got.err, got.batches, got.windows)
			}
			sameRead(t, "declined", got, want)
			spec := readEncodedStream(c.body, "application/json", "gzip", true, c.lim)
			if !errors.Is(spec.err, ErrSpeculation) {
				t.Fatalf("speculative reading: %v, want ErrSpeculation", spec.err)
			}
		})
	}
}

func corruptAt(b []byte, at int) []byte {
	b = bytes.Clone(b)
	for i := at; i < at+64 && i < len(b); i++ {
		b[i] ^= 0x5a
	}
	return b
}

// seqSource serves every byte in order whatever the reads' sizes, steps
// back as far as seqKeep, and reports damage and the limit.
func TestSeqSource(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 5<<20+123)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	open := func() *seqSource {
		return newSeqSource(&seqBody{open: func() io.Reader { return &chunkyReader{b: data, n: 1 + r.IntN(100000), err: io.EOF} }, limit: int64(len(data))})
	}
	q := open()
	for p := int64(0); p < int64(len(data)); {
		want := 1 + r.IntN(70000)
		b, end, err := q.at(p, want)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < min(want, len(data)-int(p)) || !bytes.Equal(b, data[p:int(p)+len(b)]) {
			t.Fatalf("at %d: %d bytes, not the body's", p, len(b))
		}
		if end != (int(p)+len(b) == len(data)) {
			t.Fatalf("at %d: end %v with %d bytes", p, end, len(b))
		}
		// Step back within seqKeep of the furthest byte read.
		back := max(0, p-int64(r.IntN(seqKeep-jsonChunk)))
		if b, _, err := q.at(back, 1); err != nil || b[0] != data[back] {
			t.Fatalf("back to %d from %d: %v", back, p, err)
		}
		p += int64(1 + r.IntN(len(b)))
	}
	if _, _, err := q.at(0, 1); !errors.Is(err, errSeqBehind) {
		t.Fatalf("back to 0 from the end: %v", err)
	}
	if b, end, err := q.at(int64(len(data)), 1); len(b) != 0 || !end || err != nil {
		t.Fatalf("at the end: %d bytes, end %v, %v", len(b), end, err)
	}
	small := &seqBody{open: func() io.Reader { return bytes.NewReader(data) }, limit: 1 << 20}
	if _, _, err := newSeqSource(small).at(1<<20, 1); !errors.Is(err, errTooBig) {
		t.Fatalf("past the limit: %v", err)
	}
	cut := &seqBody{open: func() io.Reader { return io.MultiReader(bytes.NewReader(data[:1000]), errReader{io.ErrUnexpectedEOF}) }, limit: 1 << 30}
	if _, _, err := newSeqSource(cut).at(900, 200); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("cut stream: %v", err)
	}
}

// FuzzDecompressedJSON: a fuzzed value inside a large document, gzip
// encoded, is read by the decompressed reading exactly as the same
// document uncompressed is (both equal the whole walk, or both decline),
// speculative or not.
func FuzzDecompressedJSON(f *testing.F) {
	for _, s := range []string{`{"t":"\u00e9\ud83d\ude00\ud800"}`, `{"a":"{\"b\":1}"}`, `[1,"x",{"k":[true,null]}]`, `{"a":"&x;"}`, "{\"a\":\"\xff\"}", `{"a" 1}`, `{"12345678":"x"}`, `"`, `]`} {
		f.Add([]byte(s), uint16(0))
		f.Add([]byte(s), uint16(40000))
	}
	f.Fuzz(func(t *testing.T, doc []byte, pad uint16) {
		if len(doc) > 4096 {
			return
		}
		r := rand.New(rand.NewPCG(uint64(pad), 1))
		filler := string(randomText(r, jsonPieceMax/2+int(pad), false))
		body := []byte(`["` + filler + `",`)
		for len(body) <= StreamAbove {
			body = append(body, `"`+string(randomText(r, jsonPieceMax/4, false))+`",`...)
		}
		body = append(append(body, doc...), ']')
		plain := readJSONStream(body, "application/json", false, Limits{})
		z := gzipNamed(t, "", body)
		got := readEncodedStream(z, "application/json", "gzip", false, Limits{})
		if plain.err != nil || got.err != nil {
			t.Fatalf("plain %v, decompressed %v", plain.err, got.err)
		}
		if (plain.batches == 0) != (got.batches == 0) {
			t.Fatalf("plain read in %d batches, decompressed in %d", plain.batches, got.batches)
		}
		if got.batches > 0 {
			sameSegments(t, "decompressed", got.segs, plain.segs)
		} else {
			sameRead(t, "declined", got, wholeEncoded(t, z, "application/json", "gzip", Limits{}))
		}
		spec := readEncodedStream(z, "application/json", "gzip", true, Limits{})
		sameSpeculative(t, got.batches > 0, spec, plain.segs)
		// Chunked (its size told at its end): the same, or declined.
		n := int64(len(z))
		chunked := readEncodedStream(z, "application/json", "gzip", true, Limits{}, func(in *Input) {
			in.Size, in.SizeUnknown, in.Body = -1, true, sizedAtEnd{in.Body, n}
		})
		if !errors.Is(chunked.err, ErrSpeculation) {
			if chunked.err != nil {
				t.Fatalf("chunked: %v", chunked.err)
			}
			sameSegments(t, "chunked", chunked.segs, plain.segs)
		}
	})
}

// A body of unknown size (a chunked upload), speculative, whose head shows
// a JSON document, JSON Lines or a form is read front to back to its end
// as the same body with its size is; what is not one throughout, or is
// not speculative, is ErrSpeculation.
func TestUnknownSizeStructured(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 30))
	unknown := func(in *Input) { in.Size, in.SizeUnknown = -1, true }
	recs := recordsJSON(r, StreamAbove+1<<20)
	for _, c := range []struct {
		name, ctype string
		body        []byte
	}{
		{"records", "application/json", recs},
		{"huge string", "application/json", bigStringJSON(r, StreamAbove+3*StreamWindow/2)},
		{"JSON Lines", "application/x-ndjson", jsonLinesBody(r, StreamAbove+1<<20)},
		{"form", "application/x-www-form-urlencoded", formBody(r, StreamAbove+1<<20)},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := readJSONStream(c.body, c.ctype, false, Limits{})
			if want.err != nil || want.batches == 0 {
				t.Fatalf("sized: err %v, %d batches", want.err, want.batches)
			}
			got := readEncodedStream(c.body, c.ctype, "", true, Limits{}, unknown)
			if got.err != nil || got.batches == 0 {
				t.Fatalf("unknown size: err %v, %d batches", got.err, got.batches)
			}
			sameSegments(t, "unknown size", got.segs, want.segs)
			if fmt.Sprint(got.res.Problems) != fmt.Sprint(want.res.Problems) || got.res.TextBytes != want.res.TextBytes {
				t.Fatalf("problems %v text %d, want %v %d", got.res.Problems, got.res.TextBytes, want.res.Problems, want.res.TextBytes)
			}
			if got := readEncodedStream(c.body, c.ctype, "", false, Limits{}, unknown); !errors.Is(got.err, ErrSpeculation) {
				t.Fatalf("not speculative: %v, want ErrSpeculation", got.err)
			}
		})
	}
	for name, body := range map[string][]byte{
		"truncated":            recs[:len(recs)-3],
		"trailing garbage":     append(recs[:len(recs):len(recs)], 'x'),
		"past the text cap":    recs, // with the limit below
		"invalid UTF-8":        bytes.Replace(recs, []byte("line"), []byte("li\xffne"), 1),
		"a form with no pairs": []byte(strings.Repeat("plain words ", (StreamAbove+1<<20)/12)),
	} {
		t.Run(name, func(t *testing.T) {
			ct, lim := "application/json", Limits{}
			if strings.HasPrefix(name, "a form") {
				ct = "application/x-www-form-urlencoded"
			}
			if strings.HasPrefix(name, "past") {
				lim.MaxTotalBytes = 1 << 20
			}
			if got := readEncodedStream(body, ct, "", true, lim, unknown); !errors.Is(got.err, ErrSpeculation) {
				t.Fatalf("%v, want ErrSpeculation", got.err)
			}
		})
	}
}

// FuzzUnknownSizeJSON: a fuzzed value inside a large document read as a
// body of unknown size (from its first byte to io.EOF, through seqSource)
// gives what the same body with its size gives, or declines
// (ErrSpeculation) where that reading declines.
func FuzzUnknownSizeJSON(f *testing.F) {
	for _, s := range []string{`{"t":"\u00e9\ud83d\ude00\ud800"}`, `{"a":"{\"b\":1}"}`, `[1,"x",{"k":[true,null]}]`, `{"a":"&x;"}`, "{\"a\":\"\xff\"}", `{"a" 1}`, `"`, `]`, `1e5`, "\n"} {
		f.Add([]byte(s), uint16(0))
		f.Add([]byte(s), uint16(40000))
	}
	unknown := func(in *Input) { in.Size, in.SizeUnknown = -1, true }
	f.Fuzz(func(t *testing.T, doc []byte, pad uint16) {
		if len(doc) > 4096 {
			return
		}
		body := fuzzJSONBody(doc, pad)
		want := readJSONStream(body, "application/json", false, Limits{})
		got := readEncodedStream(body, "application/json", "", true, Limits{}, unknown)
		switch {
		case want.err != nil:
			t.Fatal(want.err)
		case want.batches == 0:
			if !errors.Is(got.err, ErrSpeculation) {
				t.Fatalf("declined with its size, but read with none: %v", got.err)
			}
		default:
			if got.err != nil {
				t.Fatalf("read with its size, but with none: %v", got.err)
			}
			sameSegments(t, "unknown size", got.segs, want.segs)
		}
	})
}

// sizedAtEnd is a body that tells its size (as inspect's arriving body
// does once complete).
type sizedAtEnd struct {
	io.ReaderAt
	n int64
}

func (s sizedAtEnd) Size() int64 { return s.n }

// A chunked body with one Content-Encoding layer (gzip, deflate),
// speculative, is decompressed front to back to its end and read as the
// same body with its size is: text in windows, JSON front to back,
// anything else (multipart) once decompressed. One whose decompressed
// bytes pass what the ratio limit of its size allows, one that is not
// what its coding says, or one whose size cannot be learnt is
// ErrSpeculation (read again once complete).
func TestUnknownSizeEncoded(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 31))
	text := randomText(r, StreamAbove+1<<20, true)
	var zl bytes.Buffer
	zw := zlib.NewWriter(&zl)
	zw.Write(text)
	zw.Close()
	mp := "--b0\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nnotes A123456(3)\r\n--b0--\r\n"
	bomb := bytes.Repeat([]byte("aaaaaaaaaaaaaaa\n"), (48<<20)/16)
	for _, c := range []struct {
		name, ctype, enc string
		body             []byte
		reads            bool
	}{
		{"gzip text", "text/plain", "gzip", gzipBytes(t, text, ""), true},
		{"gzip records", "application/json", "gzip", gzipBytes(t, recordsJSON(r, StreamAbove+1<<20), ""), true},
		{"deflate text", "text/plain", "deflate", zl.Bytes(), true},
		{"gzip multipart, read once decompressed", "multipart/form-data; boundary=b0", "gzip", gzipBytes(t, []byte(mp), ""), true},
		{"gzip past its ratio limit", "text/plain", "gzip", gzipBytes(t, bomb, ""), false},
		{"not gzip", "text/plain", "gzip", text, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := readEncodedStream(c.body, c.ctype, c.enc, false, Limits{})
			if want.err != nil {
				t.Fatal(want.err)
			}
			n := int64(len(c.body))
			unknown := func(in *Input) { in.Size, in.SizeUnknown, in.Body = -1, true, sizedAtEnd{in.Body, n} }
			got := readEncodedStream(c.body, c.ctype, c.enc, true, Limits{}, unknown)
			if !c.reads {
				if !errors.Is(got.err, ErrSpeculation) {
					t.Fatalf("read (err %v), want ErrSpeculation", got.err)
				}
				return
			}
			if got.err != nil {
				t.Fatal(got.err)
			}
			sameSegments(t, "unknown size", got.segs, want.segs)
			if fmt.Sprint(got.res.Problems) != fmt.Sprint(want.res.Problems) || got.res.TextBytes != want.res.TextBytes {
				t.Fatalf("problems %v text %d, want %v %d", got.res.Problems, got.res.TextBytes, want.res.Problems, want.res.TextBytes)
			}
			// Without a size to learn at its end, or not speculative: not read so.
			noSize := func(in *Input) { in.Size, in.SizeUnknown = -1, true }
			if got := readEncodedStream(c.body, c.ctype, c.enc, true, Limits{}, noSize); !errors.Is(got.err, ErrSpeculation) {
				t.Fatalf("size never known: %v, want ErrSpeculation", got.err)
			}
			if got := readEncodedStream(c.body, c.ctype, c.enc, false, Limits{}, unknown); !errors.Is(got.err, ErrSpeculation) {
				t.Fatalf("not speculative: %v, want ErrSpeculation", got.err)
			}
		})
	}
}
