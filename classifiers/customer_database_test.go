package classifiers

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// A column of a generated export: its header in English, Traditional and
// Simplified Chinese and how its values are made.
type genCol struct {
	en, tc, sc string
	val        func(r *rand.Rand, script, i int) string
}

const (
	scEN = iota
	scTC
	scSC
)

var scriptNames = []string{"en", "繁", "简"}

func (c genCol) head(script int) string { return []string{c.en, c.tc, c.sc}[script] }

func personName(r *rand.Rand, script, _ int) string {
	switch script {
	case scTC:
		return pickOne(r, zhtNames)
	case scSC:
		return pickOne(r, zhsNames)
	}
	return genENName(r)
}

func homeAddress(r *rand.Rand, script, _ int) string {
	switch script {
	case scTC:
		return fmt.Sprintf("九龍%s%d號%d樓%c室", pickOne(r, zhtStreets), 1+r.IntN(300), 1+r.IntN(40), 'A'+r.IntN(8))
	case scSC:
		return fmt.Sprintf("深圳市南山区%s%d号%d栋%d室", pickOne(r, zhsStreets), 1+r.IntN(300), 1+r.IntN(20), 101+r.IntN(30))
	}
	return fmt.Sprintf("Flat %d%c, %d %s, Kowloon", 1+r.IntN(40), 'A'+r.IntN(8), 1+r.IntN(300), pickOne(r, enStreets))
}

func personalEmail(r *rand.Rand, _, i int) string {
	return fmt.Sprintf("%s%d@%s", pickOne(r, []string{"chan", "wong", "lee", "ming", "amy", "kk"}), i, pickOne(r, freeMails))
}

