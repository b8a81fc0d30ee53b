package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/elazarl/goproxy"

	"github.com/dlpgate/dlpgate/audit"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/places"
	"github.com/dlpgate/dlpgate/rules"
)

// Scope actions a policy endpoint may name.
const (
	scopeInspect = "inspect"
	scopeTunnel  = "tunnel"
	scopeBlock   = "block"
)

// identity is who sent a proxy request, set by ServeHTTP.
type identity struct {
	user   string
	groups []string
	client netip.Addr
}

type identityKey struct{}

// tunnelKey carries a blind tunnel's connInfo from handleConnect to connectDial.
type tunnelKey struct{}

// connInfo travels in goproxy's ctx.UserData, which v1.9.3 copies into
// every request read from an intercepted connection.
type connInfo struct {
	identity
	host     string // CONNECT (or request) host, no port
	endpoint string // endpoint group from the scope decision
	action   string // inspect, tunnel or block
	// mitm is set for requests read from an intercepted CONNECT.
	mitm bool
	// conn is the client connection of an intercepted CONNECT, if tracked.
	conn *trackedConn
	// anyHost: an intercepted CONNECT to a bare address without a TLS
	// server name; its requests may name any host.
	anyHost bool
}

// gpLogger routes goproxy's Printf logs to slog at debug level, with secrets
// in URLs (its errors quote them) redacted.
type gpLogger struct{ l *slog.Logger }

func (g gpLogger) Printf(format string, v ...any) {
	msg := redactText(fmt.Sprintf(format, v...))
	if strings.Contains(msg, "Cannot handshake client") {
		// Pinned apps and endpoints without our CA fail here; admins need
		// to see it to choose "tunnel" for such a host.
		g.l.Warn("TLS interception failed: the client rejected dlpgate's certificate (certificate pinning, or the CA is not trusted on that endpoint); set the host's endpoint action to tunnel to bypass it",
			"detail", strings.TrimSpace(msg), "component", "goproxy")
		return
	}
	g.l.Debug(msg, "component", "goproxy")
}

var digitsInText = regexp.MustCompile(`[0-9]{6,}`)

var secretInText = regexp.MustCompile(`(?i)([?&][^=&\s"']*(?:token|secret|password|sign|timestamp|session|accesskey|code|key)[^=&\s"']*=)[^&\s"']*`)

// redactText masks query secrets inside free text such as url.Error messages.
// Long digit runs (an identifier in a URL path quoted by an error) keep
// their first two digits.
func redactText(s string) string {
	s = secretInText.ReplaceAllString(s, "${1}"+redacted)
	return digitsInText.ReplaceAllStringFunc(s, func(d string) string { return d[:2] + strings.Repeat("*", len(d)-2) })
}

func (s *Server) newGoproxy() *goproxy.ProxyHttpServer {
	gp := goproxy.NewProxyHttpServer()
	gp.Logger = gpLogger{s.log}
	gp.Tr = s.tr
	gp.ConnectDial = nil // it read HTTPS_PROXY without NO_PROXY; ours below honours both
	gp.ConnectDialWithReq = s.connectDial
	gp.KeepAcceptEncoding = true // bodies pass through as the server encodes them
	gp.AllowHTTP2 = false
	gp.NonproxyHandler = http.HandlerFunc(s.serveLocal)
	gp.OnRequest().HandleConnectFunc(s.handleConnect)
	gp.OnRequest().DoFunc(s.handleRequest)
	return gp
}

