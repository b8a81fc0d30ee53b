package proxy

import (
	"net/http"

	"github.com/dlpgate/dlpgate/answer"
	"github.com/dlpgate/dlpgate/audit"
)

// errcodes in DingTalk's error shape, one per reason, so that bots and
// scripts can tell a dlpgate block from a DingTalk error. The shaping lives
// in package answer, which the ICAP front end shares.
const (
	codePolicy        = answer.CodePolicy
	codeOversize      = answer.CodeOversize
	codeAuditDown     = answer.CodeAuditDown
	codeHostBlocked   = answer.CodeHostBlocked
	codeMisdirected   = answer.CodeMisdirected
	codeInspectFailed = answer.CodeInspectFailed
	codeBadRequest    = answer.CodeBadRequest
	codeUpstream      = answer.CodeUpstream
)

// errorResponse answers in the destination API's JSON error shape
// (api.dingtalk.com: code/message/requestid; oapi and the rest:
// errcode/errmsg), or as a short HTML page for browsers.
func (s *Server) errorResponse(req *http.Request, status, code int, msg string) *http.Response {
	return answer.Error(req, status, code, msg, "", s.opts.Contact)
}

// blockResponse answers a blocked upload: which rule, why, the event id and
// whom to contact; never the sensitive value (reasons and findings are
// masked by contract, and only the rule's reason is shown).
func (s *Server) blockResponse(req *http.Request, ev *audit.Event, code int) *http.Response {
	return answer.Blocked(req, blockOf(ev, s.opts.Contact), code)
}

// blockOf describes an event for its block answer.
func blockOf(ev *audit.Event, contact string) answer.Block {
	return answer.Block{
		Rule: ev.Rule, RuleDescription: ev.RuleDescription, RuleReason: ev.RuleReason,
		EventID: ev.ID, Host: ev.Host, Path: ev.Path, Contact: contact,
	}
}

func auditDownMessage(id string) string { return answer.AuditDownMessage(id) }

// newResponse builds a complete response with a length. goproxy.NewResponse
// would copy the request's Transfer-Encoding into it.
func newResponse(req *http.Request, status int, contentType string, body []byte) *http.Response {
	return answer.NewResponse(req, status, contentType, body)
}
