package extract

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// jsonWalkResult is everything one JSON walk produced.
type jsonWalkResult struct {
	res   Result
	ok    bool // the body was JSON (or JSON Lines)
	steps int  // time-budget checks made: the walks must check as often
}

// walkJSON runs the scanner (ref false) or the encoding/json reference
// (ref true) over text as textNode would, panics surfacing.
func walkJSON(text, origin string, depth int, lim Limits, ref bool) jsonWalkResult {
	w := &walker{ctx: context.Background(), parent: context.Background(), lim: lim.withDefaults(), seen: map[string]bool{}, repanic: true}
	var ok bool
	n := node{origin: origin, depth: depth}
	w.guard(origin, "text", func() {
		if ref {
			ok = w.refJSONNode(n, text)
		} else {
			ok = w.jsonNode(n, text)
		}
	})
	return jsonWalkResult{res: w.res, ok: ok, steps: w.steps}
}

// jsonDiffLimits are the limit sets every document is walked under:
// defaults, a shallow nesting limit (nested JSON strings stop early) and
// a small total-text limit (the walk stops part-way).
var jsonDiffLimits = []Limits{{}, {MaxDepth: 1}, {MaxTotalBytes: 300}}

// jsonDiffOrigins are the node origins a JSON body arrives with.
var jsonDiffOrigins = []string{"", "file:x.json", "multipart:payload>json:$.a", "form:msgParam"}

// sameAsReference fails t unless the scanner and the reference walk text
// identically under every limit set and origin.
func sameAsReference(t *testing.T, text string) {
	t.Helper()
	for _, lim := range jsonDiffLimits {
		for _, origin := range jsonDiffOrigins {
			want := walkJSON(text, origin, 0, lim, true)
			got := walkJSON(text, origin, 0, lim, false)
			if reflect.DeepEqual(got, want) {
				continue
			}
			t.Errorf("doc %s\nlimits %+v origin %q: scanner differs from encoding/json reference: %s", clipQ(text), lim, origin, jsonDiff(got, want))
			return
		}
	}
}

