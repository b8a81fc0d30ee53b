package classifiers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// digestInputs are the texts of TestClassifyFindingsUnchanged: business
// text in English, Traditional and Simplified Chinese, digit-heavy
// sheets with dates and phones, HKIDs written plain, spaced, grouped,
// bracketed and full-width, their near misses, keywords split across
// lines, and every shape placed across the 64-byte blocks of the digit
// map and the automaton's lane boundaries.
func digestInputs() []struct{ name, text string } {
	r := rand.New(rand.NewPCG(301, 302))
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	pieces := []string{
		"HKID A123456(3) ", "身份證 A 123456 (3)", "身份证号码：A123456（3）", "HKID: A 123 456 3\n", "A-123456-3 ",
		"Ａ１２３４５６（３）", "A123456(4) ", "AB987654(2)", "Room 12 ", "Z 12345 6", "HKID\nA 123456 3",
		"Revenue 1,200,000 ", "Total\nAssets 3,400 ", "invoice INV-2026-0412 ", "PO 88231001 ", "發票號碼 ", "发票 ",
		"病人 陳大文, 45 M 床 12 ", "patient Chan Tai Man, 45 M, 500mg ", "Diagnosis: E11.65 ", "倉庫存貨 1,200 件。",
		"電話 9123 4567 ", "+852 6123 4567 ", "(852) 9123 4567 ", "13800138000 ", "110105194912310021 ",
		"4111 1111 1111 1111 ", "email a.b@example.com ", "2026-03-02 ", "2026/03/02 ", "2026 03 02 ",
		"name,diagnosis\n", "Name,HKID,Phone\n", "\n", " ", "，", "。", "\t", "ABCDEFGH", "a1b2c3", "91234567",
	}
	var out []struct{ name, text string }
	add := func(name, text string) { out = append(out, struct{ name, text string }{name, text}) }
	for k := range 40 {
		var b strings.Builder
		for b.Len() < 200+r.IntN(3000) {
			b.WriteString(pick(pieces))
			if r.IntN(4) == 0 {
				b.WriteString(strings.Repeat("x", r.IntN(70)))
			}
		}
		add(fmt.Sprintf("pieces-%d", k), b.String())
	}
	for k := range 10 {
		add(fmt.Sprintf("ids-%d", k), genIDText(r, 500+r.IntN(3000)))
		add(fmt.Sprintf("spaced-%d", k), genSpacedText(r, 500+r.IntN(3000)))
		add(fmt.Sprintf("grouped-%d", k), genGroupedText(r, 500+r.IntN(3000)))
		add(fmt.Sprintf("dense-%d", k), genDigitDense(r, 500+r.IntN(3000)))
	}
	var sb strings.Builder
	for row := 0; sb.Len() < 60000; row++ {
		fmt.Fprintf(&sb, "%d,%d.%02d,%d,2026-%02d-%02d,%d\n", row, r.IntN(100000), r.IntN(100), r.IntN(1000000), 1+r.IntN(12), 1+r.IntN(28), r.IntN(99999999))
	}
	sheet := sb.String()
	for shift := 0; shift < 64; shift += 7 {
		add(fmt.Sprintf("sheet-%d", shift), sheet[shift:shift+20000])
	}
	mixed := mixedText(300000)
	add("mixed", mixed)
	add("mixed-long-line", strings.ReplaceAll(mixed, "\n", " "))
	add("traditional", strings.Repeat("明天下午三點喺觀塘辦公室開會，記得帶埋投影機。倉庫存貨 1,200 件，請於月底前盤點。病人 HKID A123456(3)\n", 400))
	add("simplified", strings.Repeat("各位好，请于周五前提交差旅报销单，附上发票原件。仓库库存一千二百件，身份证号码 110105194912310021。\n", 400))
	return out
}

// TestClassifyFindingsUnchanged: Classify's findings on digestInputs, each
// text whole and split into two segments, hash to what they hashed to
// before this round of speed work (commit ca88f45). A changed digest
// means a finding, signal, count, sample or offset changed. Run with
// DLPGATE_PRINT_DIGESTS=1 to print the table.
func TestClassifyFindingsUnchanged(t *testing.T) {
	set := NewDefault()
	ctx := context.Background()
	got := map[string]string{}
	var table strings.Builder
	fired := 0
	for _, in := range digestInputs() {
		h := sha256.New()
		cut := len(in.text) / 3
		for cut < len(in.text) && in.text[cut]&0xC0 == 0x80 {
			cut++
		}
		for _, segs := range [][]extract.Segment{
			{{Origin: "a", Text: in.text}},
			{{Origin: "a", Text: in.text[:cut]}, {Origin: "b", Text: in.text[cut:]}},
		} {
			fs := set.Classify(ctx, segs)
			fired += len(fs)
			fmt.Fprintf(h, "%#v\n", fs)
		}
		got[in.name] = hex.EncodeToString(h.Sum(nil))[:16]
		fmt.Fprintf(&table, "\t%q: %q,\n", in.name, got[in.name])
	}
	if os.Getenv("DLPGATE_PRINT_DIGESTS") != "" {
		fmt.Print(table.String())
	}
	if fired < 100 {
		t.Fatalf("only %d findings on all inputs: the digests pin too little", fired)
	}
	for name, want := range findingsDigests {
		if got[name] != want {
			t.Errorf("%s: findings digest %s, want %s", name, got[name], want)
		}
	}
	if len(findingsDigests) != len(got) {
		t.Errorf("%d digests for %d inputs", len(findingsDigests), len(got))
	}
}

