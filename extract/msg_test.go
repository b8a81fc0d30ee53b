package extract

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// Outlook .msg files ([MS-OXMSG]) built with the test compound file
// writer (cfbwrite_test.go): a message is a storage of property streams
// __substg1.0_TTTTPPPP (TTTT the property id, PPPP its type: 001F
// UTF-16LE, 001E 8-bit in the message's code page, 0102 binary), a
// __properties_version1.0 stream holding the fixed-size properties and
// the sizes of the others, a __recip_version1.0_#N storage per recipient,
// a __attach_version1.0_#N storage per attachment (data in 37010102, or
// an embedded message in the storage __substg1.0_3701000D) and at the top
// a __nameid_version1.0 storage of named-property mappings.
//
// Checked outside the tests: msgconvert (Email::Outlook::Message 0.921,
// an independent .msg reader) turns testMsg's file into a mail with its
// subject, sender, recipient and SMTP address, body, the CSV, DOCX and
// .msg attachments byte for byte under their file names, and the
// embedded message as a message/rfc822 part.

// msgProp is one property: tag is id<<16 | type.
type msgProp struct {
	tag uint32
	val []byte
}

func msgStr(tag uint32, s string) msgProp {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return msgProp{tag, b}
}

func msgInt(tag uint32, v uint32) msgProp {
	return msgProp{tag, binary.LittleEndian.AppendUint32(nil, v)}
}

func msgBytes(tag uint32, b []byte) msgProp { return msgProp{tag, b} }

// msg8 is an 8-bit string (type 001E) in encoding e.
func msg8(t testing.TB, tag uint32, e encoding.Encoding, s string) msgProp {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return msgProp{tag, b}
}

type msgAttach struct {
	props    []msgProp
	embedded *msgSpec // an attached message (attach method 5)
}

type msgSpec struct {
	props   []msgProp
	recips  [][]msgProp
	attachs []msgAttach
}

// msgProps writes props as streams and the property stream whose header
// is headerLen bytes (32 for the top message, 24 for an embedded one, 8
// for a recipient or attachment).
func msgProps(props []msgProp, header []byte) []cfbItem {
	var items []cfbItem
	ps := header
	for _, p := range props {
		ps = binary.LittleEndian.AppendUint32(ps, p.tag)
		ps = binary.LittleEndian.AppendUint32(ps, 6) // readable, writable
		switch p.tag & 0xFFFF {
		case 0x001F, 0x001E, 0x0102, 0x000D:
			size := len(p.val)
			switch p.tag & 0xFFFF {
			case 0x001F:
				size += 2 // the size counts the terminating NUL
			case 0x001E:
				size++
			case 0x000D:
				size = 0xFFFFFFFF
			}
			ps = binary.LittleEndian.AppendUint32(ps, uint32(size))
			ps = binary.LittleEndian.AppendUint32(ps, 0)
			if p.tag&0xFFFF != 0x000D {
				items = append(items, cfbStream(fmt.Sprintf("__substg1.0_%08X", p.tag), p.val))
			}
		default:
			var v [8]byte
			copy(v[:], p.val)
			ps = append(ps, v[:]...)
		}
	}
	return append(items, cfbStream("__properties_version1.0", ps))
}

// msgItems lays a message out as compound file items; top says whether it
// is the file's message (else an embedded one).
func (m *msgSpec) items(top bool) []cfbItem {
	le := binary.LittleEndian
	header := make([]byte, 8)
	header = le.AppendUint32(header, uint32(len(m.recips)))  // next recipient id
	header = le.AppendUint32(header, uint32(len(m.attachs))) // next attachment id
	header = le.AppendUint32(header, uint32(len(m.recips)))
	header = le.AppendUint32(header, uint32(len(m.attachs)))
	if top {
		header = append(header, make([]byte, 8)...)
	}
	items := msgProps(m.props, header)
	for i, r := range m.recips {
		items = append(items, cfbStorage(fmt.Sprintf("__recip_version1.0_#%08X", i), msgProps(r, make([]byte, 8))...))
	}
	for i, a := range m.attachs {
		kids := msgProps(a.props, make([]byte, 8))
		if a.embedded != nil {
			kids = append(kids, cfbStorage("__substg1.0_3701000D", a.embedded.items(false)...))
		}
		items = append(items, cfbStorage(fmt.Sprintf("__attach_version1.0_#%08X", i), kids...))
	}
	if top {
		items = append(items, cfbStorage("__nameid_version1.0",
			cfbStream("__substg1.0_00020102", nil), // GUIDs
			cfbStream("__substg1.0_00030102", nil), // entries
			cfbStream("__substg1.0_00040102", nil), // names
		))
	}
	return items
}

