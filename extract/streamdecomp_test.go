package extract

import (
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

func gzipNamed(t testing.TB, name string, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Name = name
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deflateBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// extractEncoded extracts a compressed body (held outside memory) with a
// Stream and returns the windows and the result.
func extractEncoded(t *testing.T, body []byte, ctype, enc string, lim Limits) ([]Segment, []int64, *Result) {
	t.Helper()
	var wins []Segment
	var offs []int64
	res, err := Extract(context.Background(), Input{ContentType: ctype, ContentEncoding: enc, Body: readerOnly{bytes.NewReader(body)}, Size: int64(len(body)), Origin: "body",
		Stream: func(s Segment, off int64) {
			s.Text = strings.Clone(s.Text)
			wins = append(wins, s)
			offs = append(offs, off)
		}}, lim)
	if err != nil {
		t.Fatal(err)
	}
	return wins, offs, res
}

// Decompressed text past StreamAbove streams in the windows a plain body
// of the same text gets: same texts, same offsets, same origin, nothing
// kept whole — for Content-Encoding gzip and deflate and for a .gz file
// found by its magic.
func TestDecompressedTextStreams(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	text := randomText(r, StreamAbove+5*StreamWindow/2, true)
	plain, plainRes := streamAll(t, text, "text/plain", Limits{})
	var plainOffs []int64
	{
		_, err := Extract(context.Background(), Input{ContentType: "text/plain", Body: readerOnly{bytes.NewReader(text)}, Size: int64(len(text)), Origin: "body",
			Stream: func(_ Segment, off int64) { plainOffs = append(plainOffs, off) }}, Limits{})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(plain) < 3 {
		t.Fatalf("plain body: %d windows", len(plain))
	}
	for _, c := range []struct {
		name, enc string
		body      []byte
	}{
		{"content-encoding gzip", "gzip", gzipNamed(t, "", text)},
		{"content-encoding x-gzip", "x-gzip", gzipNamed(t, "", text)},
		{"content-encoding deflate", "deflate", deflateBytes(t, text)},
	} {
		t.Run(c.name, func(t *testing.T) {
			wins, offs, res := extractEncoded(t, c.body, "text/plain", c.enc, Limits{})
			if len(res.Segments) != 0 || len(res.Problems) != 0 {
				t.Fatalf("kept %d segments, problems %v", len(res.Segments), res.Problems)
			}
			if !reflect.DeepEqual(wins, plain) || !reflect.DeepEqual(offs, plainOffs) {
				t.Fatalf("%d windows at %v, the plain body has %d at %v", len(wins), offs, len(plain), plainOffs)
			}
			if res.TextBytes != plainRes.TextBytes {
				t.Fatalf("TextBytes %d, plain %d", res.TextBytes, plainRes.TextBytes)
			}
		})
	}
	t.Run("gz file by magic", func(t *testing.T) {
		wins, _, res := extractEncoded(t, gzipNamed(t, "export.txt", text), "application/octet-stream", "", Limits{})
		if len(res.Segments) != 0 || len(res.Problems) != 0 || len(wins) != len(plain) {
			t.Fatalf("%d windows (plain %d), %d segments, problems %v", len(wins), len(plain), len(res.Segments), res.Problems)
		}
		if got := rebuild(t, wins); got != string(text) {
			t.Fatalf("windows rebuild %d bytes of %d", len(got), len(text))
		}
		for _, w := range wins {
			if w.Origin != "gzip:export.txt" {
				t.Fatalf("origin %q", w.Origin)
			}
		}
	})
	t.Run("gz file sent gzip-encoded", func(t *testing.T) {
		wins, _, res := extractEncoded(t, gzipNamed(t, "", gzipNamed(t, "inner.txt", text)), "", "gzip", Limits{})
		if len(res.Segments) != 0 || len(res.Problems) != 0 || rebuild(t, wins) != string(text) || wins[0].Origin != "gzip:inner.txt" {
			t.Fatalf("%d windows, %d segments, problems %v", len(wins), len(res.Segments), res.Problems)
		}
	})
}

// What is not large plain text once decompressed is read whole exactly as
// before: the segments and problems equal those of the decompressed bytes
// held in memory (the old path).
func TestDecompressedNonTextUnchanged(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	big := randomText(r, StreamAbove+1<<20, true)
	jsonBody := append(append([]byte(`{"text":"`), bytes.ReplaceAll(big, []byte("\n"), []byte(" "))...), `"}`...)
	form := append([]byte("msg="), bytes.ReplaceAll(bytes.ReplaceAll(big, []byte("\n"), []byte("+")), []byte(" "), []byte("+"))...)
	for _, c := range []struct {
		name, ctype string
		body        []byte
	}{
		{"small text", "text/plain", big[:StreamAbove]},
		{"exactly StreamAbove", "text/plain", big[:StreamAbove]},
		{"json", "application/json", jsonBody},
		{"form", "application/x-www-form-urlencoded", form},
		{"html", "text/html", append([]byte("<html><body>"), big...)},
		{"big5 label", "text/plain; charset=big5", big},
	} {
		t.Run(c.name, func(t *testing.T) {
			wins, _, res := extractEncoded(t, gzipNamed(t, "", c.body), c.ctype, "gzip", Limits{})
			if len(wins) != 0 {
				t.Fatalf("streamed %d windows", len(wins))
			}
			want, err := Extract(context.Background(), Input{ContentType: c.ctype, Body: bytes.NewReader(c.body), Size: int64(len(c.body)), Origin: "body"}, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.Segments, want.Segments) || !reflect.DeepEqual(res.Problems, want.Problems) {
				t.Fatalf("got %d segments %v, want %d %v", len(res.Segments), res.Problems, len(want.Segments), want.Problems)
			}
		})
	}
}

// The decompression limits cut streamed text where they cut held text,
// with the same problem; the text before the cut is streamed.
func TestDecompressedStreamLimits(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	text := randomText(r, StreamAbove+3*StreamWindow, true)
	gz := gzipNamed(t, "", text)
	const limit = StreamAbove + StreamWindow + 12345
	wins, _, res := extractEncoded(t, gz, "text/plain", "gzip", Limits{MaxDecompressed: limit})
	if len(res.Problems) != 1 || res.Problems[0].Kind != Limit ||
		res.Problems[0].Reason != fmt.Sprintf("content-encoding gzip: decompressed size over %d bytes; only the first part was inspected", limit) {
		t.Fatalf("problems %v", res.Problems)
	}
	got := rebuild(t, wins)
	if !strings.HasPrefix(string(text), strings.TrimSuffix(got, "\uFFFD")) || len(got) < limit-4 || len(got) > limit+3 {
		t.Fatalf("streamed %d bytes, want the first %d", len(got), limit)
	}
	// The same limit on the held path (no Stream) names the same reason.
	held, err := Extract(context.Background(), Input{ContentType: "text/plain", ContentEncoding: "gzip", Body: bytes.NewReader(gz), Size: int64(len(gz))}, Limits{MaxDecompressed: limit})
	if err != nil || len(held.Problems) != 1 || held.Problems[0] != res.Problems[0] {
		t.Fatalf("held path: %v %v", err, held.Problems)
	}

	// A ratio bomb: a long run of one line compresses far past MaxRatio.
	bomb := bytes.Repeat([]byte("all quiet on the ledger today\n"), (StreamAbove+4*StreamWindow)/30)
	wins, _, res = extractEncoded(t, gzipNamed(t, "", bomb), "text/plain", "gzip", Limits{MaxRatio: 100})
	if len(res.Problems) != 1 || res.Problems[0].Kind != Limit || !strings.Contains(res.Problems[0].Reason, "compression ratio over 100:1") {
		t.Fatalf("bomb problems %v (%d windows)", res.Problems, len(wins))
	}
}

// A stream damaged past its head keeps the text before the damage and
// reports the damage, as the held path does.
func TestDecompressedStreamTruncated(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	text := randomText(r, StreamAbove+2*StreamWindow, true)
	gz := gzipNamed(t, "", text)
	cut := gz[:len(gz)*3/4]
	wins, _, res := extractEncoded(t, cut, "text/plain", "gzip", Limits{})
	if len(res.Problems) != 1 || res.Problems[0].Kind != Malformed || res.Problems[0].Reason != "content-encoding gzip: corrupt or truncated stream" {
		t.Fatalf("problems %v", res.Problems)
	}
	got := strings.TrimSuffix(rebuild(t, wins), "\uFFFD")
	if len(got) < StreamAbove || !strings.HasPrefix(string(text), got) {
		t.Fatalf("kept %d bytes before the damage", len(got))
	}
	wins, _, res = extractEncoded(t, gzipNamed(t, "x.txt", text)[:len(gz)*3/4], "", "", Limits{})
	if len(wins) == 0 || len(res.Problems) != 1 || res.Problems[0].Kind != Malformed || res.Problems[0].Origin != "gzip:x.txt" {
		t.Fatalf(".gz file: %d windows, problems %v", len(wins), res.Problems)
	}
}

// A last window that ends inside a character is still UTF-8 text: the
// broken tail is U+FFFD, the rest of the window is not re-read as a legacy
// charset.
func TestLastWindowPartialRune(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 30))
	text := randomText(r, StreamAbove+StreamWindow, true)
	body := append(append([]byte{}, text...), "客"[:2]...)
	wins, res := streamAll(t, body, "text/plain", Limits{})
	if len(res.Problems) != 0 || len(wins) == 0 {
		t.Fatalf("problems %v, %d windows", res.Problems, len(wins))
	}
	last := wins[len(wins)-1].Text
	if !strings.HasSuffix(last, "\uFFFD") || !strings.Contains(last, "客戶") && !strings.Contains(last, "资料") {
		t.Fatalf("last window not read as UTF-8: tail %q", last[max(0, len(last)-40):])
	}
}

// chunkyReader returns at most n bytes per Read, then its error.
type chunkyReader struct {
	b   []byte
	n   int
	err error
}

func (c *chunkyReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, c.err
	}
	k := copy(p[:min(len(p), c.n)], c.b)
	c.b = c.b[k:]
	return k, nil
}

