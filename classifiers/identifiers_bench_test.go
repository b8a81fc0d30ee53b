package classifiers

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// BenchmarkIdentifierScanOnly is the shared digit/e-mail scanner alone over
// the mixed business text (compare BenchmarkAutomatonOnly).
func BenchmarkIdentifierScanOnly(b *testing.B) {
	text := mixedText(benchSize)
	b.SetBytes(int64(len(text)))
	var buf []idMatch
	for b.Loop() {
		buf = scanIdentifiers(text, buf[:0])
	}
}

// Pathological inputs for the identifier scanners and customer_database:
// each must stay linear (compare ns/op at 10 MB with the 1 MB figure).

func BenchmarkPathologicalMobiles(b *testing.B) {
	benchClassify(b, strings.Repeat("1380013800", benchSize/10))
}

func BenchmarkPathologicalMobileLines(b *testing.B) {
	benchClassify(b, strings.Repeat("13800138000\n", benchSize/12))
}

// Eight-digit lines: every one a Hong Kong number (the lone eight-digit
// shortcut of scanIdentifiersAt); 1 MB and 10 MB, for linearity.
func BenchmarkPathologicalHKPhoneLines(b *testing.B) {
	benchClassify(b, strings.Repeat("91234567\n", benchSize/9))
}

func BenchmarkPathologicalHKPhoneLines1MB(b *testing.B) {
	benchClassify(b, strings.Repeat("91234567\n", (1<<20)/9))
}

func BenchmarkPathologicalGroupedDigits(b *testing.B) {
	benchClassify(b, strings.Repeat("4111 1111 1111 1111 ", benchSize/20))
}

func BenchmarkPathologicalAt(b *testing.B) {
	benchClassify(b, strings.Repeat("a@b", benchSize/3))
}

func BenchmarkPathologicalHeaderWords(b *testing.B) {
	benchClassify(b, strings.Repeat("name,mobile,email,address\n", benchSize/26))
}

func BenchmarkPathologicalHeaderLine(b *testing.B) {
	benchClassify(b, strings.Repeat("name mobile email ", benchSize/18))
}

// hugeCSV is a customer export of about n bytes.
func hugeCSV(n int) string {
	r := rand.New(rand.NewPCG(61, 62))
	var sb strings.Builder
	sb.WriteString("customer_id,name,mobile,email,address,date of birth\n")
	for i := 0; sb.Len() < n; i++ {
		sb.WriteString(genCustomerRow(r, i))
	}
	return sb.String()
}

func BenchmarkHugeCSV(b *testing.B) { benchClassify(b, hugeCSV(benchSize)) }

func BenchmarkHugeCSV1MB(b *testing.B) { benchClassify(b, hugeCSV(1<<20)) }

func BenchmarkPathologicalKeyedLines(b *testing.B) {
	benchClassify(b, strings.Repeat("Name: x\n", benchSize/8))
}

func BenchmarkPathologicalVCardBegins(b *testing.B) {
	benchClassify(b, strings.Repeat("BEGIN:VCARD\n", benchSize/12))
}
