package proxy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"runtime"
	"sync"

	"github.com/dlpgate/dlpgate/internal/spill"
)

// heldBody is a request body read completely before anything goes
// upstream: in memory up to the budget, else in a private spill file that is
// removed by release. It is an io.ReaderAt for extraction and replays as
// many times as the transport needs.
type heldBody struct {
	mem  []byte
	file *os.File
	size int64

	once    sync.Once
	sumOnce sync.Once
	sum     string

	srv      *Server
	reserved int64 // bytes accounted in srv.inMem
	unlinked bool  // the spill file's name is already removed

	// arrival tracks a spilled body while it is written, for an
	// inspection that reads it meanwhile (inspect.Overlap); nil when
	// nobody does.
	arrival *spill.Arrival
}

// errArrival is what a reader of a body that failed while it arrived gets.
var errArrival = errors.New("request body failed while it arrived")

// WaitFor blocks until the first n bytes of the body are held or the
// whole body is, the body failed, or ctx ended (inspect.Arriving).
// Size is the body's size once WaitFor has returned nil at its end (a
// chunked body's is known only then: inspect.Sized).
func (h *heldBody) Size() int64 {
	if h.arrival != nil {
		h.arrival.WaitFor(context.Background(), math.MaxInt64)
	}
	return h.size
}

func (h *heldBody) WaitFor(ctx context.Context, n int64) error {
	if h.arrival == nil {
		return nil // held whole before anyone reads it
	}
	return h.arrival.WaitFor(ctx, n)
}

// arrivalWriter writes a spill file and tells the waiters.
type arrivalWriter struct {
	f *os.File
	a *spill.Arrival
}

func (w arrivalWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.a.Add(int64(n))
	return n, err
}

// sha256 returns the hex SHA-256 of the held bytes. It is computed on first
// use, i.e. only for requests that produce an audit event: hashing every
// allowed upload while reading cost ~25 ms per 50 MB on the hot path for a
// value nobody reads. Call it before release.
func (h *heldBody) sha256() string {
	h.sumOnce.Do(func() {
		hs := sha256.New()
		if _, err := io.Copy(hs, io.NewSectionReader(h, 0, h.size)); err == nil {
			h.sum = hex.EncodeToString(hs.Sum(nil))
		}
	})
	return h.sum
}

