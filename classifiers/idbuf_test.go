package classifiers

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// The segments of a document share one pooled identifier buffer and one
// hit buffer: each segment's identifiers and hits are exactly what a scan of its own finds, however
// many segments came before it and whatever an earlier document left in
// the buffer; and Classify finds the same with a reused buffer as the
// first time.
func TestPooledIdentifierBuffer(t *testing.T) {
	s, err := newSet()
	if err != nil {
		t.Fatal(err)
	}
	s.parallelMin = math.MaxInt
	ctx := context.Background()
	r := rand.New(rand.NewPCG(111, 112))
	var docs [][]extract.Segment
	var first [][]Finding
	for range 300 {
		segs := make([]extract.Segment, 1+r.IntN(6))
		for i := range segs {
			text := genIDText(r, r.IntN(2000))
			switch r.IntN(4) {
			case 0: // financial_statement's events share the buffers too
				text = largeStatements(100 + r.IntN(6000))
			case 1:
				text = mixedText(r.IntN(3000)) + largeStatements(r.IntN(800))
			}
			segs[i] = extract.Segment{Origin: "s" + itoa(i), Text: text}
		}
		doc := s.analyse(ctx, segs)
		for i := range doc.segs {
			v := &doc.segs[i]
			if v.needsNorm() {
				continue
			}
			want := identifiersOf(v, maxHits(len(v.text)), nil, nil)
			if !reflect.DeepEqual(v.ids, want) {
				t.Fatalf("segment %d of %d: %d identifiers from the pooled buffer, %d scanned alone", i, len(segs), len(v.ids), len(want))
			}
			sc := s.ac.scan(segs[i].Text, nil)
			alone := s.view(segs[i], sc, new([]int), nil)
			if !reflect.DeepEqual(v.hits, alone.hits) || !reflect.DeepEqual(v.hkids, alone.hkids) {
				t.Fatalf("segment %d of %d: the hits from the pooled buffer differ from a view of its own", i, len(segs))
			}
		}
		s.release(doc)
		docs = append(docs, segs)
		first = append(first, s.Classify(ctx, segs))
	}
	fired := map[string]int{}
	for _, fs := range first {
		for _, f := range fs {
			fired[f.Classifier]++
		}
	}
	for _, name := range []string{FinancialStatement, Phone, PaymentCard, HKID} {
		if fired[name] < 10 {
			t.Fatalf("%s fired on only %d documents: the comparison says little (%v)", name, fired[name], fired)
		}
	}
	for i := len(docs) - 1; i >= 0; i-- {
		if got := s.Classify(ctx, docs[i]); !reflect.DeepEqual(got, first[i]) {
			t.Fatalf("document %d: classified again with a reused buffer: %v, first time %v", i, got, first[i])
		}
	}
}

// The identifier classifiers skip segments by kind: accept and bad must
// read only a match's kind and flags, and every kind they take must be in
// the classifier's kinds. Random keys and offsets never change their
// answer, and no kind outside kinds is ever taken.
func TestIDClassifierKinds(t *testing.T) {
	s, err := newSet()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(113, 114))
	n := 0
	for _, c := range s.cls {
		ic, ok := c.(*idClassifier)
		if !ok {
			continue
		}
		n++
		if ic.kinds == 0 {
			t.Fatalf("%s takes no kind", ic.name())
		}
		for k := 0; k < 32; k++ {
			for fl := 0; fl < 256; fl++ {
				base := idMatch{kind: idKind(k), flags: uint8(fl)}
				ok0, conf0, need0 := ic.spec.accept(base)
				bad0 := ic.spec.bad != nil && ic.spec.bad(base)
				if (ok0 || bad0) && ic.kinds&(1<<k) == 0 {
					t.Fatalf("%s takes kind %d but its kinds are %b", ic.name(), k, ic.kinds)
				}
				for range 4 {
					m := base
					m.start, m.end, m.key = int32(r.IntN(1<<20)), int32(r.IntN(1<<20)), r.Uint64()
					ok1, conf1, need1 := ic.spec.accept(m)
					bad1 := ic.spec.bad != nil && ic.spec.bad(m)
					if ok1 != ok0 || conf1 != conf0 || need1 != need0 || bad1 != bad0 {
						t.Fatalf("%s: accept/bad of kind %d flags %b depend on more than kind and flags", ic.name(), k, fl)
					}
				}
			}
		}
	}
	if n != 4 {
		t.Fatalf("%d identifier classifiers, want 4", n)
	}
}
