package icap

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
)

// spool holds one encapsulated body: in memory up to budget, then in a
// private temp file removed by release. It is an io.ReaderAt for
// extraction and replays for the echo.
type spool struct {
	mem    []byte
	file   *os.File
	size   int64
	budget int64
	dir    string
}

func (s *spool) Write(p []byte) (int, error) {
	if s.file == nil && int64(len(s.mem))+int64(len(p)) > s.budget {
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
	}
	if s.file != nil {
		n, err := s.file.Write(p)
		s.size += int64(n)
		return n, err
	}
	s.mem = append(s.mem, p...)
	s.size += int64(len(p))
	return len(p), nil
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
}

func ioSection(s *spool) io.Reader { return io.NewSectionReader(s, 0, s.size) }
