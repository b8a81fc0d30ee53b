package extract

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// appearanceObj is a Form XObject stream drawing content, with the
// resources res (none when empty).
func appearanceObj(res, content string) string {
	if res != "" {
		res = "/Resources " + res
	}
	return pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 200 20] "+res, []byte(content))
}

// TestPDFAppearanceStamp: a Stamp whose appearance draws an HKID its
// /Contents does not hold: read under the page's annotation, once.
func TestPDFAppearanceStamp(t *testing.T) {
	id := hkid("A", "123456")
	pdf := leftoverPDF(t, textShow("Visible text"), "[7 0 R]", "<< /Title (T) >>",
		"<< /Type /Annot /Subtype /Stamp /Rect [0 0 200 20] /Contents (Approved) /AP << /N 8 0 R >> >>",
		appearanceObj("", textShow("Holder "+id)))
	res := run(t, bodyInput(pdf), Limits{})
	check(t, res, want{
		at:    map[string]string{"pdf:page1": "Visible text", "pdf:page1/annot1": "Holder " + id, "pdf:objects": "Approved"},
		notAt: map[string]string{"pdf:page1": id, "pdf:page1/annot1": "Visible"},
		clean: true,
	})
	if n := strings.Count(allText(res), id); n != 1 {
		t.Errorf("appearance text read %d times, want once: %v", n, origins(res))
	}
	for _, o := range origins(res) {
		if o == "pdf:unused" {
			t.Errorf("a read appearance read again as unused: %q", originText(res, o))
		}
	}

	// The annotation's place in /Annots names it; /R and /D appearances
	// and appearance states are read too.
	pdf = leftoverPDF(t, textShow("Visible text"), "[7 0 R 8 0 R]", "<< /Title (T) >>",
		"<< /Type /Annot /Subtype /Text /Rect [0 0 9 9] /Contents (Plain note) >>",
		"<< /Type /Annot /Subtype /Widget /Rect [0 0 9 9] /AP << /N << /On 9 0 R /Off 10 0 R >> /D 11 0 R >> >>",
		appearanceObj("", textShow("State on")),
		appearanceObj("", textShow("State off")),
		appearanceObj("", textShow("Pressed "+id)))
	check(t, run(t, bodyInput(pdf), Limits{}), want{
		at:    map[string]string{"pdf:page1/annot2": "State off\nState on\nPressed " + id},
		clean: true,
	})
}

// TestPDFAppearanceWidgetValue: a form field's value and what its
// appearance draws differ: both are read. A kid's appearance that shows
// its field's /V (in the Parent) is not read again.
func TestPDFAppearanceWidgetValue(t *testing.T) {
	id := hkid("B", "234567")
	pdf := leftoverPDF(t, textShow("Form"), "[7 0 R 10 0 R]", "<< /Title (T) >>",
		"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (Wong Siu Ming) /Rect [0 0 200 20] /AP << /N 8 0 R >> >>",
		appearanceObj("<< /Font << /F1 3 0 R >> >>", "/Tx BMC "+textShow("Chan Tai Man "+id)+" EMC"),
		"<< /FT /Tx /T (ward) /V (Ward 7\rBed 12) /Kids [10 0 R] >>",
		"<< /Type /Annot /Subtype /Widget /Parent 9 0 R /Rect [0 0 200 20] /AP << /N 11 0 R >> >>",
		appearanceObj("", "BT /F1 12 Tf 14 TL 2 10 Td (Ward 7) Tj T* (Bed 12) Tj ET"))
	res := run(t, bodyInput(pdf), Limits{})
	check(t, res, want{
		at:    map[string]string{"pdf:objects": "Wong Siu Ming", "pdf:page1/annot1": "Chan Tai Man " + id},
		notAt: map[string]string{"pdf:page1/annot1": "Wong"},
		clean: true,
	})
	if got := originText(res, "pdf:page1/annot2"); got != "" {
		t.Errorf("the field's value read again from its appearance: %q", got)
	}
}

