package inspect_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

// Overlap for compressed JSON documents and forms (Content-Encoding gzip
// or deflate, decompressed and walked front to back by extract as they
// arrive) against Inspect on the complete body; and the bodies that must
// fall back (a document cut short inside an intact stream, a damaged
// stream, markup).

// memo is n random lower-case letters and spaces: text that compresses
// about as badly as prose, so that a compressed body is large enough to be
// overlapped (more than extract.StreamAbove compressed bytes).
func memo(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		if c := r.IntN(27); c == 26 {
			b[i] = ' '
		} else {
			b[i] = 'a' + byte(c)
		}
	}
	return string(b)
}

// memoRecords is a JSON array of customer records of at least n bytes,
// each with a memo, then tail in a last record.
func memoRecords(r *rand.Rand, n int, tail string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"records":[`)
	for i := 0; b.Len() < n; i++ {
		sc := []string{"en", "tc", "sc"}[i%3]
		fmt.Fprintf(&b, `{"id":%d,"name":"%s","addr":"%s","memo":"%s"},`+"\n", i, testgen.Name(r, sc), testgen.Address(r, sc), memo(r, 600))
	}
	b.WriteString(`{"remark":"` + tail + `"}]}`)
	return b.Bytes()
}

func gzipJSONCases(t *testing.T) []kindCase {
	r := rand.New(rand.NewPCG(71, 3))
	hk := strings.ReplaceAll(testgen.HKIDList(3), "\n", " ")
	recs := memoRecords(r, 17<<20, hk)
	clean := memoRecords(r, 15<<20, "none")
	var lines bytes.Buffer
	for lines.Len() < 15<<20 {
		fmt.Fprintf(&lines, `{"msg":"%s"}`+"\n", memo(r, 400))
	}
	lines.WriteString(`{"msg":"` + hk + `"}` + "\n")
	var form bytes.Buffer
	for i := 0; form.Len() < 15<<20; i++ {
		fmt.Fprintf(&form, "n%d=%s&", i, url.QueryEscape(memo(r, 500)+" 會議 会议"))
	}
	form.WriteString("remark=" + url.QueryEscape(hk))
	markup := []byte("<html><body><p>" + strings.ReplaceAll(string(memoRecords(r, 15<<20, hk)), "\n", "</p><p>") + "</p></body></html>")
	gzRecs := compressed(t, "gzip", recs)
	in := func(ct, enc string, b []byte) extract.Input {
		return extract.Input{ContentType: ct, ContentEncoding: enc, Size: int64(len(b)), Origin: "body"}
	}
	cut := compressed(t, "gzip", recs[:len(recs)-3])
	cs := []kindCase{
		{"gzip json records hkids at the end", in("application/json", "gzip", gzRecs), gzRecs, rules.Block, true},
		{"gzip json records clean", in("application/json", "x-gzip", compressed(t, "gzip", clean)), compressed(t, "gzip", clean), rules.Allow, true},
		{"deflate json lines", in("application/x-ndjson", "deflate", compressed(t, "deflate", lines.Bytes())), compressed(t, "deflate", lines.Bytes()), rules.Block, true},
		{"raw deflate form", in("application/x-www-form-urlencoded", "deflate", compressed(t, "raw deflate", form.Bytes())), compressed(t, "raw deflate", form.Bytes()), rules.Block, true},
		// A document cut short in an intact stream: the reading as it
		// arrived is thrown away.
		{"gzip json truncated document", in("application/json", "gzip", cut), cut, "", false},
		// A stream cut short: read again whole, the text before the
		// damage kept.
		{"gzip json stream cut", in("application/json", "gzip", gzRecs[:len(gzRecs)-1<<20]), gzRecs[:len(gzRecs)-1<<20], "", false},
		// Markup is held decompressed and read whole, as Inspect does.
		{"gzip html", in("text/html", "gzip", compressed(t, "gzip", markup)), compressed(t, "gzip", markup), rules.Block, true},
	}
	for _, c := range cs {
		if c.in.Size <= extract.StreamAbove {
			t.Fatalf("%s: %d bytes, not over StreamAbove", c.name, c.in.Size)
		}
	}
	return cs
}

func TestOverlapGzipJSON(t *testing.T) {
	eng := defaultEngine(t)
	cases := gzipJSONCases(t)
	kindsEqualInspect(t, eng, cases)
	t.Run("fail midway", func(t *testing.T) { kindsFailMidway(t, eng, cases) })
}

// A compressed JSON body is classified while it arrives: with a quarter of
// it still unsent, batches of its records have reached the classifiers.
func TestOverlapGzipJSONClassifiesWhileArriving(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	gz := compressed(t, "gzip", memoRecords(r, 16<<20, strings.ReplaceAll(testgen.HKIDList(3), "\n", " ")))
	in := extract.Input{ContentType: "application/json", ContentEncoding: "gzip", Size: int64(len(gz)), Origin: "body"}
	classifiedWhileArriving(t, in, gz)
}

// A chunked compressed upload (its size not known until its end) is
// decompressed and read as it arrives exactly when the same body with its
// size is, and its Result is Inspect's on the complete body. (A body
// whose decompressed bytes pass the ratio limit its size sets is read
// afresh: extract's TestUnknownSizeEncoded; with the default limits a
// body over StreamAbove reaches MaxDecompressed first.)
func TestOverlapGzipUnknownSize(t *testing.T) {
	eng := defaultEngine(t)
	for _, c := range gzipJSONCases(t) {
		t.Run(c.name, func(t *testing.T) { chunkedEqualsSized(t, eng, c) })
	}
}

// chunkedEqualsSized checks that case c sent chunked (its size not known
// until its end) is begun, overlapped exactly when the sized body is
// (c.overlaps), and judged as Inspect judges the complete body.
func chunkedEqualsSized(t *testing.T, eng *inspect.Engine, c kindCase) {
	t.Helper()
	want := inspectWhole(t, eng, c.in, c.body, c.action)
	in := c.in
	in.Size = -1
	if !inspect.CanOverlap(in) {
		t.Fatal("CanOverlap refused the chunked body")
	}
	g := sizedGrowing{newGrowing(c.body)}
	ov := eng.Begin(context.Background(), in, g)
	if ov == nil {
		t.Fatal("Begin refused the chunked body")
	}
	go feedRandom(g.growing, rand.New(rand.NewPCG(5, 79)))
	got, err := ov.Finish(context.Background(), overlapReq)
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := ov.Overlapped(); ok != c.overlaps {
		t.Fatalf("overlapped %v (%s), want %v as with its size", ok, why, c.overlaps)
	}
	sameResult(t, got, want)
	sameProblems(t, got, want)
}
