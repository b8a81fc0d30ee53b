package classifiers

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The labelled corpus: documents written from the definitions in
// docs/classifiers.md (health information about an identifiable person;
// statements and management accounts with figures) and their near-misses,
// in English, Traditional and Simplified Chinese. Each template is a
// function of the language and a random source, so every variant differs in
// names, figures, rows and wording.

type lang int

const (
	en lang = iota
	tc
	sc
)

func (l lang) String() string { return [...]string{"en", "tc", "sc"}[l] }

// pick chooses by language.
func pick(l lang, e, t, s string) string { return [...]string{e, t, s}[l] }

type template struct {
	name      string
	medical   bool
	financial bool
	formats   []string
	gen       func(l lang, r *rand.Rand) content
}

var (
	namesEN = []string{"Chan Tai Man", "Lee Siu Ming", "Wong Mei Ling", "Cheung Ka Yan", "Ho Wing Sze", "Lam Chi Keung", "Yip Hoi Yan", "Tsang Man Kit", "Leung Pui Shan", "Ng Ka Ho"}
	namesTC = []string{"陳大文", "李小明", "黃美玲", "張家欣", "何詠詩", "林志強", "葉凱欣", "曾文傑", "梁佩珊", "吳家豪"}
	namesSC = []string{"王丽娟", "张伟", "刘洋", "陈静", "赵磊", "孙婷", "周丽娟", "吴强", "郑敏", "黄磊"}
)

func name(l lang, r *rand.Rand) string {
	return [][]string{namesEN, namesTC, namesSC}[l][r.IntN(10)]
}

func oneOf(r *rand.Rand, xs ...string) string { return xs[r.IntN(len(xs))] }

func date(r *rand.Rand) string { return fmt.Sprintf("2026-%02d-%02d", 1+r.IntN(12), 1+r.IntN(28)) }

func money(r *rand.Rand, lo, hi int) string {
	v := lo + r.IntN(hi-lo)
	return commas(v)
}

func commas(v int) string {
	s := fmt.Sprint(v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "(" + b.String() + ")"
	}
	return b.String()
}

