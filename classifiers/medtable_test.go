package classifiers

import (
	"context"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// Tables of people with a health column: count = rows with health data.
func TestHealthTables(t *testing.T) {
	for _, tc := range []struct {
		name  string
		segs  []extract.Segment
		count int // 0: no medical finding
	}{
		{"csv sick-leave register", []extract.Segment{{Origin: "f.csv", Text: "Staff No,Name,Dates,Reason for sick leave\nE1,Chan Tai Man,3 Mar,sprained ankle\nE2,Lee Siu Ming,4 Mar,-\nE3,Wong Mei Ling,9 Mar,food poisoning\n"}}, 2},
		{"generic Reason needs a clinical term", []extract.Segment{{Origin: "f.csv", Text: "Staff No,Name,Dates,Reason\nE1,Chan Tai Man,3 Mar,influenza\nE2,Lee Siu Ming,4 Mar,family trip\nE3,Wong Mei Ling,9 Mar,migraine\n"}}, 2},
		{"Employee Name column", []extract.Segment{{Origin: "f.csv", Text: "Employee Name,Dept,Days,Reason\nChan Tai Man,IT,2,influenza\nLee Siu Ming,HR,1,migraine\n"}}, 2},
		{"annual leave register", []extract.Segment{{Origin: "f.csv", Text: "Staff No,Name,Dates,Reason\nE1,Chan Tai Man,3 Mar,wedding\nE2,Lee Siu Ming,4 Mar,family trip\nE3,Wong Mei Ling,9 Mar,moving house\n"}}, 0},
		{"markdown 繁", []extract.Segment{{Origin: "m", Text: "| 員工編號 | 姓名 | 病假原因 |\n|---|---|---|\n| E1021 | 陳大文 | 急性腸胃炎 |\n| E1022 | 李小明 | 流感 |\n"}}, 2},
		{"html table rows apart, two health columns", []extract.Segment{{Origin: "h", Text: "Resident allergy list\n\nResident\tAllergies\tMedications\n\nChan Tai Man\tpenicillin\tamlodipine 5mg\n\nLee Siu Ming\tNKDA\tdonepezil 10mg\n\nHo Wing Sze\tNKDA\t-"}}, 2},
		{"TB results 简", []extract.Segment{{Origin: "x", Text: "姓名\t病房\t结核菌素试验\n王丽娟\t3A\t阴性\n张伟\t5B\t阳性\n"}}, 2},
		{"staff roster without health column", []extract.Segment{{Origin: "x", Text: "Name\tDepartment\tExtension\nChan Tai Man\tPharmacy\t2301\nLee Siu Ming\tWard 3\t2302\n"}}, 0},
		{"json records", []extract.Segment{
			{Origin: "json:$[0].name", Text: "Chan Tai Man"}, {Origin: "json:$[0].reason", Text: "acute gastroenteritis"},
			{Origin: "json:$[1].name", Text: "Lee Siu Ming"}, {Origin: "json:$[1].reason", Text: "family trip"},
			{Origin: "json:$[2].staff_no", Text: "E3"}, {Origin: "json:$[2].diagnosis", Text: "migraine"},
		}, 2},
		{"json records without a person field", []extract.Segment{
			{Origin: "json:$[0].product", Text: "Amlodipine 5mg"}, {Origin: "json:$[0].condition", Text: "hypertension"},
			{Origin: "json:$[1].product", Text: "Metformin 500mg"}, {Origin: "json:$[1].condition", Text: "type 2 diabetes"},
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *Finding
			for _, f := range testSet.Classify(context.Background(), tc.segs) {
				if f.Classifier == Medical {
					got = &f
				}
			}
			switch {
			case tc.count == 0 && got != nil:
				t.Fatalf("fired: %+v", *got)
			case tc.count > 0 && got == nil:
				t.Fatal("not found")
			case tc.count > 0 && got.Count != tc.count:
				t.Fatalf("count %d, want %d (%v)", got.Count, tc.count, got.Signals)
			}
		})
	}
}

// A name beside a sick-leave or diagnosis statement ties it to someone;
// blank forms and tick boxes name no one.
func TestMedicalNamedAndBlank(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       bool
	}{
		{"chat 繁 role+name", "同事陳大文今日入院，確診肺炎，要住院一星期。", true},
		{"chat 简 @name", "@人事 王丽娟抑郁症复发，医生开了两周病假，附诊断证明。", true},
		{"chat en name", "HR update: Chan Tai Man is on sick leave until Friday - the doctor diagnosed acute gastroenteritis.", true},
		{"policy en", "Sick leave policy: under the Employment Ordinance a medical certificate stating the diagnosis is needed; staff with influenza or pneumonia should stay home.", false},
		{"blank form en", "Health declaration form\nName: ____________\nDo you have: [ ] diabetes [ ] hypertension [ ] asthma\nMedication: ________", false},
		{"blank form 繁", "健康申報表\n姓名：＿＿＿＿\n請剔選：□糖尿病 □高血壓 □哮喘\n長期服用藥物：＿＿＿＿", false},
		{"filled form 繁", "健康申報表\n姓名：陳大文\n病歷：糖尿病、高血壓\n長期服用藥物：二甲雙胍", true},
		{"product name is not a person", "Product name: Amlodipine 5mg\nPack: 30s\nPrice: 45.00\nProduct name: Metformin 500mg\nPrice: 30.00", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, got := classifyText(t, tc.text)[Medical]
			if got != tc.want {
				t.Fatalf("medical = %v, want %v (signals %v)", got, tc.want, f.Signals)
			}
		})
	}
}

func TestAgeSex(t *testing.T) {
	for _, tc := range []struct {
		text string
		n    int
	}{
		{"Lam Chi Keung, 72 M\nAdmitted", 1}, {"Pt Chan, 67F, c/o SOB", 1}, {"Client: Ho Wing Sze, 52/M", 1}, {"陳大文，45歲，男", 1},
		{"Room 1201, 12F, Tower 1", 0}, {"3歲以下兒童免費", 0}, {"Revenue, 120 M in 2025", 0}, {"sold 30M units", 0},
	} {
		if got := len(ageSex(tc.text, 4)); got != tc.n {
			t.Errorf("ageSex(%q) = %d, want %d", tc.text, got, tc.n)
		}
	}
}

func TestLatinName(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"HR update: Chan Tai Man is on sick leave", true}, {"Amy Wong called in sick", true}, {"Dear Ho Wing Sze,", true},
		{"Spring Promotion - Health Pharmacy price list", false}, {"Queen Mary Hospital", false}, {"Employment Ordinance", false},
		{"Tsuen Wan branch", false},
	} {
		if _, got := latinName(tc.text, 0, len(tc.text)); got != tc.want {
			t.Errorf("latinName(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestHanName(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"@人事 王丽娟抑郁症复发", true}, {"同事陳大文今日入院", true}, {"李小明請病假", true},
		{"謝謝各位，病假申請已收到", false}, {"何時覆診請致電診所", false}, {"許多員工患上流感", false}, {"顧客投訴", false}, {"李醫生門診", false},
	} {
		if _, got := hanName(tc.text, 0, len(tc.text)); got != tc.want {
			t.Errorf("hanName(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
