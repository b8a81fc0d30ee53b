package classifiers

import (
	"context"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// Second probe round (chat accounts with abbreviations, a plain 繁 P&L, a
// 简 balance sheet; budget-vs-actual, invoice summaries, a request naming
// statements; resident notes in prose, a diet list, clinic hours, a claims
// procedure, a training notice).
func TestProbesRound2(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		med, fin   bool
	}{
		{"fneg_invoice_summary.txt", `Invoice summary Q3
Invoice	Customer	Amount
INV-1001	ABC Ltd	12,000
INV-1002	XYZ Co	8,500
Total		20,500
`, false, false},
		{"fneg_marketing_budget.txt", `Budget vs actual — marketing
Item	Budget	Actual
Events	50,000	42,300
Digital ads	80,000	91,200
Print	20,000	12,000
`, false, false},
		{"fneg_request.txt", `Please prepare the balance sheet, income statement and cash flow statement for the board by 15 Jan. Revenue and net profit figures must match the audited accounts.
`, false, false},
		{"fpos_bs_sc.txt", `资产负债表
编制单位：某某有限公司 2025年12月31日 单位：元
资产 期末余额 年初余额
货币资金 1,203,400 980,200
应收账款 560,000 610,300
存货 890,100 700,000
流动资产合计 2,653,500 2,290,500
`, false, true},
		{"fpos_chat_abbrev.txt", `Subject: Oct numbers
Hi boss,
Shop A: turnover 845,200, COGS 401,300, GP 443,900, rent 120,000, wages 160,500, net 163,400.
Shop B: turnover 612,000, COGS 300,100, GP 311,900, rent 95,000, wages 130,000, net 86,900.
`, false, true},
		{"fpos_simple_tc.txt", `損益表
項目	本月	上月
收入	452,300	430,100
支出	(310,200)	(298,000)
盈利	142,100	132,100
`, false, true},
		{"mneg_claim_process_tc.txt", `本公司團體醫療計劃理賠流程：員工需填寫索償表，附上醫生證明及診斷書，例如流感、腸胃炎等門診費用可報銷。
`, false, false},
		{"mneg_opening.txt", `Clinic opening hours over Christmas: closed 25-26 Dec. For fever, cough or chest pain please go to A&E. Dr Lee returns 27 Dec.
`, false, false},
		{"mneg_training.txt", `Mental health first aid training: recognising depression, anxiety and panic attacks in colleagues. Trainer: Ms Wong. Venue: Room 3.
`, false, false},
		{"mpos_diet_tc.csv", `病人姓名,床號,飲食
陳大文,12,糖尿病餐
李小明,15,低鹽餐
`, true, false},
		{"mpos_resident_prose.txt", `Mrs Lee, 72, is our new resident in room 305. She has mild dementia and takes donepezil; allergic to penicillin.
`, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var med, fin bool
			for _, f := range testSet.Classify(context.Background(), []extract.Segment{{Origin: tc.name, Text: tc.text}}) {
				med = med || f.Classifier == Medical
				fin = fin || f.Classifier == FinancialStatement && f.Confidence >= Medium
			}
			if med != tc.med || fin != tc.fin {
				t.Fatalf("medical %v financial %v, want %v %v", med, fin, tc.med, tc.fin)
			}
		})
	}
}
