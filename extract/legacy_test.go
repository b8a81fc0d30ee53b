package extract

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

// Legacy Office files made by LibreOffice 7.4 (testdata/legacy/make.py):
// each .xls/.doc/.ppt has the .xlsx/.docx/.pptx LibreOffice made from the
// same source next to it.

func legacyFixture(t testing.TB, name string) []byte {
	t.Helper()
	return testgen.ReadFixture(t, filepath.Join("testdata", "legacy", name))
}

func legacyRun(t testing.TB, b []byte) *Result {
	t.Helper()
	return run(t, Input{Name: "f", Body: bytes.NewReader(b), Size: int64(len(b))}, Limits{})
}

func hasKind(res *Result, k ProblemKind) bool {
	for _, p := range res.Problems {
		if p.Kind == k {
			return true
		}
	}
	return false
}

func TestLegacyFixtures(t *testing.T) {
	tests := []struct {
		file  string
		texts []string
	}{
		{"customers.xls", []string{
			"客戶 Customers\nName\t姓名\tPhone\tMobile (text)\tEmail\tHKID\n",
			"Chan Tai Man\t陳大文\t91234560\t+852 6123 4500\tchan0@example.com\tA123456(3)\n",
			"Li Wei\t李伟\t91234562\t", "Zhang Min\t张敏\t91234563\t", "Wang Fang\t王芳\t91234567\t+852 6123 4507\twang7@example.com\tZ131233(3)\n",
		}},
		{"financial.xls", []string{
			"資產負債表\n資產負債表 Balance Sheet\n項目\t2025\t2024\n現金及現金等價物\t12345678.5\t11000000\n應收賬款\t3456789\t3012345.25\n",
			"利润表\n资产负债表（简体）\n项目\t2025\t2024\n营业收入\t52345678\t48000000\n", "净利润\t8765432.75\t7654321\n每股收益\t1.25\t0.98\n",
		}},
		{"bigsst.xls", []string{
			// Split by the SST's first CONTINUE record after "A7127".
			"客戶0090 陳乚\tA712710(6)\tnote 90 for customer record number 00090\n",
			// Split by the second (compressed text, option byte 0).
			"note 179 for customer record number 00179\n",
			"客戶0001 陳丁\tB007919(2)\t", "\tnote 89 shrt\n",
		}},
		{"medical.doc", []string{
			"醫療報告 Medical Report\n病人姓名：陳大文\n香港身份證號碼：A123456(3)\n診斷：第二型糖尿病，高血壓。處方：二甲雙胍 500mg，每日兩次。\n简体：患者诊断为糖尿病，建议复诊。\n",
			"Paragraph 59: follow-up visit notes, blood pressure 130/85, HbA1c 7.9%.\n",
			"Footnote: insurance claim for C234567(4)",
		}},
		{"slides.ppt.gz", []string{
			"季度業績 Quarterly Results\n營業收入增長 12%\n客戶：黃小明 D345678(2)\n",
			"简体幻灯片\n净利润 8,765,432\nContact: wong@example.com\n",
			"Speaker notes: 不要外傳 confidential figures 5,000,000\n备注：内部资料\n",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := legacyRun(t, legacyFixture(t, tc.file))
			check(t, res, want{texts: tc.texts, clean: true})
		})
	}
}

// TestLegacyXLSMatchesXLSX: every sheet of an .xls reads exactly as the
// same sheet of the .xlsx LibreOffice saved from the same workbook.
func TestLegacyXLSMatchesXLSX(t *testing.T) {
	for _, name := range []string{"customers", "financial", "bigsst"} {
		t.Run(name, func(t *testing.T) {
			xls := legacyRun(t, legacyFixture(t, name+".xls"))
			xlsx := legacyRun(t, legacyFixture(t, name+".xlsx"))
			sheets := func(r *Result, mark string) []string {
				var out []string
				for _, s := range r.Segments {
					if strings.Contains(s.Origin, mark) && !strings.Contains(s.Origin, "/comments") {
						out = append(out, s.Text)
					}
				}
				return out
			}
			a, b := sheets(xls, "Workbook/sheet"), sheets(xlsx, "xl/worksheets/sheet")
			if len(a) != len(b) || len(a) == 0 {
				t.Fatalf("%d sheets from the .xls, %d from the .xlsx", len(a), len(b))
			}
			for i := range a {
				if a[i] != b[i] {
					t.Errorf("sheet %d differs:\nxls:\n%s\nxlsx:\n%s", i+1, clip(a[i]), clip(b[i]))
				}
			}
		})
	}
}