var (
	gcName      = genCol{"Name", "姓名", "姓名", personName}
	gcCustomer  = genCol{"Customer", "客戶", "客户", personName}
	gcMember    = genCol{"Member name", "會員姓名", "会员姓名", personName}
	gcTenant    = genCol{"Tenant", "租戶", "租户", personName}
	gcOwner     = genCol{"Owner", "業主", "业主", personName}
	gcParent    = genCol{"Parent", "家長", "家长", personName}
	gcStudent   = genCol{"Student", "學生", "学生", personName}
	gcStaff     = genCol{"Employee", "員工", "员工", personName}
	gcInsured   = genCol{"Policyholder", "投保人", "投保人", personName}
	gcHKMobile  = genCol{"Mobile", "手機", "手机", func(r *rand.Rand, _, _ int) string { return genHKMobile(r) }}
	gcHKPhone   = genCol{"Phone", "電話", "电话", func(r *rand.Rand, _, _ int) string { return "+852 " + genHKMobile(r)[:4] + " " + genHKMobile(r)[4:] }}
	gcCNMobile  = genCol{"Mobile", "手機號碼", "手机号", func(r *rand.Rand, _, _ int) string { return genCNMobile(r) }}
	gcEmail     = genCol{"Email", "電郵", "邮箱", personalEmail}
	gcAddress   = genCol{"Address", "地址", "地址", homeAddress}
	gcBirthday  = genCol{"Date of birth", "出生日期", "出生日期", func(r *rand.Rand, _, _ int) string { return genBirthday(r) }}
	gcPRC       = genCol{"ID card no", "身份證號碼", "身份证号码", func(r *rand.Rand, _, _ int) string { return genPRC(r) }}
	gcCard      = genCol{"Card number", "信用卡號碼", "信用卡号码", func(r *rand.Rand, _, _ int) string { return group4(genCard(r, "4", 16), " ") }}
	gcPolicy    = genCol{"Policy no", "保單號碼", "保单号码", func(r *rand.Rand, _, i int) string { return fmt.Sprintf("PL-%08d", 10000000+i*37) }}
	gcRecord    = genCol{"Customer ID", "客戶編號", "客户编号", func(_ *rand.Rand, _, i int) string { return fmt.Sprintf("C%05d", 1000+i) }}
	gcMemberNo  = genCol{"Member no", "會員編號", "会员编号", func(_ *rand.Rand, _, i int) string { return fmt.Sprintf("M%05d", 3000+i) }}
	gcPoints    = genCol{"Points", "積分", "积分", func(r *rand.Rand, _, _ int) string { return fmt.Sprint(r.IntN(9000)) }}
	gcFlat      = genCol{"Flat", "單位", "单元", func(r *rand.Rand, _, _ int) string { return fmt.Sprintf("%d%c", 1+r.IntN(40), 'A'+r.IntN(8)) }}
	gcClass     = genCol{"Class", "班別", "班级", func(r *rand.Rand, _, _ int) string { return fmt.Sprintf("%d%c", 1+r.IntN(6), 'A'+r.IntN(4)) }}
	gcDept      = genCol{"Department", "部門", "部门", func(r *rand.Rand, _, _ int) string { return pickOne(r, []string{"Sales", "HR", "IT", "Finance"}) }}
	gcExt       = genCol{"Ext", "分機", "分机", func(r *rand.Rand, _, _ int) string { return fmt.Sprint(2000 + r.IntN(900)) }}
	gcWorkMail  = genCol{"Email", "電郵", "邮箱", func(r *rand.Rand, _, i int) string { return fmt.Sprintf("staff%d@harbour-trading.example", i) }}
	gcOffice    = genCol{"Office phone", "辦公電話", "办公电话", func(r *rand.Rand, _, _ int) string { return fmt.Sprintf("2%03d %04d", r.IntN(1000), r.IntN(10000)) }}
	gcAmount    = genCol{"Amount", "金額", "金额", func(r *rand.Rand, _, _ int) string { return fmt.Sprintf("%d.00", 100+r.IntN(9000)) }}
	gcProduct   = genCol{"Product", "產品", "产品", func(r *rand.Rand, _, _ int) string { return pickOne(r, []string{"Umbrella", "Tea set", "Desk lamp"}) }}
	gcConsignee = genCol{"Consignee", "收貨人", "收货人", personName}
	gcContact   = genCol{"Contact", "聯絡方式", "联系方式", func(r *rand.Rand, script, _ int) string {
		if script == scSC {
			return genCNMobile(r)
		}
		return genHKMobile(r)
	}}
	gcSupplier = genCol{"Supplier", "供應商", "供应商", func(r *rand.Rand, _, _ int) string {
		return pickOne(r, []string{"Harbour Trading Ltd", "Kowloon Paper Co", "East Asia Steel"})
	}}
	gcContactP = genCol{"Contact person", "聯絡人", "联系人", personName}
	gcCNOffice = genCol{"Tel", "電話", "电话", func(r *rand.Rand, _, _ int) string { return fmt.Sprintf("021-%08d", r.IntN(100000000)) }}
	gcShop     = genCol{"Shop name", "店名", "门店名称", func(r *rand.Rand, _, i int) string {
		return fmt.Sprintf("%s %d", pickOne(r, []string{"Harbour Cafe", "Sun Bakery", "Star Optical"}), i)
	}}
	gcHotel   = genCol{"Hotel", "酒店", "酒店", func(r *rand.Rand, _, i int) string { return fmt.Sprintf("Grand Hotel %d", i) }}
	gcShopTel = genCol{"Tel", "電話", "电话", func(r *rand.Rand, _, _ int) string { return fmt.Sprintf("2%03d %04d", r.IntN(1000), r.IntN(10000)) }}
	gcSKU     = genCol{"SKU", "貨號", "货号", func(_ *rand.Rand, _, i int) string { return fmt.Sprintf("SKU-%05d", 10000+i*7) }}
)

// export is a real-world shape: who the records are about and which columns.
type export struct {
	name string
	cols []genCol
}

