package places

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/classifiers"
)

func TestBuildReadsPathQueryAndContentHeaders(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://oapi.dingtalk.com/a/b%20c?x=1&q=A123456%283%29&access_token=t", nil)
	req.Header.Set("User-Agent", "curl")
	req.Header.Set("X-Note", "hello%20world")
	d := Build(req)
	if strings.Join(d.Path, "/") != "/a/b c" {
		t.Errorf("path %q", d.Path)
	}
	if len(d.Query) != 3 || d.Query[1] != [2]string{"q", "A123456(3)"} || d.Query[2][0] != "access_token" {
		t.Errorf("query %q", d.Query)
	}
	// X-Note twice (raw and URL-decoded); User-Agent is protocol.
	if len(d.Header) != 2 || d.Header[1] != [2]string{"X-Note", "hello world"} {
		t.Errorf("headers %q", d.Header)
	}
	if !strings.Contains(string(d.JSON()), `"path":["","a","b c"]`) {
		t.Errorf("JSON %s", d.JSON())
	}
}

func TestMaskFor(t *testing.T) {
	d := Doc{Path: []string{"", "files", "A123456(3).txt"}, Query: [][2]string{{"q", "x"}}}
	f := classifiers.Finding{Classifier: "hkid", Count: 1, Samples: []classifiers.Sample{{Masked: "A12****(3)", Origin: "url>json:$.path[2]"}}}
	m := MaskFor(d, []classifiers.Finding{f})
	if m == nil || m.Path != "/files/A12****(3).txt" || m.HideQuery {
		t.Errorf("path finding: %+v", m)
	}
	med := classifiers.Finding{Classifier: "medical", Count: 1} // document-level: every place
	if m := MaskFor(d, []classifiers.Finding{med}); m == nil || !m.HideQuery || m.Segs[2] != Redacted+".txt" {
		t.Errorf("document-level finding: %+v", m)
	}
	if MaskFor(d, nil) != nil {
		t.Error("no findings, yet a mask")
	}
	if got := LogPath("/robot/send/123456"); got != "/robot/send/12****" {
		t.Errorf("LogPath %q", got)
	}
}

// Member names that are data are redacted in logged origins; field names
// stay, and digit runs are masked as everywhere.
func TestMaskOriginsJSONKeys(t *testing.T) {
	cases := map[string]string{
		`body>json:$["陳大文 糖尿病"]`:                        `body>json:$["REDACTED"]`,
		`body>json:$["A123456(3)"]#key`:                 `body>json:$["REDACTED"]#key`,
		`body>json:$.text.content`:                      `body>json:$.text.content`,
		`body>json:$["Content-Type"]`:                   `body>json:$["Content-Type"]`,
		`body>json:$["@type"].items[3]["王小明 抑郁症"].note`: `body>json:$["@type"].items[3]["REDACTED"].note`,
		`body>json:$["say \"hi\" 陳"]`:                   `body>json:$["REDACTED"]`,
		`body>json:$["ref91234567"]`:                    `body>json:$["ref91******"]`,
		`multipart:media/report.csv`:                    `multipart:media/report.csv`,
	}
	for in, want := range cases {
		fs := []classifiers.Finding{{Samples: []classifiers.Sample{{Origin: in}}}}
		if got := MaskOrigins(fs, nil, nil)[0].Samples[0].Origin; got != want {
			t.Errorf("MaskOrigins(%q) = %q, want %q", in, got, want)
		}
	}
}

// Problems name their origin in the uninspectable finding's signals: the
// origin is masked as a sample's is, the reason kept, raw file names
// replaced wherever they stand.
func TestMaskOriginsProblemSignals(t *testing.T) {
	cases := map[string]string{
		"malformed: multipart:media/A123456(3).pdf: PDF truncated":                   "malformed: multipart:media/A12****(3).pdf: PDF truncated",
		"encrypted: body>zip:客戶 陳大文.zip/x.docx: password-protected Office document":  "encrypted: body>zip:客戶 ***.zip/x.docx: password-protected Office document",
		`limit: body>json:$["陳大文 糖尿病"]: nesting deeper than 16 levels not inspected`: `limit: body>json:$["REDACTED"]: nesting deeper than 16 levels not inspected`,
		"limit: body: more than 10000 entries":                                       "limit: body: more than 10000 entries",
		"unreadable":                                                                 "unreadable",
	}
	for in, want := range cases {
		fs := []classifiers.Finding{{Classifier: classifiers.Uninspectable, Signals: []string{in}}}
		got := MaskOrigins(fs, []string{"客戶 陳大文.zip"}, []string{"客戶 ***.zip"})[0].Signals[0]
		if got != want {
			t.Errorf("MaskOrigins(%q) = %q, want %q", in, got, want)
		}
	}
	// Other classifiers' signals are not origins: kept as they are.
	fs := []classifiers.Finding{{Classifier: classifiers.HKID, Signals: []string{"distinct:12345"}}}
	if got := MaskOrigins(fs, nil, nil)[0].Signals[0]; got != "distinct:12345" {
		t.Errorf("hkid signal changed to %q", got)
	}
}

// Archive and attachment member names are the sender's: not plain, they
// are redacted with their extension kept; part names and request file
// names already masked stay.
func TestMaskOriginsMemberNames(t *testing.T) {
	cases := map[string]string{
		"multipart:media/scan.zip/陳大文 抑鬱症.pdf":              "multipart:media/scan.zip/REDACTED.pdf",
		"multipart:media/scan.zip/John Chan depression.csv": "multipart:media/scan.zip/REDACTED.csv",
		"multipart:media/客戶 ***.zip/report_2026.pdf":        "multipart:media/客戶 ***.zip/report_20**.pdf",
		"body>zip:a.zip/word/document.xml":                  "body>zip:a.zip/word/document.xml",
		"multipart:media/x.eml>mail/陳大文 病歷":                 "multipart:media/x.eml>mail/REDACTED",
		"body/xl/worksheets/sheet1.xml":                     "body/xl/worksheets/sheet1.xml",
	}
	for in, want := range cases {
		fs := []classifiers.Finding{{Samples: []classifiers.Sample{{Origin: in}}}}
		if got := MaskOrigins(fs, []string{"客戶 陳大文.zip"}, []string{"客戶 ***.zip"})[0].Samples[0].Origin; got != want {
			t.Errorf("MaskOrigins(%q) = %q, want %q", in, got, want)
		}
	}
	reason := "inspection failed: malformed: multipart:media/scan.zip/黃志明 抑鬱症 C120567(4).pdf: PDF is truncated (and 1 more)"
	want := "inspection failed: malformed: multipart:media/scan.zip/REDACTED.pdf: PDF is truncated (and 1 more)"
	if got := MaskReason("fail-closed: "+reason, nil, nil); got != "fail-closed: "+want {
		t.Errorf("MaskReason = %q", got)
	}
	if got := MaskReason("hkid count 3 >= 3", nil, nil); got != "hkid count 3 >= 3" {
		t.Errorf("MaskReason changed a rule reason: %q", got)
	}
}
