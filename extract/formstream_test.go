package extract

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

// The front-to-back reading of a large urlencoded form (formstream.go)
// against form on the whole body: the same segments in the same order,
// problems and text count, or, declined, the whole reading untouched.

// formBody is a form of at least n bytes: DingTalk-style JSON values,
// percent-encoded text in the three scripts (some encoded twice), '+'
// spaces, keys that carry data, empty values and pairs, escapes across
// the reading's chunk edges.
func formBody(r *rand.Rand, n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		sc := scripts[i%3]
		switch i % 7 {
		case 0:
			msg := fmt.Sprintf(`{"title":"notice %d","content":"%s %s"}`, i, testgen.Name(r, sc), testgen.Address(r, sc))
			fmt.Fprintf(&b, "msgParam=%s&", url.QueryEscape(msg))
		case 1:
			fmt.Fprintf(&b, "note%d=%s&", i, url.QueryEscape(url.QueryEscape("HKID "+testgen.HKID(i)+" "+testgen.Name(r, sc))))
		case 2:
			fmt.Fprintf(&b, "%s=%s&", url.QueryEscape(testgen.HKID(i)), url.QueryEscape(testgen.Email(r, i)))
		case 3:
			b.WriteString("empty=&&=novalue&flag&")
		case 4:
			fmt.Fprintf(&b, "text=%s&", strings.Repeat(url.QueryEscape("會議 纪要 minutes ")+"+", 40))
		default:
			fmt.Fprintf(&b, "f%d=%s&", i, url.QueryEscape(testgen.Name(r, sc)+" "+testgen.HKMobile(r)))
		}
	}
	return b.Bytes()
}

func TestFormStreamEqualsWholeReading(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 34))
	body := formBody(r, StreamAbove+1<<20)
	const ct = "application/x-www-form-urlencoded"
	for _, lim := range []Limits{{}, {MaxEntries: 500}, {MaxTotalBytes: 1 << 20}} {
		want := wholeJSON(t, body, ct, lim)
		for _, spec := range []bool{false, true} {
			got := readJSONStream(body, ct, spec, lim)
			if spec && lim.MaxTotalBytes != 0 {
				if !errors.Is(got.err, ErrSpeculation) {
					t.Fatalf("speculative reading past the text limit: %v", got.err)
				}
				continue
			}
			// Past the text cap (4 x the text limit) form reads only the
			// first part: declined, read whole as before.
			if got.err != nil || (got.batches == 0) != (lim.MaxTotalBytes != 0) {
				t.Fatalf("limits %+v, speculative %v: err %v, %d batches", lim, spec, got.err, got.batches)
			}
			sameSegments(t, fmt.Sprintf("limits %+v, speculative %v", lim, spec), got.segs, want.Segments)
			if fmt.Sprint(got.res.Problems) != fmt.Sprint(want.Problems) || got.res.TextBytes != want.TextBytes {
				t.Fatalf("problems %v text %d, want %v %d", got.res.Problems, got.res.TextBytes, want.Problems, want.TextBytes)
			}
		}
	}
}

func TestFormStreamDeclines(t *testing.T) {
	const ct = "application/x-www-form-urlencoded"
	words := strings.Repeat("plain words without pairs ", (StreamAbove+1<<20)/26)
	for name, body := range map[string][]byte{
		"no pair at all":             []byte(words + testgen.HKID(3)),
		"a pair too large":           []byte("a=1&big=" + url.QueryEscape(words) + "&c=3"),
		"a pair too large, no value": []byte("a=1&" + strings.ReplaceAll(words, " ", "")),
	} {
		t.Run(name, func(t *testing.T) {
			want := wholeJSON(t, body, ct, Limits{})
			got := readJSONStream(body, ct, false, Limits{})
			if got.err != nil || got.batches != 0 {
				t.Fatalf("read front to back: %v, %d batches", got.err, got.batches)
			}
			sameSegments(t, "declined", got.segs, want.Segments)
			if spec := readJSONStream(body, ct, true, Limits{}); !errors.Is(spec.err, ErrSpeculation) {
				t.Fatalf("speculative reading: %v, want ErrSpeculation", spec.err)
			}
		})
	}
}

func TestStreamsForm(t *testing.T) {
	head := bytes.Repeat([]byte("a=1&"), HeadLen/4)
	if !StreamsForm("application/x-www-form-urlencoded; charset=utf-8", head, StreamAbove+1) {
		t.Error("a form refused")
	}
	if StreamsForm("text/plain", head, StreamAbove+1) || StreamsForm("application/x-www-form-urlencoded", head, StreamAbove) {
		t.Error("not a large form, taken")
	}
	if StreamsJSON("application/x-www-form-urlencoded", []byte(`{"a":1}`+strings.Repeat(" ", HeadLen)), StreamAbove+1) {
		t.Error("a form holding JSON read as JSON")
	}
}

// FuzzFormStream: a fuzzed form tail after large padding is read front to
// back with the whole reading's output, or declined with it untouched.
func FuzzFormStream(f *testing.F) {
	for _, s := range []string{"a=b", "a=%E5%AE%A2&b=%2541", "&&=&x", "k=" + url.QueryEscape(`{"a":"b"}`), "a=%zz&%=%", "no pairs"} {
		f.Add([]byte(s), uint16(0))
	}
	f.Add([]byte("a=%E5%AE%A2&b=%2541"), uint16(3000)) // across a chunk edge
	f.Fuzz(func(t *testing.T, tail []byte, pad uint16) {
		if len(tail) > 4096 {
			return
		}
		filler := "f=" + strings.Repeat("w+", jsonPieceMax/4+int(pad)) + "&"
		body := append([]byte(strings.Repeat(filler, (StreamAbove+1<<20)/len(filler))), tail...)
		const ct = "application/x-www-form-urlencoded"
		want := wholeJSON(t, body, ct, Limits{})
		got := readJSONStream(body, ct, false, Limits{})
		if got.err != nil {
			t.Fatal(got.err)
		}
		sameSegments(t, "fuzzed", got.segs, want.Segments)
		if fmt.Sprint(got.res.Problems) != fmt.Sprint(want.Problems) || got.res.TextBytes != want.TextBytes {
			t.Fatalf("problems %v text %d, want %v %d", got.res.Problems, got.res.TextBytes, want.Problems, want.TextBytes)
		}
		if spec := readJSONStream(body, ct, true, Limits{}); spec.err != nil {
			t.Fatalf("speculative reading: %v", spec.err)
		}
	})
}
