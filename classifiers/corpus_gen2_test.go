package classifiers

import (
	"fmt"
	"math/rand/v2"
)

// Second batch of the labelled corpus, written after the first was
// passing and scored before any change: other settings, chat wording and
// near-misses that share vocabulary with records.

var medicalTemplates2 = []template{
	{name: "physio-progress-note", medical: true, formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Physiotherapy progress note\n%s, %d\nDx: %s\nROM flexion %d°, pain score %d/10\nPlan: mobilisation, home exercise programme, review in 2 weeks.", n, 40+r.IntN(40), oneOf(r, "frozen shoulder (L)", "lumbar disc herniation", "ACL tear (R), post-op"), 80+r.IntN(90), 2+r.IntN(7)),
			fmt.Sprintf("物理治療進度記錄\n%s，%d歲\n診斷：%s\n疼痛評分 %d/10\n計劃：關節鬆動術、家居運動，兩星期後覆診", n, 40+r.IntN(40), oneOf(r, "五十肩", "腰椎間盤突出", "網球肘"), 2+r.IntN(7)),
			fmt.Sprintf("康复治疗记录\n%s，%d岁\n诊断：%s\n疼痛评分 %d/10\n计划：关节松动、居家训练，两周后复诊", n, 40+r.IntN(40), oneOf(r, "肩周炎", "腰椎间盘突出", "网球肘"), 2+r.IntN(7)))}
	}},
	{name: "speech-therapy-child", medical: true, formats: []string{"docx", "txt"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Speech and language therapy report\nChild: %s, age %d\nAssessment: expressive language delay; suspected autism spectrum disorder, referred to developmental paediatrician.\nRecommendation: weekly speech therapy for 12 sessions.", n, 3+r.IntN(4)),
			fmt.Sprintf("言語治療報告\n兒童姓名：%s　年齡：%d歲\n評估結果：語言發展遲緩，懷疑自閉症譜系障礙，已轉介兒科醫生\n建議：每週言語治療一次", n, 3+r.IntN(4)),
			fmt.Sprintf("言语治疗报告\n儿童姓名：%s　年龄：%d岁\n评估结果：语言发育迟缓，疑似孤独症谱系障碍，已转介儿科\n建议：每周言语治疗一次", n, 3+r.IntN(4)))}
	}},
	{name: "referral-letter", medical: true, formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Dear Dr Lee,\nI am referring %s, %d, with a three-month history of epigastric pain and weight loss. Gastroscopy is advised. Current medication: omeprazole 20mg daily. Allergies: penicillin.\nYours sincerely,\nDr Ho", n, 30+r.IntN(40)),
			fmt.Sprintf("李醫生：\n轉介 %s（%d歲），上腹痛三個月及體重下降，建議胃鏡檢查。現服用奧美拉唑 20mg 每日一次。藥物過敏：青黴素。\n何醫生", n, 30+r.IntN(40)),
			fmt.Sprintf("李医生：\n转诊 %s（%d岁），上腹痛三个月伴体重下降，建议胃镜检查。目前服用奥美拉唑 20mg 每日一次。药物过敏：青霉素。\n何医生", n, 30+r.IntN(40)))}
	}},
	{name: "hr-chat-sick", medical: true, formats: []string{"json"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("HR update: %s is on sick leave until Friday - the doctor diagnosed %s. Medical certificate attached.", n, oneOf(r, "acute gastroenteritis", "pneumonia", "a fractured wrist")),
			fmt.Sprintf("@人事部 %s今日請病假，醫生診斷為%s，放兩日病假，醫生紙稍後補交。", n, oneOf(r, "急性腸胃炎", "流感", "扭傷")),
			fmt.Sprintf("@人事 %s%s复发，医生开了两周病假，附诊断证明。", n, oneOf(r, "抑郁症", "腰椎间盘突出", "胃溃疡")))}
	}},
	{name: "lab-report", medical: true, formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Laboratory report\nPatient: %s    Lab no.: L%06d\nHbA1c %d.%d%% (H)\nLDL cholesterol %d.%d mmol/L (H)\neGFR %d mL/min\nComment: suggest review of diabetes control.", n, r.IntN(999999), 7+r.IntN(3), r.IntN(10), 3+r.IntN(2), r.IntN(10), 50+r.IntN(40)),
			fmt.Sprintf("化驗報告\n病人姓名：%s　化驗編號：L%06d\n糖化血紅素 %d.%d%%（高）\n低密度膽固醇 %d.%d（高）\n備註：建議覆診檢討糖尿病控制", n, r.IntN(999999), 7+r.IntN(3), r.IntN(10), 3+r.IntN(2), r.IntN(10)),
			fmt.Sprintf("检验报告\n患者姓名：%s　标本号：L%06d\n糖化血红蛋白 %d.%d%%（↑）\n低密度脂蛋白胆固醇 %d.%d（↑）\n建议：内分泌科复诊", n, r.IntN(999999), 7+r.IntN(3), r.IntN(10), 3+r.IntN(2), r.IntN(10)))}
	}},
	{name: "staff-medical-report", medical: true, formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Pre-employment medical examination\nName: %s\nBlood pressure %d/%d\nChest X-ray: old healed tuberculosis\nConclusion: fit for work; follow up hypertension with GP.", n, 140+r.IntN(20), 90+r.IntN(10)),
			fmt.Sprintf("入職體檢報告\n姓名：%s\n血壓 %d/%d\n胸肺X光：舊結核疤痕\n結論：適合工作，高血壓需覆診", n, 140+r.IntN(20), 90+r.IntN(10)),
			fmt.Sprintf("员工体检报告\n姓名：%s\n血压 %d/%d\n诊断：高血压1级\n建议：心内科随诊", n, 140+r.IntN(20), 90+r.IntN(10)))}
	}},
	{name: "maternity-declaration", medical: true, formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Maternity leave application\nEmployee: %s\nPregnancy: %d weeks, EDD %s\nNote from obstetrician: gestational diabetes, advised to avoid night shifts.", n, 20+r.IntN(16), date(r)),
			fmt.Sprintf("產假申請\n員工：%s\n懷孕%d週，預產期 %s\n婦產科醫生證明：妊娠糖尿病，建議避免夜班", n, 20+r.IntN(16), date(r)),
			fmt.Sprintf("产假申请\n员工：%s\n怀孕%d周，预产期 %s\n产科医生证明：妊娠糖尿病，建议避免夜班", n, 20+r.IntN(16), date(r)))}
	}},
	{name: "accommodation-request", medical: true, formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Name", "Department", "Medical condition", "Adjustment"}, {"姓名", "部門", "健康狀況", "安排"}, {"姓名", "部门", "健康状况", "安排"}}[l]
		cond := [][]string{{"visual impairment", "epilepsy", "type 1 diabetes", "hearing loss"}, {"弱視", "癲癇", "1型糖尿病", "弱聽"}, {"视力障碍", "癫痫", "1型糖尿病", "听力受损"}}[l]
		rows := rowsOf(3+r.IntN(4), func(i int) []string {
			return []string{name(l, r), oneOf(r, "IT", "Sales", "Ops"), oneOf(r, cond...), pick(l, "screen reader", "讀屏軟件", "读屏软件")}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
}

var medicalNearMisses2 = []template{
	{name: "pharma-sales-report", formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Client", "Product", "Qty", "Amount"}, {"客戶", "產品", "數量", "金額"}, {"客户", "产品", "数量", "金额"}}[l]
		prods := [][]string{{"Amlodipine 5mg", "Metformin 500mg", "Atorvastatin 20mg"}, {"氨氯地平 5mg", "二甲雙胍 500mg", "阿托伐他汀 20mg"}, {"氨氯地平 5mg", "二甲双胍 500mg", "阿托伐他汀 20mg"}}[l]
		rows := rowsOf(5, func(i int) []string {
			return []string{pick(l, oneOf(r, "Queen Mary Hospital", "Union Clinic"), oneOf(r, "瑪麗醫院", "仁安診所"), oneOf(r, "市人民医院", "社区卫生服务中心")), oneOf(r, prods...), fmt.Sprint(100 + r.IntN(2000)), money(r, 1000, 90000)}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
	{name: "blank-health-form", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			"Health declaration form (template)\nName: ____________\nDo you have any of the following? [ ] diabetes [ ] hypertension [ ] asthma [ ] epilepsy\nRegular medication: ____________",
			"健康申報表（範本）\n姓名：＿＿＿＿\n請剔選：□糖尿病 □高血壓 □哮喘 □癲癇\n長期服用藥物：＿＿＿＿",
			"健康申报表（模板）\n姓名：＿＿＿＿\n请勾选：□糖尿病 □高血压 □哮喘 □癫痫\n长期用药：＿＿＿＿")}
	}},
	{name: "research-abstract", formats: []string{"txt"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("Abstract. In a cohort of %s patients with type 2 diabetes, metformin plus lifestyle advice reduced HbA1c by 1.1%% over 12 months; hypertension and hyperlipidaemia were common comorbidities.", commas(500+r.IntN(5000))),
			fmt.Sprintf("摘要：本研究納入%s名2型糖尿病患者，二甲雙胍配合生活方式指導令糖化血紅素下降1.1%%；高血壓及高血脂為常見共病。", commas(500+r.IntN(5000))),
			fmt.Sprintf("摘要：本研究纳入%s例2型糖尿病患者，二甲双胍联合生活方式干预使糖化血红蛋白下降1.1%%；高血压、高血脂为常见合并症。", commas(500+r.IntN(5000))))}
	}},
	{name: "nursing-course-timetable", formats: []string{"xlsx", "txt"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Week", "Topic", "Lecturer"}, {"週次", "課題", "講師"}, {"周次", "课题", "讲师"}}[l]
		topics := [][]string{{"Diabetes mellitus: pathophysiology", "Hypertension: pharmacology of amlodipine", "Asthma and COPD", "Wound care"}, {"糖尿病病理", "高血壓藥理", "哮喘及慢阻肺", "傷口護理"}, {"糖尿病病理", "高血压药理", "哮喘与慢阻肺", "伤口护理"}}[l]
		rows := rowsOf(4, func(i int) []string {
			return []string{fmt.Sprint(i + 1), topics[i], pick(l, "Dr. Chan", "陳醫生", "陈医生")}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
	{name: "insurance-policy-wording", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			"Group medical policy — schedule of benefits\nHospitalisation and surgery: up to HK$200,000 per year. Cancer treatment including chemotherapy and radiotherapy covered. Exclusions: pre-existing conditions, pregnancy, dental treatment.",
			"團體醫療保險 — 保障表\n住院及手術：每年最高港幣200,000元。癌症治療包括化療及電療。不保事項：投保前已有疾病、懷孕、牙科治療。",
			"团体医疗保险 — 保障说明\n住院及手术：每年最高20万元。癌症治疗包括化疗、放疗。除外责任：既往症、妊娠、牙科治疗。")}
	}},
	{name: "gym-member-list", formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Name", "Plan", "Expiry", "Trainer"}, {"姓名", "計劃", "到期日", "教練"}, {"姓名", "套餐", "到期日", "教练"}}[l]
		rows := rowsOf(6, func(i int) []string {
			return []string{name(l, r), oneOf(r, "Gold", "Silver"), date(r), oneOf(r, "Ken", "May")}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
}

var financialTemplates2 = []template{
	{name: "pl-chat-k", financial: true, formats: []string{"json"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("Sept mgmt a/c (HK$'000):\nRevenue %d\nCost of sales (%d)\nGross profit %d\nStaff costs (%d)\nRent (%d)\nOperating profit %d", 1200+r.IntN(300), 600+r.IntN(100), 500+r.IntN(100), 200+r.IntN(50), 150+r.IntN(20), 100+r.IntN(50)),
			fmt.Sprintf("九月管理賬（港元千元）：\n營業額 %d\n銷售成本 (%d)\n毛利 %d\n員工成本 (%d)\n租金 (%d)\n經營溢利 %d", 1200+r.IntN(300), 600+r.IntN(100), 500+r.IntN(100), 200+r.IntN(50), 150+r.IntN(20), 100+r.IntN(50)),
			fmt.Sprintf("9月管理报表（人民币千元）：\n营业收入 %d\n营业成本 %d\n毛利 %d\n人工成本 %d\n租金 %d\n营业利润 %d", 1200+r.IntN(300), 600+r.IntN(100), 500+r.IntN(100), 200+r.IntN(50), 150+r.IntN(20), 100+r.IntN(50)))}
	}},
	{name: "balance-sheet-sc-period-columns", financial: true, formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := []string{pick(l, "Item", "項目", "项目"), pick(l, "Closing balance", "期末餘額", "期末余额"), pick(l, "Opening balance", "年初餘額", "年初余额")}
		items := [][]string{{"Cash and cash equivalents", "Trade receivables", "Inventories", "Total current assets", "Total assets", "Total liabilities"}, {"現金及現金等價物", "應收賬款", "存貨", "流動資產合計", "資產總計", "負債合計"}, {"货币资金", "应收账款", "存货", "流动资产合计", "资产总计", "负债合计"}}[l]
		rows := [][]string{head}
		for _, it := range items {
			rows = append(rows, []string{it, money(r, 1e5, 9e6), money(r, 1e5, 9e6)})
		}
		return content{table: rows}
	}},
}

var financialNearMisses2 = []template{
	{name: "bank-statement", formats: []string{"txt", "xlsx"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Date", "Description", "Withdrawal", "Deposit", "Balance"}, {"日期", "摘要", "支出", "存入", "結餘"}, {"日期", "摘要", "支出", "存入", "余额"}}[l]
		rows := rowsOf(6, func(i int) []string {
			return []string{date(r), oneOf(r, "FPS transfer", "Cheque 1021", "Salary"), money(r, 100, 9000), "", money(r, 10000, 90000)}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
	{name: "payroll-summary", formats: []string{"txt", "json"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("Payroll summary October: headcount %d, salaries %s, MPF %s, total payroll cost %s. Please approve by Friday.", 40+r.IntN(40), money(r, 8e5, 2e6), money(r, 4e4, 9e4), money(r, 9e5, 3e6)),
			fmt.Sprintf("十月薪酬摘要：人數%d，薪金合共%s，強積金%s，請於星期五前審批。", 40+r.IntN(40), money(r, 8e5, 2e6), money(r, 4e4, 9e4)),
			fmt.Sprintf("十月工资汇总：人数%d，工资合计%s，社保%s，请周五前审批。", 40+r.IntN(40), money(r, 8e5, 2e6), money(r, 4e4, 9e4)))}
	}},
	{name: "sales-by-region", formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Region", "Q1", "Q2", "Q3", "Q4"}, {"地區", "第一季", "第二季", "第三季", "第四季"}, {"地区", "一季度", "二季度", "三季度", "四季度"}}[l]
		rows := rowsOf(5, func(i int) []string {
			return []string{oneOf(r, "HK Island", "Kowloon", "NT", "Macau"), money(r, 1e5, 9e5), money(r, 1e5, 9e5), money(r, 1e5, 9e5), money(r, 1e5, 9e5)}
		})
		return content{text: pick(l, "Sales by region 2026\n", "2026年各區銷售\n", "2026年各地区销售\n"), table: append([][]string{head}, rows...)}
	}},
	{name: "statement-course-notes", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			"Accounting 101 — week 6 notes\nThe balance sheet lists total assets, total liabilities and equity. The income statement runs from revenue down through cost of sales, gross profit and operating expenses to net profit. Retained earnings link the two statements.",
			"會計入門 第六課筆記\n資產負債表列示資產總值、負債總額及權益；損益表由營業額開始，減銷售成本得毛利，再減經營開支得年內溢利。保留溢利連結兩張報表。",
			"会计基础 第六讲笔记\n资产负债表列示资产总计、负债合计和所有者权益；利润表从营业收入开始，减营业成本得毛利，再减期间费用得净利润。未分配利润连接两张报表。")}
	}},
}