// The positive shapes: CRM, POS, loyalty, HR, insurance, school, property
// management, gym billing, clinic contacts, e-shop, tenancy.
var positiveExports = []export{
	{"crm", []genCol{gcRecord, gcName, gcHKMobile, gcEmail, gcAddress}},
	{"pos-loyalty", []genCol{gcMemberNo, gcMember, gcHKMobile, gcBirthday, gcPoints}},
	{"mainland-members", []genCol{gcMemberNo, gcName, gcPRC, gcCNMobile}},
	{"hr-staff", []genCol{gcStaff, gcDept, gcHKMobile, gcAddress, gcBirthday}},
	{"insurance", []genCol{gcPolicy, gcInsured, gcBirthday, gcHKPhone}},
	{"school-parents", []genCol{gcStudent, gcClass, gcParent, gcHKMobile}},
	{"property-owners", []genCol{gcFlat, gcOwner, gcHKPhone, gcEmail}},
	{"tenants", []genCol{gcTenant, gcFlat, gcHKMobile}},
	{"gym-billing", []genCol{gcMemberNo, gcName, gcCard}},
	{"eshop", []genCol{gcCustomer, gcAddress, gcCNMobile}},
	{"newsletter", []genCol{gcName, gcEmail}},
	{"shipping", []genCol{gcConsignee, gcContact, gcAddress}},
	{"name-contact", []genCol{gcName, gcContact}},
}

// The near-miss shapes: no person, or nothing personal about them.
var negativeExports = []export{
	{"dept-phones", []genCol{gcDept, gcOffice}},
	{"staff-directory", []genCol{gcName, gcDept, gcExt, gcWorkMail}},
	{"staff-directory-office", []genCol{gcName, gcDept, gcOffice, gcWorkMail}},
	{"staff-directory-mobile", []genCol{gcName, gcDept, gcExt, gcHKMobile}},
	{"expense-claims", []genCol{gcStaff, gcAmount}},
	{"price-list", []genCol{gcSKU, gcProduct, gcAmount}},
	{"order-lines", []genCol{gcCustomer, gcProduct, gcAmount}},
	{"company-mail-list", []genCol{gcName, gcWorkMail}},
	{"supplier-list", []genCol{gcSupplier, gcContactP, gcOffice, gcWorkMail, gcAddress}},
	{"mainland-office-lines", []genCol{gcCustomer, gcCNOffice}},
	{"shop-list", []genCol{gcShop, gcAddress, gcShopTel}},
	{"hotel-list", []genCol{gcHotel, gcAddress, gcEmail}},
}

// Table layouts as extract delivers them.
var layouts = []string{"csv", "tsv", "markdown", "aligned", "semicolon"}

func renderTable(r *rand.Rand, e export, script int, layout string, rows int) string {
	var b strings.Builder
	cells := func(row []string) {
		switch layout {
		case "csv":
			for i, c := range row {
				if strings.ContainsAny(c, ",") {
					c = `"` + c + `"`
				}
				row[i] = c
			}
			b.WriteString(strings.Join(row, ","))
		case "semicolon":
			b.WriteString(strings.Join(row, ";"))
		case "tsv":
			b.WriteString(strings.Join(row, "\t"))
		case "markdown":
			b.WriteString("| " + strings.Join(row, " | ") + " |")
		case "aligned":
			for i, c := range row {
				if i > 0 {
					b.WriteString("   ")
				}
				b.WriteString(c)
			}
		}
		b.WriteByte('\n')
	}
	head := make([]string, len(e.cols))
	for i, c := range e.cols {
		head[i] = c.head(script)
	}
	cells(head)
	if layout == "markdown" {
		b.WriteString("|" + strings.Repeat("---|", len(head)) + "\n")
	}
	for i := 0; i < rows; i++ {
		row := make([]string, len(e.cols))
		for j, c := range e.cols {
			row[j] = c.val(r, script, i)
		}
		cells(row)
	}
	return b.String()
}

// jsonSegments renders an export as extract delivers a JSON array of
// objects (jsonl: JSON Lines): one segment per field.
func jsonSegments(r *rand.Rand, e export, script, rows int, jsonl bool) []extract.Segment {
	var segs []extract.Segment
	segs = append(segs, extract.Segment{Origin: "body>json:$.msgtype", Text: "export"})
	for i := 0; i < rows; i++ {
		for _, c := range e.cols {
			key := strings.ToLower(strings.ReplaceAll(c.en, " ", "_"))
			if script != scEN {
				key = c.head(script)
			}
			origin := fmt.Sprintf("body>json:$.data.records[%d].%s", i, key)
			if jsonl {
				origin = fmt.Sprintf("body>jsonl:%d:$.%s", i+1, key)
			}
			segs = append(segs, extract.Segment{Origin: origin, Text: c.val(r, script, i)})
		}
	}
	return segs
}