func buildMsg(t testing.TB, m *msgSpec) []byte {
	t.Helper()
	return buildCFB(t, m.items(true)...)
}

const (
	msgSubject      = 0x0037001F
	msgBody         = 0x1000001F
	msgClass        = 0x001A001F
	msgSenderName   = 0x0C1A001F
	msgSenderSMTP   = 0x5D01001F
	msgDisplayTo    = 0x0E04001F
	msgCodepage     = 0x3FFD0003
	msgRecipName    = 0x3001001F
	msgRecipType    = 0x0C150003
	msgSMTPAddress  = 0x39FE001F
	msgAttachName   = 0x3707001F
	msgAttachShort  = 0x3704001F
	msgAttachMethod = 0x37050003
	msgAttachData   = 0x37010102
	msgAttachObject = 0x3701000D
)

// msgCustomers is a CSV of n customers with valid HKIDs.
func msgCustomers(n int) (string, []string) {
	var sb strings.Builder
	sb.WriteString("Name,HKID,Phone,Email\n")
	var ids []string
	for i := 0; i < n; i++ {
		id := hkid(string("ABCDEGHKMPRSTVY"[i%15]), fmt.Sprintf("%06d", (i*7919+13)%1000000))
		ids = append(ids, id)
		fmt.Fprintf(&sb, "Customer %03d,%s,9%07d,c%03d@example.com\n", i, id, i, i)
	}
	return sb.String(), ids
}

// testMsg is a message from Chan Tai Man to Wong Siu Ming with a CSV of
// customers (over the mini stream cutoff: in regular sectors), a DOCX, a
// forwarded message (embedded) and an older one (a .msg file) attached.
func testMsg(t testing.TB) ([]byte, []string) {
	csv, ids := msgCustomers(120)
	if len(csv) < 4096 {
		t.Fatalf("CSV of %d bytes would sit in the mini stream", len(csv))
	}
	docx := buildDOCX(t, []string{"Medical report 醫療報告", "Patient HKID " + hkid("K", "765432")}, nil)
	fwd := &msgSpec{
		props: []msgProp{
			msgStr(msgClass, "IPM.Note"),
			msgStr(msgSubject, "FW: 病歷 follow-up"),
			msgStr(msgBody, "Forwarded: patient 李小龍 HKID "+hkid("WX", "123456")+"\r\n"),
			msgStr(msgSenderName, "Dr Lee"),
		},
	}
	m := &msgSpec{
		props: []msgProp{
			msgStr(msgClass, "IPM.Note"),
			msgStr(msgSubject, "Customer list 客戶資料"),
			msgStr(msgBody, "Hi Siu Ming,\r\nThe list is attached. Mr Chan's HKID is "+hkid("A", "123456")+", call 9123 4567.\r\n"),
			msgStr(msgSenderName, "Chan Tai Man"),
			msgStr(msgSenderSMTP, "chan.taiman@example.com"),
			msgStr(msgDisplayTo, "Wong Siu Ming"),
			msgInt(msgCodepage, 65001),
		},
		recips: [][]msgProp{{
			msgStr(msgRecipName, "Wong Siu Ming"),
			msgStr(msgSMTPAddress, "wong.siuming@example.hk"),
			msgInt(msgRecipType, 1),
		}},
		attachs: []msgAttach{
			{props: []msgProp{msgStr(msgAttachName, "customers 2025.csv"), msgStr(msgAttachShort, "CUSTOM~1.CSV"), msgInt(msgAttachMethod, 1), msgBytes(msgAttachData, []byte(csv))}},
			{props: []msgProp{msgStr(msgAttachName, "report.docx"), msgInt(msgAttachMethod, 1), msgBytes(msgAttachData, docx)}},
			{props: []msgProp{msgStr(0x3001001F, "FW: 病歷 follow-up"), msgInt(msgAttachMethod, 5), {tag: msgAttachObject}}, embedded: fwd},
			// A message attached as a .msg file (by value), as some
			// clients do it.
			{props: []msgProp{msgStr(msgAttachName, "older.msg"), msgInt(msgAttachMethod, 1), msgBytes(msgAttachData, buildMsg(t, &msgSpec{props: []msgProp{
				msgStr(msgSubject, "Older thread"), msgStr(msgBody, "Earlier: HKID "+hkid("C", "668668")+"\r\n"),
			}}))}},
		},
	}
	return buildMsg(t, m), ids
}

