package extract

import (
	"strings"
	"testing"
)

// A JSON body that does not parse — cut short, or followed by stray bytes —
// is read as text with its escapes decoded: encoders write Chinese as
// \uXXXX, and an array of records must not hide it any more than an
// object does. Text that merely starts with a bracket is not JSON.
func TestBrokenJSONEscapesDecoded(t *testing.T) {
	// 病人陳大文 as json.dumps writes it.
	const esc = `\u75c5\u4eba\u9673\u5927\u6587`
	const want = "病人陳大文"
	record := `{"patient": "` + esc + `", "note": "` + esc + ` \u7cd6\u5c3f\u75c5"}`
	for _, c := range []struct {
		name, body string
		decoded    bool // the escapes come out decoded
		malformed  bool // reported as JSON that does not parse
	}{
		{"valid array", "[" + record + "]", true, false},
		{"array cut short", "[" + record + ", " + record[:20], true, true},
		{"array with trailing bytes", "[" + record + "]xx", true, true},
		{"array of strings cut short", `["` + esc + `", "` + esc[:8], true, true},
		{"array after white space", " \n[\n  " + record + ",", true, true},
		{"object cut short", record[:len(record)-5], true, true},
		{"object with trailing bytes", record + " }", true, true},
		{"log line in brackets", "[INFO] " + esc + " started\n[WARN] retry\n", false, false},
		{"bracketed number list", "[1, 2, 3] " + esc, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := bodyInput([]byte(c.body))
			in.ContentType = "application/json"
			res := run(t, in, Limits{})
			text := allText(res)
			if got := strings.Contains(text, want); got != c.decoded {
				t.Errorf("decoded text present = %v, want %v; text %q", got, c.decoded, text)
			}
			malformed := false
			for _, p := range res.Problems {
				if p.Kind == Malformed && strings.Contains(p.Reason, "JSON body does not parse") {
					malformed = true
				}
			}
			if malformed != c.malformed {
				t.Errorf("malformed JSON reported = %v, want %v (problems %v)", malformed, c.malformed, res.Problems)
			}
		})
	}
}
