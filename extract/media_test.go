package extract

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"
)

// TestFakeMediaIsRead: magic bytes alone never make media. A customer list
// behind a RIFF, GIF89a, ID3, OggS, fLaC or PNG header (the evasions of
// issue 11) is read as the text it is, with no "unsupported" problem.
func TestFakeMediaIsRead(t *testing.T) {
	id1, id2, id3 := hkid("A", "123456"), hkid("K", "765432"), hkid("WX", "123456")
	csv := "name,hkid\nChan Tai Man," + id1 + "\nLee Mei Ling," + id2 + "\n陳大文," + id3 + "\n"
	for _, magic := range []string{"RIFF", "RIFF\x24\x00\x00\x00WAVEfmt ", "GIF89a", "GIF87a", "ID3", "ID3\x03\x00\x00\x00\x00\x00\x10", "OggS", "OggS\x00\x02", "fLaC", "\x89PNG\r\n\x1a\n", "\xff\xd8\xff\xe0", "BM", "II*\x00", "\x1a\x45\xdf\xa3", "\x00\x00\x00\x18ftypisom", "\xff\xfb\x90\x00"} {
		t.Run(strings.ToValidUTF8(magic, "?"), func(t *testing.T) {
			res := run(t, bodyInput([]byte(magic+csv)), Limits{})
			check(t, res, want{texts: []string{"Chan Tai Man," + id1, "Lee Mei Ling," + id2, id3}})
			for _, p := range res.Problems {
				if p.Kind == Unsupported {
					t.Errorf("fake media reported as media: %+v", p)
				}
			}
		})
	}
}

// TestRealMediaStringsRead: a real picture or sound is reported as media,
// and text carried in it (a PNG tEXt chunk, an ID3 frame, a list appended
// after the data) is still read.
func TestRealMediaStringsRead(t *testing.T) {
	id1 := hkid("A", "123456")
	p := realPNG(t)
	// Insert a tEXt chunk after IHDR (8 + 25 bytes).
	txt := []byte("Comment\x00customer Chan Tai Man " + id1)
	var chunk bytes.Buffer
	binary.Write(&chunk, binary.BigEndian, uint32(len(txt)))
	chunk.WriteString("tEXt")
	chunk.Write(txt)
	binary.Write(&chunk, binary.BigEndian, crc32.ChecksumIEEE(append([]byte("tEXt"), txt...)))
	withText := append(append(append([]byte(nil), p[:33]...), chunk.Bytes()...), p[33:]...)
	appended := append(realJPEG(t), []byte("\nChan Tai Man "+id1+"\n")...)
	mp3 := realMP3()
	for _, tc := range []struct {
		name string
		body []byte
		text string
	}{{"png tEXt", withText, "Chan Tai Man " + id1}, {"jpeg with a list appended", appended, "Chan Tai Man " + id1}, {"mp3 id3 title", mp3, ""}} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, bodyInput(tc.body), Limits{})
			w := want{problems: []ProblemKind{Unsupported}}
			if tc.text != "" {
				w.texts = []string{tc.text}
			}
			check(t, res, w)
		})
	}
}

