package extract

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// leftoverPDF is a one-page PDF (objects: 1 catalog, 2 pages, 3 font F1,
// 4 page content, 5 page with the annotations annots, 6 Info, then the
// extra objects from 7 on) ending in an xref table and trailer.
func leftoverPDF(t *testing.T, content, annots, info string, extra ...string) []byte {
	t.Helper()
	p := &pdfBuilder{}
	cat := p.add("<< /Type /Catalog /Pages 2 0 R >>")
	p.add("<< /Type /Pages /Kids [5 0 R] /Count 1 >>")
	p.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	p.add(pdfStreamObj("/Filter /FlateDecode", flateBytes(t, []byte(content))))
	if annots != "" {
		annots = "/Annots " + annots
	}
	p.add("<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R " + annots + " >>")
	p.add(info)
	for _, e := range extra {
		p.add(e)
	}
	return p.bytes("/Info 6 0 R", cat)
}

// update appends an incremental update redefining objects (number: body).
func update(pdf []byte, objs ...string) []byte {
	out := append([]byte{}, pdf...)
	for i := 0; i+1 < len(objs); i += 2 {
		out = append(out, objs[i]+" 0 obj\n"+objs[i+1]+"\nendobj\n"...)
	}
	return append(out, "trailer\n<< /Root 1 0 R /Info 6 0 R >>\n%%EOF\n"...)
}

func textShow(s string) string { return "BT /F1 12 Tf 72 700 Td (" + s + ") Tj ET" }

func TestPDFSupersededContent(t *testing.T) {
	id := hkid("A", "123456")
	orig := leftoverPDF(t, textShow("Patient Chan "+id), "", "<< /Title (Report) >>")
	redacted := update(orig, "4", pdfStreamObj("", []byte(textShow("Patient [REDACTED]"))))
	check(t, run(t, bodyInput(redacted), Limits{}), want{
		at:    map[string]string{"pdf:page1": "Patient [REDACTED]", "pdf:superseded": "Patient Chan " + id},
		notAt: map[string]string{"pdf:page1": id, "pdf:superseded": "REDACTED"},
		clean: true,
	})

	// The page dictionary replaced instead, pointing at a new stream: the
	// old page's content (still the current object 4, no page uses it)
	// is the superseded page's, read with its fonts.
	newPage := update(orig,
		"7", pdfStreamObj("", []byte(textShow("Blank"))),
		"5", "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R >> >> /Contents 7 0 R >>")
	res := run(t, bodyInput(newPage), Limits{})
	check(t, res, want{
		at:    map[string]string{"pdf:page1": "Blank", "pdf:superseded": "Patient Chan " + id},
		notAt: map[string]string{"pdf:page1": "Patient"},
		clean: true,
	})
	if n := strings.Count(allText(res), id); n != 1 {
		t.Errorf("old text read %d times, want once: %v", n, origins(res))
	}

	// A page edited in place: only the lines the edit removed are new.
	lines := func(ls ...string) string {
		var b strings.Builder
		b.WriteString("BT /F1 12 Tf 14 TL 72 700 Td ")
		for _, l := range ls {
			b.WriteString("(" + l + ") Tj T* ")
		}
		return b.String() + "ET"
	}
	edited := update(leftoverPDF(t, lines("Discharge summary", "Patient Chan "+id, "Ward 7"), "", "<< /Title (Report) >>"),
		"4", pdfStreamObj("", []byte(lines("Discharge summary", "Patient [REDACTED]", "Ward 7"))))
	check(t, run(t, bodyInput(edited), Limits{}), want{
		at:    map[string]string{"pdf:page1": "Discharge summary\nPatient [REDACTED]\nWard 7", "pdf:superseded": "Patient Chan " + id},
		notAt: map[string]string{"pdf:superseded": "Discharge"},
		clean: true,
	})
	if got := originText(run(t, bodyInput(edited), Limits{}), "pdf:superseded"); strings.Contains(got, "Ward") {
		t.Errorf("superseded repeats the page's lines: %q", got)
	}

	// Rewritten unchanged: nothing superseded to read.
	same := update(orig, "6", "<< /Title (Report) >>")
	res = run(t, bodyInput(same), Limits{})
	check(t, res, want{at: map[string]string{"pdf:page1": "Patient Chan " + id}, clean: true})
	if got := originText(res, "pdf:superseded"); got != "" {
		t.Errorf("unchanged redefinition read as superseded: %q", got)
	}
}

