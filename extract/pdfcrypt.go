package extract

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"hash"
)

// PDF standard security handler (ISO 32000-2 7.6.4): a PDF encrypted with
// an empty user password (restrictions only: no printing, no copying)
// opens in every reader without a prompt, so dlpgate decrypts and reads
// it. Only a file that needs a password to open is Encrypted. RC4 40-128
// (R2-R4), AES-128 (AESV2) and AES-256 (R5, R6) are supported.

var pdfPad = []byte("\x28\xbf\x4e\x5e\x4e\x75\x8a\x41\x64\x00\x4e\x56\xff\xfa\x01\x08\x2e\x2e\x00\xb6\xd0\x68\x3e\x80\x2f\x0c\xa9\xfe\x64\x53\x69\x7a")

// errPDFPassword: the file needs a user password.
var errPDFPassword = errors.New("pdf needs a password")

// pdfCrypt decrypts the strings and streams of one document.
type pdfCrypt struct {
	key        []byte
	v          int
	stm, str   string // crypt method per kind: "V2" (RC4), "AESV2", "AESV3", "Identity"
	encryptObj int    // the Encrypt dictionary's own object is not encrypted
	meta       bool   // EncryptMetadata
}

// newPDFCrypt reads the Encrypt dictionary and derives the file key for
// the empty user password.
func (d *pdfDoc) newPDFCrypt() (*pdfCrypt, error) {
	var enc pDict
	var id0 []byte
	encObj := -1
	for i := len(d.trailers) - 1; i >= 0; i-- {
		t := d.trailers[i]
		if t["Encrypt"] == nil {
			continue
		}
		if r, ok := t["Encrypt"].(pRef); ok {
			encObj = r.num
		}
		enc = d.dict(t["Encrypt"])
		if ids, ok := d.resolve(t["ID"]).(pArray); ok && len(ids) > 0 {
			id0, _ = d.resolve(ids[0]).(pStr)
		}
		break
	}
	if enc == nil {
		return nil, errors.New("no encryption dictionary")
	}
	if f, _ := enc["Filter"].(pName); f != "Standard" {
		return nil, errors.New("not the standard security handler")
	}
	num := func(k string, def float64) float64 {
		if v, ok := d.resolve(enc[k]).(float64); ok {
			return v
		}
		return def
	}
	str := func(k string) []byte {
		s, _ := d.resolve(enc[k]).(pStr)
		return s
	}
	v, r := int(num("V", 0)), int(num("R", 0))
	length := int(num("Length", 40)) / 8
	if length < 5 || length > 16 {
		length = 5
	}
	c := &pdfCrypt{v: v, stm: "V2", str: "V2", encryptObj: encObj, meta: true}
	if b, ok := enc["EncryptMetadata"].(bool); ok {
		c.meta = b
	}
	if v >= 4 {
		cf := d.dict(enc["CF"])
		method := func(name string) string {
			if name == "Identity" || name == "" {
				return "Identity"
			}
			m, _ := d.dict(cf[name])["CFM"].(pName)
			if m == "None" {
				return "Identity"
			}
			return string(m)
		}
		sf, _ := enc["StmF"].(pName)
		tf, _ := enc["StrF"].(pName)
		c.stm, c.str = method(string(sf)), method(string(tf))
		if v == 4 {
			length = 16
		}
	}
	o, u := str("O"), str("U")
	p := uint32(int32(num("P", 0)))
	switch {
	case r >= 2 && r <= 4:
		if len(o) < 32 || len(u) < 16 || r == 2 && len(u) < 32 { // R2 compares all 32 bytes of U
			return nil, errors.New("bad O or U entry")
		}
		if r == 2 {
			length = 5
		}
		h := md5.New()
		h.Write(pdfPad)
		h.Write(o[:32])
		var pb [4]byte
		binary.LittleEndian.PutUint32(pb[:], p)
		h.Write(pb[:])
		h.Write(id0)
		if r >= 4 && !c.meta {
			h.Write([]byte{0xff, 0xff, 0xff, 0xff})
		}
		key := h.Sum(nil)
		if r >= 3 {
			for i := 0; i < 50; i++ {
				s := md5.Sum(key[:length])
				key = s[:]
			}
		}
		key = key[:length]
		// Algorithm 4/5: the U entry computed from the key must match.
		var want []byte
		if r == 2 {
			want = rc4Bytes(key, pdfPad)
			if !bytes.Equal(want, u[:32]) {
				return nil, errPDFPassword
			}
		} else {
			s := md5.Sum(append(append([]byte(nil), pdfPad...), id0...))
			want = rc4Bytes(key, s[:])
			k := make([]byte, len(key))
			for i := 1; i <= 19; i++ {
				for j := range key {
					k[j] = key[j] ^ byte(i)
				}
				want = rc4Bytes(k, want)
			}
			if !bytes.Equal(want[:16], u[:16]) {
				return nil, errPDFPassword
			}
		}
		c.key = key
	case r == 5 || r == 6:
		ue := str("UE")
		if len(u) < 48 || len(ue) < 32 {
			return nil, errors.New("bad U or UE entry")
		}
		hashFn := pdfHash6
		if r == 5 {
			hashFn = func(pw, salt, udata []byte) []byte {
				s := sha256.Sum256(append(append(append([]byte(nil), pw...), salt...), udata...))
				return s[:]
			}
		}
		if !bytes.Equal(hashFn(nil, u[32:40], nil), u[:32]) {
			return nil, errPDFPassword
		}
		ik := hashFn(nil, u[40:48], nil)
		blk, err := aes.NewCipher(ik)
		if err != nil {
			return nil, err
		}
		key := make([]byte, 32)
		cipher.NewCBCDecrypter(blk, make([]byte, 16)).CryptBlocks(key, ue[:32])
		c.key = key
		if v < 5 {
			c.stm, c.str = "AESV3", "AESV3"
		}
	default:
		return nil, errors.New("unknown security handler revision")
	}
	return c, nil
}

