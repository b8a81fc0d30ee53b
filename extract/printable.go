package extract

import (
	"bufio"
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
	br := bufio.NewReaderSize(r, 64<<10)
	var out []byte
	var u8 runRec     // the current UTF-8 run
	var u16 [4]u16Rec // LE and BE, at each byte alignment
	for i := range u16 {
		u16[i].hanMin = 2*minRunes + 4
	}
	var pos int64
	var prev [3]byte // the last bytes, for UTF-16 pairs
	flush := func(run []byte, n int) {
		if n >= minRunes && int64(len(out)+len(run)+1) <= max {
			out = append(out, run...)
			out = append(out, '\n')
		}
	}
	var pend [utf8.UTFMax]byte
	pn := 0
	for {
		if pos&0xffff == 0 && stop != nil && stop() {
			break
		}
		if int64(len(out)) >= max {
			break
		}
		c, err := br.ReadByte()
		if err != nil {
			break
		}
		// UTF-16: a code unit ends at every byte; track each alignment.
		if pos >= 1 {
			lane := int(pos & 1) // the unit's second byte is at pos
			le := uint16(prev[0]) | uint16(c)<<8
			be := uint16(prev[0])<<8 | uint16(c)
			u16[lane].add(le, flush)
			u16[2+lane].add(be, flush)
		}
		prev[0] = c
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

// u16Rec is a UTF-16 run in one byte order and alignment.
type u16Rec struct {
	r      runRec
	zero   bool // holds an ASCII unit (one byte 0x00): surely UTF-16
	binary bool // holds a byte outside printable ASCII
	hanMin int  // the length a run without ASCII units needs
}

func (u *u16Rec) add(v uint16, flush func([]byte, int)) {
	ok := v >= 0x20 && v < 0x7f || v == '\t' ||
		v >= 0x3000 && v <= 0x303f || v >= 0x3400 && v <= 0x4dbf || v >= 0x4e00 && v <= 0x9fff ||
		v >= 0xff01 && v <= 0xffef
	// A unit with a NUL byte above ASCII is ASCII UTF-16 read off by one
	// byte ("\x00e" as U+6500), not a Han character.
	if v >= 0x100 && (v&0xff == 0 || v>>8 == 0) {
		ok = false
	}
	if !ok {
		u.end(flush)
		return
	}
	u.r.b = utf8.AppendRune(u.r.b, rune(v))
	u.r.n++
	if v < 0x80 {
		u.zero = true
	}
	if !printableByte(byte(v)) || !printableByte(byte(v>>8)) {
		u.binary = true
	}
}

func printableByte(c byte) bool { return c >= 0x20 && c < 0x7f }

// end closes the run. ASCII text read two bytes at a time looks like CJK
// ("he" is U+6568): a run whose bytes are all printable ASCII is that
// echo, not UTF-16. A run without any ASCII unit (only Han) must be
// longer, since random bytes form short Han runs.
func (u *u16Rec) end(flush func([]byte, int)) {
	if u.r.n > 0 && u.binary && (u.zero || u.r.n >= u.hanMin) {
		flush(u.r.b, u.r.n)
	}
	u.r.b, u.r.n = u.r.b[:0], 0
	u.zero, u.binary = false, false
}
