package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

// customerTable is a member list in one script: header row, then rows.
func customerTable(r *rand.Rand, script string, n int) [][]string {
	head := map[string][]string{
		"en": {"Member no", "Full name", "Mobile", "Email", "Home address", "Date of birth"},
		"tc": {"會員編號", "姓名", "手機", "電郵", "地址", "出生日期"},
		"sc": {"会员编号", "姓名", "手机号码", "邮箱", "地址", "出生日期"},
	}[script]
	rows := [][]string{head}
	for i := 0; i < n; i++ {
		mobile := testgen.HKMobile(r)
		if script == "sc" {
			mobile = testgen.CNMobile(r)
		}
		rows = append(rows, []string{fmt.Sprintf("M%05d", 1000+i), testgen.Name(r, script), mobile, testgen.Email(r, i), testgen.Address(r, script), testgen.Birthday(r)})
	}
	return rows
}

func joinRows(rows [][]string, sep string) string {
	var b strings.Builder
	for _, row := range rows {
		b.WriteString(strings.Join(row, sep) + "\n")
	}
	return b.String()
}

func markdownRows(rows [][]string) string {
	var b strings.Builder
	for i, row := range rows {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		if i == 0 {
			b.WriteString("|" + strings.Repeat("---|", len(row)) + "\n")
		}
	}
	return b.String()
}

