package extract

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// A compound file writer for tests ([MS-CFB] version 3, 512-byte
// sectors): header, FAT, directory whose siblings form a balanced binary
// tree coloured as a valid red-black tree, storages and streams, and the
// mini stream (64-byte sectors in the root entry's stream, with its own
// mini FAT) for every stream smaller than the 4096-byte cutoff, as the
// spec requires. It has no DIFAT sectors, so files are limited to what
// 109 FAT sectors address (about 7 MB), plenty for tests.
//
// Checked outside the tests (neither tool is needed by them): the test
// .msg and the fixtures rewritten by TestCFBWriterRoundTrip open in
// olefile 0.46 with raise_defects=DEFECT_INCORRECT (every stream read),
// and LibreOffice 7.4.7 converts the rewritten .doc and .xls to the text
// and CSV of the originals.

// cfbItem is a stream (data set, dir false) or a storage (kids).
type cfbItem struct {
	name string
	data []byte
	dir  bool
	kids []cfbItem
}

func cfbStream(name string, data []byte) cfbItem { return cfbItem{name: name, data: data} }

func cfbStorage(name string, kids ...cfbItem) cfbItem {
	return cfbItem{name: name, dir: true, kids: kids}
}

const (
	cfbwSect     = 512
	cfbwMini     = 64
	cfbwCutoff   = 4096
	cfbwFATSect  = 0xFFFFFFFD
	cfbwBlack    = 1
	cfbwRed      = 0
	cfbwPerSect  = cfbwSect / 4
	cfbwEntryLen = 128
)

// cfbCompare orders sibling names as [MS-CFB] 2.6.4 says: shorter first,
// then by the upper-cased UTF-16 code units.
func cfbCompare(a, b string) int {
	ua, ub := utf16.Encode([]rune(strings.ToUpper(a))), utf16.Encode([]rune(strings.ToUpper(b)))
	if len(ua) != len(ub) {
		return len(ua) - len(ub)
	}
	return slices.Compare(ua, ub)
}

type cfbwEntry struct {
	item               *cfbItem
	typ                byte
	color              byte
	left, right, child uint32
	start              uint32
	size               uint64
}

