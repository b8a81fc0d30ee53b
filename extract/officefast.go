package extract

import "bytes"

// Fast paths of the worksheet reader (office.go): a spreadsheet is mostly
// cells of one of two plain shapes, <c r="B7" s="1"><v>42</v></c> and
// <c r="B7" t="inlineStr"><is><t>text</t></is></c>, and reading them
// token by token cost several times the inflating. The reader takes such
// a cell's value and end at once, with exactly the effect of the tokens;
// any other shape goes token by token. The frozen token-by-token reader is
// refSheetTextTo (officeref_test.go); TestOfficeFastMatchesRef and
// FuzzOfficeEquivalence hold the two equal.

var (
	cellV     = []byte("<v>")
	cellVEnd  = []byte("</v></c>")
	cellIS    = []byte("<is><t>")
	cellISEnd = []byte("</t></is></c>")
	itemT     = []byte("<t>")
	itemTEnd  = []byte("</t></si>")
)

// plainSlack: next reads more input when fewer bytes than this follow a '<'.
const plainSlack = 9

// cellBody reads the rest of a cell whose start tag was just read, when it
// is <v>raw</v></c> or <is><t>raw</t></is></c> with raw free of markup; ok
// false leaves the scanner where it was. The whole shape and the bytes next
// would want after its last '<' must be in the buffer already, so the
// member is read at the same points as token by token.
func (s *xmlScanner) cellBody() (raw []byte, inline, ok bool) {
	b := s.buf[s.pos:s.end]
	var open int
	var end []byte
	switch {
	case bytes.HasPrefix(b, cellV):
		open, end = len(cellV), cellVEnd
	case bytes.HasPrefix(b, cellIS):
		open, end, inline = len(cellIS), cellISEnd, true
	default:
		return nil, false, false
	}
	i := bytes.IndexByte(b[open:], '<')
	if i < 0 {
		return nil, false, false
	}
	stop := open + i
	if len(b) < stop+len(end)+plainSlack || !bytes.Equal(b[stop:stop+len(end)], end) {
		return nil, false, false
	}
	s.pos += stop + len(end)
	return b[open:stop], inline, true
}

// plainItem reads the rest of a shared string whose <si> was just read,
// when it is <t>raw</t></si> with raw free of markup (cellBody's rules).
func (s *xmlScanner) plainItem() (raw []byte, ok bool) {
	b := s.buf[s.pos:s.end]
	if !bytes.HasPrefix(b, itemT) {
		return nil, false
	}
	i := bytes.IndexByte(b[len(itemT):], '<')
	if i < 0 {
		return nil, false
	}
	stop := len(itemT) + i
	if len(b) < stop+len(itemTEnd)+plainSlack || !bytes.Equal(b[stop:stop+len(itemTEnd)], itemTEnd) {
		return nil, false
	}
	s.pos += stop + len(itemTEnd)
	return b[len(itemT):stop], true
}

// plainRun reads the rest of a text run whose <t> (<w:t>, <a:t>, any
// attributes) was just read, when it is raw</p:t> with raw free of markup
// and an end tag of local name t (cellBody's rules).
func (s *xmlScanner) plainRun() (raw []byte, ok bool) {
	b := s.buf[s.pos:s.end]
	stop := bytes.IndexByte(b, '<')
	if stop < 0 || stop+2 >= len(b) || b[stop+1] != '/' {
		return nil, false
	}
	i, colon := stop+2, -1
	for i < len(b) && nameByte[b[i]] {
		if b[i] == ':' && colon < 0 {
			colon = i
		}
		i++
	}
	local := stop + 2
	if colon >= 0 {
		local = colon + 1
	}
	if i >= len(b) || b[i] != '>' || i-local != 1 || b[local] != 't' || len(b) < i+1+plainSlack {
		return nil, false
	}
	s.pos += i + 1
	return b[:stop], true
}

// cellAttrs is rawAttrs3("s", "t", "r") with the names compared as single
// bytes: the same walk over the attributes, the first of each name wins.
func cellAttrs(a []byte) (vs, vt, vr []byte, okS, okT, okR bool) {
	// set keeps the first value of each name.
	set := func(key byte, val []byte) {
		switch key {
		case 's':
			if !okS {
				vs, okS = val, true
			}
		case 't':
			if !okT {
				vt, okT = val, true
			}
		case 'r':
			if !okR {
				vr, okR = val, true
			}
		}
	}
	for len(a) > 0 {
		// The shape Excel writes, ` k="v"` with a one-letter key: what the
		// general walk below finds for it, without its searches.
		if len(a) >= 5 && a[0] == ' ' && a[2] == '=' && a[3] == '"' && nameByte[a[1]] && a[1] != ':' {
			end := -1
			for j := 4; j < len(a) && j < 24; j++ {
				if a[j] == '"' {
					end = j
					break
				}
			}
			if end > 0 {
				set(a[1], a[4:end])
				a = a[end+1:]
				continue
			}
		}
		for len(a) > 0 && isXMLSpace(a[0]) {
			a = a[1:]
		}
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return
		}
		key := a[:eq]
		for len(key) > 0 && isXMLSpace(key[len(key)-1]) {
			key = key[:len(key)-1]
		}
		if c := bytes.IndexByte(key, ':'); c >= 0 {
			key = key[c+1:]
		}
		a = a[eq+1:]
		for len(a) > 0 && isXMLSpace(a[0]) {
			a = a[1:]
		}
		if len(a) == 0 || a[0] != '"' && a[0] != '\'' {
			return
		}
		end := bytes.IndexByte(a[1:], a[0])
		if end < 0 {
			return
		}
		val := a[1 : 1+end]
		a = a[2+end:]
		if len(key) == 1 {
			set(key[0], val)
		}
	}
	return
}

// columnIndexBytes is columnIndex of a reference still in the buffer.
func columnIndexBytes(ref []byte) int {
	c := 0
	for i := 0; i < len(ref) && i < 4; i++ {
		ch := ref[i]
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		if ch < 'A' || ch > 'Z' {
			break
		}
		c = c*26 + int(ch-'A'+1)
	}
	return c
}
