package classifiers

import (
	"strings"
	"testing"
)

func TestFinancialStatement(t *testing.T) {
	cases := []struct {
		name string
		text string
		want bool
	}{
		{"balance sheet en", "Balance Sheet as at 31 December 2025\nHK$'000\t2025\t2024\nProperty, plant and equipment\t152,340\t148,210\nInventories\t40,211\t38,877\nTrade receivables\t55,102\t49,310\nTotal assets\t328,108\t308,317\nTotal liabilities\t87,106\t82,801", true},
		{"income statement en no title", "For the year ended 31 March 2026 (HK$'000)\nRevenue 512,330 480,112\nCost of sales (301,220) (288,904)\nGross profit 211,110 191,208\nAdministrative expenses (98,003) (90,211)\nProfit before tax 64,981 58,007\nIncome tax expense (11,571) (10,231)", true},
		{"cash flow en", "Consolidated Statement of Cash Flows\nNet cash from operating activities 88,120 75,330\nNet cash used in investing activities (40,200) (35,118)\nNet cash used in financing activities (12,500) (10,000)", true},
		{"changes in equity en", "Statement of Changes in Equity\nShare capital 100,000\nRetained earnings 512,004\nTotal equity 612,004", true},
		{"trial balance", "Trial Balance at 30 June 2026\nCash and cash equivalents 80,455\nTrade payables 41,230\nShare capital 100,000\nRevenue 512,330", true},
		{"management accounts", "Management accounts — June 2026\nRevenue 1,204,330\nCost of sales (804,110)\nGross profit 400,220\nNet profit 120,004", true},
		{"balance sheet 繁", "綜合財務狀況表\n於2025年12月31日\t2025\t2024\n港元千元\n非流動資產\n物業、廠房及設備\t152,340\t148,210\n流動資產\n存貨\t40,211\t38,877\n應收賬款\t55,102\t49,310\n資產總值\t328,108\t308,317", true},
		{"income statement 繁", "綜合損益表\n截至2025年12月31日止年度\n營業額 512,330 480,112\n銷售成本 (301,220) (288,904)\n毛利 211,110 191,208\n除稅前溢利 64,981 58,007", true},
		{"cash flow 繁", "綜合現金流量表\n經營活動所得現金淨額 88,120\n投資活動所用現金淨額 (40,200)\n融資活動所用現金淨額 (12,500)", true},
		{"balance sheet 简", "资产负债表\n2025年12月31日　单位：人民币元\n货币资金　 12,330,118　 10,220,441\n应收账款　 8,204,330　 7,990,102\n资产总计　 60,118,204　 55,301,990\n负债合计　 22,004,118　 20,118,330", true},
		{"income statement 简", "利润表\n单位：人民币万元\n项目,本期金额,上期金额\n一、营业收入,12,450.3,11,020.8\n减：营业成本,8,120.1,7,334.6\n三、利润总额,2,180.0,1,890.7\n四、净利润,1,635.0,1,418.0", true},
		{"cash flow 简", "现金流量表\n经营活动产生的现金流量净额 88,120\n投资活动产生的现金流量净额 -40,200\n筹资活动产生的现金流量净额 -12,500", true},
		{"P&L 繁 tabs", "損益表\n截至2025年12月31日止年度\n收入\t1,200,000\n銷售成本\t(800,000)\n毛利\t400,000\n行政開支\t(150,000)\n年內溢利\t250,000", true},
		{"changes in equity 简", "所有者权益变动表\n2025年度\n单位：元\n实收资本 10,000,000\n资本公积 2,000,000\n盈余公积 1,000,000\n未分配利润 5,000,000", true},
		{"trial balance columns", "Trial balance 30/6/2026\nAccount\tDebit\tCredit\nCash at bank\t120,000\t\nAccounts receivable\t80,000\t\nAccounts payable\t\t60,000\nShare capital\t\t100,000\nRevenue\t\t300,000", true},
		{"xlsx raw numbers", "綜合財務狀況表\n於2025年12月31日\t2025\t2024\n\t港元千元\t港元千元\n存貨\t40211\t38877\n應收賬款\t55102\t49310\n資產總值\t328108\t308317", true},
		{"PDF leaders and note column", "Consolidated Income Statement\nNote 2025 2024\nRevenue ........................ 5 512,330 480,112\nCost of sales .................. 6 (301,220) (288,904)\nGross profit ................... 211,110 191,208", true},
		{"note in brackets", "Statement of Financial Position\nTotal assets (note 12) 1,204,330\nTotal liabilities (note 13) 455,210", true},
		{"UK balance sheet", "Balance Sheet at 31 March 2026\nFixed assets 120,000\nDebtors 45,000\nCreditors (30,000)\nNet assets 135,000\nCalled up share capital 100", true},
		{"US income statement", "Consolidated Statements of Operations\nNet sales 1,204,330\nSelling, general and administrative expenses (300,120)\nOperating income 210,004\nIncome before income taxes 200,000\nNet income 150,000", true},
		{"Taiwan income statement", "綜合損益表\n營業收入合計 5,120,330\n營業成本 (3,001,220)\n營業毛利 2,119,110\n營業費用 (980,003)\n本期淨利 900,120", true},
		// Near misses.
		{"invoice 简", "发票\n购买方：某某公司\n货物名称 数量 单价 金额\n打印纸 10 200 2,000\n合计 2,000", false},
		{"sales by region", "Quarterly sales by region\nRegion\tQ1\tQ2\nKowloon\t1,200,000\t1,300,000\nNT\t900,000\t950,000\nTotal\t2,100,000\t2,250,000", false},
		{"payroll summary", "Payroll summary March: basic salary 1,200,000; MPF 60,000; bonus 200,000; total staff cost 1,460,000", false},
		{"budget line in chat", "2026 budget: revenue 5,000,000, cost of sales 3,000,000, gross profit 2,000,000, net profit 800,000 — please comment by Friday.", false},
		{"news 繁", "新聞：騰訊公佈季度業績，收入增長8%至1,611億元人民幣，毛利增長，純利1,000億元。", false},
		{"invoice", "INVOICE INV-2026-0412\nBill to: ABC Ltd\n20 x office chairs @ HK$1,200 = HK$24,000\nTotal HK$24,000\nPayment within 30 days", false},
		{"quotation", "Quotation Q-7781\nItem Qty Unit price HK$\nLED panel 60x60 40 380\nInstallation 1 6,500\nTotal 21,700", false},
		{"price list", "Price list 2026\nA4 paper 1,200 per pallet\nToner 850\nStapler 120", false},
		{"payslip", "Payslip for March: basic salary HK$28,000, MPF deduction HK$1,500, net pay HK$26,500.", false},
		{"expense claim 简", "各位好，请于周五前提交差旅报销单，附上发票原件。报销金额 1,250 元。", false},
		{"budget chat", "Can you send me the balance sheet and the income statement for the year ended 31 March? Budget for revenue next year is 5,000,000.", false},
		{"budget chat 繁", "老闆想睇資產負債表同損益表，麻煩今日send俾我。", false},
		{"news", "Reuters: the group said revenue rose 8% to HK$5.1 billion while net profit fell slightly on higher costs; gross profit margin narrowed.", false},
		{"news 简", "新闻：该公司营业收入同比增长8%，净利润下降3%，毛利率收窄。", false},
		{"sales pipeline", "month,region,pipeline_hkd,won_hkd\n2026-01,Kowloon,450000,30000\n2026-02,Kowloon,620000,45000\n2026-03,HK Island,380000,12000", false},
		{"inventory sheet 繁", "倉庫存貨清單\n貨品 數量\n螺絲 1,200\n螺母 3,400", false},
		{"meeting minutes", "Minutes: the CFO will present the balance sheet at the next board meeting. Revenue targets unchanged.", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, got := classifyText(t, tc.text)[FinancialStatement]
			if got != tc.want {
				t.Fatalf("financial_statement = %v, want %v (signals %v)", got, tc.want, f.Signals)
			}
			if got && len(f.Signals) < 2 {
				t.Fatalf("finding explains too little: %v", f.Signals)
			}
		})
	}
}

