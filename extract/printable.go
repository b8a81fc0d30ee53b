package extract

import (
	"io"
	"unicode"
	"unicode/utf8"
)

// printableRuns reads r as `strings` does, but for UTF-8 and UTF-16 too:
// every run of at least minRunes printable characters, one run per line.
// It is how a body of unknown format (or a picture's metadata, or text
// hidden after a media header) is still read. UTF-16 runs are found at both
// byte alignments and in both byte orders; a UTF-16 code unit counts only
// when it is ASCII-printable, CJK or full-width (the scripts dlpgate
// classifies), and a run of Han alone must be 2*minRunes+4 long, so noise
// rarely forms a run. At most max bytes of text are
// returned; stop is polled now and then.
func printableRuns(r io.Reader, minRunes int, max int64, stop func() bool) string {
	if minRunes < 1 {
		minRunes = 1
	}
	buf := make([]byte, 64<<10)
	var out []byte
	var u8 runRec     // the current UTF-8 run
	var u16 [4]u16Rec // LE and BE, at each byte alignment
	for i := range u16 {
		u16[i].hanMin = 2*minRunes + 4
	}
	var pos int64
	flush := func(run []byte, n int) {
		if n >= minRunes && int64(len(out)+len(run)+1) <= max {
			out = append(out, run...)
			out = append(out, '\n')
		}
	}
	var pend [utf8.UTFMax]byte
	pn := 0
	var prevByte byte
	for {
		if stop != nil && stop() || int64(len(out)) >= max {
			break
		}
		k, err := io.ReadFull(r, buf)
		if k == 0 {
			break
		}
		for _, c := range buf[:k] {
			// UTF-16: a code unit ends at every byte; track each alignment.
			if pos >= 1 {
				lane := int(pos & 1) // the unit's second byte is at pos
				le := uint16(prevByte) | uint16(c)<<8
				be := uint16(prevByte)<<8 | uint16(c)
				u16[lane].add(le, flush)
				u16[2+lane].add(be, flush)
			}
			prevByte = c
			pos++

			// UTF-8.
			if pn == 0 {
				if c < utf8.RuneSelf {
					if c >= 0x20 && c < 0x7f || c == '\t' {
						u8.b = append(u8.b, c)
						u8.n++
					} else {
						u8.end(flush)
					}
					continue
				}
				if c < 0xc2 || c > 0xf4 {
					u8.end(flush)
					continue
				}
			}
			pend[pn] = c
			pn++
			if !utf8.FullRune(pend[:pn]) {
				if pn == utf8.UTFMax {
					pn = 0
					u8.end(flush)
				}
				continue
			}
			rr, size := utf8.DecodeRune(pend[:pn])
			if rr == utf8.RuneError || size != pn || !unicode.IsPrint(rr) {
				pn = 0
				u8.end(flush)
				continue
			}
			u8.b = append(u8.b, pend[:pn]...)
			u8.n++
			pn = 0
		}
		if err != nil {
			break
		}
	}
	u8.end(flush)
	for i := range u16 {
		u16[i].end(flush)
	}
	return string(out)
}

type runRec struct {
	b []byte
	n int
}

func (r *runRec) end(flush func([]byte, int)) {
	if r.n > 0 {
		flush(r.b, r.n)
	}
	r.b, r.n = r.b[:0], 0
}

// u16Rec is a UTF-16 run in one byte order and alignment; units are kept
// as they are and turned into UTF-8 only when the run is kept.
type u16Rec struct {
	units  []uint16
	zero   bool // holds an ASCII unit (one byte 0x00): surely UTF-16
	binary bool // holds a byte outside printable ASCII
	hanMin int  // the length a run without ASCII units needs
}

// u16Hi classifies a unit by its high byte: 0 never text, 1 ASCII (high
// byte 0), 2 every low byte is Han, 3 depends on the low byte.
var u16Hi = func() (t [256]uint8) {
	t[0] = 1
	for h := 0x34; h <= 0x9f; h++ {
		t[h] = 2
	}
	t[0x30], t[0x4d], t[0xff] = 3, 3, 3
	return t
}()

// u16OK: ASCII-printable, CJK punctuation, Han (extension A and the
// unified block) or full-width forms. A unit with a NUL byte above ASCII is
// ASCII UTF-16 read off by one byte ("\x00e" as U+6500), not Han.
func u16OK(v uint16) bool {
	hi, lo := byte(v>>8), byte(v)
	switch u16Hi[hi] {
	case 1:
		return lo >= 0x20 && lo < 0x7f || lo == '\t'
	case 2:
		return lo != 0
	case 3:
		switch hi {
		case 0x30:
			return lo >= 0x01 && lo <= 0x3f
		case 0x4d:
			return lo >= 0x01 && lo <= 0xbf
		default: // 0xff
			return lo >= 0x01 && lo <= 0xef
		}
	}
	return false
}

func (u *u16Rec) add(v uint16, flush func([]byte, int)) {
	if !u16OK(v) {
		if len(u.units) > 0 {
			u.end(flush)
		}
		return
	}
	u.units = append(u.units, v)
	if v < 0x80 {
		u.zero = true
	}
	if !u.binary && (!printableByte(byte(v)) || !printableByte(byte(v>>8))) {
		u.binary = true
	}
}

func printableByte(c byte) bool { return c >= 0x20 && c < 0x7f }

// end closes the run. ASCII text read two bytes at a time looks like CJK
// ("he" is U+6568): a run whose bytes are all printable ASCII is that
// echo, not UTF-16. A run without any ASCII unit (only Han) must be
// longer, since random bytes form short Han runs.
func (u *u16Rec) end(flush func([]byte, int)) {
	if n := len(u.units); n > 0 && u.binary && (u.zero || n >= u.hanMin) {
		var b []byte
		for _, v := range u.units {
			b = utf8.AppendRune(b, rune(v))
		}
		flush(b, n)
	}
	u.units = u.units[:0]
	u.zero, u.binary = false, false
}
