package classifiers

import (
	"context"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// Third probe round, 繁/简 chat and forms: a ward message naming a bed and
// a patient, a clinic's message to a patient, a leave form; chat about a
// check-up queue, a drug sales ranking, a leave procedure, policy wording.
func TestProbesRound3(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		med        bool
	}{
		{"mneg_chat_sc.txt", `今天体检中心人很多，抽血排了一个小时，大家记得空腹。
`, false},
		{"mneg_pharma_rank_sc.txt", `本月药品销售排行：阿莫西林、布洛芬、二甲双胍位列前三，销售额同比增长12%。
`, false},
		{"mneg_policy_sc.txt", `保单条款：被保险人因意外或疾病住院，可获每日住院津贴；癌症、中风、心脏病属重大疾病保障范围。
`, false},
		{"mneg_process_tc.txt", `各位同事：下週一起實施新的病假申報流程，請於系統填寫請假事由並上載醫生證明。
`, false},
		{"mpos_clinic_msg_tc.txt", `陳小姐，你好！你嘅驗血報告顯示膽固醇偏高（LDL 4.2），醫生建議開始服用他汀類藥物，請預約覆診。
`, true},
		{"mpos_leave_form_sc.txt", `员工：赵磊
请假类型：病假
请假时间：3月5日-3月7日
请假事由：急性阑尾炎术后休养
`, true},
		{"mpos_ward_chat_sc.txt", `张主任，3床李建国今天血压180/100，头痛，已给硝苯地平10mg舌下含服，请指示。
`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var med bool
			for _, f := range testSet.Classify(context.Background(), []extract.Segment{{Origin: tc.name, Text: tc.text}}) {
				med = med || f.Classifier == Medical
			}
			if med != tc.med {
				t.Fatalf("medical %v, want %v", med, tc.med)
			}
		})
	}
}
