package extract

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for the readers of issue 11: xz/lzma, bzip2, 7z, RAR, the
// relationship-driven OOXML walk, PDF decryption, printable runs, media
// checks and base64 runs in text. The seeds (valid files made in code or
// committed in testdata/archives) run in every `go test`.

func fuzzBytes(t *testing.T, data []byte) {
	fuzzCheck(t, Input{Body: bytes.NewReader(data), Size: int64(len(data))})
}

func FuzzXZ(f *testing.F) {
	csv := []byte(fixtureCSV)
	f.Add(xzBytes(f, csv))
	f.Add(xzBytes(f, buildZip(f, zipEntry{name: "a.csv", body: csv})))
	f.Add(lzmaBytes(f, csv, false))
	f.Add(lzmaBytes(f, csv, true))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzBytes(t, data)
		// The same bytes as ZIP method 14/95 data.
		fuzzBytes(t, rawZip(t, "x", 14, csv, data))
		fuzzBytes(t, rawZip(t, "x", 95, csv, data))
	})
}

func FuzzBzip2(f *testing.F) {
	bz := readFixture(f, "customers.csv.bz2")
	f.Add(bz)
	f.Add(bz[:len(bz)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte("BZh")) {
			data = append([]byte("BZh9"), data...)
		}
		fuzzBytes(t, data)
		fuzzBytes(t, rawZip(t, "x", 12, []byte(fixtureCSV), data))
	})
}

func Fuzz7z(f *testing.F) {
	for _, name := range []string{"customers.7z", "solid.7z", "encrypted.7z", "encrypted-headers.7z", "ppmd.7z", "ppmd-huge-memory.7z"} {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte("7z\xbc\xaf\x27\x1c")) {
			data = append([]byte("7z\xbc\xaf\x27\x1c"), data...)
		}
		fuzzBytes(t, data)
	})
}

func FuzzRAR(f *testing.F) {
	csv := []byte(fixtureCSV)
	f.Add(buildRAR4(rarFile{name: "c.csv", body: csv}))
	f.Add(buildRAR4(rarFile{name: "a.zip", body: buildZip(f, zipEntry{name: "b.txt", body: csv})}, rarFile{name: "e", body: csv, encrypted: true}))
	f.Add([]byte("Rar!\x1a\x07\x01\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte("Rar!\x1a\x07")) {
			data = append([]byte("Rar!\x1a\x07\x00"), data...)
		}
		fuzzBytes(t, data)
	})
}

func FuzzOOXMLRelationships(f *testing.F) {
	id := hkid("A", "123456")
	xlsx := buildRelXLSX(f, [][]string{{"a", id}}, "b")
	f.Add(xlsx)
	f.Add(buildRelDOCX(f, "doc "+id, xlsx))
	f.Add(buildRelPPTX(f, "slide"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzBytes(t, data)
	})
}

// FuzzOOXMLParts fuzzes the XML of the package parts (content types,
// relationships, main part) inside a well-formed ZIP.
func FuzzOOXMLParts(f *testing.F) {
	f.Add(`<Types><Override PartName="/w/b.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		`<Relationships><Relationship Id="r1" Type="x/officeDocument" Target="w/b.xml"/></Relationships>`,
		`<Relationships><Relationship Id="r2" Type="x/header" Target="../w/b.xml"/><Relationship Id="r3" Type="x/package" Target="e%20x.xlsx"/></Relationships>`,
		`<w:document><w:t>x</w:t></w:document>`)
	f.Fuzz(func(t *testing.T, ct, rootRels, partRels, main string) {
		b := buildZip(t,
			zipEntry{name: "[Content_Types].xml", body: []byte(ct)},
			zipEntry{name: "_rels/.rels", body: []byte(rootRels)},
			zipEntry{name: "w/_rels/b.xml.rels", body: []byte(partRels)},
			zipEntry{name: "w/b.xml", body: []byte(main)},
			zipEntry{name: "w/e x.xlsx", body: buildRelXLSX(t, [][]string{{"a"}}, "b")})
		fuzzBytes(t, b)
	})
}

func FuzzPDFDecrypt(f *testing.F) {
	for _, mode := range []string{"rc4-40", "rc4-128", "aes-128", "aes-256"} {
		f.Add(buildEncryptedPDF(f, newPDFEnc(f, mode, "", "o"), []string{"text " + mode}))
	}
	f.Add(buildEncryptedPDF(f, newPDFEnc(f, "aes-128", "pw", "o"), []string{"locked"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte("%PDF-")) {
			data = append([]byte("%PDF-1.4\n"), data...)
		}
		fuzzBytes(t, data)
	})
}

func FuzzPrintableRuns(f *testing.F) {
	f.Add([]byte("\x00abc\x01香港身份證\xff\xfeA\x00B\x00C\x00D\x00"), 4)
	f.Add(utf16le("陳大文 A123456(3)"), 1)
	f.Add(noise(300), 8)
	f.Fuzz(func(t *testing.T, data []byte, minRunes int) {
		if minRunes > 64 || minRunes < -1 {
			minRunes = 4
		}
		s := printableRuns(bytes.NewReader(data), minRunes, 1<<16, nil)
		if !utf8.ValidString(s) || len(s) > 1<<16 {
			t.Fatalf("runs invalid or too long: %d bytes", len(s))
		}
		fuzzBytes(t, data)
	})
}

func FuzzMediaCheck(f *testing.F) {
	for _, b := range [][]byte{realPNG(f), realJPEG(f), realGIF(f), realWAV(), realWEBP(), realMP4("isom"), realOgg(), realMP3(), realFLAC()} {
		f.Add(b)
	}
	f.Add([]byte("RIFF" + fixtureCSV))
	f.Fuzz(func(t *testing.T, data []byte) {
		mediaCheck(data, int64(len(data)))
		fuzzBytes(t, data)
	})
}

func FuzzBase64Runs(f *testing.F) {
	f.Add("see " + strings.Repeat("QUJDRGVm", 8) + " and &#65;&#x42;&amp;")
	f.Add(wrap76(strings.Repeat("Q2hhbiBUYWkgTWFu", 20)))
	f.Fuzz(func(t *testing.T, text string) {
		fuzzCheck(t, Input{ContentType: "text/plain", Body: strings.NewReader(text), Size: int64(len(text))})
	})
}
