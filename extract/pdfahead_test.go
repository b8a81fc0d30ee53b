package extract

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// aheadDoc parses pdf as pdfNode does, with the given limits.
func aheadDoc(pdf []byte, lim Limits) (*pdfDoc, []pageInfo) {
	w := &walker{ctx: context.Background(), parent: context.Background(), lim: lim.withDefaults(), seen: map[string]bool{}}
	d := &pdfDoc{w: w, origin: "x.pdf", data: pdf, objs: map[int]any{}, gens: map[int]int{}, fonts: map[any]*pdfFont{}}
	d.scan()
	d.expandObjectStreams()
	return d, d.pages()
}

// checkContentsAhead: the content of every page read in order through
// pageContent (inflated ahead by the workers, into reused buffers) is
// decodeStream's, and the problems are the same, in the same order, after
// each page. ahead is how many of the following pages each call is given
// (-1: all of them, as pdfNode does).
func checkContentsAhead(t *testing.T, pdf []byte, lim Limits, ahead int) {
	t.Helper()
	dr, pr := aheadDoc(pdf, lim)
	dn, pn := aheadDoc(pdf, lim)
	defer dn.stopAhead()
	if len(pr) != len(pn) {
		t.Fatalf("%d pages, reference %d", len(pn), len(pr))
	}
	for i := range pr {
		want := dr.decodeContents(pr[i].dict["Contents"])
		next := pn[i+1:]
		if ahead >= 0 && len(next) > ahead {
			next = next[:ahead]
		}
		got := dn.pageContent(pn[i], next)
		if !bytes.Equal(got, want) {
			t.Fatalf("limits %+v, page %d: content %q, want %q", lim, i+1, got, want)
		}
		if !reflect.DeepEqual(dn.w.res.Problems, dr.w.res.Problems) {
			t.Fatalf("limits %+v, page %d: problems %+v, want %+v", lim, i+1, dn.w.res.Problems, dr.w.res.Problems)
		}
	}
}

func TestPageContentMatchesDecodeStream(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	limits := []Limits{{}, {MaxDecompressed: 1}, {MaxDecompressed: 40}, {MaxDecompressed: 300}, {MaxDecompressed: 5000}}
	for round := range 40 {
		contents := make([]string, 1+r.IntN(9))
		for i := range contents {
			contents[i] = genContent(r)
			if r.IntN(4) == 0 {
				contents[i] = strings.Repeat(contents[i], 1+r.IntN(200))
			}
		}
		pdf := equivPDF(t, contents, round%5 == 4)
		for _, lim := range limits {
			for _, ahead := range []int{-1, 0, 1, 3} {
				checkContentsAhead(t, pdf, lim, ahead)
			}
		}
	}
	// Other filters (ASCIIHex, a predictor, stacked filters, an image
	// codec) are decoded as before, between pages the worker inflates.
	p := &pdfBuilder{}
	catalog := p.add("")
	pagesObj := p.add("")
	var kids []string
	page := func(contents string) {
		kids = append(kids, fmt.Sprintf("%d 0 R", p.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /Contents %s >>", pagesObj, contents))))
	}
	z := flateBytes(t, []byte("BT (flate) Tj ET"))
	page(fmt.Sprintf("%d 0 R", p.add(pdfStreamObj("/Filter /ASCIIHexDecode", []byte("4254202868657829 20546a204554>")))))
	page(fmt.Sprintf("%d 0 R", p.add(pdfStreamObj("/Filter /FlateDecode", z))))
	page(fmt.Sprintf("%d 0 R", p.add(pdfStreamObj("/Filter [/FlateDecode] /DecodeParms [<< /Predictor 12 /Columns 4 >>]", z))))
	page(fmt.Sprintf("%d 0 R", p.add(pdfStreamObj("/Filter /Fl", z))))
	page(fmt.Sprintf("[%d 0 R %d 0 R]", p.add(pdfStreamObj("/Filter /FlateDecode", z)), p.add(pdfStreamObj("/Filter /DCTDecode", z))))
	page(fmt.Sprintf("[%d 0 R 5 %d 0 R]", p.add(pdfStreamObj("/Filter /FlateDecode", z)), p.add(pdfStreamObj("", []byte("(raw) Tj")))))
	page("[]")
	page("null")
	page(fmt.Sprintf("%d 0 R", p.add(pdfStreamObj("/Filter /FlateDecode", z[:len(z)/2]))))
	page(fmt.Sprintf("%d 0 R", p.add(pdfStreamObj("/Filter [/FlateDecode /ASCIIHexDecode]", flateBytes(t, []byte("41>"))))))
	page(fmt.Sprintf("%d 0 R", p.add(pdfStreamObj("/Filter /FlateDecode", z))))
	p.set(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesObj))
	p.set(pagesObj, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids)))
	pdf := p.bytes("", catalog)
	for _, lim := range limits {
		checkContentsAhead(t, pdf, lim, -1)
		checkContentsAhead(t, pdf, lim, 1)
	}
}

