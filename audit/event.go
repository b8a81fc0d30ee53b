// Package audit writes the events compliance reviews: one JSON line per log
// or block decision, hash-chained for tamper evidence, shipped to SIEM sinks,
// and summarised in reports. Evidence is masked before it gets here.
package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dlpgate/dlpgate/classifiers"
)

// Actions recorded in Event.Action. The proxy's decisions use the first four;
// ActionRotate marks the trailer record the logger writes as the last line of
// a file it rotates away, so that a rotated file missing its tail is visible.
const (
	ActionBlock      = "block"
	ActionLog        = "log"
	ActionWouldBlock = "would-block"
	ActionAllow      = "allow"
	ActionRotate     = "rotate"
)

// Event is one decision worth recording. JSON field names follow ECS where a
// field exists there (event.*, rule.*, user.*, source.*, url.*, http.*,
// file.hash.*, observer.*); DLP specifics live under "dlp". The encoding is
// done by MarshalJSON (docs/audit.md documents every field).
type Event struct {
	Time   time.Time `json:"@timestamp"`
	ID     string    `json:"-"` // event.id
	Action string    `json:"-"` // event.action: block | log | would-block | allow
	// Rule and why it fired.
	Rule       string `json:"-"` // rule.name
	RuleReason string `json:"-"` // event.reason (the decision's reason)
	Severity   string `json:"-"` // event.severity (numeric) + dlp.severity (named)
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

	// Added by audit (additive): the rule's static description (rule.description)
	// and the user's groups (user.roles), when the caller knows them.
	RuleDescription string   `json:"-"`
	Groups          []string `json:"-"`

	// Chain fields, set by Logger.Record: Seq counts records across rotated
	// files from 1; PrevHash is the previous record's Hash (64 zeros for the
	// first record); Hash is SHA-256 over this record's line without "hash".
	Seq      uint64 `json:"-"`
	PrevHash string `json:"-"`
	Hash     string `json:"-"`
	// NextFile is set on ActionRotate trailers only (dlp.chain.rotated_to).
	NextFile string `json:"-"`
}

// ZeroHash is the PrevHash of the first record of a chain.
const ZeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// The wire shape. Field order here is the byte order on disk and therefore
// part of the hash: only append, never reorder; "hash" stays last.
type wireEvent struct {
	Timestamp string       `json:"@timestamp"`
	Event     wireEventECS `json:"event"`
	Rule      *wireRule    `json:"rule,omitempty"`
	User      *wireUser    `json:"user,omitempty"`
	Source    *wireSource  `json:"source,omitempty"`
	URL       *wireURL     `json:"url,omitempty"`
	HTTP      *wireHTTP    `json:"http,omitempty"`
	File      *wireFile    `json:"file,omitempty"`
	Observer  wireObserver `json:"observer"`
	DLP       wireDLP      `json:"dlp"`
	Seq       uint64       `json:"seq"`
	PrevHash  string       `json:"prev_hash"`
	Hash      string       `json:"hash,omitempty"`
}

