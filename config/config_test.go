package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/classifiers"
	"github.com/dlpgate/dlpgate/rules"
)

// errorLines returns "line:col: msg" for every error (file name checked).
func errorLines(t *testing.T, err error, file string) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var out []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("error without position: %v", e)
		}
		if ce.File != file {
			t.Errorf("error in %s, want %s: %v", ce.File, file, ce)
		}
		out = append(out, strings.TrimPrefix(ce.Error(), file+":"))
	}
	return out
}

func TestLoadErrorsPositions(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // "line:col: message" prefixes, in order
	}{
		{"unknown top-level key", "rulez = 1\n",
			[]string{`1:1: unknown key "rulez" (did you mean "rules"?)`}},
		{"unknown key in a table", "[global]\nmode = \"monitor\"\n  fail_mod = \"open\"\n",
			[]string{`3:3: unknown key "fail_mod" (did you mean "fail_mode"?)`}},
		{"unknown table", "[globall]\nmode = 1\n",
			[]string{`1:1: unknown key "globall" (did you mean "global"?)`}},
		{"unknown key in the second rule", "[[rules]]\nname = \"a\"\naction = \"log\"\nconditions = [{ classifier = \"hkid\" }]\n\n[[rules]]\nname = \"b\"\nactoin = \"block\"\nconditions = [{ classifier = \"medical\" }]\n",
			[]string{`6:1: rule "b" needs an action`, `8:1: unknown key "actoin" (did you mean "action"?)`}},
		{"unknown key in an inline table", "[[rules]]\nname = \"a\"\naction = \"log\"\nconditions = [{ classifier = \"hkid\", min_cout = 3 }]\n",
			[]string{`4:38: unknown key "min_cout" (did you mean "min_count"?)`}},
		{"string wanted", "[global]\nmode = 1\n",
			[]string{`2:8: "mode" must be a string, not an integer`}},
		{"integer wanted", "[[rules]]\nname = \"a\"\naction = \"log\"\nconditions = [{ classifier = \"hkid\", max_count = \"2\" }]\n",
			[]string{`4:50: "max_count" must be an integer, not a string`}},
		{"array wanted", "[[endpoints]]\nname = \"e\"\nhosts = \"a.example\"\n",
			[]string{`3:9: "hosts" must be an array, not a string`}},
		{"array element type", "[[endpoints]]\nname = \"e\"\nhosts = [\"a.example\", 7]\n",
			[]string{`3:23: "hosts[1]" must be a string, not an integer`}},
		{"boolean wanted", "[audit]\nfsync_log_events = \"yes\"\n",
			[]string{`2:20: "fsync_log_events" must be true or false, not a string`}},
		{"bad size", "[proxy]\nmemory_budget = \"8 lots\"\n",
			[]string{`2:17: "memory_budget": bad size "8 lots"`}},
		{"negative size", "[global]\nmax_inspect_bytes = -5\n",
			[]string{`2:21: "max_inspect_bytes": size -5 must not be negative`}},
		{"bad duration", "[proxy]\nidle_timeout = \"2 minutes\"\n",
			[]string{`2:16: "idle_timeout": bad duration "2 minutes"`}},
		{"syntax error", "[global]\nmode = \"monitor\n",
			[]string{`2:16: strings cannot contain newlines`}},
		{"table header syntax", "[global\nmode = 1\n",
			[]string{`1:8: expected '.' or ']' to end table name`}},
		{"duplicate key (syntax)", "[global]\nmode = \"monitor\"\nmode = \"enforce\"\n",
			[]string{`3:1: Key 'global.mode' has already been defined.`}},
		{"bad mode", "[global]\nmode = \"monitr\"\n",
			[]string{`2:8: "monitr" is not one of "enforce" or "monitor"`}},
		{"bad host glob in a multi-line array", "[[endpoints]]\nname = \"e\"\nhosts = [\n  \"ok.example\", # fine\n  \"bad host\",\n]\n",
			[]string{`5:3: bad host glob "bad host"`}},
		{"bad path glob", "[[endpoints]]\nname = \"e\"\nhosts = [\"a.example\"]\npaths = [\"/robot/[0-9]\"]\n",
			[]string{`4:10: bad path glob "/robot/[0-9]"`}},
		{"unknown classifier", "[[rules]]\nname = \"a\"\naction = \"log\"\nconditions = [{ classifier = \"hkidd\" }]\n",
			[]string{`4:30: unknown classifier "hkidd"`}},
		{"bad confidence", "[[rules]]\nname = \"a\"\naction = \"log\"\nconditions = [{ classifier = \"hkid\", min_confidence = \"sure\" }]\n",
			[]string{`4:55: unknown confidence "sure"`}},
		{"min_count above max_count", "[[rules]]\nname = \"a\"\naction = \"log\"\nconditions = [{ classifier = \"hkid\", min_count = 3, max_count = 2 }]\n",
			[]string{`4:65: max_count 2 is below min_count 3`}},
		{"conditions as array of tables", "[[rules]]\nname = \"a\"\naction = \"log\"\n[[rules.conditions]]\nclassifier = \"hkid\"\n[[rules.conditions]]\nclassifier = \"medicl\"\n",
			[]string{`7:14: unknown classifier "medicl"`}},
		{"duplicate rule names", "[[rules]]\nname = \"a\"\naction = \"log\"\n[[rules]]\nname = \"a\"\naction = \"block\"\nconditions = [{ classifier = \"hkid\" }]\n",
			[]string{`5:8: duplicate rule name "a" (also rules[0])`}},
		{"contradictory rules", "[[rules]]\nname = \"a\"\naction = \"log\"\nconditions = [{ classifier = \"hkid\", min_count = 2 }]\n[[rules]]\nname = \"b\"\naction = \"block\"\nconditions = [{ classifier = \"hkid\", min_count = 2 }]\n",
			[]string{`5:1: rule "b" contradicts rule "a"`}},
		{"rule names an unknown endpoint", "[[rules]]\nname = \"a\"\nendpoints = [\"dingtalk-robot\", \"dingtalk-bot\"]\naction = \"log\"\n",
			[]string{`3:32: unknown endpoint "dingtalk-bot"`}},
		{"exception names an unknown rule", "[[exceptions]]\nname = \"x\"\nrules = [\"hkid-bulky\"]\nexpires = \"2099-01-01\"\nreason = \"r\"\n",
			[]string{`3:10: unknown rule "hkid-bulky"`}},
		{"bad CIDR", "[[exceptions]]\nname = \"x\"\nclients = [\"10.0.0.0/8\", \"10.0.0.300/8\"]\nexpires = \"2099-01-01\"\nreason = \"r\"\n",
			[]string{`3:26: bad CIDR "10.0.0.300/8"`}},
		{"bad date", "[[exceptions]]\nname = \"x\"\nusers = [\"alice\"]\nexpires = \"2099-13-01\"\nreason = \"r\"\n",
			[]string{`4:11: bad date "2099-13-01"`}},
		{"date written as a TOML date", "[[exceptions]]\nname = \"x\"\nexpires = 2099-01-01\nreason = \"r\"\n",
			[]string{`3:11: "expires" must be a string, not a date/time`}},
		{"exception without expires and reason", "[[exceptions]]\n  name = \"x\"\n",
			[]string{`1:1: exception "x" needs expires`, `1:1: exception "x" needs a reason`}},
		{"open listener", "[proxy]\nlisten = \"0.0.0.0:3128\"\n",
			[]string{`2:10: listening on "0.0.0.0:3128" (not loopback) needs proxy.allow_clients`}},
		{"bad allow_clients", "[proxy]\nlisten = \"0.0.0.0:3128\"\nallow_clients = [\"10.0.0.0/40\"]\n",
			[]string{`3:18: bad CIDR "10.0.0.0/40"`}},
		{"ocr negative workers", "[ocr]\nworkers = -1\n",
			[]string{`2:11: must not be negative`}},
		{"ocr bad language", "[ocr]\nlanguages = [\"eng\", \"../etc\"]\n",
			[]string{`2:21: "../etc" is not a Tesseract language code`}},
		{"ocr image budget over request budget", "[ocr]\nimage_timeout = \"30s\"\nrequest_timeout = \"10s\"\n",
			[]string{`2:17: is longer than ocr.request_timeout`}},
		{"ocr enabled without languages", "[ocr]\nlanguages = []\n",
			[]string{`2:13: OCR is enabled but no language is given`}},
		{"quoted keys and dotted keys", "global.\"mode\" = \"x\"\n",
			[]string{`1:17: "x" is not one of "enforce" or "monitor"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadText("dlpgate.toml", tt.text)
			got := errorLines(t, err, "dlpgate.toml")
			if len(got) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("error %d:\n got %s\nwant %s...", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestLoadReportsAllErrors(t *testing.T) {
	text := "[global]\nmode = \"monitr\"\nrulez = 3\n[[exceptions]]\nname = \"a\"\nclients = [\"10.0.0.300/8\"]\nrules = [\"nope\"]\n"
	_, err := LoadText("p.toml", text)
	got := errorLines(t, err, "p.toml")
	want := []string{
		`2:8: "monitr" is not one of`,
		`3:1: unknown key "rulez"`,
		`4:1: exception "a" needs expires`,
		`4:1: exception "a" needs a reason`,
		`6:12: bad CIDR "10.0.0.300/8"`,
		`7:10: unknown rule "nope"`,
	}
	if len(got) != len(want) {
		t.Fatalf("got\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("got %s, want %s...", got[i], want[i])
		}
	}
}

func TestDefault(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if c.Proxy.Listen != "127.0.0.1:8080" || c.Proxy.MemoryBudget != 8<<20 || c.Policy.Global.MaxInspectBytes != 200<<20 {
		t.Errorf("defaults: %+v %+v", c.Proxy, c.Policy.Global)
	}
	p, err := rules.Compile(c.Policy)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ host, path, want string }{
		{"oapi.dingtalk.com", "/robot/send", "dingtalk-robot"},
		{"api.dingtalk.com", "/v1.0/robot/groupMessages/send", "dingtalk-robot"},
		{"oapi.dingtalk.com", "/topapi/message/corpconversation/asyncsend_v2", "dingtalk-message"},
		{"oapi.dingtalk.com", "/media/upload", "dingtalk-media"},
		{"oapi.dingtalk.com", "/file/upload/single", "dingtalk-media"},
		{"api.dingtalk.com", "/v1.0/storage/spaces/files/uploadInfos/query", "dingtalk-storage"},
		{"oapi.dingtalk.com", "/gettoken", "dingtalk-api"},
		{"sh-dualstack.trans.dingtalk.com", "/x", "dingtalk-files"},
		{"webalfa-cm3.dingtalk.com", "/long", "dingtalk-web"},
		{"x.dingtalkapps.com", "/form", "dingtalk-other"},
		{"bucket.oss-cn-hongkong.aliyuncs.com", "/x", ""},
	} {
		if got := p.EndpointFor(tt.host, tt.path); got != tt.want {
			t.Errorf("EndpointFor(%s%s) = %q, want %q", tt.host, tt.path, got, tt.want)
		}
	}
	if _, a := p.Scope("www.google.com"); a != "tunnel" {
		t.Errorf("unrelated host: %s", a)
	}
	// The AUP as the default policy writes it.
	f := func(name string, n int, c classifiers.Confidence, signals ...string) classifiers.Finding {
		return classifiers.Finding{Classifier: name, Count: n, Confidence: c, Signals: signals}
	}
	for _, tt := range []struct {
		name     string
		findings []classifiers.Finding
		action   rules.Action
		rule     string
	}{
		{"financial statement", []classifiers.Finding{f(classifiers.FinancialStatement, 1, classifiers.High)}, rules.Block, "financial-statement"},
		{"3 HKIDs", []classifiers.Finding{f(classifiers.HKID, 3, classifiers.High)}, rules.Block, "hkid-bulk"},
		{"2 HKIDs", []classifiers.Finding{f(classifiers.HKID, 2, classifiers.High)}, rules.Log, "hkid-single"},
		{"1 HKID", []classifiers.Finding{f(classifiers.HKID, 1, classifiers.High)}, rules.Log, "hkid-single"},
		{"medical record", []classifiers.Finding{f(classifiers.Medical, 1, classifiers.High)}, rules.Block, "medical-record"},
		{"weak medical vocabulary", []classifiers.Finding{f(classifiers.Medical, 1, classifiers.Low)}, rules.Allow, ""},
		{"encrypted", []classifiers.Finding{f(classifiers.Uninspectable, 1, classifiers.High, "encrypted: body/a.zip: password")}, rules.Log, "uninspectable"},
		{"image", []classifiers.Finding{f(classifiers.Uninspectable, 1, classifiers.High, "unsupported: body/a.png: image")}, rules.Allow, "unsupported-media"},
	} {
		d := p.Evaluate(&rules.Input{Request: rules.Request{Endpoint: "dingtalk-api"}, Findings: tt.findings})
		if d.Action != tt.action || d.Rule != tt.rule {
			t.Errorf("%s: %s by %q, want %s by %q", tt.name, d.Action, d.Rule, tt.action, tt.rule)
		}
	}
}

func TestMerge(t *testing.T) {
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		text  string
		check func(t *testing.T, c *Config)
	}{
		{"empty file is the default", "", func(t *testing.T, c *Config) {
			if !reflect.DeepEqual(c.Policy, def.Policy) || !reflect.DeepEqual(c.Proxy, def.Proxy) {
				t.Error("differs from the default")
			}
		}},
		{"scalars override, siblings inherited", "[global]\nmode = \"monitor\"\n[proxy]\nmemory_budget = 1048576\n", func(t *testing.T, c *Config) {
			g := c.Policy.Global
			if g.Mode != "monitor" || g.FailMode != "closed" || g.MaxInspectBytes != 200<<20 {
				t.Errorf("global %+v", g)
			}
			if c.Proxy.MemoryBudget != 1<<20 || c.Proxy.Listen != "127.0.0.1:8080" || c.Proxy.IdleTimeout != def.Proxy.IdleTimeout {
				t.Errorf("proxy %+v", c.Proxy)
			}
			if len(c.Policy.Rules) != len(def.Policy.Rules) || len(c.Policy.Endpoints) != len(def.Policy.Endpoints) {
				t.Error("lists not inherited")
			}
		}},
		{"rules replace the default rules, endpoints inherited", "[[rules]]\nname = \"only\"\naction = \"block\"\nconditions = [{ classifier = \"hkid\", min_count = 10 }]\n", func(t *testing.T, c *Config) {
			if len(c.Policy.Rules) != 1 || c.Policy.Rules[0].Name != "only" {
				t.Errorf("rules %+v", c.Policy.Rules)
			}
			if len(c.Policy.Endpoints) != len(def.Policy.Endpoints) {
				t.Error("endpoints not inherited")
			}
		}},
		{"endpoints replace, exceptions may name default rules", "[[endpoints]]\nname = \"only\"\nhosts = [\"a.example\"]\n[[exceptions]]\nname = \"x\"\nrules = [\"hkid-bulk\"]\nusers = [\"alice\"]\nexpires = \"2099-01-01\"\nreason = \"r\"\n", func(t *testing.T, c *Config) {
			if len(c.Policy.Endpoints) != 1 || len(c.Policy.Exceptions) != 1 || len(c.Policy.Rules) != len(def.Policy.Rules) {
				t.Errorf("%d endpoints %d exceptions %d rules", len(c.Policy.Endpoints), len(c.Policy.Exceptions), len(c.Policy.Rules))
			}
		}},
		{"scalar list replaces", "[proxy]\nlisten = \"0.0.0.0:3128\"\nallow_clients = [\"10.0.0.0/8\"]\n", func(t *testing.T, c *Config) {
			if !reflect.DeepEqual(c.Proxy.AllowClients, []string{"10.0.0.0/8"}) || c.Proxy.Listen != "0.0.0.0:3128" {
				t.Errorf("proxy %+v", c.Proxy)
			}
		}},
		{"sizes as strings and integers", "[extract]\nmax_total_bytes = \"50MB\"\nmax_decompressed = \"1GiB\"\n[global]\nmax_inspect_bytes = 1024\n", func(t *testing.T, c *Config) {
			if c.Extract.MaxTotalBytes != 50e6 || c.Extract.MaxDecompressed != 1<<30 || c.Policy.Global.MaxInspectBytes != 1024 {
				t.Errorf("sizes %+v %+v", c.Extract, c.Policy.Global)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadText("f.toml", tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.Source, []string{"embedded default", "f.toml"}) {
				t.Errorf("source %q", c.Source)
			}
			tt.check(t, c)
		})
	}
}

func TestMergeErrorsNameTheRightFile(t *testing.T) {
	// The file replaces the endpoints; the rule it adds names one that only
	// the default had: the error is in the file, on the rule's line.
	text := "[[endpoints]]\nname = \"mine\"\nhosts = [\"a.example\"]\n\n[[rules]]\nname = \"r\"\nendpoints = [\"dingtalk-robot\"]\naction = \"log\"\n"
	_, err := LoadText("f.toml", text)
	got := errorLines(t, err, "f.toml")
	if len(got) != 1 || !strings.HasPrefix(got[0], `7:14: unknown endpoint "dingtalk-robot"`) {
		t.Errorf("got %q", got)
	}
}

func TestParseSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want ByteSize
		ok   bool
	}{
		{"8MiB", 8 << 20, true}, {"50MB", 50e6, true}, {"1GiB", 1 << 30, true}, {"4096", 4096, true},
		{"10B", 10, true}, {"64KiB", 64 << 10, true}, {"2 GB", 2e9, true}, {"8M", 8 << 20, true},
		{"8 lots", 0, false}, {"-1MiB", 0, false}, {"1.5GiB", 0, false}, {"", 0, false}, {"99999999999TiB", 0, false},
	} {
		got, err := ParseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct {
		in   ByteSize
		want string
	}{{8 << 20, "8MiB"}, {1000, "1000B"}, {0, "0B"}, {3 << 30, "3GiB"}} {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("%d.String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteTOMLRoundTrip(t *testing.T) {
	text := "[global]\nmode = \"monitor\"\nmax_inspect_bytes = \"1MiB\"\n[proxy]\nlisten = \"0.0.0.0:3128\"\nallow_clients = [\"10.0.0.0/8\"]\n[[proxy.auth.users]]\ncidr = \"10.1.0.0/16\"\nuser = \"hr\"\ngroups = [\"hr\"]\n[[audit.syslog]]\nname = \"siem\"\nnetwork = \"udp\"\naddress = \"10.0.0.5:514\"\nformat = \"cef\"\n[[exceptions]]\nname = \"x\"\nrules = [\"hkid-bulk\"]\ngroups = [\"hr\"]\nexpires = \"2099-01-01\"\nreason = \"payroll\"\n"
	c, err := LoadText("f.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := c.WriteTOML(&b); err != nil {
		t.Fatal(err)
	}
	back, err := LoadText("shown.toml", b.String())
	if err != nil {
		t.Fatalf("reloading the output: %v\n%s", err, b.String())
	}
	back.Source, c.Source = nil, nil
	// Where lists came from is metadata of the merge, not configuration.
	back.ListSource, c.ListSource, back.Warnings, c.Warnings = nil, nil, nil, nil
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip differs:\n%+v\n%+v", back, c)
	}
	if rules.Version(back.Policy) != rules.Version(c.Policy) {
		t.Error("policy version changed")
	}
}

func FuzzLoad(f *testing.F) {
	// Small seeds: the fuzzer minimises every new input, which is slow for
	// one as large as the default file.
	f.Add("a = [1, [2, {b = \"]\"}]] # c\n[[x.y]]\n'q k' = '''\nz'''\n")
	f.Add("[a\n")
	f.Add("[global]\nmode = \"monitor\"\n[[rules]]\nname = \"r\"\naction = \"log\"\n[[rules.conditions]]\nclassifier = \"hkid\"\nmax_count = 2\n")
	f.Add("[[exceptions]]\nname = \"x\"\nclients = [\"10.0.0.0/8\"]\nexpires = \"2099-01-01\"\nreason = \"r\"\n")
	f.Fuzz(func(t *testing.T, s string) {
		ps := indexPositions(s) // must terminate without panicking on any input
		for k, p := range ps {
			if p.Line < 1 || p.Col < 1 {
				t.Fatalf("%q at %d:%d", k, p.Line, p.Col)
			}
		}
		// Loading never panics, and every error it reports has a position.
		if _, err := LoadText("fuzz.toml", s); err != nil {
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var ce *Error
				if !errors.As(e, &ce) || ce.Line < 1 || ce.Col < 1 {
					t.Fatalf("error without position: %v", e)
				}
			}
		}
	})
}

// The documented example is a valid configuration that keeps the default
// policy and adds its exception.
func TestExampleFile(t *testing.T) {
	c, err := Load("../dlpgate.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Policy.Rules, def.Policy.Rules) || !reflect.DeepEqual(c.Policy.Endpoints, def.Policy.Endpoints) {
		t.Error("example rules/endpoints differ from the embedded default")
	}
	if len(c.Proxy.AllowClients) == 0 {
		c.Proxy.AllowClients = nil // written as [] in the example
	}
	if len(c.Proxy.PACProxies) == 0 {
		c.Proxy.PACProxies = nil
	}
	if len(c.ICAP.AllowClients) == 0 {
		c.ICAP.AllowClients = nil
	}
	if !reflect.DeepEqual(c.ICAP, def.ICAP) || c.Admin != def.Admin {
		t.Error("example [icap]/[admin] differ from the embedded default")
	}
	if !reflect.DeepEqual(c.Proxy, def.Proxy) || !reflect.DeepEqual(c.Extract, def.Extract) || c.Policy.Global != def.Policy.Global {
		t.Error("example settings differ from the embedded default")
	}
	if len(c.Policy.Exceptions) != 1 {
		t.Errorf("%d exceptions", len(c.Policy.Exceptions))
	}
}

func TestMemoryTotalKey(t *testing.T) {
	cfg, err := LoadText("box.toml", "[proxy]\nmemory_budget = \"4MiB\"\nmemory_total = \"256MiB\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Proxy.MemoryTotal != 256<<20 || cfg.Proxy.MemoryBudget != 4<<20 {
		t.Fatalf("memory_total %d, memory_budget %d", cfg.Proxy.MemoryTotal, cfg.Proxy.MemoryBudget)
	}
	if _, err := LoadText("box.toml", "[proxy]\nmemory_total = \"lots\"\n"); err == nil || !strings.Contains(err.Error(), "box.toml:2:") {
		t.Fatalf("bad size: %v", err)
	}
}

func TestOCRDefaults(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	o := c.OCR
	if !o.Enabled || strings.Join(o.Languages, "+") != "eng+chi_tra+chi_sim" || o.ImageTimeout <= 0 || o.RequestTimeout < o.ImageTimeout || o.MaxPixels <= 0 || o.Workers != 0 {
		t.Errorf("default [ocr] = %+v", o)
	}
	c, err = LoadText("f.toml", "[ocr]\nenabled = false\nworkers = 3\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.OCR.Enabled || c.OCR.Workers != 3 || len(c.OCR.Languages) != 3 {
		t.Errorf("merged [ocr] = %+v", c.OCR)
	}
}
