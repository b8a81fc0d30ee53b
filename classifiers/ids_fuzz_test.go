package classifiers

import (
	"context"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// idSeeds are the written forms and look-alikes of every identifier.
func idSeeds(f *testing.F) {
	r := rand.New(rand.NewPCG(71, 72))
	visa := genCard(r, "4", 16)
	prc := genPRC(r)
	for _, s := range []string{
		"", "1", "+", "(852)", "(852) ", "(+852)9", "+852 9123 4567", "+86 138 0013 8000", "8613800138000", "13800138000",
		"9123-4567", "20260319", "PO-9123-4567", prc, strings.ToLower(genPRCWithX(r)), prc[:6] + " " + prc[6:14] + " " + prc[14:],
		"110105491231002", "身份证号码：" + prc, group4(visa, " "), group4(visa, "-"), "ORD-" + visa + "-01", "卡號 " + visa,
		genCard(r, "37", 15), "a@b.co", "c.x+y@example.com.hk", "@", "x@", "@y.io", strings.Repeat("1380013800", 30),
		strings.Repeat("4111 ", 40), strings.Repeat("a@", 40), "12345678X", "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1",
	} {
		f.Add(s)
	}
}

// FuzzIdentifiers: spans stay inside the text; every counted number passes
// its check; masks never show the whole value; the shared pass is
// deterministic.
func FuzzIdentifiers(f *testing.F) {
	idSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		for _, m := range scanIdentifiers(text, nil) {
			if m.start < 0 || int(m.end) > len(text) || m.start >= m.end {
				t.Fatalf("bad span %d-%d of %d", m.start, m.end, len(text))
			}
			raw := text[m.start:m.end]
			var d []byte
			x := false
			for i := 0; i < len(raw); i++ {
				switch {
				case isDigit(raw[i]):
					d = append(d, raw[i])
				case raw[i] == 'X' || raw[i] == 'x':
					x = true
				}
			}
			switch m.kind {
			case idPRC:
				if !prcCheckValid(d, x) {
					t.Fatalf("resident ID with a bad check counted")
				}
				if mk := maskPRC(raw, m); strings.Contains(mk, string(d[6:14])) {
					t.Fatalf("mask %q shows the birth date", mk)
				}
			case idCard:
				if !luhnValid(d) || cardBrand(d) == "" {
					t.Fatalf("card without Luhn or IIN counted")
				}
				if mk := maskCard(raw, m); strings.Contains(strings.ReplaceAll(mk, " ", ""), string(d[4:len(d)-4])) && len(d) > 12 {
					t.Fatalf("mask %q shows the middle digits", mk)
				}
			case idPhoneHK, idPhoneCN:
				if mk := maskPhone(raw, m); strings.Count(mk, "*") < 4 {
					t.Fatalf("mask %q hides too little", mk)
				}
			case idEmail:
				if strings.IndexByte(raw, '@') <= 0 {
					t.Fatalf("e-mail without local part")
				}
			}
		}
		// The shared pass (which learns about '@' from its hits) finds the
		// same as the scanner alone.
		all := scanIdentifiers(text, nil)
		doc := testSet.analyse(context.Background(), []extract.Segment{{Text: text}})
		if got := doc.segs[0].ids; len(got) != len(all) || (len(all) > 0 && !reflect.DeepEqual(got, all)) {
			t.Fatalf("shared pass found %d identifiers, scanner %d", len(got), len(all))
		}
		segs := []extract.Segment{{Origin: "a", Text: text}, {Origin: "b>json:$.rows[0].mobile", Text: text}}
		out := testSet.Classify(context.Background(), segs)
		if !reflect.DeepEqual(out, testSet.Classify(context.Background(), segs)) {
			t.Fatal("Classify is not deterministic")
		}
		for _, fd := range out {
			if fd.Count < 1 {
				t.Fatalf("%s finding with count %d", fd.Classifier, fd.Count)
			}
		}
	})
}

// FuzzCustomerDatabase: tables, JSON records and value lines never crash,
// never count more records than the text has lines plus JSON records, and
// never put a cell into a signal.
func FuzzCustomerDatabase(f *testing.F) {
	r := rand.New(rand.NewPCG(73, 74))
	for _, e := range positiveExports[:4] {
		for script := range scriptNames {
			f.Add(renderTable(r, e, script, layouts[script], 6), "mobile")
		}
	}
	for _, s := range []string{"姓名：王伟\n手机：13800138000\n\n姓名：李娜\n手机：13900139000\n", "BEGIN:VCARD\nFN:x\nTEL:9123 4567\nEND:VCARD\nBEGIN:VCARD\n", "Name: x\nName: y\n", "姓名,手機\n", "| 客户 | 电话 |\n|---|---|\n| 王 | 13800138000 |", "Name\tMobile\n\n\n", "\"a,b\",\"", "name  mobile\u3000email\n"} {
		f.Add(s, "customers[0].phone")
	}
	f.Fuzz(func(t *testing.T, text, field string) {
		segs := []extract.Segment{{Origin: "file", Text: text}, {Origin: "body>json:$.c[1]." + field, Text: text}, {Origin: "body>jsonl:3:$." + field, Text: text}}
		for _, fd := range testSet.Classify(context.Background(), segs) {
			if fd.Classifier != CustomerDatabase {
				continue
			}
			if fd.Count > 3*(strings.Count(text, "\n")+1)+2 { // three segments hold the text
				t.Fatalf("%d records from %d lines", fd.Count, strings.Count(text, "\n")+1)
			}
			for _, s := range fd.Signals {
				if !strings.HasPrefix(s, "rows:") && !strings.HasPrefix(s, "header:") && !strings.HasPrefix(s, "shape:") {
					t.Fatalf("unexpected signal %q", s)
				}
			}
		}
	})
}
