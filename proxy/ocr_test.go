package proxy

import (
	"bytes"
	"image"
	"image/color"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/extract/ocr"
	"github.com/dlpgate/dlpgate/extract/ocr/ocrtest"
	"github.com/dlpgate/dlpgate/internal/testgen"
)

// ocrHarness is the real proxy with the real classifiers, the default
// policy and Tesseract reading images.
func ocrHarness(t *testing.T) *harness {
	t.Helper()
	if _, err := exec.LookPath("tesseract"); err != nil {
		t.Skip("SKIP: tesseract not installed: images are not OCR-tested (apt-get install tesseract-ocr tesseract-ocr-chi-tra tesseract-ocr-chi-sim)")
	}
	eng := ocr.New(ocr.Config{ImageTimeout: 30 * time.Second})
	if err := eng.Available(); err != nil {
		t.Skipf("SKIP: OCR engine unusable: %v", err)
	}
	if _, err := ocrtest.Font(); err != nil {
		t.Skipf("SKIP: %v", err)
	}
	return newHarness(t, harnessConfig{
		classifiers: classifiers.NewDefault(),
		limits:      extract.Limits{OCR: eng, OCRBudget: int64(60 * time.Second)},
	})
}

func mustRenderImg(t *testing.T, lines []string, st ocrtest.Style) image.Image {
	t.Helper()
	img, err := ocrtest.Render(lines, st)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestOCRThroughProxy uploads generated screenshots, photos and scans to
// DingTalk's media endpoint and checks the default policy's decision on
// what OCR read.
func TestOCRThroughProxy(t *testing.T) {
	h := ocrHarness(t)
	render := func(lines []string, st ocrtest.Style) []byte {
		img, err := ocrtest.Render(lines, st)
		if err != nil {
			t.Fatal(err)
		}
		return ocrtest.PNG(img)
	}
	photo := func(lines []string, st ocrtest.Style, q int) []byte {
		img, err := ocrtest.Render(lines, st)
		if err != nil {
			t.Fatal(err)
		}
		return ocrtest.JPEG(ocrtest.Tint(img, color.RGBA{245, 235, 215, 255}), q)
	}
	ids := []string{testgen.HKID(11), testgen.HKID(12), testgen.HKID(13), testgen.HKID(14), testgen.HKID(15)}
	table := []string{"Customer\tHKID\tPhone"}
	for i, id := range ids {
		table = append(table, []string{"CHAN Tai Man", "LEE Siu Ling", "WONG Ka Yan", "CHEUNG Wai", "HO Mei"}[i]+"\t"+id+"\t9123 45"+string(rune('0'+i))+"7")
	}
	sheet, err := ocrtest.Render(strings.Split(balanceSheet, "\n"), ocrtest.Style{Size: 20, Tabs: 220, Noise: 12})
	if err != nil {
		t.Fatal(err)
	}
	sheetPDF := ocrtest.ImagePDF([]ocrtest.PDFImage{
		{JPEG: ocrtest.JPEG(sheet, 60), W: sheet.Bounds().Dx(), H: sheet.Bounds().Dy()},
		{Gray: ocrtest.GrayOf(mustRenderImg(t, []string{"Page 2: notes to the accounts"}, ocrtest.Style{Size: 20}))},
	})
	medDocx := ocrtest.DOCXWithImage("Please find my certificate attached.",
		render(strings.Split(medicalCert, "\n"), ocrtest.Style{Size: 22}), "png")

	cases := []struct {
		name, file string
		body       []byte
		status     int
		rule       string
	}{
		// One HKID on a card photo is what hkid-single logs (as text would be).
		{"hkid-card-photo", "id.jpg", photo(idCard, ocrtest.Style{Size: 26, Border: true, Noise: 20}, 55), 200, "hkid-single"},
		{"table-of-5-hkids", "customers.png", render(table, ocrtest.Style{Size: 18, Tabs: 200}), 403, "hkid-bulk"},
		{"table-webp-screenshot", "chat.webp", ocrtest.WebP(mustRenderImg(t, table, ocrtest.Style{Size: 24, Tabs: 260})), 403, "hkid-bulk"},
		{"balance-sheet-scan-pdf", "scan.pdf", sheetPDF, 403, "financial-statement"},
		{"sick-leave-photo-sideways", "sick.jpg", photo(strings.Split(sickLeave, "\n"), ocrtest.Style{Size: 30, Rotate: 90, Noise: 15}, 70), 403, "medical-record"},
		{"sick-leave-simplified-photo", "bingjia.jpg", photo(strings.Split(sickLeaveSimplified, "\n"), ocrtest.Style{Size: 26, Noise: 25}, 50), 403, "medical-record"},
		{"medical-cert-in-docx", "cert.docx", medDocx, 403, "medical-record"},
		{"poster", "lunch.png", render(strings.Split(poster, "\n"), ocrtest.Style{Size: 40}), 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(h.rec.events())
			ct, body := multipartBody(t, "media", c.file, c.body)
			req, _ := http.NewRequest(http.MethodPost, "https://oapi.dingtalk.com/media/upload?access_token=x&type=file", bytes.NewReader(body))
			req.Header.Set("Content-Type", ct)
			start := time.Now()
			got := h.status(t, req)
			t.Logf("%s: %d bytes, %d in %v", c.name, len(c.body), got, time.Since(start))
			if got != c.status {
				t.Errorf("status %d, want %d", got, c.status)
			}
			evs := h.rec.events()[before:]
			if c.rule == "" {
				if len(evs) != 0 {
					t.Errorf("%d events for a harmless poster: %+v", len(evs), evs)
				}
				return
			}
			if len(evs) != 1 || evs[0].Rule != c.rule {
				t.Fatalf("events %+v, want one by rule %s", evs, c.rule)
			}
			for _, f := range evs[0].Findings {
				if f.Classifier == classifiers.Uninspectable {
					t.Errorf("uninspectable parts: %v", f.Signals)
				}
			}
		})
	}
}

