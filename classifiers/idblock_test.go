package classifiers

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// idBlock finds a short run's start from the block's digit mask and only
// walks byte by byte when the run reaches back past the block's start,
// and goes on after an eight-digit run from its eighth digit: runs of
// every length before ' ', '-' and ')' (the separators it follows) and
// eight-digit runs, ending at every offset around a block end, and rows
// of a digit-heavy sheet at every shift, must give what the run-by-run
// and reference scans give.
func TestIDBlockRunsAtBlockEnds(t *testing.T) {
	for _, sep := range []string{" ", "-", ")", ","} {
		for g := 1; g <= 10; g++ {
			for end := 56; end <= 72; end++ {
				for _, lead := range []string{"x", " ", "1", "(852"} {
					// The run ends right before offset end.
					pad := strings.Repeat(lead, end)[:end-g]
					run := "9123456789"[:g]
					checkScanIdentifiersPrev(t, pad+run+sep+"61234567 tail")
					checkScanIdentifiersPrev(t, pad+run+sep+run+sep+"2345 6789")
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(191, 192))
	var sb strings.Builder
	for row := 0; sb.Len() < 3000; row++ {
		fmt.Fprintf(&sb, "%d,%d.%02d,%d,2026-%02d-%02d,%d\n", row, r.IntN(100000), r.IntN(100), r.IntN(1000000), 1+r.IntN(12), 1+r.IntN(28), r.IntN(99999999))
	}
	sheet := sb.String()
	for shift := range 70 {
		checkScanIdentifiersPrev(t, sheet[shift:shift+700])
	}
}

// A date ("2026-03-02", "2026 03 02", "2026/03/02") is skipped by
// numberAt as skipJoined skips it from its first digit, whatever follows.
func TestNumberAtSkipsDatesLikeSkipJoined(t *testing.T) {
	r := rand.New(rand.NewPCG(195, 196))
	tails := []string{"", "-12", " 12", "-1", "/12", ",", " ", "-", "- 1", " -3", "12", "-12-34 56", "\n"}
	found := 0
	for range 5000 {
		date := fmt.Sprintf("%04d%c%02d", r.IntN(10000), "- /"[r.IntN(3)], r.IntN(100))
		head := []string{"", " ", "(", "x ", "中"}[r.IntN(5)]
		s := head + date + tails[r.IntN(len(tails))] + tails[r.IntN(len(tails))]
		i := len(head)
		var dst []idMatch
		got := numberAt(s, i, &dst)
		if !numBoundaryBefore(s, i) {
			continue
		}
		if digitsAt(s, i+7, 1) {
			continue // not a date: three digits after the separator
		}
		found++
		if want := skipJoined(s, i); got != want || len(dst) != 0 {
			t.Fatalf("numberAt(%q, %d) = %d with %d matches, want %d and none", s, i, got, len(dst), want)
		}
	}
	if found < 1000 {
		t.Fatalf("only %d dates checked", found)
	}
}

// numBoundaryBeforeRef is numBoundaryBefore without its one-test answer
// for the bytes it does not look at.
func numBoundaryBeforeRef(s string, i int) bool {
	if i == 0 {
		return true
	}
	c := s[i-1]
	switch {
	case c == '/':
		return i >= 2 && isDigit(s[i-2])
	case isLetter(c), c == '_', c == '@', c == '\\', c == '$', c == '%', c == '&':
		return false
	case c == '.' || c == '-' || c == '+' || c == '#' || c == ':':
		if c == ':' || c == '#' {
			return true
		}
		if i >= 2 && (isASCIIAlnum(s[i-2]) || s[i-2] == '_') {
			return false
		}
	}
	return true
}

// Every byte before a number, after every kind of byte or none.
func TestNumBoundaryBeforeEveryByte(t *testing.T) {
	for c := range 256 {
		for _, before := range []string{"", "7", "a", "Z", "_", " ", "/", ".", "\xe4"} {
			s := before + string([]byte{byte(c)}) + "123"
			i := len(before) + 1
			if got, want := numBoundaryBefore(s, i), numBoundaryBeforeRef(s, i); got != want {
				t.Fatalf("numBoundaryBefore(%q, %d) = %v, want %v", s, i, got, want)
			}
		}
	}
}

// lastNewline finds what strings.LastIndexByte finds, newlines at every
// offset of the words it reads, and none.
func TestLastNewline(t *testing.T) {
	r := rand.New(rand.NewPCG(197, 198))
	alphabet := []byte("ab \n\x0b\x09\x8a\xff中")
	for range 3000 {
		b := make([]byte, r.IntN(40))
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		s := string(b)
		for n := 0; n <= len(s); n++ {
			if got, want := lastNewline(s[:n]), strings.LastIndexByte(s[:n], '\n'); got != want {
				t.Fatalf("lastNewline(%q) = %d, want %d", s[:n], got, want)
			}
		}
	}
}
