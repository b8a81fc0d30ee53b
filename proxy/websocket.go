package proxy

import (
	"io"
	"net/http"
)

// prepareWebSocket readies an upgrade request to an in-scope host for
// inspection. PLACEHOLDER until proxy/wsframe lands: the relay stays
// goproxy's plain byte relay.
func (s *Server) prepareWebSocket(req *http.Request) {}

// wrapWebSocket wraps the upstream side of an upgraded connection so that
// every client-to-server message is inspected. PLACEHOLDER (see above).
func (s *Server) wrapWebSocket(req *http.Request, info *connInfo, body io.ReadWriteCloser) io.ReadWriteCloser {
	return body
}
