package extract

import (
	"fmt"
	"io"
	"runtime"
)

// Inflating a large ZIP member (a worksheet, a document body) runs in a
// goroutine of its own, a few chunks ahead of the XML scanner that reads
// it, so on two cores a part costs about the slower of the two instead
// of their sum. The memory is fixed: aheadChunks buffers of aheadChunk
// bytes per open member (one member is open at a time per walker).
const (
	aheadChunk  = 256 << 10
	aheadChunks = 3
	// aheadMin is the declared size from which a member is inflated
	// ahead; smaller parts (slides, headers) cost less than the handover.
	aheadMin = 1 << 20
)

// errInflatePanic reports a decompressor that panicked on hostile input:
// the member reads as corrupt instead of the process going down.
var errInflatePanic = fmt.Errorf("zip entry: decompressor failed")

// aheadReader reads src in a goroutine. Read and Close are for one
// goroutine (the walker's); src is read only by the helper goroutine, and
// closed by Close once that goroutine has ended.
type aheadReader struct {
	src  io.ReadCloser
	full chan aheadBuf
	free chan []byte
	stop chan struct{}
	done chan struct{}
	cur  aheadBuf // being consumed
	off  int
}

type aheadBuf struct {
	b   []byte
	err error
}

// readAhead returns src read ahead in a goroutine, or src itself when
// there is one CPU only.
func readAhead(src io.ReadCloser) io.ReadCloser {
	if runtime.GOMAXPROCS(0) < 2 {
		return src
	}
	a := &aheadReader{
		src:  src,
		full: make(chan aheadBuf, aheadChunks),
		free: make(chan []byte, aheadChunks),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	for range aheadChunks {
		a.free <- make([]byte, aheadChunk)
	}
	go a.fill()
	return a
}

func (a *aheadReader) fill() {
	defer close(a.done)
	var err error
	defer func() {
		if r := recover(); r != nil {
			// Hand the failure over as a read error (the walker reports
			// the member Malformed); the buffer in hand is lost, no matter.
			select {
			case a.full <- aheadBuf{err: errInflatePanic}:
			case <-a.stop:
			}
		}
	}()
	for err == nil {
		var b []byte
		select {
		case b = <-a.free:
		case <-a.stop:
			return
		}
		n := 0
		for n < len(b) && err == nil {
			var k int
			k, err = a.src.Read(b[n:])
			n += k
		}
		select {
		case a.full <- aheadBuf{b: b[:n], err: err}:
		case <-a.stop:
			return
		}
	}
}

func (a *aheadReader) Read(p []byte) (int, error) {
	for a.off == len(a.cur.b) {
		if a.cur.err != nil {
			return 0, a.cur.err
		}
		if a.cur.b != nil {
			a.free <- a.cur.b[:cap(a.cur.b)]
		}
		a.cur, a.off = <-a.full, 0
		if a.cur.b == nil && a.cur.err == nil {
			a.cur.err = io.ErrUnexpectedEOF // not sent by fill; defensive
		}
	}
	n := copy(p, a.cur.b[a.off:])
	a.off += n
	return n, nil
}

// Close stops the goroutine, waits for it, and closes src.
func (a *aheadReader) Close() error {
	select {
	case <-a.stop:
		return nil // closed before
	default:
	}
	close(a.stop)
	<-a.done
	return a.src.Close()
}
