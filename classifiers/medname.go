package classifiers

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Who a health statement is about, where no field label says so, and
// blank forms that name no one. All scans are bounded windows around an
// anchor: linear in the input.

// checkboxBefore reports an empty tick box right before text[start]
// ("□ diabetes", "[ ] asthma", "☐高血壓"): an option on a form.
func checkboxBefore(text string, start int) bool {
	j := start
	for j > 0 && j > start-4 && (text[j-1] == ' ' || text[j-1] == '\t') {
		j--
	}
	head := text[max(0, j-6):j]
	for _, box := range []string{"□", "☐", "[ ]", "[]", "( )", "（ ）", "○"} {
		if strings.HasSuffix(head, box) {
			return true
		}
	}
	return false
}

// blankFieldAfter reports a field label followed by an empty value
// ("Name: ______", "姓名：＿＿＿＿", "Name:" at the end of a line).
func blankFieldAfter(text string, end int) bool {
	rest := text[end:min(len(text), end+64)]
	rest = strings.TrimLeft(rest, " \t")
	switch {
	case strings.HasPrefix(rest, ":"):
		rest = rest[1:]
	case strings.HasPrefix(rest, "："):
		rest = rest[len("："):]
	default:
		return false
	}
	rest = strings.TrimLeft(rest, " \t")
	if rest == "" || rest[0] == '\n' || rest[0] == '\r' {
		return true
	}
	for _, blank := range []string{"___", "＿", "....", "……", "[  ]", "(  )"} {
		if strings.HasPrefix(rest, blank) {
			return true
		}
	}
	return false
}

// nameNear looks for a personal name on the anchor's line, up to 96 bytes
// before it (200 across lines when wide) or 48 after: two or three capitalised words that are not
// everyday words ("Chan Tai Man is on sick leave"), or a common Chinese
// surname starting a word ("@人事 王丽娟抑郁症复发"). It returns the name's
// offset.
func nameNear(text string, start, end int, wide bool) (int, bool) {
	lo := max(0, start-96)
	if wide {
		// A record's heading block: the name may be a line or two above
		// its first field ("Chan Tai Man, 58\nDx: frozen shoulder").
		lo = max(0, start-200)
	} else if i := strings.LastIndexByte(text[lo:start], '\n'); i >= 0 {
		lo += i + 1
	}
	hi := min(len(text), end+48)
	if i := strings.IndexByte(text[end:hi], '\n'); i >= 0 {
		hi = end + i
	}
	// Figures about many people (sick-leave statistics, average days,
	// cases) are not about the person named beside them.
	line := text[lo:hi]
	for _, w := range []string{"statistic", "Statistic", "average", "Average", "統計", "统计", "平均", "人次", "per cent", "percent"} {
		if strings.Contains(line, w) {
			return 0, false
		}
	}
	for _, span := range [][2]int{{lo, start}, {end, hi}} {
		if p, ok := latinName(text, span[0], span[1]); ok {
			return p, true
		}
		if p, ok := hanName(text, span[0], span[1]); ok {
			return p, true
		}
	}
	return 0, false
}

var notNameWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`The This That These Dear Hi Hello All Team Staff Please Note Update Notice FYI HR IT
		Medical Certificate Sick Leave Doctor Dr Mr Mrs Ms Miss Hospital Clinic Centre Center Queen Mary Department
		Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
		August September October November December Hong Kong Kowloon Limited Ltd Company Group Health Care
		Insurance Claim Policy Plan Employees Employee Manager Office Annual Flu Influenza Covid Vaccination
		Our We You They He She It From To Subject Re Fw Yours Sincerely Regards Best Thanks Thank Attached
		Diagnosis Patient Client Resident Report Record Results Result Form Section Page Table Total
		Tsuen Causeway Kwun Tseung Mong Kok Sheung Shui Yau Tsim Tsui Admiralty Central Quarry Fanling
		Indications Contraindications Dosage Side Effects Agenda Registration Symposium Annual Programme
		Ordinance Employment Labour Labor Government Act Regulation Regulations Authority Protection Council
		Board Committee Services Service Human Resources Finance Sales Operations Public Private New Territories
		Island China Chinese English University School College Institute Association Society Bank Fund Trust
		Centers Disease Control Prevention World Organization Organisation National Department Bureau Ministry`) {
		notNameWords[w] = true
	}
}