func (h *heldBody) ReadAt(p []byte, off int64) (int, error) {
	if h.file != nil {
		return h.file.ReadAt(p, off)
	}
	if off < 0 {
		return 0, errors.New("read held body: negative offset")
	}
	if off >= int64(len(h.mem)) {
		return 0, io.EOF
	}
	n := copy(p, h.mem[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Bytes returns a body held in memory as it is (nil for a spilled body),
// for readers that can use it in place: extraction copies the whole body
// out through ReadAt today (50 ms-class bodies: one extra 50 MB copy), and
// can take it without copying by asking its Input.Body for this method.
// The bytes must not be modified.
func (h *heldBody) Bytes() []byte {
	if h.file != nil {
		return nil
	}
	return h.mem
}

// reader returns a fresh reader over the whole body.
func (h *heldBody) reader() io.ReadCloser {
	return io.NopCloser(io.NewSectionReader(h, 0, h.size))
}

// release removes the spill file. It is safe to call more than once.
func (h *heldBody) release() {
	h.once.Do(func() {
		if h.file != nil {
			h.file.Close()
			if !h.unlinked {
				os.Remove(h.file.Name())
			}
		}
		h.mem = nil
		if h.srv != nil && h.reserved != 0 {
			h.srv.inMem.Release(h.reserved)
		}
	})
}

// reserve accounts n bytes of held bodies in memory against the server-wide
// MemoryTotal (or the shared MemoryPool); false means the body must go to a spill file instead.
func (s *Server) reserve(n int64) bool { return s.inMem.Reserve(n) }

// errOversize says the body is larger than the inspection limit; the bytes
// read so far are in the partial heldBody.
var errOversize = errors.New("body exceeds max_inspect_bytes")

// holdBody reads r completely: declared is the Content-Length (-1 unknown),
// budget the in-memory limit for one body, max the inspection limit. Bodies
// within the budget (and the server-wide MemoryTotal) stay in memory, the
// rest go to a spill file written once. On errOversize the returned
// heldBody holds what was read so far (so the caller may still forward it);
// on any other error nothing is left behind. Memory and the spill file are
// released on error or panic; otherwise by heldBody.release.
//
// onSpill, if set, is called once a body goes to a spill file, before its
// first byte is written: it may start reading the body as it arrives
// (heldBody.WaitFor), and learns its end (complete or failed) before
// holdBody returns. A chunked body spills once it passes the budget; its
// bytes held in memory till then are the spill file's first.
func (s *Server) holdBody(r io.Reader, declared, budget, max int64, onSpill func(*heldBody)) (h *heldBody, err error) {
	held := &heldBody{srv: s}
	defer func() {
		if p := recover(); p != nil {
			if held.arrival != nil {
				held.arrival.End(errArrival)
			}
			held.release()
			panic(p)
		}
		if held.arrival != nil {
			// Readers meanwhile see the end first: all of it, or failed.
			held.arrival.End(err)
		}
		if err != nil && !errors.Is(err, errOversize) {
			held.release()
			h = nil
		}
	}()
	if declared > max {
		return held, errOversize
	}
	if declared >= 0 && declared <= budget && s.reserve(declared) {
		// Known small size: one allocation, one copy.
		held.reserved = declared
		held.mem = make([]byte, declared)
		if _, err := io.ReadFull(r, held.mem); err != nil {
			return held, fmt.Errorf("read request body: %w", err)
		}
		// A well-formed body has no bytes beyond Content-Length (net/http
		// enforces it).
		held.size = declared
		return held, nil
	}
	if limit := min(budget, max); declared < 0 && s.reserve(limit) {
		// Unknown size (chunked): memory first, up to the budget (or the
		// inspection limit if that is smaller).
		held.reserved = limit
		buf, err := readUpTo(r, limit+1)
		n := int64(len(buf))
		if err != nil {
			return held, fmt.Errorf("read request body: %w", err)
		}
		held.mem, held.size = buf, n
		if n <= limit {
			s.inMem.Release(limit - n) // keep only what is held
			held.reserved = n
			return held, nil
		}
		if limit == max {
			return held, errOversize
		}
		// Over budget: spill what we have and continue on disk.
		r = io.MultiReader(bytes.NewReader(held.mem), r)
		held.mem = nil
		defer func() { // the buffer is garbage once spilled
			s.inMem.Release(held.reserved)
			held.reserved = 0
		}()
	}
	if err := s.spill(held, r, max, onSpill); err != nil {
		return held, err
	}
	if declared >= 0 && held.size != declared {
		return held, fmt.Errorf("read request body: got %d of %d bytes: %w", held.size, declared, io.ErrUnexpectedEOF)
	}
	return held, nil
}

// readUpTo reads r to its end or n bytes, growing its buffer by doubling
// but never past n: a bytes.Buffer rounded an 8 MiB budget up to 16 MiB of
// capacity, twice what the server-wide accounting reserved.
func readUpTo(r io.Reader, n int64) ([]byte, error) {
	buf := make([]byte, 0, min(n, 32<<10))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			nb := make([]byte, len(buf), min(n, 2*int64(cap(buf))))
			copy(nb, buf)
			buf = nb
		}
		k, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// spill writes r (up to max bytes, plus one to detect more) into a new file in
// the private spill directory, written once through a large buffer (TLS
// reads return one 16 KB record at a time).
func (s *Server) spill(h *heldBody, r io.Reader, max int64, onSpill func(*heldBody)) error {
	f, err := os.CreateTemp(s.spillDir, "body-*")
	if errors.Is(err, fs.ErrNotExist) {
		// A tmp cleaner removed our directory. Mkdir (not MkdirAll) fails
		// if someone else recreated the name meanwhile.
		if err = os.Mkdir(s.spillDir, 0o700); err == nil {
			f, err = os.CreateTemp(s.spillDir, "body-*")
		}
	}
	if err != nil {
		return fmt.Errorf("create spill file: %w", err)
	}
	h.file = f
	if s.testHookSpill != nil {
		s.testHookSpill(f.Name())
	}
	if runtime.GOOS != "windows" {
		// Unlinked at once: the open descriptor keeps the bytes readable
		// and nothing is left on disk even if the process is killed.
		if os.Remove(f.Name()) == nil {
			h.unlinked = true
		}
	}
	// Buffers are reused: a hundred concurrent uploads must not each
	// allocate their own.
	bp, _ := s.spillBuf.Get().(*[]byte)
	if bp == nil {
		b := make([]byte, spillBuffer)
		bp = &b
	}
	var w io.Writer = f
	if onSpill != nil {
		h.arrival = spill.NewArrival(0, errArrival)
		w = arrivalWriter{f, h.arrival}
		onSpill(h)
	}
	n, err := copyLarge(w, io.LimitReader(r, max+1), *bp)
	s.spillBuf.Put(bp)
	if err != nil {
		return fmt.Errorf("spill request body: %w", err)
	}
	h.size = n
	if n > max {
		// The held max+1 bytes and the rest of r make up the body, should
		// the oversize action let it through.
		return errOversize
	}
	return nil
}

// spillBuffer is the size of one spill write: large enough that TLS's 16 KB
// records do not become one syscall each, small enough that a hundred
// uploads in flight hold 25 MiB of buffers, not 100.
const spillBuffer = 256 << 10

// copyLarge copies r to w in writes of len(buf) (except the last): TLS
// reads return one 16 KB record at a time, and one write syscall per record
// made the spill file the slowest step. (bufio.Writer.ReadFrom would hand
// over to os.File.ReadFrom and write per read again.)
func copyLarge(w io.Writer, r io.Reader, buf []byte) (int64, error) {
	var total int64
	for {
		// Fill buf; only io.EOF ends the copy cleanly (a truncated HTTP
		// body reports io.ErrUnexpectedEOF, which must stay an error).
		n := 0
		var err error
		for n < len(buf) && err == nil {
			var k int
			k, err = r.Read(buf[n:])
			n += k
		}
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return total, werr
			}
			total += int64(n)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}