func clipQ(s string) string {
	if len(s) > 300 {
		return fmt.Sprintf("%q... (%d bytes)", s[:300], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// jsonDiff describes the first difference between two walks.
func jsonDiff(got, want jsonWalkResult) string {
	if got.ok != want.ok {
		return fmt.Sprintf("is JSON: got %v, want %v", got.ok, want.ok)
	}
	for i := 0; i < max(len(got.res.Segments), len(want.res.Segments)); i++ {
		var g, w Segment
		if i < len(got.res.Segments) {
			g = got.res.Segments[i]
		}
		if i < len(want.res.Segments) {
			w = want.res.Segments[i]
		}
		if g != w {
			return fmt.Sprintf("segment %d: got %q %q, want %q %q", i, g.Origin, g.Text, w.Origin, w.Text)
		}
	}
	if !reflect.DeepEqual(got.res.Problems, want.res.Problems) {
		return fmt.Sprintf("problems: got %+v, want %+v", got.res.Problems, want.res.Problems)
	}
	return fmt.Sprintf("steps/bytes: got %d/%d, want %d/%d", got.steps, got.res.TextBytes, want.steps, want.res.TextBytes)
}

// jsonGen writes random JSON documents that exercise every path of the
// walker: nesting, escapes of every kind, raw and escaped Unicode (valid
// and broken surrogates, invalid UTF-8), numbers, literals, odd keys,
// JSON inside strings, base64 documents and whitespace.
type jsonGen struct {
	r *rand.Rand
}

var (
	genKeys = []string{`a`, `msgParam`, `text`, `content`, `Total_assets`, ``, `weird key`, `客戶`, `a\"b`, `<x>&`, `\u0041bc`,
		`\ud83d\ude00`, "k\xffey", `a\\b`, `x.y`, `1`, `\u2028`}
	genFrags = []string{"hello", " ", "客人身份證 ", "香港", "😀", "陳大文", `\n`, `\t`, `\"`, `\\`, `\/`, `\b`, `\f`, `\r`,
		`\u4e2d`, `\u00e9`, `\uD83D\uDE00`, `\ud83d`, `\ude00`, `\ud83d\ud83d`, `\uD83D\u0041`, `\ude00\ud83d`, `\u0000`, `\uFFFD`,
		"\xff", "\xed\xa0\x80", "\xc3", "\xef\xbf\xbd", "\xe4\xb8", "\u00a0", "\u2028", "<b>&amp;", "{", "}", "[", "]", ":", ",",
		"A123456(3)", "tel 9123 4567", "  "}
	genNums = []string{"0", "-0", "7", "-12", "3.14", "1e10", "-0.5E-3", "2E+2", "123456789012345678901234567890", "0.000001"}
	genWS   = []string{"", "", "", " ", "\n", "\t ", "\r\n  "}
)

func (g *jsonGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *jsonGen) ws() string { return g.pick(genWS) }

// str writes a JSON string literal of random fragments.
func (g *jsonGen) str() string {
	var sb strings.Builder
	sb.WriteByte('"')
	for n := g.r.IntN(6); n > 0; n-- {
		sb.WriteString(g.pick(genFrags))
	}
	sb.WriteByte('"')
	return sb.String()
}

// quoted returns doc as a JSON string literal, sometimes padded with
// whitespace that strings.TrimSpace drops.
func (g *jsonGen) quoted(doc string) string {
	pad := []string{"", "", " ", "\n", "\u00a0", "\v"}
	b, _ := json.Marshal(g.pick(pad) + doc + g.pick(pad))
	return string(b)
}

func (g *jsonGen) value(depth int) string {
	k := g.r.IntN(20)
	if depth > 6 && k < 8 {
		k += 8 // shallower as it goes
	}
	switch {
	case k < 4:
		return g.object(depth + 1)
	case k < 7:
		return g.array(depth + 1)
	case k < 9:
		if g.r.IntN(2) == 0 { // JSON inside a string
			return g.quoted(g.object(depth + 2))
		}
		return g.quoted(g.array(depth + 2))
	case k < 13:
		return g.str()
	case k < 16:
		return g.pick(genNums)
	case k < 17:
		return g.pick([]string{"true", "false", "null"})
	case k < 18:
		return g.base64()
	default:
		return g.quoted(g.pick([]string{`{"content":"x"}`, `[1,"a"]`, `{}`, `[]`, ` {"a":1} `, `{"a":`, `[1,]`, `{"a":"\u4e2d"}`}))
	}
}

func (g *jsonGen) object(depth int) string {
	var sb strings.Builder
	sb.WriteString("{" + g.ws())
	for i, n := 0, g.r.IntN(7); i < n; i++ {
		if i > 0 {
			sb.WriteString(g.ws() + "," + g.ws())
		}
		sb.WriteString(`"` + g.pick(genKeys) + `"` + g.ws() + ":" + g.ws() + g.value(depth))
	}
	sb.WriteString(g.ws() + "}")
	return sb.String()
}

func (g *jsonGen) array(depth int) string {
	var sb strings.Builder
	sb.WriteString("[" + g.ws())
	for i, n := 0, g.r.IntN(5); i < n; i++ {
		if i > 0 {
			sb.WriteString(g.ws() + "," + g.ws())
		}
		sb.WriteString(g.value(depth))
	}
	sb.WriteString(g.ws() + "]")
	return sb.String()
}

// base64 returns a JSON string holding base64: readable text (decoded
// and read), binary noise (kept as it is), a data: URL, or a short token.
func (g *jsonGen) base64() string {
	text := []byte(strings.Repeat("Customer Chan Tai Man A123456(3) 香港 ", 1+g.r.IntN(3)))
	noise := make([]byte, 48+g.r.IntN(40))
	for i := range noise {
		noise[i] = byte(g.r.UintN(256))
	}
	switch g.r.IntN(5) {
	case 0:
		return `"` + base64.StdEncoding.EncodeToString(text) + `"`
	case 1:
		return `"` + base64.RawURLEncoding.EncodeToString(noise) + `"`
	case 2:
		return `"data:text/plain;base64,` + base64.StdEncoding.EncodeToString(text) + `"`
	case 3:
		return `"` + base64.StdEncoding.EncodeToString([]byte(`{"inner":"`+string(text)+`"}`)) + `"`
	default:
		return `"` + base64.StdEncoding.EncodeToString(noise[:12]) + `"`
	}
}

// mutate damages doc: truncation, a flipped byte or an inserted one.
func (g *jsonGen) mutate(doc string) string {
	if doc == "" {
		return doc
	}
	i := g.r.IntN(len(doc))
	switch g.r.IntN(3) {
	case 0:
		return doc[:i]
	case 1:
		return doc[:i] + string(rune(g.pick([]string{`"`, `\`, `}`, `]`, `,`, `:`, "\x01", "x", "0"})[0])) + doc[i+1:]
	default:
		return doc[:i] + g.pick([]string{`"`, `\`, `{`, `[`, `,`, "\n", "-", "\xff"}) + doc[i:]
	}
}

// TestJSONScannerMatchesReference walks generated documents (valid,
// damaged, JSON Lines) with the scanner and with the encoding/json walker
// it replaced: segments, problems, the JSON verdict and the number of
// time-budget checks must be identical.
func TestJSONScannerMatchesReference(t *testing.T) {
	g := &jsonGen{r: rand.New(rand.NewPCG(1, 2))}
	for i := 0; i < 1000; i++ {
		var doc string
		if i%2 == 0 {
			doc = g.object(0)
		} else {
			doc = g.array(0)
		}
		sameAsReference(t, doc)
		sameAsReference(t, g.ws()+doc+g.ws())
		sameAsReference(t, g.mutate(doc))
		if t.Failed() {
			return
		}
	}
	// JSON Lines: several documents, blank lines, CRLF, lines led by
	// Unicode space a JSON decoder rejects, and a damaged line.
	for i := 0; i < 300; i++ {
		var lines []string
		for n := 1 + g.r.IntN(4); n > 0; n-- {
			lines = append(lines, g.pick([]string{"", " ", "\v", "\u00a0", "\t"})+g.object(1)+g.pick([]string{"", "\r", " \v"}))
			if g.r.IntN(4) == 0 {
				lines = append(lines, g.pick([]string{"", "  ", "\r"}))
			}
		}
		doc := strings.Join(lines, "\n")
		sameAsReference(t, doc)
		sameAsReference(t, g.mutate(doc))
		if t.Failed() {
			return
		}
	}
}

// TestJSONScannerEdgeCases pins shapes the generator reaches rarely: the
// nesting limit of encoding/json (10000 deep is JSON, 10001 is not),
// nested JSON strings around the depth limit, every literal and number
// form, and malformed documents.
func TestJSONScannerEdgeCases(t *testing.T) {
	deep := func(n int, inner string) string {
		return strings.Repeat(`[`, n-1) + `{"k":` + inner + `,"n":1}` + strings.Repeat(`]`, n-1)
	}
	cases := []struct {
		name string
		doc  string
		json bool // whether encoding/json calls it JSON
	}{
		{"nesting at the limit", deep(jsonMaxNesting, `"v"`), true},
		{"nesting past the limit", deep(jsonMaxNesting+1, `"v"`), false},
		{"objects at the limit", strings.Repeat(`{"a":`, jsonMaxNesting-1) + `{"b":"x"}` + strings.Repeat(`}`, jsonMaxNesting-1), true},
		{"nested strings within depth", nestedJSON(DefaultMaxDepth - 1), true},
		{"nested strings at depth", nestedJSON(DefaultMaxDepth), true},
		{"nested strings past depth", nestedJSON(DefaultMaxDepth + 2), true},
		{"literals and numbers", `{"t":true,"f":false,"n":null,"i":-0,"e":1E+2,"x":[0.5,-1e-3,{"":3}],"":7}`, true},
		{"top-level scalars in array", `[1,"a",true,null,[2]]`, true},
		{"escapes", `{"s":"\"\\\/\b\f\n\r\t\u0041\u4e2d\ud83d\ude00\ud83d\ude00x\udc00\ud800\ud800\u0041"}`, true},
		{"invalid utf-8 raw", "{\"s\":\"a\xffb\xed\xa0\x80c\xc3\",\"k\xfe\":1}", true},
		{"blank strings", `{"a":"","b":"  \n ","c":" \u00a0 "}`, true},
		{"key escapes", `{"a\"b":1,"\u0041":2,"a b":{"c d":"x"}}`, true},
		{"nested json padded", `{"m":" {\"c\":\"d\"} ","n":"\u000b[1,\"x\"]"}`, true},
		{"trailing garbage", `{"a":"b"} x`, false},
		{"two documents", `{"a":"b"}{"c":"d"}`, false},
		{"leading zero", `{"a":01}`, false},
		{"bad escape", `{"a":"\x"}`, false},
		{"single quote escape", `{"a":"\'"}`, false},
		{"control char", "{\"a\":\"\x01\"}", false},
		{"short unicode escape", `{"a":"\u12"}`, false},
		{"truncated literal", `[tru]`, false},
		{"number forms", `[-, 1., .5, 1e, -01]`, false},
		{"empty containers", `{"a":{},"b":[],"c":[{}]}`, true},
		{"json lines", "{\"a\":\"x\"}\n\n[\"y\",{\"n\":2}]\r\n\v{\"b\":\"hidden from a decoder\"}\n", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := validJSON(tc.doc); got != json.Valid([]byte(tc.doc)) || got != tc.json {
				t.Errorf("validJSON = %v, json.Valid = %v, want %v", got, json.Valid([]byte(tc.doc)), tc.json)
			}
			sameAsReference(t, tc.doc)
		})
	}
}

// FuzzJSONWalker compares the scanner with the encoding/json reference on
// arbitrary input; its seeds run in plain go test.
func FuzzJSONWalker(f *testing.F) {
	f.Add(`{"msgKey":"sampleText","msgParam":"{\"content\":\"身份證\"}"}`)
	f.Add(`[{"a":"[\"[\\\"x\\\"]\"]"}]`)
	f.Add(`{"":"", "a b":{"c":[1,2,"3"]}}`)
	f.Add(`{"s":"\ud83d\ude00\ud83d\u0041\udc00"}`)
	f.Add("{\"a\":\"\xff\xed\xa0\x80\"}")
	f.Add("{\"a\":1}\n{\"b\":[\"c\"]}\n\u00a0{\"d\":\"e\"}")
	f.Add(`"top"`)
	f.Add(`{"a":01}`)
	f.Add(nestedJSON(10))
	g := &jsonGen{r: rand.New(rand.NewPCG(3, 4))}
	for i := 0; i < 20; i++ {
		f.Add(g.object(0))
	}
	f.Fuzz(func(t *testing.T, doc string) {
		if validJSON(doc) != json.Valid([]byte(doc)) {
			t.Fatalf("validJSON(%q) = %v, json.Valid disagrees", doc, validJSON(doc))
		}
		sameAsReference(t, doc)
	})
}

// FuzzScanJSONPrefix: the prefix scan accepts exactly a valid value and
// stops where it ends, whatever follows; cut anywhere, the value is not
// accepted; and it nests as deep as it says.
func FuzzScanJSONPrefix(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":"c\"d"}]}`, `"x\u00e9"`, `[]`, `{}`, `[[[["deep"]]]]`, `{"a":1} ,`, `{"a" 1}`, `[1,2`, `"\ud800"`} {
		f.Add(s, "  ,{\"next\":2}")
	}
	f.Fuzz(func(t *testing.T, v, rest string) {
		end, depth, ok := scanJSONPrefix(v + rest)
		if !ok {
			return
		}
		val := (v + rest)[:end]
		if !validJSON(val) {
			t.Fatalf("%q: accepted %q, which is not valid JSON", v+rest, val)
		}
		if validJSON(v) && strings.TrimRight(v, " \t\r\n") == v && (v[0] == '{' || v[0] == '[' || v[0] == '"') && end != len(v) {
			t.Fatalf("%q then %q: ended at %d, want %d", v, rest, end, len(v))
		}
		for cut := 1; cut < len(val); cut++ {
			if e, _, ok := scanJSONPrefix(val[:cut]); ok && (val[0] == '{' || val[0] == '[' || val[0] == '"') {
				t.Fatalf("%q cut to %q: accepted (end %d)", val, val[:cut], e)
			}
		}
		d, maxD := 0, 0
		inStr, esc := false, false
		for i := 0; i < len(val); i++ {
			switch c := val[i]; {
			case esc:
				esc = false
			case inStr && c == '\\':
				esc = true
			case c == '"':
				inStr = !inStr
			case !inStr && (c == '{' || c == '['):
				d++
				maxD = max(maxD, d)
			case !inStr && (c == '}' || c == ']'):
				d--
			}
		}
		if depth != maxD {
			t.Fatalf("%q: depth %d, want %d", val, depth, maxD)
		}
	})
}
