package classifiers

import (
	"context"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// Probes written after the labelled corpus passed, as a new user would try
// them (handover notes, dialysis, check-up anomalies, a parent's e-mail,
// resident JSON; price lists, job ads, claim statistics, recalls, school
// notices, a staff directory of clinicians).
func TestMedicalProbes(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       bool
	}{
		{"neg_claim_stats.txt", `Q3 claims statistics: 1,204 outpatient claims; top diagnoses URTI, gastroenteritis, back pain. Average claim HK$620.
`, false},
		{"neg_dental_prices.txt", `Dental clinic price list
Scaling and polishing $480
Root canal treatment from $3,800
Dental implant from $18,000
`, false},
		{"neg_directory.txt", `Staff directory
Name	Title	Ext
Dr Chan Tai Man	Consultant Psychiatrist	2301
Lee Siu Ming	Clinical Psychologist	2302
`, false},
		{"neg_job_tc.txt", `招聘：言語治療師
負責自閉症及發展遲緩兒童的評估及治療，月薪面議。
`, false},
		{"neg_recall.txt", `Product recall notice: batch 22A of amoxicillin 500mg capsules is recalled. Pharmacies should return stock.
`, false},
		{"neg_school_notice_tc.txt", `各位家長：本校將於下週為學生接種流感疫苗，如學生對雞蛋過敏，請通知校務處。
`, false},
		{"pos_checkup_sc.csv", `体检异常汇总
工号,姓名,异常项目,建议
A001,张伟,血糖偏高,内分泌科复查
A002,刘洋,甲状腺结节,超声随访
`, true},
		{"pos_dialysis_tc.txt", `血液透析記錄
病人：黃美玲
透析前體重 62.4kg，血壓 150/90
肝素 2000單位
`, true},
		{"pos_email.txt", `Dear HR, my son was admitted yesterday with appendicitis and needs surgery, so I will take urgent leave. Ng Ka Ho
`, true},
		{"pos_handover.txt", `Nurse handover — Bed 12
Mrs Cheung, 81, post-op day 2 right hip replacement. Pain controlled with paracetamol. Watch for delirium.
`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got bool
			for _, f := range testSet.Classify(context.Background(), []extract.Segment{{Origin: tc.name, Text: tc.text}}) {
				got = got || f.Classifier == Medical
			}
			if got != tc.want {
				t.Fatalf("medical = %v, want %v", got, tc.want)
			}
		})
	}
}
