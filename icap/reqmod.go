package icap

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"

	"math"
	"net/http"
	"net/netip"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dlpgate/dlpgate/answer"
	"github.com/dlpgate/dlpgate/audit"
	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/places"
	"github.com/dlpgate/dlpgate/rules"
)

const frontEnd = "icap"

// who sent the encapsulated request, as the ICAP client tells it.
type who struct {
	client netip.Addr
	user   string
	groups []string
}

// attribution reads X-Client-IP and the user headers that Squid
// (icap_send_client_ip, icap_send_client_username with
// icap_client_username_header, plain or base64 with
// icap_client_username_encode), ProxySG ("WinNT://DOMAIN/user", base64) and
// others send. Without X-Client-IP the ICAP peer itself is named.
func attribution(h map[string][]string, peer netip.Addr) who {
	get := func(k string) string {
		if v := h[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	w := who{client: peer}
	for _, k := range []string{"X-Client-Ip", "X-Client-Address", "X-Forwarded-For"} {
		v := get(k)
		if k == "X-Forwarded-For" {
			v, _, _ = strings.Cut(v, ",")
			v = strings.TrimSpace(v)
		}
		if a, err := netip.ParseAddr(strings.Trim(v, "[]")); err == nil {
			w.client = a.Unmap()
			break
		}
	}
	for _, k := range []string{"X-Authenticated-User", "X-Client-Username", "X-Username", "X-User"} {
		if v := get(k); v != "" {
			w.user = userName(maybeBase64(v))
			break
		}
	}
	if v := get("X-Authenticated-Groups"); v != "" {
		for g := range strings.SplitSeq(maybeBase64(v), ",") {
			if g = strings.TrimSpace(userName(g)); g != "" {
				w.groups = append(w.groups, g)
			}
		}
	}
	return w
}

// maybeBase64 decodes v when it is base64 of printable UTF-8; a plain user
// name that happens to be valid base64 decodes to control bytes and is kept.
func maybeBase64(v string) string {
	if len(v)%4 != 0 {
		return v
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) == 0 || !utf8.Valid(b) {
		return v
	}
	for _, r := range string(b) {
		if !unicode.IsPrint(r) {
			return v
		}
	}
	return string(b)
}

// userName turns "WinNT://DOMAIN/user" into DOMAIN\user and strips an
// "LDAP://server/" prefix down to its DN; plain names stay.
func userName(v string) string {
	v = strings.TrimSpace(v)
	switch {
	case strings.HasPrefix(strings.ToLower(v), "winnt://"):
		return strings.ReplaceAll(v[len("winnt://"):], "/", `\`)
	case strings.HasPrefix(strings.ToLower(v), "ldap://"):
		rest := v[len("ldap://"):]
		if _, dn, ok := strings.Cut(rest, "/"); ok {
			return dn
		}
		return rest
	}
	return v
}

// verdict is what to answer: let it go, or this HTTP response.
type verdict struct {
	allow bool
	resp  *http.Response
}

type exchange struct {
	s       *Server
	req     *request
	hr      *http.Request
	eng     *inspect.Engine
	rq      rules.Request
	who     who
	body    *spool
	started time.Time
	// mask: the places (path, query) that held findings, masked in every
	// event of the request.
	mask *places.Mask
	sink *capWriter
	// ov is the inspection begun while the body is spooled (nil: none);
	// declared is the body size it was begun for.
	ov       *inspect.Overlap
	declared int64
}

// bodyInput describes the encapsulated body to extraction (without it).
func (x *exchange) bodyInput() extract.Input {
	return extract.Input{
		ContentType:     x.hr.Header.Get("Content-Type"),
		ContentEncoding: strings.Join(x.hr.Header.Values("Content-Encoding"), ", "),
		Origin:          "body",
	}
}

// beginOverlap arranges for a body that declares a size large enough to be
// read while it arrives (inspect.CanOverlap) to be inspected from the
// moment it spills to its file.
//
// A body of unknown size (a chunked client request: no Content-Length in
// the encapsulated header) is begun too, as plain text read to its end
// (inspect.CanOverlap, inspect.Sized).
func (x *exchange) beginOverlap(ctx context.Context) {
	if x.s.noOverlap || x.sink.discard && x.hr.ContentLength > x.sink.max {
		return
	}
	in := x.bodyInput()
	in.Size = x.hr.ContentLength
	if in.Size <= 0 {
		in.Size = -1 // as the spool has it (exchange): ICAP's chunks carry it
	}
	if !inspect.CanOverlap(in) {
		return
	}
	x.declared = in.Size
	x.body.watch(func() { x.ov = x.eng.Begin(ctx, in, x.body) })
}

// capWriter holds a body up to max bytes; past it, over is set and the
// rest is kept only when it must be echoed (discard false).
type capWriter struct {
	s       *spool
	max     int64
	discard bool
	over    bool
	total   int64
}

func (c *capWriter) Write(p []byte) (int, error) {
	c.total += int64(len(p))
	if c.total > c.max {
		c.over = true
		if c.discard {
			return len(p), nil
		}
	}
	return c.s.Write(p)
}

// reqmod answers one REQMOD. The body is held whole before inspection;
// with a preview, the headers alone settle out-of-scope and blocked hosts,
// and 100 Continue asks for the rest only when it must be read.
func (s *Server) reqmod(br *bufio.Reader, bw *bufio.Writer, req *request, peer netip.Addr) (bool, error) {
	ctx := context.Background()
	eng := s.opts.Engine()
	hr := req.HTTP
	host := normalizeHost(hr.URL.Host)
	if host == "" {
		host = normalizeHost(hr.Host)
	}
	w := attribution(req.Header, peer)
	x := &exchange{s: s, req: req, hr: hr, eng: eng, who: w, started: time.Now(),
		body: &spool{budget: s.opts.MemoryBudget, dir: s.spillDir, pool: s.pool},
		rq: rules.Request{User: w.user, Groups: w.groups, ClientIP: w.client, Host: host,
			Method: hr.Method, Path: hr.URL.Path, Time: time.Now()},
	}
	defer x.body.release()
	if req.HasBody {
		// The encapsulated header's Content-Length sizes the spool; a
		// header without one (or with 0 although a body follows) leaves
		// the size unknown: ICAP's chunking carries the body.
		declared := hr.ContentLength
		if declared <= 0 {
			declared = -1
		}
		x.body.expect(declared)
	}
	maxInspect := eng.Policy.MaxInspectBytes()
	if maxInspect <= 0 {
		maxInspect = math.MaxInt64
	}
	// Past max_inspect_bytes nothing more is inspected: a client that takes
	// 204 needs nothing back, so the rest is counted, not kept (no disk to
	// fill); one that needs the request echoed gets it all back.
	x.sink = &capWriter{s: x.body, max: maxInspect, discard: req.allow204()}
	// One copy buffer for the request's chunks (io.CopyN allocated 32 KiB
	// per chunk: 26 MB for a 50 MB body in 64 KiB chunks).
	cr := chunkReader{br: br, buf: make([]byte, 32<<10)}
	complete := !req.HasBody
	waiting := false   // a preview was read and the client waits for 100 Continue
	continued := false // 100 Continue was sent: the answer is no longer to the preview
	if req.HasBody && req.Preview >= 0 {
		_, ieof, err := cr.copyChunks(x.sink, int64(req.Preview))
		if err != nil {
			return false, err
		}
		complete, waiting = ieof, !ieof
	}
	rest := func() error {
		if complete {
			return nil
		}
		if waiting {
			continued = true
			bw.WriteString("ICAP/1.0 100 Continue\r\n\r\n")
			if err := bw.Flush(); err != nil {
				return err
			}
		}
		_, _, err := cr.copyChunks(x.sink, -1)
		complete, waiting = true, false
		return err
	}
	v := x.early(ctx)
	if v != nil && waiting {
		// Decided on the headers: the rest of the body is never sent
		// (204 after a preview is allowed without Allow: 204).
		if v.allow {
			s.writeStatus(bw, 204, false)
			return true, nil
		}
		return true, s.writeResponse(bw, v.resp)
	}
	if v == nil && !complete {
		// A large body is classified while it is spooled: the spool's
		// file is read as it grows (inspect.Overlap), so the decision is
		// ready about when the last chunk is in.
		x.beginOverlap(ctx)
	}
	defer func() {
		// Before the body's release (deferred earlier): the reading is
		// over by then.
		if x.ov != nil {
			x.ov.Abandon()
		}
	}()
	if err := rest(); err != nil {
		x.body.finish(err)
		return false, err
	}
	x.body.finish(nil)
	if v == nil {
		v = x.inspectBody(ctx)
	}
	if !v.allow {
		return true, s.writeResponse(bw, v.resp)
	}
	// 204 answers a preview (ieof: the whole body was in it) whatever the
	// client offered; after 100 Continue only with Allow: 204.
	if req.allow204() || (req.HasBody && req.Preview >= 0 && !continued) {
		s.writeStatus(bw, 204, false)
		return true, nil
	}
	return true, s.writeEcho(bw, req, x.body)
}

// early decides what the headers alone settle: scope (tunnel: pass, block:
// refuse), path routes and the query. nil means the body must be read.
func (x *exchange) early(ctx context.Context) *verdict {
	pol := x.eng.Policy
	endpoint, action := pol.Scope(x.rq.Host)
	x.rq.Endpoint = endpoint
	switch action {
	case "inspect":
	case "block":
		dec := rules.Decision{Action: rules.Block, Rule: "scope:" + endpoint, Reason: "host blocked by endpoint action", PolicyVersion: pol.Version()}
		return x.decided(ctx, dec, nil, "icap", answer.CodeHostBlocked)
	default:
		x.s.met.Decision(frontEnd, endpoint, "allow", "")
		x.s.log.Debug("pass", "host", x.rq.Host, "endpoint", endpoint, "client", x.who.client.String())
		return &verdict{allow: true}
	}
	if ep, act := pol.Route(x.rq.Host, x.rq.Path); ep != "" {
		x.rq.Endpoint = ep
		switch act {
		case "block":
			dec := rules.Decision{Action: rules.Block, Rule: "scope:" + ep, Reason: "path blocked by endpoint action", PolicyVersion: pol.Version()}
			return x.decided(ctx, dec, nil, "icap", answer.CodeHostBlocked)
		case "tunnel":
			x.s.met.Decision(frontEnd, ep, "allow", "")
			return &verdict{allow: true}
		}
	}
	// Data leaves in the path, the query and the headers too: they are
	// read as one JSON document, as the forward proxy reads them.
	d := places.Build(x.hr)
	doc := d.JSON()
	t := time.Now()
	res, err := x.eng.Inspect(ctx, x.rq, extract.Input{
		ContentType: "application/json", Body: bytes.NewReader(doc), Size: int64(len(doc)), Origin: "url",
	})
	if err != nil {
		return x.failed()
	}
	x.s.met.Inspected(frontEnd, int64(len(doc)), res.Segments, time.Since(t))
	x.mask = places.MaskFor(d, res.Findings)
	if res.Decision.Action != rules.Allow {
		if v := x.decided(ctx, res.Decision, res, "icap-query", answer.CodePolicy); !v.allow {
			return v
		}
	}
	if !x.req.HasBody {
		x.s.met.Decision(frontEnd, x.rq.Endpoint, "allow", "")
		return &verdict{allow: true}
	}
	return nil
}

// inspectBody runs the held body through the pipeline.
func (x *exchange) inspectBody(ctx context.Context) *verdict {
	x.s.met.Held(frontEnd, x.body.size, x.body.spilled())
	if x.sink.over {
		return x.decided(ctx, x.eng.Oversize(x.rq), nil, "icap", answer.CodeOversize)
	}
	t := time.Now()
	in := x.bodyInput()
	in.Body, in.Size = x.body, x.body.size
	var res *inspect.Result
	var err error
	overlap := "off"
	switch {
	case x.ov != nil && (x.declared < 0 || x.body.size == x.declared):
		res, err = x.ov.Finish(ctx, x.rq)
		if ok, why := x.ov.Overlapped(); ok {
			overlap = "on"
		} else {
			overlap = "fell back: " + why
		}
	case x.ov != nil:
		// Not the size its Content-Length declared: the reading saw a
		// body of another size; read the one that arrived.
		x.ov.Abandon()
		overlap = "fell back: body size differs from its Content-Length"
		res, err = x.eng.Inspect(ctx, x.rq, in)
	default:
		res, err = x.eng.Inspect(ctx, x.rq, in)
	}
	if x.s.testHookOverlap != nil {
		x.s.testHookOverlap(overlap)
	}
	if err != nil {
		return x.failed()
	}
	x.s.log.Debug("body inspected", "host", x.rq.Host, "bytes", x.body.size, "overlap", overlap, "took", time.Since(t))
	x.s.met.Inspected(frontEnd, x.body.size, res.Segments, time.Since(t))
	return x.decided(ctx, res.Decision, res, "icap", answer.CodePolicy)
}

func (x *exchange) failed() *verdict {
	return &verdict{resp: answer.Error(x.hr, http.StatusServiceUnavailable, answer.CodeInspectFailed,
		"dlpgate: inspection was interrupted", "", x.s.opts.Contact)}
}

// decided records a decision that is not a plain allow and answers it.
func (x *exchange) decided(ctx context.Context, dec rules.Decision, res *inspect.Result, channel string, code int) *verdict {
	ev := x.event(dec, channel)
	if x.mask != nil && x.mask.HideQuery {
		ev.Query = places.HideQueryValues(x.hr.URL.RawQuery)
	}
	ev.BodyBytes = x.body.size
	if x.sink != nil {
		ev.BodyBytes = x.sink.total
	}
	x.s.met.Decision(frontEnd, ev.Endpoint, ev.Action, ev.Rule)
	if ev.Action == audit.ActionAllow {
		x.log(ev)
		return &verdict{allow: true}
	}
	// Only events that are recorded pay for hashing and for reading the
	// file names (which are data too: masked where they hold findings).
	// A recorded event is about sensitive content: a lone identifier in
	// the path, a name or the query that the classifiers do not flag on
	// its own is likely part of it, so every run of 3+ digits there keeps
	// only its first two.
	var rawNames, maskedNames []string
	if x.body.size > 0 && !x.sink.over {
		ev.BodySHA256 = x.body.sha256()
		rawNames = places.MultipartFileNames(x.hr.Header.Get("Content-Type"), ioSection(x.body))
		maskedNames = append([]string(nil), x.maskFileNames(ctx, rawNames)...)
		for i := range maskedNames {
			maskedNames[i] = places.LogPath(maskedNames[i])
		}
		ev.FileNames = maskedNames
	}
	ev.Path = places.LogPath(ev.Path)
	ev.Query = places.LogPath(ev.Query)
	if res != nil {
		ev.Findings = places.MaskOrigins(res.Findings, rawNames, maskedNames)
	}
	x.log(ev)
	if x.s.opts.Recorder != nil {
		if err := x.s.opts.Recorder.Record(ctx, ev); err != nil {
			x.s.log.Error("audit record failed", "event", ev.ID, "action", ev.Action, "err", err.Error())
			if !x.eng.Policy.FailOpen() {
				return &verdict{resp: answer.Error(x.hr, http.StatusForbidden, answer.CodeAuditDown,
					answer.AuditDownMessage(ev.ID), ev.ID, x.s.opts.Contact)}
			}
		}
	}
	if dec.Action != rules.Block {
		return &verdict{allow: true}
	}
	return &verdict{resp: answer.Blocked(x.hr, answer.Block{
		Rule: ev.Rule, RuleDescription: ev.RuleDescription, RuleReason: ev.RuleReason,
		EventID: ev.ID, Host: ev.Host, Path: ev.Path, Contact: x.s.opts.Contact,
	}, code)}
}

func (x *exchange) event(dec rules.Decision, channel string) *audit.Event {
	action := string(dec.Action)
	if dec.WouldBlock {
		action = audit.ActionWouldBlock
	}
	return &audit.Event{
		Time: x.rq.Time.UTC(), ID: audit.NewID(x.rq.Time),
		Action: action, Rule: dec.Rule, RuleReason: places.MaskReason(dec.Reason, nil, nil), Severity: dec.Severity,
		Exception: dec.Exception, Explain: places.MaskReasons(dec.Explain, nil, nil),
		RuleDescription: ruleDescription(x.eng.Policy, dec.Rule),
		User:            x.who.user, Groups: x.who.groups, ClientIP: addrString(x.who.client),
		Host: x.rq.Host, Method: x.hr.Method, Path: x.eventPath(),
		Query:    places.RedactQuery(x.hr.URL.RawQuery),
		Endpoint: x.rq.Endpoint, PolicyVersion: dec.PolicyVersion,
		Instance: x.s.opts.Instance, Channel: channel,
	}
}

// eventPath is the path as events show it: masked where it held findings.
func (x *exchange) eventPath() string {
	if x.mask != nil && x.mask.Path != "" {
		return x.mask.Path
	}
	return x.hr.URL.Path
}

// maskFileNames masks the multipart file names that hold findings, read
// with the same classifiers as bodies.
func (x *exchange) maskFileNames(ctx context.Context, names []string) []string {
	if len(names) == 0 {
		return names
	}
	d := places.Doc{Path: names}
	doc := d.JSON()
	res, err := x.eng.Inspect(ctx, x.rq, extract.Input{ContentType: "application/json", Body: bytes.NewReader(doc), Size: int64(len(doc)), Origin: "filename"})
	if err != nil {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = places.MaskValue(n, false)
		}
		return out
	}
	if m := places.MaskFor(d, res.Findings); m != nil {
		return m.Segs
	}
	return names
}

func (x *exchange) log(ev *audit.Event) {
	level := slog.LevelDebug
	if ev.Action != audit.ActionAllow {
		level = slog.LevelInfo
	}
	x.s.log.Log(context.Background(), level, "decision", "action", ev.Action, "rule", ev.Rule, "event", ev.ID,
		"host", ev.Host, "method", ev.Method, "path", places.LogPath(ev.Path), "endpoint", ev.Endpoint, "user", ev.User,
		"client", ev.ClientIP, "bytes", ev.BodyBytes, "channel", ev.Channel, "took", time.Since(x.started))
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

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func normalizeHost(h string) string { return places.NormalizeHost(h) }
