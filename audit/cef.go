package audit

import (
	"fmt"
	"strconv"
	"strings"
)

// FormatCEFLine renders an event as an ArcSight CEF:0 line:
//
//	CEF:0|dlpgate|dlpgate|VERSION|SignatureID|Name|Severity|Extension
//
// SignatureID is the rule (or the action when no rule fired), Name the
// decision's reason, Severity 0-10. Findings carry masked samples only.
func FormatCEFLine(e *Event, version string) string {
	sig := e.Rule
	if sig == "" {
		sig = e.Action
	}
	name := e.RuleReason
	if name == "" {
		name = "dlpgate " + e.Action
	}
	sev := SeverityNumber(e.Severity)
	if sev == 0 {
		sev = 3
		if e.Action == ActionBlock {
			sev = 7
		}
	}
	var b strings.Builder
	b.WriteString("CEF:0|dlpgate|dlpgate|")
	b.WriteString(cefHeader(version))
	b.WriteByte('|')
	b.WriteString(cefHeader(sig))
	b.WriteByte('|')
	b.WriteString(cefHeader(name))
	b.WriteByte('|')
	b.WriteString(strconv.Itoa(sev))
	b.WriteByte('|')

	first := true
	add := func(k, v string) {
		if v == "" {
			return
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(cefValue(v))
	}
	add("rt", strconv.FormatInt(e.Time.UnixMilli(), 10))
	add("act", e.Action)
	add("externalId", e.ID)
	add("deviceDirection", "1") // outbound
	add("suser", e.User)
	add("src", e.ClientIP)
	add("dhost", e.Host)
	add("requestMethod", e.Method)
	if e.Host != "" {
		u := "https://" + e.Host + e.Path
		if e.Query != "" {
			u += "?" + e.Query
		}
		add("request", u)
	}
	if e.BodyBytes > 0 {
		add("fsize", strconv.FormatInt(e.BodyBytes, 10))
	}
	add("fileHash", e.BodySHA256)
	add("fname", strings.Join(e.FileNames, ", "))
	add("app", e.Channel)
	add("dvchost", e.Instance)
	add("msg", e.RuleReason)
	if e.Rule != "" {
		add("cs1Label", "rule")
		add("cs1", e.Rule)
	}
	if e.PolicyVersion != "" {
		add("cs2Label", "policyVersion")
		add("cs2", e.PolicyVersion)
	}
	if f := findingsSummary(e); f != "" {
		add("cs3Label", "findings")
		add("cs3", f)
	}
	if e.Exception != "" {
		add("cs4Label", "exception")
		add("cs4", e.Exception)
	}
	if e.Endpoint != "" {
		add("cs5Label", "endpoint")
		add("cs5", e.Endpoint)
	}
	if e.Hash != "" {
		add("cs6Label", "hash")
		add("cs6", e.Hash)
	}
	add("cn1Label", "seq")
	add("cn1", strconv.FormatUint(e.Seq, 10))
	return b.String()
}

// findingsSummary reads "hkid:3(high) A12****(3),B45****(1); medical:1(medium)".
func findingsSummary(e *Event) string {
	var parts []string
	for _, f := range e.Findings {
		s := fmt.Sprintf("%s:%d(%s)", f.Classifier, f.Count, f.Confidence)
		var samples []string
		for _, smp := range f.Samples {
			samples = append(samples, smp.Masked)
		}
		if len(samples) > 0 {
			s += " " + strings.Join(samples, ",")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// cefHeader escapes a header field: backslash and pipe; no line breaks.
func cefHeader(s string) string {
	return strings.NewReplacer(`\`, `\\`, `|`, `\|`, "\r", " ", "\n", " ").Replace(s)
}

// cefValue escapes an extension value: backslash, equals and line breaks.
func cefValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `=`, `\=`, "\r\n", `\n`, "\n", `\n`, "\r", `\r`).Replace(s)
}