// TestPDFAppearanceSameAsContents: a FreeText's appearance draws its
// /Contents, wrapped on two lines: not emitted twice.
func TestPDFAppearanceSameAsContents(t *testing.T) {
	pdf := leftoverPDF(t, textShow("Visible text"), "[7 0 R]", "<< /Title (T) >>",
		"<< /Type /Annot /Subtype /FreeText /Rect [0 0 200 40] /DA (/F1 12 Tf) /Contents (Please call the ward  before noon) >>",
		appearanceObj("<< /Font << /F1 3 0 R >> >>", "BT /F1 12 Tf 14 TL 2 30 Td (Please call the ward) Tj T* (before noon) Tj ET BT /F1 12 Tf 2 2 Td (Visible text) Tj ET"))
	pdf = []byte(strings.Replace(string(pdf), "/Contents (Please", "/AP << /N 8 0 R >> /Contents (Please", 1))
	res := run(t, bodyInput(pdf), Limits{})
	check(t, res, want{at: map[string]string{"pdf:objects": "Please call the ward  before noon"}, clean: true})
	if got := originText(res, "pdf:page1/annot1"); got != "" {
		t.Errorf("an appearance repeating /Contents emitted: %q", got)
	}
}

// TestPDFAppearanceShared: 100 000 annotations sharing one appearance
// (and pages sharing one /Annots array, a shared dictionary of many
// states, a cyclic appearance dictionary): read once, in linear time.
func TestPDFAppearanceShared(t *testing.T) {
	const n = 100000
	id := hkid("C", "345678")
	var annots, states strings.Builder
	annots.WriteString("[")
	for range n {
		annots.WriteString("<< /Subtype /Stamp /AP << /N 8 0 R /D 9 0 R /R 10 0 R >> >> 7 0 R ")
	}
	annots.WriteString("]")
	states.WriteString("<< ")
	for i := range n {
		fmt.Fprintf(&states, "/S%d 8 0 R ", i)
	}
	states.WriteString("/Self 9 0 R >>")
	p := &pdfBuilder{}
	cat := p.add("<< /Type /Catalog /Pages 2 0 R >>")
	p.add("<< /Type /Pages /Kids [4 0 R 5 0 R 6 0 R] /Count 3 /Resources << /Font << /F1 3 0 R >> >> >>")
	p.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	for range 3 {
		p.add("<< /Type /Page /Parent 2 0 R /Annots 11 0 R >>")
	}
	p.set(4, "<< /Type /Page /Parent 2 0 R /Annots 11 0 R /Contents 12 0 R >>")
	p.add("<< /Subtype /Stamp /AP 13 0 R >>")
	p.add(appearanceObj("", textShow("Shared stamp "+id)))
	p.add(states.String())
	p.add("<< /On 10 0 R /Loop << /Again 10 0 R >> >>")
	p.add(annots.String())
	p.add(pdfStreamObj("", []byte(textShow("Page text"))))
	p.add("<< /N 9 0 R /D 10 0 R >>")
	start := time.Now()
	res := run(t, bodyInput(p.bytes("", cat)), Limits{})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("%d annotations sharing an appearance took %v", n, d)
	}
	check(t, res, want{at: map[string]string{"pdf:page1": "Page text", "pdf:page1/annot1": "Shared stamp " + id}, clean: true})
	if c := strings.Count(allText(res), id); c != 1 {
		t.Errorf("shared appearance read %d times, want once: %v", c, clip(strings.Join(origins(res), " ")))
	}
}

// TestPDFAppearanceOwnFonts: an appearance is read with the fonts of its
// own resources (a Type0 font with a ToUnicode CMap, under the name the
// page gives another font), else with the page's.
func TestPDFAppearanceOwnFonts(t *testing.T) {
	id := hkid("D", "456789")
	text := []rune("陳大文 " + id)
	var codes, dst strings.Builder
	for i, r := range text {
		fmt.Fprintf(&codes, "%04X", 0x0300+i)
		fmt.Fprintf(&dst, "<%04X>", r)
	}
	cmap := fmt.Sprintf("begincmap\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n1 beginbfrange\n<0300> <%04X> [%s]\nendbfrange\nendcmap\n", 0x0300+len(text)-1, dst.String())
	pdf := leftoverPDF(t, textShow("Visible text"), "[7 0 R 12 0 R]", "<< /Title (T) >>",
		"<< /Type /Annot /Subtype /FreeText /Rect [0 0 200 20] /AP << /N 8 0 R >> >>",
		appearanceObj("<< /Font << /F1 9 0 R >> >>", "BT /F1 12 Tf 2 5 Td <"+codes.String()+"> Tj ET"),
		"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [10 0 R] /ToUnicode 11 0 R >>",
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /DW 1000 >>",
		pdfStreamObj("/Filter /FlateDecode", flateBytes(t, []byte(cmap))),
		"<< /Type /Annot /Subtype /Square /Rect [0 0 9 9] /AP << /N 13 0 R >> >>",
		appearanceObj("", textShow("Page font")))
	check(t, run(t, bodyInput(pdf), Limits{}), want{
		at:    map[string]string{"pdf:page1/annot1": "陳大文 " + id, "pdf:page1/annot2": "Page font"},
		clean: true,
	})
}

