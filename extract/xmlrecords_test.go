package extract

import (
	"slices"
	"strings"
	"testing"
)

func noStop() bool { return false }

// A record of leaf elements or attributes is one tab-joined line; prose
// with inline markup stays in order on one line; nothing xmlText reads is
// lost.
func TestXMLRecordsText(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"elements", `<customers><c><name>Chan Tai Man</name><phone>9123 4567</phone></c><c><name>Lee Siu Ming</name><phone>6123 4567</phone></c></customers>`,
			"Chan Tai Man\t9123 4567\nLee Siu Ming\t6123 4567\n"},
		{"attributes", `<rows><row name="Chan Tai Man" phone="9123 4567"/><row name="Lee Siu Ming" phone="6123 4567"/></rows>`,
			"Chan Tai Man\t9123 4567\nLee Siu Ming\t6123 4567\n"},
		{"mixed content", `<doc><p>The <b>quarterly</b> plan is <i>final</i>.</p></doc>`, "The quarterly plan is final .\n"},
		{"nested records", `<db><c><name>A</name><addr><street>1 Main St</street><city>HK</city></addr></c></db>`, "1 Main St\tHK\nA\n"},
		{"unclosed", `<c><name>Chan Tai Man</name><phone>9123 4567`, "Chan Tai Man\t9123 4567\n"},
		{"text at the root", `hello <a>x</a>`, "hello\nx\n"},
	} {
		if got := xmlRecordsText(strings.NewReader(c.in), noStop); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// Deeper than the frame limit: read flat, not lost, no stack blow-up.
	deep := strings.Repeat("<a>", 20000) + "bottom" + strings.Repeat("</a>", 20000)
	if got := xmlRecordsText(strings.NewReader(deep), noStop); !strings.Contains(got, "bottom") {
		t.Errorf("deep document lost its text: %q", got[:min(len(got), 80)])
	}
}

// xmlWords is extracted XML text as a sorted list of its words: the joining
// (lines, tabs, spaces) left out.
func xmlWords(s string) []string {
	v := strings.Fields(s)
	slices.Sort(v)
	return v
}

// xmlRecordsText reads every value xmlText reads (only the joining
// differs).
func FuzzXMLRecordsText(f *testing.F) {
	f.Add(`<customers><c><name>Chan Tai Man</name><phone>9123 4567</phone></c></customers>`)
	f.Add(`<r a="xy" b="zz"/><p>t <b>u</b> v</p>`)
	f.Add(`<a><b>1</b>2<c>3</c></a>`)
	f.Fuzz(func(t *testing.T, doc string) {
		want := xmlWords(xmlText(strings.NewReader(doc), noStop))
		got := xmlWords(xmlRecordsText(strings.NewReader(doc), noStop))
		if !slices.Equal(got, want) {
			t.Fatalf("words differ:\n%q\nwant\n%q", got, want)
		}
	})
}
