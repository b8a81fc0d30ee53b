package extract

// The encoding/json based JSON walker that jsonscan.go replaced, kept
// verbatim (renamed) as the reference the differential tests and
// FuzzJSONWalker compare the hand-written scanner against.

import (
	"encoding/json"
	"strconv"
	"strings"
)

// refJSONNode is the encoding/json walker jsonNode replaced, kept as the
// reference the differential tests compare against. It walks a JSON document, emitting every string value labelled with
// its path. A string value that is itself a JSON document is decoded and
// walked too. It returns false when text is not JSON.
func (w *walker) refJSONNode(n node, text string) bool {
	if !json.Valid([]byte(text)) {
		return w.refJSONLines(n, text)
	}
	var prefix string
	switch {
	case n.origin == "":
		prefix = "json:"
	case strings.Contains(n.origin, "json:"):
		prefix = n.origin + ">" // a JSON document inside a JSON string
	default:
		prefix = n.origin + ">json:"
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	w.refJSONValue(dec, prefix, "$", "", n.depth)
	return true
}

// refJSONLines is the reference jsonLines; it walks JSON Lines (one document per line, as log exports and
// message dumps are written): every non-empty line must be JSON, else the
// body is not JSON Lines and is read as text. Origins read "jsonl:3:$.a".
func (w *walker) refJSONLines(n node, text string) bool {
	lines := strings.Split(text, "\n")
	docs := 0
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if l[0] != '{' && l[0] != '[' || !json.Valid([]byte(l)) {
			return false
		}
		docs++
	}
	if docs < 2 {
		return false
	}
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if w.expired() {
			return true
		}
		prefix := "jsonl:" + strconv.Itoa(i+1) + ":"
		if n.origin != "" {
			prefix = n.origin + ">" + prefix
		}
		dec := json.NewDecoder(strings.NewReader(l))
		dec.UseNumber()
		w.refJSONValue(dec, prefix, "$", "", n.depth)
	}
	return true
}

// key is the member name the value sits under (an array's own name for its
// elements): numbers are emitted as "key: 123" because a bare number means
// nothing to a classifier, while {"Total assets": 1204330} does.
func (w *walker) refJSONValue(dec *json.Decoder, prefix, path, key string, depth int) {
	if w.tick() {
		panic(errStop)
	}
	tok, err := dec.Token()
	if err != nil {
		return
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return
				}
				k, _ := kt.(string)
				if jsonKeyData(k) {
					w.emit(prefix+path+jsonKey(k)+"#key", k)
				}
				w.refJSONValue(dec, prefix, path+jsonKey(k), k, depth)
			}
			_, _ = dec.Token()
		case '[':
			for i := 0; dec.More(); i++ {
				w.refJSONValue(dec, prefix, path+"["+strconv.Itoa(i)+"]", key, depth)
			}
			_, _ = dec.Token()
		}
	case json.Number:
		if key != "" {
			w.emit(prefix+path, key+": "+t.String())
		}
	case string:
		origin := prefix + path
		s := strings.TrimSpace(t)
		if (strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") || strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]")) && json.Valid([]byte(s)) {
			if depth+1 > w.lim.MaxDepth {
				w.limit(origin, "nested JSON deeper than the nesting limit not inspected")
				w.emit(origin, t)
				return
			}
			inner := json.NewDecoder(strings.NewReader(s))
			inner.UseNumber()
			w.refJSONValue(inner, origin+">", "$", "", depth+1)
			return
		}
		if w.base64Doc(origin, s, depth) {
			return
		}
		w.emit(origin, t)
		w.textExtras(origin, t, depth, true)
	}
}