// buildCFB writes a compound file whose root storage holds items.
func buildCFB(t testing.TB, items ...cfbItem) []byte {
	t.Helper()
	root := cfbItem{name: "Root Entry", dir: true, kids: items}
	var entries []cfbwEntry
	var add func(it *cfbItem, typ byte) uint32
	add = func(it *cfbItem, typ byte) uint32 {
		if n := len(utf16.Encode([]rune(it.name))); n > 31 || n == 0 {
			t.Fatalf("cfb name %q: %d UTF-16 units, want 1 to 31", it.name, n)
		}
		idx := uint32(len(entries))
		entries = append(entries, cfbwEntry{item: it, typ: typ, left: cfbNoStream, right: cfbNoStream, child: cfbNoStream})
		if !it.dir {
			return idx
		}
		kids := make([]*cfbItem, len(it.kids))
		for i := range it.kids {
			kids[i] = &it.kids[i]
		}
		slices.SortFunc(kids, func(a, b *cfbItem) int { return cfbCompare(a.name, b.name) })
		for i := 1; i < len(kids); i++ {
			if cfbCompare(kids[i-1].name, kids[i].name) == 0 {
				t.Fatalf("cfb storage %q: two children named %q", it.name, kids[i].name)
			}
		}
		ids := make([]uint32, len(kids))
		for i, k := range kids {
			typ := byte(2)
			if k.dir {
				typ = 1
			}
			ids[i] = add(k, typ)
		}
		// A balanced tree by midpoints: every leaf is at depth d or d-1,
		// so all nodes black except those at depth d (when the tree is
		// not perfect) keeps every path's black count equal and no red
		// node's parent red.
		d := 0
		for 1<<(d+1)-1 < len(kids) {
			d++
		}
		perfect := len(kids) == 1<<(d+1)-1
		var tree func(lo, hi, depth int) uint32
		tree = func(lo, hi, depth int) uint32 {
			if lo >= hi {
				return cfbNoStream
			}
			mid := (lo + hi) / 2
			e := &entries[ids[mid]]
			e.color = cfbwBlack
			if depth == d && !perfect {
				e.color = cfbwRed
			}
			e.left = tree(lo, mid, depth+1)
			e.right = tree(mid+1, hi, depth+1)
			return ids[mid]
		}
		entries[idx].child = tree(0, len(kids), 0)
		return idx
	}
	add(&root, 5)
	entries[0].color = cfbwBlack

	// The mini stream: small streams packed in 64-byte mini sectors.
	var mini []byte
	var miniFAT []uint32
	var big []*cfbwEntry
	for i := range entries {
		e := &entries[i]
		if e.typ != 2 {
			continue
		}
		e.size = uint64(len(e.item.data))
		switch {
		case e.size == 0:
			e.start = cfbEndOfChain
		case e.size < cfbwCutoff:
			e.start = uint32(len(miniFAT))
			n := (len(e.item.data) + cfbwMini - 1) / cfbwMini
			for k := 0; k < n; k++ {
				miniFAT = append(miniFAT, uint32(len(miniFAT)+1))
			}
			miniFAT[len(miniFAT)-1] = cfbEndOfChain
			mini = append(mini, e.item.data...)
			mini = append(mini, make([]byte, n*cfbwMini-len(e.item.data))...)
		default:
			big = append(big, e)
		}
	}
	sectorsOf := func(n int) int { return (n + cfbwSect - 1) / cfbwSect }
	nDir := sectorsOf(len(entries) * cfbwEntryLen)
	nMiniFAT := sectorsOf(4 * len(miniFAT))
	nMini := sectorsOf(len(mini))
	nData := nDir + nMiniFAT + nMini
	for _, e := range big {
		nData += sectorsOf(int(e.size))
	}
	nFAT := 1
	for (nFAT+nData+cfbwPerSect-1)/cfbwPerSect > nFAT {
		nFAT++
	}
	if nFAT > 109 {
		t.Fatalf("cfb writer: %d FAT sectors need a DIFAT", nFAT)
	}
	total := nFAT + nData
	fat := make([]uint32, nFAT*cfbwPerSect)
	for i := range fat {
		fat[i] = cfbFreeSect
	}
	for i := 0; i < nFAT; i++ {
		fat[i] = cfbwFATSect
	}
	next := uint32(nFAT)
	body := make([]byte, 0, total*cfbwSect)
	// place appends data in fresh sectors chained in the FAT and returns
	// the first sector (ENDOFCHAIN for nothing).
	place := func(data []byte) uint32 {
		n := sectorsOf(len(data))
		if n == 0 {
			return cfbEndOfChain
		}
		start := next
		for k := 0; k < n; k++ {
			fat[next] = next + 1
			next++
		}
		fat[next-1] = cfbEndOfChain
		body = append(body, data...)
		body = append(body, make([]byte, n*cfbwSect-len(data))...)
		return start
	}
	le := binary.LittleEndian
	// Directory sectors come first after the FAT, so their position is
	// known before the entries (which name the data's sectors) are
	// written: reserve them now, fill them in at the end.
	dirStart := place(make([]byte, nDir*cfbwSect))
	var mf []byte
	for _, v := range miniFAT {
		mf = le.AppendUint32(mf, v)
	}
	for len(mf)%cfbwSect != 0 {
		mf = le.AppendUint32(mf, cfbFreeSect)
	}
	miniFATStart := place(mf)
	entries[0].start = place(mini)
	entries[0].size = uint64(len(mini))
	if len(mini) == 0 {
		entries[0].start = cfbEndOfChain
	}
	for _, e := range big {
		e.start = place(e.item.data)
	}
	if int(next) != total {
		t.Fatalf("cfb writer: placed %d sectors, planned %d", next, total)
	}
	dir := body[:nDir*cfbwSect]
	for k := len(entries); k < nDir*cfbwSect/cfbwEntryLen; k++ {
		b := dir[k*cfbwEntryLen:]
		le.PutUint32(b[68:], cfbNoStream)
		le.PutUint32(b[72:], cfbNoStream)
		le.PutUint32(b[76:], cfbNoStream)
	}
	for k, e := range entries {
		b := dir[k*cfbwEntryLen : (k+1)*cfbwEntryLen]
		u := utf16.Encode([]rune(e.item.name))
		for j, c := range u {
			le.PutUint16(b[2*j:], c)
		}
		le.PutUint16(b[64:], uint16(2*len(u)+2))
		b[66], b[67] = e.typ, e.color
		le.PutUint32(b[68:], e.left)
		le.PutUint32(b[72:], e.right)
		le.PutUint32(b[76:], e.child)
		le.PutUint32(b[116:], e.start)
		le.PutUint64(b[120:], e.size)
	}

	head := make([]byte, cfbwSect)
	copy(head, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
	le.PutUint16(head[24:], 0x003E) // minor version
	le.PutUint16(head[26:], 3)      // major version
	le.PutUint16(head[28:], 0xFFFE) // byte order
	le.PutUint16(head[30:], 9)      // sector shift
	le.PutUint16(head[32:], 6)      // mini sector shift
	le.PutUint32(head[44:], uint32(nFAT))
	le.PutUint32(head[48:], dirStart)
	le.PutUint32(head[56:], cfbwCutoff)
	le.PutUint32(head[60:], miniFATStart)
	le.PutUint32(head[64:], uint32(nMiniFAT))
	le.PutUint32(head[68:], cfbEndOfChain) // no DIFAT sectors
	for i := 0; i < 109; i++ {
		v := uint32(cfbFreeSect)
		if i < nFAT {
			v = uint32(i)
		}
		le.PutUint32(head[76+4*i:], v)
	}
	out := head
	for _, v := range fat {
		out = le.AppendUint32(out, v)
	}
	return append(out, body...)
}

// cfbItems turns a parsed compound file back into items (for the
// writer's round trip): every reachable stream and storage under the root.
func cfbItems(f *cfbFile, parent int) []cfbItem {
	var out []cfbItem
	for i, e := range f.entries {
		if i == 0 || e.parent != parent || e.typ == 0 {
			continue
		}
		switch e.typ {
		case 1:
			out = append(out, cfbStorage(e.name, cfbItems(f, i)...))
		case 2:
			out = append(out, cfbStream(e.name, f.stream(i)))
		}
	}
	return out
}

// TestCFBWriterRoundTrip: the writer's files parse without damage, hold
// the streams written (small ones in the mini stream, large ones in
// sectors), and the LibreOffice fixtures rewritten by it read exactly as
// the originals.
func TestCFBWriterRoundTrip(t *testing.T) {
	var many []cfbItem
	for i := 0; i < 40; i++ {
		many = append(many, cfbStream(fmt.Sprintf("s%02d", i), []byte(strings.Repeat(fmt.Sprint(i), i*30))))
	}
	big := []byte(strings.Repeat("0123456789abcdef", 700)) // 11200 bytes: regular sectors
	b := buildCFB(t,
		cfbStream("Small", []byte("hello")),
		cfbStream("Empty", nil),
		cfbStream("Big", big),
		cfbStream("Edge", make([]byte, 4096)), // exactly the cutoff: regular sectors
		cfbStorage("Store", append(many, cfbStorage("Inner", cfbStream("Deep", []byte("deep text"))))...),
	)
	f, err := parseCFB(b, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.damage) > 0 {
		t.Fatalf("damage: %v", f.damage)
	}
	for path, want := range map[string]string{"Small": "hello", "Empty": "", "Big": string(big), "Edge": string(make([]byte, 4096)), "Store/Inner/Deep": "deep text", "Store/s07": strings.Repeat("7", 210), "Store/s39": strings.Repeat("39", 39*30)} {
		i := f.find(path)
		if i < 0 {
			t.Errorf("%s not found", path)
			continue
		}
		if got := string(f.stream(i)); got != want {
			t.Errorf("%s: %d bytes, want %d", path, len(got), len(want))
		}
	}
	if len(f.damage) > 0 {
		t.Fatalf("damage reading streams: %v", f.damage)
	}
	cfbCheckTree(t, b)

	for _, name := range []string{"customers.xls", "financial.xls", "bigsst.xls", "medical.doc", "slides.ppt.gz"} {
		t.Run(name, func(t *testing.T) {
			orig := legacyFixture(t, name)
			f, err := parseCFB(orig, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			re := buildCFB(t, cfbItems(f, 0)...)
			cfbCheckTree(t, re)
			a, b := legacyRun(t, orig), legacyRun(t, re)
			if allText(a) != allText(b) || len(b.Problems) != 0 {
				t.Errorf("rewritten file reads differently (problems %+v):\n%s\nwant:\n%s", b.Problems, clip(allText(b)), clip(allText(a)))
			}
		})
	}
}

// cfbCheckTree checks each storage's children of a written file form a
// red-black binary search tree in [MS-CFB] order.
func cfbCheckTree(t *testing.T, b []byte) {
	t.Helper()
	f, err := parseCFB(b, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	dir := f.chain(f.fat, binary.LittleEndian.Uint32(b[48:]), uint64(len(f.entries))*128, false)
	color := func(i uint32) byte { return dir[128*int(i)+67] }
	// walk returns the black height and checks order within (lo, hi).
	var walk func(i uint32, lo, hi string, parentRed bool) int
	walk = func(i uint32, lo, hi string, parentRed bool) int {
		if i == cfbNoStream {
			return 1
		}
		e := f.entries[i]
		if lo != "" && cfbCompare(lo, e.name) >= 0 || hi != "" && cfbCompare(e.name, hi) >= 0 {
			t.Errorf("%q out of order between %q and %q", e.name, lo, hi)
		}
		red := color(i) == cfbwRed
		if red && parentRed {
			t.Errorf("red %q has a red parent", e.name)
		}
		l, r := walk(e.left, lo, e.name, red), walk(e.right, e.name, hi, red)
		if l != r {
			t.Errorf("black heights differ under %q: %d, %d", e.name, l, r)
		}
		if e.typ == 1 || e.typ == 5 {
			walk(e.child, "", "", false)
		}
		if !red {
			l++
		}
		return l
	}
	if color(0) != cfbwBlack {
		t.Error("root entry is not black")
	}
	walk(f.entries[0].child, "", "", false)
}
