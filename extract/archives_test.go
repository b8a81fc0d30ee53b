package extract

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestArchivesOpened(t *testing.T) {
	csv := []byte(fixtureCSV)
	ids := []string{"Customer 0,A104729(1)", "Customer 2,C120567(4)"}
	bz := readFixture(t, "customers.csv.bz2")
	inner := buildZip(t, zipEntry{name: "list/customers.csv", body: csv})
	for _, tc := range []struct {
		name string
		body []byte
		w    want
	}{
		{"xz", xzBytes(t, csv), want{texts: ids, origins: []string{"xz:data"}, clean: true}},
		{"xz holding a zip", xzBytes(t, inner), want{texts: ids, origins: []string{"xz:data/list/customers.csv"}, clean: true}},
		{"lzma", lzmaBytes(t, csv, false), want{texts: ids, origins: []string{"lzma:data"}, clean: true}},
		{"lzma eos", lzmaBytes(t, csv, true), want{texts: ids, clean: true}},
		{"bzip2", bz, want{texts: ids, clean: true}},
		{"zip method 12 (bzip2)", rawZip(t, "c.csv", 12, csv, bz), want{texts: ids, origins: []string{"zip:c.csv"}, clean: true}},
		{"zip method 14 (lzma)", rawZip(t, "c.csv", 14, csv, zipLZMABytes(t, csv)), want{texts: ids, origins: []string{"zip:c.csv"}, clean: true}},
		{"zip method 95 (xz)", rawZip(t, "c.csv", 95, csv, xzBytes(t, csv)), want{texts: ids, clean: true}},
		{"zip unknown method", rawZip(t, "c.csv", 98, csv, csv[:40]), want{problems: []ProblemKind{Unreadable}}},
		{"7z", readFixture(t, "customers.7z"), want{texts: ids, origins: []string{"7z:customers.csv"}, clean: true}},
		{"7z solid, two files", readFixture(t, "solid.7z"), want{texts: ids, origins: []string{"7z:c2.csv", "7z:customers.csv"}, clean: true}},
		{"7z encrypted", readFixture(t, "encrypted.7z"), want{absent: []string{"A104729"}, problems: []ProblemKind{Encrypted}}},
		{"7z encrypted headers", readFixture(t, "encrypted-headers.7z"), want{absent: []string{"A104729"}, problems: []ProblemKind{Encrypted}}},
		{"7z truncated", readFixture(t, "customers.7z")[:100], want{problems: []ProblemKind{Malformed}}},
		{"7z ppmd", readFixture(t, "ppmd.7z"), want{texts: ids, origins: []string{"7z:customers.csv"}, clean: true}},
		// The same archive with the PPMd model memory patched to 3.75 GiB
		// (header CRCs fixed): refused before anything is allocated.
		{"7z ppmd huge model memory", readFixture(t, "ppmd-huge-memory.7z"), want{absent: []string{"A104729"}, problems: []ProblemKind{Malformed}}},
		{"rar4 stored", buildRAR4(rarFile{name: "customers.csv", body: csv}, rarFile{name: "b/notes.txt", body: []byte("notes " + hkid("K", "765432"))}),
			want{texts: append(ids, "notes "+hkid("K", "765432")), origins: []string{"rar:customers.csv", "rar:b/notes.txt"}, clean: true}},
		{"rar4 holding a zip", buildRAR4(rarFile{name: "a.zip", body: inner}), want{texts: ids, origins: []string{"rar:a.zip/list/customers.csv"}, clean: true}},
		{"rar4 encrypted entry", buildRAR4(rarFile{name: "x.csv", body: csv, encrypted: true}), want{absent: []string{"A104729"}, problems: []ProblemKind{Encrypted}}},
		{"rar4 truncated", buildRAR4(rarFile{name: "x.csv", body: csv})[:60], want{problems: []ProblemKind{Malformed}}},
		{"cab", append([]byte("MSCF\x00\x00\x00\x00"), noise(200)...), want{problems: []ProblemKind{Unreadable}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, bodyInput(tc.body), Limits{})
			check(t, res, tc.w)
			for _, p := range res.Problems {
				if p.Kind == Unsupported {
					t.Errorf("archive reported as unsupported media: %+v", p)
				}
			}
		})
	}
}