// rowsOf makes n table rows with f.
func rowsOf(n int, f func(i int) []string) [][]string {
	out := make([][]string, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

var sickReasons = [][]string{
	{"acute gastroenteritis", "influenza", "migraine", "low back pain", "URTI", "sprained ankle", "tooth extraction", "COVID-19", "fever and cough", "conjunctivitis", "tonsillitis", "asthma exacerbation"},
	{"急性腸胃炎", "流感", "偏頭痛", "腰痛", "上呼吸道感染", "扭傷", "拔牙", "新冠肺炎", "發燒、咳嗽", "結膜炎", "扁桃腺炎", "哮喘發作"},
	{"急性肠胃炎", "流感", "偏头痛", "腰痛", "上呼吸道感染", "扭伤", "拔牙", "新冠肺炎", "发烧、咳嗽", "结膜炎", "扁桃体炎", "哮喘发作"},
}

var medicalTemplates = []template{
	{name: "sick-leave-register", medical: true, formats: []string{"csv", "xlsx", "txt"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{
			{"Staff No", "Name", "Department", "From", "To", "Days", oneOf(r, "Reason", "Reason for sick leave", "Diagnosis")},
			{"員工編號", "姓名", "部門", "開始日期", "結束日期", "日數", oneOf(r, "病假原因", "原因", "診斷")},
			{"员工编号", "姓名", "部门", "开始日期", "结束日期", "天数", oneOf(r, "病假原因", "原因", "诊断")},
		}[l]
		n := 4 + r.IntN(6)
		rows := rowsOf(n, func(i int) []string {
			d := 1 + r.IntN(3)
			return []string{fmt.Sprintf("E%04d", 1000+r.IntN(9000)), name(l, r), oneOf(r, "Sales", "IT", "HR", "Ops"), date(r), date(r), fmt.Sprint(d), sickReasons[l][r.IntN(len(sickReasons[l]))]}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
	{name: "health-check-results", medical: true, formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{
			{"Employee ID", "Name", "Age", "Blood pressure", "BMI", "Fasting glucose", "Total cholesterol", "Remarks"},
			{"員工編號", "姓名", "年齡", "血壓", "體重指數", "空腹血糖", "膽固醇", "備註"},
			{"员工编号", "姓名", "年龄", "血压", "体重指数", "空腹血糖", "胆固醇", "备注"},
		}[l]
		remarks := [][]string{{"normal", "borderline hypertension, recheck in 3 months", "refer to GP", "impaired fasting glucose"}, {"正常", "血壓偏高，三個月後覆檢", "轉介家庭醫生", "血糖偏高"}, {"正常", "血压偏高，三个月后复查", "转介家庭医生", "血糖偏高"}}[l]
		rows := rowsOf(4+r.IntN(5), func(i int) []string {
			return []string{fmt.Sprintf("S%03d", r.IntN(999)), name(l, r), fmt.Sprint(25 + r.IntN(35)), fmt.Sprintf("%d/%d", 110+r.IntN(45), 70+r.IntN(25)), fmt.Sprintf("%d.%d", 19+r.IntN(12), r.IntN(10)), fmt.Sprintf("%d.%d", 4+r.IntN(4), r.IntN(10)), fmt.Sprintf("%d.%d", 3+r.IntN(4), r.IntN(10)), oneOf(r, remarks...)}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
	{name: "declared-conditions", medical: true, formats: []string{"xlsx", "csv", "docx"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{
			{"Name", "Position", "Medical condition", "Regular medication", "Emergency contact"},
			{"姓名", "職位", "健康狀況", "藥物", "緊急聯絡人"},
			{"姓名", "职位", "健康状况", "药物", "紧急联系人"},
		}[l]
		cond := [][]string{{"asthma", "type 2 diabetes", "epilepsy", "none", "hypertension", "peanut allergy"}, {"哮喘", "2型糖尿病", "癲癇", "無", "高血壓", "花生過敏"}, {"哮喘", "2型糖尿病", "癫痫", "无", "高血压", "花生过敏"}}[l]
		meds := [][]string{{"salbutamol inhaler", "metformin 500mg", "levetiracetam", "-", "amlodipine 5mg", "EpiPen"}, {"沙丁胺醇", "二甲雙胍 500mg", "左乙拉西坦", "-", "氨氯地平 5mg", "腎上腺素筆"}, {"沙丁胺醇", "二甲双胍 500mg", "左乙拉西坦", "-", "氨氯地平 5mg", "肾上腺素笔"}}[l]
		rows := rowsOf(4+r.IntN(4), func(i int) []string {
			k := r.IntN(len(cond))
			return []string{name(l, r), oneOf(r, "Clerk", "Driver", "Chef", "Officer"), cond[k], meds[k], fmt.Sprintf("9%03d %04d", r.IntN(1000), r.IntN(10000))}
		})
		title := pick(l, "Declaration of medical conditions — staff 2026\n", "員工健康申報 2026\n", "员工健康申报 2026\n")
		return content{text: title, table: append([][]string{head}, rows...)}
	}},
	{name: "vaccination-tb-nurses", medical: true, formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{
			{"Staff ID", "Name", "Ward", "Hepatitis B vaccine", "TB test result", "Date"},
			{"職員編號", "姓名", "病房", "乙型肝炎疫苗", "結核菌素測試結果", "日期"},
			{"职员编号", "姓名", "病房", "乙肝疫苗", "结核菌素试验结果", "日期"},
		}[l]
		hb := [][]string{{"3 doses completed", "dose 2 pending", "anti-HBs positive"}, {"已完成三針", "待打第二針", "抗體陽性"}, {"已完成三针", "待打第二针", "抗体阳性"}}[l]
		tb := [][]string{{"Mantoux negative", "IGRA positive - referred to chest clinic", "Mantoux 12 mm"}, {"陰性", "陽性，已轉介胸肺科", "12毫米"}, {"阴性", "阳性，已转介胸科", "12毫米"}}[l]
		rows := rowsOf(4+r.IntN(5), func(i int) []string {
			return []string{fmt.Sprintf("N%04d", r.IntN(9999)), name(l, r), fmt.Sprintf("%d%s", 1+r.IntN(9), oneOf(r, "A", "B")), oneOf(r, hb...), oneOf(r, tb...), date(r)}
		})
		return content{text: pick(l, "Nurses vaccination status and TB screening\n", "護士疫苗接種及結核病篩查\n", "护士疫苗接种及结核病筛查\n"), table: append([][]string{head}, rows...)}
	}},
	{name: "counselling-note", medical: true, formats: []string{"txt", "docx", "json"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		phq := 10 + r.IntN(14)
		return content{text: pick(l,
			fmt.Sprintf("EAP counselling session note\nClient: %s (client no. C-%04d)\nSession %d of 6, %s\nPresenting issue: %s after %s.\nPHQ-9: %d; GAD-7: %d.\nAssessment: %s. No suicidal ideation reported.\nPlan: continue cognitive behavioural therapy; suggest GP review of %s.", n, r.IntN(9999), 1+r.IntN(5), date(r), oneOf(r, "low mood and poor sleep", "panic attacks", "anxiety at work"), oneOf(r, "redundancy", "bereavement", "divorce"), phq, 5+r.IntN(12), oneOf(r, "moderate depressive episode", "generalised anxiety disorder", "adjustment disorder"), oneOf(r, "sertraline", "escitalopram")),
			fmt.Sprintf("僱員援助計劃 輔導記錄\n受助人：%s（個案編號 C-%04d）\n第%d節　%s\n主要問題：%s\nPHQ-9評分：%d\n評估：%s，無自殺念頭\n計劃：繼續認知行為治療，建議轉介精神科醫生", n, r.IntN(9999), 1+r.IntN(5), date(r), oneOf(r, "情緒低落、失眠", "驚恐發作", "工作焦慮"), phq, oneOf(r, "中度抑鬱", "廣泛性焦慮症", "適應障礙")),
			fmt.Sprintf("心理咨询记录\n来访者：%s\n第%d次咨询　%s\n主诉：%s\nPHQ-9评分：%d\n评估：%s，无自杀念头\n建议：每周认知行为治疗一次，转介精神科评估药物治疗", n, 1+r.IntN(5), date(r), oneOf(r, "情绪低落、失眠两月", "惊恐发作", "工作焦虑"), phq, oneOf(r, "中度抑郁发作（F32.1）", "广泛性焦虑障碍", "适应障碍")))}
	}},
	{name: "dietitian-report", medical: true, formats: []string{"docx", "txt"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Dietetic assessment\nClient: %s, %d/%s\nHeight %d cm, weight %d kg, BMI %d.%d\nHbA1c %d.%d%%; type 2 diabetes on metformin\nAdvice: carbohydrate-controlled meal plan, reduce sugary drinks, review in 6 weeks.", n, 30+r.IntN(40), oneOf(r, "M", "F"), 150+r.IntN(35), 60+r.IntN(40), 24+r.IntN(10), r.IntN(10), 6+r.IntN(3), r.IntN(10)),
			fmt.Sprintf("營養師報告\n服務使用者：%s，%s，%d歲\n身高%d厘米，體重%d公斤，體重指數%d.%d\n糖化血紅素 %d.%d%%，2型糖尿病\n建議：控制碳水化合物，減少含糖飲品，六星期後覆診。", n, oneOf(r, "男", "女"), 30+r.IntN(40), 150+r.IntN(35), 60+r.IntN(40), 24+r.IntN(10), r.IntN(10), 6+r.IntN(3), r.IntN(10)),
			fmt.Sprintf("营养评估报告\n服务对象：%s，%s，%d岁\n身高%d厘米，体重%d公斤，体重指数%d.%d\n糖化血红蛋白 %d.%d%%，2型糖尿病，服用二甲双胍\n建议：控制碳水化合物摄入，六周后复诊。", n, oneOf(r, "男", "女"), 30+r.IntN(40), 150+r.IntN(35), 60+r.IntN(40), 24+r.IntN(10), r.IntN(10), 6+r.IntN(3), r.IntN(10)))}
	}},
	{name: "audiology-report", medical: true, formats: []string{"docx", "txt"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Audiology report\nClient: %s    DOB: %02d/%02d/19%d\nPure tone audiometry: bilateral %s hearing loss (left %d dB HL, right %d dB HL). Tympanometry type A.\nRecommendation: binaural hearing aid fitting; review in 12 months.", n, 1+r.IntN(28), 1+r.IntN(12), 40+r.IntN(50), oneOf(r, "sensorineural", "conductive"), 30+r.IntN(50), 30+r.IntN(50)),
			fmt.Sprintf("聽力評估報告\n姓名：%s　出生日期：19%d年%d月\n純音聽力測試：雙耳感音神經性聽力損失（左耳%d分貝，右耳%d分貝），並有耳鳴\n建議：配戴助聽器，一年後覆檢。", n, 40+r.IntN(50), 1+r.IntN(12), 30+r.IntN(50), 30+r.IntN(50)),
			fmt.Sprintf("听力评估报告\n姓名：%s　出生日期：19%d年%d月\n纯音听力测试：双耳感音神经性听力损失（左耳%d分贝，右耳%d分贝），伴耳鸣\n建议：验配助听器，一年后复查。", n, 40+r.IntN(50), 1+r.IntN(12), 30+r.IntN(50), 30+r.IntN(50)))}
	}},
	{name: "antenatal-record", medical: true, formats: []string{"txt", "docx", "json"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		w := 12 + r.IntN(26)
		return content{text: pick(l,
			fmt.Sprintf("Antenatal record\nName: %s    Age: %d    G2P1\nEDD: %s    Gestational age: %d weeks\nBP %d/%d, fundal height %d cm, fetal heart rate %d bpm.\nIssues: %s.", n, 24+r.IntN(18), date(r), w, 110+r.IntN(40), 70+r.IntN(25), w, 130+r.IntN(30), oneOf(r, "gestational diabetes on diet control", "suspected pre-eclampsia, admit for monitoring", "placenta praevia, avoid exertion")),
			fmt.Sprintf("產前檢查記錄\n孕婦姓名：%s　年齡：%d\n預產期：%s　孕周：%d週\n血壓 %d/%d，宮高 %d厘米，胎心 %d次/分\n備註：%s", n, 24+r.IntN(18), date(r), w, 110+r.IntN(40), 70+r.IntN(25), w, 130+r.IntN(30), oneOf(r, "妊娠糖尿病，飲食控制", "懷疑子癇前症，需入院觀察", "前置胎盤")),
			fmt.Sprintf("产前检查记录\n孕妇姓名：%s　年龄：%d\n预产期：%s　孕周：%d周\n血压 %d/%d，宫高 %d厘米，胎心 %d次/分\n备注：%s", n, 24+r.IntN(18), date(r), w, 110+r.IntN(40), 70+r.IntN(25), w, 130+r.IntN(30), oneOf(r, "妊娠糖尿病，饮食控制", "子痫前期待排，建议住院观察", "前置胎盘")))}
	}},
	{name: "care-home-med-list", medical: true, formats: []string{"xlsx", "csv", "docx"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{
			{"Bed No", "Resident", "Allergies", "Medications", "Diet"},
			{"床號", "院友姓名", "過敏", "藥物", "飲食"},
			{"床号", "院友", "过敏", "药物", "饮食"},
		}[l]
		al := [][]string{{"penicillin", "shellfish", "NKDA", "aspirin", "latex"}, {"青黴素", "海鮮", "無", "阿士匹靈", "乳膠"}, {"青霉素", "海鲜", "无", "阿司匹林", "乳胶"}}[l]
		md := [][]string{{"amlodipine 5mg daily", "donepezil 10mg nocte", "metformin 500mg bd", "warfarin 3mg"}, {"氨氯地平 5mg 每日一次", "多奈哌齊 10mg 每晚", "二甲雙胍 500mg 每日兩次", "華法林 3mg"}, {"氨氯地平 5mg 每日一次", "多奈哌齐 10mg 每晚", "二甲双胍 500mg 每日两次", "华法林 3mg"}}[l]
		rows := rowsOf(4+r.IntN(6), func(i int) []string {
			return []string{fmt.Sprintf("%d%s", 1+r.IntN(30), oneOf(r, "A", "B")), name(l, r), oneOf(r, al...), oneOf(r, md...), oneOf(r, "minced", "soft", "normal")}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
	{name: "tcm-record", medical: true, formats: []string{"txt", "docx", "json"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("TCM consultation record\nPatient: %s, %d/%s\nComplaint: insomnia for two months, palpitations\nTongue (舌象): pale red, thin white coating (舌淡紅，苔薄白)\nPulse (脈象): wiry and thin (脈弦細)\nPattern (辨證): liver qi stagnation (肝鬱氣滯)\nFormula: Xiao Yao San (逍遙散) modified, one dose daily\nAcupuncture: 內關, 三陰交", n, 30+r.IntN(40), oneOf(r, "F", "M")),
			fmt.Sprintf("中醫診療記錄\n姓名：%s　性別：%s　年齡：%d\n主訴：%s\n舌象：%s\n脈象：%s\n辨證：%s\n治法：疏肝理氣，健脾養心\n處方：%s加減，每日一劑，水煎服\n針灸：內關、神門、三陰交", n, oneOf(r, "女", "男"), 30+r.IntN(40), oneOf(r, "失眠兩月，心悸", "胃脘脹痛三週", "腰痛反覆"), oneOf(r, "舌淡紅，苔薄白", "舌紅，苔黃膩"), oneOf(r, "脈弦細", "脈滑"), oneOf(r, "肝鬱氣滯", "心脾兩虛", "濕熱"), oneOf(r, "逍遙散", "歸脾湯", "六味地黃丸")),
			fmt.Sprintf("中医诊疗记录\n姓名：%s　性别：%s　年龄：%d\n主诉：%s\n舌象：%s\n脉象：%s\n辨证：%s\n治法：疏肝理气\n处方：%s加减，每日一剂，水煎服\n针灸：内关、神门、三阴交", n, oneOf(r, "女", "男"), 30+r.IntN(40), oneOf(r, "失眠两月，心悸", "胃脘胀痛三周", "腰痛反复"), oneOf(r, "舌淡红，苔薄白", "舌红，苔黄腻"), oneOf(r, "脉弦细", "脉滑"), oneOf(r, "肝郁气滞", "心脾两虚", "湿热"), oneOf(r, "逍遥散", "归脾汤", "六味地黄丸")))}
	}},
	{name: "case-conference-slides", medical: true, formats: []string{"pptx"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{slides: []slide{
			{body: pick(l, "Case conference — Ward 7B", "個案會議 — 7B病房", "病例讨论 — 7B病区"), notes: ""},
			{body: pick(l, fmt.Sprintf("%s, %d M\nAdmitted %s", n, 60+r.IntN(30), date(r)), fmt.Sprintf("%s，%d歲，男\n入院日期 %s", n, 60+r.IntN(30), date(r)), fmt.Sprintf("%s，%d岁，男\n入院日期 %s", n, 60+r.IntN(30), date(r))),
				notes: pick(l, "Presented with fever and shortness of breath; CXR shows right lower lobe consolidation.", "發燒、氣促入院，胸肺X光見右下肺實變。", "发热、气促入院，胸片示右下肺实变。")},
			{body: pick(l, "Past history: COPD, atrial fibrillation on apixaban", "既往史：慢性阻塞性肺病、心房顫動", "既往史：慢阻肺、房颤"),
				notes: pick(l, "Diagnosis: community-acquired pneumonia. Plan: IV ceftriaxone, physiotherapy, discharge planning.", "診斷：社區性肺炎。計劃：靜脈注射抗生素、物理治療。", "诊断：社区获得性肺炎。计划：静脉抗生素、康复治疗。")},
		}}
	}},
	{name: "mri-report", medical: true, formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("MRI report — lumbar spine\nPatient: %s    Hospital no.: HN%07d\nClinical history: low back pain with left sciatica.\nFindings: L4/5 disc herniation compressing the left L5 nerve root. No cord compression.\nImpression: prolapsed intervertebral disc L4/5.", n, r.IntN(9999999)),
			fmt.Sprintf("磁力共振報告（腰椎）\n病人姓名：%s　住院號：HN%07d\n臨床資料：腰痛伴左側坐骨神經痛\n結果：L4/5椎間盤突出，壓迫左側L5神經根\n診斷：腰椎間盤突出", n, r.IntN(9999999)),
			fmt.Sprintf("磁共振报告（腰椎）\n患者姓名：%s　住院号：HN%07d\n临床资料：腰痛伴左侧坐骨神经痛\n所见：L4/5椎间盘突出，压迫左侧L5神经根\n诊断：腰椎间盘突出", n, r.IntN(9999999)))}
	}},
	{name: "discharge-summary", medical: true, formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Discharge summary\nPatient: %s  DOB %02d/%02d/19%d\nDiagnosis: %s\nDischarge medication: %s", n, 1+r.IntN(28), 1+r.IntN(12), 40+r.IntN(50), oneOf(r, "NSTEMI", "cellulitis of left leg", "acute cholecystitis"), oneOf(r, "aspirin 80mg daily, atorvastatin 40mg", "amoxicillin 500mg tds", "paracetamol prn")),
			fmt.Sprintf("出院小結\n病人姓名：%s\n診斷：%s\n出院藥物：%s", n, oneOf(r, "急性膽囊炎", "蜂窩組織炎", "心肌梗塞"), oneOf(r, "阿莫西林 500mg 每日三次", "撲熱息痛")),
			fmt.Sprintf("出院小结\n患者姓名：%s\n诊断：%s\n出院带药：%s", n, oneOf(r, "急性胆囊炎", "蜂窝织炎", "心肌梗死"), oneOf(r, "阿莫西林 500mg 每日三次", "对乙酰氨基酚")))}
	}},
	{name: "sick-leave-cert", medical: true, formats: []string{"txt", "json"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Medical certificate\nThis is to certify that %s attended my clinic on %s suffering from %s and is unfit for work for %d days.\nDr. Ho, registered medical practitioner", n, date(r), oneOf(r, "acute bronchitis", "gastroenteritis", "influenza"), 1+r.IntN(4)),
			fmt.Sprintf("病假證明書\n茲證明 %s 於%s到本診所求診，診斷為%s，建議休息%d天。\n註冊醫生：何醫生", n, date(r), oneOf(r, "急性支氣管炎", "急性腸胃炎", "流感"), 1+r.IntN(4)),
			fmt.Sprintf("病假证明\n兹证明 %s 于%s来我院就诊，诊断为%s，建议休息%d天。\n医师：何医生", n, date(r), oneOf(r, "急性支气管炎", "急性肠胃炎", "流感"), 1+r.IntN(4)))}
	}},
	{name: "dental-chart", medical: true, formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		n := name(l, r)
		return content{text: pick(l,
			fmt.Sprintf("Dental chart — %s\nTooth %d: root canal treatment completed, crown planned.\n%s; chlorhexidine rinse prescribed.\nNext visit %d weeks.", n, 11+r.IntN(37), oneOf(r, "Periodontitis stage II", "Dental caries 16, 26", "Gingivitis"), 1+r.IntN(4)),
			fmt.Sprintf("牙科記錄 — %s\n第%d號牙：完成根管治療，計劃做牙冠\n%s，處方氯己定漱口水\n%d星期後覆診", n, 11+r.IntN(37), oneOf(r, "牙周炎", "蛀牙", "牙齦炎"), 1+r.IntN(4)),
			fmt.Sprintf("牙科记录 — %s\n第%d号牙：根管治疗完成，计划做牙冠\n%s，处方氯己定含漱液\n%d周后复诊", n, 11+r.IntN(37), oneOf(r, "牙周炎", "龋齿", "牙龈炎"), 1+r.IntN(4)))}
	}},
	{name: "insurance-claims", medical: true, formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Claim No", "Claimant", "Policy No", "Diagnosis", "Amount"}, {"索償編號", "申索人", "保單號碼", "診斷", "金額"}, {"理赔编号", "被保险人", "保单号", "诊断", "金额"}}[l]
		dx := [][]string{{"fracture of radius", "pneumonia", "cataract surgery", "gastroenteritis"}, {"橈骨骨折", "肺炎", "白內障手術", "腸胃炎"}, {"桡骨骨折", "肺炎", "白内障手术", "肠胃炎"}}[l]
		rows := rowsOf(3+r.IntN(5), func(i int) []string {
			return []string{fmt.Sprintf("CL%06d", r.IntN(999999)), name(l, r), fmt.Sprintf("P%08d", r.IntN(99999999)), oneOf(r, dx...), money(r, 800, 90000)}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
	{name: "school-nurse-log", medical: true, formats: []string{"xlsx", "txt"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Date", "Student name", "Class", "Complaint", "Action"}, {"日期", "學生姓名", "班別", "病況", "處理"}, {"日期", "学生姓名", "班级", "病情", "处理"}}[l]
		cp := [][]string{{"fever 38.5C", "asthma attack - inhaler given", "nosebleed", "stomach ache, vomiting"}, {"發燒38.5度", "哮喘發作，已用氣管舒張劑", "流鼻血", "肚痛、嘔吐"}, {"发烧38.5度", "哮喘发作，已用吸入剂", "流鼻血", "肚子痛、呕吐"}}[l]
		rows := rowsOf(4+r.IntN(5), func(i int) []string {
			return []string{date(r), name(l, r), fmt.Sprintf("%d%s", 1+r.IntN(6), oneOf(r, "A", "B", "C")), oneOf(r, cp...), oneOf(r, "parents informed", "rest 30 min", "sent home")}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
}

var medicalNearMisses = []template{
	{name: "health-news", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("Flu season: public hospitals report %d%% more admissions\nThe Centre for Health Protection said influenza activity has risen, with more cases of pneumonia among the elderly. Doctors urge residents to get the flu vaccine. Patients with diabetes or heart failure are at higher risk.", 10+r.IntN(40)),
			fmt.Sprintf("流感高峰期 公立醫院入院人數增加%d%%\n衞生防護中心表示流感活躍程度上升，長者肺炎個案增加。醫生呼籲市民接種流感疫苗，糖尿病及心臟衰竭患者風險較高。", 10+r.IntN(40)),
			fmt.Sprintf("流感高发 医院门诊量上升%d%%\n疾控中心表示流感活动水平上升，老年人肺炎病例增多。医生提醒市民接种流感疫苗，糖尿病和心力衰竭患者风险较高。", 10+r.IntN(40)))}
	}},
	{name: "health-check-price-list", formats: []string{"xlsx", "txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Package", "Items", "Price (HK$)"}, {"計劃", "檢查項目", "價錢（港元）"}, {"套餐", "检查项目", "价格（元）"}}[l]
		items := []string{pick(l, "blood glucose, cholesterol, ECG", "血糖、膽固醇、心電圖", "血糖、胆固醇、心电图"), pick(l, "chest X-ray, liver function, HbA1c", "胸肺X光、肝功能、糖化血紅素", "胸片、肝功能、糖化血红蛋白"), pick(l, "mammogram, ultrasound, PSA", "乳房X光、超聲波", "乳房X光、超声波")}
		rows := rowsOf(3, func(i int) []string { return []string{string(rune('A' + i)), items[i], money(r, 900, 9000)} })
		return content{text: pick(l, "Health check packages 2026 — book now!\n", "2026身體檢查計劃　立即預約！\n", "2026体检套餐　立即预约！\n"), table: append([][]string{head}, rows...)}
	}},
	{name: "diabetes-brochure", formats: []string{"txt", "pptx"}, gen: func(l lang, r *rand.Rand) content {
		t := pick(l,
			"What is type 2 diabetes?\nType 2 diabetes affects how the body uses blood glucose. Common symptoms include thirst and fatigue. Treatment may include metformin or insulin. Keep your HbA1c below 7% and check your blood pressure. Consult your doctor.",
			"甚麼是2型糖尿病？\n2型糖尿病影響身體使用血糖。常見症狀包括口渴及疲倦。治療可包括二甲雙胍或胰島素。糖化血紅素應保持在7%以下，並定期量度血壓。請諮詢醫生。",
			"什么是2型糖尿病？\n2型糖尿病影响身体利用血糖。常见症状有口渴、乏力。治疗可包括二甲双胍或胰岛素。糖化血红蛋白应控制在7%以下，定期测量血压。请咨询医生。")
		if r.IntN(2) == 0 {
			parts := strings.SplitN(t, "\n", 2)
			return content{slides: []slide{{body: parts[0]}, {body: parts[1], notes: pick(l, "Speaker: keep this slide short.", "講者：此頁簡短介紹。", "讲者：此页简要介绍。")}}}
		}
		return content{text: t}
	}},
	{name: "nurse-job-ad", formats: []string{"txt", "json"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("Job opening: Registered Nurse (dialysis centre)\nRequirements: RN registration, 2 years' experience in diabetes and hypertension care, vaccination and wound care.\nSalary HK$%s per month. Apply to hr@example.com.", money(r, 30000, 45000)),
			fmt.Sprintf("招聘：註冊護士（洗腎中心）\n要求：註冊護士資格，兩年糖尿病及高血壓護理經驗，熟悉疫苗接種及傷口護理。\n月薪港幣%s元。", money(r, 30000, 45000)),
			fmt.Sprintf("招聘：护士（血液透析中心）\n要求：护士执业资格，两年糖尿病、高血压护理经验，熟悉疫苗接种。\n月薪%s元。", money(r, 8000, 15000)))}
	}},
	{name: "clinic-timetable", formats: []string{"txt", "xlsx"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Service", "Doctor", "Mon-Fri", "Sat"}, {"服務", "醫生", "星期一至五", "星期六"}, {"服务", "医生", "周一至周五", "周六"}}[l]
		rows := [][]string{
			{pick(l, "General outpatient", "普通科門診", "普通门诊"), pick(l, "Dr. Chan", "陳醫生", "陈医生"), "09:00-13:00", "09:00-12:00"},
			{pick(l, "Dental (scaling, fillings)", "牙科（洗牙、補牙）", "牙科（洗牙、补牙）"), pick(l, "Dr. Lee", "李醫生", "李医生"), "14:00-18:00", "-"},
			{pick(l, "Flu vaccination", "流感疫苗接種", "流感疫苗接种"), pick(l, "Nurse clinic", "護士診所", "护士门诊"), "10:00-16:00", "10:00-12:00"},
			{pick(l, "Physiotherapy", "物理治療", "物理治疗"), "-", "09:00-17:00", "-"},
		}
		return content{table: append([][]string{head}, rows...)}
	}},
	{name: "pharmacy-price-list", formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Item", "Pack", "Price"}, {"貨品", "包裝", "價錢"}, {"商品", "规格", "价格"}}[l]
		items := [][]string{{"Paracetamol 500mg", "Ibuprofen 200mg", "Cetirizine 10mg", "Loratadine", "Omeprazole 20mg", "Vitamin C"}, {"撲熱息痛 500mg", "布洛芬 200mg", "抗組織胺", "維他命C", "奧美拉唑"}, {"对乙酰氨基酚 500mg", "布洛芬 200mg", "维生素C", "奥美拉唑"}}[l]
		rows := rowsOf(len(items), func(i int) []string {
			return []string{items[i], oneOf(r, "20s", "30s", "100s"), fmt.Sprintf("%d.90", 20+r.IntN(100))}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
	{name: "sick-leave-policy", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			"Sick leave policy\nEmployees who are unwell must inform their supervisor before 9 am. A medical certificate from a registered medical practitioner is required for sick leave of more than two days. Sickness allowance follows the Employment Ordinance. Staff with influenza or COVID-19 should not come to the office.",
			"病假政策\n員工如身體不適，須於上午九時前通知上司。病假超過兩天須提交註冊醫生簽發的醫生證明。疾病津貼按《僱傭條例》計算。患上流感或新冠肺炎的員工不應回公司。",
			"病假制度\n员工如身体不适，须在上午九点前通知主管。病假超过两天须提交医院出具的病假证明。患流感或新冠肺炎的员工请勿到岗。")}
	}},
	{name: "health-tips", formats: []string{"txt", "json"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			"5 tips to lower your blood pressure\n1. Cut salt. 2. Walk 30 minutes a day. 3. Limit alcohol. 4. Sleep well. 5. Ask your doctor whether you need medication such as amlodipine. High cholesterol and diabetes raise the risk of stroke.",
			"降血壓五個貼士\n1. 少鹽 2. 每日步行30分鐘 3. 少飲酒 4. 睡眠充足 5. 向醫生查詢是否需要服用降血壓藥。高膽固醇及糖尿病會增加中風風險。",
			"降血压五个小贴士\n1. 少盐 2. 每天步行30分钟 3. 限酒 4. 睡眠充足 5. 咨询医生是否需要降压药。高胆固醇和糖尿病会增加中风风险。")}
	}},
	{name: "annual-leave-register", formats: []string{"csv", "xlsx"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Staff No", "Name", "From", "To", "Reason"}, {"員工編號", "姓名", "開始日期", "結束日期", "原因"}, {"员工编号", "姓名", "开始日期", "结束日期", "原因"}}[l]
		rs := [][]string{{"family trip", "wedding", "moving house", "personal matters", "exam"}, {"家庭旅行", "婚禮", "搬屋", "私事", "考試"}, {"家庭旅行", "婚礼", "搬家", "私事", "考试"}}[l]
		rows := rowsOf(5+r.IntN(5), func(i int) []string {
			return []string{fmt.Sprintf("E%04d", r.IntN(9999)), name(l, r), date(r), date(r), oneOf(r, rs...)}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
	{name: "it-virus-incident", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("Incident report INC%05d\nA computer virus infected three laptops in Finance. Symptoms: slow start-up, pop-ups. Diagnosis by IT: ransomware dropper. Treatment: reimage and patch. Owner: %s.", r.IntN(99999), name(l, r)),
			fmt.Sprintf("事故報告 INC%05d\n財務部三部電腦感染病毒，症狀為開機緩慢及彈出視窗。IT診斷為勒索軟件，處理方法：重裝系統。負責人：%s。", r.IntN(99999), name(l, r)),
			fmt.Sprintf("事故报告 INC%05d\n财务部三台电脑感染病毒，症状为开机缓慢。IT诊断为勒索软件，处理：重装系统。负责人：%s。", r.IntN(99999), name(l, r)))}
	}},
	{name: "staff-roster", formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Name", "Department", "Extension", "Shift"}, {"姓名", "部門", "內線", "更次"}, {"姓名", "部门", "分机", "班次"}}[l]
		rows := rowsOf(6, func(i int) []string {
			return []string{name(l, r), oneOf(r, "Ward 3", "Pharmacy", "Clinic"), fmt.Sprint(2000 + r.IntN(999)), oneOf(r, "A", "P", "N")}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
	{name: "flu-vaccination-notice", formats: []string{"txt", "json"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("Staff flu vaccination day\nDate: %s, Room 3. The influenza vaccine is free for all staff. Please register with HR by Friday. Staff allergic to eggs should consult the nurse.", date(r)),
			fmt.Sprintf("員工流感疫苗接種日\n日期：%s，三號會議室。所有員工可免費接種流感疫苗，請於星期五前向人事部登記。", date(r)),
			fmt.Sprintf("员工流感疫苗接种日\n日期：%s，三号会议室。员工可免费接种流感疫苗，请于周五前到人事部登记。", date(r)))}
	}},
	{name: "training-results", formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Name", "Course", "Result"}, {"姓名", "課程", "結果"}, {"姓名", "课程", "结果"}}[l]
		rows := rowsOf(6, func(i int) []string {
			return []string{name(l, r), pick(l, "First aid and CPR", "急救及心肺復甦法", "急救培训"), pick(l, oneOf(r, "Pass", "Fail"), oneOf(r, "合格", "不合格"), oneOf(r, "合格", "不合格"))}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
	{name: "insurance-brochure", formats: []string{"txt", "pptx"}, gen: func(l lang, r *rand.Rand) content {
		t := pick(l,
			fmt.Sprintf("Critical illness plan\nCovers cancer, stroke, heart attack and kidney failure. Premium from HK$%s a month. Claims paid within 14 days of diagnosis.", money(r, 300, 900)),
			fmt.Sprintf("危疾保障計劃\n保障癌症、中風、心臟病及腎衰竭。月費低至港幣%s元，確診後14日內賠償。", money(r, 300, 900)),
			fmt.Sprintf("重疾保障计划\n保障癌症、中风、心脏病、肾衰竭。月缴低至%s元，确诊后14天内理赔。", money(r, 100, 500)))
		return content{text: t}
	}},
	{name: "hospital-supply-invoice", formats: []string{"txt", "xlsx"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Item", "Qty", "Unit price", "Amount"}, {"貨品", "數量", "單價", "金額"}, {"品名", "数量", "单价", "金额"}}[l]
		rows := [][]string{{pick(l, "Nitrile gloves", "丁腈手套", "丁腈手套"), "200", "35.00", "7,000.00"}, {pick(l, "Syringes 5ml", "5毫升針筒", "5毫升注射器"), "500", "1.20", "600.00"}}
		return content{text: pick(l, "Invoice INV-2031 to Queen Mary Hospital\n", "發票 INV-2031 致瑪麗醫院\n", "发票 INV-2031 致市第一人民医院\n"), table: append([][]string{head}, rows...)}
	}},
}

// Financial documents.

func plRows(l lang, r *rand.Rand) [][]string {
	rev := 800000 + r.IntN(4000000)
	cos := rev * (50 + r.IntN(20)) / 100
	gp := rev - cos
	opex := gp * (30 + r.IntN(30)) / 100
	np := gp - opex
	names := [][]string{
		{"Revenue", "Cost of sales", "Gross profit", "Administrative expenses", "Profit before tax", "Net profit"},
		{"營業額", "銷售成本", "毛利", "行政開支", "除稅前溢利", "年內溢利"},
		{"营业收入", "营业成本", "毛利", "管理费用", "利润总额", "净利润"},
	}[l]
	vals := []int{rev, -cos, gp, -opex, np, np * 83 / 100}
	prev := func(v int) int { return v * (85 + r.IntN(10)) / 100 }
	out := make([][]string, len(names))
	for i, n := range names {
		out[i] = []string{n, commas(vals[i]), commas(prev(vals[i]))}
	}
	return out
}

var financialTemplates = []template{
	{name: "income-statement", financial: true, formats: []string{"txt", "xlsx", "docx"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{pick(l, "Consolidated income statement", "綜合損益表", "利润表"), "", ""}, {pick(l, "For the year ended 31 December 2025", "截至2025年12月31日止年度", "2025年度"), "2025", "2024"}}
		return content{table: append(head, plRows(l, r)...)}
	}},
	{name: "balance-sheet", financial: true, formats: []string{"txt", "xlsx", "docx"}, gen: func(l lang, r *rand.Rand) content {
		items := [][]string{
			{"Property, plant and equipment", "Inventories", "Trade receivables", "Cash and cash equivalents", "Total assets", "Trade payables", "Total liabilities", "Share capital", "Retained earnings", "Total equity"},
			{"物業、廠房及設備", "存貨", "應收賬款", "現金及現金等價物", "資產總值", "應付賬款", "負債總額", "股本", "保留溢利", "權益總額"},
			{"固定资产", "存货", "应收账款", "货币资金", "资产总计", "应付账款", "负债合计", "实收资本", "未分配利润", "所有者权益合计"},
		}[l]
		rows := [][]string{{pick(l, "Statement of financial position as at 31 December 2025", "綜合財務狀況表 於2025年12月31日", "资产负债表 2025年12月31日"), pick(l, "HK$'000", "港元千元", "人民币元"), ""}}
		for _, it := range items {
			rows = append(rows, []string{it, money(r, 10000, 900000), money(r, 10000, 900000)})
		}
		return content{table: rows}
	}},
	{name: "cash-flow", financial: true, formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("Consolidated statement of cash flows\nFor the year ended 31 March 2026\nProfit before tax %s\nDepreciation %s\nNet cash from operating activities %s\nNet cash used in investing activities (%s)\nNet cash used in financing activities (%s)\nCash and cash equivalents at end of year %s", money(r, 1e5, 9e5), money(r, 1e4, 9e4), money(r, 1e5, 9e5), money(r, 1e4, 9e4), money(r, 1e4, 9e4), money(r, 1e5, 9e5)),
			fmt.Sprintf("綜合現金流量表\n截至2026年3月31日止年度\n除稅前溢利 %s\n折舊 %s\n經營活動所得現金淨額 %s\n投資活動所用現金淨額 (%s)\n融資活動所用現金淨額 (%s)\n年末現金及現金等價物 %s", money(r, 1e5, 9e5), money(r, 1e4, 9e4), money(r, 1e5, 9e5), money(r, 1e4, 9e4), money(r, 1e4, 9e4), money(r, 1e5, 9e5)),
			fmt.Sprintf("现金流量表\n2025年度　单位：元\n经营活动产生的现金流量净额 %s\n投资活动产生的现金流量净额 -%s\n筹资活动产生的现金流量净额 -%s\n期末现金及现金等价物余额 %s", money(r, 1e5, 9e5), money(r, 1e4, 9e4), money(r, 1e4, 9e4), money(r, 1e5, 9e5)))}
	}},
	{name: "branch-pl-chat", financial: true, formats: []string{"json", "txt"}, gen: func(l lang, r *rand.Rand) content {
		sales := 600000 + r.IntN(900000)
		cos := sales * 55 / 100
		rent, staff, util := 150000+r.IntN(50000), 180000+r.IntN(60000), 15000+r.IntN(10000)
		np := sales - cos - rent - staff - util
		return content{text: pick(l,
			fmt.Sprintf("Hi all, %s branch numbers for %s:\nSales %s\nCost of sales %s\nGross profit %s\nRent %s\nStaff costs %s\nUtilities %s\nNet profit %s\nLet me know if questions.", oneOf(r, "Mong Kok", "Causeway Bay", "Sha Tin"), oneOf(r, "October", "November"), commas(sales), commas(cos), commas(sales-cos), commas(rent), commas(staff), commas(util), commas(np)),
			fmt.Sprintf("各位，%s分店%s月數字：\n營業額 %s\n銷售成本 %s\n毛利 %s\n租金 %s\n員工成本 %s\n水電 %s\n純利 %s\n有問題再講", oneOf(r, "旺角", "銅鑼灣", "沙田"), oneOf(r, "十", "十一"), commas(sales), commas(cos), commas(sales-cos), commas(rent), commas(staff), commas(util), commas(np)),
			fmt.Sprintf("各位，%s门店%s月数据：\n营业收入 %s\n营业成本 %s\n毛利 %s\n租金 %s\n人工成本 %s\n水电费 %s\n净利润 %s", oneOf(r, "福田", "南山", "天河"), oneOf(r, "10", "11"), commas(sales), commas(cos), commas(sales-cos), commas(rent), commas(staff), commas(util), commas(np)))}
	}},
	{name: "store-pl-12-months", financial: true, formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		months := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
		if l != en {
			months = []string{"1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"}
		}
		head := append([]string{pick(l, "Store 12", "第12號店", "12号店")}, months...)
		head = append(head, pick(l, "Total", "合計", "合计"))
		items := [][]string{{"Sales", "Cost of goods sold", "Gross profit", "Rent", "Salaries", "Operating profit"}, {"銷售額", "銷售成本", "毛利", "租金", "薪金", "經營溢利"}, {"销售收入", "销售成本", "毛利", "租金", "工资", "营业利润"}}[l]
		rows := [][]string{head}
		for _, it := range items {
			row := []string{it}
			tot := 0
			for range 12 {
				v := 20000 + r.IntN(200000)
				tot += v
				row = append(row, fmt.Sprint(v))
			}
			rows = append(rows, append(row, fmt.Sprint(tot)))
		}
		return content{table: rows}
	}},
	{name: "trial-balance", financial: true, formats: []string{"xlsx", "txt"}, gen: func(l lang, r *rand.Rand) content {
		rows := [][]string{{pick(l, "Trial balance at 30 June 2026", "試算表 2026年6月30日", "试算平衡表 2026年6月30日"), pick(l, "Debit", "借方", "借方"), pick(l, "Credit", "貸方", "贷方")}}
		items := [][]string{{"Cash at bank", "Accounts receivable", "Inventories", "Accounts payable", "Share capital", "Revenue", "Cost of sales"}, {"銀行存款", "應收賬款", "存貨", "應付賬款", "股本", "營業額", "銷售成本"}, {"银行存款", "应收账款", "存货", "应付账款", "实收资本", "营业收入", "营业成本"}}[l]
		for i, it := range items {
			if i < 3 || i == 6 {
				rows = append(rows, []string{it, money(r, 1e4, 9e5), ""})
			} else {
				rows = append(rows, []string{it, "", money(r, 1e4, 9e5)})
			}
		}
		return content{table: rows}
	}},
	{name: "statement-in-long-report", financial: true, formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		prose := pick(l, "The Group continued to expand its retail network and invest in staff training during the year. ", "本集團年內繼續擴展零售網絡，並投資於員工培訓。", "本集团年内继续扩展零售网络，加大员工培训投入。")
		var b strings.Builder
		b.WriteString(pick(l, "Annual report 2025\nChairman's statement\n", "2025年報\n主席報告\n", "2025年年度报告\n董事长致辞\n"))
		for range 400 {
			b.WriteString(prose)
		}
		b.WriteString("\n\n" + tableText(append([][]string{{pick(l, "Consolidated income statement", "綜合損益表", "合并利润表"), "2025", "2024"}}, plRows(l, r)...)))
		for range 200 {
			b.WriteString(prose)
		}
		return content{text: b.String()}
	}},
	{name: "quarterly-management-accounts", financial: true, formats: []string{"xlsx", "docx"}, gen: func(l lang, r *rand.Rand) content {
		head := []string{pick(l, "Q3 2026", "2026年第三季", "2026年三季度"), pick(l, "Actual", "實際", "实际"), pick(l, "Budget", "預算", "预算"), pick(l, "Variance", "差異", "差异")}
		rows := [][]string{head}
		for _, pr := range plRows(l, r) {
			a := pr[1]
			rows = append(rows, []string{pr[0], a, pr[2], money(r, 1000, 90000)})
		}
		return content{table: rows}
	}},
}

