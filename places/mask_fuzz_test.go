package places

import (
	"regexp"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/classifiers"
)

// longDigits is a run of digits MaskOrigins never lets through.
var longDigits = regexp.MustCompile(`[0-9]{4,}`)

// FuzzMaskOrigins: any origin (and request file name) masks without
// panic; a masked origin holds no run of 4+ ASCII digits; masking is
// idempotent (a masked origin, masked again, is unchanged: what it holds
// was judged already); and a problem signal built from the origin and
// one of dlpgate's own reasons keeps its kind and reason and leaks no
// long digit run of the origin.
func FuzzMaskOrigins(f *testing.F) {
	for _, s := range []string{
		`body>json:$["陳大文 糖尿病"]`, `body>json:$["ref91234567"]`, `body>json:$["say \"hi\" 陳"]`,
		"multipart:media/scan.zip/陳大文 抑鬱症.pdf", "multipart:media/客戶 陳大文.zip/report_2026.pdf",
		"body>zip:a.zip/word/document.xml", "multipart:media/x.eml>mail/陳大文 病歷",
		"body/xl/worksheets/sheet1.xml", "multipart:media/A123456(3).pdf", "", "/", "a:b>c:",
	} {
		f.Add(s, "客戶 陳大文.zip")
	}
	f.Fuzz(func(t *testing.T, origin, name string) {
		raw := []string{name}
		masked := []string{LogPath(name)}
		fs := []classifiers.Finding{
			{Samples: []classifiers.Sample{{Origin: origin}}},
			{Classifier: classifiers.Uninspectable, Signals: []string{"malformed: " + origin + ": PDF is truncated"}},
		}
		fs = MaskOrigins(fs, raw, masked)
		got := fs[0].Samples[0].Origin
		if d := longDigits.FindString(got); d != "" {
			t.Fatalf("masked origin %q holds the digit run %q", got, d)
		}
		again := MaskOrigins([]classifiers.Finding{{Samples: []classifiers.Sample{{Origin: got}}}}, raw, masked)[0].Samples[0].Origin
		if again != got {
			t.Fatalf("masking again changed %q to %q", got, again)
		}
		sg := fs[1].Signals[0]
		if !strings.HasPrefix(sg, "malformed: ") || !strings.HasSuffix(sg, ": PDF is truncated") {
			t.Fatalf("signal %q lost its kind or reason", sg)
		}
		for _, d := range longDigits.FindAllString(origin, -1) {
			if strings.Contains(sg, d) {
				t.Fatalf("signal %q holds the origin's digit run %q", sg, d)
			}
		}
	})
}
