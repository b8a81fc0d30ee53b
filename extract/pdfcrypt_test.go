package extract

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

// An encrypted-PDF writer for the tests, following ISO 32000-2 7.6
// (algorithms 1-7, 2.A, 8-10 with 2.B). pdftotext (poppler), when present,
// confirms every file it writes opens, so the writer is checked by an
// independent implementation and not only by dlpgate's reader.

type pdfEnc struct {
	mode     string // "rc4-40", "rc4-128", "aes-128", "aes-256"
	userPW   string
	ownerPW  string
	id0      []byte
	fileKey  []byte
	dict     string
	perms    int32
	aesValue bool
}

func padPW(pw string) []byte {
	return append([]byte(pw), pdfPad...)[:32]
}

func newPDFEnc(t testing.TB, mode, user, owner string) *pdfEnc {
	e := &pdfEnc{mode: mode, userPW: user, ownerPW: owner, id0: []byte("0123456789abcdef"), perms: -3904}
	switch mode {
	case "aes-256":
		e.aesValue = true
		e.fileKey = bytes.Repeat([]byte{0x5a, 0x13}, 16)
		uvs, uks := []byte("uvsalt01"), []byte("ukslt001")
		ovs, oks := []byte("ovsalt01"), []byte("okslt001")
		u := append(append(pdfHash6([]byte(user), uvs, nil), uvs...), uks...)
		ue := aesNoIV(pdfHash6([]byte(user), uks, nil), e.fileKey)
		o := append(append(pdfHash6([]byte(owner), ovs, u), ovs...), oks...)
		oe := aesNoIV(pdfHash6([]byte(owner), oks, u), e.fileKey)
		perm := make([]byte, 16)
		binary.LittleEndian.PutUint32(perm, uint32(e.perms))
		copy(perm[4:], "\xff\xff\xff\xffTadbXXXX")
		blk, _ := aes.NewCipher(e.fileKey)
		blk.Encrypt(perm, perm)
		e.dict = fmt.Sprintf("<< /Filter /Standard /V 5 /R 6 /Length 256 /P %d /O <%x> /U <%x> /OE <%x> /UE <%x> /Perms <%x> /CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >> /StmF /StdCF /StrF /StdCF >>", e.perms, o, u, oe, ue, perm)
		return e
	}
	n, r, v := 5, 2, 1
	if mode != "rc4-40" {
		n, r, v = 16, 3, 2
	}
	if mode == "aes-128" {
		r, v = 4, 4
		e.aesValue = true
	}
	// Algorithm 3: O from the owner password.
	s := md5.Sum(padPW(owner))
	k := s[:]
	if r >= 3 {
		for i := 0; i < 50; i++ {
			x := md5.Sum(k)
			k = x[:]
		}
	}
	k = k[:n]
	o := rc4Bytes(k, padPW(user))
	if r >= 3 {
		kk := make([]byte, n)
		for i := 1; i <= 19; i++ {
			for j := range k {
				kk[j] = k[j] ^ byte(i)
			}
			o = rc4Bytes(kk, o)
		}
	}
	// Algorithm 2: the file key from the user password.
	h := md5.New()
	h.Write(padPW(user))
	h.Write(o)
	binary.Write(h, binary.LittleEndian, e.perms)
	h.Write(e.id0)
	key := h.Sum(nil)
	if r >= 3 {
		for i := 0; i < 50; i++ {
			x := md5.Sum(key[:n])
			key = x[:]
		}
	}
	e.fileKey = key[:n]
	var u []byte
	if r == 2 {
		u = rc4Bytes(e.fileKey, pdfPad)
	} else {
		x := md5.Sum(append(append([]byte(nil), pdfPad...), e.id0...))
		u = rc4Bytes(e.fileKey, x[:])
		kk := make([]byte, n)
		for i := 1; i <= 19; i++ {
			for j := range e.fileKey {
				kk[j] = e.fileKey[j] ^ byte(i)
			}
			u = rc4Bytes(kk, u)
		}
		u = append(u, make([]byte, 16)...)
	}
	switch mode {
	case "aes-128":
		e.dict = fmt.Sprintf("<< /Filter /Standard /V 4 /R 4 /Length 128 /P %d /O <%x> /U <%x> /CF << /StdCF << /CFM /AESV2 /AuthEvent /DocOpen /Length 16 >> >> /StmF /StdCF /StrF /StdCF >>", e.perms, o, u)
	default:
		e.dict = fmt.Sprintf("<< /Filter /Standard /V %d /R %d /Length %d /P %d /O <%x> /U <%x> >>", v, r, n*8, e.perms, o, u)
	}
	return e
}

func aesNoIV(key, b []byte) []byte {
	blk, _ := aes.NewCipher(key)
	out := make([]byte, len(b))
	cipher.NewCBCEncrypter(blk, make([]byte, 16)).CryptBlocks(out, b)
	return out
}

