package ocr

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/extract/ocr/ocrtest"
)

// The accuracy and speed figures: run with
//
//	go test ./extract/ocr -run '^$' -bench OCR -benchtime 1x
//
// They print a table: character error rate (edit distance over reference
// length, whitespace ignored) per script and text size, the share of HKIDs
// recovered from card images at several sizes, rotations and JPEG
// qualities, OCR time per image (p50/p99), and a 5 MB photo within the
// request budget.

var benchTexts = map[string][]string{
	"EN": {"Consolidated statement of financial position", "Trade receivables 8,320 and cash 5,210", "Patient advised two days of sick leave"},
	"繁":  {"綜合財務狀況表截至二零二五年十二月三十一日", "病人因上呼吸道感染需休息兩天", "香港永久性居民身份證持有人"},
	"简":  {"合并资产负债表截至二零二五年十二月三十一日", "病人因上呼吸道感染需休息两天", "客户名单包括姓名电话和地址"},
}

func BenchmarkOCRAccuracy(b *testing.B) {
	e := engine(b)
	var times []time.Duration
	read := func(data []byte) string {
		start := time.Now()
		text, err := e.ReadImage(context.Background(), extract.Image{Encoded: data})
		times = append(times, time.Since(start))
		if err != nil {
			b.Logf("OCR error: %v", err)
		}
		return text
	}
	for i := 0; i < b.N; i++ {
		times = times[:0]
		fmt.Fprintln(os.Stdout, "character error rate (JPEG q75, light noise):")
		fmt.Fprintf(os.Stdout, "%-4s", "px")
		scripts := []string{"EN", "繁", "简"}
		for _, s := range scripts {
			fmt.Fprintf(os.Stdout, " %8s", s)
		}
		fmt.Fprintln(os.Stdout)
		for _, size := range []float64{10, 14, 20, 32} {
			fmt.Fprintf(os.Stdout, "%-4.0f", size)
			for _, s := range scripts {
				ref := benchTexts[s]
				img, err := ocrtest.Render(ref, ocrtest.Style{Size: size, Noise: 8, Seed: uint64(size)})
				if err != nil {
					b.Skip(err)
				}
				got := read(ocrtest.JPEG(img, 75))
				fmt.Fprintf(os.Stdout, " %7.1f%%", 100*cer(strings.Join(ref, ""), got))
			}
			fmt.Fprintln(os.Stdout)
		}
		// HKID cards: sizes x rotations x JPEG qualities.
		found, total := 0, 0
		var missed []string
		for k, size := range []float64{14, 20, 28} {
			for _, rot := range []int{0, 90, 180} {
				for _, q := range []int{40, 85} {
					id := benchHKID(total)
					lines := []string{"HONG KONG IDENTITY CARD", "香港永久性居民身份證", "CHAN, Tai Man 陳大文", id}
					img, err := ocrtest.Render(lines, ocrtest.Style{Size: size, Rotate: rot, Noise: 10 + 5*k, Border: true, Seed: uint64(total)})
					if err != nil {
						b.Skip(err)
					}
					total++
					text := read(ocrtest.JPEG(ocrtest.Tint(img, color.RGBA{235, 225, 250, 255}), q))
					if strings.Contains(text, id) {
						found++
					} else {
						missed = append(missed, fmt.Sprintf("%.0fpx/%d°/q%d", size, rot, q))
					}
				}
			}
		}
		fmt.Fprintf(os.Stdout, "HKIDs recovered: %d/%d (%.0f%%); missed: %v\n", found, total, 100*float64(found)/float64(total), missed)
		slices.Sort(times)
		fmt.Fprintf(os.Stdout, "OCR time per image over %d images: p50 %v, p99 %v\n", len(times),
			times[len(times)/2].Round(time.Millisecond), times[len(times)*99/100].Round(time.Millisecond))
		b.ReportMetric(float64(found)/float64(total), "hkid-recall")
		b.ReportMetric(float64(times[len(times)/2].Milliseconds()), "p50-ms")
	}
}

// BenchmarkOCRLargePhoto: a 5 MB phone photo through extract with the
// default budgets must come back within the request budget.
func BenchmarkOCRLargePhoto(b *testing.B) {
	e := engine(b)
	lines := []string{"MEDICAL CERTIFICATE", "", "Patient CHAN Tai Man", "Diagnosis: Acute bronchitis", "", "Sick leave 3 days", "", "", "Dr Lee Ka Ho", "", "Clinic stamp", ""}
	img, err := ocrtest.Render(lines, ocrtest.Style{Size: 150, Noise: 60, Width: 4000, Border: true})
	if err != nil {
		b.Skip(err)
	}
	data := ocrtest.JPEG(ocrtest.Tint(img, color.RGBA{250, 230, 210, 255}), 85)
	budget := 15 * time.Second
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res, err := extract.Extract(context.Background(), extract.Input{Body: bytes.NewReader(data), Size: int64(len(data))},
			extract.Limits{OCR: e, OCRBudget: int64(budget)})
		d := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		text := ""
		for _, s := range res.Segments {
			text += s.Text
		}
		fmt.Fprintf(os.Stdout, "%.1f MB photo %dx%d: %v (budget %v, within: %v), problems %v, read certificate: %v\n",
			float64(len(data))/1e6, img.Bounds().Dx(), img.Bounds().Dy(), d.Round(time.Millisecond), budget, d <= budget,
			res.Problems, strings.Contains(text, "bronchitis"))
	}
}

func benchHKID(n int) string {
	letters := "ACDEGHKMPRVYZ"
	p := string(letters[n%len(letters)])
	d := fmt.Sprintf("%06d", (n*7919+123457)%1000000)
	for c := byte('0'); c <= '9'; c++ {
		if validHKID(p, d, c) {
			return p + d + "(" + string(c) + ")"
		}
	}
	if validHKID(p, d, 'A') {
		return p + d + "(A)"
	}
	return ""
}

// cer is the edit distance between ref and got over ref's length, both
// without whitespace.
func cer(ref, got string) float64 {
	strip := func(s string) []rune {
		var out []rune
		for _, r := range s {
			if !unicode.IsSpace(r) {
				out = append(out, r)
			}
		}
		return out
	}
	a, bb := strip(ref), strip(got)
	prev := make([]int, len(bb)+1)
	cur := make([]int, len(bb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(bb); j++ {
			c := prev[j-1]
			if a[i-1] != bb[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return float64(prev[len(bb)]) / float64(max(1, len(a)))
}

// BenchmarkOCRSkip: what a picture that cannot hold text costs before any
// process (no Tesseract needed):
//
//	go test ./extract/ocr -run '^$' -bench OCRSkip
func BenchmarkOCRSkip(b *testing.B) {
	icon := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for i := range icon.Pix {
		icon.Pix[i] = uint8(i * 7)
	}
	flat := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range flat.Pix {
		flat.Pix[i] = uint8(100 + (i%640)/16) // a smooth gradient: no edges
	}
	e := New(Config{Command: "/nonexistent/tesseract"})
	for name, data := range map[string][]byte{"icon-32px-png": ocrtest.PNG(icon), "gradient-640x480-jpeg": ocrtest.JPEG(flat, 80)} {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if text, err := e.ReadImage(context.Background(), extract.Image{Encoded: data}); text != "" || err != nil {
					b.Fatalf("(%q, %v): not skipped", text, err)
				}
			}
		})
	}
}
