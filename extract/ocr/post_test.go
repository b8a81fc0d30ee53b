package ocr

import "testing"

func TestPostProcess(t *testing.T) {
	cases := []struct{ in, want string }{
		{"香港 永久 性 居民 身份 证", "香港永久性居民身份证"},
		{"Name: CHAN Tai Man 陳 大 文", "Name: CHAN Tai Man 陳大文"},
		{"A123456(3)", "A123456(3)"},
		{"於 2025 年 3 月 3 日 到 本 診所", "於2025年3月3日到本診所"},
		{"診斷 : 急性 腸胃 炎", "診斷：急性腸胃炎"},
		{"Total 12 assets: 3", "Total 12 assets: 3"},
		{"A1234S6(3)", "A123456(3)"},         // S read for 5
		{"A12345б(3)", "A12345б(3)"},         // not a confusion we map
		{"AI23456(3)", "A123456(3)"},         // I for 1
		{"A123456(3", "A123456(3"},           // valid as written: unchanged
		{"41234563)", "A123456(3)"},          // 4 for A, bracket shows an ID
		{"41234563", "41234563"},             // a phone number stays one
		{"A123456(4)", "A123456(4)"},         // check digit fails: unchanged
		{"AI23456(4)", "AI23456(4)"},         // repair does not verify: unchanged
		{"ID: 0123456(3)", "ID: 0123456(3)"}, // O prefix: O123456 check is not 3
		{"XA123456(3)9", "XA123456(3)9"},
		{"A123456(3)\tB1234567\tC 1", "A123456(3)\tB1234567\tC 1"},
		{"a\f\n\n\nb", "a\n\nb"},
	}
	for _, c := range cases {
		if got := PostProcess(c.in); got != c.want {
			t.Errorf("PostProcess(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestValidHKID(t *testing.T) {
	for _, c := range []struct {
		p, d string
		ck   byte
		ok   bool
	}{
		{"A", "123456", '3', true}, {"A", "123456", '4', false},
		{"C", "668668", 'E', false},
	} {
		if got := validHKID(c.p, c.d, c.ck); got != c.ok {
			t.Errorf("validHKID(%s%s(%c)) = %v", c.p, c.d, c.ck, got)
		}
	}
}