// TestPDFAppearanceCyclicForms: forms an appearance runs are followed,
// each once, through a cycle and a form that runs itself.
func TestPDFAppearanceCyclicForms(t *testing.T) {
	id := hkid("E", "567890")
	pdf := leftoverPDF(t, textShow("Visible text"), "[7 0 R]", "<< /Title (T) >>",
		"<< /Type /Annot /Subtype /Stamp /Rect [0 0 200 20] /AP << /N 8 0 R >> >>",
		appearanceObj("<< /XObject << /X1 9 0 R >> >>", "/X1 Do "+textShow("Outer")),
		appearanceObj("<< /XObject << /X2 10 0 R /X1 9 0 R >> >>", textShow("First "+id)+" /X1 Do /X2 Do"),
		appearanceObj("<< /XObject << /X1 9 0 R /X2 10 0 R >> >>", textShow("Second")+" /X2 Do /X1 Do"))
	res := run(t, bodyInput(pdf), Limits{})
	check(t, res, want{at: map[string]string{"pdf:page1/annot1": "First " + id + "\nSecond\nOuter"}, clean: true})
	if c := strings.Count(allText(res), id); c != 1 {
		t.Errorf("form in a cycle read %d times, want once", c)
	}
}

// TestPDFAppearanceUndecodable: an appearance that does not decode is
// reported at the annotation, not skipped.
func TestPDFAppearanceUndecodable(t *testing.T) {
	pdf := leftoverPDF(t, textShow("Visible text"), "[7 0 R]", "<< /Title (T) >>",
		"<< /Type /Annot /Subtype /Stamp /Rect [0 0 200 20] /AP << /N 8 0 R >> >>",
		pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 9 9] /Filter /FlateDecode", []byte("\xff\xff\xff\xff\xff\xff")))
	// And a form it runs that does not decode.
	ran := leftoverPDF(t, textShow("Visible text"), "[7 0 R]", "<< /Title (T) >>",
		"<< /Type /Annot /Subtype /Stamp /Rect [0 0 200 20] /AP << /N 8 0 R >> >>",
		appearanceObj("<< /XObject << /X1 9 0 R >> >>", textShow("Stamp text")+" /X1 Do"),
		pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 9 9] /Filter /FlateDecode", []byte("\xff\xff\xff\xff\xff\xff")))
	for _, pdf := range [][]byte{pdf, ran} {
		res := run(t, bodyInput(pdf), Limits{})
		check(t, res, want{at: map[string]string{"pdf:page1": "Visible text"}, problems: []ProblemKind{Unreadable}})
		for _, p := range res.Problems {
			if p.Kind == Unreadable && p.Origin != "pdf:page1/annot1" {
				t.Errorf("problem at %s, want pdf:page1/annot1: %+v", p.Origin, p)
			}
		}
	}
}

// TestPDFAppearanceManyUndecodable: a thousand annotations each with an
// appearance that does not decode are reported, in a bounded number of
// problems.
func TestPDFAppearanceManyUndecodable(t *testing.T) {
	const n = 1000
	var annots strings.Builder
	var extra []string
	annots.WriteString("[")
	for i := range n {
		fmt.Fprintf(&annots, "<< /Subtype /Stamp /AP << /N %d 0 R >> >> ", 7+i)
		extra = append(extra, pdfStreamObj("/Subtype /Form /Filter /FlateDecode", []byte("\xff\xff\xff\xff\xff\xff")))
	}
	annots.WriteString("]")
	res := run(t, bodyInput(leftoverPDF(t, textShow("Visible text"), annots.String(), "<< /Title (T) >>", extra...)), Limits{})
	check(t, res, want{at: map[string]string{"pdf:page1": "Visible text"}, problems: []ProblemKind{Unreadable}})
	if len(res.Problems) > maxUnreadable+2 {
		t.Errorf("%d problems for %d broken appearances", len(res.Problems), n)
	}
}