var idCard = []string{"HONG KONG PERMANENT IDENTITY CARD", "香港永久性居民身份證", "CHAN, Tai Man 陳大文", "Date of Birth 01-01-1980", testgen.HKID(21)}

const balanceSheet = `ABC Trading Limited
Consolidated Balance Sheet as at 31 December 2025
(HK$'000)	2025	2024
Non-current assets
Property, plant and equipment	12,450	11,980
Current assets
Trade receivables	8,320	7,115
Cash and cash equivalents	5,210	4,870
Total assets	25,980	23,965
Current liabilities
Trade payables	6,140	5,560
Net current assets	7,390	6,425
Share capital	10,000	10,000
Retained earnings	9,840	8,405
Total equity and liabilities	25,980	23,965`

const sickLeave = `病假證明書
茲證明 陳大文 先生
於2025年3月3日到本診所求診
診斷：上呼吸道感染
建議病假三天
主診醫生 李醫生`

const sickLeaveSimplified = `病假证明书
兹证明 王小明 先生
于2025年3月3日到本诊所求诊
诊断：上呼吸道感染
建议病假三天
主诊医生 李医生`

const medicalCert = `MEDICAL CERTIFICATE
This is to certify that Mr WONG Siu Ming
attended this clinic on 3 March 2025.
Diagnosis: Acute bronchitis
He is advised sick leave for 3 days.
Dr. Lee Ka Ho, Registered Medical Practitioner`

const poster = `TEAM LUNCH
Friday 1pm, Level 12 pantry
Dim sum for everyone. All welcome!`

