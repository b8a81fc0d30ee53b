package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/internal/testgen"
)

// TestUnseenSamples runs the whole scan pipeline over samples written
// after the classifiers were tuned (none is in the tuning corpus): genuine
// statements, medical records and ID lists in English, Traditional and
// Simplified Chinese, and near-misses that share their vocabulary —
// pharmacy price lists, insurance brochures, job ads, board minutes that
// mention a balance sheet, quotations, expense claims, Cantonese chat.
func TestUnseenSamples(t *testing.T) {
	cases := []struct{ name, want, body string }{
		{"budget_chat.json", "allow", `{"msgtype":"text","text":{"content":"Hi team, next year's marketing budget is HK$2,500,000 (revenue target 30,000,000). Please revise the balance of the Q1 campaign spend."}}
`},
		{"fs_en_mgmt.txt", "block", `Management Accounts - October 2026
Profit and Loss Account (unaudited)   HK$       Oct-26      YTD
Sales                                    1,204,330   10,880,120
Less: Cost of goods sold                  (702,110)  (6,450,300)
Gross margin                               502,220    4,429,820
Staff costs                               (210,000)  (2,100,000)
Rent and rates                             (85,000)    (850,000)
Net profit before tax                      207,220    1,479,820
Balance sheet summary: Total assets 12,330,000; Total liabilities 4,210,000
`},
		{"fs_tc.txt", "block", `ABC 貿易有限公司
綜合損益表
截至二零二五年十二月三十一日止年度
（以港元千元列示）
                         附註    2025       2024
營業額                     4    125,430    118,220
銷售成本                         (80,112)   (76,540)
毛利                              45,318     41,680
行政開支                         (20,115)   (19,870)
除稅前溢利                        25,203     21,810
所得稅開支                 7      (4,158)    (3,599)
年內溢利                          21,045     18,211
每股盈利（港仙）                   12.3       10.6
`},
		{"invoice_tc.txt", "allow", `發票 INVOICE No. INV-2026-1183
客戶：瑪麗醫院 藥劑部
項目：冷藏櫃維修服務  數量 2  單價 HK$3,200  金額 HK$6,400
總計 HK$6,400  付款期限：30日
`},
		{"it_en.txt", "allow", `Incident report: the file server was infected by a computer virus overnight; operations team quarantined the host. The cold storage backups were healthy. Patch the vaccine (antivirus) signatures on all machines and schedule surgery on the legacy database. Our client Queen Mary Hospital was not affected.
`},
		{"med_sc.txt", "block", `转诊信
患者姓名：陈小明  性别：男  出生日期：1968-03-02
主诉：反复胸闷气促两周。
既往史：2型糖尿病十年，高血压。
诊断：不稳定型心绞痛 (I20.0)
处方：阿司匹林 100mg 每日一次；阿托伐他汀 20mg 每晚一次。
建议转介心脏专科进一步行冠状动脉造影。
医生签名：李医生
`},
		{"news_sc.txt", "allow", `腾讯控股公布第三季度业绩，营业收入同比增长15%至1,670亿元人民币，净利润达到532亿元，高于市场预期。分析师认为游戏业务复苏带动毛利率上升。
`},
		{"payslip_sc.txt", "allow", `工资单 2026年10月
基本工资 18,000 加班费 1,200 强积金供款 (900) 实发工资 18,300
`},
		{"neg_cantonese_chat.txt", "allow", `阿明：今日好攰，頭先開完會又要改份報告😩
阿玲：食咗藥未呀？你琴日話喉嚨痛喎
阿明：冇事，飲多啲水就得，聽日見
`},
		{"neg_expense_claim.txt", "allow", `Expense claim – October 2026
Taxi to client (Kowloon Hospital project meeting) HK$86
Lunch with supplier HK$420
Total to reimburse HK$506. Approved by: Finance Manager
`},
		{"neg_insurance_brochure.txt", "allow", `Critical Illness Plan – what is covered
Cancer, heart attack, stroke, kidney failure, major organ transplant and 50 other conditions.
Premiums from HK$300 a month. Hospital cash benefit HK$1,000 per day of hospitalisation.
Ask your agent for the policy provisions.
`},
		{"neg_minutes_fin.txt", "allow", `Board meeting minutes 12 Nov 2026
1. CFO to circulate the audited balance sheet and income statement next week.
2. Revenue grew 8% year on year; management to review the cash flow forecast.
3. AOB: staff flu vaccination day on 1 Dec.
`},
		{"neg_nurse_job_ad.txt", "allow", `招聘：註冊護士（病房）
職責：照顧住院病人，協助醫生進行治療，記錄病歷。
要求：持有護士管理局註冊證書；三年或以上內科經驗。
待遇：月薪面議，另設醫療及牙科福利。
`},
		{"neg_pharmacy_catalogue.txt", "allow", `Spring Promotion - Health Pharmacy price list
Panadol Extra 20 tablets HK$38.90
Metformin 500mg (prescription only) HK$120 per box
Vitamin C 1000mg HK$89
Blood glucose test strips x50 HK$260
Free blood pressure check for members every Saturday!
`},
		{"neg_quotation_sc.txt", "allow", `报价单 No. Q-2026-088
客户：上海某某科技有限公司
产品            数量     单价(元)     金额(元)
服务器机柜        2       12,500.00    25,000.00
安装调试费        1        3,000.00     3,000.00
合计                                    28,000.00
报价有效期：30天
`},
		{"neg_safety_policy_sc.txt", "allow", `办公室健康与安全守则
1. 如有发烧、咳嗽等症状，请在家休息并通知主管。
2. 急救箱放在前台，内有创可贴、消毒液。
3. 每年组织一次流感疫苗接种。
`},
		{"neg_sales_pipeline.csv", "allow", `Opportunity,Stage,Amount (HK$),Close date,Owner
Cathay renewal,Negotiation,"1,200,000",2026-12-15,Amy
HSBC pilot,Proposal,"450,000",2027-01-30,Ben
MTR upgrade,Qualified,"2,300,000",2027-03-01,Carol
Total pipeline,,"3,950,000",,
`},
		{"pos_fin_en_tb.csv", "block", `Trial Balance as at 31 October 2026,,
Account,Debit (HK$),Credit (HK$)
1000 Cash at bank,"1,250,000",
1100 Accounts receivable,"830,400",
2000 Accounts payable,,"412,300"
3000 Share capital,,"1,000,000"
4000 Revenue,,"2,340,000"
5000 Cost of sales,"1,410,000",
6000 Operating expenses,"261,900",
Total,"3,752,300","3,752,300"
`},
		{"pos_fin_sc_cashflow.txt", "block", `合并现金流量表
2025年度   单位：人民币元
项目                               本期金额            上期金额
一、经营活动产生的现金流量：
销售商品、提供劳务收到的现金      1,234,567,890.12    1,100,234,111.00
购买商品、接受劳务支付的现金     (845,123,000.00)    (790,456,000.00)
经营活动产生的现金流量净额         389,444,890.12      309,778,111.00
二、投资活动产生的现金流量：
购建固定资产支付的现金            (120,000,000.00)    (98,000,000.00)
现金及现金等价物净增加额           210,334,000.00      150,220,000.00
`},
		{"pos_fin_tc_equity.txt", "block", `綜合權益變動表
截至二零二五年三月三十一日止年度（港幣千元）
                 股本     保留溢利    總權益
於2024年4月1日   50,000   120,330    170,330
年內溢利            -      25,114     25,114
已派股息            -     (10,000)   (10,000)
於2025年3月31日  50,000   135,444    185,444
`},
		{"pos_med_csv_patients.csv", "block", `patient_id,name,dob,icd10,diagnosis
P001,Chan Tai Man,1956-02-11,E11.9,Type 2 diabetes mellitus
P002,Lee Mei Ling,1970-08-30,I10,Essential hypertension
P003,Ho Ka Yan,1988-12-01,J45.909,Asthma
`},
		{"pos_med_en_discharge.txt", "block", `DISCHARGE SUMMARY
Name: WONG Siu Ming   Sex: M   Age: 67   Hospital No.: HN12345678
Admission: 02/11/2026   Discharge: 09/11/2026
Principal diagnosis: Community-acquired pneumonia; Secondary: COPD, atrial fibrillation
Treatment: IV amoxicillin-clavulanate, then oral; warfarin continued, INR 2.4 on discharge.
Follow-up: Medical SOPD in 4 weeks; chest X-ray before visit.
`},
		{"pos_med_sc_lab.txt", "block", `检验报告单
姓名：王芳  性别：女  年龄：45  病历号：2026110033
检验项目        结果     参考范围
血红蛋白        98 g/L   115-150
白细胞计数      12.5     4-10
C反应蛋白       35 mg/L  <10
临床诊断：缺铁性贫血；感染待查
`},
		{"pos_med_tc_rx.txt", "block", `處方箋
病人：李美玲  女  52歲
診斷：二型糖尿病、高膽固醇血症
藥物：Metformin 500mg 每日兩次；Atorvastatin 10mg 每晚一次
醫生：張醫生  日期：2026年11月20日
`},
	}
	dir := t.TempDir()
	args := make([]string, len(cases))
	for i, c := range cases {
		args[i] = filepath.Join(dir, c.name)
		if err := os.WriteFile(args[i], []byte(c.body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, lines, raw := runScan(t, "", args...)
	if code != 0 || len(lines) != len(cases) {
		t.Fatalf("exit %d, %d lines:\n%s", code, len(lines), raw)
	}
	for i, c := range cases {
		if lines[i].Verdict != c.want {
			t.Errorf("%s: verdict %s (%+v), want %s", c.name, lines[i].Verdict, lines[i].Findings, c.want)
		}
	}
}

// TestUnseenHKIDForms: every written form in one list is counted once, an
// invalid check digit is not, and look-alike contexts (URLs, e-mail, tokens,
// part numbers) do not count.
func TestUnseenHKIDForms(t *testing.T) {
	forms := []func(id string) string{
		func(id string) string { return id },                                                  // A123456(3)
		func(id string) string { return strings.NewReplacer("(", "", ")", "").Replace(id) },   // A1234563
		func(id string) string { return strings.Replace(id, "(", " (", 1) },                   // A123456 (3)
		func(id string) string { return strings.NewReplacer("(", " ", ")", "").Replace(id) },  // A123456 3
		func(id string) string { return strings.NewReplacer("(", "（", ")", "）").Replace(id) }, // full-width brackets
		func(id string) string { return strings.ToLower(id) },                                 // lower case
		func(id string) string { return strings.NewReplacer("(", "-", ")", "").Replace(id) },  // A123456-3
	}
	var b strings.Builder
	b.WriteString("申請人身份證號碼 / HKID numbers of the applicants:\n")
	for i, f := range forms {
		fmt.Fprintf(&b, "- applicant %d: %s\n", i, f(testgen.HKID(100+i)))
	}
	fmt.Fprintf(&b, "- rejected form, typo: %s\n", testgen.InvalidHKID(200))
	code, lines, raw := runScan(t, b.String(), "-")
	if code != 0 || lines[0].Verdict != "block" || hkidCount(lines[0]) != len(forms) {
		t.Fatalf("want block with %d HKIDs, got exit %d:\n%s", len(forms), code, raw)
	}

	id := strings.NewReplacer("(", "", ")", "").Replace(testgen.HKID(300))
	contexts := fmt.Sprintf("see https://example.com/doc/%s and mail %s@corp.hk, build %s9, token x%s",
		id, strings.ToLower(id), id, id)
	code, lines, raw = runScan(t, contexts, "-")
	if code != 0 || lines[0].Verdict != "allow" {
		t.Fatalf("look-alike contexts: exit %d:\n%s", code, raw)
	}
}
