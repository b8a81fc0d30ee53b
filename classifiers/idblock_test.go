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
