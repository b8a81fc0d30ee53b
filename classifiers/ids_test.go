package classifiers

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// idCount returns the count classifier name reports on text (0: no finding).
func idCount(t *testing.T, name, text string) (int, Finding) {
	t.Helper()
	f, ok := classifyText(t, text)[name]
	if !ok {
		return 0, f
	}
	return f.Count, f
}

func TestPRCCheckCharKnownValue(t *testing.T) {
	// The worked example of GB 11643-1999: 11010519491231002X.
	if c := prcCheckChar([]byte("11010519491231002")); c != 'X' {
		t.Fatalf("check of the standard's example = %c, want X", c)
	}
	if c := prcCheckChar([]byte("44052418800101001")); c != '4' {
		t.Fatalf("check = %c, want 4", c)
	}
}

func TestPRCID(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	id := genPRC(r)
	idX := genPRCWithX(r)
	bad := id[:17] + string("0123456789"[(strings.IndexByte("0123456789", id[17])+1)%10])
	if id[17] == 'X' {
		bad = id[:17] + "0"
	}
	cases := []struct {
		name, text string
		want       int
	}{
		{"plain", "客户资料 " + id + " 已登记", 1},
		{"keyword sc", "身份证号码：" + id, 1},
		{"keyword tc", "身份證號碼: " + id, 1},
		{"X check", "居民身份证 " + idX, 1},
		{"lower x", "ID " + strings.ToLower(idX), 1},
		{"grouped 6-8-4", "身份证 " + id[:6] + " " + id[6:14] + " " + id[14:], 1},
		{"bad check", "身份证号码：" + bad, 0},
		{"bad region", "身份证 99" + id[2:], 0},
		{"bad date", "身份证 " + id[:10] + "1345" + id[14:], 0},
		{"inside longer run", "流水号 9" + id + "1", 0},
		{"after letters", "ref AB" + id, 0},
		{"in url", "https://x.example/u/" + id + "/x", 0},
		{"same twice", id + " and " + id, 1},
		{"three", genPRC(r) + "\n" + genPRC(r) + "\n" + genPRC(r), 3},
		{"legacy 15 with keyword", "旧身份证号码 110105491231002", 1},
		{"legacy 15 without keyword", "tracking 110105491231002", 0},
	}
	for _, c := range cases {
		got, f := idCount(t, PRCID, c.text)
		if got != c.want {
			t.Errorf("%s: count %d, want %d (%+v)", c.name, got, c.want, f)
		}
		for _, s := range f.Samples {
			if strings.Contains(s.Masked, id[6:14]) || strings.Contains(s.Masked, idX[6:14]) {
				t.Errorf("%s: sample %q shows the birth date", c.name, s.Masked)
			}
		}
	}
	_, f := idCount(t, PRCID, "身份证号码："+id)
	if f.Confidence != High || f.Samples[0].Masked != id[:6]+"********"+id[14:] || f.Signals[0] != "mod11-2" {
		t.Errorf("finding %+v", f)
	}
	if _, f := idCount(t, PRCID, "旧身份证号码 110105491231002"); f.Confidence != Low {
		t.Errorf("15-digit form confidence %v, want low", f.Confidence)
	}
}

// A list of 18-digit codes that mostly fail the check is a code list: the
// one in eleven that passes by chance does not count without a keyword.
func TestPRCChanceInCodeList(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	for i := 0; i < 40; i++ {
		id := genPRC(r)
		c := id[17]
		if i%10 != 0 {
			c = "1234567890"[strings.IndexByte("0123456789X", c)%10]
			if c == id[17] {
				c = 'X'
			}
		}
		b.WriteString("batch " + id[:17] + string(c) + "\n")
	}
	if n, f := idCount(t, PRCID, b.String()); n != 0 {
		t.Errorf("code list counted %d: %+v", n, f)
	}
}

func TestPaymentCard(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	visa := genCard(r, "4", 16)
	mc := genCard(r, "51", 16)
	mc2 := genCard(r, "2221", 16)
	amex := genCard(r, "37", 15)
	up := genCard(r, "62", 19)
	jcb := genCard(r, "3530", 16)
	badLuhn := visa[:15] + string('0'+(visa[15]-'0'+1)%10)
	cases := []struct {
		name, text string
		want       int
	}{
		{"visa spaced", "Card: " + group4(visa, " "), 1},
		{"visa hyphen", "信用卡號碼 " + group4(visa, "-"), 1},
		{"visa plain keyword", "card number " + visa, 1},
		{"visa plain alone", "noted: " + visa + " ok", 1},
		{"mastercard 2-series", "卡号 " + group4(mc2, " "), 1},
		{"amex 4-6-5", "Amex " + amex[:4] + " " + amex[4:10] + " " + amex[10:], 1},
		{"unionpay 19", "银联卡 " + up, 1},
		{"jcb", "JCB " + group4(jcb, " "), 1},
		{"three", group4(visa, " ") + "\n" + group4(mc, " ") + "\n" + group4(jcb, " "), 3},
		{"luhn fails", "card number " + group4(badLuhn, " "), 0},
		{"unknown IIN", "card number " + genCard(r, "9", 16), 0},
		{"inside longer digit run", "txn 12" + visa + "34", 0},
		{"inside order id", "ORD-" + visa + "-01", 0},
		{"after letters", "INV" + visa, 0},
		{"after order word", "Order No. " + visa + " shipped", 0},
		{"tracking word zh", "运单号：" + visa, 0},
		{"20 digits", "acct 4" + visa[:15] + "0000", 0},
		{"bad grouping", "card " + visa[:3] + " " + visa[3:9] + " " + visa[9:], 0},
		{"csv with cvv", "card_number,cvv\n" + visa + ",123\n", 1},
		{"in url path", "https://pay.example/c/" + visa, 0},
	}
	for _, c := range cases {
		got, f := idCount(t, PaymentCard, c.text)
		if got != c.want {
			t.Errorf("%s: count %d, want %d (%+v)", c.name, got, c.want, f)
		}
		for _, s := range f.Samples {
			if strings.Contains(strings.ReplaceAll(s.Masked, " ", ""), visa[4:12]) {
				t.Errorf("%s: sample %q shows middle digits", c.name, s.Masked)
			}
		}
	}
	_, f := idCount(t, PaymentCard, "Visa card "+group4(visa, " "))
	if f.Confidence != High || f.Samples[0].Masked != visa[:4]+" **** **** "+visa[12:] || f.Signals[0] != "luhn" {
		t.Errorf("finding %+v", f)
	}
	if !strings.Contains(strings.Join(f.Signals, ","), "iin:visa") {
		t.Errorf("no IIN signal: %v", f.Signals)
	}
}

