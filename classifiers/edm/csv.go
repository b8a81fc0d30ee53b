package edm

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// BuildCSV indexes the named columns of a UTF-8 CSV file whose first row
// is a header (column names match case-insensitively, ignoring spaces).
// A header that lacks a column is an error naming the columns it has.
func BuildCSV(r io.Reader, name string, columns []string) (*Builder, error) {
	b, err := NewBuilder(name, columns)
	if err != nil {
		return nil, err
	}
	br := &bomSkipper{r: r}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if br.utf16 {
			return nil, errors.New("edm: the CSV file is UTF-16: save it as UTF-8 (Excel: CSV UTF-8)")
		}
		return nil, fmt.Errorf("edm: read CSV header: %w", err)
	}
	if br.utf16 {
		return nil, errors.New("edm: the CSV file is UTF-16: save it as UTF-8 (Excel: CSV UTF-8)")
	}
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }
	pos := make([]int, len(columns))
	for i, c := range columns {
		pos[i] = -1
		for j, h := range header {
			if norm(h) == norm(c) {
				pos[i] = j
				break
			}
		}
		if pos[i] < 0 {
			return nil, fmt.Errorf("edm: column %q is not in the CSV header (it has: %s)", c, strings.Join(header, ", "))
		}
	}
	cells := make([]string, len(columns))
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("edm: CSV row %d: %w", line, err)
		}
		for i, p := range pos {
			cells[i] = ""
			if p < len(rec) {
				cells[i] = rec[p]
			}
		}
		if err := b.Add(cells); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// bomSkipper drops a UTF-8 byte order mark and notices a UTF-16 one.
type bomSkipper struct {
	r     io.Reader
	done  bool
	utf16 bool
}

func (s *bomSkipper) Read(p []byte) (int, error) {
	if s.done {
		return s.r.Read(p)
	}
	s.done = true
	var head [3]byte
	n, err := io.ReadFull(s.r, head[:])
	h := head[:n]
	switch {
	case bytes.HasPrefix(h, []byte{0xEF, 0xBB, 0xBF}):
		h = nil
	case bytes.HasPrefix(h, []byte{0xFF, 0xFE}), bytes.HasPrefix(h, []byte{0xFE, 0xFF}):
		s.utf16 = true
	}
	s.r = io.MultiReader(bytes.NewReader(h), s.r)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return 0, err
	}
	return s.r.Read(p)
}
