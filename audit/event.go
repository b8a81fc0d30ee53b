// Package audit writes the events compliance reviews: one JSON line per log
// or block decision, hash-chained for tamper evidence, shipped to SIEM sinks,
// and summarised in reports. Evidence is masked before it gets here.
package audit

import (
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
)

// Event is one decision worth recording. JSON field names follow ECS where a
// field exists there (event.*, rule.*, user.*, source.*, url.*, http.*,
// file.hash.*, observer.*); DLP specifics live under "dlp".
type Event struct {
	Time   time.Time `json:"@timestamp"`
	ID     string    `json:"-"` // event.id
	Action string    `json:"-"` // event.action: block | log | would-block | allow
	// Rule and why it fired.
	Rule       string `json:"-"` // rule.name
	RuleReason string `json:"-"` // rule.description (the decision's reason)
	Severity   string `json:"-"` // event.severity (named)
	Exception  string `json:"-"` // dlp.exception
	Explain    []string
	// Who and where.
	User     string `json:"-"` // user.name
	ClientIP string `json:"-"` // source.ip
	Host     string `json:"-"` // url.domain
	Method   string `json:"-"` // http.request.method
	Path     string `json:"-"` // url.path (+ redacted query as url.query)
	Query    string `json:"-"` // url.query, secrets redacted
	Endpoint string `json:"-"` // dlp.endpoint
	// What.
	Findings   []classifiers.Finding `json:"-"` // dlp.findings (samples already masked)
	BodyBytes  int64                 `json:"-"` // http.request.body.bytes
	BodySHA256 string                `json:"-"` // file.hash.sha256
	FileNames  []string              `json:"-"` // file.name(s) from multipart parts
	// Which policy and instance.
	PolicyVersion string `json:"-"` // dlp.policy_version
	Instance      string `json:"-"` // observer.name
	// Channel says how the data left: "http", "websocket", "scan".
	Channel string `json:"-"`
}