// ServeHTTP admits allowed clients, authenticates them and hands proxy
// requests to goproxy; direct requests get /proxy.pac and /ca.pem.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	client := remoteAddr(r)
	if !s.clientAllowed(client) {
		s.log.Warn("client not allowed", "client", client.String())
		w.Header().Set("Connection", "close")
		http.Error(w, "dlpgate: this client is not allowed to use the proxy", http.StatusForbidden)
		return
	}
	if tc := connFrom(r.Context()); tc != nil {
		if r.Method == http.MethodConnect {
			tc.hijacked.Store(true) // handleConnect sets the phase that follows
		} else {
			defer tc.beginRequest()()
		}
	}
	if (r.Method != http.MethodConnect && !r.URL.IsAbs()) || s.isSelfRequest(r) || isOnboarding(r) {
		s.serveLocal(w, r)
		return
	}
	id := &identity{client: client}
	if s.opts.Identify != nil {
		user, groups, err := s.opts.Identify(r.Header.Get("Proxy-Authorization"), client)
		if err != nil {
			s.log.Info("proxy authentication required", "client", client.String(), "reason", err.Error())
			w.Header().Set("Proxy-Authenticate", `Basic realm="dlpgate"`)
			http.Error(w, "dlpgate: proxy authentication required", http.StatusProxyAuthRequired)
			return
		}
		id.user, id.groups = user, groups
	}
	if r.Method == http.MethodConnect {
		if hj, ok := w.(http.Hijacker); ok {
			w = replayHijacker{ResponseWriter: w, hj: hj}
		}
	}
	s.gp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, id)))
}

func identityFrom(ctx context.Context, r *http.Request) identity {
	if id, ok := ctx.Value(identityKey{}).(*identity); ok {
		return *id
	}
	return identity{client: remoteAddr(r)}
}

// handleConnect is the one catch-all CONNECT handler: intercept in-scope
// hosts with our CA, reject blocked ones, tunnel (and log) the rest.
func (s *Server) handleConnect(host string, ctx *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
	r := ctx.Req
	hostname := normalizeHost(host)
	eng := s.opts.Engine()
	endpoint, action := eng.Policy.Scope(hostname)
	info := &connInfo{identity: identityFrom(r.Context(), r), host: hostname, endpoint: endpoint, action: action}
	ctx.UserData = info
	if why := s.checkDestination(r.Context(), host, "443"); why != nil {
		return s.refuseConnect(info, ctx, why), host
	}
	rd, redispatched := r.Context().Value(redispatchKey{}).(redispatch)
	if rd.intercept {
		// Nameless TLS to an address, intercepted by no_sni_action: each
		// request inside is scoped and inspected by its own Host.
		action, info.action, info.anyHost = scopeInspect, scopeInspect, true
	}
	if !redispatched && action == scopeTunnel && isAddressHost(hostname) {
		// What the client talks to is in its first bytes, not in an address.
		return &goproxy.ConnectAction{Action: goproxy.ConnectHijack, Hijack: s.peekRoute}, host
	}
	if tc := connFrom(r.Context()); tc != nil {
		if action == scopeInspect {
			tc.expectHeaders() // the TLS handshake and the first request's headers
		} else if action != scopeBlock {
			tc.tunnel() // blind tunnels and peeked CONNECTs (their own peek timeout)
		}
	}
	switch action {
	case scopeInspect:
		info.mitm = true
		info.conn = connFrom(r.Context())
		s.log.Debug("intercept", "host", hostname, "endpoint", endpoint, "client", info.client.String(), "user", info.user)
		return &goproxy.ConnectAction{Action: goproxy.ConnectMitm, TLSConfig: s.mitmTLSConfig}, host
	case scopeBlock:
		ev := s.scopeEvent(info, r, endpoint)
		s.record(r.Context(), ev) // the host is blocked either way
		ctx.Resp = s.errorResponse(r, http.StatusForbidden, codeHostBlocked,
			fmt.Sprintf("blocked by dlpgate: host %s is blocked by policy (endpoint %s); event %s", hostname, endpoint, ev.ID))
		ctx.Resp.Close = true
		return &goproxy.ConnectAction{Action: goproxy.ConnectReject}, host
	default:
		s.log.Debug("tunnel", "host", host, "endpoint", endpoint, "client", info.client.String(), "user", info.user)
		// connectDial wraps the upstream side in an sniGuard for this tunnel.
		ctx.Req = r.WithContext(context.WithValue(r.Context(), tunnelKey{}, info))
		return &goproxy.ConnectAction{Action: goproxy.ConnectAccept}, host
	}
}

func (s *Server) mitmTLSConfig(host string, _ *goproxy.ProxyCtx) (*tls.Config, error) {
	return s.issuer.TLSConfig(host), nil
}

