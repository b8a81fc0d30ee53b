package testgen

import (
	"bytes"
	"strings"
)

// Part is one part of a multipart body: its header lines ("\n" between
// them, written with the body's line ends) and its content.
type Part struct {
	Header string
	Body   []byte
}

// Multipart frames parts with boundary and line ends nl: preamble pre, then
// the close delimiter and epilogue epi unless open (a body cut short).
func Multipart(boundary, nl, pre string, parts []Part, open bool, epi string) []byte {
	var b bytes.Buffer
	b.WriteString(pre)
	for i, p := range parts {
		if i > 0 || pre != "" {
			b.WriteString(nl)
		}
		b.WriteString("--" + boundary + nl)
		if p.Header != "" {
			b.WriteString(strings.ReplaceAll(p.Header, "\n", nl) + nl)
		}
		b.WriteString(nl)
		b.Write(p.Body)
	}
	if !open {
		b.WriteString(nl + "--" + boundary + "--" + nl + epi)
	}
	return b.Bytes()
}

// FormField is a form-data part holding a field's value.
func FormField(name, value string) Part {
	return Part{`Content-Disposition: form-data; name="` + name + `"`, []byte(value)}
}

// FormFile is a form-data part holding a file (ctype "": no Content-Type).
func FormFile(name, filename, ctype string, body []byte) Part {
	h := `Content-Disposition: form-data; name="` + name + `"; filename="` + filename + `"`
	if ctype != "" {
		h += "\nContent-Type: " + ctype
	}
	return Part{h, body}
}