func TestPDFSupersededStrings(t *testing.T) {
	id := hkid("K", "765432")
	annot := "<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /T (Reviewer Wong) /Contents (Customer " + id + " called) >>"
	orig := leftoverPDF(t, textShow("Page text"), "[7 0 R]", "<< /Title (Customer list of "+id+") /Author (Lee) >>", annot)
	upd := update(orig,
		"6", "<< /Title (Public list) /Author (Lee) >>",
		"7", "<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /T (Reviewer Wong) /Contents (Note removed) >>")
	check(t, run(t, bodyInput(upd), Limits{}), want{
		at: map[string]string{
			"pdf:objects":    "Public list",
			"pdf:superseded": "Customer list of " + id,
			"pdf:page1":      "Page text",
		},
		notAt: map[string]string{
			"pdf:objects": id,
			// Strings the update kept are the current object's.
			"pdf:superseded": "Reviewer Wong",
		},
		clean: true,
	})
	res := run(t, bodyInput(upd), Limits{})
	if got := originText(res, "pdf:superseded"); !strings.Contains(got, "Customer "+id+" called") || strings.Contains(got, "Lee") {
		t.Errorf("superseded strings: %q", got)
	}
}

func TestPDFUnusedContent(t *testing.T) {
	id := hkid("C", "668668")
	hidden := pdfStreamObj("/Filter /FlateDecode", flateBytes(t, []byte(textShow("Hidden holder "+id))))
	pdf := leftoverPDF(t, textShow("Visible text"), "", "<< /Title (T) >>", hidden)
	check(t, run(t, bodyInput(pdf), Limits{}), want{
		at:    map[string]string{"pdf:page1": "Visible text", "pdf:unused": "Hidden holder " + id},
		notAt: map[string]string{"pdf:page1": id, "pdf:unused": "Visible"},
		clean: true,
	})

	// A content stream that cannot be decoded is reported, not skipped.
	broken := leftoverPDF(t, textShow("Visible text"), "", "<< /Title (T) >>", pdfStreamObj("/Filter /FlateDecode", []byte("\xff\xff\xff\xff\xff\xff")))
	res := run(t, bodyInput(broken), Limits{})
	found := false
	for _, p := range res.Problems {
		found = found || p.Kind == Unreadable && p.Origin == "pdf:unused"
	}
	if !found {
		t.Errorf("undecodable unused stream: problems %+v", res.Problems)
	}
}

// TestPDFUsedNotTwice: a page's content, the form it runs, a form run on
// two pages, an annotation's appearance, a pattern, a Type3 glyph and a
// soft mask are no leftovers.
func TestPDFUsedNotTwice(t *testing.T) {
	id := hkid("E", "112233")
	p := &pdfBuilder{}
	cat := p.add("<< /Type /Catalog /Pages 2 0 R >>")
	p.add("<< /Type /Pages /Kids [5 0 R 8 0 R] /Count 2 /Resources << /Font << /F1 3 0 R /T3 12 0 R >> /XObject << /X1 6 0 R >> /Pattern << /P1 11 0 R >> /ExtGState << /GS1 14 0 R >> >> >>")
	p.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	p.add(pdfStreamObj("", []byte(textShow("Page one "+id)+" /X1 Do")))
	p.add("<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [7 0 R] >>")
	p.add(pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 9 9]", []byte(textShow("Form footer"))))
	p.add("<< /Type /Annot /Subtype /FreeText /Rect [0 0 9 9] /Contents (Note) /AP << /N 10 0 R >> >>")
	p.add("<< /Type /Page /Parent 2 0 R /Contents [9 0 R] >>")
	p.add(pdfStreamObj("", []byte(textShow("Page two")+" /X1 Do")))
	p.add(pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 9 9] /Resources << /Font << /F1 3 0 R >> >>", []byte(textShow("Note"))))
	// A tiling pattern, a Type3 glyph and a soft mask's group, each
	// drawing text: shown by a viewer, no leftovers either.
	p.add(pdfStreamObj("/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 9 9] /XStep 9 /YStep 9 /Resources << /Font << /F1 3 0 R >> >>", []byte(textShow("Tile"))))
	p.add("<< /Type /Font /Subtype /Type3 /FontBBox [0 0 9 9] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << /a 13 0 R >> /Encoding << /Differences [97 /a] >> /FirstChar 97 /LastChar 97 /Widths [500] >>")
	p.add(pdfStreamObj("", []byte("500 0 d0 "+textShow("Glyph"))))
	p.add("<< /Type /ExtGState /SMask << /Type /Mask /S /Luminosity /G 15 0 R >> >>")
	p.add(pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 9 9] /Group << /S /Transparency >>", []byte(textShow("Mask"))))
	res := run(t, bodyInput(p.bytes("", cat)), Limits{})
	check(t, res, want{
		at:    map[string]string{"pdf:page1": "Page one " + id + "\nForm footer", "pdf:page2": "Form footer"},
		clean: true,
	})
	for _, o := range origins(res) {
		if o == "pdf:unused" || o == "pdf:superseded" {
			t.Errorf("used streams read again under %s: %q", o, originText(res, o))
		}
	}
	if n := strings.Count(allText(res), id); n != 1 {
		t.Errorf("page text emitted %d times", n)
	}
}