func classifySegs(segs []extract.Segment) map[string]Finding {
	out := map[string]Finding{}
	for _, f := range testSet.Classify(context.Background(), segs) {
		out[f.Classifier] = f
	}
	return out
}

// TestCustomerDatabaseExports: every positive shape in every script and
// layout (and as JSON and JSON Lines) is a customer database with one
// record per row; every near-miss shape stays quiet. 13 positive shapes x
// 3 scripts x 7 layouts + 12 near-miss shapes x 3 x 7 = 525 cases.
func TestCustomerDatabaseExports(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	cases := 0
	for _, e := range positiveExports {
		for script := range scriptNames {
			for _, layout := range append(layouts, "json", "jsonl") {
				rows := 5 + r.IntN(20)
				var got map[string]Finding
				if layout == "json" || layout == "jsonl" {
					got = classifySegs(jsonSegments(r, e, script, rows, layout == "jsonl"))
				} else {
					got = classifySegs([]extract.Segment{{Origin: "file", Text: "Export 2026-11\n" + renderTable(r, e, script, layout, rows) + "\nEnd of report\n"}})
				}
				cases++
				f, ok := got[CustomerDatabase]
				if !ok || f.Count != rows {
					t.Errorf("%s/%s/%s: customer_database %+v, want %d records", e.name, scriptNames[script], layout, f, rows)
					continue
				}
				sig := strings.Join(f.Signals, " ")
				if !strings.Contains(sig, fmt.Sprintf("rows:%d", rows)) || !strings.Contains(sig, "header:") || f.Confidence != High {
					t.Errorf("%s/%s/%s: signals %v confidence %v", e.name, scriptNames[script], layout, f.Signals, f.Confidence)
				}
			}
		}
	}
	for _, e := range negativeExports {
		for script := range scriptNames {
			for _, layout := range append(layouts, "json", "jsonl") {
				var got map[string]Finding
				if layout == "json" || layout == "jsonl" {
					got = classifySegs(jsonSegments(r, e, script, 30, layout == "jsonl"))
				} else {
					got = classifySegs([]extract.Segment{{Origin: "file", Text: renderTable(r, e, script, layout, 30)}})
				}
				cases++
				if f, ok := got[CustomerDatabase]; ok {
					t.Errorf("near-miss %s/%s/%s: customer_database %+v", e.name, scriptNames[script], layout, f)
				}
			}
		}
	}
	t.Logf("%d export cases", cases)
}

// TestCustomerDatabaseNoHeader: lists without a header row are read from
// their values (a name and a mobile, ID or card on each line).
func TestCustomerDatabaseNoHeader(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var tc, sc, en, pdf strings.Builder
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&tc, "%s\t%s\t%s\n", pickOne(r, zhtNames), genHKMobile(r), homeAddress(r, scTC, i))
		fmt.Fprintf(&sc, "%s，%s，%s\n", pickOne(r, zhsNames), genPRC(r), genCNMobile(r))
		fmt.Fprintf(&en, "%s <%s> %s\n", genENName(r), personalEmail(r, 0, i), "+852 "+genHKMobile(r))
		fmt.Fprintf(&pdf, "%s\u3000電話：%s\n\n", pickOne(r, zhtNames), genHKMobile(r))
	}
	for name, text := range map[string]string{"tc": "客戶聯絡電話\n" + tc.String(), "sc": sc.String(), "en": en.String(), "pdf": "VIP 名單\n" + pdf.String()} {
		f, ok := classifyText(t, text)[CustomerDatabase]
		if !ok || f.Count != 8 {
			t.Errorf("%s: %+v, want 8 records", name, f)
		}
	}
}

