package extract

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/bodgit/sevenzip"
	"github.com/stangelandcl/ppmd"
	"github.com/ulikunitz/xz/lzma"
)

// The 7z LZMA, LZMA2 and PPMd coders allocate the dictionary or model
// memory their properties ask for (LZMA up to the declared unpacked size,
// 2 GiB; LZMA2 up to 1.5 GiB; PPMd up to 4 GiB) before reading a byte: a
// 200-byte archive could take the proxy's memory. These replacements decode
// the same way (ulikunitz/xz and stangelandcl/ppmd, as bodgit/sevenzip does)
// but refuse a dictionary or model over maxDict.
// sevenzip keeps its decoders in a process-wide registry; they are set once
// here, at package initialisation, and never changed afterwards.
func init() {
	sevenzip.RegisterDecompressor([]byte{0x03, 0x01, 0x01}, sevenZipLZMA)
	sevenzip.RegisterDecompressor([]byte{0x21}, sevenZipLZMA2)
	sevenzip.RegisterDecompressor([]byte{0x03, 0x04, 0x01}, sevenZipPPMd)
}

var errDictTooLarge = errors.New("dictionary over 64 MiB")

// sevenZipPPMd is bodgit/sevenzip's PPMd (variant H, 7-Zip flavour) coder
// with the model memory checked first: properties are the model order and
// the memory size, little-endian.
func sevenZipPPMd(p []byte, size uint64, readers []io.ReadCloser) (io.ReadCloser, error) {
	if len(readers) != 1 || len(p) != 5 {
		return nil, errors.New("ppmd: bad coder properties")
	}
	if binary.LittleEndian.Uint32(p[1:]) > maxDict {
		return nil, errDictTooLarge
	}
	if size > math.MaxInt32 {
		return nil, errors.New("ppmd: unpacked size over 2 GiB")
	}
	pr, err := ppmd.NewH7zReader(readers[0], int(p[0]), int(binary.LittleEndian.Uint32(p[1:])), int(size))
	if err != nil {
		return nil, fmt.Errorf("ppmd: %w", err)
	}
	return lzmaReadCloser{&pr, readers[0]}, nil
}

type lzmaReadCloser struct {
	io.Reader
	c io.Closer
}

func (l lzmaReadCloser) Close() error { return l.c.Close() }

func sevenZipLZMA(p []byte, size uint64, readers []io.ReadCloser) (io.ReadCloser, error) {
	if len(readers) != 1 || len(p) != 5 {
		return nil, errors.New("lzma: bad coder properties")
	}
	if binary.LittleEndian.Uint32(p[1:]) > maxDict {
		return nil, errDictTooLarge
	}
	h := bytes.NewBuffer(append([]byte(nil), p...))
	binary.Write(h, binary.LittleEndian, size)
	lr, err := lzma.ReaderConfig{DictCap: maxDict}.NewReader(io.MultiReader(h, readers[0]))
	if err != nil {
		return nil, err
	}
	return lzmaReadCloser{lr, readers[0]}, nil
}

func sevenZipLZMA2(p []byte, _ uint64, readers []io.ReadCloser) (io.ReadCloser, error) {
	if len(readers) != 1 || len(p) != 1 || p[0] > 40 {
		return nil, errors.New("lzma2: bad coder properties")
	}
	dict := (2 | (int(p[0]) & 1)) << (p[0]/2 + 11)
	if dict > maxDict {
		return nil, errDictTooLarge
	}
	lr, err := lzma.Reader2Config{DictCap: max(dict, lzma.MinDictCap)}.NewReader2(readers[0])
	if err != nil {
		return nil, err
	}
	return lzmaReadCloser{lr, readers[0]}, nil
}
