package icap

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/dlpgate/dlpgate/internal/spill"
)

// spool holds one encapsulated body: in memory up to budget (and as long
// as the server-wide pool has room), then in a private temp file removed
// by release. It is an io.ReaderAt for extraction and replays for the
// echo.
type spool struct {
	mem    []byte
	file   *os.File
	size   int64
	budget int64
	dir    string

	// pool accounts the memory of bodies held by all front ends;
	// reserved is this body's share of it (what mem may grow to).
	pool     *spill.Pool
	reserved int64
	toFile   bool // the body goes to its file from the first byte

	// onSpill, when set, is called once, right after the body moved to
	// its file (a reader may then read the file while it grows);
	// arrival tracks the file's growth for such a reader.
	onSpill func()
	arrival *spill.Arrival
}

// expect sizes the spool for a body of declared bytes (-1: unknown), before
// its first byte: a body larger than the budget, or one the pool has no
// room for, goes to its file at once (never first copied through memory);
// one that fits gets its memory reserved and allocated once.
func (s *spool) expect(declared int64) {
	want := declared
	if declared < 0 || declared > s.budget {
		want = s.budget
	}
	if declared > s.budget || s.pool == nil || !s.pool.Reserve(want) {
		s.toFile = true
		return
	}
	s.reserved = want
	if declared >= 0 {
		s.mem = make([]byte, 0, declared)
	}
}

func (s *spool) Write(p []byte) (int, error) {
	if s.file == nil && (s.toFile || int64(len(s.mem))+int64(len(p)) > s.reserved) {
		f, err := os.CreateTemp(s.dir, "icap-body-")
		if err != nil {
			return 0, fmt.Errorf("spill body: %w", err)
		}
		if _, err := f.Write(s.mem); err != nil {
			f.Close()
			os.Remove(f.Name())
			return 0, fmt.Errorf("spill body: %w", err)
		}
		s.file, s.mem = f, nil
		s.unreserve()
		s.held()
		if s.onSpill != nil {
			s.onSpill()
			s.onSpill = nil
		}
	}
	if s.file != nil {
		n, err := s.file.Write(p)
		s.size += int64(n)
		s.held()
		return n, err
	}
	if need := len(s.mem) + len(p); need > cap(s.mem) {
		// Grow by doubling, never past the reservation (append would
		// round capacity beyond what the pool accounts).
		nb := make([]byte, len(s.mem), min(s.reserved, max(int64(need), 2*int64(cap(s.mem)), 32<<10)))
		copy(nb, s.mem)
		s.mem = nb
	}
	s.mem = append(s.mem, p...)
	s.size += int64(len(p))
	return len(p), nil
}

// unreserve gives the body's memory reservation back.
func (s *spool) unreserve() {
	if s.pool != nil && s.reserved != 0 {
		s.pool.Release(s.reserved)
	}
	s.reserved = 0
}

// errArrival is what a reader of a body that failed while it arrived gets.
var errArrival = errors.New("encapsulated body failed while it arrived")

// watch makes the spool track its arrival and call onSpill once it spills
// (at once when it already has).
func (s *spool) watch(onSpill func()) {
	s.arrival = spill.NewArrival(s.size, errArrival)
	if s.file != nil {
		onSpill()
		return
	}
	s.onSpill = onSpill
}

// held tells a reader how much of the body is held now.
func (s *spool) held() {
	if s.arrival != nil {
		s.arrival.Held(s.size)
	}
}

// finish tells a reader the body is complete (err nil) or failed.
func (s *spool) finish(err error) {
	if s.arrival != nil {
		s.arrival.Held(s.size)
		s.arrival.End(err)
	}
}

// Size is the body's size once it is complete or failed (inspect.Sized:
// an overlapped reading of a body of unknown size learns it so).
func (s *spool) Size() int64 {
	if s.arrival != nil {
		s.arrival.WaitFor(context.Background(), math.MaxInt64)
	}
	return s.size
}

// WaitFor blocks until the first n bytes are held, the body is complete or
// failed, or ctx ended (inspect.Arriving).
func (s *spool) WaitFor(ctx context.Context, n int64) error {
	if s.arrival == nil {
		return nil
	}
	return s.arrival.WaitFor(ctx, n)
}

func (s *spool) ReadAt(p []byte, off int64) (int, error) {
	if s.file != nil {
		return s.file.ReadAt(p, off)
	}
	if off < 0 {
		return 0, errors.New("read spool: negative offset")
	}
	if off >= int64(len(s.mem)) {
		return 0, io.EOF
	}
	n := copy(p, s.mem[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Bytes lets extraction read a body held in memory in place.
func (s *spool) Bytes() []byte {
	if s.file != nil {
		return nil
	}
	return s.mem
}

func (s *spool) spilled() bool { return s.file != nil }

func (s *spool) sha256() string {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(s, 0, s.size)); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s *spool) release() {
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
		s.file = nil
	}
	s.mem = nil
	s.unreserve()
}

func ioSection(s *spool) io.Reader { return io.NewSectionReader(s, 0, s.size) }
