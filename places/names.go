package places

import (
	"io"
	"mime"
	"mime/multipart"
	"net"
	"strings"
)

// MultipartFileNames lists the file names of a multipart body's parts (part
// headers only; contents are skipped), at most 100, for audit events; nil
// when contentType is not multipart.
func MultipartFileNames(contentType string, body io.Reader) []string {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.HasPrefix(mt, "multipart/") || params["boundary"] == "" {
		return nil
	}
	mr := multipart.NewReader(body, params["boundary"])
	var names []string
	for len(names) < 100 {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		if fn := p.FileName(); fn != "" {
			names = append(names, fn)
		}
		p.Close()
	}
	return names
}

// NormalizeHost is a request's host as the scope catalogue matches it:
// without port, brackets or a trailing dot, in lower case.
func NormalizeHost(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
}
