package classifiers

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Generators of test identifiers and people. Every number is generated
// with a valid check digit and belongs to no one.

var (
	enSurnames = []string{"Chan", "Wong", "Lee", "Cheung", "Lau", "Ng", "Ho", "Leung", "Tang", "Fung", "Chow", "Yip", "Mak", "Lam", "Tsang"}
	enGiven    = []string{"Tai Man", "Mei Ling", "Chi Keung", "Ka Yan", "Wing Sze", "Ka Ming", "Siu Wai", "Hoi Lam", "Kwok Wah", "Suk Yee", "Wai Yip"}
	zhtNames   = []string{"陳大文", "李美玲", "黃志強", "張嘉欣", "劉家豪", "林小慧", "吳國偉", "鄭詠詩", "梁子健", "何麗華", "區志明", "馮淑儀"}
	zhsNames   = []string{"王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强", "周杰", "吴芳", "孙涛", "马丽"}
	enStreets  = []string{"Nathan Road", "Kings Road", "Tai Po Road", "Queen's Road East", "Castle Peak Road", "Hennessy Road"}
	zhtStreets = []string{"彌敦道", "英皇道", "大埔道", "皇后大道東", "青山公路", "軒尼詩道"}
	zhsStreets = []string{"南京路", "深南大道", "中山路", "人民路", "解放路", "建设路"}
	freeMails  = []string{"gmail.com", "yahoo.com.hk", "hotmail.com", "qq.com", "163.com", "netvigator.com", "outlook.com"}
	regions    = []string{"110105", "310115", "440305", "440106", "330106", "510107", "420102", "320102", "370202", "500103"}
)

func pickOne[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func genENName(r *rand.Rand) string { return pickOne(r, enSurnames) + " " + pickOne(r, enGiven) }

// genHKMobile returns an 8-digit Hong Kong mobile number.
func genHKMobile(r *rand.Rand) string {
	return fmt.Sprintf("%c%07d", "5679"[r.IntN(4)], r.IntN(10000000))
}

// genCNMobile returns an 11-digit mainland mobile number.
func genCNMobile(r *rand.Rand) string {
	return fmt.Sprintf("1%c%09d", "3456789"[r.IntN(7)], r.IntN(1000000000))
}

// genPRC returns a valid 18-character resident ID number.
func genPRC(r *rand.Rand) string {
	body := fmt.Sprintf("%s%04d%02d%02d%03d", pickOne(r, regions), 1950+r.IntN(60), 1+r.IntN(12), 1+r.IntN(28), r.IntN(1000))
	return body + string(prcCheckChar([]byte(body)))
}

// genPRCWithX returns a valid resident ID whose check character is X.
func genPRCWithX(r *rand.Rand) string {
	for {
		if s := genPRC(r); s[17] == 'X' {
			return s
		}
	}
}

// genCard returns a Luhn-valid number with the prefix, of length n.
func genCard(r *rand.Rand, prefix string, n int) string {
	d := []byte(prefix)
	for len(d) < n-1 {
		d = append(d, byte('0'+r.IntN(10)))
	}
	for c := byte('0'); c <= '9'; c++ {
		if luhnValid(append(d, c)) {
			return string(append(d, c))
		}
	}
	panic("unreachable")
}

// group4 writes a number in groups of four with sep.
func group4(s, sep string) string {
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	return strings.Join(append(parts, s), sep)
}

func genBirthday(r *rand.Rand) string {
	return fmt.Sprintf("%04d-%02d-%02d", 1950+r.IntN(55), 1+r.IntN(12), 1+r.IntN(28))
}

// genCustomerRow is one CSV row of hugeCSV's header.
func genCustomerRow(r *rand.Rand, i int) string {
	name := genENName(r)
	return fmt.Sprintf("C%06d,%s,+852 %s,%s.%d@%s,\"Flat %dB, %d %s\",%s\n", i, name, genHKMobile(r),
		strings.ToLower(strings.ReplaceAll(name, " ", ".")), i, pickOne(r, freeMails), 1+r.IntN(40), 1+r.IntN(300), pickOne(r, enStreets), genBirthday(r))
}
