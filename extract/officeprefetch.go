package extract

import (
	"archive/zip"
	"errors"
	"io"
	"runtime"
	"sync"
)

// A presentation is thousands of small parts (a slide is a few KB of XML),
// each inflated alone: too small for readAhead, and inflating them was
// twice the cost of reading their XML. prefetcher inflates the next few
// small members in goroutines while the walker reads the current one, on
// the other cores. What the walker sees does not change: a prefetched
// member is replayed through the same limitedEntry (limits, damage
// reports) from its bytes and its read error, in the same order; a member
// that is not small and plain (encrypted, stored, other methods, declared
// over a limit, over aheadMin) or whose inflate failed in a surprising
// way (it grew past its cap, the decompressor panicked, it would not
// open) is opened by the walker itself as before.
//
// Memory is bounded: GOMAXPROCS-1 batches beyond the one being read are
// in flight, each of at most 64 members and 2*batchBytes plus one member
// (a member is read to at most aheadMin+1 bytes).
type prefetcher struct {
	w       *walker
	files   []*zip.File
	batchOf []int // member -> its batch, -1: read by the walker itself
	batches []*prefetchBatch
	ahead   int
	wg      sync.WaitGroup
}

// A batch is a run of consecutive small members inflated by one goroutine:
// a goroutine and a hand-over per slide cost more (in wake-ups) than they
// saved.
type prefetchBatch struct {
	first, end int // members [first, end)
	started    bool
	done       chan struct{}
	items      []prefetchItem
}

type prefetchItem struct {
	data []byte
	err  error // the member's read error (nil at a clean end)
	ok   bool  // data (and err) are the member as limitedEntry would read it
}

const (
	batchBytes   = 256 << 10 // declared bytes of a batch
	batchMembers = 64
)

// prefetch returns a prefetcher for files, read in that order; nil when
// there is one CPU (nothing to overlap with) or nothing to batch.
func (w *walker) prefetch(files []*zip.File) *prefetcher {
	ahead := runtime.GOMAXPROCS(0) - 1
	if ahead < 1 || len(files) < 2 {
		return nil
	}
	p := &prefetcher{w: w, files: files, batchOf: make([]int, len(files)), ahead: ahead}
	var cur *prefetchBatch
	var size uint64
	for i, f := range files {
		p.batchOf[i] = -1
		if _, ok := w.small(f); !ok {
			cur = nil
			continue
		}
		if cur == nil || size >= batchBytes || cur.end-cur.first >= batchMembers {
			cur = &prefetchBatch{first: i, end: i, done: make(chan struct{})}
			p.batches = append(p.batches, cur)
			size = 0
		}
		cur.end = i + 1
		size += f.UncompressedSize64
		p.batchOf[i] = len(p.batches) - 1
	}
	if len(p.batches) == 0 {
		return nil
	}
	return p
}

// small reports whether f is inflated ahead, and the most bytes its
// limitedEntry lets through.
func (w *walker) small(f *zip.File) (int64, bool) {
	max := w.entryMax(f)
	return max, f.Flags&1 == 0 && f.Method == zip.Deflate &&
		f.UncompressedSize64 < aheadMin && f.CompressedSize64 < aheadMin/4 && f.UncompressedSize64 <= uint64(max)
}

// open is openEntry for member i of the list, taking it from the
// prefetch when it was inflated ahead; it starts the next batches first.
func (p *prefetcher) open(i int, origin string) (io.ReadCloser, bool) {
	f := p.files[i]
	b := p.batchOf[i]
	if b < 0 {
		// Keep inflating ahead while the walker reads a big member.
		for k := range p.batches {
			if p.batches[k].first > i {
				p.startFrom(k)
				break
			}
		}
		return p.w.openEntry(origin, f)
	}
	p.startFrom(b)
	bt := p.batches[b]
	<-bt.done
	it := &bt.items[i-bt.first]
	data, rerr, ok := it.data, it.err, it.ok
	it.data = nil
	if !ok {
		return p.w.openEntry(origin, f)
	}
	// openEntry's checks all pass for a small member; its reader is
	// limitedEntry over the bytes read ahead.
	return &limitedEntry{rc: &memEntry{b: data, err: rerr}, left: p.w.entryMax(f), w: p.w, origin: origin, why: p.w.entryWhy(f)}, true
}

// startFrom starts batch b and the ahead batches after it.
func (p *prefetcher) startFrom(b int) {
	for k := b; k <= b+p.ahead && k < len(p.batches); k++ {
		if bt := p.batches[k]; !bt.started {
			bt.started = true
			bt.items = make([]prefetchItem, bt.end-bt.first)
			p.wg.Add(1)
			go p.run(bt)
		}
	}
}

// run inflates a batch; members past twice its declared size (a lie) are
// left to the walker.
func (p *prefetcher) run(bt *prefetchBatch) {
	defer p.wg.Done()
	defer close(bt.done)
	total := 0
	for k := range bt.items {
		if total > 2*batchBytes {
			return
		}
		f := p.files[bt.first+k]
		max, _ := p.w.small(f)
		it := &bt.items[k]
		func() {
			defer func() {
				if recover() != nil {
					*it = prefetchItem{} // the walker reads it again, under guard
				}
			}()
			it.data, it.err, it.ok = readSmall(f, max)
		}()
		total += len(it.data)
	}
}

// readSmall inflates f to at most max+1 bytes (what limitedEntry would let
// the reader see); ok false: it would not open, or grew past aheadMin.
func readSmall(f *zip.File, max int64) (data []byte, rerr error, ok bool) {
	rc, err := f.Open()
	if err != nil {
		return nil, nil, false
	}
	defer rc.Close()
	limit := max + 1
	data = make([]byte, 0, min(int64(f.UncompressedSize64)+1, limit))
	for int64(len(data)) < limit {
		if len(data) == cap(data) {
			if len(data) > aheadMin {
				return nil, nil, false
			}
			data = append(data, 0)[:len(data)]
		}
		n, err := rc.Read(data[len(data):min(int64(cap(data)), limit)])
		data = data[:len(data)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return data, err, true
		}
	}
	return data, nil, true
}

// stop waits for the goroutines still inflating; nothing of theirs is used.
func (p *prefetcher) stop() {
	if p != nil {
		p.wg.Wait()
	}
}

// memEntry replays a member read ahead: its bytes, then its read error
// (io.EOF after a clean end).
type memEntry struct {
	b   []byte
	err error
}

func (m *memEntry) Read(b []byte) (int, error) {
	if len(m.b) == 0 {
		if m.err != nil {
			return 0, m.err
		}
		return 0, io.EOF
	}
	n := copy(b, m.b)
	m.b = m.b[n:]
	return n, nil
}

func (m *memEntry) Close() error { return nil }
