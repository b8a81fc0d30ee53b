package classifiers

import (
	"context"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

func mustPatterns(t *testing.T, specs ...PatternSpec) *PatternSet {
	t.Helper()
	ps, errs := CompilePatterns(specs)
	if len(errs) > 0 {
		t.Fatalf("compile: %v", errs)
	}
	return ps
}

func findingFor(fs []Finding, name string) *Finding {
	for i := range fs {
		if fs[i].Classifier == name {
			return &fs[i]
		}
	}
	return nil
}

func TestPatternLookaroundAndKeywords(t *testing.T) {
	// Staff numbers "HK-123456": not inside a longer token, and not when
	// preceded by "PO " (purchase orders share the shape).
	staff := PatternSpec{Name: "staff_id", Regex: `(?<![A-Za-z0-9-])(?<!PO )HK-[0-9]{6}(?![0-9])`, Keywords: []string{"staff", "員工"}}
	ps := mustPatterns(t, staff)
	cases := []struct {
		name string
		text string
		want int
	}{
		{"two staff numbers near the keyword", "Staff list: HK-123456, HK-654321, HK-123456 again", 2},
		{"traditional chinese keyword", "員工編號 HK-222333", 1},
		{"no keyword: prefilter skips", "Reference HK-123456 attached", 0},
		{"purchase order excluded by lookbehind", "staff purchase PO HK-123456", 0},
		{"inside a longer token", "staff XHK-123456 and HK-1234567", 0},
		{"keyword far away", "staff" + strings.Repeat(" filler", 200) + " HK-123456", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := ps.Classify(context.Background(), []extract.Segment{{Origin: "body", Text: c.text}})
			got := 0
			if f := findingFor(fs, "staff_id"); f != nil {
				got = f.Count
				for _, s := range f.Samples {
					if strings.Contains(s.Masked, "123456") || strings.Contains(s.Masked, "654321") {
						t.Errorf("sample %q is not masked", s.Masked)
					}
					if !strings.HasPrefix(c.text[s.Offset:], "HK-") {
						t.Errorf("offset %d does not point at the match", s.Offset)
					}
				}
			}
			if got != c.want {
				t.Errorf("count %d, want %d", got, c.want)
			}
		})
	}
}

func TestPatternNoKeywordsScansAll(t *testing.T) {
	ps := mustPatterns(t, PatternSpec{Name: "codename", Regex: `project\s+(?:falcon|heron)`, CaseFold: true, Confidence: "high"})
	fs := ps.Classify(context.Background(), []extract.Segment{{Origin: "a", Text: "about Project  Falcon"}, {Origin: "b", Text: "and PROJECT heron"}})
	f := findingFor(fs, "codename")
	if f == nil || f.Count != 2 || f.Confidence != High {
		t.Fatalf("findings %+v", fs)
	}
}

func TestPatternTimeoutIsUninspectable(t *testing.T) {
	// Catastrophic backtracking: the search must stop at the timeout and
	// say so, never silently find nothing, and never echo the input.
	ps := mustPatterns(t, PatternSpec{Name: "bad", Regex: `^(a+)+$`})
	secret := strings.Repeat("a", 40) + "!"
	fs := ps.Classify(context.Background(), []extract.Segment{{Origin: "body", Text: secret}})
	u := findingFor(fs, Uninspectable)
	if u == nil || len(u.Signals) != 1 || !strings.HasPrefix(u.Signals[0], "limit: body: pattern bad") {
		t.Fatalf("want an uninspectable limit finding, got %+v", fs)
	}
	if strings.Contains(u.Signals[0], "aaaa") {
		t.Error("timeout signal echoes the input")
	}
}

func TestCompilePatternErrors(t *testing.T) {
	cases := []struct {
		name string
		spec PatternSpec
		want string
	}{
		{"no name", PatternSpec{Regex: "x"}, "patterns[0].name"},
		{"built-in name", PatternSpec{Name: "hkid", Regex: "x"}, "patterns[0].name: \"hkid\" is a built-in"},
		{"bad regex", PatternSpec{Name: "p", Regex: "(?<=x"}, "patterns[0].regex"},
		{"empty regex", PatternSpec{Name: "p"}, "patterns[0].regex: empty"},
		{"bad confidence", PatternSpec{Name: "p", Regex: "x", Confidence: "sure"}, "patterns[0].confidence"},
		{"empty keyword", PatternSpec{Name: "p", Regex: "x", Keywords: []string{" "}}, "patterns[0].keywords[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, errs := CompilePatterns([]PatternSpec{c.spec})
			if len(errs) == 0 || !strings.Contains(errs[0].Error(), c.want) {
				t.Fatalf("errors %v, want one containing %q", errs, c.want)
			}
		})
	}
	if _, errs := CompilePatterns([]PatternSpec{{Name: "p", Regex: "x"}, {Name: "p", Regex: "y"}}); len(errs) != 1 || !strings.Contains(errs[0].Error(), "duplicate") {
		t.Fatalf("duplicate names: %v", errs)
	}
}

func FuzzPattern(f *testing.F) {
	ps, errs := CompilePatterns([]PatternSpec{
		{Name: "staff", Regex: `(?<![A-Za-z0-9-])HK-[0-9]{6}(?![0-9])`, Keywords: []string{"staff", "員工"}},
		{Name: "any", Regex: `[0-9]{4}-[0-9]{4}`},
	})
	if len(errs) > 0 {
		f.Fatal(errs)
	}
	for _, s := range []string{"staff HK-123456", "員工 HK-000001 員工", "STAFF" + strings.Repeat("é", 400) + "HK-123456", "1234-5678 1234-5678", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, fd := range ps.Classify(context.Background(), []extract.Segment{{Origin: "f", Text: text}}) {
			for _, s := range fd.Samples {
				if s.Offset < 0 || s.Offset > len(text) {
					t.Fatalf("offset %d out of range", s.Offset)
				}
			}
		}
	})
}
