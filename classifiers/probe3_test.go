package classifiers

import (
	"context"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// Third probe round, 繁/简 chat and forms: a ward message naming a bed and
// a patient, a clinic's message to a patient, a leave form; chat about a
// check-up queue, a drug sales ranking, a leave procedure, policy wording;
// and names that are not the subject: an attendee, a doctor, a new nurse,
// an organiser, a presenter of sick-leave statistics.
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
		{"names-n1.txt", `Chan Tai Man will attend the diabetes awareness seminar on Friday.
`, false},
		{"names-n2.txt", `Dr Chan Tai Man diagnosed 300 patients with influenza this winter, the clinic said.
`, false},
		{"names-n3.txt", `Please welcome Lee Siu Ming, our new occupational health nurse, who will run the diabetes and hypertension screening and the flu vaccination day.
`, false},
		{"names-n4.txt", `各位同事：歡迎李小明加入職業健康組，負責糖尿病及高血壓篩查，以及流感疫苗接種日。
`, false},
		{"names-n5.txt", `王丽娟负责本次员工体检的组织工作，体检项目包括血糖、血脂、心电图，请大家空腹参加。
`, false},
		{"names-n6.txt", `Meeting minutes: Wong Mei Ling presented the sick leave statistics (average 4.2 days); influenza and back pain were the main reasons. Action: Chan Tai Man to update the policy.
`, false},
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
