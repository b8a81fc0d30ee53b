package answer

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestShapesPerAPI(t *testing.T) {
	for _, tt := range []struct {
		url  string
		want Shape
	}{
		{"https://api.dingtalk.com/v1.0/robot/oToMessages/batchSend", ShapeAPI},
		{"https://API.dingtalk.com.:443/v1.0/x", ShapeAPI},
		{"https://oapi.dingtalk.com/robot/send?access_token=x", ShapeOAPI},
		{"https://im.dingtalk.com/", ShapeOAPI},
	} {
		req, _ := http.NewRequest(http.MethodPost, tt.url, nil)
		req.Header.Set("Content-Type", "application/json")
		resp := Blocked(req, Block{Rule: "hkid-bulk", RuleReason: "3 HKIDs > 2", EventID: "ev1"}, CodePolicy)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 403 || resp.Header.Get("X-Dlpgate-Event") != "ev1" {
			t.Errorf("%s: status %d event %q", tt.url, resp.StatusCode, resp.Header.Get("X-Dlpgate-Event"))
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v: %s", tt.url, err, b)
		}
		if strings.Contains(string(b), `\u003e`) {
			t.Errorf("%s: HTML-escaped: %s", tt.url, b)
		}
		switch tt.want {
		case ShapeAPI:
			if m["code"] != "Forbidden.Dlpgate.PolicyBlocked" || m["requestid"] != "ev1" ||
				!strings.Contains(m["message"].(string), "hkid-bulk (3 HKIDs > 2); event ev1") || len(m) != 3 {
				t.Errorf("%s: api shape %s", tt.url, b)
			}
		case ShapeOAPI:
			if m["errcode"] != float64(CodePolicy) || !strings.Contains(m["errmsg"].(string), "hkid-bulk") || len(m) != 2 {
				t.Errorf("%s: oapi shape %s", tt.url, b)
			}
		}
	}
}

func TestErrorWithoutEventGetsRequestID(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "https://api.dingtalk.com/v1.0/x", nil)
	var m map[string]string
	b, _ := io.ReadAll(Error(req, 503, CodeInspectFailed, "dlpgate: inspection was interrupted", "", "x").Body)
	if err := json.Unmarshal(b, &m); err != nil || m["requestid"] == "" || m["code"] != "ServiceUnavailable.Dlpgate.InspectFailed" {
		t.Errorf("got %s (%v)", b, err)
	}
	if NumericCode(m["code"]) != CodeInspectFailed {
		t.Errorf("NumericCode(%q) = %d", m["code"], NumericCode(m["code"]))
	}
}

func TestBrowserGetsPage(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "https://api.dingtalk.com/upload", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp := Blocked(req, Block{Rule: "medical-record", EventID: "ev2", Host: "api.dingtalk.com", Path: "/upload", Contact: "IT <x@y>"}, CodePolicy)
	b, _ := io.ReadAll(resp.Body)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "ev2") ||
		!strings.Contains(string(b), "IT &lt;x@y&gt;") {
		t.Errorf("page: %s", b)
	}
}
