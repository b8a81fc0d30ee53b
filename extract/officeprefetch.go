package extract

import (
	"archive/zip"
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// A presentation is thousands of small parts (a slide is a few KB of XML),
// each inflated alone: too small for readAhead, and inflating them was
// twice the cost of reading their XML. prefetcher inflates the coming
// small members in goroutines while the walker reads the current one, on
// the other cores. What the walker sees does not change: a prefetched
// member is replayed through the same limitedEntry (limits, damage
// reports) from its bytes and its read error, in the same order; a member
// that is not small and plain (encrypted, stored, other methods, declared
// over a limit, over aheadMin) or whose inflate failed in a surprising
// way (it grew past its cap, the decompressor panicked, it would not
// open) is opened by the walker itself as before.
//
// The walker never waits for a member nobody is inflating: it claims a
// member the goroutines have not reached and reads it itself, so on a
// busy machine (the goroutines not scheduled) reading costs what it did
// serially; it waits only for a member being inflated at that moment.
// (A first version handed batches over through channels: on a loaded
// machine each hand-over's wake-up cost more than the batch.)
//
// Memory is bounded: at most prefetchHeld members are read ahead and not
// yet taken, each read to at most aheadMin+1 bytes, and at most
// prefetchHeld buffers of up to spareMax bytes wait in spare for reuse
// (slides are a few KB each: one buffer per slide was most of what a
// presentation allocated).
type prefetcher struct {
	w      *walker
	files  []*zip.File
	items  []prefetchItem
	next   atomic.Int64  // next member a goroutine looks at
	tokens chan struct{} // one per member read ahead and not yet taken
	spare  chan []byte   // buffers of members the walker has read, for reuse
	quit   chan struct{}
	wg     sync.WaitGroup
}

// Member states.
const (
	pfFree    = iota // nobody has it
	pfReading        // a goroutine is inflating it
	pfRead           // a goroutine has inflated it (data, err, ok set)
	pfWalker         // the walker reads it itself
)

type prefetchItem struct {
	state atomic.Int32
	small bool
	max   int64
	done  chan struct{} // closed when the state becomes pfRead
	data  []byte
	err   error // the member's read error (nil at a clean end)
	ok    bool  // data (and err) are the member as limitedEntry would read it
}

const prefetchHeld = 16

// spareMax is the largest buffer kept in spare.
const spareMax = 64 << 10

// prefetch returns a prefetcher for files, read in that order, with its
// goroutines started; nil when there is one CPU or nothing small.
func (w *walker) prefetch(files []*zip.File) *prefetcher {
	workers := runtime.GOMAXPROCS(0) - 1
	if workers < 1 || len(files) < 2 {
		return nil
	}
	p := &prefetcher{w: w, files: files, items: make([]prefetchItem, len(files)),
		tokens: make(chan struct{}, prefetchHeld), spare: make(chan []byte, prefetchHeld), quit: make(chan struct{})}
	n := 0
	for i, f := range files {
		it := &p.items[i]
		if it.max, it.small = w.small(f); it.small {
			it.done = make(chan struct{})
			n++
		}
	}
	if n < 2 {
		return nil
	}
	for range min(workers, n-1) {
		p.wg.Add(1)
		go p.work()
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

// work inflates the members the walker has not claimed, in order.
func (p *prefetcher) work() {
	defer p.wg.Done()
	for {
		j := int(p.next.Add(1) - 1)
		if j >= len(p.items) {
			return
		}
		it := &p.items[j]
		if !it.small || it.state.Load() != pfFree {
			continue
		}
		select {
		case p.tokens <- struct{}{}:
		case <-p.quit:
			return
		}
		if !it.state.CompareAndSwap(pfFree, pfReading) {
			<-p.tokens // the walker got there first
			continue
		}
		func() {
			defer func() {
				if recover() != nil {
					it.data, it.err, it.ok = nil, nil, false // the walker reads it again, under guard
				}
			}()
			var buf []byte
			select {
			case buf = <-p.spare:
			default:
			}
			it.data, it.err, it.ok = readSmall(p.files[j], it.max, buf)
		}()
		it.state.Store(pfRead)
		close(it.done)
	}
}

// open is openEntry for member i of the list, taking it from the
// prefetch when it was inflated ahead.
func (p *prefetcher) open(i int, origin string) (io.ReadCloser, bool) {
	f := p.files[i]
	it := &p.items[i]
	if !it.small || it.state.CompareAndSwap(pfFree, pfWalker) {
		return p.w.openEntry(origin, f)
	}
	if it.state.Load() != pfRead {
		// Being inflated now (a small member): a short wait.
		for k := 0; k < 50 && it.state.Load() != pfRead; k++ {
			runtime.Gosched()
		}
		if it.state.Load() != pfRead {
			<-it.done
		}
	}
	data, rerr, ok := it.data, it.err, it.ok
	it.data = nil
	<-p.tokens
	if !ok {
		return p.w.openEntry(origin, f)
	}
	// openEntry's checks all pass for a small member; its reader is
	// limitedEntry over the bytes read ahead.
	return &limitedEntry{rc: &memEntry{b: data, err: rerr, buf: data, spare: p.spare}, left: it.max, w: p.w, origin: origin, f: f}, true
}

// readSmall inflates f to at most max+1 bytes (what limitedEntry would let
// the reader see), into buf when it has room for the declared size; ok
// false: it would not open, or grew past aheadMin.
func readSmall(f *zip.File, max int64, buf []byte) (data []byte, rerr error, ok bool) {
	rc, err := openDeclared(f)
	if err != nil {
		return nil, nil, false
	}
	defer rc.Close()
	limit := max + 1
	if want := min(int64(f.UncompressedSize64)+1, limit); int64(cap(buf)) >= want {
		data = buf[:0]
	} else {
		data = make([]byte, 0, want)
	}
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

// stop ends the goroutines and waits for them; nothing of theirs is used
// afterwards. It may be called more than once.
func (p *prefetcher) stop() {
	if p == nil {
		return
	}
	select {
	case <-p.quit:
	default:
		close(p.quit)
	}
	p.wg.Wait()
}

// memEntry replays a member read ahead: its bytes, then its read error
// (io.EOF after a clean end). Close hands its buffer to spare (when small
// and there is room): nothing refers to it afterwards, as the XML scanner
// copies what it reads.
type memEntry struct {
	b     []byte
	err   error
	buf   []byte
	spare chan []byte
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

func (m *memEntry) Close() error {
	if m.spare != nil && cap(m.buf) <= spareMax {
		select {
		case m.spare <- m.buf[:0]:
		default:
		}
	}
	m.buf, m.b, m.spare = nil, nil, nil
	return nil
}