// romanSurnames: romanised Chinese surnames (HK Cantonese and pinyin). A
// run of capitalised words is a name only with one of them ("Chan Tai
// Man", "Amy Wong"); "Spring Promotion" is not.
var romanSurnames = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`Chan Chen Wong Wang Lee Li Cheung Zhang Lau Liu Lam Lin Ho He Ng Wu Leung Liang
		Chow Zhou Tsang Zeng Yip Ip Ye Tang Lai Kwok Guo Cheng Chu Zhu Fung Feng Hui Xu Yeung Yang Law Luo Mak Mai
		Tam Tan Siu Xiao Tse Xie Poon Pan Choi Cai Yu Lo Lu Kwan Guan Tong Yuen Yuan Au Ou Chung Zhong Chiu Zhao
		Kong Fong Fang Mok Tsui Cui Sun Hu Song Han Deng Tang Cao Peng Tian Dong Jiang Du Wei Su Ding Ren Shen Yao
		Jin Lui Lei Koo Ku Kam Kan Ling Shum Sham Szeto Fok Ko Tai Chiang Hung Hong Hon Ngai Yiu Keung`) {
		romanSurnames[w] = true
	}
}

// latinName finds two or three consecutive capitalised words in text[lo:hi]
// holding a romanised Chinese surname.
func latinName(text string, lo, hi int) (int, bool) {
	// "Mrs Cheung", "Mr. Wong": an honorific and a surname.
	for _, h := range [...]string{"Mr ", "Mr. ", "Mrs ", "Mrs. ", "Ms ", "Ms. ", "Miss ", "Mdm ", "Madam "} {
		for from := lo; from < hi; {
			i := strings.Index(text[from:hi], h)
			if i < 0 {
				break
			}
			p := from + i
			j := p + len(h)
			k := j
			for k < hi && isLetter(text[k]) {
				k++
			}
			if (p == 0 || !isLetter(text[p-1])) && romanSurnames[text[j:k]] {
				return p, true
			}
			from = j
		}
	}
	for from := lo; from < hi; {
		p, end, ok := capRun(text, from, hi)
		if !ok {
			return 0, false
		}
		if h := text[max(0, p-8):p]; strings.HasSuffix(h, "Dr ") || strings.HasSuffix(h, "Dr. ") || strings.HasSuffix(h, "Doctor ") || strings.HasSuffix(h, "Prof ") {
			from = end // the doctor, not the patient
			continue
		}
		for _, w := range strings.Fields(text[p:end]) {
			if romanSurnames[w] {
				return p, true
			}
		}
		from = end
	}
	return 0, false
}

// capRun finds the next run of two or three capitalised words in
// text[lo:hi] and returns its span.
func capRun(text string, lo, hi int) (int, int, bool) {
	p, ok := capRunStart(text, lo, hi)
	if !ok {
		return 0, 0, false
	}
	end := p
	for n := 0; n < 3; n++ {
		j := end + 1
		for j < hi && text[j] >= 'a' && text[j] <= 'z' {
			j++
		}
		end = j
		if n == 2 || end+1 >= hi || text[end] != ' ' || text[end+1] < 'A' || text[end+1] > 'Z' {
			break
		}
		end++
	}
	return p, max(end, p+1), true
}

// capRunStart finds where the next run of two or three capitalised words
// that are not everyday words starts.
func capRunStart(text string, lo, hi int) (int, bool) {
	run, runStart := 0, 0
	for i := lo; i < hi; {
		if !(text[i] >= 'A' && text[i] <= 'Z') || (i > lo && isLetter(text[i-1])) {
			if text[i] != ' ' || run == 0 {
				if run >= 2 {
					return runStart, true
				}
				run = 0
			}
			i++
			continue
		}
		j := i + 1
		for j < hi && text[j] >= 'a' && text[j] <= 'z' {
			j++
		}
		w := text[i:j]
		if j-i < 2 || notNameWords[w] || (j < hi && isLetter(text[j])) {
			if run >= 2 {
				return runStart, true
			}
			run = 0
			i = j
			continue
		}
		if run == 0 {
			runStart = i
		}
		run++
		if run == 3 {
			return runStart, true
		}
		i = j
		if i < hi && text[i] == ' ' && i+1 < hi && text[i+1] >= 'A' && text[i+1] <= 'Z' {
			i++ // next word of the name
			continue
		}
		if run >= 2 {
			return runStart, true
		}
		run = 0
	}
	if run >= 2 {
		return runStart, true
	}
	return 0, false
}