func TestFinancialSignals(t *testing.T) {
	f, ok := classifyText(t, "Consolidated Statement of Profit or Loss\nFor the year ended 31 March 2026 (HK$'000)\n"+
		"Revenue 512,330 480,112\nCost of sales (301,220) (288,904)\nGross profit 211,110 191,208\nProfit before tax 64,981 58,007")[FinancialStatement]
	if !ok || f.Confidence != High || f.Count != 1 {
		t.Fatalf("got %+v", f)
	}
	for _, want := range []string{"title:consolidated statement of profit or loss", "line_item:revenue", "period:for the year ended", "unit:hk$'000"} {
		found := false
		for _, s := range f.Signals {
			if s == want {
				found = true
			}
		}
		if !found {
			t.Errorf("signal %q missing from %v", want, f.Signals)
		}
	}
	if !strings.HasPrefix(f.Signals[len(f.Signals)-1], "bracketed_negatives") && !strings.Contains(strings.Join(f.Signals, " "), "bracketed_negatives:") {
		t.Errorf("no bracketed_negatives signal in %v", f.Signals)
	}
}

// Scaled amounts ("HK$12.3m", "2.1 million", "3.5億") are figures after a
// line item: a management summary in a chat line is a statement in all
// three scripts. A scaled amount after words, a length in metres, a
// target without a title or a count of goods is not.
func TestFinancialScaledFigures(t *testing.T) {
	for _, text := range []string{
		"Q3 management accounts: revenue HK$12.3m, gross margin 41%, EBITDA HK$2.1m, net loss HK$0.4m; cash at bank HK$5.6m.",
		"Management accounts, March: Revenue 2.1 million; Gross profit 0.9 million; Net profit 0.2 million.",
		"第三季管理賬目：營業額 3.5億，毛利 1.2億，淨虧損 800萬，銀行現金 2,300萬。",
		"三季度管理报表：营业收入 3.5亿，毛利 1.2亿，净亏损 800万，货币资金 2300万。",
	} {
		if _, ok := classifyText(t, text)[FinancialStatement]; !ok {
			t.Errorf("not a statement: %q", text)
		}
	}
	for _, text := range []string{
		"Revenue grew to HK$12.3m this quarter, thanks to the team.",
		"The new office is 12 m wide and 30 m long; rent is HK$0.2m per month.",
		"Sales team: revenue target 5m, stretch 6m.",
		"倉庫存貨 1.2萬件，請於月底前盤點。",
		"营业收入增长到3.5亿，感谢大家。",
		"Shipment of 2.5 thousand units; the 3k run is next week.",
	} {
		if f, ok := classifyText(t, text)[FinancialStatement]; ok {
			t.Errorf("%q read as a statement: %v", text, f.Signals)
		}
	}
	for _, c := range []struct {
		in  string
		end int
		ok  bool
	}{
		{"12.3m,", 5, true}, {"12.3 million.", 12, true}, {"3.5億，", len("3.5億"), true}, {"800萬", 3, true}, {"8萬", len("8萬"), true},
		{"12 m", 2, false}, {"1.2千克", 3, false}, {"5mg", 1, false}, {"12.3", 4, false},
	} {
		if end, ok := figureAt(c.in, 0); end != c.end || ok != c.ok {
			t.Errorf("figureAt(%q) = %d, %v; want %d, %v", c.in, end, ok, c.end, c.ok)
		}
	}
}