var financialNearMisses = []template{
	{name: "blank-template", formats: []string{"xlsx", "docx", "txt"}, gen: func(l lang, r *rand.Rand) content {
		rows := [][]string{{pick(l, "Statement of profit or loss — template", "損益表（範本）", "利润表（模板）"), pick(l, "For the year ended ____", "截至____年__月__日止年度", "____年度"), ""}}
		for _, pr := range plRows(l, r) {
			rows = append(rows, []string{pr[0], "", ""})
		}
		rows = append(rows, []string{pick(l, "Total assets", "資產總值", "资产总计"), "____", "____"})
		return content{table: rows}
	}},
	{name: "chart-of-accounts", formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := []string{pick(l, "Account code", "科目編號", "科目编码"), pick(l, "Account name", "科目名稱", "科目名称"), pick(l, "Type", "類別", "类别")}
		items := [][]string{{"Cash and cash equivalents", "Trade receivables", "Inventories", "Trade payables", "Share capital", "Retained earnings", "Revenue", "Cost of sales", "Administrative expenses"}, {"現金及現金等價物", "應收賬款", "存貨", "應付賬款", "股本", "保留溢利", "營業額", "銷售成本", "行政開支"}, {"货币资金", "应收账款", "存货", "应付账款", "实收资本", "未分配利润", "营业收入", "营业成本", "管理费用"}}[l]
		rows := [][]string{head}
		for i, it := range items {
			rows = append(rows, []string{fmt.Sprint(1001 + i*1000 + r.IntN(9)), it, oneOf(r, pick(l, "Asset", "資產", "资产"), pick(l, "Liability", "負債", "负债"), pick(l, "Income", "收入", "收入"))})
		}
		return content{table: rows}
	}},
	{name: "release-notes", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("AccountPro %d.%d release notes\n- Balance sheet report now shows the comparative year\n- Income statement: Revenue, Cost of sales and Gross profit can be exported to Excel\n- Cash flow statement: fixed rounding of Net cash from operating activities\n- Retained earnings carry-forward runs at year end", 5+r.IntN(3), r.IntN(10)),
			fmt.Sprintf("會計易 %d.%d 更新說明\n- 資產負債表報告新增比較年度\n- 損益表：營業額、銷售成本、毛利可匯出至Excel\n- 現金流量表：修正經營活動所得現金淨額的進位問題", 5+r.IntN(3), r.IntN(10)),
			fmt.Sprintf("财务软件 %d.%d 版本说明\n- 资产负债表支持上年对比\n- 利润表：营业收入、营业成本、净利润支持导出Excel\n- 现金流量表：修复经营活动产生的现金流量净额四舍五入问题", 5+r.IntN(3), r.IntN(10)))}
	}},
	{name: "cash-flow-tutorial", formats: []string{"txt", "pptx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			"Lesson 4: reading a cash flow statement\nA cash flow statement has three sections: operating, investing and financing activities. Net cash from operating activities starts from profit before tax, adds back depreciation and adjusts for working capital such as inventories and trade receivables. For example, if profit before tax is 100 and depreciation is 20, operating cash flow before working capital is 120.",
			"第四課：如何閱讀現金流量表\n現金流量表分為經營、投資及融資活動三部分。經營活動所得現金淨額由除稅前溢利開始，加回折舊，再調整存貨及應收賬款等營運資金。例如除稅前溢利為100，折舊為20，則營運資金變動前的經營現金流為120。",
			"第四讲：怎样读现金流量表\n现金流量表分为经营活动、投资活动和筹资活动。经营活动产生的现金流量净额以净利润为起点，加回折旧，调整存货、应收账款等营运资金。例如净利润为100，折旧为20，则调整前经营现金流为120。")}
	}},
	{name: "invoice", formats: []string{"txt", "xlsx", "docx"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Description", "Qty", "Unit price", "Amount"}, {"項目", "數量", "單價", "金額"}, {"项目", "数量", "单价", "金额"}}[l]
		rows := [][]string{head,
			{pick(l, "Consulting services", "顧問服務", "咨询服务"), "10", "1,200.00", "12,000.00"},
			{pick(l, "Travel", "交通費", "差旅费"), "1", "850.00", "850.00"},
			{pick(l, "Total", "總額", "合计"), "", "", "12,850.00"}}
		return content{text: pick(l, fmt.Sprintf("Invoice no. %d\nBill to: ABC Trading Ltd\n", r.IntN(99999)), fmt.Sprintf("發票編號 %d\n客戶：ABC貿易有限公司\n", r.IntN(99999)), fmt.Sprintf("发票号 %d\n客户：某某贸易有限公司\n", r.IntN(99999))), table: rows}
	}},
	{name: "payslip", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		b := 18000 + r.IntN(30000)
		return content{text: pick(l,
			fmt.Sprintf("Payslip — %s, October 2026\nBasic salary %s\nOvertime %s\nMPF employee contribution (1,500)\nNet pay %s", name(l, r), commas(b), commas(1200), commas(b-300)),
			fmt.Sprintf("糧單 — %s 2026年10月\n底薪 %s\n超時補水 %s\n強積金僱員供款 (1,500)\n實收 %s", name(l, r), commas(b), commas(1200), commas(b-300)),
			fmt.Sprintf("工资条 — %s 2026年10月\n基本工资 %s\n加班费 %s\n社保个人部分 (1,500)\n实发工资 %s", name(l, r), commas(b), commas(1200), commas(b-300)))}
	}},
	{name: "expense-claim", formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Date", "Item", "Amount"}, {"日期", "項目", "金額"}, {"日期", "项目", "金额"}}[l]
		rows := [][]string{head, {date(r), pick(l, "Taxi", "的士", "出租车"), "186.00"}, {date(r), pick(l, "Client lunch", "客戶午餐", "客户午餐"), "1,240.00"}, {"", pick(l, "Total", "總計", "合计"), "1,426.00"}}
		return content{table: rows}
	}},
	{name: "budget-chat", formats: []string{"json"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("FYI the Q3 marketing budget of %s was approved; revenue target stays at 5M and gross profit margin around 40%%.", money(r, 100000, 500000)),
			fmt.Sprintf("通知一下，第三季市場推廣預算%s已批，營業額目標維持五百萬，毛利率約四成。", money(r, 100000, 500000)),
			fmt.Sprintf("同步一下，三季度市场预算%s已批，营业收入目标500万，毛利率40%%左右。", money(r, 100000, 500000)))}
	}},
	{name: "news-quoting-revenue", formats: []string{"txt", "docx"}, gen: func(l lang, r *rand.Rand) content {
		return content{text: pick(l,
			fmt.Sprintf("Retailer's revenue rises %d%%\nHK-listed retailer said revenue for the year rose to HK$%d.%d billion, while net profit increased to HK$%d million. Gross profit margin improved on lower costs. Shares rose 3%%.", 5+r.IntN(10), 1+r.IntN(9), r.IntN(10), 100+r.IntN(800)),
			fmt.Sprintf("零售商收入增%d%%\n本港上市零售商公布全年營業額增至%d.%d億港元，純利增至%d百萬港元，毛利率改善。股價升3%%。", 5+r.IntN(10), 1+r.IntN(9), r.IntN(10), 100+r.IntN(800)),
			fmt.Sprintf("某零售企业营收增长%d%%\n公司公告全年营业收入%d.%d亿元，净利润%d百万元，毛利率有所改善。", 5+r.IntN(10), 1+r.IntN(9), r.IntN(10), 100+r.IntN(800)))}
	}},
	{name: "sales-pipeline", formats: []string{"xlsx", "csv"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Client", "Stage", "Deal value", "Expected close"}, {"客戶", "階段", "金額", "預計完成"}, {"客户", "阶段", "金额", "预计成交"}}[l]
		rows := rowsOf(6, func(i int) []string {
			return []string{oneOf(r, "ABC Ltd", "XYZ Group", "Delta Co"), oneOf(r, "Proposal", "Negotiation", "Won"), money(r, 10000, 900000), date(r)}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
	{name: "price-list", formats: []string{"xlsx", "txt"}, gen: func(l lang, r *rand.Rand) content {
		head := [][]string{{"Product", "Unit", "Price (HK$)"}, {"產品", "單位", "價格（港元）"}, {"产品", "单位", "价格（元）"}}[l]
		rows := rowsOf(6, func(i int) []string {
			return []string{fmt.Sprintf("SKU-%04d", r.IntN(9999)), "box", money(r, 100, 9000)}
		})
		return content{table: append([][]string{head}, rows...)}
	}},
}