// TestArchiveLimits: the ratio, size, depth and entry limits hold for the
// new formats as for ZIP.
func TestArchiveLimits(t *testing.T) {
	zeros := make([]byte, 8<<20)
	lim := Limits{MaxRatio: 10}
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"xz bomb", xzBytes(t, zeros)},
		{"lzma bomb", lzmaBytes(t, zeros, true)},
		{"zip lzma bomb", rawZip(t, "z", 14, zeros, zipLZMABytes(t, zeros))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, bodyInput(tc.body), lim)
			check(t, res, want{problems: []ProblemKind{Limit}})
		})
	}
	t.Run("rar entries", func(t *testing.T) {
		var fs []rarFile
		for i := 0; i < 12; i++ {
			fs = append(fs, rarFile{name: string(rune('a'+i)) + ".txt", body: []byte("entry text")})
		}
		res := run(t, bodyInput(buildRAR4(fs...)), Limits{MaxEntries: 5})
		check(t, res, want{problems: []ProblemKind{Limit}})
		if len(res.Segments) != 5 {
			t.Errorf("%d segments, want 5", len(res.Segments))
		}
	})
	t.Run("rar ratio", func(t *testing.T) {
		// A stored entry cannot beat the ratio; the shared budget still
		// bounds the total read by the decompressed-size limit.
		res := run(t, bodyInput(buildRAR4(rarFile{name: "big.txt", body: bytes.Repeat([]byte("x "), 1<<20)})), Limits{MaxDecompressed: 1 << 20})
		check(t, res, want{problems: []ProblemKind{Limit}})
	})
	t.Run("xz depth", func(t *testing.T) {
		b := []byte("deep " + hkid("A", "123456"))
		for i := 0; i < 5; i++ {
			b = xzBytes(t, b)
		}
		res := run(t, bodyInput(b), Limits{MaxDepth: 3})
		check(t, res, want{absent: []string{"deep"}, problems: []ProblemKind{Limit}})
	})
	t.Run("xz huge dictionary refused", func(t *testing.T) {
		b := xzBytes(t, []byte("x"))
		// Block header: size byte, flags, filter id 0x21, props size 1, dict byte.
		i := bytes.Index(b[12:], []byte{0x21, 0x01}) + 12 + 2
		b[i] = 40 // 4 GiB
		res := run(t, bodyInput(b), Limits{})
		check(t, res, want{problems: []ProblemKind{Malformed}})
		// In the second of two concatenated streams too.
		ok := xzBytes(t, []byte("first stream "+hkid("A", "123456")))
		res = run(t, bodyInput(append(append([]byte(nil), ok...), b...)), Limits{})
		check(t, res, want{absent: []string{"first stream"}, problems: []ProblemKind{Malformed}})
		// Two sound streams (and stream padding) are both read.
		two := append(append(append([]byte(nil), ok...), 0, 0, 0, 0), xzBytes(t, []byte("second stream"))...)
		check(t, run(t, bodyInput(two), Limits{}), want{texts: []string{"first stream", "second stream"}, clean: true})
		// A truncated file has no index: refused, not allocated.
		check(t, run(t, bodyInput(ok[:len(ok)-10]), Limits{}), want{problems: []ProblemKind{Malformed}})
	})
}

// TestSevenZipDictionaryRefused: 7z coder properties asking for a huge
// dictionary are refused before anything is allocated.
func TestSevenZipDictionaryRefused(t *testing.T) {
	rc := []io.ReadCloser{io.NopCloser(bytes.NewReader(nil))}
	if _, err := sevenZipLZMA([]byte{0x5d, 0, 0, 0, 0x40}, 1<<40, rc); !errors.Is(err, errDictTooLarge) {
		t.Errorf("lzma 1 GiB dictionary: %v", err)
	}
	if _, err := sevenZipLZMA2([]byte{40}, 0, rc); !errors.Is(err, errDictTooLarge) {
		t.Errorf("lzma2 1.5 GiB dictionary: %v", err)
	}
	if _, err := sevenZipLZMA2([]byte{18}, 0, rc); err != nil {
		t.Errorf("lzma2 1 MiB dictionary refused: %v", err)
	}
}
