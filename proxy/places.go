package proxy

import (
	"context"
	"net/http"
	"strings"

	"github.com/dlpgate/dlpgate/extract"
	"github.com/dlpgate/dlpgate/inspect"
	"github.com/dlpgate/dlpgate/places"
	"github.com/dlpgate/dlpgate/rules"
)

// Data leaves in the URL and the headers as well as in the body: a storage
// upload names its file in the path, a GET can carry a customer list in its
// query, a header can carry anything. The places package reads them as one
// JSON document and works out which places to mask; this file wires it into
// the proxy. A place that produced a finding is masked in every event and
// log line of the request: the mask travels in the request's context.

type placeMaskKey struct{}

func maskFrom(ctx context.Context) *places.Mask {
	m, _ := ctx.Value(placeMaskKey{}).(*places.Mask)
	return m
}

// eventPath is the path as events and logs show it.
func eventPath(req *http.Request) string {
	if m := maskFrom(req.Context()); m != nil && m.Path != "" {
		return m.Path
	}
	return req.URL.Path
}

// logPath is the path for operational log lines written before (or
// without) inspection: digit runs are masked as identifiers would be.
func logPath(req *http.Request) string {
	if m := maskFrom(req.Context()); m != nil && m.Path != "" {
		return m.Path
	}
	return places.LogPath(req.URL.Path)
}

// inspectPlaces inspects the path, the query and the other headers of an
// in-scope request and answers when the policy blocks them; a log decision
// is recorded and the request goes on to body inspection. The returned
// request carries the masks.
func (s *Server) inspectPlaces(req *http.Request, info *connInfo, eng *inspect.Engine, rq rules.Request, failOpen bool) (*http.Request, *http.Response) {
	ctx := req.Context()
	d := places.Build(req)
	doc := d.JSON()
	res, err := eng.Inspect(ctx, rq, extract.Input{
		ContentType: "application/json",
		Body:        strings.NewReader(string(doc)),
		Size:        int64(len(doc)),
		Origin:      "url",
	})
	if err != nil {
		resp := s.errorResponse(req, http.StatusServiceUnavailable, codeInspectFailed, "dlpgate: inspection was interrupted")
		resp.Close = true
		return req, resp
	}
	if m := places.MaskFor(d, res.Findings); m != nil {
		req = req.WithContext(context.WithValue(ctx, placeMaskKey{}, m))
	}
	if res.Decision.Action == rules.Allow {
		return req, nil
	}
	ev := s.newEvent(info, req, rq, res.Decision, "http-query")
	ev.RuleDescription = ruleDescription(eng.Policy, res.Decision.Rule)
	ev.Findings = places.MaskOrigins(res.Findings, nil, nil)
	s.logDecision(ev, 0)
	if err := s.record(ctx, ev); err != nil && !failOpen {
		return req, s.errorResponse(req, http.StatusForbidden, codeAuditDown, auditDownMessage(ev.ID))
	}
	if res.Decision.Action == rules.Block {
		return req, s.blockResponse(req, ev, codePolicy)
	}
	return req, nil
}

// maskFileNames masks the multipart file names that hold findings (read
// with the same classifiers as bodies) for an event.
func (s *Server) maskFileNames(ctx context.Context, eng *inspect.Engine, rq rules.Request, names []string) []string {
	if len(names) == 0 {
		return names
	}
	doc := places.Doc{Path: names}.JSON()
	res, err := eng.Inspect(ctx, rq, extract.Input{ContentType: "application/json", Body: strings.NewReader(string(doc)), Size: int64(len(doc)), Origin: "filename"})
	if err != nil {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = places.MaskValue(n, false)
		}
		return out
	}
	if m := places.MaskFor(places.Doc{Path: names}, res.Findings); m != nil {
		return m.Segs
	}
	return names
}
