package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// --explain prints every classifier with its score and signals, also the
// ones that stayed quiet, and without it the output has no explain field.
func TestScanExplain(t *testing.T) {
	near := "Health tips: patients with type 2 diabetes may be given metformin.\n"
	code, _, out := runScan(t, near, "--explain", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	var line struct {
		Verdict string `json:"verdict"`
		Explain []struct {
			Classifier string   `json:"classifier"`
			Fired      bool     `json:"fired"`
			Score      int      `json:"score"`
			Signals    []string `json:"signals"`
			Reason     string   `json:"reason"`
		} `json:"explain"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &line); err != nil {
		t.Fatal(err)
	}
	if line.Verdict != "allow" {
		t.Fatalf("verdict %s, want allow", line.Verdict)
	}
	seen := map[string]bool{}
	for _, e := range line.Explain {
		seen[e.Classifier] = true
		if e.Classifier == "medical" {
			if e.Fired || e.Score == 0 || e.Reason == "" || len(e.Signals) == 0 {
				t.Errorf("medical explanation %+v: want a score, signals and a reason below threshold", e)
			}
			for _, s := range e.Signals {
				if strings.Contains(s, "diabetes") || strings.Contains(s, "metformin") {
					t.Errorf("signal %q shows a clinical term in clear", s)
				}
			}
		}
	}
	for _, c := range []string{"hkid", "medical", "financial_statement"} {
		if !seen[c] {
			t.Errorf("no explanation for %s in %s", c, out)
		}
	}
	_, _, plain := runScan(t, near, "-")
	if strings.Contains(plain, `"explain"`) {
		t.Errorf("explain printed without --explain: %s", plain)
	}
}
