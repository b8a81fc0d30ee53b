package classifiers

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Third batch, written last and scored once before any change (see the
// report in docs/classifiers.md): records buried in long mail threads,
// mixed-language notes, clinics' own accounts, PDF-like layouts.

func filler(l lang, n int) string {
	p := pick(l, "Please see the minutes of the facilities meeting and the revised cleaning rota for next month. ", "請參閱設施會議紀錄及下月修訂的清潔更表。", "请查阅设施会议纪要及下月修订的保洁排班表。")
	return strings.Repeat(p, n)
}

var medicalTemplates3 = []template{
	{name: "mail-thread-with-discharge", medical: true, formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		rec := pick(l,
			fmt.Sprintf("\n--- forwarded ---\nDischarge summary\nPatient: %s\nDiagnosis: %s\nMedication on discharge: clopidogrel 75mg daily\n", n, oneOf(r, "acute myocardial infarction", "ischaemic stroke")),
			fmt.Sprintf("\n--- 轉寄 ---\n出院摘要\n病人：%s\n診斷：%s\n出院藥物：氯吡格雷 75mg 每日一次\n", n, oneOf(r, "急性心肌梗塞", "缺血性中風")),
			fmt.Sprintf("\n--- 转发 ---\n出院记录\n患者：%s\n诊断：%s\n出院带药：氯吡格雷 75mg 每日一次\n", n, oneOf(r, "急性心肌梗死", "缺血性脑卒中")))
		return content{text: filler(l, 120) + rec + filler(l, 200)}
	}},
	{name: "mixed-language-note", medical: true, formats: []string{"txt", "json"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Pt %s, 67F, c/o SOB x3/7. Hx: HT, DM on metformin. O/E: bilateral creps. Imp: CHF exacerbation. Plan: frusemide 40mg IV, CXR, echo.", n),
			fmt.Sprintf("病人%s，67歲女，氣促三日。過往病史：HT、DM，服用metformin。檢查：雙肺有囉音。Impression: 心臟衰竭惡化。計劃：frusemide 40mg IV，照X光。", n),
			fmt.Sprintf("患者%s，67岁女，气促3天。既往史：高血压、糖尿病，服用二甲双胍。查体：双肺湿啰音。印象：心衰加重。处理：呋塞米 40mg 静推，胸片。", n))}
	}},
	{name: "care-plan", medical: true, formats: []string{"docx", "txt"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Individual care plan\nResident: %s    Room %d\nProblems: dementia (moderate), high falls risk, type 2 diabetes\nGoals: maintain mobility\nInterventions: walking frame, blood glucose before meals, donepezil 10mg nocte", n, 100+r.IntN(300)),
			fmt.Sprintf("個人照顧計劃\n院友：%s　房號%d\n問題：中度認知障礙症、跌倒高風險、2型糖尿病\n目標：維持活動能力\n措施：助行架、餐前量血糖、多奈哌齊 10mg 每晚", n, 100+r.IntN(300)),
			fmt.Sprintf("个人护理计划\n长者：%s　房间%d\n问题：中度认知障碍症、跌倒高风险、2型糖尿病\n措施：助行器、餐前测血糖、多奈哌齐 10mg 每晚", n, 100+r.IntN(300)))}
	}},
	{name: "occupational-health-referral", medical: true, formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Occupational health referral\nEmployee: %s, warehouse\nReason: recurrent low back pain since lifting injury in %s; on ibuprofen.\nQuestion: fitness for manual handling?", n, date(r)),
			fmt.Sprintf("職業健康轉介\n員工：%s（倉務）\n原因：搬運受傷後反覆腰痛，現服布洛芬\n查詢：是否適合搬運工作", n),
			fmt.Sprintf("职业健康转介\n员工：%s（仓储）\n原因：搬运受伤后反复腰痛，正服用布洛芬\n咨询：是否适合搬运岗位", n))}
	}},
	{name: "insurance-claim-letter", medical: true, formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Re: claim %d — insured member %s\nWe have received the hospital bill for laparoscopic cholecystectomy (diagnosis: gallstones). The claim of HK$%s is approved.", r.IntN(99999), n, money(r, 20000, 90000)),
			fmt.Sprintf("事由：索償編號 %d — 受保人 %s\n已收到腹腔鏡膽囊切除手術（診斷：膽石）的住院單據，索償港幣%s元已獲批。", r.IntN(99999), n, money(r, 20000, 90000)),
			fmt.Sprintf("关于理赔 %d — 被保险人 %s\n已收到腹腔镜胆囊切除术（诊断：胆结石）住院发票，理赔金额%s元已批准。", r.IntN(99999), n, money(r, 20000, 90000)))}
	}},
}

