package inspect_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/internal/testgen"
	"github.com/dlpgate/dlpgate/rules"
)

// Overlap for JSON documents (read front to back by extract as they
// arrive) against Inspect on the complete body: records, one huge string,
// both, JSON Lines, a urlencoded form; and the bodies that must fall back
// (a truncated document or JSON Lines, a huge string holding character
// references, UTF-16, a form with a huge value).

// jsonRecords is an API body with an array of customer records of at
// least n bytes (names and addresses in the three scripts, some escaped,
// JSON inside a string, a base64 field), then tail.
func jsonRecords(r *rand.Rand, n int, tail string) []byte {
	scripts := []string{"en", "tc", "sc"}
	var b bytes.Buffer
	b.WriteString(`{"msgtype":"records","records":[`)
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		sc := scripts[i%3]
		note := base64.StdEncoding.EncodeToString([]byte("call back " + testgen.Name(r, sc)))
		inner := strconv.Quote(fmt.Sprintf(`{"addr":%q,"ref":"R%d"}`, testgen.Address(r, sc), i))
		fmt.Fprintf(&b, `{"id":%d,"name":%s,"addr":"%s","email":"%s","note":"%s","meta":%s,"score":%d.5}`,
			i, strconv.QuoteToASCII(testgen.Name(r, sc)), testgen.Address(r, sc), testgen.Email(r, i), note, inner, r.IntN(100))
	}
	b.WriteString(`],"remark":"` + tail + `"}`)
	return b.Bytes()
}

// jsonText is a robot message whose content is at least n bytes of words
// (escaped line ends, \u escapes, CJK), with the given strings written at
// the given raw offsets.
func jsonText(r *rand.Rand, n int, at map[int]string) []byte {
	words := []string{"minutes", "of", "the", "planning", "meeting", `\n`, `\u4f1a\u8b70`, "會議", "会议", `\"ok\"`, "é"}
	var b bytes.Buffer
	b.WriteString(`{"msgtype":"text","text":{"content":"`)
	for b.Len() < n {
		for off, s := range at {
			if b.Len() >= off && b.Len() < off+12 {
				b.WriteString(" " + s + " ")
				delete(at, off)
			}
		}
		b.WriteString(words[r.IntN(len(words))])
		b.WriteByte(' ')
	}
	b.WriteString(`"},"at":{"isAtAll":false}}`)
	return b.Bytes()
}

// utf16JSON is s in UTF-16LE with a BOM.
func utf16JSON(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := []byte{0xff, 0xfe}
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	return b
}

func jsonCases(t *testing.T) []kindCase {
	r := rand.New(rand.NewPCG(23, 11))
	w := extract.StreamWindow
	hk := strings.ReplaceAll(testgen.HKIDList(3), "\n", " ")
	records := jsonRecords(r, 17<<19, hk)
	edges := jsonText(r, 13<<20, map[int]string{w - 7: testgen.HKID(21), 2*w - 4: testgen.HKID(22), 3*w - 9: testgen.HKID(23)})
	mixed := jsonRecords(r, 4<<20, "none")
	mixed = append(mixed[:len(mixed)-1], `,"message":`...)
	mixed = append(append(mixed, jsonText(r, 6<<20, map[int]string{5 << 20: hk})...), '}')
	refs := jsonText(r, 9<<20, map[int]string{8 << 20: hk + " Tom &amp; Jerry;"})
	line := `{"msg":"` + strings.Repeat("plain notes of the day ", 12) + `","n":1}` + "\n"
	lines := bytes.Repeat([]byte(line), (17<<19)/len(line))
	lines = append(lines, `{"msg":"`+hk+`"}`+"\n"...)
	badLines := append(bytes.Clone(lines), `{"msg":1`...)
	in := func(ct string, b []byte) extract.Input {
		return extract.Input{ContentType: ct, Size: int64(len(b)), Origin: "body"}
	}
	var fb bytes.Buffer
	for i := 0; fb.Len() < 17<<19; i++ {
		fmt.Fprintf(&fb, "msgParam=%s&n%d=%s&", url.QueryEscape(`{"content":"`+strings.Repeat("minutes of the meeting ", 20)+`"}`), i, url.QueryEscape("會議 会议 notes"))
	}
	fb.WriteString("remark=" + url.QueryEscape(hk))
	form := fb.Bytes()
	bigForm := []byte("a=1&content=" + url.QueryEscape(string(jsonText(r, 9<<20, map[int]string{8 << 20: hk}))))
	u16 := utf16JSON(string(jsonText(r, 5<<20, map[int]string{4 << 20: hk})))
	cs := []kindCase{
		{"json records hkids at the end", in("application/json; charset=utf-8", records), records, rules.Block, true},
		{"json huge string hkids at window edges", in("application/json", edges), edges, "", true},
		{"json records then a huge string", in("", mixed), mixed, rules.Block, true},
		{"json huge string with references", in("application/json", refs), refs, rules.Block, false},
		{"json lines", in("application/x-ndjson", lines), lines, rules.Block, true},
		{"json lines, the last line not JSON", in("application/x-ndjson", badLines), badLines, rules.Block, false},
		{"json truncated", in("application/json", records[:len(records)-3]), records[:len(records)-3], "", false},
		{"json utf-16", in("application/json", u16), u16, rules.Block, false},
		{"form hkids in a value", in("application/x-www-form-urlencoded", form), form, rules.Block, true},
		{"form with a huge value", in("application/x-www-form-urlencoded", bigForm), bigForm, rules.Block, false},
	}
	for _, c := range cs {
		if c.in.Size <= extract.StreamAbove {
			t.Fatalf("%s: %d bytes, not over StreamAbove", c.name, c.in.Size)
		}
	}
	return cs
}

