package extract

import (
	"bytes"
	"encoding/binary"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// Outlook .msg files ([MS-OXMSG]) are compound files (cfb.go) read by
// otherStreams (ole.go): what is here knows their layout. A message is a
// storage of property streams __substg1.0_TTTTPPPP (TTTT the property
// id, PPPP its type), with recipient (__recip_version1.0_#N) and
// attachment (__attach_version1.0_#N) storages and its fixed-size
// properties in __properties_version1.0.

// msgProperty decodes an Outlook .msg property stream
// (__substg1.0_TTTTPPPP: PPPP 001F is UTF-16LE, 001E 8-bit in the
// message's code page e, guessed from the bytes when e is nil).
func msgProperty(name string, s []byte, e encoding.Encoding) (string, bool) {
	if !strings.HasPrefix(name, "__substg1.0_") || len(name) != len("__substg1.0_")+8 {
		return "", false
	}
	switch strings.ToUpper(name[len(name)-4:]) {
	case "001F":
		return utf16LEString(s), true
	case "001E":
		b := bytes.TrimRight(s, "\x00")
		if e != nil {
			return decodeWith(e, b), true
		}
		text, _ := decodeText(b, "")
		return text, true
	}
	return "", false
}

// msgLayout is what otherStreams needs of an Outlook message's storages
// ([MS-OXMSG]): which stream is an attachment's data and under what file
// name, and each message's code page. A message is the root or an
// embedded message's storage (__substg1.0_3701000D inside an attachment
// storage); its attachments are __attach_version1.0_#N storages, its
// fixed-size properties in its __properties_version1.0 stream. A file
// that is no message has no such streams and none of this applies.
type msgLayout struct {
	f     *cfbFile
	kids  map[int][]int // storage → its entries, for messages only
	cache map[int]encoding.Encoding
}

func newMsgLayout(f *cfbFile) *msgLayout {
	m := &msgLayout{f: f}
	for i, e := range f.entries {
		if i > 0 && e.typ != 0 && e.parent >= 0 && strings.HasPrefix(e.name, "__") {
			if m.kids == nil {
				m.kids, m.cache = map[int][]int{}, map[int]encoding.Encoding{}
			}
			m.kids[e.parent] = append(m.kids[e.parent], i)
		}
	}
	return m
}

// stream returns the child stream of storage dir called name.
func (m *msgLayout) stream(dir int, name string) ([]byte, bool) {
	for _, k := range m.kids[dir] {
		if e := m.f.entries[k]; e.typ == 2 && equalFoldASCII(e.name, name) {
			return m.f.stream(k), true
		}
	}
	return nil, false
}

// attachment reports whether entry i is an attachment's data
// (37010102 in an attachment storage) and returns the attachment's file
// name: the long one (3707), the short one (3704) or its display name
// (3001), "" when it has none.
func (m *msgLayout) attachment(i int) (string, bool) {
	e := m.f.entries[i]
	if m.kids == nil || e.parent <= 0 || !equalFoldASCII(e.name, "__substg1.0_37010102") ||
		!strings.HasPrefix(strings.ToLower(m.f.entries[e.parent].name), "__attach_version1.0_#") {
		return "", false
	}
	for _, id := range []string{"3707", "3704", "3001"} {
		for _, typ := range []string{"001F", "001E"} {
			name := "__substg1.0_" + id + typ
			if s, ok := m.stream(e.parent, name); ok {
				if text, _ := msgProperty(name, s, m.encoding(e.parent)); strings.TrimSpace(text) != "" {
					return strings.TrimSpace(text), true
				}
			}
		}
	}
	return "", true
}

// htmlBody reports whether entry i is a message's HTML body stored as
// bytes (10130102).
func (m *msgLayout) htmlBody(i int) bool {
	return m.kids != nil && equalFoldASCII(m.f.entries[i].name, "__substg1.0_10130102")
}

// message returns the message entry i belongs to: the nearest storage
// above it that is an embedded message, else the root.
func (m *msgLayout) message(i int) int {
	for p := m.f.entries[i].parent; p > 0; p = m.f.entries[p].parent {
		if equalFoldASCII(m.f.entries[p].name, "__substg1.0_3701000D") {
			return p
		}
	}
	return 0
}

// encoding is the code page of the 8-bit strings of entry i's message:
// PR_MESSAGE_CODEPAGE (3FFD0003), else PR_INTERNET_CPID (3FDE0003), from
// the message's property stream (a 32-byte header at the top, 24 in an
// embedded message, then 16-byte entries: tag, flags, value). nil when
// neither is there or the code page is not one known here: the bytes are
// then guessed as other undeclared text is.
func (m *msgLayout) encoding(i int) encoding.Encoding {
	if m.kids == nil {
		return nil
	}
	msg := m.message(i)
	if e, ok := m.cache[msg]; ok {
		return e
	}
	var enc encoding.Encoding
	if ps, ok := m.stream(msg, "__properties_version1.0"); ok {
		header := 32
		if msg > 0 {
			header = 24
		}
		cps := map[uint32]int{}
		for p := header; p+16 <= len(ps); p += 16 {
			tag := binary.LittleEndian.Uint32(ps[p:])
			if tag == 0x3FFD0003 || tag == 0x3FDE0003 {
				cps[tag] = int(binary.LittleEndian.Uint32(ps[p+8:]))
			}
		}
		if enc = msgEncoding(cps[0x3FFD0003]); enc == nil {
			enc = msgEncoding(cps[0x3FDE0003])
		}
	}
	m.cache[msg] = enc
	return enc
}

// internal reports whether entry i is one of a message's own binary
// streams: its property stream or the named-property mappings.
func (m *msgLayout) internal(i int) bool {
	if m.kids == nil {
		return false
	}
	e := m.f.entries[i]
	if equalFoldASCII(e.name, "__properties_version1.0") {
		return true
	}
	for p := e.parent; p > 0; p = m.f.entries[p].parent {
		if equalFoldASCII(m.f.entries[p].name, "__nameid_version1.0") {
			return true
		}
	}
	return false
}

// msgEncoding maps a message's code page to its encoding, nil for none
// or one not known here.
func msgEncoding(cp int) encoding.Encoding {
	switch cp {
	case 950, 936, 54936, 65001, 1250, 1251, 1252, 437, 10000:
		return codepageEncoding(cp)
	case 20127, 28591:
		return charmap.Windows1252
	}
	return nil
}

// rtfBody reports whether entry i is a message's compressed RTF body
// (PR_RTF_COMPRESSED, 10090102).
func (m *msgLayout) rtfBody(i int) bool {
	return m.kids != nil && equalFoldASCII(m.f.entries[i].name, "__substg1.0_10090102")
}

// rtfPrebuf primes the dictionary of compressed RTF ([MS-OXRTFCP] 2.1.2.1).
const rtfPrebuf = "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"

// rtfDecompress returns the RTF of a compressed RTF stream ([MS-OXRTFCP]):
// a 16-byte header (compressed size, raw size, "LZFu" or "MELA" for
// stored, CRC), then for LZFu control bytes whose bits, low first, each
// say a literal byte (0) or a 2-byte big-endian reference (1): 12 bits of
// offset into a 4096-byte circular dictionary primed with rtfPrebuf and 4
// bits of length less 2; a reference to the dictionary's write position
// ends the data. The output is bounded by the raw size and by limit
// (capped says limit cut it); whole is false when the data ends before
// its end reference or raw size. ok is false for a stream of neither
// kind. The CRC is not checked: a wrong one still has text to read.
func rtfDecompress(b []byte, limit int64) (out []byte, whole, capped, ok bool) {
	le := binary.LittleEndian
	if len(b) < 16 {
		return nil, false, false, false
	}
	raw := int64(le.Uint32(b[4:]))
	size := min(raw, limit)
	capped = raw > limit
	data := b[16:]
	switch string(b[8:12]) {
	case "MELA":
		n := min(int64(len(data)), size)
		return bytes.Clone(data[:n]), n == raw, capped, true
	case "LZFu":
	default:
		return nil, false, false, false
	}
	var dict [4096]byte
	copy(dict[:], rtfPrebuf)
	wp := len(rtfPrebuf)
	out = make([]byte, 0, min(size, 16*int64(len(data))))
	p := 0
	for p < len(data) {
		ctrl := data[p]
		p++
		for bit := 0; bit < 8; bit++ {
			if int64(len(out)) >= size {
				return out, !capped, capped, true
			}
			if p >= len(data) {
				return out, false, capped, true
			}
			if ctrl&(1<<bit) == 0 {
				c := data[p]
				p++
				out = append(out, c)
				dict[wp] = c
				wp = (wp + 1) % len(dict)
				continue
			}
			if p+2 > len(data) {
				return out, false, capped, true
			}
			ref := int(data[p])<<8 | int(data[p+1])
			p += 2
			off, n := ref>>4, ref&0xF+2
			if off == wp {
				return out, int64(len(out)) == raw, capped, true
			}
			for k := 0; k < n && int64(len(out)) < size; k++ {
				c := dict[(off+k)%len(dict)]
				out = append(out, c)
				dict[wp] = c
				wp = (wp + 1) % len(dict)
			}
		}
	}
	return out, false, capped, true
}
