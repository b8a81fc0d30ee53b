package proxy

import (
	"github.com/dlpgate/dlpgate/classifiers"
	"strings"
	"testing"
)

// Item 2: written forms of the number.
func TestRedTeamHKIDForms(t *testing.T) {
	h := newHarness(t, harnessConfig{classifiers: classifiers.NewDefault()})
	body := func(id string) (string, string, string) {
		return id[:len(id)-9], id[len(id)-9 : len(id)-3], id[len(id)-2 : len(id)-1]
	}
	form := func(f string) func(string) string {
		return func(id string) string {
			p, d, c := body(id)
			return strings.NewReplacer("P", p, "D", d, "C", c).Replace(f)
		}
	}
	rtBlocked(t, h, []rtUpload{
		{name: "P D C under an HKID header", text: "客戶名單 身份證號碼\n" + rtList(form("P D C"))},
		{name: "P D C, HKID in English", text: "HKID of customers\n" + rtList(form("P D C"))},
		{name: "ideographic spaces", text: "客户名单 身份证号码\n" + rtList(form("P\u3000D\u3000C"))},
		{name: "ideographic space, ASCII bracket", text: rtList(form("P\u3000D(C)"))},
		{name: "PD C", text: rtList(form("PD C"))},
		{name: "P D(C)", text: rtList(form("P D(C)"))},
		{name: "PD-C", text: rtList(form("PD-C"))},
		{name: "PDC", text: rtList(form("PDC"))},
		{name: "PD (C)", text: rtList(form("PD (C)"))},
		{name: "lower case", text: strings.ToLower(rtList(form("PD(C)")))},
		{name: "ideographic space, full-width bracket", text: rtList(form("P\u3000D（C）"))},
		{name: "身份證 PD C", text: "客戶名單\n" + rtList(form("身份證號碼：PD C"))},
		// Punctuated, under an HKID keyword (stop 20).
		{name: "P.D.C under HKID", text: "Staff HKID\n" + rtList(form("P.D.C"))},
		{name: "P/D/C under 身份證", text: "員工身份證\n" + rtList(form("P/D/C"))},
		{name: "P_D(C) under 身份证", text: "员工身份证号码\n" + rtList(form("P_D(C)"))},
		{name: "P. D C under HKID", text: "HKID numbers\n" + rtList(form("P. D C"))},
		{name: "P, D, C under HKID", text: "HKID numbers\n" + rtList(form("P, D, C"))},
		{name: "PD–C (en dash) under HKID", text: "HKID numbers\n" + rtList(form("PD\u2013C"))},
		{name: "P<tab>D<tab>C under 身份證", text: "身份證號碼\n" + rtList(form("P\tD\tC"))},
		{name: "PD[C] under 身份证", text: "身份证号码\n" + rtList(form("PD[C]"))},
		{name: "P：D【C】 under 身份證", text: "身份證\n" + rtList(form("P：D【C】"))},
		{name: "P\u00a0D\u00a0C under HKID", text: "HKID\n" + rtList(form("P\u00a0D\u00a0C"))},
		// Other brackets and dashes, no keyword needed.
		{name: "PD[C]", text: rtList(form("PD[C]"))},
		{name: "PD【C】", text: rtList(form("PD【C】"))},
		{name: "PD–C (en dash)", text: rtList(form("PD\u2013C"))},
		{name: "PD−C (minus sign)", text: rtList(form("PD\u2212C"))},
	})
}