// feedEdges delivers g up to each cut in turn, then completes it: reads
// that wait at a window or chunk edge, or an escape's middle.
func feedEdges(g *growing, cuts []int) {
	sent := 0
	for _, c := range cuts {
		if c > sent && c < len(g.data) {
			g.feed(c - sent)
			sent = c
		}
	}
	g.end(nil)
}

func TestOverlapJSON(t *testing.T) {
	eng := defaultEngine(t)
	cases := jsonCases(t)
	var cuts []int
	for k := 1; k*extract.StreamWindow < 14<<20; k++ {
		for _, d := range []int{-13, -5, -1, 0, 1, 3} {
			cuts = append(cuts, k*extract.StreamWindow+d)
		}
	}
	for k := 1; k < 56; k++ {
		cuts = append(cuts, k*(256<<10)-2, k*(256<<10)+5)
	}
	slices.Sort(cuts)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := inspectWhole(t, eng, c.in, c.body, c.action)
			// Random pieces, then pieces cut at the edges; a body that
			// falls back is read afresh whatever its pieces: once.
			runs := 2
			if !c.overlaps {
				runs = 1
			}
			for run := range runs {
				feed := func(g *growing) { feedRandom(g, rand.New(rand.NewPCG(uint64(run), 78))) }
				if run > 0 {
					feed = func(g *growing) { feedEdges(g, cuts) }
				}
				overlapEquals(t, eng, c, want, "run "+strconv.Itoa(run), feed)
			}
		})
	}
	t.Run("fail midway", func(t *testing.T) { kindsFailMidway(t, eng, cases) })
}

// A JSON body is classified while it arrives: with a quarter of it still
// unsent, batches of its records have reached the classifiers.
func TestOverlapJSONClassifiesWhileArriving(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	body := jsonRecords(r, 16<<20, strings.ReplaceAll(testgen.HKIDList(3), "\n", " "))
	in := extract.Input{ContentType: "application/json", Size: int64(len(body)), Origin: "body"}
	classifiedWhileArriving(t, in, body)
}

// A JSON body read as it arrives weighs on the inspection budget what it
// holds (a window, buffers of pieces, a batch), not twice its size: it
// overlaps next to an inspection that leaves less room than that.
func TestOverlapJSONBudgetWeight(t *testing.T) {
	eng := defaultEngine(t)
	eng.Budget = inspect.NewBudget(48<<20, 4, time.Minute)
	held := newGated(4 << 20) // weight 9 MiB: 39 MiB left, not 2 x 20 MiB
	done := make(chan error, 1)
	go func() {
		_, err := eng.Inspect(context.Background(), overlapReq, gatedInput(held))
		done <- err
	}()
	<-held.entered
	r := rand.New(rand.NewPCG(9, 9))
	body := jsonText(r, 20<<20, map[int]string{10 << 20: strings.ReplaceAll(testgen.HKIDList(3), "\n", " ")})
	g := newGrowing(body)
	ov := eng.Begin(context.Background(), extract.Input{ContentType: "application/json", Size: int64(len(body)), Origin: "body"}, g)
	go feedAll(g, 1<<20)
	got, err := ov.Finish(context.Background(), overlapReq)
	close(held.gate)
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := ov.Overlapped(); !ok || got.Decision.Action != rules.Block {
		t.Fatalf("overlapped %v (%s), decision %s", ok, why, got.Decision.Action)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