// TestLegacySSTContinue: all 260 HKIDs of the workbook whose shared
// strings run over two CONTINUE records are read, one of them split by
// the first boundary.
func TestLegacySSTContinue(t *testing.T) {
	b := legacyFixture(t, "bigsst.xls")
	f, err := parseCFB(b, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	recs, ok := biffRecords(f.stream(f.find("Workbook")), 0)
	if !ok {
		t.Fatal("workbook records incomplete")
	}
	conts := -1
	for _, r := range recs {
		if r.typ == biffSST {
			conts = len(r.cont)
			if !bytes.HasSuffix(r.data, []byte("A7127")) {
				t.Errorf("the SST record no longer ends inside an HKID (fixture changed?)")
			}
		}
	}
	if conts < 2 {
		t.Fatalf("SST has %d CONTINUE records, want 2+", conts)
	}
	all := allText(legacyRun(t, b))
	for i := 0; i < 260; i++ {
		h := hkid(string("ABCDEGHKMPRSTVY"[i%15]), fmt.Sprintf("%06d", (i*7919)%1000000))
		if !strings.Contains(all, "\t"+h+"\t") {
			t.Errorf("row %d: HKID %s missing", i, h)
		}
	}
}

// cfbPatch returns a copy of b with a little-endian uint32 written at off.
func cfbPatch(b []byte, off int, v uint32) []byte {
	c := bytes.Clone(b)
	binary.LittleEndian.PutUint32(c[off:], v)
	return c
}

// cfbWorkbook locates the Workbook stream of a fixture: its directory
// entry's file offset and its chain of (FAT or mini FAT) sectors.
func cfbWorkbook(t *testing.T, b []byte) (entryOff int, chain []uint32, f *cfbFile) {
	t.Helper()
	f, err := parseCFB(b, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	i := f.find("Workbook")
	dirStart := binary.LittleEndian.Uint32(b[48:])
	if i >= 4 {
		t.Fatal("test expects the Workbook entry in the first directory sector")
	}
	entryOff = int(dirStart+1)*512 + 128*i
	table := f.fat
	if f.entries[i].size < 4096 {
		table = f.minifat
	}
	for s := f.entries[i].start; s < cfbMaxRegSect && len(chain) < 1000; s = table[s] {
		chain = append(chain, s)
	}
	return entryOff, chain, f
}

func TestLegacyMalformed(t *testing.T) {
	big := legacyFixture(t, "bigsst.xls")
	entry, chain, _ := cfbWorkbook(t, big)
	fat := int(binary.LittleEndian.Uint32(big[76:])+1) * 512 // the only FAT sector
	if binary.LittleEndian.Uint32(big[44:]) != 1 {
		t.Fatal("test expects one FAT sector")
	}
	at := func(k int) int { return fat + 4*int(chain[k]) }
	small := legacyFixture(t, "customers.xls")
	sEntry, sChain, _ := cfbWorkbook(t, small)
	miniFAT := int(binary.LittleEndian.Uint32(small[60:])+1) * 512
	tests := []struct {
		name  string
		body  []byte
		texts []string
	}{
		// Sector 41 of the chain points back at sector 40: the globals
		// (and the shared strings) are read, the sheets past the loop not.
		{"FAT loop", cfbPatch(big, at(40), chain[39]), []string{"A000000(3)", "A712710(6)", "客戶0100"}},
		{"FAT sector out of range", cfbPatch(big, at(40), 0x00FFFF00), []string{"A712710(6)"}},
		{"declared size larger than the file", cfbPatch(big, entry+120, 0x7FFFFFF0), []string{"A712710(6)", "\tnote 89 shrt\n"}},
		{"mini FAT loop", cfbPatch(small, miniFAT+4*int(sChain[len(sChain)-3]), sChain[len(sChain)-4]), []string{"Chan Tai Man"}},
		{"mini FAT out of range", cfbPatch(small, miniFAT+4*int(sChain[len(sChain)-3]), 5000), []string{"Chan Tai Man"}},
		{"directory tree loop", cfbPatch(small, sEntry+68, 1), []string{"Chan Tai Man\t陳大文\t91234560"}},
		{"FAT chain of the directory out of range", cfbPatch(small, 48, 0x00FFFF00), []string{"Chan Tai Man"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := legacyRun(t, tc.body)
			check(t, res, want{texts: tc.texts, problems: []ProblemKind{Malformed}})
		})
	}
}

// TestLegacyTruncated cuts every fixture at many offsets: never a panic
// (run re-panics), always Malformed, and a cut past the text keeps it.
func TestLegacyTruncated(t *testing.T) {
	for _, name := range []string{"customers.xls", "financial.xls", "bigsst.xls", "medical.doc", "tables.doc", "slides.ppt.gz"} {
		b := legacyFixture(t, name)
		step := max(len(b)/61, 1)
		for cut := 0; cut < len(b); cut += step {
			res := legacyRun(t, b[:cut])
			if cut > 0 && !hasKind(res, Malformed) {
				t.Errorf("%s cut at %d of %d: no Malformed problem (%+v)", name, cut, len(b), res.Problems)
			}
			for _, p := range res.Problems {
				if strings.Contains(p.Reason, "internal error") {
					t.Errorf("%s cut at %d: %s", name, cut, p.Reason)
				}
			}
		}
	}
	// The .doc's text lies in its first sectors: cut after them (inside
	// the table stream), the text before the cut is still read.
	doc := legacyFixture(t, "medical.doc")
	res := legacyRun(t, doc[:len(doc)-600])
	check(t, res, want{texts: []string{"香港身份證號碼：A123456(3)"}, problems: []ProblemKind{Malformed}})
}

func TestLegacyEncrypted(t *testing.T) {
	// An .xls whose CODEPAGE record is turned into a FILEPASS: the
	// workbook reads as encrypted, nothing of it is emitted as text.
	xls := legacyFixture(t, "customers.xls")
	_, chain, f := cfbWorkbook(t, xls)
	_ = chain
	wb := f.stream(f.find("Workbook"))
	recs, _ := biffRecords(wb, 0)
	pos := -1
	for _, r := range recs {
		if r.typ == biffCodepage {
			pos = r.pos
		}
	}
	// Find the record in the file by its bytes (the mini stream keeps the
	// record's 64-byte sectors contiguous in this small file).
	rec := wb[pos : pos+6]
	i := bytes.Index(xls, rec)
	if pos < 0 || i < 0 || bytes.Count(xls, rec) != 1 {
		t.Fatal("CODEPAGE record not found once in the file")
	}
	enc := bytes.Clone(xls)
	binary.LittleEndian.PutUint16(enc[i:], biffFilepass)
	res := legacyRun(t, enc)
	check(t, res, want{absent: []string{"Chan Tai Man"}, problems: []ProblemKind{Encrypted}})

	// A .doc with fEncrypted set in its FIB.
	doc := legacyFixture(t, "medical.doc")
	i = bytes.Index(doc, []byte{0xEC, 0xA5})
	enc = bytes.Clone(doc)
	enc[i+0x0B] |= 0x01 // flags 0x0100
	res = legacyRun(t, enc)
	check(t, res, want{absent: []string{"A123456(3)"}, problems: []ProblemKind{Encrypted}})
}

// TestDocPieces: a piece table with a compressed (cp1252) piece between
// two UTF-16 ones, in an order different from the bytes'.
func TestDocPieces(t *testing.T) {
	wd := make([]byte, 512)
	copy(wd[100:], utf16le("客戶 A12"))           // 7 chars
	copy(wd[300:], "3456(3) caf\xe9 \x93q\x94") // 17 bytes, compressed
	copy(wd[200:], utf16le(" 完\r"))             // 3 chars
	var plc []byte
	for _, cp := range []uint32{0, 7, 24, 27} {
		plc = binary.LittleEndian.AppendUint32(plc, cp)
	}
	for _, fc := range []uint32{100, 0x40000000 | 600, 200} {
		plc = append(plc, 0, 0)
		plc = binary.LittleEndian.AppendUint32(plc, fc)
		plc = append(plc, 0, 0)
	}
	clx := []byte{0x01, 2, 0, 0xAA, 0xBB, 0x02}
	clx = binary.LittleEndian.AppendUint32(clx, uint32(len(plc)))
	clx = append(clx, plc...)
	text, _, damaged := docPieces(wd, clx)
	if damaged {
		t.Error("damaged")
	}
	if got, want := docText(text), "客戶 A123456(3) café “q” 完\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// A piece past the stream: what is there is kept, the damage said.
	text, _, damaged = docPieces(wd[:310], clx)
	if !damaged || !strings.HasPrefix(docText(text), "客戶 A123456(3) c") {
		t.Errorf("cut stream: damaged=%v text %q", damaged, docText(text))
	}
}

func TestDocText(t *testing.T) {
	u := utf16Units("a\x07b\x07\x07c\x07d\x07\x07x\x13 HYPERLINK \"mailto:a@b.hk\" \x14link\x15\x01end\x1ehy\x1fph\x0bnl\x0cpg")
	if got, want := docText(u), "a\tb\t\nc\td\t\nx  HYPERLINK \"mailto:a@b.hk\"  link end-hyph\nnl\npg"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func utf16Units(s string) []uint16 {
	b := utf16le(s)
	return utf16LEUnits(b)
}

// TestOLEStringsOddOffsets: best-effort strings of an unknown compound
// file stream find UTF-16 text at odd offsets too, and ASCII UTF-16 text
// at even offsets does not come back a second time as CJK.
func TestOLEStringsOddOffsets(t *testing.T) {
	b := append([]byte{0x01}, utf16le("身份證 A123456(3)")...)
	b = append(b, 0x00, 0x02, 0x03)
	b = append(b, utf16le("Even text here")...)
	got := oleStrings(b)
	if !strings.Contains(got, "身份證 A123456(3)") || !strings.Contains(got, "Even text here") {
		t.Errorf("got %q", got)
	}
	if strings.Contains(got, "瘀攀渀") || strings.Count(got, "Even text here") != 1 {
		t.Errorf("misaligned ASCII read as CJK: %q", got)
	}
}

func TestXLSNumber(t *testing.T) {
	tenth, fifth := 0.1, 0.2
	for v, want := range map[float64]string{91234567: "91234567", 1234.5: "1234.5", -0.25: "-0.25", 0: "0", 1e20: "1E+20", tenth + fifth: "0.30000000000000004", 12345678.5: "12345678.5"} {
		if got := xlsNumber(v); got != want {
			t.Errorf("xlsNumber(%v) = %q, want %q", v, got, want)
		}
	}
	// RK: a 30-bit integer, the same divided by 100, IEEE high bits.
	if got := xlsNumber(rkNumber(91234567<<2 | 2)); got != "91234567" {
		t.Errorf("rk int = %s", got)
	}
	if got := rkNumber(0x3FF00000); got != 1 {
		t.Errorf("rk float = %v", got)
	}
	if got := xlsNumber(rkNumber(123450<<2 | 3)); got != "1234.5" {
		t.Errorf("rk/100 = %s", got)
	}
}

func FuzzCFB(f *testing.F) {
	for _, name := range []string{"customers.xls", "financial.xls", "medical.doc", "tables.doc", "slides.ppt.gz"} {
		f.Add(legacyFixture(f, name))
	}
	// Outlook messages from the test writer (msg_test.go): attachments in
	// regular sectors and in the mini stream, an embedded message, 8-bit
	// properties in a code page, a compressed RTF body.
	msg, _ := testMsg(f)
	f.Add(msg)
	f.Add(buildMsg(f, &msgSpec{props: []msgProp{
		msg8(f, 0x0037001E, traditionalchinese.Big5, "客戶資料 機密"), msgInt(msgCodepage, 950),
		msgBytes(0x10090102, lzfuLiterals(`{\rtf1\ansi Chan Tai Man A123456(3)\par }`)),
	}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) >= 8 {
			copy(data, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
		}
		fuzzBytes(t, data)
	})
}

// FuzzBIFF feeds arbitrary bytes to the workbook, Word and PowerPoint
// stream readers directly (behind a valid container they would be
// reached only through sector chains).
func FuzzBIFF(f *testing.F) {
	for _, name := range []string{"customers.xls", "medical.doc", "tables.doc", "slides.ppt.gz"} {
		b := legacyFixture(f, name)
		c, err := parseCFB(b, 1<<30)
		if err != nil {
			f.Fatal(err)
		}
		for _, s := range []string{"Workbook", "WordDocument", "PowerPoint Document"} {
			if i := c.find(s); i >= 0 {
				f.Add(c.stream(i))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w := &walker{ctx: context.Background(), parent: context.Background(), lim: Limits{}.withDefaults(), seen: map[string]bool{}, repanic: true}
		w.xlsNode("", data, false)
		w.xlsNode("", data, true)
		w.docNode("", data, data, data)
		w.pptNode("", data)
		for _, s := range w.res.Segments {
			if s.Origin == "" {
				t.Fatal("empty origin")
			}
		}
	})
}

// TestLegacyDamagedNoDoubleCount: the raw best-effort read of a damaged
// compound file (ole/damaged) holds only what the streams read did not:
// a customer list read from the workbook is not counted a second time.
func TestLegacyDamagedNoDoubleCount(t *testing.T) {
	small := legacyFixture(t, "customers.xls")
	_, sChain, _ := cfbWorkbook(t, small)
	miniFAT := int(binary.LittleEndian.Uint32(small[60:])+1) * 512
	big := legacyFixture(t, "bigsst.xls")
	_, chain, _ := cfbWorkbook(t, big)
	fat := int(binary.LittleEndian.Uint32(big[76:])+1) * 512
	for _, tc := range []struct {
		name string
		body []byte
		once []string // read exactly once
	}{
		// Damage that hides nothing: everything is read from the streams.
		{"cutoff not 4096", cfbPatch(small, 56, 4095), []string{"Chan Tai Man\t陳大文", "A123456(3)", "chan0@example.com"}},
		// A mini FAT loop near the end of the workbook: the sheet's start
		// is read from the stream, the rest of it (past the loop) only
		// from the raw bytes, once.
		{"mini FAT loop", cfbPatch(small, miniFAT+4*int(sChain[len(sChain)-3]), sChain[len(sChain)-4]), []string{"Chan Tai Man", "A123456(3)"}},
		// A FAT loop in a big workbook: the SST (the strings) is read
		// from the stream; the sectors past the loop only as raw bytes.
		{"FAT loop", cfbPatch(big, fat+4*int(chain[40]), chain[39]), []string{"A712710(6)", "客戶0001 陳丁"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := legacyRun(t, tc.body)
			check(t, res, want{texts: tc.once, problems: []ProblemKind{Malformed}})
			all := allText(res)
			for _, s := range tc.once {
				if n := strings.Count(all, s); n != 1 {
					t.Errorf("%q read %d times", s, n)
				}
			}
		})
	}
}

// buildDocTable makes a Word 97 document (WordDocument and 1Table in a
// compound file from the test writer) whose text is a paragraph and the
// table rows: each cell's text ends with a cell mark (0x07), each row with
// one more (the row-end mark: a paragraph of its own whose properties
// say fTtp, sprmPFTtp 0x2417). With papx false the document has no
// paragraph properties (no PlcBtePapx), as a damaged one may lack them.
func buildDocTable(t *testing.T, before string, rows [][]string, papx bool) []byte {
	t.Helper()
	le := binary.LittleEndian
	const textAt, fkpPage = 1024, 4
	text := before + "\r"
	ends := []int{len(text)} // paragraph ends (offsets past their last char)
	ttp := map[int]bool{}
	for _, row := range rows {
		for _, c := range row {
			text += c + "\x07"
			ends = append(ends, len(text))
		}
		text += "\x07"
		ends = append(ends, len(text))
		ttp[len(ends)-1] = true
	}
	text += "After the table\r"
	ends = append(ends, len(text))
	wd := make([]byte, (fkpPage+1)*512)
	le.PutUint16(wd[0:], 0xA5EC)
	le.PutUint16(wd[2:], 0x00C1)
	le.PutUint16(wd[0x0A:], 0x0200) // fWhichTblStm: 1Table
	le.PutUint16(wd[32:], 14)
	le.PutUint16(wd[62:], 22)
	le.PutUint32(wd[76:], uint32(len(text))) // ccpText
	le.PutUint16(wd[152:], 93)
	copy(wd[textAt:], text) // compressed (cp1252) text
	var table []byte
	// The CLX: one piece, all the text, compressed at textAt.
	table = append(table, 0x02)
	table = le.AppendUint32(table, 4*2+8)
	table = le.AppendUint32(table, 0)
	table = le.AppendUint32(table, uint32(len(text)))
	table = append(table, 0, 0)
	table = le.AppendUint32(table, 0x40000000|textAt*2)
	table = append(table, 0, 0)
	le.PutUint32(wd[418:], 0)
	le.PutUint32(wd[422:], uint32(len(table)))
	if papx {
		// One PAPX FKP page: rgfc (the paragraphs' bounds as stream
		// offsets), rgbx (13 bytes each: the word offset of the PAPX),
		// the PAPXs from the page's end downwards, crun in the last byte.
		fkp := wd[fkpPage*512 : (fkpPage+1)*512]
		crun := len(ends)
		le.PutUint32(fkp, textAt)
		for i, e := range ends {
			le.PutUint32(fkp[4+4*i:], uint32(textAt+e))
		}
		inTable := []byte{0x16, 0x24, 1}               // sprmPFInTable 1
		rowEnd := []byte{0x16, 0x24, 1, 0x17, 0x24, 1} // and sprmPFTtp 1
		// PAPX offsets are in words (even), byte 511 is crun.
		top := 510
		for i := range ends {
			var grpprl []byte
			switch {
			case i == 0 || i == len(ends)-1:
				continue // no properties: bOffset 0
			case ttp[i]:
				grpprl = rowEnd
			default:
				grpprl = inTable
			}
			// PapxInFkp: cb (GrpPrlAndIstd is 2*cb-1 bytes), istd, grpprl;
			// padded to an even length, at an even offset.
			body := append([]byte{0, 0}, grpprl...)
			if len(body)%2 == 0 {
				body = append(body, 0)
			}
			cb := (len(body) + 1) / 2
			papx := append([]byte{byte(cb)}, body...)
			top -= len(papx) + len(papx)%2
			copy(fkp[top:], papx)
			fkp[4*(crun+1)+13*i] = byte(top / 2)
		}
		if 4*(crun+1)+13*crun > top {
			t.Fatal("FKP page overflows")
		}
		fkp[511] = byte(crun)
		plc := len(table)
		table = le.AppendUint32(table, textAt)
		table = le.AppendUint32(table, uint32(textAt+len(text)))
		table = le.AppendUint32(table, fkpPage)
		le.PutUint32(wd[258:], uint32(plc))
		le.PutUint32(wd[262:], uint32(len(table)-plc))
	}
	return buildCFB(t, cfbStream("WordDocument", wd), cfbStream("1Table", table))
}

// TestLegacyDOCMatchesDOCX: a Word document reads exactly as the .docx
// LibreOffice saved from the same source: its tables (empty cells at a
// row's start, middle and end, a row of empty cells) as well.
func TestLegacyDOCMatchesDOCX(t *testing.T) {
	for _, name := range []string{"tables", "medical"} {
		t.Run(name, func(t *testing.T) {
			doc := legacyRun(t, legacyFixture(t, name+".doc"))
			docx := legacyRun(t, legacyFixture(t, name+".docx"))
			text := func(r *Result, origin string) string {
				for _, s := range r.Segments {
					if s.Origin == origin {
						return s.Text
					}
				}
				return ""
			}
			a, b := text(doc, "ole:f/WordDocument"), text(docx, "zip:f/word/document.xml")
			if a == "" || a != b {
				t.Errorf("the .doc reads\n%q\nthe .docx\n%q", clip(a), clip(b))
			}
		})
	}
	check(t, legacyRun(t, legacyFixture(t, "tables.doc")), want{texts: []string{
		"Chan Tai Man\t陳大文\tA123456(3)\t\t\n\t黃小明\tD345678(2)\tVIP\t\nLi Wei\t\t\t\t\n\t\t\t\t\nHo Mei Ling\t",
	}, clean: true})
}

// TestDocTableEmptyCell: an empty cell (a cell mark right after another)
// is a cell, not the end of the row: the row-end mark is the one whose
// paragraph properties say so. The rows read as the DOCX reader reads
// the same table.
func TestDocTableEmptyCell(t *testing.T) {
	rows := [][]string{{"Name", "HKID", "Note"}, {"Chan", "A123456(3)", ""}, {"Lee", "", "VIP"}, {"", "", "Wong"}}
	tableText := "Before\nName\tHKID\tNote\t\nChan\tA123456(3)\t\t\nLee\t\tVIP\t\n\t\tWong\t\n"
	res := legacyRun(t, buildDocTable(t, "Before", rows, true))
	check(t, res, want{clean: true})
	if len(res.Segments) != 1 || res.Segments[0].Text != tableText+"After the table\n" {
		t.Errorf("got %q\nwant %q", allText(res), tableText+"After the table\n")
	}
	docx := buildDOCX(t, []string{"Before"}, rows)
	dres := run(t, Input{Name: "a.docx", Body: bytes.NewReader(docx), Size: int64(len(docx))}, Limits{})
	if got := dres.Segments[0].Text; got != tableText {
		t.Errorf("the DOCX reads %q", got)
	}
	// Without paragraph properties the marks are all there is: a cell
	// mark right after another reads as the row's end (an empty cell
	// then splits its row, the text is all there still).
	res = legacyRun(t, buildDocTable(t, "Before", rows, false))
	check(t, res, want{texts: []string{"Name\tHKID\tNote\t\n", "Lee\t\nVIP"}, clean: true})
}