// TestCustomerDatabaseNearMisses: text that has people and numbers but is
// no customer database.
func TestCustomerDatabaseNearMisses(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	signature := "Thanks,\n\nPeter Chan\nSenior Merchandiser | Harbour Trading Ltd\nT: +852 2123 4567 | M: +852 9123 4567\nE: peter.chan@harbourtrading.example\nWeChat: peterchan\n"
	var thread strings.Builder
	for i := 0; i < 4; i++ {
		fmt.Fprintf(&thread, "On Mon, %s wrote:\nPlease confirm the cartons.\n%s\nM: %s\n%s\n\n", genENName(r), genENName(r), genHKMobile(r), personalEmail(r, 0, i))
	}
	var ext strings.Builder
	ext.WriteString("Name\tExt\n")
	for i := 0; i < 4; i++ {
		fmt.Fprintf(&ext, "%s\t%d\n", genENName(r), 2100+i)
	}
	var dept strings.Builder
	dept.WriteString("部門電話表\n")
	for _, d := range []string{"會計部", "人事部", "資訊科技部", "物流部", "接待處", "營業部"} {
		fmt.Fprintf(&dept, "%s\t+852 2%03d %04d\n", d, r.IntN(1000), r.IntN(10000))
	}
	invoice := "INVOICE No. 2026-0331\nBill to: Chan Tai Man\nAddress: Flat 12B, 88 Tai Po Road, Sham Shui Po\nTel: 9123 4567\nItem\tQty\tAmount\nServer rack\t2\t17,600\nTotal\t\t17,600\n"
	attendees := "Seminar on PDPO compliance: 120 attendees registered, 95 attended. Contact the organiser at 2123 4567 or events@harbour.example.\n"
	var orders strings.Builder
	orders.WriteString("Order ID,Customer ref,Amount\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&orders, "ORD-%s-01,CR%06d,%d.00\n", genCard(r, "4", 16), i, 100+i)
	}
	var trackings strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&trackings, "Tracking no. %s delivered\n", genCard(r, "4", 16))
	}
	var chat strings.Builder
	mob := genHKMobile(r)
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&chat, "阿明 10:%02d 打 %s 搵我\n", i, mob)
	}
	var items strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&items, "Item %s %s qty %d\n", genHKMobile(r), pickOne(r, []string{"Umbrella", "Tea set", "Desk lamp"}), 1+r.IntN(50))
	}
	minutes := "Minutes: attendees Chan Tai Man (Sales), Lee Mei Ling (HR), Wong Chi Keung (IT). Action: Lee to call the landlord on 2123 4567.\n"
	for name, text := range map[string]string{
		"signature": signature, "thread": thread.String(), "extensions": ext.String(), "dept": dept.String(),
		"invoice": invoice, "attendees": attendees, "orders": orders.String(), "minutes": minutes, "chat": chat.String(), "item-numbers": items.String(),
	} {
		got := classifyText(t, text)
		if f, ok := got[CustomerDatabase]; ok {
			t.Errorf("%s: customer_database %+v", name, f)
		}
		if name == "orders" || name == "trackings" {
			if f, ok := got[PaymentCard]; ok {
				t.Errorf("%s: payment_card %+v", name, f)
			}
		}
	}
	if f, ok := classifyText(t, trackings.String())[PaymentCard]; ok {
		t.Errorf("tracking numbers after their word: payment_card %+v", f)
	}
}

// TestCustomerDatabaseSmallList: 3-4 records are reported at low
// confidence (the default policy blocks from 5); two are not a collection.
func TestCustomerDatabaseSmallList(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	e := positiveExports[0]
	for rows, want := range map[int]Confidence{2: None, 3: Low, 4: Low, 5: High} {
		f, ok := classifyText(t, renderTable(r, e, scEN, "csv", rows))[CustomerDatabase]
		if want == None {
			if ok {
				t.Errorf("%d rows: %+v", rows, f)
			}
			continue
		}
		if !ok || f.Count != rows || f.Confidence != want {
			t.Errorf("%d rows: %+v, want count %d at %v", rows, f, rows, want)
		}
	}
}

// TestCustomerDatabaseNoRawValues: signals and samples name headers and
// counts, never a cell.
func TestCustomerDatabaseNoRawValues(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	text := renderTable(r, positiveExports[2], scSC, "csv", 10)
	f := classifyText(t, text)[CustomerDatabase]
	for _, line := range strings.Split(text, "\n")[1:] {
		for _, cell := range strings.Split(line, ",") {
			if cell == "" {
				continue
			}
			for _, s := range append(f.Signals, f.Samples[0].Masked) {
				if strings.Contains(s, cell) {
					t.Fatalf("signal %q holds cell %q", s, cell)
				}
			}
		}
	}
}