// TestPDFPatternAndGlyphText: a tiling pattern and a Type3 glyph the
// page's resources name, drawing text, are read under the page; a shading
// pattern is not content.
func TestPDFPatternAndGlyphText(t *testing.T) {
	id := hkid("G", "678901")
	p := &pdfBuilder{}
	cat := p.add("<< /Type /Catalog /Pages 2 0 R >>")
	p.add("<< /Type /Pages /Kids [4 0 R] /Count 1 >>")
	p.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	p.add("<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << /Font << /F1 3 0 R /T3 7 0 R >> /Pattern << /P1 6 0 R /P2 9 0 R >> >> >>")
	p.add(pdfStreamObj("", []byte("/Pattern cs /P1 scn 0 0 9 9 re f BT /T3 12 Tf 72 700 Td (a) Tj ET "+textShow("Page text"))))
	p.add(pdfStreamObj("/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 9 9] /XStep 9 /YStep 9 /Resources << /Font << /F1 3 0 R >> >>", []byte(textShow("Tile "+id))))
	p.add("<< /Type /Font /Subtype /Type3 /FontBBox [0 0 9 9] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << /a 8 0 R >> /Encoding << /Differences [97 /a] >> /FirstChar 97 /LastChar 97 /Widths [500] /Resources << /Font << /F1 3 0 R >> >> >>")
	p.add(pdfStreamObj("", []byte("500 0 d0 "+textShow("Glyph text"))))
	p.add("<< /PatternType 2 /Shading << /ShadingType 2 /ColorSpace /DeviceRGB /Coords [0 0 1 1] /Function << /FunctionType 2 /Domain [0 1] /N 1 >> >> >>")
	res := run(t, bodyInput(p.bytes("", cat)), Limits{})
	check(t, res, want{
		at:    map[string]string{"pdf:page1": "Page text", "pdf:page1/patterns": "Tile " + id, "pdf:page1/glyphs": "Glyph text"},
		clean: true,
	})
	for _, o := range origins(res) {
		if o == "pdf:unused" {
			t.Errorf("pattern or glyph read again as unused: %q", originText(res, o))
		}
	}
}

// TestPDFAppearanceOffPage: a widget no page lists (only the form's
// /Fields name it) draws text no viewer shows: read under pdf:annots,
// not as unused.
func TestPDFAppearanceOffPage(t *testing.T) {
	id := hkid("H", "789012")
	p := &pdfBuilder{}
	cat := p.add("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>")
	p.add("<< /Type /Pages /Kids [4 0 R] /Count 1 >>")
	p.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	p.add("<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << /Font << /F1 3 0 R >> >> >>")
	p.add(pdfStreamObj("", []byte(textShow("Page text"))))
	p.add("<< /Type /Annot /Subtype /Widget /FT /Tx /T (f) /V (Blank) /Rect [0 0 9 9] /AP << /N 7 0 R >> >>")
	p.add(appearanceObj("", textShow("Off page "+id)))
	res := run(t, bodyInput(p.bytes("", cat)), Limits{})
	check(t, res, want{at: map[string]string{"pdf:page1": "Page text", "pdf:annots": "Off page " + id}, clean: true})
	if c := strings.Count(allText(res), id); c != 1 {
		t.Errorf("off-page appearance read %d times: %v", c, origins(res))
	}
}

// TestPDFPatternInForm: a tiling pattern a form the page runs names is
// read under the page.
func TestPDFPatternInForm(t *testing.T) {
	id := hkid("K", "890123")
	pdf := leftoverPDF(t, textShow("Visible text")+" /X1 Do", "", "<< /Title (T) >>",
		appearanceObj("<< /Pattern << /P1 8 0 R >> >>", "/Pattern cs /P1 scn 0 0 9 9 re f"),
		pdfStreamObj("/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 9 9] /XStep 9 /YStep 9", []byte(textShow("Tiled "+id))))
	pdf = []byte(strings.Replace(string(pdf), "/Resources << /Font << /F1 3 0 R >> >>", "/Resources << /Font << /F1 3 0 R >> /XObject << /X1 7 0 R >> >>", 1))
	check(t, run(t, bodyInput(pdf), Limits{}), want{at: map[string]string{"pdf:page1": "Visible text", "pdf:page1/patterns": "Tiled " + id}, clean: true})
}
