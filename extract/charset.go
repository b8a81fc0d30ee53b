package extract

import (
	"bytes"
	"strings"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

const (
	utf16LE = 1
	utf16BE = 2
)

func hasBOM(b []byte) bool {
	return bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) || bytes.HasPrefix(b, []byte("\xff\xfe")) || bytes.HasPrefix(b, []byte("\xfe\xff"))
}

// utf16Order detects UTF-16 by its BOM or, without one, by the NUL pattern
// of mostly-ASCII text (every other byte zero).
func utf16Order(b []byte) int {
	if len(b) >= 2 {
		if b[0] == 0xff && b[1] == 0xfe {
			return utf16LE
		}
		if b[0] == 0xfe && b[1] == 0xff {
			return utf16BE
		}
	}
	if len(b) > 4096 {
		b = b[:4096]
	}
	if len(b) < 4 {
		return 0
	}
	var even, odd int
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	pairs := len(b) / 2
	// ASCII in UTF-16 puts NULs on one side only. Chinese text with some
	// digits and punctuation has fewer of them, so a lower share counts
	// when the other side has (almost) none.
	switch {
	case odd*100 >= pairs*40 && even*100 <= pairs*5, odd*100 >= pairs*8 && even*200 <= pairs:
		return utf16LE
	case even*100 >= pairs*40 && odd*100 <= pairs*5, even*100 >= pairs*8 && odd*200 <= pairs:
		return utf16BE
	}
	return 0
}

// decodeText turns bytes into UTF-8 using, in order: the BOM, the declared
// charset, UTF-16 NUL patterns, UTF-8 validity, and a Big5/GBK/Windows-1252
// guess. ok is false when the bytes look binary rather than text.
func decodeText(b []byte, declared string) (string, bool) {
	return decodeTextAs(b, declared, copyString)
}

// copyString and aliasString turn valid UTF-8 bytes into the text: a copy,
// or (for a buffer the walker allocated and never writes again) the same
// memory, so a large spilled body is not held twice.
func copyString(b []byte) string { return string(b) }

func aliasString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// decodeTextAs is decodeText with str making strings of valid UTF-8.
func decodeTextAs(b []byte, declared string, str func([]byte) string) (string, bool) {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		if utf8.Valid(b[3:]) {
			return str(b[3:]), true
		}
		return strings.ToValidUTF8(string(b[3:]), "\uFFFD"), true
	case bytes.HasPrefix(b, []byte("\xff\xfe")):
		return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), b[2:]), true
	case bytes.HasPrefix(b, []byte("\xfe\xff")):
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), b[2:]), true
	}
	// Multi-byte text that is valid UTF-8 is UTF-8 whatever the label
	// says: legacy CJK text almost never validates by accident, while
	// mislabelled UTF-8 (a "charset=big5" form posting UTF-8) is common.
	// (A few high bytes can validate by chance: then the label wins.)
	if hasNonASCII(b, 8) && utf8.Valid(b) {
		return str(b), true
	}
	if declared != "" {
		if e := lookupCharset(declared); e != nil {
			// A UTF-16 label on NUL-free valid UTF-8 is a wrong label:
			// UTF-16 Latin text is full of NULs and UTF-16 Chinese almost
			// never validates as UTF-8. Honouring it would turn the text
			// into garbage that no classifier can read.
			if utf16Label(declared) && utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 {
				return str(b), true
			}
			// A declared UTF-8 that is not valid UTF-8 is a wrong label
			// (common with CSV exports); fall through to detection.
			if e != encoding.Nop || utf8.Valid(b) {
				if e == encoding.Nop {
					return str(b), true
				}
				return decodeWith(e, b), true
			}
		}
	}
	switch utf16Order(b) {
	case utf16LE:
		return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), b), true
	case utf16BE:
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), b), true
	}
	if isBinary(b) {
		// Pure CJK UTF-16 has no NULs but many bytes below 0x20 (the low
		// byte of "：" is 0x1A): accept it when it reads as Chinese.
		if e := utf16ByScore(b); e != nil {
			return decodeWith(e, b), true
		}
		return "", false
	}
	if utf8.Valid(b) {
		return str(b), true
	}
	return decodeWith(guessLegacy(b), b), true
}