func TestJSONRecordPath(t *testing.T) {
	for _, c := range []struct{ origin, key, field string }{
		{"f>json:$.data.customers[3].phone", "f>json:$.data.customers[3]", "phone"},
		{`f>json:$.members[12]["Full name"]`, "f>json:$.members[12]", "Full name"},
		{"f>json:$.rows[0].address.city", "f>json:$.rows[0]", "address.city"},
		{"body>jsonl:4:$.email", "body>jsonl:4:$", "email"},
		{`body>jsonl:4:$["姓名"]`, "body>jsonl:4:$", "姓名"},
		{"body>jsonl:2:$.items[1].name", "body>jsonl:2:$.items[1]", "name"},
		{"f>json:$.text.content", "", ""},
		{"f>json:$.list[0]", "", ""},
		{"file", "", ""},
	} {
		key, field, ok := jsonRecordPath(c.origin)
		if ok != (c.key != "") || key != c.key || field != c.field {
			t.Errorf("%s: (%q, %q, %v), want (%q, %q)", c.origin, key, field, ok, c.key, c.field)
		}
	}
}

// TestJSONRecordPathAfter: splitting an origin after the previous
// segment's record gives what splitting it alone gives, whatever the
// previous record was (the same, another, a prefix of this one, none).
func TestJSONRecordPathAfter(t *testing.T) {
	origins := []string{
		"f>json:$.data.customers[3].phone", "f>json:$.data.customers[3].name", "f>json:$.data.customers[3]",
		"f>json:$.data.customers[3].", "f>json:$.data.customers[3].contact.email", "f>json:$.data.customers[3].tags[0]",
		"f>json:$.data.customers[3].tags[0].x", `f>json:$.data.customers[3]["Full name"]`, "f>json:$.data.customers[3].jsonBlob",
		"f>json:$.data.customers[3].x>json:$.a[1].b", "f>json:$.data.customers[31].phone", "f>json:$.data.customers[3]1",
		"body>jsonl:4:$.email", "body>jsonl:4:$", "body>jsonl:4:$.contact.email", "body>jsonl:45:$.email",
		"body>jsonl:4:$.items[1].name", "body>jsonl:4:$.items[1].price", "body>jsonl:4:$.items", "f>json:$.text.content", "file", "",
	}
	for _, prev := range origins {
		pk, _, _ := jsonRecordPath(prev)
		for _, o := range origins {
			k0, f0, ok0 := jsonRecordPath(o)
			k1, f1, ok1 := jsonRecordPathAfter(o, pk)
			if k0 != k1 || f0 != f1 || ok0 != ok1 {
				t.Errorf("%q after %q: (%q, %q, %v), alone (%q, %q, %v)", o, pk, k1, f1, ok1, k0, f0, ok0)
			}
		}
	}
}

// TestCustomerDatabaseKeyedAndVCard: records written one field a line (a
// list pasted into chat) and contact exports.
func TestCustomerDatabaseKeyedAndVCard(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	labels := [][3]string{{"Name", "Mobile", "Address"}, {"姓名", "手機", "地址"}, {"姓名", "手机", "地址"}}
	for script, l := range labels {
		var b strings.Builder
		b.WriteString("Customers to call back:\n\n")
		for i := 0; i < 6; i++ {
			fmt.Fprintf(&b, "%s: %s\n%s：%s\n%s: %s\n\n", l[0], personName(r, script, i), l[1], genHKMobile(r), l[2], homeAddress(r, script, i))
		}
		f, ok := classifyText(t, b.String())[CustomerDatabase]
		if !ok || f.Count != 6 || !strings.Contains(strings.Join(f.Signals, " "), "shape:keyed") {
			t.Errorf("keyed %s: %+v, want 6 records", scriptNames[script], f)
		}
	}
	var v strings.Builder
	for i := 0; i < 7; i++ {
		fmt.Fprintf(&v, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:%s\r\nTEL;TYPE=CELL:+852 %s\r\nEMAIL:%s\r\nEND:VCARD\r\n", genENName(r), genHKMobile(r), personalEmail(r, 0, i))
	}
	if f, ok := classifyText(t, v.String())[CustomerDatabase]; !ok || f.Count != 7 {
		t.Errorf("vcard: %+v, want 7 records", f)
	}
	// One form, and signatures in a thread, are no list.
	form := "申請表\n姓名：陳大文\n手機：91234567\n地址：九龍彌敦道1號\n出生日期：1980-01-01\n"
	var thread strings.Builder
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&thread, "Please see the attached schedule for the next shipment.\nRegards,\n%s\nMobile: %s\nEmail: %s\n\n> quoted earlier message text here\n\n", genENName(r), genHKMobile(r), personalEmail(r, 0, i))
	}
	for name, text := range map[string]string{"form": form, "thread": thread.String(), "vcard-no-end": strings.Repeat("BEGIN:VCARD\nFN:x\n", 3)} {
		if f, ok := classifyText(t, text)[CustomerDatabase]; ok {
			t.Errorf("%s: %+v", name, f)
		}
	}
}

