package proxy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"time"

	"github.com/dlpgate/dlpgate/audit"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/proxy/wsframe"
	"github.com/dlpgate/dlpgate/rules"
)

// wsMaxMessage bounds one WebSocket message held for inspection. Chat
// messages are small; a larger one is decided by the oversize action.
const wsMaxMessage = 4 << 20

// prepareWebSocket strips compression offers from an upgrade request to an
// in-scope host, so frames stay plain and cheap to inspect.
func (s *Server) prepareWebSocket(req *http.Request) {
	wsframe.StripCompression(req.Header)
}

// wrapWebSocket wraps the upstream side of an upgraded connection (the 101
// response body goproxy relays through) so that every client-to-server
// message is inspected before it goes upstream; blocked messages are
// audited and end the connection with a close frame naming the rule.
func (s *Server) wrapWebSocket(req *http.Request, resp *http.Response, info *connInfo, body io.ReadWriteCloser) io.ReadWriteCloser {
	eng := s.opts.Engine() // the connection keeps the engine it started with
	host := normalizeHost(req.URL.Host)
	if host == "" {
		host = info.host
	}
	endpoint, _ := eng.Policy.Route(host, req.URL.Path)
	if endpoint == "" {
		endpoint = info.endpoint
	}
	_, failOpen := limits(eng)
	oversizeBlock := eng.Oversize(rules.Request{Host: host, Endpoint: endpoint, Time: time.Now()}).Action == rules.Block
	// The relay outlives the request: a context of its own, ended by Close.
	ctx, cancel := context.WithCancel(context.Background())
	inspectMsg := func(ctx context.Context, m wsframe.Message) wsframe.Verdict {
		rq := rules.Request{
			User: info.user, Groups: info.groups, ClientIP: info.client,
			Host: host, Method: "WEBSOCKET", Path: req.URL.Path, Endpoint: endpoint, Time: time.Now(),
		}
		ct := "application/json"
		if !m.Text {
			ct = "application/octet-stream"
		}
		held := &heldBody{mem: m.Data, size: int64(len(m.Data))}
		res, err := eng.Inspect(ctx, rq, extract.Input{ContentType: ct, Body: held, Size: held.size, Origin: "websocket"})
		if err != nil {
			return wsframe.Verdict{Block: true, Reason: "dlpgate: inspection interrupted"}
		}
		dec := res.Decision
		ev := s.newEvent(info, req, rq, dec, "websocket")
		ev.Method = "WEBSOCKET"
		ev.RuleDescription = ruleDescription(eng.Policy, dec.Rule)
		ev.Findings = res.Findings
		ev.BodyBytes = held.size
		ev.BodySHA256 = sha256Hex(m.Data)
		s.logDecision(ev, time.Since(rq.Time))
		if ev.Action != audit.ActionAllow {
			if err := s.record(ctx, ev); err != nil && !failOpen {
				return wsframe.Verdict{Block: true, Reason: "blocked by dlpgate: audit log unavailable; event " + ev.ID}
			}
		}
		if dec.Action == rules.Block {
			return wsframe.Verdict{Block: true, Reason: "blocked by dlpgate: rule " + dec.Rule + "; event " + ev.ID}
		}
		return wsframe.Verdict{}
	}
	w := wsframe.Wrap(ctx, body, wsframe.Options{
		MaxMessage:    wsMaxMessage,
		OversizeBlock: oversizeBlock,
		Extensions:    resp.Header.Get("Sec-WebSocket-Extensions"),
		Logger:        s.log.With("component", "wsframe", "host", host),
		OnOversize: func(ctx context.Context, o wsframe.Oversize) {
			rq := rules.Request{User: info.user, Groups: info.groups, ClientIP: info.client, Host: host, Method: "WEBSOCKET", Path: req.URL.Path, Endpoint: endpoint, Time: time.Now()}
			dec := eng.Oversize(rq)
			ev := s.newEvent(info, req, rq, dec, "websocket")
			ev.Method = "WEBSOCKET"
			ev.BodyBytes = o.Size
			s.logDecision(ev, 0)
			if ev.Action != audit.ActionAllow {
				s.record(ctx, ev)
			}
		},
	}, inspectMsg)
	return &cancelOnClose{ReadWriteCloser: w, cancel: cancel}
}

type cancelOnClose struct {
	io.ReadWriteCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadWriteCloser.Close()
	c.cancel()
	return err
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
