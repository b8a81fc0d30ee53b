package rules

import "github.com/dlpgate/dlpgate/classifiers"

// Spec is the policy part of the TOML file, as written.
type Spec struct {
	Global     Global          `toml:"global"`
	Endpoints  []EndpointSpec  `toml:"endpoints"`
	Rules      []RuleSpec      `toml:"rules"`
	Exceptions []ExceptionSpec `toml:"exceptions"`
	// Patterns are admin-defined classifiers; rule conditions name them
	// like the built-in ones.
	Patterns []classifiers.PatternSpec `toml:"patterns,omitempty"`
	// EDM names Exact Data Match indexes (`dlpgate edm index`); a rule
	// condition names one as "edm:NAME" and counts the rows found.
	EDM []EDMSpec `toml:"edm,omitempty"`
}

// EDMSpec names one Exact Data Match index file.
type EDMSpec struct {
	Name string `toml:"name"`
	File string `toml:"file"` // relative paths are relative to the config file
}

// Global holds the policy-wide switches.
type Global struct {
	Mode                string `toml:"mode"`      // enforce | monitor
	FailMode            string `toml:"fail_mode"` // closed | open
	MaxInspectBytes     int64  `toml:"max_inspect_bytes"`
	OversizeAction      string `toml:"oversize_action"`      // block | log | allow
	UninspectableAction string `toml:"uninspectable_action"` // block | log | allow
}

// EndpointSpec is a named group of hosts and paths.
type EndpointSpec struct {
	Name  string   `toml:"name"`
	Hosts []string `toml:"hosts"`           // globs: "oapi.dingtalk.com", "*.trans.dingtalk.com"
	Paths []string `toml:"paths,omitempty"` // globs on the path; empty = all
	// Action for CONNECTs to these hosts: inspect (MITM), tunnel (bypass, logged) or block.
	Action string `toml:"action"`
}

// RuleSpec is one AUP rule as written.
type RuleSpec struct {
	Name        string          `toml:"name"`
	Description string          `toml:"description,omitempty"`
	Endpoints   []string        `toml:"endpoints,omitempty"` // empty = all
	Methods     []string        `toml:"methods,omitempty"`   // empty = all
	Match       string          `toml:"match,omitempty"`     // all | any (default all)
	Conditions  []ConditionSpec `toml:"conditions"`
	Action      string          `toml:"action"`
	Severity    string          `toml:"severity,omitempty"`
	// Overrides (allow rules only) names the rules this rule silences when
	// it matches, e.g. an HR robot allowed to receive HKIDs.
	Overrides []string `toml:"overrides,omitempty"`
	// Window ("1h", "30m") makes each condition count the distinct values
	// one user (or client address) sent within that time, this request's
	// included, instead of the values of one request: a list sent as many
	// small messages.
	Window string `toml:"window,omitempty"`
}

// ConditionSpec is one test on the findings.
type ConditionSpec struct {
	Classifier    string   `toml:"classifier"`
	MinCount      int      `toml:"min_count,omitempty"`
	MaxCount      int      `toml:"max_count,omitempty"`      // 0 = no upper bound
	MinConfidence string   `toml:"min_confidence,omitempty"` // low | medium | high
	Reasons       []string `toml:"reasons,omitempty"`        // for uninspectable: encrypted, unsupported, ...
}

// ExceptionSpec lets a rule (or all) pass for some users, groups, clients or hosts until it expires.
type ExceptionSpec struct {
	Name    string   `toml:"name"`
	Rules   []string `toml:"rules,omitempty"` // empty = all rules
	Users   []string `toml:"users,omitempty"`
	Groups  []string `toml:"groups,omitempty"`
	Clients []string `toml:"clients,omitempty"` // CIDRs
	Hosts   []string `toml:"hosts,omitempty"`   // globs
	Expires string   `toml:"expires"`           // YYYY-MM-DD (inclusive) or RFC 3339
	Reason  string   `toml:"reason"`
}