// encrypt one string or stream of object num (generation 0).
func (e *pdfEnc) encrypt(num int, b []byte) []byte {
	key := e.fileKey
	if e.mode != "aes-256" {
		x := append(append([]byte(nil), e.fileKey...), byte(num), byte(num>>8), byte(num>>16), 0, 0)
		if e.aesValue {
			x = append(x, "sAlT"...)
		}
		s := md5.Sum(x)
		key = s[:min(len(e.fileKey)+5, 16)]
	}
	if !e.aesValue {
		return rc4Bytes(key, b)
	}
	p := 16 - len(b)%16
	b = append(append([]byte(nil), b...), bytes.Repeat([]byte{byte(p)}, p)...)
	iv := []byte("fixed-iv-16bytes")
	blk, _ := aes.NewCipher(key)
	out := make([]byte, len(b))
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(out, b)
	return append(append([]byte(nil), iv...), out...)
}

// buildEncryptedPDF: one page of Helvetica text per entry, its content
// stream Flate-compressed then encrypted; the Info title is an encrypted
// string.
func buildEncryptedPDF(t testing.TB, e *pdfEnc, lines []string) []byte {
	p := &pdfBuilder{}
	catalog := p.add("")
	pagesObj := p.add("")
	font := p.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	var cs strings.Builder
	cs.WriteString("BT /F1 11 Tf 50 800 Td 14 TL\n")
	for _, l := range lines {
		fmt.Fprintf(&cs, "(%s) Tj T*\n", pdfEscape(l))
	}
	cs.WriteString("ET\n")
	content := p.add("")
	p.set(content, pdfStreamObj("/Filter /FlateDecode", e.encrypt(content, flateBytes(t, []byte(cs.String())))))
	page := p.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>", pagesObj, content))
	p.set(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesObj))
	p.set(pagesObj, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 /Resources << /Font << /F1 %d 0 R >> >> >>", page, font))
	info := p.add("")
	p.set(info, fmt.Sprintf("<< /Title <%x> >>", e.encrypt(info, []byte("Customer list"))))
	enc := p.add(e.dict)
	return p.bytes(fmt.Sprintf("/Info %d 0 R /Encrypt %d 0 R /ID [<%x> <%x>]", info, enc, e.id0, e.id0), catalog)
}

func TestPDFEmptyUserPasswordDecrypted(t *testing.T) {
	id1, id2 := hkid("A", "123456"), hkid("K", "765432")
	lines := []string{"Customer Chan Tai Man " + id1, "Customer Lee Mei Ling " + id2}
	pdftotext, _ := exec.LookPath("pdftotext")
	if pdftotext == "" {
		t.Log("pdftotext (poppler-utils) not installed: the encrypted fixtures are not cross-checked by an independent reader")
	}
	for _, mode := range []string{"rc4-40", "rc4-128", "aes-128", "aes-256"} {
		t.Run(mode, func(t *testing.T) {
			open := buildEncryptedPDF(t, newPDFEnc(t, mode, "", "owner-secret"), lines)
			locked := buildEncryptedPDF(t, newPDFEnc(t, mode, "user-secret", "owner-secret"), lines)
			if pdftotext != "" {
				for _, tc := range []struct {
					b    []byte
					pass string
				}{{open, ""}, {locked, "user-secret"}} {
					f := filepath.Join(t.TempDir(), "x.pdf")
					os.WriteFile(f, tc.b, 0o600)
					args := []string{f, "-"}
					if tc.pass != "" {
						args = []string{"-upw", tc.pass, f, "-"}
					}
					out, err := exec.Command(pdftotext, args...).CombinedOutput()
					if err != nil || !strings.Contains(string(out), "Chan Tai Man") {
						t.Fatalf("pdftotext cannot read the %s fixture (password %q): %v %q", mode, tc.pass, err, out)
					}
				}
			}
			check(t, run(t, bodyInput(open), Limits{}), want{texts: lines, clean: true})
			res := run(t, bodyInput(locked), Limits{})
			check(t, res, want{absent: []string{"Chan Tai Man"}, problems: []ProblemKind{Encrypted}})
		})
	}
}

// TestRestrictedPDFFromTestgen: the proxy tests' restricted PDF opens.
func TestRestrictedPDFFromTestgen(t *testing.T) {
	id1 := hkid("A", "123456")
	b := testgen.RestrictedPDF([]string{"Customer Chan Tai Man " + id1})
	if p, _ := exec.LookPath("pdftotext"); p != "" {
		f := filepath.Join(t.TempDir(), "r.pdf")
		os.WriteFile(f, b, 0o600)
		if out, err := exec.Command(p, f, "-").CombinedOutput(); err != nil || !strings.Contains(string(out), id1) {
			t.Fatalf("pdftotext: %v %q", err, out)
		}
	}
	check(t, run(t, bodyInput(b), Limits{}), want{texts: []string{"Customer Chan Tai Man " + id1}, clean: true})
}
