package classifiers

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestMedical(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	id, c := genHKID(r, "K")
	hkid := id + "(" + string(c) + ")"
	cases := []struct {
		name string
		text string
		want bool
	}{
		// Records about people, three scripts.
		{"discharge summary en", "DISCHARGE SUMMARY\nPatient: Chan Tai Man  DOB: 1961-04-02\nDiagnosis: community-acquired pneumonia; type 2 diabetes mellitus\nDischarge medication: amoxicillin 500mg tds, metformin 500mg bd\nFollow-up: medical outpatient clinic in 2 weeks", true},
		{"discharge summary 繁", "出院小結\n病人姓名：陳大文\n診斷：心房顫動；高血壓\n出院藥物：Warfarin 3mg 每日一次", true},
		{"discharge summary 简", "出院小结\n患者姓名：王小明\n诊断：2型糖尿病，高血压\n出院药物：二甲双胍 0.5g 每日两次", true},
		{"lab report en", "Laboratory Report\nPatient: Lee Mei Ling  MRN: 1234567\nHbA1c 7.9 % (H)\nCreatinine 132 umol/L\nTotal cholesterol 6.1 mmol/L", true},
		{"lab report 简", "化验报告\n姓名：李华  病历号：A99231\n血常规：白细胞 12.1 ×10^9/L\nC反应蛋白 45 mg/L\n临床诊断：肺炎", true},
		{"sick leave 繁", "病假證明書\n茲證明陳先生於今日到本診所求診，診斷為急性腸胃炎，建議病假兩天。\n醫生：李醫生", true},
		{"sick leave en", "MEDICAL CERTIFICATE\nThis is to certify that Mr Wong attended the clinic today.\nDiagnosis: acute gastroenteritis\nSick leave: 2 days\nDr. Ho", true},
		{"sick leave 简", "病假证明\n患者：张伟\n诊断：急性上呼吸道感染\n建议休息两天", true},
		{"prescription 繁", "處方\n病人：何麗華\n藥物：Amlodipine 5mg 每日一次；Atorvastatin 20mg", true},
		{"insurance claim with diagnosis and HKID", "Claim form\nClaimant: Ng Kwok Wai  HKID " + hkid + "\nDiagnosis: osteoarthritis of knee (M17.1)\nProcedure: arthroscopy", true},
		{"ICD codes in context", "ICD-10: E11.65, I10\nImpression: poorly controlled diabetes with hypertension", true},
		{"medical certificate en prose", "MEDICAL CERTIFICATE\nThis is to certify that Mr Chan was examined today and found to be suffering from acute bronchitis. He is unfit for work for 3 days.\nDr. Lam, Registered Medical Practitioner", true},
		{"medical certificate 简 prose", "兹证明 张三 因急性支气管炎于2026年3月5日到本院就诊，建议休息三天。\n医生：王医生", true},
		{"patient list 繁", "病人名單：\n陳大文,72,糖尿病\n李小明,65,高血壓\n黃志強,58,哮喘", true},
		{"dental record", "Dental record\nPatient: Wong\nTreatment: root canal treatment, scaling and polishing\nDiagnosis: dental caries", true},
		{"outpatient record 简", "门诊病历\n姓名：刘洋 性别：男 年龄：35岁\n主诉：咳嗽3天\n现病史：发热，咽痛\n诊断：急性支气管炎\n处理：阿莫西林胶囊 0.5g 每日三次", true},
		{"radiology report", "RADIOLOGY REPORT\nName: Chan Siu Ming  HN: 12345678\nCT brain (plain): no acute infarct.\nImpression: chronic small vessel disease. Suggest MRI.", true},
		{"lab results", "Lab results for Cheung Wai Man\nHb 10.2 g/dL (L)\nWBC 12.3 x10^9/L (H)\nPlatelet count 250\nCRP 45 mg/L", true},
		{"psychiatric note with dose", "Psychiatric follow-up\nClient: Ho Ka Lok\nDiagnosis: major depressive disorder\nPlan: sertraline 50mg daily, review in 4 weeks", true},
		{"insurance claim 简", "理赔申请表\n被保险人：李四\n诊断：腰椎间盘突出\n治疗：物理治疗 6 次\n金额：18,400", true},
		{"follow-up 繁", "覆診紀錄 2026-03-01\n病人：黃太\n血壓 150/95，血糖 9.1\n藥物：降血壓藥加量", true},
		{"SOAP note en", "Chief complaint: chest pain for 2 days\nPast medical history: hypertension, hyperlipidaemia\nECG: ST elevation\nPlan: aspirin 300mg stat, refer for coronary angiogram", true},
		{"outpatient note 繁", "主訴：咳嗽一星期\n過敏史：盤尼西林\n診斷：急性支氣管炎\n處方：阿莫西林", true},
		{"patient list", "patient,age,diagnosis\nChan,61,hypertension\nLee,45,asthma\nWong,70,heart failure\nCheung,52,gout", true},
		// Business text with medical-sounding words.
		{"IT operations", "The operations team will patch the virus scanner tonight and run a health check on the cluster.", false},
		{"cold storage", "Cold storage in Kwai Chung is full; move frozen stock to Tuen Mun. Operation theatre of logistics.", false},
		{"hospital invoice", "INVOICE\nBill to: Queen Mary Hospital, Purchasing\n20 x office chairs HK$24,000\nPayment within 30 days", false},
		{"health and safety 繁", "各位同事：下週三有防火演習及職安健講座，請準時出席。如有不適請通知急救員。", false},
		{"health and safety en", "Health and safety: report any injury to the first-aider. Flu vaccination for staff next Tuesday at the clinic.", false},
		{"cantonese chat", "今日好攰，我有啲咳，聽日請病假，唔該幫我同老闆講聲。", false},
		{"HR sick leave policy", "Sick leave policy: staff must submit a medical certificate signed by a registered doctor. Employees with diabetes may request flexible hours.", false},
		{"HR policy 简", "病假制度：员工请病假须提交医生证明。", false},
		{"pharma sales", "Q3 sales: metformin and amlodipine volumes grew 12%; our distributor network covers 200 pharmacies.", false},
		{"product marketing", "Our app helps patients track diabetes and blood pressure at home.", false},
		{"bare ICD-like codes", "Parts E11.65 and M51.2 are out of stock; reorder I10 brackets.", false},
		{"insurance brochure", "Our critical illness plan covers cancer, stroke and heart attack. Claims need a report from a registered doctor.", false},
		{"IT fault diagnosis 繁", "故障診斷：伺服器病毒掃描失敗，請IT部門處理。", false},
		{"pharmacy price list", "Price list: Panadol 24 tabs HK$32; Amoxicillin 500mg x 21 HK$85; Loratadine 10mg HK$45", false},
		{"staff flu vaccination", "Flu vaccination for staff next Tuesday at the clinic on 3/F. Please bring your staff card.", false},
		{"sick chat en", "Feeling awful with a fever today, taking sick leave, see you tomorrow", false},
		{"staff body check", "Reminder: the annual body check for all staff will be held at the clinic next Monday. Please fast overnight.", false},
		{"insurance renewal 繁", "各位：本公司醫療保險計劃已續期，門診、住院及手術費用均可報銷，詳情請向人事部查詢。", false},
		{"health-tech pitch", "We are launching a diabetes management app for hospitals; target revenue HK$2m; partners include three clinics.", false},
		{"IT surgery metaphor", "The surgery to fix the legacy billing system went well; patient zero for the bug was the invoice module.", false},
		{"drug purchase list 简", "药品采购清单：阿莫西林 200盒，布洛芬 300盒，二甲双胍 150盒，请仓库核对。", false},
		{"symptom notice 繁", "如有發燒、咳嗽等病徵，請留家休息並求診，病假需提交醫生證明。", false},
		{"flu season notice", "Flu season: influenza vaccination is available at the clinic. Staff with influenza should take sick leave and see a doctor.", false},
		{"symptom notice 简", "如出现发热、咳嗽、腹泻等症状，请及时就诊，病假须提交医生证明。", false},
		{"news 简", "新闻：某医院今年接诊流感患者人数上升，专家提醒市民注意保暖。", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, got := classifyText(t, tc.text)[Medical]
			if got != tc.want {
				t.Fatalf("medical = %v, want %v (signals %v)", got, tc.want, f.Signals)
			}
			if got {
				if f.Confidence < Medium {
					t.Fatalf("fired below medium: %v", f.Confidence)
				}
				if len(f.Signals) == 0 {
					t.Fatal("finding without signals")
				}
				for _, s := range f.Samples {
					for _, name := range []string{"Chan", "陳", "王小明", "Lee", "張", "李華", "何麗華", id} {
						if strings.Contains(s.Masked, name) {
							t.Fatalf("sample %q holds person data", s.Masked)
						}
					}
				}
			}
		})
	}
}

