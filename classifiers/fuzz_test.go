package classifiers

import (
	"context"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dlpgate/dlpgate/extract"
)

// toFullWidth writes every printable ASCII character in its full-width form
// and spaces as ideographic spaces: what NFKC undoes.
func toFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r > ' ' && r < 0x7F:
			r += 0xFEE0
		case r == ' ':
			r = 0x3000
		}
		b.WriteRune(r)
	}
	return b.String()
}

func hkidSeeds(f *testing.F) {
	r := rand.New(rand.NewPCG(51, 52))
	b, c := genHKID(r, "A")
	b2, c2 := genHKID(r, "WX")
	for _, s := range []string{
		"", "A", "A1", "A123456", b + "(" + string(c) + ")", b + string(c), b + " " + string(c), b + "-" + string(c),
		b + "（" + string(c) + "）", toFullWidth(b + "(" + string(c) + ")"), strings.ToLower(b) + "(" + string(c) + ")",
		"身份證" + b2 + "(" + string(c2) + ")", "AB123456C A123456789 S1234567D K12345678 PO123456(1)",
		"https://x.io/" + b + string(c), "身份證：" + toFullWidth(b+"("+string(c)+")"), "，" + toFullWidth(b+string(c)), "\xef\xbc", "\xef", "A123456(", "A123456( ", "A123456 (3", strings.Repeat("A1", 50),
		b + "\n(" + string(c) + ")", b + "\r\n（" + string(c) + "）", b + "\t(" + string(c) + ")", b + "\n", b + "\r", b[:1] + " " + b[1:] + " ( " + string(c) + " )",
	} {
		f.Add(s)
	}
}

func FuzzHKID(f *testing.F) {
	hkidSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		var ms []hkidMatch
		for _, m := range scanHKIDs(text, nil) {
			if m.start < 0 || m.end > len(text) || m.start >= m.end {
				t.Fatalf("bad span %d-%d of %d", m.start, m.end, len(text))
			}
			if m.valid {
				ms = append(ms, m)
			}
		}
		norms := map[string]bool{}
		for _, m := range ms {
			if hkidCheckDigit(m.body) != m.check {
				t.Fatalf("match with invalid check digit %s", m.masked())
			}
			if strings.Contains(m.masked(), m.body[len(m.body)-6:]) {
				t.Fatalf("mask %q keeps the digits", m.masked())
			}
			norms[m.norm()] = true
		}
		// Writing the text in full-width forms must not change what is found.
		fw := map[string]bool{}
		for _, m := range scanHKIDs(toFullWidth(text), nil) {
			if m.valid {
				fw[m.norm()] = true
			}
		}
		if utf8.ValidString(text) && !reflect.DeepEqual(norms, fw) {
			t.Fatalf("full-width text found %d numbers, ASCII %d", len(fw), len(norms))
		}
		// The shared pass (prefilter or full scanner) finds the same.
		// The separated forms ("A 123456(3)", a check digit in the next CSV
		// column) are read from the prefilter's positions: the reference
		// finds those positions by a plain walk over the text.
		doc := testSet.analyse(context.Background(), []extract.Segment{{Text: text}})
		all := scanSeparatedHKIDs(text, letterTwoDigits(text), separatorSigns(text), scanHKIDs(text, nil))
		// (A segment to normalise is scanned after normalisation, one
		// with an HKID keyword also for spaced forms.)
		sv := doc.segs[0]
		if got := sv.hkids; !sv.needsNorm() && !hasKeyword(sv) && (len(got) != len(all) || (len(all) > 0 && !reflect.DeepEqual(got, all))) {
			t.Fatalf("shared pass found %d candidates, full scanner %d", len(got), len(all))
		}
		f := classifyText(t, text)[HKID]
		// Distinct numbers of every scanner the plain pass runs
		// (separated forms: "A 123456 ( 3 )"); a segment to normalise or
		// with a keyword has more (spaced and loose forms).
		scanned := map[string]bool{}
		for _, m := range all {
			if m.valid {
				scanned[m.norm()] = true
			}
		}
		for n := range norms {
			scanned[n] = true
		}
		if !sv.needsNorm() && !hasKeyword(sv) && f.Count > len(scanned) {
			t.Fatalf("count %d > %d distinct numbers scanned", f.Count, len(scanned))
		}
		if f.Count > 0 && len(f.Samples) != min(f.Count, 10) {
			t.Fatalf("%d samples for count %d", len(f.Samples), f.Count)
		}
		for _, s := range f.Samples {
			for _, m := range ms {
				if strings.Contains(s.Masked, m.body[1:]) {
					t.Fatalf("sample %q holds a raw number", s.Masked)
				}
			}
		}
	})
}

// s0 is the first sample's text or "".
func s0(f Finding) string {
	if len(f.Samples) == 0 {
		return ""
	}
	return f.Samples[0].Masked
}

