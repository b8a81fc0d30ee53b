package classifiers

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// testSet is built once per test binary: compiling the dictionaries is the
// expensive part and the Set is safe for concurrent use.
var testSet = func() *defaultSet {
	s, err := newSet()
	if err != nil {
		panic(err)
	}
	return s
}()

// genHKID returns a checksum-valid HKID body and check character; the
// numbers are generated, never real.
func genHKID(r *rand.Rand, prefix string) (body string, check byte) {
	body = prefix + fmt.Sprintf("%06d", r.IntN(1000000))
	return body, hkidCheckDigit(body)
}

// wrongCheck returns a check character that does not validate body.
func wrongCheck(body string) byte {
	c := hkidCheckDigit(body)
	if c == '9' {
		return '0'
	}
	if c == 'A' {
		return '1'
	}
	return c + 1
}

func classifyText(t testing.TB, texts ...string) map[string]Finding {
	t.Helper()
	segs := make([]extract.Segment, len(texts))
	for i, s := range texts {
		segs[i] = extract.Segment{Origin: fmt.Sprintf("test:%d", i), Text: s}
	}
	out := map[string]Finding{}
	for _, f := range testSet.Classify(context.Background(), segs) {
		if _, dup := out[f.Classifier]; dup {
			t.Fatalf("two findings for %s", f.Classifier)
		}
		if f.Count <= 0 {
			t.Fatalf("finding %s with count %d returned", f.Classifier, f.Count)
		}
		out[f.Classifier] = f
	}
	return out
}