func TestMedicalPatientListCount(t *testing.T) {
	text := "patient\tdiagnosis\nChan\thypertension\t2026-01-02\nLee\tasthma\t2026-01-03\nWong\tgout\t2026-01-04\n"
	f, ok := classifyText(t, text)[Medical]
	if !ok || f.Count != 3 {
		t.Fatalf("got %+v, want count 3", f)
	}
}

func TestMedicalAcrossSegments(t *testing.T) {
	// A record split over two document parts is judged as a whole.
	f, ok := classifyText(t, "病人姓名：陳大文\n診斷：肺炎", "出院藥物：Augmentin 375mg")[Medical]
	if !ok {
		t.Fatalf("not found across segments: %+v", f)
	}
}

func TestMedicalLongDocumentWindows(t *testing.T) {
	filler := strings.Repeat("The quarterly logistics review covers shipping lanes and warehouse space. ", 2000)
	// Scattered single words far apart must not add up.
	scattered := "patient " + filler + " diabetes " + filler + " diagnosis " + filler + " hypertension"
	if _, ok := classifyText(t, scattered)[Medical]; ok {
		t.Fatal("scattered words over 450 KB fired")
	}
	// A staff handbook mentions sick leave, doctors and conditions pages apart.
	handbook := "Sick leave: a medical certificate from a registered doctor is required. " + strings.Repeat("Office hours are 9 to 6. ", 300) +
		" Maternity leave applies from the 28th week of pregnancy. " + strings.Repeat("Annual leave is 14 days. ", 300) +
		" Staff with a fracture or other injury at work must report the diagnosis to HR. " + strings.Repeat("Dress code is smart casual. ", 300)
	if f, ok := classifyText(t, handbook)[Medical]; ok {
		t.Fatalf("handbook fired: %v", f.Signals)
	}
	// A record in the middle of a long document still fires.
	record := filler + "\nPatient: Chan\nDiagnosis: pneumonia\nMedication: amoxicillin\n" + filler
	if _, ok := classifyText(t, record)[Medical]; !ok {
		t.Fatal("record inside a long document not found")
	}
}

