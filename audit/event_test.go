package audit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestMaskedHKIDHelper(t *testing.T) {
	// Guards the helper the other tests rely on (brief's known values).
	for _, c := range []struct{ prefix, digits, want string }{
		{"A", "123456", "3"}, {"G", "123456", "A"}, {"AB", "987654", "3"}, {"K", "123456", "0"}, {"WX", "123456", "9"},
	} {
		if got := hkidCheck(c.prefix, c.digits); got != c.want {
			t.Errorf("check(%s%s) = %s, want %s", c.prefix, c.digits, got, c.want)
		}
	}
	if got := maskedHKID("A", "123456"); got != "A12****(3)" {
		t.Errorf("maskedHKID = %q", got)
	}
}

func TestEventJSONShape(t *testing.T) {
	e := sampleEvent(0)
	e.Time = time.Date(2026, 11, 20, 9, 30, 0, 123000000, time.FixedZone("HKT", 8*3600))
	e.ID = "0192f0a1b2c3d4e5f60718293a4b5c6d"
	e.Instance = "gw-1"
	e.Seq, e.PrevHash, e.Hash = 7, ZeroHash, strings.Repeat("1", 64)
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	get := func(path string) any {
		var cur any = m
		for _, k := range strings.Split(path, ".") {
			obj, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = obj[k]
		}
		return cur
	}
	for _, c := range []struct {
		path string
		want any
	}{
		{"@timestamp", "2026-11-20T01:30:00.123Z"},
		{"event.id", e.ID},
		{"event.action", "block"},
		{"event.kind", "alert"},
		{"event.severity", float64(8)},
		{"event.reason", "3 distinct HKIDs >= 3"},
		{"rule.name", "hkid-bulk"},
		{"user.name", "alice"},
		{"source.ip", "10.1.2.3"},
		{"url.domain", "oapi.dingtalk.com"},
		{"url.path", "/robot/send"},
		{"url.query", "access_token=REDACTED"},
		{"http.request.method", "POST"},
		{"http.request.body.bytes", float64(1234)},
		{"file.hash.sha256", strings.Repeat("ab", 32)},
		{"observer.name", "gw-1"},
		{"dlp.endpoint", "dingtalk-robot"},
		{"dlp.channel", "http"},
		{"dlp.severity", "high"},
		{"dlp.policy_version", "sha256:0123abcd"},
		{"seq", float64(7)},
		{"prev_hash", ZeroHash},
		{"hash", strings.Repeat("1", 64)},
	} {
		if got := get(c.path); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.path, got, c.want)
		}
	}
	if cat, _ := get("event.category").([]any); len(cat) != 1 || cat[0] != "web" {
		t.Errorf("event.category = %v", get("event.category"))
	}
	f, _ := get("dlp.findings").([]any)
	if len(f) != 1 || !strings.Contains(string(b), `"masked":"A12****(3)"`) {
		t.Errorf("dlp.findings = %v", get("dlp.findings"))
	}
	if !strings.HasSuffix(string(b), `"hash":"`+strings.Repeat("1", 64)+`"}`) {
		t.Errorf("hash is not the last member: %s", b)
	}

	var back Event
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	want := *e
	want.Time = e.Time.UTC()
	if !reflect.DeepEqual(back, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, want)
	}
}

// TestDocExampleVerifies keeps docs/audit.md honest: its example line must
// be a record whose hash checks out under the documented rule.
func TestDocExampleVerifies(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "audit.md"))
	if err != nil {
		t.Skipf("docs/audit.md not found: %v", err)
	}
	_, rest, ok := strings.Cut(string(doc), "```json\n")
	if !ok {
		t.Fatal("no json example in docs/audit.md")
	}
	line, _, _ := strings.Cut(rest, "\n")
	r, err := parseRecord([]byte(line))
	if err != nil {
		t.Fatalf("example is not a record: %v", err)
	}
	if r.Computed != r.Hash || r.Seq != 1 || r.PrevHash != ZeroHash {
		t.Errorf("example record: %+v", r)
	}
	if !strings.Contains(line, "A12****(3)") {
		t.Error("example lacks the masked sample")
	}
}

func TestEventJSONOmitsEmptyGroups(t *testing.T) {
	e := &Event{Time: time.Unix(0, 0), Action: ActionLog, Seq: 1, PrevHash: ZeroHash}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"rule"`, `"user"`, `"source"`, `"url"`, `"http"`, `"file"`} {
		if strings.Contains(string(b), k) {
			t.Errorf("empty event has %s: %s", k, b)
		}
	}
}

func FuzzEventRoundTrip(f *testing.F) {
	f.Add("alice", "/robot/send", "q=1", "hkid-bulk", "A12****(3)", int64(5))
	f.Add("陳大文", "/路徑", "", "", `quote"back\slash`, int64(0))
	f.Add("x", "\xe8\xb7", "", "", "", int64(-1)) // invalid UTF-8
	f.Fuzz(func(t *testing.T, user, path, query, rule, sample string, n int64) {
		e := &Event{Time: time.Unix(1700000000, 0).UTC(), ID: "x", Action: ActionLog, User: user, Path: path,
			Query: query, Rule: rule, BodyBytes: n, Explain: []string{sample}, Seq: 3, PrevHash: ZeroHash}
		line, hash, err := encodeRecord(e)
		if err != nil {
			return
		}
		r, err := parseRecord(line[:len(line)-1])
		if err != nil {
			t.Fatalf("parseRecord(%q): %v", line, err)
		}
		if r.Computed != hash || r.Hash != hash || r.Seq != 3 {
			t.Fatalf("chain fields: %+v, hash %s", r, hash)
		}
		var back Event
		if err := json.Unmarshal(line, &back); err != nil {
			t.Fatal(err)
		}
		// Valid UTF-8 survives; invalid bytes become U+FFFD (the hash
		// covers the bytes written, so the chain is unaffected).
		if utf8.ValidString(path) && back.Path != path || !utf8.ValidString(back.Path) {
			t.Errorf("path %q -> %q", path, back.Path)
		}
	})
}

func FuzzParseRecord(f *testing.F) {
	line, _, _ := encodeRecord(&Event{Time: time.Unix(1, 0), Action: ActionBlock, Seq: 1, PrevHash: ZeroHash})
	f.Add(line[:len(line)-1])
	f.Add([]byte(`{"hash":"` + ZeroHash + `"}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseRecord(b) // must not panic
	})
}
