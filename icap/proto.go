package icap

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
)

// Limits of what one ICAP request may carry before the body.
const (
	maxHeaderBytes     = 64 << 10 // ICAP request line and headers
	maxHTTPHeaderBytes = 64 << 10 // the encapsulated HTTP request header
	maxChunkLine       = 1024     // one chunk-size line with its extensions
)

// statusError is a protocol problem answered with an ICAP status code.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return fmt.Sprintf("icap %d: %s", e.code, e.msg) }

func protoErr(code int, format string, args ...any) error {
	return &statusError{code: code, msg: fmt.Sprintf(format, args...)}
}

// icapStatusText names the ICAP status codes dlpgate answers with (RFC 3507 4.3.3).
func icapStatusText(code int) string {
	switch code {
	case 100:
		return "Continue"
	case 200:
		return "OK"
	case 204:
		return "No Content"
	case 400:
		return "Bad Request"
	case 403:
		return "Forbidden"
	case 404:
		return "ICAP Service Not Found"
	case 405:
		return "Method Not Allowed For Service"
	case 408:
		return "Request Timeout"
	case 413:
		return "Request Entity Too Large"
	case 500:
		return "Server Error"
	case 501:
		return "Method Not Implemented"
	case 503:
		return "Service Overloaded"
	case 505:
		return "ICAP Version Not Supported"
	}
	return http.StatusText(code)
}

// section is one entry of the Encapsulated header.
type section struct {
	name   string // req-hdr, req-body, null-body, res-hdr, res-body, opt-body
	offset int
}

// request is one ICAP request up to (not including) its body.
type request struct {
	Method string
	URI    *url.URL
	Header textproto.MIMEHeader
	// Sections of the Encapsulated header, in order.
	Sections []section
	// HTTPHeader is the encapsulated HTTP request header as sent (echoed
	// back verbatim when the request passes without 204).
	HTTPHeader []byte
	// HTTP is HTTPHeader parsed; its Body is not set.
	HTTP *http.Request
	// HasBody: a req-body section follows, ICAP-chunked.
	HasBody bool
	// Preview is the Preview header's size, -1 without one.
	Preview int
}

func (r *request) allow204() bool {
	for _, v := range r.Header.Values("Allow") {
		for f := range strings.SplitSeq(v, ",") {
			if strings.TrimSpace(f) == "204" {
				return true
			}
		}
	}
	return false
}

func (r *request) wantsClose() bool {
	for _, v := range r.Header.Values("Connection") {
		if strings.EqualFold(strings.TrimSpace(v), "close") {
			return true
		}
	}
	return false
}

// readRequest reads one ICAP request's line, headers and encapsulated HTTP
// header from br. io.EOF means the client closed between requests. A
// *statusError names the status to answer with; after any error the
// connection cannot be trusted to be in sync and must be closed.
func readRequest(br *bufio.Reader) (*request, error) {
	lr := &limitedLines{br: br, left: maxHeaderBytes}
	line, err := lr.readLine()
	if err != nil {
		return nil, err
	}
	for line == "" { // tolerate blank lines between pipelined requests
		if line, err = lr.readLine(); err != nil {
			return nil, err
		}
	}
	method, rest, ok1 := strings.Cut(line, " ")
	rawURI, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || method == "" || rawURI == "" {
		return nil, protoErr(400, "malformed request line")
	}
	if proto != "ICAP/1.0" {
		if strings.HasPrefix(proto, "ICAP/") {
			return nil, protoErr(505, "version %q not supported", clip(proto))
		}
		return nil, protoErr(400, "not an ICAP request line")
	}
	u, err := url.Parse(rawURI)
	if err != nil || u.Scheme != "icap" && u.Scheme != "icaps" {
		return nil, protoErr(400, "request URI is not icap://")
	}
	hdr, err := lr.readHeader()
	if err != nil {
		return nil, err
	}
	r := &request{Method: method, URI: u, Header: hdr, Preview: -1}
	if p := hdr.Get("Preview"); p != "" {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 || n > 1<<20 {
			return nil, protoErr(400, "bad Preview %q", clip(p))
		}
		r.Preview = n
	}
	if enc := hdr.Get("Encapsulated"); enc != "" {
		if r.Sections, err = parseEncapsulated(enc); err != nil {
			return nil, err
		}
	} else if method == "REQMOD" || method == "RESPMOD" {
		return nil, protoErr(400, "missing Encapsulated header")
	}
	if method != "REQMOD" {
		return r, nil // OPTIONS has no HTTP header; RESPMOD is refused by the caller
	}
	return r, r.readHTTP(br)
}

// readHTTP reads the encapsulated HTTP request header that the Encapsulated
// header announces, and notes whether a body follows.
func (r *request) readHTTP(br *bufio.Reader) error {
	s := r.Sections
	switch {
	case len(s) == 2 && s[0].name == "req-hdr" && (s[1].name == "req-body" || s[1].name == "null-body"):
	case len(s) == 1 && (s[0].name == "req-body" || s[0].name == "null-body"):
		// No HTTP header: nothing to attribute or scope. Refuse.
		return protoErr(400, "REQMOD without req-hdr")
	default:
		return protoErr(400, "Encapsulated does not describe a request modification")
	}
	n := s[1].offset
	if n <= 0 || n > maxHTTPHeaderBytes {
		return protoErr(400, "encapsulated HTTP header of %d bytes", n)
	}
	r.HTTPHeader = make([]byte, n)
	if _, err := io.ReadFull(br, r.HTTPHeader); err != nil {
		return fmt.Errorf("read encapsulated HTTP header: %w", err)
	}
	if !bytes.HasSuffix(r.HTTPHeader, []byte("\r\n\r\n")) && !bytes.HasSuffix(r.HTTPHeader, []byte("\n\n")) {
		return protoErr(400, "encapsulated HTTP header does not end where Encapsulated says")
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(r.HTTPHeader)))
	if err != nil {
		return protoErr(400, "encapsulated HTTP request: %v", clip(err.Error()))
	}
	req.Body = nil
	r.HTTP = req
	r.HasBody = s[1].name == "req-body"
	return nil
}