func TestMaskedTerm(t *testing.T) {
	for _, tc := range []struct {
		kind      uint8
		term, out string
	}{
		{medDisease, "2型糖尿病", "disease:2型**病"},
		{medDrug, "二甲双胍", "drug:二***"},
		{medDrug, "metformin", "drug:met*****n"},
		{medDisease, "icd10:E11.65", "icd10:E1***5"},
		{medSymptom, "咳", "symptom:*"},
	} {
		if got := maskedTerm(tc.kind, tc.term); got != tc.out {
			t.Errorf("maskedTerm(%q) = %q, want %q", tc.term, got, tc.out)
		}
	}
}

// A finding's samples and signals name the kind and a masked term, never
// the diagnosis in clear next to the person.
func TestMedicalEvidenceMasked(t *testing.T) {
	text := "Discharge summary\nPatient: Chan Tai Man\nDiagnosis: community-acquired pneumonia\nDischarge medication: amoxicillin 500mg tds"
	f, ok := classifyText(t, text)[Medical]
	if !ok {
		t.Fatal("not found")
	}
	all := fmt.Sprint(f.Samples, f.Signals)
	for _, clear := range []string{"pneumonia", "amoxicillin", "Chan Tai Man"} {
		if strings.Contains(all, clear) {
			t.Errorf("evidence %s shows %q", all, clear)
		}
	}
	if len(f.Samples) == 0 || !strings.Contains(f.Samples[0].Masked, ":") || !strings.Contains(f.Samples[0].Masked, "*") {
		t.Errorf("sample %v is not kind:masked-term", f.Samples)
	}
}
