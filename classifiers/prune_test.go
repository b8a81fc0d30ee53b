package classifiers

import (
	"context"
	"strings"
	"testing"

	"github.com/dlpgate/dlpgate/extract"
)

// Words pruned from the open vocabularies (gen/thuocl.py STOP, README's
// curation rules) because ordinary business text is full of them: none of
// these phrases may produce a clinical hit, and the business paragraphs
// below may not produce a medical finding.
var businessTraps = []string{
	"computer virus", "antivirus update", "the operation went live", "operations manager", "cold storage", "cold chain",
	"post-mortem of the outage", "health check of the cluster", "service health dashboard", "system diagnosis",
	"電腦病毒", "计算机病毒", "病毒式營銷", "病毒式营销", "大企業病", "大企业病", "後遺症", "后遗症", "通病", "毛病", "弊病", "語病", "语病",
	"名片", "芯片", "照片", "图片", "卡片", "影片", "刀片", "晶片", "顆粒度", "颗粒度", "因素", "要素", "元素",
	"遊戲中毒", "职业病", "富貴病", "富贵病", "拖延症", "選擇困難症", "选择困难症", "城市病", "流行病學", "精神病院",
	"神經病", "神经病", "綜合症", "综合征", "分裂", "硬化", "手機中毒",
	"the BCG matrix", "a PSA for the campaign", "MoCA exhibition", "lithium carbonate prices", "碳酸鋰價格", "calcium carbonate filler", "Ayrton Senna", "a rash decision",
}

func TestPrunedWordsStayQuiet(t *testing.T) {
	for _, p := range businessTraps {
		doc := testSet.analyse(context.Background(), []extract.Segment{{Text: "xx " + p + " xx"}})
		for _, h := range doc.segs[0].hits[clsMedical] {
			if clinical(h.kind) {
				t.Errorf("%q: clinical hit %q (%s)", p, doc.segs[0].text[h.start:h.end], medKindName[h.kind])
			}
		}
	}
}

func TestBusinessTextNoMedical(t *testing.T) {
	paras := []string{
		"Q3 operations review: the cold storage operation in Tsuen Wan ran at 92% capacity. A computer virus hit two laptops; IT ran a system diagnosis and the antivirus update fixed it. Patient customers waited for the new dashboard. Our client Queen Mary Hospital renewed its cleaning contract; invoice attached.",
		"第三季營運報告：荃灣凍倉使用率92%。兩部電腦中了電腦病毒，IT已完成系統診斷。我們的客戶瑪麗醫院續約清潔服務，發票已附上。公司架構有大企業病，拖延症是通病，需要對流程動手術，避免後遺症。",
		"第三季度运营报告：冷库使用率92%。两台电脑感染计算机病毒，IT已完成系统诊断。客户市人民医院续签保洁合同，发票见附件。公司有大企业病，流程需要做手术，避免后遗症；病毒式营销效果不错。",
		"HR notice: staff may take sick leave with a medical certificate; the annual health check package is at the clinic; please update your emergency contact and name in the system.",
		"人事通知：員工請病假須提交醫生證明；年度身體檢查將於診所進行，請更新緊急聯絡人姓名。",
	}
	for _, p := range paras {
		if f, ok := classifyText(t, strings.Repeat(p+"\n", 3))[Medical]; ok {
			t.Errorf("business text fired medical %v: %.60q", f.Signals, p)
		}
	}
}