// hasNonASCII reports whether b holds at least n bytes >= 0x80; it stops
// at the n-th, so a 50 MB upload is not counted through just to learn "yes".
func hasNonASCII(b []byte, n int) bool {
	for _, c := range b {
		if c >= 0x80 {
			if n--; n <= 0 {
				return true
			}
		}
	}
	return n <= 0
}

// lookupCharset maps a charset label to an encoding; nil when unknown.
func lookupCharset(name string) encoding.Encoding {
	name = strings.ToLower(strings.Trim(strings.TrimSpace(name), `"'`))
	switch name {
	case "utf-8", "utf8":
		return encoding.Nop
	case "big5-hkscs", "big5hkscs", "cp950", "ms950", "x-big5", "950":
		return traditionalchinese.Big5
	case "gb18030", "gbk", "gb2312", "cp936", "ms936", "936", "euc-cn", "x-gbk":
		return simplifiedchinese.GB18030
	case "utf-16", "utf16":
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	}
	e, err := htmlindex.Get(name)
	if err != nil {
		return nil
	}
	if e == unicode.UTF8 {
		return encoding.Nop
	}
	return e
}

// codepageEncoding maps a Windows code page number (RTF \ansicpg, \fcharset).
func codepageEncoding(cp int) encoding.Encoding {
	switch cp {
	case 950:
		return traditionalchinese.Big5
	case 936, 54936:
		return simplifiedchinese.GB18030
	case 65001:
		return encoding.Nop
	case 1250:
		return charmap.Windows1250
	case 1251:
		return charmap.Windows1251
	case 437:
		return charmap.CodePage437
	case 10000:
		return charmap.Macintosh
	}
	return charmap.Windows1252
}

func decodeWith(e encoding.Encoding, b []byte) string {
	if e == encoding.Nop {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	out, err := e.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// guessLegacy picks Big5, GB18030 or Windows-1252 for bytes that are not
// UTF-8. It decodes the sample both ways and scores each by how many decoded
// Han characters are common ones minus the invalid sequences: Traditional
// text read as GBK (and the reverse) yields rare or undecodable characters.
func guessLegacy(b []byte) encoding.Encoding {
	if len(b) > 64<<10 {
		b = b[:64<<10]
	}
	high := 0
	for _, c := range b {
		if c >= 0x80 {
			high++
		}
	}
	if high == 0 {
		return charmap.Windows1252
	}
	best, enc := scoreHan(traditionalchinese.Big5, b), encoding.Encoding(traditionalchinese.Big5)
	cands := []encoding.Encoding{simplifiedchinese.GB18030}
	if len(b)%2 == 0 {
		// BOM-less UTF-16 of pure CJK text has no NULs to give it away.
		cands = append(cands, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM))
	}
	for _, e := range cands {
		if s := scoreHan(e, b); s > best {
			best, enc = s, e
		}
	}
	if best <= 0 {
		return charmap.Windows1252
	}
	return enc
}

// utf16ByScore returns the UTF-16 byte order under which b reads as mostly
// common Chinese, or nil.
func utf16ByScore(b []byte) encoding.Encoding {
	if len(b) < 8 || len(b)%2 != 0 {
		return nil
	}
	if len(b) > 64<<10 {
		b = b[:64<<10]
	}
	runes := len(b) / 2
	var best encoding.Encoding
	bestScore := runes / 4 // at least a quarter point per character
	for _, e := range []encoding.Encoding{unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)} {
		if s := scoreHan(e, b); s > bestScore {
			best, bestScore = e, s
		}
	}
	return best
}