// pdfHash6 is ISO 32000-2 algorithm 2.B (revision 6).
func pdfHash6(pw, salt, udata []byte) []byte {
	if len(pw) > 127 {
		pw = pw[:127]
	}
	s := sha256.Sum256(append(append(append([]byte(nil), pw...), salt...), udata...))
	k := s[:]
	for round := 0; ; round++ {
		k1 := make([]byte, 0, 64*(len(pw)+len(k)+len(udata)))
		for i := 0; i < 64; i++ {
			k1 = append(k1, pw...)
			k1 = append(k1, k...)
			k1 = append(k1, udata...)
		}
		blk, _ := aes.NewCipher(k[:16])
		e := make([]byte, len(k1))
		cipher.NewCBCEncrypter(blk, k[16:32]).CryptBlocks(e, k1)
		sum := 0
		for _, b := range e[:16] {
			sum += int(b)
		}
		var h hash.Hash
		switch sum % 3 {
		case 0:
			h = sha256.New()
		case 1:
			h = sha512.New384()
		default:
			h = sha512.New()
		}
		h.Write(e)
		k = h.Sum(nil)
		if round >= 63 && int(e[len(e)-1]) <= round-31 {
			break
		}
	}
	return k[:32]
}

func rc4Bytes(key, b []byte) []byte {
	c, err := rc4.NewCipher(key)
	if err != nil {
		return nil
	}
	out := make([]byte, len(b))
	c.XORKeyStream(out, b)
	return out
}

// objKey is the key for one object (algorithm 1); AES-256 uses the file
// key as it is.
func (c *pdfCrypt) objKey(num, gen int, aesMode bool) []byte {
	if c.v >= 5 {
		return c.key
	}
	b := append([]byte(nil), c.key...)
	b = append(b, byte(num), byte(num>>8), byte(num>>16), byte(gen), byte(gen>>8))
	if aesMode {
		b = append(b, "sAlT"...)
	}
	s := md5.Sum(b)
	n := len(c.key) + 5
	if n > 16 {
		n = 16
	}
	return s[:n]
}

// decrypt undoes one string or stream with the given method.
func (c *pdfCrypt) decrypt(method string, num, gen int, b []byte) []byte {
	switch method {
	case "Identity":
		return b
	case "AESV2", "AESV3":
		key := c.objKey(num, gen, true)
		if len(b) < 32 || len(b)%16 != 0 {
			return nil
		}
		blk, err := aes.NewCipher(key)
		if err != nil {
			return nil
		}
		out := make([]byte, len(b)-16)
		cipher.NewCBCDecrypter(blk, b[:16]).CryptBlocks(out, b[16:])
		if p := int(out[len(out)-1]); p >= 1 && p <= 16 && p <= len(out) {
			out = out[:len(out)-p]
		}
		return out
	default: // V2: RC4
		return rc4Bytes(c.objKey(num, gen, false), b)
	}
}

// decryptAll decrypts every object found by scan in place: the strings in
// it and, for a stream, its data. Cross-reference streams and the Encrypt
// dictionary are never encrypted. Superseded definitions
// (pdfleftovers.go) are decrypted too, with their own generation numbers.
func (d *pdfDoc) decryptAll(c *pdfCrypt) {
	for num, o := range d.objs {
		if d.w.tick() {
			return
		}
		d.objs[num] = c.decryptObject(num, d.gens[num], o)
	}
	for i := range d.superseded {
		if d.w.tick() {
			return
		}
		def := &d.superseded[i]
		def.v = c.decryptObject(def.num, def.gen, def.v)
	}
}

// decryptObject decrypts the object num gen in place and returns it.
func (c *pdfCrypt) decryptObject(num, gen int, o any) any {
	if num == c.encryptObj {
		return o
	}
	t, ok := o.(*pStream)
	if !ok {
		return c.decryptValue(num, gen, o, 0)
	}
	if t.dict["Type"] == pName("XRef") {
		return o
	}
	c.decryptValue(num, gen, t.dict, 0)
	if t.dict["Type"] == pName("Metadata") && !c.meta {
		return o
	}
	t.raw = c.decrypt(c.stm, num, gen, t.raw)
	return o
}

func (c *pdfCrypt) decryptValue(num, gen int, v any, depth int) any {
	if depth > 32 {
		return v
	}
	switch t := v.(type) {
	case pStr:
		return pStr(c.decrypt(c.str, num, gen, t))
	case pArray:
		for i := range t {
			t[i] = c.decryptValue(num, gen, t[i], depth+1)
		}
	case pDict:
		for k, x := range t {
			t[k] = c.decryptValue(num, gen, x, depth+1)
		}
	}
	return v
}

// decryptEmpty decrypts a PDF that opens without a password and reports
// whether it can be read; one that needs a password is Encrypted.
func (d *pdfDoc) decryptEmpty(origin string) bool {
	c, err := d.newPDFCrypt()
	switch {
	case errors.Is(err, errPDFPassword):
		d.w.problem(origin, Encrypted, "PDF is password-protected (a password is needed to open it)")
		return false
	case err != nil:
		d.w.problem(origin, Encrypted, "PDF is encrypted with an unsupported security handler")
		return false
	}
	d.decryptAll(c)
	return true
}