// Without Tesseract the proxy still runs: a picture that may hold text is
// uninspectable "ocr: ... no OCR engine" (logged by the default policy),
// an icon passes without an event.
func TestOCRNoEngine(t *testing.T) {
	eng := ocr.New(ocr.Config{Command: "/nonexistent/tesseract"})
	h := newHarness(t, harnessConfig{
		classifiers: classifiers.NewDefault(),
		limits:      extract.Limits{OCR: eng},
	})
	// Stripes: contrast and edges, as text has (no font needed).
	stripes := image.NewGray(image.Rect(0, 0, 300, 100))
	for i := range stripes.Pix {
		if (i%300)/3%2 == 0 && (i/300)%20 < 12 {
			stripes.Pix[i] = 0
		} else {
			stripes.Pix[i] = 255
		}
	}
	icon := image.NewGray(image.Rect(0, 0, 16, 16))
	for _, c := range []struct {
		file   string
		img    image.Image
		events int
	}{{"scan.png", stripes, 1}, {"icon.png", icon, 0}} {
		before := len(h.rec.events())
		ct, body := multipartBody(t, "media", c.file, ocrtest.PNG(c.img))
		req, _ := http.NewRequest(http.MethodPost, "https://oapi.dingtalk.com/media/upload?access_token=x&type=file", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		if got := h.status(t, req); got != 200 {
			t.Errorf("%s: status %d, want 200 (logged, not blocked)", c.file, got)
		}
		evs := h.rec.events()[before:]
		if len(evs) != c.events {
			t.Fatalf("%s: %d events, want %d", c.file, len(evs), c.events)
		}
		if c.events == 0 {
			continue
		}
		if evs[0].Action != "log" {
			t.Errorf("action %q, want log", evs[0].Action)
		}
		want := "ocr: multipart:media/scan.png: no OCR engine"
		found := false
		for _, f := range evs[0].Findings {
			for _, s := range f.Signals {
				found = found || s == want
			}
		}
		if !found {
			t.Errorf("findings %+v, want signal %q", evs[0].Findings, want)
		}
	}
}

// A hanging OCR engine never holds a request past the OCR budget: the
// image is uninspectable (logged by the default policy) and the upload goes
// on.
func TestOCRBudgetThroughProxy(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("SKIP: no sh for the stand-in engine")
	}
	bin := t.TempDir() + "/tesseract"
	script := "#!/bin/sh\ncase \"$1\" in --list-langs) printf 'eng\\nchi_tra\\nchi_sim\\n'; exit 0;; esac\ncat >/dev/null\nsleep 30\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	eng := ocr.New(ocr.Config{Command: bin, ImageTimeout: 5 * time.Second})
	h := newHarness(t, harnessConfig{
		classifiers: classifiers.NewDefault(),
		limits:      extract.Limits{OCR: eng, OCRBudget: int64(500 * time.Millisecond)},
	})
	stripes := image.NewGray(image.Rect(0, 0, 300, 100))
	for i := range stripes.Pix {
		if (i%300)/3%2 == 0 && (i/300)%20 < 12 {
			stripes.Pix[i] = 255
		}
	}
	ct, body := multipartBody(t, "media", "photo.png", ocrtest.PNG(stripes))
	req, _ := http.NewRequest(http.MethodPost, "https://oapi.dingtalk.com/media/upload?access_token=x&type=file", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	start := time.Now()
	if got := h.status(t, req); got != 200 {
		t.Errorf("status %d, want 200 (logged)", got)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("request held %v by a hanging OCR engine (budget 500ms)", d)
	}
	evs := h.rec.events()
	if len(evs) != 1 || evs[0].Action != "log" {
		t.Fatalf("events %+v, want one log", evs)
	}
	found := false
	for _, f := range evs[0].Findings {
		for _, s := range f.Signals {
			found = found || strings.HasPrefix(s, "ocr: multipart:media/photo.png: ") && strings.Contains(s, "budget")
		}
	}
	if !found {
		t.Errorf("findings %+v, want an ocr budget signal", evs[0].Findings)
	}
}
