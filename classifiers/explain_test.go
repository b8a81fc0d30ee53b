package classifiers

import (
	"context"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// Explain reports every classifier, fired or not, with the reason a
// near-miss stayed quiet.
func TestExplain(t *testing.T) {
	explain := func(text string) map[string]Explanation {
		out := map[string]Explanation{}
		for _, e := range testSet.Explain(context.Background(), []extract.Segment{{Origin: "t", Text: text}}) {
			out[e.Classifier] = e
		}
		return out
	}
	tpl := explain("Statement of profit or loss (template)\nRevenue\t\t\nCost of sales\t\t\nGross profit\t\t\nNet profit\t\t")
	if f := tpl[FinancialStatement]; f.Fired || !strings.Contains(f.Reason, "no figures") {
		t.Errorf("template: %+v", f)
	}
	if len(tpl) != len(testSet.cls) {
		t.Errorf("%d explanations for %d classifiers", len(tpl), len(testSet.cls))
	}
	tips := explain("Health tips: people with type 2 diabetes may take metformin and check their HbA1c.")
	if m := tips[Medical]; m.Fired || m.Score == 0 || m.Reason == "" {
		t.Errorf("health tips: %+v", m)
	}
	rec := explain("Discharge summary\nPatient: Chan Tai Man\nDiagnosis: pneumonia\nMedication: amoxicillin 500mg tds")
	if m := rec[Medical]; !m.Fired || m.Confidence < Medium || m.Score < m.Threshold {
		t.Errorf("record: %+v", m)
	}
	pl := explain("Revenue 1,200,000\nCost of sales (700,000)\nGross profit 500,000\nRent (120,000)\nNet profit 380,000")
	if f := pl[FinancialStatement]; !f.Fired || f.Score < 2 {
		t.Errorf("P&L: %+v", f)
	}
}