func TestMsgParses(t *testing.T) {
	b, _ := testMsg(t)
	f, err := parseCFB(b, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"__substg1.0_0037001F", "__recip_version1.0_#00000000/__substg1.0_39FE001F", "__attach_version1.0_#00000000/__substg1.0_37010102", "__attach_version1.0_#00000002/__substg1.0_3701000D/__substg1.0_1000001F", "__nameid_version1.0/__substg1.0_00040102"} {
		if f.find(p) < 0 {
			t.Errorf("%s not found", p)
		}
	}
	for i := range f.entries {
		if f.entries[i].typ == 2 {
			f.stream(i)
		}
	}
	if len(f.damage) > 0 {
		t.Errorf("damage: %v", f.damage)
	}
	cfbCheckTree(t, b)
}

func TestMsgExtract(t *testing.T) {
	b, ids := testMsg(t)
	res := run(t, Input{Name: "mail.msg", Body: strings.NewReader(string(b)), Size: int64(len(b))}, Limits{})
	att := "ole:mail.msg/__attach_version1.0_#00000000/customers 2025.csv"
	check(t, res, want{
		texts: []string{
			"Customer list 客戶資料", "Mr Chan's HKID is " + hkid("A", "123456"), "Chan Tai Man", "chan.taiman@example.com",
			"Wong Siu Ming", "wong.siuming@example.hk", "customers 2025.csv", "report.docx",
			"Customer 000," + ids[0] + ",90000000,c000@example.com\n", "Customer 119," + ids[119] + ",",
			"Patient HKID " + hkid("K", "765432"),
			"FW: 病歷 follow-up", "patient 李小龍 HKID " + hkid("WX", "123456"),
			"Earlier: HKID " + hkid("C", "668668"),
		},
		origins: []string{
			"ole:mail.msg/__substg1.0_1000001F",
			"ole:mail.msg/__recip_version1.0_#00000000/__substg1.0_39FE001F",
			"ole:mail.msg/__attach_version1.0_#00000000/__substg1.0_3707001F",
			att,
			"ole:mail.msg/__attach_version1.0_#00000001/report.docx/word/document.xml",
			"ole:mail.msg/__attach_version1.0_#00000002/__substg1.0_3701000D/__substg1.0_1000001F",
			"ole:mail.msg/__attach_version1.0_#00000003/older.msg/__substg1.0_1000001F",
		},
		clean: true,
	})
	// The CSV is read once, as the file it is, not also as strings.
	if n := strings.Count(allText(res), ids[7]); n != 1 {
		t.Errorf("HKID %s read %d times", ids[7], n)
	}
	for _, s := range res.Segments {
		if strings.Contains(s.Text, ids[0]) && s.Origin != att {
			t.Errorf("CSV text at %s, want %s", s.Origin, att)
		}
	}
}