func jsonRecords(rows [][]string) []map[string]string {
	var out []map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, c := range row {
			m[rows[0][i]] = c
		}
		out = append(out, m)
	}
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encodeTo(t *testing.T, e encoding.Encoding, s string) []byte {
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

// TestScanCustomerDatabaseShapes: a member list in English, Traditional
// and Simplified Chinese, written in every format and charset it travels
// in, is blocked as a customer database with one record per person; the
// same people without personal data are not.
func TestScanCustomerDatabaseShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(91, 92))
	dir := t.TempDir()
	type file struct {
		name    string
		body    []byte
		records int
	}
	var files []file
	var cells []string // every data cell: none may reach the output
	for _, script := range []string{"en", "tc", "sc"} {
		n := 6 + r.IntN(8)
		rows := customerTable(r, script, n)
		for _, row := range rows[1:] {
			cells = append(cells, row[1:]...)
		}
		title := map[string]string{"en": "Member list", "tc": "會員名單", "sc": "会员名单"}[script]
		add := func(ext string, body []byte) {
			files = append(files, file{name: script + "_members." + ext, body: body, records: n})
		}
		add("csv", []byte(joinRows(rows, ",")))
		add("tsv", []byte(joinRows(rows, "\t")))
		add("xlsx", testgen.XLSX(title, rows))
		add("ods", testgen.ODS(rows))
		add("docx", testgen.DOCX(title, rows))
		add("pptx", testgen.PPTX(title, rows))
		add("html", testgen.HTML(title, rows))
		add("pdf", testgen.PDF(title, rows))
		add("json", mustJSON(t, map[string]any{"data": map[string]any{"members": jsonRecords(rows)}}))
		var jl strings.Builder
		for _, rec := range jsonRecords(rows) {
			jl.Write(mustJSON(t, rec))
			jl.WriteByte('\n')
		}
		add("jsonl", []byte(jl.String()))
		add("chat.json", mustJSON(t, map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": title, "text": title + "：\n" + markdownRows(rows)}}))
		add("aligned.txt", []byte(title+"\n\n"+joinRows(rows, "    ")))
		add("utf16.txt", append([]byte{0xFF, 0xFE}, encodeTo(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), joinRows(rows, "\t"))...))
		switch script {
		case "tc":
			add("big5.csv", encodeTo(t, traditionalchinese.Big5, joinRows(rows, ",")))
		case "sc":
			add("gbk.csv", encodeTo(t, simplifiedchinese.GBK, joinRows(rows, ",")))
		}
	}
	args := make([]string, len(files))
	for i, f := range files {
		args[i] = filepath.Join(dir, f.name)
		if err := os.WriteFile(args[i], f.body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, lines, raw := runScan(t, "", args...)
	if code != 0 || len(lines) != len(files) {
		t.Fatalf("exit %d, %d lines:\n%s", code, len(lines), raw)
	}
	for i, f := range files {
		got := 0
		for _, fd := range lines[i].Findings {
			if fd.Classifier == "customer_database" {
				got = fd.Count
			}
		}
		if got != f.records || lines[i].Verdict != "block" || lines[i].Decision.Rule != "customer-database" {
			t.Errorf("%s: customer_database %d (verdict %s, rule %s), want %d records blocked: %+v", f.name, got, lines[i].Verdict, lines[i].Decision.Rule, f.records, lines[i].Findings)
		}
	}
	for _, c := range cells {
		if strings.Contains(raw, c) {
			t.Errorf("a cell of %d bytes reached the scan output", len(c))
		}
	}
	t.Logf("%d files", len(files))
}

// TestScanIdentifierRules: 3 resident IDs or cards block, 1-2 are logged;
// near-misses (signatures, directories, invoices, attendee counts, order
// numbers that pass Luhn inside longer ids) are allowed.
func TestScanIdentifierRules(t *testing.T) {
	r := rand.New(rand.NewPCG(93, 94))
	var staff strings.Builder
	staff.WriteString("Name\tDepartment\tExt\tEmail\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&staff, "%s\tSales\t%d\tstaff%d@harbour.example\n", testgen.Name(r, "en"), 2100+i, i)
	}
	var orders strings.Builder
	orders.WriteString("訂單編號,金額\n")
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&orders, "SO-%s-%02d,%d.00\n", testgen.Card(r, "4", 16), i, 100+i)
	}
	card := testgen.Card(r, "4", 16)
	cases := []struct{ name, want, rule, body string }{
		{"prc3.txt", "block", "prc-id-bulk", "身份证号码：\n" + testgen.PRCID(r) + "\n" + testgen.PRCID(r) + "\n" + testgen.PRCID(r) + "\n"},
		{"prc1.txt", "log", "prc-id-single", "申请人身份证号码 " + testgen.PRCID(r) + "，请核实。"},
		{"cards3.txt", "block", "payment-card-bulk", "信用卡號碼\n" + strings.Join([]string{testgen.Card(r, "4", 16), testgen.Card(r, "51", 16), testgen.Card(r, "62", 16)}, "\n") + "\n"},
		{"card1.txt", "log", "payment-card-single", "Please charge card " + card[:4] + " " + card[4:8] + " " + card[8:12] + " " + card[12:] + " exp 12/28"},
		{"signature.txt", "allow", "", "Hi all, see you Friday.\n\nPeter Chan\nT: +852 2123 4567 | M: +852 9123 4567\npeter.chan@harbour.example\n"},
		{"directory.tsv", "allow", "", staff.String()},
		{"invoice.txt", "allow", "", "發票 INVOICE No. 2026-0331\n客戶：陳大文\n地址：九龍彌敦道100號12樓A室\n電話：9123 4567\n總額：HK$17,600\n"},
		{"attendees.txt", "allow", "", "研討會共有 120 位參加者，95 人出席。查詢：2123 4567。\n"},
		{"orders.csv", "allow", "", orders.String()},
	}
	dir := t.TempDir()
	args := make([]string, len(cases))
	for i, c := range cases {
		args[i] = filepath.Join(dir, c.name)
		if err := os.WriteFile(args[i], []byte(c.body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, lines, raw := runScan(t, "", args...)
	if code != 0 || len(lines) != len(cases) {
		t.Fatalf("exit %d:\n%s", code, raw)
	}
	for i, c := range cases {
		if lines[i].Verdict != c.want || (c.rule != "" && lines[i].Decision.Rule != c.rule) {
			t.Errorf("%s: verdict %s rule %s, want %s %s (%+v)", c.name, lines[i].Verdict, lines[i].Decision.Rule, c.want, c.rule, lines[i].Findings)
		}
	}
	// No raw value reaches the output.
	for _, c := range cases[:4] {
		for _, tok := range strings.Fields(strings.NewReplacer("\n", " ", "：", " ").Replace(c.body)) {
			if len(tok) >= 15 && strings.Trim(tok, "0123456789X") == "" && strings.Contains(raw, tok) {
				t.Errorf("raw number %s…%s in scan output", tok[:4], tok[len(tok)-2:])
			}
		}
	}
}
