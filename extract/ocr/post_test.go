package ocr

import (
	"fmt"
	"testing"
)

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
		{"A123456(3", "A123456(3)"},          // a lost bracket is restored when the check digit verifies
		{"A123456(4", "A123456(4"},           // but not for a failing check digit
		{"A1234563", "A1234563"},             // no brackets: as written
		{"41234563)", "A123456(3)"},          // 4 for A, bracket shows an ID
		{"41234563", "41234563"},             // a phone number stays one
		{"A123456(4)", "A123456(4)"},         // check digit fails: unchanged
		{"AI23456(4)", "AI23456(4)"},         // repair does not verify: unchanged
		{"ID: 0123456(3)", "ID: 0123456(3)"}, // O prefix: O123456 check is not 3
		{"XA123456(3)9", "XA123456(3)9"},
		{"A123456(3)\tB1234567\tC 1", "A123456(3)\tB1234567\tC 1"},
		{"a\f\n\n\nb", "a\n\nb"},
		{"身份證號碼：A123456（3）", "身份證號碼：A123456(3)"},
		{"Ａ１２３４５６（３）", "A123456(3)"},
		{"Ａ1234S6（３）", "A123456(3)"},
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

// Every single confusion OCR makes in an HKID's digits (O/o/D for 0,
// I/l/| for 1, S for 5, B for 8, Z for 2, G for 6) is repaired, because the
// check digit confirms it; a wrong check digit is never "repaired".
func TestRepairConfusions(t *testing.T) {
	confuse := map[byte][]byte{'0': []byte("OoD"), '1': []byte("Il|"), '5': []byte("S"), '8': []byte("B"), '2': []byte("Z"), '6': []byte("G")}
	n := 0
	for i := 0; i < 400; i++ {
		p := string("ACEGKMPRVZ"[i%10])
		d := []byte(fmt.Sprintf("%06d", (i*104729+12345)%1000000))
		var ck byte
		for c := byte('0'); c <= '9'; c++ {
			if validHKID(p, string(d), c) {
				ck = c
			}
		}
		if ck == 0 {
			continue
		}
		id := p + string(d) + "(" + string(ck) + ")"
		for j, c := range d {
			for _, bad := range confuse[c] {
				m := append([]byte(nil), d...)
				m[j] = bad
				misread := "HKID: " + p + string(m) + "(" + string(ck) + ")"
				if got := PostProcess(misread); got != "HKID: "+id {
					t.Errorf("PostProcess(%q) = %q, want %q", misread, got, "HKID: "+id)
				}
				n++
				wrong := byte('0' + (ck-'0'+1)%10)
				if got := PostProcess(p + string(m) + "(" + string(wrong) + ")"); validShape(got) {
					t.Errorf("%q repaired to %q with a wrong check digit", p+string(m), got)
				}
			}
		}
	}
	if n < 200 {
		t.Fatalf("only %d confusions tried", n)
	}
}

// validShape reports a repaired, verifying HKID.
func validShape(s string) bool {
	if len(s) != 10 || s[7] != '(' {
		return false
	}
	for _, c := range []byte(s[1:7]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return validHKID(s[:1], s[1:7], s[8])
}
