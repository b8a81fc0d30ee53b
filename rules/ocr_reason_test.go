package rules

import (
	"testing"

	"github.com/dlpgate/dlpgate/classifiers"
)

// A policy may block images OCR could not read with reasons = ["ocr"].
func TestOCRReason(t *testing.T) {
	pol := compileTOML(t, testAUP+`
[[rules]]
name = "unread-images"
conditions = [{ classifier = "uninspectable", reasons = ["ocr"] }]
action = "block"
`)
	d := pol.Evaluate(&Input{Request: Request{Host: "oapi.dingtalk.com", Method: "POST", Path: "/media/upload"},
		Findings: []classifiers.Finding{uninspectable("ocr: body/id.png: OCR timed out after 8s")}})
	if d.Action != Block || d.Rule != "unread-images" {
		t.Errorf("decision %+v, want block by unread-images", d)
	}
}