// handleRequest sees every plain-HTTP proxy request and every request read
// from an intercepted connection.
func (s *Server) handleRequest(req *http.Request, ctx *goproxy.ProxyCtx) (out *http.Request, resp *http.Response) {
	// goproxy serves intercepted connections on goroutines of its own with
	// no recover: a panic in extraction or classification would take the
	// whole proxy down. Fail this request (closed) instead.
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic while handling a request; answered 503", "host", req.URL.Host, "path", logPath(req),
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp = s.errorResponse(req, http.StatusServiceUnavailable, codeInspectFailed,
				"dlpgate: internal error while inspecting this request; nothing was sent")
			resp.Close = true
			out = req
		}
	}()
	ctx.RoundTripper = goproxy.RoundTripperFunc(s.roundTrip)
	eng := s.opts.Engine() // this request keeps this engine to the end
	info, _ := ctx.UserData.(*connInfo)
	if info != nil && info.mitm && info.conn != nil {
		// Headers read from an intercepted connection; the next request's
		// headers are timed once this one is answered.
		context.AfterFunc(req.Context(), info.conn.beginRequest())
	}
	if info == nil {
		// Plain HTTP through the proxy: decide the scope per request.
		hostname := normalizeHost(req.URL.Host)
		endpoint, action := eng.Policy.Scope(hostname)
		info = &connInfo{identity: identityFrom(req.Context(), req), host: hostname, endpoint: endpoint, action: action}
		ctx.UserData = info
		if why := s.checkDestination(req.Context(), req.URL.Host, "80"); why != nil {
			return req, s.refuseDestination(info, req, why, "http")
		}
		switch action {
		case scopeInspect:
		case scopeBlock:
			ev := s.scopeEvent(info, req, endpoint)
			s.record(req.Context(), ev)
			return req, s.errorResponse(req, http.StatusForbidden, codeHostBlocked,
				fmt.Sprintf("blocked by dlpgate: host %s is blocked by policy (endpoint %s); event %s", hostname, endpoint, ev.ID))
		default:
			s.log.Debug("pass", "host", hostname, "method", req.Method, "client", info.client.String())
			return req, nil
		}
	}
	if info.action != scopeInspect {
		return req, nil
	}
	return s.inspectRequest(req, info, eng)
}