type wireEventECS struct {
	ID       string   `json:"id,omitempty"`
	Action   string   `json:"action"`
	Kind     string   `json:"kind"`
	Category []string `json:"category"`
	Type     []string `json:"type"`
	Severity int      `json:"severity,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	Dataset  string   `json:"dataset"`
}

type wireRule struct {
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

type wireUser struct {
	Name  string   `json:"name,omitempty"`
	Roles []string `json:"roles,omitempty"`
}

type wireSource struct {
	IP string `json:"ip"`
}

type wireURL struct {
	Domain string `json:"domain,omitempty"`
	Path   string `json:"path,omitempty"`
	Query  string `json:"query,omitempty"`
}

type wireHTTP struct {
	Request wireHTTPRequest `json:"request"`
}

type wireHTTPRequest struct {
	Method string    `json:"method,omitempty"`
	Body   *wireBody `json:"body,omitempty"`
}

type wireBody struct {
	Bytes int64 `json:"bytes"`
}

type wireFile struct {
	Hash *wireHash `json:"hash,omitempty"`
	Name []string  `json:"name,omitempty"`
}

type wireHash struct {
	SHA256 string `json:"sha256"`
}

type wireObserver struct {
	Name    string `json:"name,omitempty"`
	Product string `json:"product"`
	Type    string `json:"type"`
}

type wireDLP struct {
	Endpoint      string                `json:"endpoint,omitempty"`
	Channel       string                `json:"channel,omitempty"`
	Severity      string                `json:"severity,omitempty"`
	Exception     string                `json:"exception,omitempty"`
	Explain       []string              `json:"explain,omitempty"`
	Findings      []classifiers.Finding `json:"findings,omitempty"`
	PolicyVersion string                `json:"policy_version,omitempty"`
	RotatedTo     string                `json:"rotated_to,omitempty"`
}

// SeverityNumber maps a named severity to ECS event.severity (0 when unknown).
// The scale matches CEF's 0-10 so the two sinks agree.
func SeverityNumber(name string) int {
	switch name {
	case "info":
		return 1
	case "low":
		return 3
	case "medium":
		return 5
	case "high":
		return 8
	case "critical":
		return 10
	}
	return 0
}

func severityName(n int) string {
	switch {
	case n >= 10:
		return "critical"
	case n >= 8:
		return "high"
	case n >= 5:
		return "medium"
	case n >= 3:
		return "low"
	case n >= 1:
		return "info"
	}
	return ""
}

func eventKind(action string) (kind string, typ []string) {
	switch action {
	case ActionBlock:
		return "alert", []string{"denied"}
	case ActionWouldBlock:
		return "alert", []string{"allowed"}
	case ActionRotate:
		return "event", []string{"info"}
	case ActionAllow:
		return "event", []string{"allowed"}
	}
	return "event", []string{"info"}
}

func eventCategory(channel string) []string {
	if channel == "scan" {
		return []string{"file"}
	}
	return []string{"web"}
}

// MarshalJSON writes the ECS-shaped record. The output is deterministic for
// a given Event (no maps), which the hash chain relies on.
func (e Event) MarshalJSON() ([]byte, error) {
	kind, typ := eventKind(e.Action)
	w := wireEvent{
		Timestamp: e.Time.UTC().Format(time.RFC3339Nano),
		Event: wireEventECS{
			ID:       e.ID,
			Action:   e.Action,
			Kind:     kind,
			Category: eventCategory(e.Channel),
			Type:     typ,
			Severity: SeverityNumber(e.Severity),
			Reason:   e.RuleReason,
			Dataset:  "dlpgate.audit",
		},
		Observer: wireObserver{Name: e.Instance, Product: "dlpgate", Type: "proxy"},
		DLP: wireDLP{
			Endpoint:      e.Endpoint,
			Channel:       e.Channel,
			Severity:      e.Severity,
			Exception:     e.Exception,
			Explain:       e.Explain,
			Findings:      e.Findings,
			PolicyVersion: e.PolicyVersion,
			RotatedTo:     e.NextFile,
		},
		Seq:      e.Seq,
		PrevHash: e.PrevHash,
		Hash:     e.Hash,
	}
	if e.Rule != "" || e.RuleDescription != "" {
		w.Rule = &wireRule{Name: e.Rule, Description: e.RuleDescription}
	}
	if e.User != "" || len(e.Groups) > 0 {
		w.User = &wireUser{Name: e.User, Roles: e.Groups}
	}
	if e.ClientIP != "" {
		w.Source = &wireSource{IP: e.ClientIP}
	}
	if e.Host != "" || e.Path != "" || e.Query != "" {
		w.URL = &wireURL{Domain: e.Host, Path: e.Path, Query: e.Query}
	}
	if e.Method != "" || e.BodyBytes != 0 {
		w.HTTP = &wireHTTP{Request: wireHTTPRequest{Method: e.Method}}
		if e.BodyBytes != 0 {
			w.HTTP.Request.Body = &wireBody{Bytes: e.BodyBytes}
		}
	}
	if e.BodySHA256 != "" || len(e.FileNames) > 0 {
		w.File = &wireFile{Name: e.FileNames}
		if e.BodySHA256 != "" {
			w.File.Hash = &wireHash{SHA256: e.BodySHA256}
		}
	}
	// No HTML escaping: the file is read by people and grep (">=" stays
	// ">="), and nothing renders it as HTML unescaped.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads a record written by MarshalJSON.
func (e *Event) UnmarshalJSON(b []byte) error {
	var w wireEvent
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339Nano, w.Timestamp)
	if err != nil {
		return fmt.Errorf("@timestamp: %w", err)
	}
	*e = Event{
		Time:          t,
		ID:            w.Event.ID,
		Action:        w.Event.Action,
		RuleReason:    w.Event.Reason,
		Severity:      w.DLP.Severity,
		Exception:     w.DLP.Exception,
		Explain:       w.DLP.Explain,
		Endpoint:      w.DLP.Endpoint,
		Channel:       w.DLP.Channel,
		Findings:      w.DLP.Findings,
		PolicyVersion: w.DLP.PolicyVersion,
		NextFile:      w.DLP.RotatedTo,
		Instance:      w.Observer.Name,
		Seq:           w.Seq,
		PrevHash:      w.PrevHash,
		Hash:          w.Hash,
	}
	if e.Severity == "" {
		e.Severity = severityName(w.Event.Severity)
	}
	if w.Rule != nil {
		e.Rule, e.RuleDescription = w.Rule.Name, w.Rule.Description
	}
	if w.User != nil {
		e.User, e.Groups = w.User.Name, w.User.Roles
	}
	if w.Source != nil {
		e.ClientIP = w.Source.IP
	}
	if w.URL != nil {
		e.Host, e.Path, e.Query = w.URL.Domain, w.URL.Path, w.URL.Query
	}
	if w.HTTP != nil {
		e.Method = w.HTTP.Request.Method
		if w.HTTP.Request.Body != nil {
			e.BodyBytes = w.HTTP.Request.Body.Bytes
		}
	}
	if w.File != nil {
		e.FileNames = w.File.Name
		if w.File.Hash != nil {
			e.BodySHA256 = w.File.Hash.SHA256
		}
	}
	return nil
}
