package audit

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
)

// reportFixture records a known mix of events over three days through a
// rotating logger (so trailers are present and must not be counted).
// Totals: 7 events; block 4, log 1, would-block 1, allow 1.
func reportFixture(t *testing.T) []string {
	t.Helper()
	l, opts, clk := openTest(t, func(o *Options) { o.RotateSize = 2500 })
	hkid := func(n int) []classifiers.Finding {
		return []classifiers.Finding{{Classifier: classifiers.HKID, Count: n, Confidence: classifiers.High,
			Samples: []classifiers.Sample{{Masked: maskedHKID("A", "123456")}, {Masked: maskedHKID("G", "123456")}}}}
	}
	medical := []classifiers.Finding{{Classifier: classifiers.Medical, Count: 1, Confidence: classifiers.Medium}}
	fin := []classifiers.Finding{{Classifier: classifiers.FinancialStatement, Count: 1, Confidence: classifiers.High}}
	day := 24 * time.Hour
	events := []struct {
		at       time.Duration
		action   string
		rule     string
		user     string
		host     string
		findings []classifiers.Finding
	}{
		{0, ActionBlock, "hkid-bulk", "alice", "oapi.dingtalk.com", hkid(3)},
		{time.Hour, ActionBlock, "hkid-bulk", "alice", "oapi.dingtalk.com", hkid(3)},
		{2 * time.Hour, ActionLog, "hkid-single", "bob", "im.dingtalk.com", hkid(1)},
		{day, ActionBlock, "medical-record", "carol", "x.trans.dingtalk.com", medical},
		{day + time.Hour, ActionWouldBlock, "financial-statement", "alice", "im.dingtalk.com", fin},
		{2 * day, ActionBlock, "hkid-bulk", "bob", "oapi.dingtalk.com", hkid(3)},
		{2*day + time.Hour, ActionAllow, "", "bob", "im.dingtalk.com", nil},
	}
	start := clk.Now()
	for _, ev := range events {
		clk.Set(start.Add(ev.at))
		e := sampleEvent(0)
		e.Action, e.Rule, e.User, e.Host, e.Findings = ev.action, ev.rule, ev.user, ev.host, ev.findings
		record(t, l, e)
	}
	l.Close(context.Background())
	files, _, err := ExpandPaths([]string{filepath.Dir(opts.Path)})
	if err != nil || len(files) < 2 {
		t.Fatalf("fixture files %v: %v", files, err)
	}
	return files
}

// rows turns the text report into "SECTION|col col col" lines.
func reportRows(text string) map[string]bool {
	rows := map[string]bool{}
	section := ""
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if strings.HasPrefix(line, "BY ") {
			section = line
			continue
		}
		rows[section+"|"+strings.Join(f, " ")] = true
	}
	return rows
}