// inspectRequest holds the body, inspects it and forwards or blocks.
func (s *Server) inspectRequest(req *http.Request, info *connInfo, eng *inspect.Engine) (*http.Request, *http.Response) {
	ctx := req.Context()
	start := time.Now()
	host := normalizeHost(req.URL.Host)
	if host == "" {
		host = info.host
	}
	if info.anyHost && host != info.host {
		ep, _ := eng.Policy.Scope(host)
		if ep == "" {
			ep = "address"
		}
		info = &connInfo{identity: info.identity, host: host, endpoint: ep, action: scopeInspect, mitm: true, conn: info.conn}
	}
	if info.mitm && host != info.host {
		// goproxy sends an intercepted request where its Host header says:
		// a client could CONNECT to an inspected host and name another one
		// inside the tunnel, which scope would then pass uninspected.
		s.log.Warn("request host differs from the intercepted CONNECT host; refused", "connect", info.host, "host", host, "client", info.client.String())
		resp := s.errorResponse(req, http.StatusMisdirectedRequest, codeMisdirected,
			fmt.Sprintf("dlpgate: this connection is for %s; requests for %s must use their own CONNECT", info.host, host))
		resp.Close = true
		return req, resp
	}
	rq := rules.Request{
		User: info.user, Groups: info.groups, ClientIP: info.client,
		Host: host, Method: req.Method, Path: req.URL.Path,
		Endpoint: info.endpoint,
		Time:     start,
	}
	// A path-scoped endpoint may block or pass some paths of an inspected host.
	endpoint, action := eng.Policy.Route(host, req.URL.Path)
	if endpoint != "" {
		rq.Endpoint = endpoint
	}
	switch action {
	case scopeBlock:
		dec := rules.Decision{Action: rules.Block, Rule: "scope:" + endpoint, Reason: "path blocked by endpoint action", PolicyVersion: eng.Policy.Version()}
		ev := s.newEvent(info, req, rq, dec, "http")
		maskUninspected(ev, req)
		s.logDecision(ev, 0)
		s.record(ctx, ev)
		resp := s.blockResponse(req, ev, codeHostBlocked)
		if hasBody(req) {
			s.closeAfter(resp, info)
		}
		return req, resp
	case scopeTunnel:
		s.log.Debug("pass", "host", host, "path", logPath(req), "endpoint", endpoint)
		return req, nil
	}
	maxInspect, failOpen := limits(eng)
	// Data can leave in the URL and the headers as well as in the body.
	req, resp := s.inspectPlaces(req, info, eng, rq, failOpen)
	if resp != nil {
		if hasBody(req) {
			s.closeAfter(resp, info)
		}
		return req, resp
	}
	if !hasBody(req) {
		return req, nil
	}
	guard := s.guardBody(req, info, start)
	req.Body = guard
	in := extract.Input{
		ContentType: req.Header.Get("Content-Type"),
		// Several header lines are one list, in order (RFC 9110 5.3).
		ContentEncoding: strings.Join(req.Header.Values("Content-Encoding"), ", "),
		Origin:          "body",
		Size:            req.ContentLength,
	}
	// A large plain-text body is classified while it is spilled (the
	// hold's file is read as it grows), and a large gzip or deflate
	// Content-Encoding is decompressed meanwhile (inspect.CanOverlap), so
	// the decision is ready sooner; nothing is forwarded before it.
	var ov *inspect.Overlap
	var onSpill func(*heldBody)
	if !s.noOverlap && inspect.CanOverlap(in) {
		onSpill = func(h *heldBody) {
			ov = eng.Begin(ctx, in, h)
			if ov != nil && s.testHookOverlap != nil {
				s.testHookOverlap("begun")
			}
		}
	}
	held, err := s.holdBody(req.Body, req.ContentLength, s.opts.MemoryBudget, maxInspect, onSpill)
	// From here the client waits for us (the inspection, its queue, then
	// upstream's answer): its silence is not idleness. roundTrip ends it
	// for a forwarded request, the return below for any other answer.
	working := s.clientConn(req, info).working()
	context.AfterFunc(ctx, working)
	forwarded := false
	defer func() {
		if !forwarded {
			working()
		}
	}()
	if ov != nil {
		// Before the body's release below: the reading is over by then.
		defer ov.Abandon()
	}
	holdTook := time.Since(start)
	if err == nil {
		guard.done()
	}
	if held != nil {
		// Removed when the request is finished (goproxy cancels the request
		// context after the response is written), whatever happened.
		context.AfterFunc(ctx, held.release)
	}
	switch {
	case errors.Is(err, errOversize):
		return s.oversize(req, info, eng, rq, held, failOpen)
	case errors.Is(err, errSlowClient):
		return req, s.slowResponse(req, info, err)
	case err != nil:
		s.log.Info("request body not received", "host", host, "path", logPath(req), "client", info.client.String(), "err", err.Error())
		resp := s.errorResponse(req, http.StatusBadRequest, codeBadRequest, "dlpgate: the request body could not be read")
		resp.Close = true
		return req, resp
	}
	in.Body, in.Size = held, held.size
	var res *inspect.Result
	overlap := "off"
	if ov != nil {
		res, err = ov.Finish(ctx, rq)
		if ok, why := ov.Overlapped(); ok {
			overlap = "on"
		} else {
			overlap = "fell back: " + why
		}
	} else {
		res, err = eng.Inspect(ctx, rq, in)
	}
	if s.testHookOverlap != nil {
		s.testHookOverlap(overlap)
	}
	if err != nil {
		s.log.Warn("inspection interrupted; answered 503, nothing forwarded", "host", host, "path", logPath(req),
			"client", info.client.String(), "user", info.user, "err", err.Error())
		resp := s.errorResponse(req, http.StatusServiceUnavailable, codeInspectFailed, "dlpgate: inspection was interrupted")
		resp.Close = true
		return req, resp
	}
	dec := res.Decision
	ev := s.newEvent(info, req, rq, dec, "http")
	ev.RuleDescription = ruleDescription(eng.Policy, dec.Rule)
	ev.Findings = res.Findings
	ev.BodyBytes = held.size
	took := time.Since(start)
	s.met().Inspected("proxy", held.size, res.Segments, took-holdTook)
	s.met().Held("proxy", held.size, held.file != nil)
	if ev.Action != "allow" {
		ev.BodySHA256 = held.sha256()
		names := places.MultipartFileNames(req.Header.Get("Content-Type"), io.NewSectionReader(held, 0, held.size))
		ev.FileNames = s.maskFileNames(ctx, eng, rq, names)
		ev.Findings = places.MaskOrigins(ev.Findings, names, ev.FileNames)
	}
	// The phases apart: receiving the body is the client's and the
	// network's pace, inspection is ours. The line carries the body hash
	// whenever the audit event does.
	s.logDecision(ev, took, "hold", holdTook, "inspect", took-holdTook, "overlap", overlap)
	if ev.Action != "allow" {
		if err := s.record(ctx, ev); err != nil && !failOpen {
			return req, s.errorResponse(req, http.StatusForbidden, codeAuditDown, auditDownMessage(ev.ID))
		}
	}
	if dec.Action == rules.Block {
		return req, s.blockResponse(req, ev, codePolicy)
	}
	// Forward exactly the bytes held, with a length (no chunking upstream).
	req.Body = held.reader()
	req.GetBody = func() (io.ReadCloser, error) { return held.reader(), nil }
	req.ContentLength = held.size
	req.TransferEncoding = nil
	req.Header.Del("Transfer-Encoding")
	req.Header.Del("Expect") // the body is here; upstream need not approve it
	forwarded = true
	return req.WithContext(context.WithValue(ctx, workingKey{}, working)), nil
}