// TestPrintableRuns: UTF-8 (with Chinese) and UTF-16 runs in binary noise
// are found; noise alone yields little, and never Han runs from ASCII.
func TestPrintableRuns(t *testing.T) {
	id1 := hkid("A", "123456")
	var b bytes.Buffer
	b.Write(noise(3000))
	b.WriteString("\x00客戶名單 Chan Tai Man " + id1 + "\x00")
	b.Write(noise(3000))
	b.Write(utf16le("\x00Lee Mei Ling " + hkid("K", "765432")))
	b.Write([]byte{0x01, 0x00})
	b.Write(noise(1001)) // odd: the next UTF-16 run is misaligned
	b.Write(utf16le("香港身份證號碼 陳大文"))
	b.Write([]byte{0x01, 0xd8})
	b.Write(noise(3000))
	got := printableRuns(bytes.NewReader(b.Bytes()), 4, 1<<20, nil)
	for _, s := range []string{"客戶名單 Chan Tai Man " + id1, "Lee Mei Ling " + hkid("K", "765432"), "香港身份證號碼 陳大文"} {
		if !strings.Contains(got, s) {
			t.Errorf("run %q not found in:\n%s", s, got)
		}
	}
	// ASCII text must not echo as UTF-16 Han.
	ascii := printableRuns(strings.NewReader("The quick brown fox jumps over the lazy dog 0123456789"), 4, 1<<20, nil)
	if ascii != "The quick brown fox jumps over the lazy dog 0123456789\n" {
		t.Errorf("ascii runs = %q", ascii)
	}
	if n := len(printableRuns(bytes.NewReader(noise(100000)), 8, 1<<20, nil)); n > 2000 {
		t.Errorf("noise gave %d bytes of runs with min 8", n)
	}
	if got := printableRuns(bytes.NewReader(b.Bytes()), 4, 20, nil); len(got) > 20 {
		t.Errorf("max not kept: %d", len(got))
	}
}

// TestUnknownBinaryRead: a binary of unknown format has its text read and
// is reported unreadable (the policy decides); so is a binary that claims to
// be an executable.
func TestUnknownBinaryRead(t *testing.T) {
	id1 := hkid("A", "123456")
	body := append(append(noise(2000), "\x00Chan Tai Man "+id1+"\x00"...), noise(2000)...)
	for _, prefix := range []string{"", "\x7fELF\x02\x01\x01\x00", "MZ\x90\x00"} {
		res := run(t, bodyInput(append([]byte(prefix), body...)), Limits{})
		check(t, res, want{texts: []string{"Chan Tai Man " + id1}, problems: []ProblemKind{Unreadable}})
	}
}

// TestImageWithAppendedZip: a PNG with a ZIP appended (it opens as both)
// has the archive read too.
func TestImageWithAppendedZip(t *testing.T) {
	id1 := hkid("A", "123456")
	z := buildZip(t, zipEntry{name: "list.csv", body: []byte("Chan Tai Man," + id1 + "\n")})
	res := run(t, bodyInput(append(realPNG(t), z...)), Limits{})
	check(t, res, want{texts: []string{"Chan Tai Man," + id1}, origins: []string{"zip:list.csv"}, problems: []ProblemKind{Unsupported}})
	for _, p := range res.Problems {
		if p.Kind == Malformed {
			t.Errorf("unexpected %+v", p)
		}
	}
}

// TestPNGCompressedText: a list deflated into a PNG zTXt or iTXt chunk is
// read.
func TestPNGCompressedText(t *testing.T) {
	id1 := hkid("A", "123456")
	p := realPNG(t)
	chunk := func(typ string, body []byte) []byte {
		var c bytes.Buffer
		binary.Write(&c, binary.BigEndian, uint32(len(body)))
		c.WriteString(typ)
		c.Write(body)
		binary.Write(&c, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), body...)))
		return c.Bytes()
	}
	z := flateBytes(t, []byte("ztxt customer Chan Tai Man "+id1))
	it := flateBytes(t, []byte("itxt customer Lee Mei Ling "+hkid("K", "765432")))
	extra := append(chunk("zTXt", append([]byte("Comment\x00\x00"), z...)), chunk("iTXt", append([]byte("Description\x00\x01\x00en\x00Beschreibung\x00"), it...))...)
	b := append(append(append([]byte(nil), p[:33]...), extra...), p[33:]...)
	res := run(t, bodyInput(b), Limits{})
	check(t, res, want{texts: []string{"ztxt customer Chan Tai Man " + id1, "itxt customer Lee Mei Ling " + hkid("K", "765432")},
		origins: []string{"png:zTXt:Comment"}, problems: []ProblemKind{Unsupported}})
}