var medicalNearMisses3 = []template{
	{name: "hospital-annual-stats", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("Hospital annual report: %s inpatient admissions; top diagnoses were pneumonia, heart failure and COPD; average length of stay %d.%d days.", commas(20000+r.IntN(50000)), 4+r.IntN(4), r.IntN(10)),
			fmt.Sprintf("醫院年報：住院人次%s；主要診斷為肺炎、心臟衰竭及慢性阻塞性肺病；平均住院%d.%d日。", commas(20000+r.IntN(50000)), 4+r.IntN(4), r.IntN(10)),
			fmt.Sprintf("医院年报：住院人次%s；主要诊断为肺炎、心力衰竭和慢阻肺；平均住院日%d.%d天。", commas(20000+r.IntN(50000)), 4+r.IntN(4), r.IntN(10)))}
	}},
	{name: "drug-package-insert", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			"Metformin hydrochloride tablets 500mg\nIndications: type 2 diabetes mellitus.\nDosage: 500mg twice daily with meals.\nContraindications: severe renal impairment (eGFR < 30).\nSide effects: nausea, diarrhoea.",
			"二甲雙胍片 500mg\n適應症：2型糖尿病\n用法用量：每日兩次，每次500mg，隨餐服用\n禁忌：嚴重腎功能不全\n不良反應：噁心、腹瀉",
			"盐酸二甲双胍片 500mg\n适应症：2型糖尿病\n用法用量：每日两次，每次500mg，随餐服用\n禁忌：严重肾功能不全\n不良反应：恶心、腹泻")}
	}},
	{name: "conference-agenda", formats: []string{"txt", "pptx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			"Annual Diabetes Symposium — agenda\n09:00 New insulin therapies (Dr Lee)\n10:30 Hypertension in the elderly\n14:00 Case-based discussion: HbA1c targets\nRegistration: HK$800",
			"糖尿病研討會 — 議程\n09:00 胰島素治療新進展（李醫生）\n10:30 長者高血壓\n14:00 病例討論：糖化血紅素目標\n報名費：港幣800元",
			"糖尿病学术会议 — 议程\n09:00 胰岛素治疗新进展（李医生）\n10:30 老年高血压\n14:00 病例讨论：糖化血红蛋白目标\n注册费：800元")}
	}},
	{name: "wellness-newsletter", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			"Wellness newsletter — October\nMental health matters: one in seven adults has anxiety or depression. Our EAP offers free counselling. Try the PHQ-9 self-check online, and remember our flu vaccination day.",
			"健康通訊 — 十月\n關注精神健康：每七名成年人便有一人受焦慮或抑鬱困擾。僱員援助計劃提供免費輔導，亦可上網做PHQ-9自我評估。",
			"健康简讯 — 十月\n关注心理健康：每七名成年人中就有一人受焦虑或抑郁困扰。员工援助计划提供免费心理咨询，可在线完成PHQ-9自评。")}
	}},
	{name: "doctor-cv", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Curriculum vitae — Dr %s\nSpecialist in endocrinology. Interests: diabetes, thyroid disease, obesity. Publications on insulin therapy.", n),
			fmt.Sprintf("履歷 — %s醫生\n內分泌科專科醫生，專長：糖尿病、甲狀腺疾病、肥胖症。", n),
			fmt.Sprintf("简历 — %s医生\n内分泌科主任医师，擅长：糖尿病、甲状腺疾病、肥胖症。", n))}
	}},
}

var financialTemplates3 = []template{
	{name: "clinic-pl", financial: true, formats: []string{"xlsx", "txt"}, gen: func(l lang, r *rand.Rand) content {
		rows := [][]string{{pick(l, "Clinic P&L — FY2025", "診所損益 2025年度", "诊所损益 2025年度"), "2025", "2024"}}
		items := [][]string{{"Consultation fees", "Revenue", "Cost of sales", "Gross profit", "Staff costs", "Rent", "Net profit"}, {"診金收入", "營業額", "銷售成本", "毛利", "員工成本", "租金", "純利"}, {"诊疗收入", "营业收入", "营业成本", "毛利", "人工成本", "租金", "净利润"}}[l]
		for _, it := range items {
			rows = append(rows, []string{it, money(r, 1e5, 9e6), money(r, 1e5, 9e6)})
		}
		return content{table: rows}
	}},
	{name: "pdf-like-columns", financial: true, formats: []string{"txt"}, gen: func(l lang, r *rand.Rand) content {
		items := [][]string{{"Revenue", "Cost of sales", "Gross profit", "Other income", "Administrative expenses", "Profit before tax", "Income tax expense", "Profit for the year"}, {"營業額", "銷售成本", "毛利", "其他收入", "行政開支", "除稅前溢利", "所得稅開支", "年內溢利"}, {"营业收入", "营业成本", "毛利", "其他收益", "管理费用", "利润总额", "所得税费用", "净利润"}}[l]
		var b strings.Builder
		b.WriteString(pick(l, "Consolidated statement of profit or loss\nfor the year ended 31 December 2025\n", "綜合損益表\n截至2025年12月31日止年度\n", "合并利润表\n2025年度\n"))
		for _, it := range items {
			b.WriteString(it + "\n")
		}
		for range items {
			b.WriteString(money(r, 1e4, 9e5) + "\n")
		}
		for range items {
			b.WriteString(money(r, 1e4, 9e5) + "\n")
		}
		return content{text: b.String()}
	}},
	{name: "sc-chat-monthly", financial: true, formats: []string{"json"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("P&L this month / YTD\nRevenue %s / %s\nCost of sales %s / %s\nGross profit %s / %s\nOperating expenses %s / %s\nNet profit %s / %s", money(r, 1e5, 9e5), money(r, 1e6, 9e6), money(r, 1e5, 9e5), money(r, 1e6, 9e6), money(r, 1e5, 9e5), money(r, 1e6, 9e6), money(r, 1e5, 9e5), money(r, 1e6, 9e6), money(r, 1e4, 9e4), money(r, 1e5, 9e5)),
			fmt.Sprintf("本月／本年累計\n營業額 %s／%s\n銷售成本 %s／%s\n毛利 %s／%s\n經營開支 %s／%s\n純利 %s／%s", money(r, 1e5, 9e5), money(r, 1e6, 9e6), money(r, 1e5, 9e5), money(r, 1e6, 9e6), money(r, 1e5, 9e5), money(r, 1e6, 9e6), money(r, 1e5, 9e5), money(r, 1e6, 9e6), money(r, 1e4, 9e4), money(r, 1e5, 9e5)),
			fmt.Sprintf("本月 / 本年累计\n营业收入 %s / %s\n营业成本 %s / %s\n毛利 %s / %s\n销售费用 %s / %s\n净利润 %s / %s", money(r, 1e5, 9e5), money(r, 1e6, 9e6), money(r, 1e5, 9e5), money(r, 1e6, 9e6), money(r, 1e5, 9e5), money(r, 1e6, 9e6), money(r, 1e5, 9e5), money(r, 1e6, 9e6), money(r, 1e4, 9e4), money(r, 1e5, 9e5)))}
	}},
}