// checkFinding holds the invariants every finding must keep.
func checkFinding(t *testing.T, f Finding, segs []extract.Segment, vocab []vocabEntry) {
	t.Helper()
	if f.Count < 1 || f.Confidence < Medium || len(f.Signals) == 0 {
		t.Fatalf("weak finding returned: %+v", f)
	}
	terms := map[string]bool{}
	for _, v := range vocab {
		terms[v.term] = true
		if f.Classifier == Medical {
			// Medical samples are masked: kind and starred term.
			terms[maskedTerm(v.kind, v.term)] = true
			if clinical(v.kind) && len([]rune(v.term)) >= 3 && strings.Contains(s0(f), v.term) {
				t.Fatalf("medical sample %q shows a term in clear", s0(f))
			}
		}
	}
	for _, s := range f.Samples {
		if !terms[s.Masked] && !strings.HasPrefix(s.Masked, "icd10:") {
			t.Fatalf("sample %q is not a signal term", s.Masked)
		}
		ok := false
		for _, sg := range segs {
			if sg.Origin == s.Origin && s.Offset >= 0 && s.Offset <= len(sg.Text) {
				ok = true
			}
		}
		if !ok {
			t.Fatalf("sample offset %d outside segment %s", s.Offset, s.Origin)
		}
	}
}

func fuzzClassifier(t *testing.T, a, b string, name string, vocab []vocabEntry) {
	segs := []extract.Segment{{Origin: "a", Text: a}, {Origin: "b", Text: b}}
	out := testSet.Classify(context.Background(), segs)
	again := testSet.Classify(context.Background(), segs)
	if !reflect.DeepEqual(out, again) {
		t.Fatal("Classify is not deterministic")
	}
	for _, f := range out {
		if f.Classifier == name {
			checkFinding(t, f, segs, vocab)
		}
	}
}

func FuzzMedical(f *testing.F) {
	for _, s := range []string{
		"出院小結\n病人姓名：陳大文\n診斷：肺炎", "Patient: X\nDiagnosis: asthma\nICD-10: J45.9",
		"病假证明\n患者：赵\n诊断：急性胃肠炎", "Diagnosis:", "ICD-10: E11.65.", "诊断为", strings.Repeat("patient diabetes ", 300),
		"Name,Reason\nChan Tai Man,influenza\n,\n", "| 姓名 | 病假原因 |\n|---|---|\n| 陳大文 | 流感 |", "Lam Chi Keung, 72 M", "@人事 王丽娟抑郁症复发，病假",
		"Name:\n[ ] asthma □糖尿病", "Resident\tAllergies\n\nX\tNKDA\n\n\n",
	} {
		f.Add(s, "處方：Amlodipine 5mg")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		fuzzClassifier(t, a, b, Medical, testSet.cls[clsMedical].vocabulary())
	})
}

func FuzzFinancial(f *testing.F) {
	for _, s := range []string{
		"Balance Sheet\nTotal assets 1,204,330\nTotal liabilities (455,210)", "利润表\n营业收入,12,450.3\n净利润,1,635.0",
		"綜合財務狀況表\n2025\t2024\n存貨\t40211\t38877", "Revenue (1,", "(1,234)", "2025 2024 2023", strings.Repeat("Revenue 1,000 ", 500),
	} {
		f.Add(s, "HK$'000 for the year ended")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		fuzzClassifier(t, a, b, FinancialStatement, testSet.cls[clsFinancial].vocabulary())
	})
}

// letterTwoDigits is where the HKID prefilter marks a pair: an ASCII
// letter followed by six ASCII digits (the pattern "a12" with six digits
// from its first digit).
func letterTwoDigits(s string) []int {
	var out []int
	for i := 0; i+6 < len(s); i++ {
		if isLetter(s[i]) && digitsAt(s, i+1, 6) {
			out = append(out, i)
		}
	}
	return out
}

// separatorSigns is where the prefilter marks a separated form: a letter,
// a hyphen and a digit; a bracketed check character, ASCII or full-width.
func separatorSigns(s string) []int {
	var out []int
	for i := 0; i < len(s); i++ {
		switch {
		case i+2 < len(s) && isLetter(s[i]) && s[i+1] == '-' && isDigit(s[i+2]):
			out = append(out, i)
		case i+2 < len(s) && s[i] == '(' && (isDigit(s[i+1]) || s[i+1]|0x20 == 'a') && (s[i+2] == ')' || s[i+2] == ' '):
			out = append(out, i) // "(3)", "(3 "
		case i+3 < len(s) && s[i] == '(' && s[i+1] == ' ' && (isDigit(s[i+2]) || s[i+2]|0x20 == 'a') && (s[i+3] == ')' || s[i+3] == ' '):
			out = append(out, i) // "( 3)", "( 3 "
		case strings.HasPrefix(s[i:], "（") && len(s) >= i+7 && (isDigit(s[i+3]) || s[i+3]|0x20 == 'a') && strings.HasPrefix(s[i+4:], "）"):
			out = append(out, i)
		}
	}
	return out
}

// hasKeyword reports whether the view has an HKID keyword hit.
func hasKeyword(v segView) bool {
	for _, h := range v.hits[clsHKID] {
		if h.kind == hkKeyword {
			return true
		}
	}
	return false
}