// workingKey carries an inspected request's trackedConn.working release
// from inspectRequest to roundTrip.
type workingKey struct{}

// oversize applies the oversize action to a body larger than max_inspect_bytes.
func (s *Server) oversize(req *http.Request, info *connInfo, eng *inspect.Engine, rq rules.Request, held *heldBody, failOpen bool) (*http.Request, *http.Response) {
	dec := eng.Oversize(rq)
	ev := s.newEvent(info, req, rq, dec, "http")
	if req.ContentLength > 0 {
		ev.BodyBytes = req.ContentLength
	} else {
		ev.BodyBytes = held.size
	}
	s.logDecision(ev, 0)
	if ev.Action != "allow" {
		if err := s.record(req.Context(), ev); err != nil && !failOpen {
			resp := s.errorResponse(req, http.StatusForbidden, codeAuditDown, auditDownMessage(ev.ID))
			s.closeAfter(resp, info)
			return req, resp
		}
	}
	if dec.Action == rules.Block {
		resp := s.blockResponse(req, ev, codeOversize)
		// The rest of the body was never read: this connection cannot
		// carry another request.
		s.closeAfter(resp, info)
		return req, resp
	}
	// Let it through uninspected: what was held, then the rest as it comes.
	if held.size > 0 {
		req.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(held.reader(), req.Body), req.Body}
		if req.ContentLength < 0 {
			req.TransferEncoding = []string{"chunked"}
		}
	}
	return req, nil
}

// closeAfter marks resp as the connection's last and, on an intercepted
// connection (where goproxy would drain the unread body to EOF), half-closes
// the client connection once the response is written and gives the drain a
// short deadline.
func (s *Server) closeAfter(resp *http.Response, info *connInfo) {
	resp.Close = true
	tc := info.conn
	if tc == nil {
		return
	}
	resp.Body = &closeHook{ReadCloser: resp.Body, fn: func() {
		tc.CloseWrite()
		tc.SetReadDeadline(time.Now().Add(2 * time.Second))
	}}
}

type closeHook struct {
	io.ReadCloser
	fn func()
}

func (c *closeHook) Close() error {
	err := c.ReadCloser.Close()
	c.fn()
	return err
}

func hasBody(req *http.Request) bool {
	if req.Body == nil || req.Body == http.NoBody {
		return false
	}
	return req.ContentLength != 0 || len(req.TransferEncoding) > 0
}