// commonSurnames: frequent Chinese surnames (both scripts) that are not also
// everyday words (高, 方, 石, 金, 白, 錢, 湯 ... are left out).
const commonSurnames = "周陳陈李張张黃黄王吳吴劉刘林何梁鄭郑謝谢羅罗楊杨趙赵孫孙朱胡郭曾蔡鄧邓許许馮冯葉叶蕭萧盧卢潘彭袁曹麥麦鍾钟譚谭徐唐韓韩蔣蒋沈呂吕蘇苏賴赖姚廖鄒邹崔邱侯邵孟尹賀贺龔龚汪顧顾魏薛阮翁岑駱骆"

// surnameWords: a surname followed by one of these is a word (謝謝, 何時,
// 許多, 曾經, 顧客, 韓國, 黃金 ...), not a name.
var surnameWords = map[rune]string{
	'周': "一二三四五六日天末期年报報会會刊至", '何': "時时謂谓況况必以不處处", '許': "多可", '许': "多可", '曾': "經经",
	'張': "貼", '张': "贴", '顧': "客問及慮", '顾': "客问及虑", '賀': "卡年詞", '贺': "卡年词", '鍾': "意", '钟': "意点點",
	'麥': "當片芽", '麦': "当片芽", '羅': "列", '罗': "列", '韓': "國式劇", '韩': "国式剧", '謝': "謝意絕", '谢': "谢意绝",
	'鄭': "重", '郑': "重", '黃': "金色燈", '黄': "金色灯", '陳': "列述", '陈': "列述", '胡': "說椒亂",
}

// hanName finds a common surname that starts a word (after a space, '@',
// punctuation or the line start) followed by two Han characters.
func hanName(text string, lo, hi int) (int, bool) {
	for i := lo; i < hi; {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r >= 0x4E00 && strings.ContainsRune(commonSurnames, r) {
			prev, _ := utf8.DecodeLastRuneInString(text[:i])
			if i == 0 || !unicode.Is(unicode.Han, prev) || afterRole(text[:i]) {
				r2, n2 := utf8.DecodeRuneInString(text[i+n:])
				r3, _ := utf8.DecodeRuneInString(text[i+n+n2:])
				if unicode.Is(unicode.Han, r2) && unicode.Is(unicode.Han, r3) && !strings.ContainsRune("醫医生先女太院師师姑", r2) && !(r2 == '小' && r3 == '姐') &&
					!strings.ContainsRune(surnameWords[r], r2) && !titleAfter(text[i+n+n2:]) {
					return i, true
				}
			}
		}
		i += n
	}
	return 0, false
}

// qualifiedName reports "name" written after another word ("Product name",
// "file name", "company name"): the name of a thing.
func qualifiedName(text string, pos int) bool {
	j := pos
	if j == 0 || text[j-1] != ' ' {
		return false
	}
	j--
	if j == 0 || !isLetter(text[j-1]) {
		return false
	}
	w := j
	for w > 0 && isLetter(text[w-1]) {
		w--
	}
	switch strings.ToLower(text[w:j]) {
	case "employee", "staff", "patient", "client", "resident", "member", "student", "child", "full", "first", "last",
		"given", "family", "english", "chinese", "customer", "claimant", "insured":
		return false // "Employee name": a person after all
	}
	return true
}

// afterRole reports a role word right before a name ("同事陳大文",
// "员工王丽娟"): the name starts there although a Han character precedes it.
func afterRole(head string) bool {
	for _, r := range []string{"床", "同事", "員工", "员工", "職員", "职员", "下屬", "下属", "組員", "组员", "病人", "患者", "客戶", "客户", "院友", "學生", "学生"} {
		if strings.HasSuffix(head, r) {
			return true
		}
	}
	return false
}

// ageSex finds "name, 72 M", "Pt Chan, 67F", "Client: X, 52/M" and
// "陳大文，45歲": an age (1-110) with a sex or 歲/岁 right after a name and
// a comma. Floors ("Room 1201, 12F") and ages in adverts ("3歲以下")
// are not written that way. It returns up to limit offsets.
func ageSex(text string, limit int) []int {
	var out []int
	// An age is accepted only right after ",", ", " or "，"
	// (afterNameComma), so only the digits there are looked at: the commas
	// are found with IndexByte instead of visiting every byte.
	nextK, nextF := -1, -1 // next "," and "，" at or after c, or len(text)
	for c := 0; c < len(text) && len(out) < limit; {
		if nextK < c {
			nextK = len(text)
			if k := strings.IndexByte(text[c:], ','); k >= 0 {
				nextK = c + k
			}
		}
		if nextF < c {
			nextF = len(text)
			if f := strings.Index(text[c:], "，"); f >= 0 {
				nextF = c + f
			}
		}
		var i int
		switch {
		case nextK == len(text) && nextF == len(text):
			return out
		case nextK < nextF:
			i = nextK + 1
			if i < len(text) && text[i] == ' ' {
				i++
			}
			c = nextK + 1
		default:
			i = nextF + len("，")
			c = i
		}
		if i >= len(text) || !isDigit(text[i]) {
			continue
		}
		if ageSexAt(text, i) {
			out = append(out, i)
		}
	}
	return out
}