var financialNearMisses3 = []template{
	{name: "kpi-dashboard", formats: []string{"txt", "json"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("KPI dashboard Q3: revenue growth %d%%, gross profit margin %d%%, EBITDA margin %d%%, net profit margin %d%%, headcount %d.", 3+r.IntN(10), 30+r.IntN(20), 10+r.IntN(15), 5+r.IntN(10), 100+r.IntN(300)),
			fmt.Sprintf("第三季KPI：營業額增長%d%%，毛利率%d%%，純利率%d%%，員工%d人。", 3+r.IntN(10), 30+r.IntN(20), 5+r.IntN(10), 100+r.IntN(300)),
			fmt.Sprintf("三季度KPI：营业收入同比增长%d%%，毛利率%d%%，净利率%d%%，员工%d人。", 3+r.IntN(10), 30+r.IntN(20), 5+r.IntN(10), 100+r.IntN(300)))}
	}},
	{name: "audit-engagement-letter", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			"Engagement letter\nYou have requested that we audit the consolidated financial statements, comprising the statement of financial position as at 31 December 2025, the statement of profit or loss, the statement of changes in equity and the statement of cash flows for the year then ended, prepared under HKFRS. Our fee is HK$380,000.",
			"審計業務約定書\n貴公司委聘本所審計截至2025年12月31日止年度的綜合財務報表，包括綜合財務狀況表、綜合損益表、綜合權益變動表及綜合現金流量表，按香港財務報告準則編製。審計費用為港幣380,000元。",
			"审计业务约定书\n贵公司委托本所审计2025年度财务报表，包括资产负债表、利润表、现金流量表、所有者权益变动表及附注，按企业会计准则编制。审计费用为人民币280,000元。")}
	}},
	{name: "ipo-news", formats: []string{"txt"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("IPO watch: the company's prospectus shows revenue of HK$%d.%d billion for 2025 and net profit of HK$%d million; total assets reached HK$%d billion.", 1+r.IntN(9), r.IntN(10), 100+r.IntN(900), 2+r.IntN(20)),
			fmt.Sprintf("新股速遞：招股書顯示公司2025年營業額%d.%d億港元，純利%d百萬港元，資產總值%d億港元。", 1+r.IntN(9), r.IntN(10), 100+r.IntN(900), 2+r.IntN(20)),
			fmt.Sprintf("新股观察：招股书显示公司2025年营业收入%d.%d亿元，净利润%d百万元，资产总计%d亿元。", 1+r.IntN(9), r.IntN(10), 100+r.IntN(900), 2+r.IntN(20)))}
	}},
	{name: "blank-tax-return", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			"Profits tax return — part 4\nTurnover: ______\nGross profit: ______\nAssessable profits: ______\nTotal assets: ______\n(Attach the balance sheet and income statement.)",
			"利得稅報稅表 — 第4部\n營業額：______\n毛利：______\n應評稅利潤：______\n資產總值：______\n（請附上資產負債表及損益表）",
			"企业所得税申报表（空白）\n营业收入：______\n营业成本：______\n利润总额：______\n资产总计：______\n（附资产负债表、利润表）")}
	}},
}