func TestPhone(t *testing.T) {
	cases := []struct {
		name, text string
		want       int
		kind       string
	}{
		{"hk +852 spaced", "Tel +852 9123 4567", 1, "hk_mobile"},
		{"hk +852 unbroken", "+85291234567", 1, "hk_mobile"},
		{"hk (852)", "(852) 6123 4567", 1, "hk_mobile"},
		{"hk (+852)", "(+852) 5123-4567", 1, "hk_mobile"},
		{"hk 8 digits", "手機：91234567", 1, "hk_mobile"},
		{"hk grouped", "call 9123 4567 or 9123-4568", 2, "hk_mobile"},
		{"hk fixed", "Office 2123 4567", 1, "hk_fixed"},
		{"hk 4 prefix", "code 41234567", 0, ""},
		{"hk 1 prefix", "code 12345678", 0, ""},
		{"cn plain", "手机 13800138000", 1, "mainland_mobile"},
		{"cn 3-4-4", "电话 138 0013 8000", 1, "mainland_mobile"},
		{"cn +86", "+86 138 0013 8000", 1, "mainland_mobile"},
		{"cn +86 unbroken", "+8613800138000", 1, "mainland_mobile"},
		{"cn 86 unbroken", "8613800138000", 1, "mainland_mobile"},
		{"cn 12 prefix", "12800138000", 0, ""},
		{"date", "dated 20260319", 0, ""},
		{"amount", "HK$91234567", 0, ""},
		{"decimal", "9123.4567 m", 0, ""},
		{"thousands", "91,234,567", 0, ""},
		{"in longer run", "912345678901234", 0, ""},
		{"in id", "PO-9123-4567", 0, ""},
		{"slash list", "手机：13800138000/13900139000", 2, "mainland_mobile"},
		{"csv points", "91234567,123,x", 1, "hk_mobile"},
		{"in path", "/u/13800138000", 0, ""},
	}
	for _, c := range cases {
		got, f := idCount(t, Phone, c.text)
		if got != c.want {
			t.Errorf("%s: count %d, want %d (%+v)", c.name, got, c.want, f)
			continue
		}
		if c.kind != "" && !strings.Contains(strings.Join(f.Signals, ","), c.kind) {
			t.Errorf("%s: signals %v, want %s", c.name, f.Signals, c.kind)
		}
	}
	_, f := idCount(t, Phone, "手机 13800138000")
	if f.Samples[0].Masked != "1380****000" {
		t.Errorf("mask %q", f.Samples[0].Masked)
	}
	_, f = idCount(t, Phone, "+852 9123 4567")
	if m := f.Samples[0].Masked; m != "+852 91** **67" {
		t.Errorf("mask %q", m)
	}
}

func TestEmail(t *testing.T) {
	cases := []struct {
		name, text string
		want       int
	}{
		{"plain", "mail chan.tai.man@example.com now", 1},
		{"plus tag", "<ops+dlp@corp.example.hk>", 1},
		{"zh around", "電郵：陳先生chan@example.com。", 1},
		{"case folded distinct", "A@Example.com a@example.COM", 1},
		{"no tld", "user@localhost", 0},
		{"numeric tld", "x@1.2.3.4", 0},
		{"bare at", "@ home", 0},
		{"handle", "ping @peter on chat", 0},
		{"two", "a@x.io, b@y.io", 2},
	}
	for _, c := range cases {
		if got, f := idCount(t, Email, c.text); got != c.want {
			t.Errorf("%s: count %d, want %d (%+v)", c.name, got, c.want, f)
		}
	}
	_, f := idCount(t, Email, "mail chan.tai.man@example.com now")
	if f.Samples[0].Masked != "c***@example.com" {
		t.Errorf("mask %q", f.Samples[0].Masked)
	}
}

// TestIdentifierSpans: every match lies in the text, and the scanner is
// linear on runs it must skip whole.
func TestIdentifierSpans(t *testing.T) {
	for _, s := range []string{strings.Repeat("1380013800", 1000), strings.Repeat("4111 ", 1000), strings.Repeat("a@b.cc", 500), "+", "(852)", "(852) ", "1X", "12345678X"} {
		for _, m := range scanIdentifiers(s, nil) {
			if m.start < 0 || int(m.end) > len(s) || m.start >= m.end {
				t.Fatalf("bad span %d-%d of %d", m.start, m.end, len(s))
			}
		}
	}
}