func scoreHan(e encoding.Encoding, b []byte) int {
	out, err := e.NewDecoder().Bytes(b)
	if err != nil {
		return -1 << 30
	}
	score := 0
	for _, r := range string(out) {
		switch {
		case r == utf8.RuneError:
			score -= 4
		case r >= 0x4e00 && r <= 0x9fff:
			if commonHanSet[r] {
				score += 2
			} else {
				score--
			}
		case r >= 0x3000 && r <= 0x303f, r >= 0xff00 && r <= 0xffef:
			score++ // CJK punctuation, full-width forms
		case r >= 0x80 && r < 0x3000, r >= 0xe000 && r <= 0xf8ff, r >= 0xa000 && r < 0xff00, r < 0x20 && r != '\n' && r != '\r' && r != '\t':
			score -= 2 // Latin/Yi/Hangul/private-use/control garbage from a wrong decode
		}
	}
	return score
}

// commonHanSet is commonHan as a lookup table (read-only after init).
var commonHanSet = func() map[rune]bool {
	m := make(map[rune]bool, len(commonHan)/3)
	for _, r := range commonHan {
		m[r] = true
	}
	return m
}()

// commonHan holds frequent characters in both Simplified and Traditional
// forms, plus vocabulary of the documents dlpgate cares about (identity,
// medical, financial).
const commonHan = "的一是不了人我在有他这這中大来來上国國个個到说說们們为為子和你地出道也时時年得就那要下以生会會自着著去之过過家学學对對可她里裡後后小么麼心多天而能好都然没沒日于於起还還发發成事只作当當想看文无無开開手十用主行方又如前所本见見经經头頭面公同三已老从從动動两兩长長知民样樣现現分将將外但身些与與高意进進把法此实實回二理美点點月明其种種声聲全工己话話儿兒者向情部正名定女问問力机機给給等几幾很业業最间間新什打便位因重被走电電四第门門相次东東政海口使教西再平真听聽世气氣信北少关關并內内加化由却卻代军軍产產入先山五太水万萬市眼体體别別处處总總才场場师師书書比住员員九笑性通目华華报報立马馬命张張活难難神数數件安表原车車白应應路期叫死常提感金何更反合放做系計计或司利受光王果亲親界及今京务務制解各任至清物台臺象记記边邊共风風战戰干幹接它许許八特觉覺望直服毛林题題建南度统統色字请請交爱愛让讓认認算论論百吃义義科怎元社术術结結六功指思非流每青管夫连連远遠资資队隊跟带帶花快条條院变變联聯言权權往展该該领領传傳近留红紅治决決周保达達办辦运運武半候七必城父强強步完革深区區即求品士转轉量空甚众眾技轻輕程告江语語英基派满滿式李息写寫呢识識极極令黄黃德收脸臉钱錢党黨倒未持取设設始版双雙历歷越史商千片容研像找友孩站广廣改议議形委早房音火际際则則首单單据據导導影失拿网網香似斯专專石若兵弟谁誰校读讀志飞飛观觀争爭究包组組造落视視济濟喜离離虽雖坏壞兴興切围圍叶葉群哪较較港身份证證号號码碼姓别性男女出生日期电話话地址住客户戶名单單员員工职職位部门門医醫院诊診断斷病历歷患者药藥物治疗療检檢查验驗血糖压壓心脏臟肝肾腎癌症状狀手术術护護理处處方财財务務报報表资資产產负負债債损損益收入支出利润潤现現金流量银銀行账賬帐帳户戶结結余餘额額年度季月份合计計总總营營业業成本费費用税稅股东權权益应應付收款借贷貸存款港币幣元人民币美金公司有限集团團董事会計审審核签簽署日期表格编編號号码碼备備注註请請联聯絡络系電郵邮郵件传傳真網址址区區街道大厦廈楼樓室座香港九龍龙新界澳门門台湾灣中國国广廣东東深圳上海北京嘅咗喺唔冇佢哋啲嘢乜嗰咁噉係嚟睇俾畀諗啱咪攞揾搵"

// utf16Label reports whether a declared charset names UTF-16 (or UCS-2).
func utf16Label(name string) bool {
	n := strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(name))
	return strings.Contains(n, "utf16") || strings.Contains(n, "ucs2")
}