// TestCustomerDatabaseHeaderSynonyms: the header words exports really use,
// each with a person column, in a 6-row CSV: every pairing is read.
func TestCustomerDatabaseHeaderSynonyms(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	names := []string{"Name", "Full Name", "Customer Name", "Client", "Member", "Tenant", "Owner", "Parent", "Student", "Policyholder", "Contact person", "Consignee",
		"姓名", "客戶姓名", "客户名称", "會員", "租戶", "業主", "家長", "学生", "投保人", "联系人", "收货人", "顧客"}
	values := map[string]func() string{
		"Mobile": func() string { return genHKMobile(r) }, "Mobile No.": func() string { return genHKMobile(r) }, "Cell phone": func() string { return genHKMobile(r) },
		"WhatsApp": func() string { return genHKMobile(r) }, "手提電話": func() string { return genHKMobile(r) }, "流動電話": func() string { return genHKMobile(r) },
		"手机号码": func() string { return genCNMobile(r) }, "移动电话": func() string { return genCNMobile(r) }, "联系方式": func() string { return genCNMobile(r) },
		"Contact Number": func() string { return "+852 " + genHKMobile(r) }, "聯絡電話": func() string { return genHKMobile(r) }, "Tel.": func() string { return genHKMobile(r) },
		"E-mail": func() string { return personalEmail(r, 0, r.IntN(999)) }, "Email Address": func() string { return personalEmail(r, 0, r.IntN(999)) },
		"電郵地址": func() string { return personalEmail(r, 0, r.IntN(999)) }, "电子邮箱": func() string { return personalEmail(r, 0, r.IntN(999)) },
		"Residential Address": func() string { return homeAddress(r, scEN, 0) }, "住址": func() string { return homeAddress(r, scTC, 0) },
		"通訊地址": func() string { return homeAddress(r, scTC, 0) }, "收货地址": func() string { return homeAddress(r, scSC, 0) },
		"DOB": func() string { return genBirthday(r) }, "Date of Birth": func() string { return genBirthday(r) }, "出生日期": func() string { return genBirthday(r) },
		"生日": func() string { return genBirthday(r) }, "出生年月": func() string { return genBirthday(r)[:7] },
		"HKID": func() string { return "A123456(3)" }, "Passport No.": func() string { return fmt.Sprintf("K%08d", r.IntN(1e8)) },
		"身份證號碼": func() string { return "A123456(3)" }, "证件号码": func() string { return genPRC(r) },
		"Policy No.": func() string { return fmt.Sprintf("P%09d", r.IntN(1e9)) }, "Bank Account": func() string { return fmt.Sprintf("012-345-%06d", r.IntN(1e6)) },
		"信用卡號碼": func() string { return group4(genCard(r, "4", 16), " ") }, "会员卡号": func() string { return fmt.Sprintf("%012d", r.IntN(1e12)) },
	}
	cases := 0
	for _, n := range names {
		for h, val := range values {
			var b strings.Builder
			fmt.Fprintf(&b, "%s,%s\n", n, h)
			for i := 0; i < 6; i++ {
				fmt.Fprintf(&b, "%s,%s\n", personName(r, r.IntN(3), i), val())
			}
			cases++
			if f, ok := classifyText(t, b.String())[CustomerDatabase]; !ok || f.Count != 6 {
				t.Errorf("header %q + %q: %+v", n, h, f)
			}
		}
	}
	t.Logf("%d header pairings", cases)
}

