package testgen

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
)

// RARFile is one file of a RAR4 archive made by RAR4.
type RARFile struct {
	Name      string
	Body      []byte
	Encrypted bool // set the header's encrypted flag (the data is not encrypted)
}

// RAR4 writes a RAR 4.x archive of stored (method 0x30) files by hand,
// following the RAR 4 technote: marker block, archive header, one file
// header per file (header CRC = low 16 bits of CRC-32), end block. No free
// RAR writer exists; stored files need none.
func RAR4(files ...RARFile) []byte {
	var b bytes.Buffer
	b.WriteString("Rar!\x1a\x07\x00")
	block := func(typ byte, flags uint16, rest []byte) {
		h := make([]byte, 7, 7+len(rest))
		h[2] = typ
		binary.LittleEndian.PutUint16(h[3:], flags)
		binary.LittleEndian.PutUint16(h[5:], uint16(7+len(rest)))
		h = append(h, rest...)
		binary.LittleEndian.PutUint16(h[0:], uint16(crc32.ChecksumIEEE(h[2:])))
		b.Write(h)
	}
	block(0x73, 0, make([]byte, 6))
	for _, f := range files {
		var r bytes.Buffer
		le := func(v any) { binary.Write(&r, binary.LittleEndian, v) }
		le(uint32(len(f.Body)))        // packed size
		le(uint32(len(f.Body)))        // unpacked size
		le(byte(3))                    // host OS: Unix
		le(crc32.ChecksumIEEE(f.Body)) // file CRC
		le(uint32(0x5a210000))         // DOS time
		le(byte(20))                   // version needed
		le(byte(0x30))                 // method: store
		le(uint16(len(f.Name)))        // name size
		le(uint32(0x20))               // attributes: archive
		r.WriteString(f.Name)
		flags := uint16(0x8000) // LONG_BLOCK: data follows
		if f.Encrypted {
			flags |= 0x04
		}
		block(0x74, flags, r.Bytes())
		b.Write(f.Body)
	}
	block(0x7b, 0x4000, nil)
	return b.Bytes()
}

var pdfPad = []byte("\x28\xbf\x4e\x5e\x4e\x75\x8a\x41\x64\x00\x4e\x56\xff\xfa\x01\x08\x2e\x2e\x00\xb6\xd0\x68\x3e\x80\x2f\x0c\xa9\xfe\x64\x53\x69\x7a")

func rc4x(key, b []byte) []byte {
	c, _ := rc4.NewCipher(key)
	out := make([]byte, len(b))
	c.XORKeyStream(out, b)
	return out
}

// RestrictedPDF writes a one-page Helvetica PDF encrypted with RC4-128
// (standard security handler, revision 3) under an empty user password and
// the owner password "owner": every reader opens it without asking, only
// printing and copying are "restricted". ISO 32000-2 algorithms 1-5.
func RestrictedPDF(lines []string) []byte {
	id0 := []byte("0123456789abcdef")
	const n = 16
	perms := int32(-3904)
	s := md5.Sum(append([]byte("owner"), pdfPad...)[:32])
	k := s[:]
	for i := 0; i < 50; i++ {
		x := md5.Sum(k)
		k = x[:]
	}
	o := rc4x(k[:n], pdfPad)
	kk := make([]byte, n)
	for i := 1; i <= 19; i++ {
		for j := range kk {
			kk[j] = k[j] ^ byte(i)
		}
		o = rc4x(kk, o)
	}
	h := md5.New()
	h.Write(pdfPad)
	h.Write(o)
	binary.Write(h, binary.LittleEndian, perms)
	h.Write(id0)
	key := h.Sum(nil)
	for i := 0; i < 50; i++ {
		x := md5.Sum(key[:n])
		key = x[:]
	}
	key = key[:n]
	x := md5.Sum(append(append([]byte(nil), pdfPad...), id0...))
	u := rc4x(key, x[:])
	for i := 1; i <= 19; i++ {
		for j := range kk {
			kk[j] = key[j] ^ byte(i)
		}
		u = rc4x(kk, u)
	}
	u = append(u, make([]byte, 16)...)
	enc := func(num int, b []byte) []byte {
		s := md5.Sum(append(append([]byte(nil), key...), byte(num), byte(num>>8), byte(num>>16), 0, 0))
		return rc4x(s[:16], b)
	}
	var cs strings.Builder
	cs.WriteString("BT /F1 11 Tf 50 800 Td 14 TL\n")
	for _, l := range lines {
		l = strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(l)
		fmt.Fprintf(&cs, "(%s) Tj T*\n", l)
	}
	cs.WriteString("ET\n")
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(cs.String()))
	zw.Close()
	content := enc(4, z.Bytes())
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [5 0 R] /Count 1 /Resources << /Font << /F1 3 0 R >> >> >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Filter /Standard /V 2 /R 3 /Length 128 /P %d /O <%x> /U <%x> >>", perms, o, u),
	}
	var buf bytes.Buffer
	buf.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, ob := range objs {
		offs[i] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", i+1, ob)
	}
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R /Encrypt 6 0 R /ID [<%x> <%x>] >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, id0, id0, xref)
	return buf.Bytes()
}