// TestContentAheadStops: a document left while a page is being inflated
// ahead (the time budget spent, too many pages) ends its worker, and a
// cancelled context stops an inflate in flight.
func TestContentAheadStops(t *testing.T) {
	big := bytes.Repeat([]byte("BT (Hello world) Tj ET\n"), 1<<18)
	pdf := equivPDF(t, []string{string(big), string(big), string(big)}, false)
	ctx, cancel := context.WithCancel(context.Background())
	w := &walker{ctx: ctx, parent: context.Background(), lim: Limits{}.withDefaults(), seen: map[string]bool{}}
	d := &pdfDoc{w: w, data: pdf, objs: map[int]any{}, gens: map[int]int{}, fonts: map[any]*pdfFont{}}
	d.scan()
	pages := d.pages()
	d.pageContent(pages[0], pages[1:])
	cancel()
	done := make(chan struct{})
	go func() { d.stopAhead(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("worker did not stop")
	}
	if d.ahead != nil {
		t.Fatal("worker kept")
	}
}

// TestPageContentQueueBounds: pages whose decompression limits pass the
// queue's budget (a few queued at a time, or only the next one) and more
// pages than aheadDepth still read as decodeStream reads them, with the
// limits' reports in order; and what is queued stays within the budget.
func TestPageContentQueueBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	contents := make([]string, 3*aheadDepth)
	for i := range contents {
		// Random bytes in a comment do not compress: each stream is
		// about its size raw, so its limit is 200 times that (or 4 MiB).
		n := 1 + r.IntN(40<<10)
		junk := make([]byte, n)
		for k := range junk {
			junk[k] = byte('!' + r.IntN(90))
		}
		contents[i] = "%" + string(junk) + "\n" + genContent(r)
	}
	pdf := equivPDF(t, contents, false)
	for _, lim := range []Limits{{}, {MaxDecompressed: 5000}, {MaxDecompressed: 3 << 20}, {MaxRatio: 1000}} {
		checkContentsAhead(t, pdf, lim, -1)
	}
	// The bound itself, read as pdfNode reads.
	for _, lim := range []Limits{{}, {MaxRatio: 1000}, {MaxDecompressed: 1 << 30, MaxRatio: 1 << 20}} {
		d, pages := aheadDoc(pdf, lim)
		deepest := 0
		for i, p := range pages {
			d.pageContent(p, pages[i+1:])
			// One page ahead may be of any size (as before the queue);
			// more only within the budget (pages decoded when read, nil
			// entries, hold nothing).
			var worst int64
			jobs := 0
			for _, j := range d.ahead.queue {
				if j != nil {
					worst += j.worst
					jobs++
				}
			}
			if jobs > 1 && worst > aheadWorst || len(d.ahead.queue) > aheadDepth {
				t.Fatalf("limits %+v, page %d: %d queued, %d bytes at worst", lim, i+1, len(d.ahead.queue), worst)
			}
			deepest = max(deepest, len(d.ahead.queue))
		}
		d.stopAhead()
		if lim.MaxRatio == 0 && deepest < 2 {
			t.Fatalf("limits %+v: never more than %d page queued", lim, deepest)
		}
	}
}