// TestPDFUnusedNotContent: unused images, font programs, ICC profiles,
// functions and object streams are not read as content, even when their
// bytes look like text operators.
func TestPDFUnusedNotContent(t *testing.T) {
	ops := []byte(textShow("not content"))
	pdf := leftoverPDF(t, textShow("Visible text"), "", "<< /Title (T) >>",
		pdfStreamObj("/Type /XObject /Subtype /Image /Width 4 /Height 4 /BitsPerComponent 8 /ColorSpace /DeviceGray", ops),
		pdfStreamObj("/Length1 40", ops), // FontFile2
		pdfStreamObj("/Subtype /Type1C", ops),
		pdfStreamObj("/N 3 /Alternate /DeviceRGB", ops), // ICC
		pdfStreamObj("/FunctionType 4 /Domain [0 1] /Range [0 1]", ops),
		pdfStreamObj("/Filter /DCTDecode", ops),
		pdfStreamObj("/Width 2 /Height 2", ops), // a thumbnail without /Type
	)
	check(t, run(t, bodyInput(pdf), Limits{}), want{at: map[string]string{"pdf:page1": "Visible text"}, absent: []string{"not content"}, clean: true})
}

// TestPDFManyUpdates: 10 000 redefinitions of one object, each new text or
// all the same, cost linear time, and each distinct text is read once.
func TestPDFManyUpdates(t *testing.T) {
	const n = 10000
	orig := leftoverPDF(t, textShow("Version start"), "", "<< /Title (T) >>")
	var distinct, same []string
	for i := range n {
		distinct = append(distinct, "4", pdfStreamObj("", []byte(textShow(fmt.Sprintf("Version %d", i)))))
		same = append(same, "6", "<< /Title (Secret title) >>", "6", "<< /Title (T) >>")
	}
	// The current definition large: compared with each superseded one,
	// its strings are gathered once.
	var large strings.Builder
	large.WriteString("<< /Title (T) /Keywords [")
	for i := range 20000 {
		fmt.Fprintf(&large, "(keyword %d) ", i)
	}
	large.WriteString("] >>")
	large10k := append(same[:len(same):len(same)], "6", large.String())
	for name, pdf := range map[string][]byte{"distinct": update(orig, distinct...), "same": update(orig, same...), "large current": update(orig, large10k...)} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			res := run(t, bodyInput(pdf), Limits{})
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("%d updates took %v", n, d)
			}
			sup := originText(res, "pdf:superseded")
			if name == "distinct" {
				check(t, res, want{at: map[string]string{"pdf:page1": fmt.Sprintf("Version %d", n-1), "pdf:superseded": "Version start\nVersion 0\nVersion 1\n"}, clean: true})
				if c := strings.Count(sup, "Version "); c != n {
					t.Errorf("superseded holds %d versions, want %d", c, n)
				}
				return
			}
			check(t, res, want{clean: true})
			if c := strings.Count(sup, "Secret title"); c != 1 {
				t.Errorf("a superseded string read %d times, want once: %q", c, clip(sup))
			}
		})
	}
}