// ageSexAt reports an age with a sex or 歲/岁 starting at the digit
// text[i], after a name and a comma.
func ageSexAt(text string, i int) bool {
	j := i
	for j < len(text) && isDigit(text[j]) && j-i < 4 {
		j++
	}
	if j-i > 3 || (j < len(text) && isDigit(text[j])) {
		return false
	}
	age := 0
	for _, c := range text[i:j] {
		age = age*10 + int(c-'0')
	}
	if age < 1 || age > 110 || !afterNameComma(text, i) {
		return false
	}
	rest := text[j:]
	if strings.HasPrefix(rest, "歲") || strings.HasPrefix(rest, "岁") {
		return true
	}
	k := 0
	if strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "/") {
		k = 1
	}
	return k < len(rest) && (rest[k] == 'M' || rest[k] == 'F') && (k+1 == len(rest) || !isLetter(rest[k+1]) && !isDigit(rest[k+1]))
}

// afterNameComma reports "<word>, " or "<Han>，" right before text[i]: the
// age follows a name, not a number or a line start.
func afterNameComma(text string, i int) bool {
	head := text[:i]
	switch {
	case strings.HasSuffix(head, ", "):
		head = head[:len(head)-2]
		return len(head) > 0 && isLetter(head[len(head)-1])
	case strings.HasSuffix(head, "，"), strings.HasSuffix(head, ","):
		head = strings.TrimSuffix(strings.TrimSuffix(head, "，"), ",")
		r, _ := utf8.DecodeLastRuneInString(head)
		return unicode.Is(unicode.Han, r) || (len(head) > 0 && isLetter(head[len(head)-1]))
	}
	return false
}

// familyWord reports a person anchor naming the writer's relative ("my
// son", "我太太", "家母"): a particular, identifiable person.
func familyWord(term string) bool {
	return strings.HasPrefix(term, "my ") || strings.HasPrefix(term, "我") || strings.HasPrefix(term, "家") || term == "小兒" || term == "犬子"
}

// bedNumbers finds ward bed numbers ("3床", "12床", "Bed 12"): a bed
// points at the patient in it. It returns up to limit offsets.
func bedNumbers(text string, limit int) []int {
	var out []int
	for from := 0; len(out) < limit; {
		i := strings.Index(text[from:], "床")
		if i < 0 {
			break
		}
		i += from
		from = i + len("床")
		if i > 0 && isDigit(text[i-1]) && (i < 2 || !isDigit(text[i-2]) || i < 3 || !isDigit(text[i-3])) {
			out = append(out, i-1)
		}
	}
	// "Bed " and "bed " in one pass over "ed ", kept in that order as one
	// pass per spelling would.
	var upper, lower []int
	// "ed " ends at a space: the search starts at the first one, so text
	// without a space (base64) is not searched at every 'e'.
	from := 1
	if sp := strings.IndexByte(text, ' '); sp < 0 {
		from = len(text)
	} else {
		from = max(from, sp-2)
	}
	for len(out)+len(upper) < limit {
		k := strings.Index(text[from:], "ed ")
		if k < 0 {
			break
		}
		k += from
		from = k + 1
		i := k - 1
		if e := k + len("ed "); e < len(text) && isDigit(text[e]) && (i == 0 || !isLetter(text[i-1])) {
			switch text[i] {
			case 'B':
				upper = append(upper, i)
			case 'b':
				lower = append(lower, i)
			}
		}
	}
	out = append(out, upper...)
	return append(out, lower[:min(len(lower), limit-len(out))]...)
}

// titleAfter reports a professional title right after a name's first two
// characters or three ("陳大文醫生", "李主任"): staff, not the patient.
func titleAfter(rest string) bool {
	for k := 0; k < 2; k++ {
		for _, t := range []string{"醫生", "医生", "醫師", "医师", "護士", "护士", "教授", "主任", "經理", "经理", "老師", "老师", "姑娘", "負責", "负责", "主持", "安排"} {
			if strings.HasPrefix(rest, t) {
				return true
			}
		}
		_, n := utf8.DecodeRuneInString(rest)
		if n == 0 {
			break
		}
		rest = rest[n:]
	}
	return false
}
