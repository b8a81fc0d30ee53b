package extract

import (
	"bytes"
	"math/rand/v2"
	"strconv"
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

// TestSerialDate: appendSerialDate is excelDate for every whole serial
// from 1 to 80000 (1900's phantom leap day, the years of birth and hire
// dates), every 7th beyond to the last (9999-12-31), times of day written
// every way a sheet writes them (to the second, rounding up to midnight,
// long fractions), and the edges; it declines what it does not handle.
func TestSerialDate(t *testing.T) {
	check := func(v string) {
		t.Helper()
		got, ok := appendSerialDate(nil, []byte(v))
		if !ok {
			t.Fatalf("serial %q: declined", v)
		}
		if want := excelDate(v); string(got) != want {
			t.Fatalf("serial %q: appendSerialDate %q, excelDate %q", v, got, want)
		}
	}
	for n := 1; n <= 80000; n++ {
		check(strconv.Itoa(n))
	}
	for n := 80000; n <= 2958465; n += 7 {
		check(strconv.Itoa(n))
	}
	r := rand.New(rand.NewPCG(61, 62))
	for range 200000 {
		day := 1 + r.IntN(2958464) // below the last day: a time part stays in range
		switch r.IntN(4) {
		case 0: // to the second, as Excel stores a time
			check(strconv.FormatFloat(float64(day)+float64(r.IntN(86400))/86400, 'f', -1, 64))
		case 1: // a hair before midnight: rounds up to the next day
			check(strconv.FormatFloat(float64(day)+1-float64(r.IntN(1000))/1e9, 'f', -1, 64))
		case 2: // a few digits
			check(strconv.Itoa(day) + "." + strconv.Itoa(r.IntN(100000)))
		default: // a long fraction, leading zeros
			check("000" + strconv.Itoa(day) + "." + strconv.FormatUint(r.Uint64(), 10))
		}
	}
	for _, v := range []string{"59", "60", "61", "1", "2958465", "0000060", "0001", "25569", "1.5", "60.99999999", "2958464.999999", "1.0000000001", "61.00000001", "00000001"} {
		check(v)
	}
	for _, v := range []string{"", "0", "0.5", "2958466", "2958465.5", "12345678901", " 1", "1 ", "1.", ".5", "1.2.3", "-1", "+1", "1e3", "４５", "NaN", "Inf"} {
		if got, ok := appendSerialDate(nil, []byte(v)); ok {
			t.Fatalf("serial %q: took it (%q), excelDate's to handle", v, got)
		}
	}
}

// FuzzSerialDate: on any bytes, appendSerialDate either declines or
// writes what excelDate writes, after what dst held.
func FuzzSerialDate(f *testing.F) {
	for _, v := range []string{"1", "60", "61", "32874", "2958465", "2958466", "0", "007", "1.25", " 3", "", "45000.99999999", "60.5", "1.", "12345678901"} {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		got, ok := appendSerialDate([]byte("x\t"), v)
		if !ok {
			if string(got) != "x\t" {
				t.Fatalf("%q: declined but wrote %q", v, got)
			}
			return
		}
		if want := "x\t" + excelDate(string(v)); string(got) != want {
			t.Fatalf("%q: appendSerialDate %q, excelDate %q", v, got, want)
		}
	})
}
