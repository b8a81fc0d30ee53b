package extract

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// scanAll renders the token stream compactly: <name attrs> </name> "text".
func scanAll(r io.Reader) string {
	sc := newXMLScanner(r)
	var tok xmlTok
	var sb strings.Builder
	for {
		sc.next(&tok)
		switch tok.kind {
		case xmlNone:
			return sb.String()
		case xmlStart:
			sb.WriteString("<" + string(tok.local) + ">")
		case xmlSelfClose:
			sb.WriteString("<" + string(tok.local) + "/>")
		case xmlEnd:
			sb.WriteString("</" + string(tok.local) + ">")
		case xmlChars:
			sb.WriteString(`"` + string(tok.text) + `"`)
		}
	}
}

func TestXMLScanner(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"prefixes and self-closing", `<?xml version="1.0"?><w:p><w:r><w:t>a</w:t><w:tab/></w:r></w:p>`, `<p><r><t>"a"</t><tab/></r></p>`},
		{"entities", `<t>A &amp; B &lt;x&gt; &#39540; &#x9999; &quot;&apos; &bogus; & x</t>`, `<t>"A & B <x> 驴 香 "' &bogus; & x"</t>`},
		{"cdata and comments", `<t><!-- <t>no</t> --><![CDATA[<raw> & ]]></t><!DOCTYPE x>`, `<t>"<raw> & "</t>`},
		{"quoted gt in attribute", `<c r="A1" v='x>y' t="s"><v>3</v></c>`, `<c><v>"3"</v></c>`},
		{"truncated", `<row><c><v>12`, `<row><c><v>"12"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := scanAll(strings.NewReader(tc.in)); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			// Refills at every byte must not change the tokens.
			if got := scanAll(iotest.OneByteReader(strings.NewReader(tc.in))); got != tc.want {
				t.Errorf("one-byte reads: got %s", got)
			}
		})
	}
	var tok xmlTok
	sc := newXMLScanner(strings.NewReader(`<c r="B7" s = '2' t="inlineStr" x:foo="&amp;">`))
	sc.next(&tok)
	for name, want := range map[string]string{"r": "B7", "s": "2", "t": "inlineStr", "foo": "&"} {
		if v, ok := tok.attr(name); !ok || v != want {
			t.Errorf("attr %s = %q, %v; want %q", name, v, ok, want)
		}
	}
	if _, ok := tok.attr("missing"); ok {
		t.Error("missing attribute found")
	}
}

func FuzzXMLScan(f *testing.F) {
	f.Add([]byte(`<w:p><w:r><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p>`))
	f.Add([]byte(`<![CDATA[x]]><!-- c --><?pi?><a b='>'/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		whole := scanAll(bytes.NewReader(data))
		if bytewise := scanAll(iotest.OneByteReader(bytes.NewReader(data))); bytewise != whole {
			t.Fatalf("chunking changed tokens:\n%q\n%q", whole, bytewise)
		}
	})
}

// The one-pass tag end agrees with the byte-by-byte scan on every input.
func FuzzTagEnd(f *testing.F) {
	for _, s := range []string{`<c r="A1" t="s">`, `<a b='>'/>`, `<a b="x>y" c='1'>`, `<a b="it's">`, `<a b="`, `<a>`, `<a b=">`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		data = append([]byte("<"), data...)
		fast := &xmlScanner{r: bytes.NewReader(data), buf: make([]byte, 16)}
		slow := &xmlScanner{r: bytes.NewReader(data), buf: make([]byte, 16)}
		fast.fill()
		slow.fill()
		if a, b := fast.tagEnd(), slow.tagEndSlow(); a != b {
			t.Fatalf("%q: tagEnd %d, byte scan %d", data, a, b)
		}
	})
}

// tagEndSlow is the byte-by-byte tag end (the scanner's before the
// one-pass tagEnd): the reference FuzzTagEnd checks tagEnd against.
func (s *xmlScanner) tagEndSlow() int {
	var quote byte
	for i := 1; ; i++ {
		if s.pos+i >= s.end {
			if !s.fill() {
				return -1
			}
		}
		c := s.buf[s.pos+i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
}