// TestPDFTruncatedUpdate: an update cut off inside its stream keeps what
// was read, and the definition it was replacing is read as superseded.
func TestPDFTruncatedUpdate(t *testing.T) {
	id := hkid("F", "908070")
	orig := leftoverPDF(t, textShow("Patient "+id), "", "<< /Title (T) >>")
	cut := append(append([]byte{}, orig...), "4 0 obj\n<< /Length 300 >>\nstream\nBT /F1 12 Tf 72 700 Td (New te"...)
	check(t, run(t, bodyInput(cut), Limits{}), want{
		at:       map[string]string{"pdf:superseded": "Patient " + id},
		problems: []ProblemKind{Malformed},
	})
	// Cut inside the object's dictionary.
	cut = append(append([]byte{}, orig...), "6 0 obj\n<< /Title (Dra"...)
	check(t, run(t, bodyInput(cut), Limits{}), want{
		at:       map[string]string{"pdf:page1": "Patient " + id},
		problems: []ProblemKind{Malformed},
	})
}

// TestPDFSupersededEncrypted: superseded definitions are decrypted with
// their own object keys.
func TestPDFSupersededEncrypted(t *testing.T) {
	e := newPDFEnc(t, "aes-128", "", "owner-secret")
	orig := buildEncryptedPDF(t, e, []string{"Visible line"})
	upd := append(append([]byte{}, orig...), fmt.Sprintf("6 0 obj\n<< /Title <%x> >>\nendobj\ntrailer\n<< /Root 1 0 R /Info 6 0 R /Encrypt 7 0 R /ID [<%x> <%x>] >>\n%%%%EOF\n", e.encrypt(6, []byte("Public list")), e.id0, e.id0)...)
	check(t, run(t, bodyInput(upd), Limits{}), want{
		at:    map[string]string{"pdf:page1": "Visible line", "pdf:objects": "Public list", "pdf:superseded": "Customer list"},
		clean: true,
	})
}