func TestReportTextTotals(t *testing.T) {
	files := reportFixture(t)
	s, err := Summarize(context.Background(), files, ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := s.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.Contains(text, "7 events (4 block, 1 would-block, 1 log, 1 allow)") {
		t.Errorf("headline missing:\n%s", text)
	}
	rows := reportRows(text)
	for _, want := range []string{
		"BY DAY|DAY TOTAL BLOCK WOULD-BLOCK LOG ALLOW",
		"BY DAY|2026-11-20 3 2 0 1 0",
		"BY DAY|2026-11-21 2 1 1 0 0",
		"BY DAY|2026-11-22 2 1 0 0 1",
		"BY RULE|hkid-bulk 3 3",
		"BY RULE|hkid-single 1 0",
		"BY RULE|medical-record 1 1",
		"BY RULE|financial-statement 1 0",
		"BY RULE|(no rule) 1 0",
		"BY USER|alice 3 2",
		"BY USER|bob 3 1",
		"BY USER|carol 1 1",
		"BY HOST|oapi.dingtalk.com 3 3",
		"BY HOST|im.dingtalk.com 3 0",
		"BY HOST|x.trans.dingtalk.com 1 1",
		"BY CLASSIFIER|hkid 4 3 10",
		"BY CLASSIFIER|medical 1 1 1",
		"BY CLASSIFIER|financial_statement 1 0 1",
	} {
		if !rows[want] {
			t.Errorf("missing row %q in:\n%s", want, text)
		}
	}
	if strings.Contains(text, "rotate") {
		t.Errorf("rotation trailers counted:\n%s", text)
	}
}

func TestReportTextAlignsWideNames(t *testing.T) {
	s := &Summary{ByAction: map[string]int{}, loc: time.UTC,
		Users: []Count{{Name: "陳大文", Events: 12, Blocks: 3}, {Name: "alice", Events: 7, Blocks: 1}}}
	var out bytes.Buffer
	s.WriteText(&out)
	text := out.String()
	sec := text[strings.Index(text, "BY USER\n")+len("BY USER\n"):]
	sec = sec[:strings.Index(sec, "\n\n")]
	lines := strings.Split(sec, "\n")
	if len(lines) != 3 {
		t.Fatalf("section %q", sec)
	}
	for _, l := range lines {
		if displayWidth(l) != displayWidth(lines[0]) {
			t.Errorf("misaligned (display width %d vs %d):\n%s", displayWidth(l), displayWidth(lines[0]), sec)
		}
	}
}

func TestReportDateRange(t *testing.T) {
	files := reportFixture(t)
	for _, c := range []struct {
		name         string
		since, until time.Time
		want         int
	}{
		{"all", time.Time{}, time.Time{}, 7},
		{"one day", time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), 2},
		{"from the second day", time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), time.Time{}, 4},
		{"before everything", time.Time{}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Summarize(context.Background(), files, ReportOptions{Since: c.since, Until: c.until})
			if err != nil {
				t.Fatal(err)
			}
			if s.Total != c.want {
				t.Errorf("total = %d, want %d", s.Total, c.want)
			}
		})
	}
}

