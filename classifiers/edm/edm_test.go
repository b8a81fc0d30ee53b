package edm

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/internal/testgen"
)

func TestSipHashVectors(t *testing.T) {
	const k0, k1 = 0x0706050403020100, 0x0f0e0d0c0b0a0908
	msg := make([]byte, 15)
	for i := range msg {
		msg[i] = byte(i)
	}
	// From the SipHash paper, appendix A, and the reference vectors.
	if got := sipHash24(k0, k1, msg); got != 0xa129ca6149be45e5 {
		t.Errorf("15-byte vector: %#x", got)
	}
	if got := sipHash24(k0, k1, nil); got != 0x726fdb47dd0e0e31 {
		t.Errorf("empty vector: %#x", got)
	}
}

func TestCanonical(t *testing.T) {
	same := [][]string{
		{"Chan Tai Man", "CHAN  TAI-MAN", " chan tai man ", "Ｃｈａｎ Ｔａｉ Ｍａｎ", "Chan\u200b Tai Man"},
		{"+852 9123 4567", "9123-4567", "91234567", "(852) 9123 4567", "85291234567"},
		{"+86 138 0013 8000", "13800138000", "86-13800138000"},
		{"A123456(7)", "a 123456 7", "A1234567"},
		{"Chan.TM@Example.com", " chan.tm@example.COM"},
		{"陳大文", "陳 大文", "陳\u200b大\u200b文"},
	}
	for _, group := range same {
		want, shape := canonical(group[0])
		if shape == 0 {
			t.Errorf("%q: unmatchable", group[0])
			continue
		}
		for _, v := range group[1:] {
			if got, _ := canonical(v); got != want {
				t.Errorf("canonical(%q) = %q, want %q (as %q)", v, got, want, group[0])
			}
		}
	}
	for _, v := range []string{"", "Li", "x", "1234", "香港九龍彌敦道一百號三樓", "a b c d e f", "@", "nobody@localhost"} {
		if c, shape := canonical(v); shape != 0 {
			t.Errorf("canonical(%q) = %q, want unmatchable", v, c)
		}
	}
}

// customers generates n rows of name, mobile, email, HKID; never real.
func customers(n int, seed uint64) [][]string {
	r := rand.New(rand.NewPCG(seed, 99))
	surnames := []string{"Chan", "Wong", "Lee", "Cheung", "Lau", "Ho", "Ng", "Leung", "Tsang", "Yip"}
	given := []string{"Tai Man", "Siu Ming", "Ka Yan", "Wing Sze", "Chi Keung", "Mei Ling", "Hoi Yan", "Kwok Wai", "Suet Ying", "Pui Man"}
	han := []string{"陳", "黃", "李", "張", "劉", "何", "吳", "梁", "曾", "葉"}
	hanGiven := []string{"大文", "小明", "嘉欣", "詠詩", "志強", "美玲", "凱欣", "國偉", "雪瑩", "佩雯"}
	rows := make([][]string, n)
	for i := range rows {
		name := fmt.Sprintf("%s %s %s", surnames[r.IntN(10)], given[r.IntN(10)], fmt.Sprint(string(rune('A'+i%26)), "x", i)) // distinct
		if i%5 == 4 {
			name = han[r.IntN(10)] + hanGiven[(i/5)%10] + string([]rune("一二三四五六七八九十")[(i/50)%10])
		}
		mobile := fmt.Sprintf("%d%07d", 5+r.IntN(5), i)
		rows[i] = []string{name, mobile, fmt.Sprintf("cust%d.%d@example.hk", i, r.IntN(1000)), testgen.HKID(i)}
	}
	return rows
}