// TestMsg8Bit: 8-bit string properties (001E) are read in the message's
// code page (PR_MESSAGE_CODEPAGE in the property stream) and, without
// one, by the Big5/GBK guess used for other undeclared text. The guess
// needs enough text: a name as short as 陳小姐 in Big5 reads as
// Windows-1252 without the code page (the last case shows it).
func TestMsg8Bit(t *testing.T) {
	big5, gbk := traditionalchinese.Big5, simplifiedchinese.GBK
	subjT, bodyT := "客戶資料 機密", "陳大文先生的身份證號碼是 "+hkid("A", "123456")+"，請勿外傳。\r\n"
	subjS, bodyS := "客户资料 机密", "陈大文先生的身份证号码是 "+hkid("A", "123456")+"，请勿外传。\r\n"
	for _, tc := range []struct {
		name               string
		e                  encoding.Encoding
		cp                 uint32 // 0: none in the file
		subj, body, sender string
		absent             string
	}{
		{"big5 cp950", big5, 950, subjT, bodyT, "陳小姐", ""},
		{"gbk cp936", gbk, 936, subjS, bodyS, "陈小姐", ""},
		{"big5 guessed", big5, 0, subjT, bodyT, "陳大文", ""},
		{"gbk guessed", gbk, 0, subjS, bodyS, "陈大文", ""},
		{"big5 short name guessed wrong", big5, 0, subjT, bodyT, "", "陳小姐"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sender := tc.sender + tc.absent
			m := &msgSpec{props: []msgProp{
				msg8(t, 0x001A001E, tc.e, "IPM.Note"),
				msg8(t, 0x0037001E, tc.e, tc.subj),
				msg8(t, 0x1000001E, tc.e, tc.body),
				msg8(t, 0x0C1A001E, tc.e, sender),
			}}
			if tc.cp != 0 {
				m.props = append(m.props, msgInt(msgCodepage, tc.cp))
			}
			b := buildMsg(t, m)
			res := legacyRun(t, b)
			w := want{texts: []string{tc.subj, tc.body}, clean: true}
			if tc.sender != "" {
				w.texts = append(w.texts, tc.sender+"\n")
			}
			if tc.absent != "" {
				w.absent = []string{tc.absent}
			}
			check(t, res, w)
		})
	}
	// An embedded message's own code page (its property stream has the
	// 24-byte header) applies to its strings, not the outer one's.
	inner := &msgSpec{props: []msgProp{msg8(t, 0x0C1A001E, gbk, "陈小姐"), msgInt(msgCodepage, 936)}}
	outer := &msgSpec{
		props:   []msgProp{msg8(t, 0x0C1A001E, big5, "陳小姐"), msgInt(msgCodepage, 950)},
		attachs: []msgAttach{{props: []msgProp{msgInt(msgAttachMethod, 5), {tag: msgAttachObject}}, embedded: inner}},
	}
	check(t, legacyRun(t, buildMsg(t, outer)), want{texts: []string{"陳小姐\n", "陈小姐\n"}, clean: true})
}

// TestMsgHTMLBody: a body kept only as HTML bytes (PR_BODY_HTML,
// 10130102) is read as HTML: its text, not its tags.
func TestMsgHTMLBody(t *testing.T) {
	html := `<html><head><meta charset="utf-8"><style>p{color:red}</style></head><body><p>客戶 <b>Chan Tai Man</b>, HKID ` + hkid("A", "123456") + `</p></body></html>`
	m := &msgSpec{props: []msgProp{msgStr(msgSubject, "html only"), msgBytes(0x10130102, []byte(html))}}
	res := legacyRun(t, buildMsg(t, m))
	check(t, res, want{texts: []string{"客戶 Chan Tai Man, HKID " + hkid("A", "123456")}, absent: []string{"<b>", "color:red"}, clean: true})
}

// TestMsgTruncated cuts the test message at many offsets and flips bytes
// in its directory and property streams: never a panic (run re-panics),
// always Malformed for a cut (before the last sector: a cut there may
// take only the slack after the last stream's end).
func TestMsgTruncated(t *testing.T) {
	b, _ := testMsg(t)
	step := max(len(b)/67, 1)
	for cut := step; cut < len(b)-512; cut += step {
		res := legacyRun(t, b[:cut])
		if !hasKind(res, Malformed) {
			t.Errorf("cut at %d of %d: no Malformed problem (%+v)", cut, len(b), res.Problems)
		}
	}
	for off := 512; off < len(b); off += 97 {
		c := []byte(string(b))
		c[off] ^= 0xA5
		for _, p := range legacyRun(t, c).Problems {
			if strings.Contains(p.Reason, "internal error") {
				t.Errorf("byte %d flipped: %s", off, p.Reason)
			}
		}
	}
}

// lzfuLiterals compresses rtf as LZFu ([MS-OXRTFCP]) with literals only,
// then the end reference (to the dictionary's write position).
func lzfuLiterals(rtf string) []byte {
	var body []byte
	for i := 0; i < len(rtf); i += 8 {
		chunk := rtf[i:min(i+8, len(rtf))]
		ctrl := byte(0)
		if len(chunk) < 8 {
			ctrl = 1 << len(chunk) // the end reference follows the literals
		}
		body = append(body, ctrl)
		body = append(body, chunk...)
	}
	if len(rtf)%8 == 0 {
		body = append(body, 1)
	}
	end := (len(rtfPrebuf) + len(rtf)) % 4096
	body = append(body, byte(end>>4), byte(end<<4))
	return lzfuHeader(body, len(rtf), "LZFu")
}