func TestMaskSample(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"A12****(3)", "A12****(3)"},
		{"A123456(3)", "A12****(3)"}, // a clear value that slipped through
		{"abcd", "****"},
		{"陳大文先生", "陳大*先生"},
	} {
		if got := MaskSample(c.in); got != c.want {
			t.Errorf("MaskSample(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestReportHTMLIsSelfContained(t *testing.T) {
	files := reportFixture(t)
	s, err := Summarize(context.Background(), files, ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := s.WriteHTML(&out); err != nil {
		t.Fatal(err)
	}
	h := out.String()
	for _, bad := range []string{"<script", "src=", "href=", "@import", "url(", "ZgotmplZ", "A123456"} {
		if strings.Contains(h, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	for _, want := range []string{"<svg", "@media print", "A12****(3)", "hkid-bulk", `fill="#c0392b"`, `fill="#e67e22"`} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

// TestReportHTMLRendersInChromium renders the report in headless Chromium
// and checks the screenshot: not blank, and the charts are drawn in the
// action colours. CI sets DLPGATE_REQUIRE_CHROMIUM=1 so that a missing
// browser fails instead of skipping.
func TestReportHTMLRendersInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("DLPGATE_REQUIRE_CHROMIUM") == "1" {
			t.Fatalf("chromium not found but DLPGATE_REQUIRE_CHROMIUM=1: %v", err)
		}
		t.Skip("chromium not installed (apt-get install chromium); set DLPGATE_REQUIRE_CHROMIUM=1 to make this a failure")
	}
	files := reportFixture(t)
	s, err := Summarize(context.Background(), files, ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	htmlPath := filepath.Join(dir, "report.html")
	f, err := os.Create(htmlPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteHTML(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	shot := filepath.Join(dir, "report.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--screenshot="+shot, "--window-size=1200,1600", "file://"+htmlPath)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	if p := os.Getenv("DLPGATE_KEEP_SCREENSHOT"); p != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(p, b, 0o644)
	}
	pf, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer pf.Close()
	img, err := png.Decode(pf)
	if err != nil {
		t.Fatalf("decode screenshot: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != 1200 || b.Dy() != 1600 {
		t.Errorf("screenshot is %v", b)
	}
	nonWhite := countPixels(img, b, func(c color.RGBA) bool { return c.R < 240 || c.G < 240 || c.B < 240 })
	if frac := float64(nonWhite) / float64(b.Dx()*b.Dy()); frac < 0.02 {
		t.Errorf("screenshot looks blank: %.3f%% non-white", frac*100)
	}
	// The day chart sits in the top part of the page: it must show block
	// (red), would-block (orange) and log (blue) bars.
	top := image.Rect(0, 0, b.Dx(), 800)
	for _, c := range []struct {
		name string
		rgb  color.RGBA
	}{{"block red", rgba(0xc0392b)}, {"would-block orange", rgba(0xe67e22)}, {"log blue", rgba(0x2e86c1)}} {
		if n := countPixels(img, top, near(c.rgb)); n < 200 {
			t.Errorf("day chart: %d %s pixels, want >= 200", n, c.name)
		}
	}
	// The bar charts (rules, users, hosts, classifiers) below it.
	lower := image.Rect(0, 600, b.Dx(), b.Dy())
	if n := countPixels(img, lower, near(rgba(0x2e86c1))); n < 2000 {
		t.Errorf("bar charts: %d blue pixels, want >= 2000", n)
	}
}

func rgba(v uint32) color.RGBA {
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}

func near(want color.RGBA) func(color.RGBA) bool {
	d := func(a, b uint8) int {
		if a > b {
			return int(a - b)
		}
		return int(b - a)
	}
	return func(c color.RGBA) bool { return d(c.R, want.R)+d(c.G, want.G)+d(c.B, want.B) < 30 }
}

func countPixels(img image.Image, r image.Rectangle, match func(color.RGBA) bool) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			if match(c) {
				n++
			}
		}
	}
	return n
}

// Two egress boxes behind PAC failover each write their own chain; a report
// over both files breaks the events down per box, and a report over one box
// leaves the breakdown out.
func TestReportByInstance(t *testing.T) {
	var files []string
	for _, box := range []struct {
		name   string
		blocks int
		allows int
	}{{"gw-a", 2, 1}, {"gw-b", 1, 0}} {
		l, opts, _ := openTest(t, func(o *Options) { o.Instance = box.name })
		for i := 0; i < box.blocks+box.allows; i++ {
			e := sampleEvent(i)
			e.Instance = ""
			if i >= box.blocks {
				e.Action, e.Rule, e.Findings = ActionAllow, "", nil
			}
			record(t, l, e)
		}
		l.Close(context.Background())
		files = append(files, opts.Path)
	}
	text := func(files []string) string {
		t.Helper()
		s, err := Summarize(context.Background(), files, ReportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := s.WriteText(&out); err != nil {
			t.Fatal(err)
		}
		var html bytes.Buffer
		if err := s.WriteHTML(&html); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(html.String(), `id="instances"`); got != (len(s.Instances) > 1) {
			t.Errorf("HTML instances table shown=%v with %d instances", got, len(s.Instances))
		}
		return out.String()
	}
	both := text(files)
	rows := reportRows(both)
	for _, want := range []string{"BY INSTANCE|INSTANCE EVENTS BLOCKED", "BY INSTANCE|gw-a 3 2", "BY INSTANCE|gw-b 1 1"} {
		if !rows[want] {
			t.Errorf("missing row %q in:\n%s", want, both)
		}
	}
	if one := text(files[:1]); strings.Contains(one, "BY INSTANCE") {
		t.Errorf("one instance still gets a breakdown:\n%s", one)
	}
}