func writeCSV(t testing.TB, rows [][]string, header ...string) string {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	w.WriteAll(rows)
	p := filepath.Join(t.TempDir(), "customers.csv")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func buildIndex(t testing.TB, rows [][]string) (*Index, []byte) {
	t.Helper()
	b, err := NewBuilder("customers", []string{"name", "mobile", "email", "id"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := b.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if _, err := b.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	x, err := Parse(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return x, out.Bytes()
}

func TestIndexHoldsNoValue(t *testing.T) {
	rows := customers(200, 1)
	_, raw := buildIndex(t, rows)
	for _, r := range rows {
		for _, v := range r {
			c, _ := canonical(v)
			for _, probe := range []string{v, c, r[1][2:], strings.ToLower(v)} {
				if len(probe) >= 4 && bytes.Contains(raw, []byte(probe)) {
					t.Fatalf("index contains %q", probe)
				}
			}
		}
	}
	// Two indexes of the same rows share no hash: each has its own salt.
	_, raw2 := buildIndex(t, rows)
	if bytes.Equal(raw[40:], raw2[40:]) {
		t.Fatal("two builds are identical: no fresh salt")
	}
}

func TestParseRejectsDamage(t *testing.T) {
	_, raw := buildIndex(t, customers(50, 2))
	cases := map[string][]byte{
		"empty":      nil,
		"magic":      append([]byte("XXXXXXXX"), raw[8:]...),
		"truncated":  raw[:len(raw)-7],
		"extra":      append(append([]byte{}, raw...), 0),
		"bit flip":   flip(raw, len(raw)/2),
		"header len": flip(raw, 40),
	}
	for name, b := range cases {
		if _, err := Parse(b); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: error %v, want ErrFormat", name, err)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 0x40
	return c
}

func classify(x *Index, texts ...string) (int, []string, []string) {
	segs := make([]extract.Segment, len(texts))
	for i, s := range texts {
		segs[i] = extract.Segment{Origin: fmt.Sprint("seg", i), Text: s}
	}
	fs := NewSet(x).Classify(context.Background(), segs)
	if len(fs) == 0 {
		return 0, nil, nil
	}
	var masked []string
	for _, s := range fs[0].Samples {
		masked = append(masked, s.Masked)
	}
	return fs[0].Count, fs[0].Signals, masked
}

func TestMatchRowsInManyShapes(t *testing.T) {
	rows := customers(2000, 3)
	x, _ := buildIndex(t, rows)
	pick := []int{3, 4, 17, 99, 250, 251, 600, 777, 1234, 1500, 1800, 1999}
	shapes := map[string]func(r []string) string{
		"csv reordered": func(r []string) string { return r[2] + "," + r[0] + ",HK\n" },
		"json records": func(r []string) string {
			return fmt.Sprintf(`{"customer":%q,"tel":"+852 %s %s"},`, r[0], r[1][:4], r[1][4:])
		},
		"chat lines": func(r []string) string { return "客戶 " + r[0] + " 身份證 " + r[3] + " 請跟進\n" },
		"markdown": func(r []string) string {
			return "| " + strings.ToUpper(r[0]) + " | " + r[1][:4] + "-" + r[1][4:] + " |\n"
		},
		"tsv id+email": func(r []string) string { return r[3] + "\t" + strings.ToUpper(r[2]) + "\n" },
	}
	for name, shape := range shapes {
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("Follow-up list for this week, please check:\n")
			for _, i := range pick {
				b.WriteString(shape(rows[i]))
			}
			n, signals, masked := classify(x, b.String())
			if n != len(pick) {
				t.Fatalf("%d rows matched, want %d; signals %v", n, len(pick), signals)
			}
			if signals[0] != fmt.Sprintf("edm:customers rows=%d", len(pick)) {
				t.Errorf("signals %v", signals)
			}
			for _, m := range masked {
				for _, i := range pick {
					for _, v := range rows[i] {
						if len(v) > 4 && strings.Contains(strings.ToLower(m), strings.ToLower(v)) {
							t.Fatalf("sample %q shows %q", m, v)
						}
					}
				}
			}
		})
	}
}

func TestMatchNeedsTwoFieldsNearEachOther(t *testing.T) {
	rows := customers(500, 4)
	x, _ := buildIndex(t, rows)
	var names, far strings.Builder
	for i := range 20 {
		names.WriteString(rows[i][0] + "\n") // one field per row
		far.WriteString(rows[i][0] + strings.Repeat(" filler", 100) + " " + rows[i][1] + "\n")
	}
	if n, _, _ := classify(x, names.String()); n != 0 {
		t.Errorf("names alone: %d rows", n)
	}
	if n, _, _ := classify(x, far.String()); n != 0 {
		t.Errorf("fields 700 bytes apart: %d rows", n)
	}
	// Fields of different rows next to each other are not a row.
	var mixed strings.Builder
	for i := range 20 {
		mixed.WriteString(rows[i][0] + "," + rows[(i*37+200)%500][1] + "\n")
	}
	if n, _, _ := classify(x, mixed.String()); n != 0 {
		t.Errorf("mixed rows: %d rows", n)
	}
	// Unrelated people with the same shape.
	other := customers(50, 777)
	var un strings.Builder
	for _, r := range other {
		un.WriteString(strings.ReplaceAll(r[0], "x", "y") + "," + "6" + r[1][1:] + "1," + strings.Replace(r[2], "cust", "client", 1) + "\n")
	}
	if n, _, _ := classify(x, un.String()); n != 0 {
		t.Errorf("unrelated customers: %d rows", n)
	}
}

func TestHanNamesMatch(t *testing.T) {
	rows := customers(100, 5)
	x, _ := buildIndex(t, rows)
	var b strings.Builder
	n := 0
	for i, r := range rows {
		if i%5 == 4 {
			fmt.Fprintf(&b, "客戶%s電話%s，", strings.Join(strings.Split(r[0], ""), "\u200b"), r[1])
			n++
		}
	}
	if got, _, _ := classify(x, b.String()); got != n {
		t.Fatalf("%d rows, want %d", got, n)
	}
}

// TestCommonHan: the byte-level fast path agrees with decoding and isHan
// over the whole range it claims and its neighbours.
func TestCommonHan(t *testing.T) {
	for r := rune(0x3000); r <= 0xA000; r++ {
		s := string(r) + "x"
		want := r >= 0x4E00 && r <= 0x9FFF
		if got := commonHan(s); got != want {
			t.Fatalf("commonHan(U+%04X) = %v", r, got)
		}
		if want && (!isHan(r) || isInvisible(r)) {
			t.Fatalf("U+%04X claimed but not a visible Han character", r)
		}
	}
	for _, s := range []string{"\xe5", "\xe5\x80", "\xe5\x80x", "\xe5x\x80"} {
		if commonHan(s) {
			t.Fatalf("commonHan(%q) on a broken sequence", s)
		}
	}
}

// TestMatchAcrossChunks: a segment longer than several tokenising chunks
// finds every row, also rows whose two fields sit on the two lines either
// side of a chunk boundary, and the e-mail addresses in it.
func TestMatchAcrossChunks(t *testing.T) {
	rows := customers(300, 8)
	x, _ := buildIndex(t, rows)
	filler := "The operations team will review the shipping schedule, 倉庫存貨請於月底前盤點。\n"
	var b strings.Builder
	want := 0
	for i := 0; b.Len() < 5*chunkBytes; i++ {
		for range 40 {
			b.WriteString(filler)
		}
		r := rows[i]
		if i%2 == 0 {
			b.WriteString(r[0] + "\n" + r[1][:4] + " " + r[1][4:] + "\n") // name and mobile on two lines
		} else {
			b.WriteString(strings.ToUpper(r[2]) + " " + r[3] + "\n") // e-mail and ID
		}
		want++
	}
	text := b.String()
	if n, signals, _ := classify(x, text); n != want {
		t.Fatalf("%d rows matched in %d bytes, want %d; signals %v", n, len(text), want, signals)
	}
	// Chunk boundaries fall after a newline, past chunkBytes.
	for lo := 0; lo < len(text); {
		hi := chunkEnd(text, lo)
		if hi <= lo || hi < len(text) && (text[hi-1] != '\n' || hi-lo < chunkBytes) {
			t.Fatalf("chunk [%d,%d) of %d", lo, hi, len(text))
		}
		lo = hi
	}
}