func lzfuHeader(body []byte, raw int, typ string) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, uint32(len(body)+12))
	b = le.AppendUint32(b, uint32(raw))
	b = append(b, typ...)
	b = le.AppendUint32(b, 0) // CRC (not checked)
	return append(b, body...)
}

func TestRTFDecompress(t *testing.T) {
	// References into the primed dictionary and into the output itself:
	// control 0x41 (a reference, five literals, a reference, a literal);
	// "{\rtf1" is the prebuf's first 6 bytes (offset 0, length 6: 0x0004);
	// the 16 bytes from offset 214 (where " WXYZ" starts at 207+6 plus
	// one) repeat "WXYZ" as they are written (0x0D6E); then control 0x01
	// and the end reference to the write position 235 (0x0EB0).
	comp := lzfuHeader([]byte("\x41\x00\x04 WXYZ\x0d\x6e}\x01\x0e\xb0"), 28, "LZFu")
	out, whole, capped, ok := rtfDecompress(comp, 1<<20)
	if got := string(out); got != `{\rtf1 WXYZWXYZWXYZWXYZWXYZ}` || !whole || capped || !ok {
		t.Errorf("got %q whole=%v capped=%v ok=%v", got, whole, capped, ok)
	}
	rtf := `{\rtf1\ansi\ansicpg1252 Customer Chan Tai Man, HKID A123456(3)\par }`
	for _, tc := range []struct {
		name    string
		b       []byte
		limit   int64
		want    string
		whole   bool
		capped  bool
		wantsOK bool
	}{
		{"literals", lzfuLiterals(rtf), 1 << 20, rtf, true, false, true},
		{"stored", lzfuHeader([]byte(rtf), len(rtf), "MELA"), 1 << 20, rtf, true, false, true},
		{"cut", lzfuLiterals(rtf)[:40], 1 << 20, rtf[:21], false, false, true},
		{"limit", lzfuLiterals(rtf), 10, rtf[:10], false, true, true},
		{"unknown type", lzfuHeader([]byte(rtf), len(rtf), "ABCD"), 1 << 20, "", false, false, false},
	} {
		out, whole, capped, ok := rtfDecompress(tc.b, tc.limit)
		if string(out) != tc.want || whole != tc.whole || capped != tc.capped || ok != tc.wantsOK {
			t.Errorf("%s: got %q whole=%v capped=%v ok=%v", tc.name, out, whole, capped, ok)
		}
	}
}

// TestMsgRTFBody: a body kept only as compressed RTF (PR_RTF_COMPRESSED,
// 10090102), as Outlook saves a rich-text message, is decompressed and
// read as RTF.
func TestMsgRTFBody(t *testing.T) {
	rtf := `{\rtf1\ansi\ansicpg950\deff0{\fonttbl{\f0\fnil PMingLiU;}}\f0 Customer list: Chan Tai Man HKID ` + hkid("A", "123456") + `\par \'ab\'c8\'a4\'e1 \u38515?\u22823?\u25991?\par }`
	m := &msgSpec{props: []msgProp{msgStr(msgSubject, "rtf only"), msgBytes(0x10090102, lzfuLiterals(rtf))}}
	res := legacyRun(t, buildMsg(t, m))
	check(t, res, want{
		texts:   []string{"Customer list: Chan Tai Man HKID " + hkid("A", "123456"), "客戶 陳大文"},
		absent:  []string{`\par`, "fonttbl"},
		origins: []string{"ole:f/__substg1.0_10090102"},
		clean:   true,
	})
	comp := lzfuLiterals(rtf)
	cut := buildMsg(t, &msgSpec{props: []msgProp{msgBytes(0x10090102, comp[:len(comp)-40])}})
	check(t, legacyRun(t, cut), want{texts: []string{"Customer list"}, problems: []ProblemKind{Malformed}})
}

// TestMsgFixture: testdata/legacy/message.msg is testMsg's file (for the
// inspect tests, which cannot build it). DLPGATE_UPDATE_FIXTURES=1
// rewrites it.
func TestMsgFixture(t *testing.T) {
	b, _ := testMsg(t)
	path := filepath.Join("testdata", "legacy", "message.msg")
	if os.Getenv("DLPGATE_UPDATE_FIXTURES") == "1" {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(legacyFixture(t, "message.msg"), b) {
		t.Errorf("%s is not testMsg's file: rewrite it with DLPGATE_UPDATE_FIXTURES=1", path)
	}
}