// FuzzJSONRecordPathAfter: the shortcut agrees with jsonRecordPath for any
// pair of origins.
func FuzzJSONRecordPathAfter(f *testing.F) {
	f.Add("f>json:$.data.customers[3].phone", "f>json:$.data.customers[3].name")
	f.Add("body>jsonl:4:$.email", "body>jsonl:4:$.contact[\"x\"]")
	f.Fuzz(func(t *testing.T, prev, o string) {
		pk, _, _ := jsonRecordPath(prev)
		k0, f0, ok0 := jsonRecordPath(o)
		k1, f1, ok1 := jsonRecordPathAfter(o, pk)
		if k0 != k1 || f0 != f1 || ok0 != ok1 {
			t.Fatalf("%q after %q: (%q, %q, %v), alone (%q, %q, %v)", o, pk, k1, f1, ok1, k0, f0, ok0)
		}
	})
}

// jsonFieldKindCheck runs origins through jsonFieldKind in order, each
// after the record the one before it gave, with one memo, and compares
// every answer with jsonRecordPath and fieldKind computed afresh.
func jsonFieldKindCheck(t *testing.T, c *customerDBClassifier, origins []string) {
	t.Helper()
	rests, kinds := map[string]restMemo{}, map[string]cellMemo{}
	prev := ""
	for _, o := range origins {
		key, k, term, ok := c.jsonFieldKind(o, prev, rests, kinds)
		wkey, field, wok := jsonRecordPath(o)
		var wk colKind
		var wt string
		if wok {
			wk, wt = c.fieldKind(field, map[string]cellMemo{})
		}
		if key != wkey || ok != wok || k != wk || term != wt {
			t.Fatalf("%q after %q: (%q, %v, %q, %v), want (%q, %v, %q, %v)", o, prev, key, k, term, ok, wkey, wk, wt, wok)
		}
		if ok {
			prev = key
		}
	}
}

// TestJSONFieldKind: remembering what a field path after a record's key
// makes of it gives what reading each origin afresh gives, for records of
// JSON arrays and JSON Lines, nested fields, quoted keys, fields named
// "json...", and paths that are no field.
func TestJSONFieldKind(t *testing.T) {
	c, err := newCustomerDBClassifier(options{})
	if err != nil {
		t.Fatal(err)
	}
	rests := []string{".name", ".phone", ".contact.email", `["Full name"]`, ".jsonData", ".", ".tags[0]", ".tags[0].x", ".x>json:$.a[1].b", ".address.city", "1", ".name"}
	var origins []string
	for _, format := range []string{"f>json:$.customers[%d]%s", "body>jsonl:%d:$%s"} {
		for i := 0; i < 4; i++ {
			for _, rest := range rests {
				origins = append(origins, fmt.Sprintf(format, i, rest))
			}
		}
	}
	jsonFieldKindCheck(t, c, origins)
	r := rand.New(rand.NewPCG(8, 9))
	r.Shuffle(len(origins), func(i, j int) { origins[i], origins[j] = origins[j], origins[i] })
	jsonFieldKindCheck(t, c, origins)
}

// FuzzJSONFieldKind: the same for any origins, twice over so the memo is
// used.
func FuzzJSONFieldKind(f *testing.F) {
	c, err := newCustomerDBClassifier(options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("f>json:$.a[1].name", "f>json:$.a[1].phone", "f>json:$.a[2].name")
	f.Add("f>json:$.a[1].name", "f>json:$.a[1].tags[0].x", "f>json:$.a[2].tags[0].x")
	f.Add("body>jsonl:1:$.email", "body>jsonl:1:$.x[\"y\"]", "body>jsonl:2:$.email")
	f.Fuzz(func(t *testing.T, a, b, d string) {
		jsonFieldKindCheck(t, c, []string{a, b, d, a, b, d, b, a})
	})
}