// limits reads the per-request switches from the policy the request
// started with: max_inspect_bytes (0 = no limit) and fail_mode.
func limits(eng *inspect.Engine) (maxInspect int64, failOpen bool) {
	maxInspect = eng.Policy.MaxInspectBytes()
	if maxInspect <= 0 {
		maxInspect = math.MaxInt64 - 1
	}
	return maxInspect, eng.Policy.FailOpen()
}

// record writes ev to the audit log, if any. The caller decides what a
// failure means (fail_mode).
func (s *Server) record(ctx context.Context, ev *audit.Event) error {
	if s.opts.Recorder == nil {
		return nil
	}
	if err := s.opts.Recorder.Record(ctx, ev); err != nil {
		s.log.Error("audit record failed", "event", ev.ID, "action", ev.Action, "err", err.Error())
		return fmt.Errorf("record event %s: %w", ev.ID, err)
	}
	return nil
}

func (s *Server) newEvent(info *connInfo, req *http.Request, rq rules.Request, dec rules.Decision, channel string) *audit.Event {
	action := string(dec.Action)
	if dec.WouldBlock {
		action = "would-block"
	}
	return &audit.Event{
		Time:          rq.Time.UTC(),
		ID:            audit.NewID(rq.Time),
		Action:        action,
		Rule:          dec.Rule,
		RuleReason:    places.MaskReason(dec.Reason, nil, nil),
		Severity:      dec.Severity,
		Exception:     dec.Exception,
		Explain:       places.MaskReasons(dec.Explain, nil, nil),
		User:          info.user,
		Groups:        info.groups,
		ClientIP:      addrString(info.client),
		Host:          rq.Host,
		Method:        req.Method,
		Path:          eventPath(req),
		Query:         eventQuery(req),
		Endpoint:      rq.Endpoint,
		PolicyVersion: dec.PolicyVersion,
		Instance:      s.opts.Instance,
		Channel:       channel,
	}
}

func (s *Server) scopeEvent(info *connInfo, req *http.Request, endpoint string) *audit.Event {
	rq := rules.Request{Host: info.host, Endpoint: endpoint, Time: time.Now()}
	dec := rules.Decision{Action: rules.Block, Rule: "scope:" + endpoint, Reason: "host blocked by endpoint action"}
	ev := s.newEvent(info, req, rq, dec, "connect")
	maskUninspected(ev, req)
	s.logDecision(ev, 0)
	return ev
}

// maskUninspected hides what was not classified in the event of a request
// refused before inspection (blocked host, refused destination): digit runs
// of the path are masked as identifiers, every query value hidden.
func maskUninspected(ev *audit.Event, req *http.Request) {
	if req == nil || req.URL == nil {
		return
	}
	ev.Path = logPath(req)
	ev.Query = places.HideQueryValues(req.URL.RawQuery)
}

func ruleDescription(p *rules.Policy, name string) string {
	if name == "" {
		return ""
	}
	for _, r := range p.Spec().Rules {
		if r.Name == name {
			return r.Description
		}
	}
	return ""
}

// logDecision logs ev; extra are further key-value pairs.
func (s *Server) logDecision(ev *audit.Event, took time.Duration, extra ...any) {
	s.met().Decision("proxy", ev.Endpoint, ev.Action, ev.Rule)
	level := slog.LevelDebug
	if ev.Action != "allow" {
		level = slog.LevelInfo
	}
	ctx := context.Background()
	if !s.log.Enabled(ctx, level) {
		return // allowed requests log at debug: build nothing for a disabled level
	}
	args := append([]any{
		"action", ev.Action, "rule", ev.Rule, "event", ev.ID, "host", ev.Host, "method", ev.Method,
		"path", ev.Path, "query", ev.Query, "endpoint", ev.Endpoint, "user", ev.User, "client", ev.ClientIP,
		"bytes", ev.BodyBytes, "sha256", ev.BodySHA256, "channel", ev.Channel, "took", took,
	}, extra...)
	s.log.Log(ctx, level, "decision", args...)
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func normalizeHost(h string) string { return places.NormalizeHost(h) }
