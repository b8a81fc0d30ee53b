package extract

import (
	"bytes"
	"testing"
)

// FuzzCellAttrs: cellAttrs (with its fast shape, ` k="v"`) finds what
// rawAttrs3 finds, on any attribute text: values shorter and longer than
// the fast shape's 20-byte look, prefixes, odd spacing, unclosed quotes.
func FuzzCellAttrs(f *testing.F) {
	for _, s := range []string{
		` r="A1" t="s"`,
		` r="B7" s="1"`,
		` x:r='C3' x:t="inlineStr" s="12"`,
		` r = "A1"  t= 's'`,
		` r="A1`,
		` r="A1" t="`,
		` verylongattributename="0123456789abcdefghij" s="1" t="b" r="ZZ99"`,
		` r="01234567890123456789" t="s"`,
		` r="0123456789012345678" t="s"`,
		` r="012345678901234567890123456789" t="s"`,
		` :="1" r="2" r="3"`,
		` a:b:r="1" r="2" r="3"`,
		` ="x" s="1"`,
		` s`,
		` s=1 t="s"`,
		` s=""`,
		` s="" t="" r=""`,
		"\tr=\"A1\"\nt='s'\r s=\"3\"",
		` t="a=b" s="c d"`,
		`  s="1"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, a []byte) {
		tok := xmlTok{attrs: a}
		ws, wt, wr, wokS, wokT, wokR := tok.rawAttrs3("s", "t", "r")
		gs, gt, gr, gokS, gokT, gokR := cellAttrs(a)
		if !bytes.Equal(gs, ws) || !bytes.Equal(gt, wt) || !bytes.Equal(gr, wr) || gokS != wokS || gokT != wokT || gokR != wokR {
			t.Fatalf("%q: cellAttrs s=%q,%v t=%q,%v r=%q,%v; rawAttrs3 s=%q,%v t=%q,%v r=%q,%v", a, gs, gokS, gt, gokT, gr, gokR, ws, wokS, wt, wokT, wr, wokR)
		}
	})
}