// limitedStream yields exactly the stream's first limit bytes, notes a
// stream that goes past them, and keeps a read error, whatever the sizes
// of the reads and of the windows asked for.
func FuzzLimitedStream(f *testing.F) {
	f.Add([]byte("hello world"), uint16(5), uint8(3), uint8(4), false)
	f.Add([]byte("hello world"), uint16(11), uint8(1), uint8(11), false)
	f.Add([]byte("hello world"), uint16(11), uint8(20), uint8(11), true)
	f.Add([]byte(""), uint16(0), uint8(1), uint8(1), false)
	f.Fuzz(func(t *testing.T, data []byte, limit uint16, chunk, window uint8, fail bool) {
		src := &chunkyReader{b: data, n: int(chunk%16) + 1, err: io.EOF}
		if fail {
			src.err = io.ErrUnexpectedEOF
		}
		s := &limitedStream{r: src, left: int64(limit)}
		var got []byte
		for i := 0; ; i++ {
			if i > len(data)+2 {
				t.Fatal("fill never ended")
			}
			buf := make([]byte, int(window%32)+1)
			k, last := s.fill(buf)
			got = append(got, buf[:k]...)
			if last {
				break
			}
		}
		want := data[:min(len(data), int(limit))]
		if !bytes.Equal(got, want) {
			t.Fatalf("got %q, want %q", got, want)
		}
		if s.over != (len(data) > int(limit)) {
			t.Fatalf("over %v with %d bytes, limit %d", s.over, len(data), limit)
		}
		if wantErr := fail && len(data) <= int(limit); (s.err != nil) != wantErr {
			t.Fatalf("err %v, want an error: %v", s.err, wantErr)
		}
	})
}
