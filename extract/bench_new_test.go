package extract

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
)

// BenchmarkNewFormats: extraction speed of the formats of issue 11. MB/s
// counts the uncompressed text (or the body, for binaries).
//
//	go test ./extract -run XXX -bench NewFormats -benchtime 5x
func BenchmarkNewFormats(b *testing.B) {
	var text strings.Builder
	for text.Len() < 1<<20 {
		text.WriteString("Customer Chan Tai Man, HKID A123456(3), 香港九龍觀塘道 100 號, tel 9123 4567.\n")
	}
	plain := []byte(text.String())
	var rows [][]string
	for i := 0; i < 10000; i++ {
		rows = append(rows, []string{"Chan Tai Man", hkid("A", "123456"), "觀塘"})
	}
	relXLSX := buildRelXLSX(b, rows, "x")
	var paras strings.Builder
	for paras.Len() < 1<<20 {
		paras.WriteString("Paragraph: applicant Chan Tai Man holds HKID A123456(3) and lives in 觀塘. ")
	}
	relDOCX := buildRelDOCX(b, paras.String(), nil)
	pages := make([]string, 0, 400)
	for i := 0; i < 400; i++ {
		pages = append(pages, "Line of the list with Patient Chan Tai Man HKID A123456(3)")
	}
	aesPDF := buildEncryptedPDF(b, newPDFEnc(b, "aes-128", "", "o"), pages)
	r6PDF := buildEncryptedPDF(b, newPDFEnc(b, "aes-256", "", "o"), pages)
	bin := append(append(noise(1<<19), utf16le("Lee Mei Ling K765432(0) 香港身份證")...), noise(1<<19)...)
	b64 := "mail text\n" + base64.StdEncoding.EncodeToString(plain[:600<<10]) + "\nend"
	media := realPNG(b) // a small real image: validation + strings
	cases := []struct {
		name string
		body []byte
		n    int64
	}{
		{"xz", xzBytes(b, plain), int64(len(plain))},
		{"lzma", lzmaBytes(b, plain, true), int64(len(plain))},
		{"zip-method14-lzma", rawZip(b, "a.txt", 14, plain, zipLZMABytes(b, plain)), int64(len(plain))},
		{"rar4-stored", buildRAR4(rarFile{name: "a.txt", body: plain}), int64(len(plain))},
		{"7z-small-fixture", readFixture(b, "solid.7z"), 218},
		{"bzip2-small-fixture", readFixture(b, "customers.csv.bz2"), int64(len(fixtureCSV))},
		{"xlsx-by-relationships", relXLSX, int64(len(relXLSX))},
		{"docx-by-relationships", relDOCX, int64(paras.Len())},
		{"pdf-plain-same-pages", buildLatinPDF(b, []string{strings.Join(pages, "\n")}, ""), int64(len(aesPDF))},
		{"pdf-aes128-decrypt", aesPDF, int64(len(aesPDF))},
		{"pdf-aes256-r6-decrypt", r6PDF, int64(len(r6PDF))},
		{"fake-media-csv", append([]byte("RIFF"), plain...), int64(len(plain))},
		{"base64-in-text", []byte(b64), int64(len(b64))},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { benchExtract(b, Input{}, c.body, c.n) })
	}
	// Bodies that are reported as well as read (unreadable binary, real
	// media): timed without benchExtract's no-problem check.
	for _, c := range []struct {
		name string
		body []byte
	}{{"unknown-binary-strings", bin}, {"real-png", media}, {"real-wav", realWAV()}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				res, err := Extract(context.Background(), bodyInput(c.body), Limits{})
				if err != nil || len(res.Problems) != 1 {
					b.Fatalf("%v %+v", err, res)
				}
			}
		})
	}
}