// objStmObj is an object stream object (Flate) holding objs by number.
func objStmObj(t *testing.T, objs map[int]string) string {
	var header, body strings.Builder
	nums := make([]int, 0, len(objs))
	for n := range objs {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	for _, n := range nums {
		fmt.Fprintf(&header, "%d %d ", n, body.Len())
		body.WriteString(objs[n] + "\n")
	}
	return pdfStreamObj(fmt.Sprintf("/Type /ObjStm /N %d /First %d /Filter /FlateDecode", len(objs), header.Len()), flateBytes(t, []byte(header.String()+body.String())))
}

// TestPDFSupersededInObjectStreams: a PDF 1.5 whose objects live in an
// object stream, updated by a later object stream and by direct objects.
// The later definitions win, whatever the map order; the ones they
// replaced are superseded.
func TestPDFSupersededInObjectStreams(t *testing.T) {
	id := hkid("A", "123456")
	var pdf bytes.Buffer
	pdf.WriteString("%PDF-1.5\n")
	fmt.Fprintf(&pdf, "5 0 obj\n%s\nendobj\n", pdfStreamObj("", []byte(textShow("Old content "+id))))
	fmt.Fprintf(&pdf, "6 0 obj\n%s\nendobj\n", objStmObj(t, map[int]string{
		1: "<< /Type /Catalog /Pages 2 0 R >>",
		2: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		3: "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		4: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		8: "<< /Title (Old title " + id + ") >>",
		9: "<< /Type /Annot /Subtype /Text /Rect [0 0 1 1] /Contents (Old note) >>",
	}))
	fmt.Fprintf(&pdf, "7 0 obj\n%s\nendobj\n", pdfStreamObj("/Type /XRef /Size 10 /W [1 2 1] /Root 1 0 R /Info 8 0 R", []byte{1, 0, 9, 0}))
	pdf.WriteString("startxref\n0\n%%EOF\n")
	// The update: a new object stream (a new page and Info), and the note
	// rewritten as a direct object.
	fmt.Fprintf(&pdf, "10 0 obj\n%s\nendobj\n", pdfStreamObj("", []byte(textShow("New content"))))
	fmt.Fprintf(&pdf, "11 0 obj\n%s\nendobj\n", objStmObj(t, map[int]string{
		3: "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 10 0 R >>",
		8: "<< /Title (New title) >>",
	}))
	pdf.WriteString("9 0 obj\n<< /Type /Annot /Subtype /Text /Rect [0 0 1 1] /Contents (New note) >>\nendobj\n")
	fmt.Fprintf(&pdf, "12 0 obj\n%s\nendobj\n", pdfStreamObj("/Type /XRef /Size 13 /W [1 2 1] /Root 1 0 R /Info 8 0 R /Prev 0", []byte{1, 0, 9, 0}))
	pdf.WriteString("startxref\n0\n%%EOF\n")
	for range 8 { // map order must not matter
		res := run(t, bodyInput(pdf.Bytes()), Limits{})
		check(t, res, want{
			at: map[string]string{
				"pdf:page1":      "New content",
				"pdf:objects":    "New title",
				"pdf:superseded": "Old title " + id,
			},
			notAt: map[string]string{"pdf:page1": "Old", "pdf:objects": "Old"},
			clean: true,
		})
		sup := originText(res, "pdf:superseded")
		for _, s := range []string{"Old content " + id, "Old note"} {
			if !strings.Contains(sup, s) {
				t.Errorf("superseded lacks %q: %q", s, sup)
			}
		}
	}
}

// TestPDFObjectStreamRedefined: an update that rewrites an object stream
// under its own number: the objects only the old one held are
// superseded, not current.
func TestPDFObjectStreamRedefined(t *testing.T) {
	objs := map[int]string{
		1: "<< /Type /Catalog /Pages 2 0 R >>",
		2: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		3: "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		4: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		8: "<< /Title (Old title) >>",
		9: "<< /Type /Annot /Subtype /Text /Rect [0 0 1 1] /Contents (Dropped note) >>",
	}
	var pdf bytes.Buffer
	pdf.WriteString("%PDF-1.5\n")
	fmt.Fprintf(&pdf, "5 0 obj\n%s\nendobj\n", pdfStreamObj("", []byte(textShow("Page text"))))
	fmt.Fprintf(&pdf, "6 0 obj\n%s\nendobj\n", objStmObj(t, objs))
	fmt.Fprintf(&pdf, "7 0 obj\n%s\nendobj\nstartxref\n0\n%%%%EOF\n", pdfStreamObj("/Type /XRef /Size 10 /W [1 2 1] /Root 1 0 R /Info 8 0 R", []byte{1, 0, 9, 0}))
	objs[8] = "<< /Title (New title) >>"
	delete(objs, 9)
	fmt.Fprintf(&pdf, "6 0 obj\n%s\nendobj\n", objStmObj(t, objs))
	fmt.Fprintf(&pdf, "7 0 obj\n%s\nendobj\nstartxref\n0\n%%%%EOF\n", pdfStreamObj("/Type /XRef /Size 10 /W [1 2 1] /Root 1 0 R /Info 8 0 R", []byte{1, 0, 9, 0}))
	check(t, run(t, bodyInput(pdf.Bytes()), Limits{}), want{
		at:    map[string]string{"pdf:page1": "Page text", "pdf:objects": "New title", "pdf:superseded": "Dropped note"},
		notAt: map[string]string{"pdf:objects": "Dropped", "pdf:superseded": "New title"},
		clean: true,
	})
}

// TestPDFLeftoverFonts: leftover content is read with the fonts of the
// resources found for it (a superseded page's, inherited from its page
// tree), else with the document's fonts by resource name.
func TestPDFLeftoverFonts(t *testing.T) {
	font := "<< /Type /Font /Subtype /Type1 /BaseFont /X /Encoding << /Type /Encoding /Differences [1 /Z /Q] >> >>"
	p := &pdfBuilder{}
	// The catalog names another F1 first: the document's fonts are not
	// what the old page used.
	cat := p.add("<< /Type /Catalog /Pages 2 0 R /Resources << /Font << /F1 7 0 R >> >> >>")
	p.add("<< /Type /Pages /Kids [4 0 R] /Count 1 /Resources << /Font << /F1 3 0 R /F2 3 0 R >> >> >>")
	p.add(font)
	p.add("<< /Type /Page /Parent 2 0 R /Contents 5 0 R >>")
	p.add(pdfStreamObj("", []byte("BT /F1 12 Tf 72 700 Td <0102> Tj ET")))
	p.add(pdfStreamObj("", []byte("BT /F2 12 Tf 72 700 Td <0201> Tj ET"))) // no page uses it
	p.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	upd := update(p.bytes("", cat),
		"8", pdfStreamObj("", []byte(textShow("New page"))),
		"4", "<< /Type /Page /Parent 2 0 R /Contents 8 0 R >>")
	check(t, run(t, bodyInput(upd), Limits{}), want{
		at:    map[string]string{"pdf:page1": "New page", "pdf:superseded": "ZQ", "pdf:unused": "QZ"},
		clean: true,
	})
}

// TestPDFSupersededUndecodable: a superseded content stream that does not
// decode is reported, not skipped.
func TestPDFSupersededUndecodable(t *testing.T) {
	orig := leftoverPDF(t, textShow("Page text"), "", "<< /Title (T) >>")
	upd := update(orig,
		"4", pdfStreamObj("/Filter /FlateDecode", []byte("\xff\xff\xff\xff\xff\xff")),
		"4", pdfStreamObj("", []byte(textShow("Final text"))))
	res := run(t, bodyInput(upd), Limits{})
	check(t, res, want{at: map[string]string{"pdf:page1": "Final text", "pdf:superseded": "Page text"}, problems: []ProblemKind{Unreadable}})
	for _, p := range res.Problems {
		if p.Kind == Unreadable && p.Origin != "pdf:superseded" {
			t.Errorf("problem at %s, want pdf:superseded: %+v", p.Origin, p)
		}
	}
}

// TestPDFObjectStreamAfterDirect: a PDF of direct objects updated by an
// object stream (as writers of compressed updates do): the update's
// definitions are current, the direct ones they replace superseded.
func TestPDFObjectStreamAfterDirect(t *testing.T) {
	id := hkid("K", "765432")
	orig := leftoverPDF(t, textShow("Old content "+id), "", "<< /Title (Old title) >>")
	var upd bytes.Buffer
	upd.Write(orig)
	fmt.Fprintf(&upd, "7 0 obj\n%s\nendobj\n", pdfStreamObj("", []byte(textShow("New content"))))
	fmt.Fprintf(&upd, "8 0 obj\n%s\nendobj\n", objStmObj(t, map[int]string{
		5: "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R >> >> /Contents 7 0 R >>",
		6: "<< /Title (New title) >>",
	}))
	fmt.Fprintf(&upd, "9 0 obj\n%s\nendobj\nstartxref\n0\n%%%%EOF\n", pdfStreamObj("/Type /XRef /Size 10 /W [1 2 1] /Root 1 0 R /Info 6 0 R", []byte{1, 0, 9, 0}))
	check(t, run(t, bodyInput(upd.Bytes()), Limits{}), want{
		at:    map[string]string{"pdf:page1": "New content", "pdf:objects": "New title", "pdf:superseded": "Old content " + id},
		notAt: map[string]string{"pdf:page1": "Old", "pdf:objects": "Old title"},
		clean: true,
	})
	res := run(t, bodyInput(upd.Bytes()), Limits{})
	if got := originText(res, "pdf:superseded"); !strings.Contains(got, "Old title") {
		t.Errorf("superseded: %q", got)
	}
}

// TestPDFSupersededAttachmentAndMetadata: an attachment and the XMP
// metadata an update replaced are read as superseded.
func TestPDFSupersededAttachmentAndMetadata(t *testing.T) {
	id := hkid("C", "668668")
	xmp := func(title string) string {
		return pdfStreamObj("/Type /Metadata /Subtype /XML", []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:title>`+title+`</dc:title><dc:creator>Dr Wong</dc:creator></x:xmpmeta>`))
	}
	orig := leftoverPDF(t, textShow("Page text"), "", "<< /Title (T) >>",
		pdfStreamObj("/Type /EmbeddedFile /Subtype /text#2Fcsv", []byte("name,hkid\nChan,"+id+"\n")),
		xmp("Draft for "+id))
	upd := update(orig,
		"7", pdfStreamObj("/Type /EmbeddedFile /Subtype /text#2Fcsv", []byte("name,hkid\n")),
		"8", xmp("Final"))
	check(t, run(t, bodyInput(upd), Limits{}), want{
		at: map[string]string{
			"pdf:superseded/embedded1": "Chan," + id,
			"pdf:superseded":           "Draft for " + id,
			"pdf:metadata8":            "Final",
		},
		// The XMP lines the update kept are the current packet's.
		notAt: map[string]string{"pdf:embedded1": id, "pdf:metadata8": "Draft", "pdf:superseded": "Dr Wong"},
		clean: true,
	})
}

// TestPDFSharedResourcesBounded: forms sharing one large resource
// dictionary that lists them all are marked shown in linear time.
func TestPDFSharedResourcesBounded(t *testing.T) {
	const n = 10000
	p := &pdfBuilder{}
	cat := p.add("<< /Type /Catalog /Pages 2 0 R >>")
	p.add("<< /Type /Pages /Kids [4 0 R] /Count 1 >>")
	var xobjs strings.Builder
	for i := range n {
		fmt.Fprintf(&xobjs, "/X%d %d 0 R ", i, 6+i)
	}
	p.add("<< /Font << /F1 5 0 R >> /XObject << " + xobjs.String() + ">> >>")
	p.add("<< /Type /Page /Parent 2 0 R /Resources 3 0 R /Contents 6 0 R /Annots [<< /Type /Annot /Subtype /Widget /Rect [0 0 1 1] /AP << /N 7 0 R >> >>] >>")
	p.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	for i := range n {
		p.add(pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources 3 0 R", []byte(textShow(fmt.Sprintf("Form %d", i)))))
	}
	start := time.Now()
	res := run(t, bodyInput(p.bytes("", cat)), Limits{})
	if d := time.Since(start); d > 2*time.Second { // 0.06 s; walking the shared dictionary per form took 4 s
		t.Errorf("%d forms sharing their resources took %v", n, d)
	}
	// Forms 1 and on are reached through the appearance: shown, not unused.
	check(t, res, want{at: map[string]string{"pdf:page1": "Form 0"}, clean: true})
	if got := originText(res, "pdf:unused"); got != "" {
		t.Errorf("shown forms read as unused: %q", clip(got))
	}
}

// TestPDFUnusedFormRunsItsForms: an unused form whose resources name
// forms but no fonts runs its forms, with the document's fonts.
func TestPDFUnusedFormRunsItsForms(t *testing.T) {
	outer := pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 9 9] /Resources << /XObject << /X2 8 0 R >> >>",
		[]byte("BT /F1 12 Tf 72 700 Td (Before) Tj ET /X2 Do BT /F1 12 Tf 72 600 Td (After) Tj ET"))
	inner := pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 9 9]", []byte(textShow("Inner")))
	pdf := leftoverPDF(t, textShow("Visible text"), "", "<< /Title (T) >>", outer, inner)
	check(t, run(t, bodyInput(pdf), Limits{}), want{at: map[string]string{"pdf:unused": "Before\nInner\nAfter"}, clean: true})
}

// TestPDFPagesPastLimitNotUnused: the pages past MaxEntries are not read
// (a limit says so), and their content is not "unused" either: the page
// tree is not walked to its end, so nothing is read as unused.
func TestPDFPagesPastLimitNotUnused(t *testing.T) {
	res := run(t, bodyInput(buildLatinPDF(t, []string{"First page", "Second page", "Third page", "Fourth page", "Fifth page"}, "")), Limits{MaxEntries: 2})
	check(t, res, want{at: map[string]string{"pdf:page2": "Second page"}, absent: []string{"Third", "Fourth", "Fifth"}, problems: []ProblemKind{Limit}})
}