// findingsDigests were printed by TestClassifyFindingsUnchanged on commit
// ca88f45 (before the speed work they pin); ids-1 and ids-8 were printed
// again when a bracketed HKID joined to a form value by '=' or '&' came to
// count (a deliberate change of findings, not of speed).
var findingsDigests = map[string]string{
	"pieces-0":        "9c095629d0d3670a",
	"pieces-1":        "d03a67c0daf9197b",
	"pieces-2":        "78c0fc2bfcf4c2a4",
	"pieces-3":        "62a5960fb19030f3",
	"pieces-4":        "1c56d326094c7f2c",
	"pieces-5":        "683f1dab16f3b6df",
	"pieces-6":        "15fbc392151f0a7a",
	"pieces-7":        "6f7ee42250fa32fd",
	"pieces-8":        "a974fd15527c42d3",
	"pieces-9":        "d892b655775516fb",
	"pieces-10":       "670b5bd00598a910",
	"pieces-11":       "b684f3cf4dd3815b",
	"pieces-12":       "7f5ef5c0585dd986",
	"pieces-13":       "746ecfc9d413e0d1",
	"pieces-14":       "598709ffc6005f00",
	"pieces-15":       "7fe471251ce31609",
	"pieces-16":       "39a86d51f56e78d3",
	"pieces-17":       "eef798ce3c64d5a6",
	"pieces-18":       "cfe7e014ed5ee46c",
	"pieces-19":       "3f1e9f905ebe5979",
	"pieces-20":       "b01070a760a19e86",
	"pieces-21":       "517e0b4e3ea4b584",
	"pieces-22":       "d4524ff0dd7b6304",
	"pieces-23":       "9ba35264eb6a3b37",
	"pieces-24":       "ed60bd730a82eb0b",
	"pieces-25":       "ba8de739db5bf279",
	"pieces-26":       "b3622589f8720bf4",
	"pieces-27":       "8b47ce54620d8e3c",
	"pieces-28":       "1fa3991f522d1dcd",
	"pieces-29":       "58a0aa438fd46079",
	"pieces-30":       "18b6d384c2b42854",
	"pieces-31":       "a29fbc46442d01c5",
	"pieces-32":       "caec18c60ba36f40",
	"pieces-33":       "ad3fbb49fdddde45",
	"pieces-34":       "7bf9ff67f9614913",
	"pieces-35":       "0e996f795e44db35",
	"pieces-36":       "ab0a1b918bad483a",
	"pieces-37":       "c3469e5e44a635c1",
	"pieces-38":       "8ae15a3cc4035f1f",
	"pieces-39":       "67dd1491e2d3fd39",
	"ids-0":           "183de672a93a002d",
	"spaced-0":        "d7872123304d1409",
	"grouped-0":       "cc276ba3a37d6ce7",
	"dense-0":         "b6fd1d68a7bf898d",
	"ids-1":           "4e86bcde12f9a9b3", // re-recorded: bracketed HKIDs as form values (hkid.go formValueBefore)
	"spaced-1":        "8d87baf4d9fef4ef",
	"grouped-1":       "3f4b025120aaa331",
	"dense-1":         "93281009993793d4",
	"ids-2":           "4920bba366826b8f",
	"spaced-2":        "12a4cbd99121fbeb",
	"grouped-2":       "619a9efe3d34650c",
	"dense-2":         "93281009993793d4",
	"ids-3":           "f22e52bbe6572e2b",
	"spaced-3":        "3fdf4bf3e5890c83",
	"grouped-3":       "b63581997ed0a71c",
	"dense-3":         "413b2aa4be5bc5dc",
	"ids-4":           "06e175749334bf71",
	"spaced-4":        "920f6af9916455af",
	"grouped-4":       "747c5ada3f75292d",
	"dense-4":         "8cbfd3fd5b26caf0",
	"ids-5":           "bb07f5db632c6baa",
	"spaced-5":        "f3348ed878a355cc",
	"grouped-5":       "93281009993793d4",
	"dense-5":         "93281009993793d4",
	"ids-6":           "4f43d701639fd559",
	"spaced-6":        "c1e15026bf4656e9",
	"grouped-6":       "93281009993793d4",
	"dense-6":         "187ae1f5574211d5",
	"ids-7":           "3d1686a12c0ce341",
	"spaced-7":        "56bf0d0ac840b9f6",
	"grouped-7":       "9feb3c37db9670af",
	"dense-7":         "366a94643b2090d3",
	"ids-8":           "6b56b8b5b95c92d8", // re-recorded: as ids-1
	"spaced-8":        "b71e64a701df4fdd",
	"grouped-8":       "93281009993793d4",
	"dense-8":         "14bb2bf9c7b89d6d",
	"ids-9":           "1902c804be79cc21",
	"spaced-9":        "f3e5c7650470512a",
	"grouped-9":       "93281009993793d4",
	"dense-9":         "93281009993793d4",
	"sheet-0":         "1a70053b0cf363e3",
	"sheet-7":         "e8188c631cca3a95",
	"sheet-14":        "fdb65c65f35dec61",
	"sheet-21":        "b7da58e56ad27cdf",
	"sheet-28":        "596e9fafa7dd450a",
	"sheet-35":        "5c0159d891a8c851",
	"sheet-42":        "5882f5a15ed9ebfd",
	"sheet-49":        "22b195417b513d6f",
	"sheet-56":        "35067123c1d4c322",
	"sheet-63":        "71e3c1529a311c1f",
	"mixed":           "39eba57363715ff9",
	"mixed-long-line": "39eba57363715ff9",
	"traditional":     "794c3f66d306302e",
	"simplified":      "93281009993793d4",
}