// parseEncapsulated reads "req-hdr=0, req-body=412": names known, offsets
// increasing from 0, a body section (or null-body) only last.
func parseEncapsulated(v string) ([]section, error) {
	var out []section
	for f := range strings.SplitSeq(v, ",") {
		name, off, ok := strings.Cut(strings.TrimSpace(f), "=")
		n, err := strconv.Atoi(strings.TrimSpace(off))
		if !ok || err != nil || n < 0 {
			return nil, protoErr(400, "bad Encapsulated entry %q", clip(f))
		}
		name = strings.ToLower(strings.TrimSpace(name))
		switch name {
		case "req-hdr", "res-hdr", "req-body", "res-body", "null-body", "opt-body":
		default:
			return nil, protoErr(400, "unknown Encapsulated entity %q", clip(name))
		}
		if len(out) > 0 && n < out[len(out)-1].offset || len(out) == 0 && n != 0 {
			return nil, protoErr(400, "Encapsulated offsets out of order")
		}
		if len(out) > 0 && strings.HasSuffix(out[len(out)-1].name, "body") {
			return nil, protoErr(400, "Encapsulated entity after a body")
		}
		out = append(out, section{name, n})
		if len(out) > 4 {
			return nil, protoErr(400, "too many Encapsulated entities")
		}
	}
	return out, nil
}

// limitedLines reads CRLF lines from br, at most left bytes in all.
type limitedLines struct {
	br   *bufio.Reader
	left int
}

func (l *limitedLines) readLine() (string, error) {
	var line []byte
	for {
		b, err := l.br.ReadSlice('\n')
		l.left -= len(b)
		if l.left < 0 {
			return "", protoErr(400, "ICAP header larger than %d bytes", maxHeaderBytes)
		}
		line = append(line, b...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		break
	}
	line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
	return string(line), nil
}

// readHeader reads MIME header lines up to the blank line. Continuation
// lines are folded into the previous header.
func (l *limitedLines) readHeader() (textproto.MIMEHeader, error) {
	h := make(textproto.MIMEHeader)
	var last string
	for n := 0; ; n++ {
		line, err := l.readLine()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if line == "" {
			return h, nil
		}
		if n > 200 {
			return nil, protoErr(400, "too many ICAP headers")
		}
		if line[0] == ' ' || line[0] == '\t' {
			if last == "" {
				return nil, protoErr(400, "continuation line without a header")
			}
			vs := h[last]
			vs[len(vs)-1] += " " + strings.TrimSpace(line)
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, protoErr(400, "malformed header line")
		}
		last = textproto.CanonicalMIMEHeaderKey(k)
		h.Add(last, strings.TrimSpace(v))
	}
}

// chunkReader decodes an ICAP-chunked body (RFC 3507 4.5): HTTP/1.1
// chunks where the last one may carry the "ieof" extension. One call of
// copyChunks reads up to and including a zero-size chunk.
type chunkReader struct {
	br  *bufio.Reader
	buf []byte // copy buffer (nil: io.CopyN's own per chunk)
}

// copyChunks copies chunk data to w until the zero-size chunk. ieof reports
// a "0; ieof" terminator (in a preview: the whole body was sent). max bounds
// the bytes accepted (-1: none); more is a protocol error.
func (c chunkReader) copyChunks(w io.Writer, max int64) (n int64, ieof bool, err error) {
	for {
		line, err := c.line()
		if err != nil {
			return n, false, err
		}
		sizeStr, ext, _ := strings.Cut(line, ";")
		sizeStr = strings.TrimSpace(sizeStr)
		if sizeStr == "" || len(sizeStr) > 15 {
			return n, false, protoErr(400, "bad chunk size")
		}
		size, perr := strconv.ParseInt(sizeStr, 16, 64)
		if perr != nil || size < 0 {
			return n, false, protoErr(400, "bad chunk size")
		}
		if size == 0 {
			for e := range strings.SplitSeq(ext, ";") {
				if strings.EqualFold(strings.TrimSpace(e), "ieof") {
					ieof = true
				}
			}
			// Trailers (none expected) up to the blank line.
			for {
				t, err := c.line()
				if err != nil {
					return n, ieof, err
				}
				if t == "" {
					return n, ieof, nil
				}
			}
		}
		if max >= 0 && n+size > max {
			return n, false, protoErr(400, "more data than the preview announced")
		}
		var m int64
		if c.buf != nil {
			m, err = io.CopyBuffer(w, io.LimitReader(c.br, size), c.buf)
			if err == nil && m < size {
				err = io.EOF
			}
		} else {
			m, err = io.CopyN(w, c.br, size)
		}
		n += m
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, false, fmt.Errorf("read chunk: %w", err)
		}
		if t, err := c.line(); err != nil {
			return n, false, err
		} else if t != "" {
			return n, false, protoErr(400, "chunk data longer than its size")
		}
	}
}

func (c chunkReader) line() (string, error) {
	b, err := c.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull || len(b) > maxChunkLine {
		return "", protoErr(400, "chunk line too long")
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return "", fmt.Errorf("read chunk line: %w", err)
	}
	return string(bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))), nil
}

// isStatus reports an error that should be answered with its ICAP code.
func isStatus(err error) (*statusError, bool) {
	var se *statusError
	ok := errors.As(err, &se)
	return se, ok
}

func clip(s string) string {
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return strconv.Quote(s)
}
