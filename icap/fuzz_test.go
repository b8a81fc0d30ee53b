package icap

import (
	"bufio"
	"bytes"
	"io"
	"testing"
)

// FuzzParse: the request parser and the chunk decoder never panic, never
// read past their limits, and a request they accept is well formed.
func FuzzParse(f *testing.F) {
	body := []byte("hello world")
	for _, m := range []icapMsg{
		{headers: []string{"Allow: 204"}, http: httpPost(robotURL, "text/plain", len(body)), body: body, preview: 0},
		{http: httpPost(robotURL, "text/plain", len(body)), body: body, preview: 4096, chunk: 3},
		{http: httpPost(robotURL, "text/plain", len(body)), body: body, preview: -1},
		{http: "GET https://oapi.dingtalk.com/x?a=1 HTTP/1.1\r\nHost: oapi.dingtalk.com\r\n\r\n", noBody: true, preview: -1},
	} {
		first, rest := m.encode()
		f.Add(append(first, rest...))
	}
	f.Add([]byte("OPTIONS icap://h/reqmod ICAP/1.0\r\nEncapsulated: null-body=0\r\n\r\n"))
	f.Add([]byte("REQMOD icap://h/reqmod ICAP/1.0\r\nEncapsulated: req-hdr=0, req-body=40\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\n\r\nffffffffffffffff\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReader(bytes.NewReader(data))
		for range 4 { // a few pipelined requests
			req, err := readRequest(br)
			if err != nil {
				return
			}
			if req.Method == "REQMOD" && req.HTTP == nil {
				t.Fatalf("REQMOD accepted without an HTTP request")
			}
			if len(req.HTTPHeader) > maxHTTPHeaderBytes {
				t.Fatalf("HTTP header of %d bytes accepted", len(req.HTTPHeader))
			}
			if !req.HasBody {
				continue
			}
			max := int64(-1)
			if req.Preview >= 0 {
				max = int64(req.Preview)
			}
			n, _, err := (chunkReader{br: br, buf: make([]byte, 1+len(data)%4096)}).copyChunks(io.Discard, max)
			if max >= 0 && n > max {
				t.Fatalf("preview of %d bytes accepted past Preview: %d", n, max)
			}
			if n > int64(len(data)) {
				t.Fatalf("decoded %d bytes from %d", n, len(data))
			}
			if err != nil {
				return
			}
		}
	})
}
