package testgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Generated people and personal identifiers: every number has a valid
// check digit and belongs to no one.

// PRCCheck computes the ISO 7064 MOD 11-2 check character of 17 digits.
func PRCCheck(d17 string) byte {
	w := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(d17[i]-'0') * w[i]
	}
	return "10X98765432"[sum%11]
}

// PRCID returns a valid 18-character mainland resident ID number.
func PRCID(r *rand.Rand) string {
	regions := []string{"110105", "310115", "440305", "440106", "330106", "510107"}
	d := fmt.Sprintf("%s%04d%02d%02d%03d", regions[r.IntN(len(regions))], 1950+r.IntN(55), 1+r.IntN(12), 1+r.IntN(28), r.IntN(1000))
	return d + string(PRCCheck(d))
}

// Card returns a Luhn-valid card number with prefix and n digits.
func Card(r *rand.Rand, prefix string, n int) string {
	d := []byte(prefix)
	for len(d) < n-1 {
		d = append(d, byte('0'+r.IntN(10)))
	}
	for c := byte('0'); c <= '9'; c++ {
		if luhn(append(d, c)) {
			return string(append(d, c))
		}
	}
	panic("unreachable")
}

func luhn(d []byte) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-1-i)%2 == 1 {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

// HKMobile returns an 8-digit Hong Kong mobile number.
func HKMobile(r *rand.Rand) string { return fmt.Sprintf("%c%07d", "5679"[r.IntN(4)], r.IntN(10000000)) }

// CNMobile returns an 11-digit mainland mobile number.
func CNMobile(r *rand.Rand) string {
	return fmt.Sprintf("1%c%09d", "3456789"[r.IntN(7)], r.IntN(1000000000))
}

// Name returns a person's name in English ("en"), Traditional ("tc") or
// Simplified ("sc") Chinese.
func Name(r *rand.Rand, script string) string {
	switch script {
	case "tc":
		return pick(r, "陳大文", "李美玲", "黃志強", "張嘉欣", "劉家豪", "林小慧", "吳國偉", "鄭詠詩", "區志明", "馮淑儀")
	case "sc":
		return pick(r, "王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强", "周杰", "吴芳")
	}
	return pick(r, "Chan", "Wong", "Lee", "Cheung", "Lau", "Ng", "Ho", "Leung") + " " + pick(r, "Tai Man", "Mei Ling", "Chi Keung", "Ka Yan", "Wing Sze", "Hoi Lam")
}

// Address returns a home address in the script.
func Address(r *rand.Rand, script string) string {
	switch script {
	case "tc":
		return fmt.Sprintf("九龍%s%d號%d樓%c室", pick(r, "彌敦道", "太子道西", "亞皆老街"), 1+r.IntN(300), 1+r.IntN(40), 'A'+r.IntN(8))
	case "sc":
		return fmt.Sprintf("广州市天河区%s%d号%d室", pick(r, "中山大道", "天河路", "黄埔大道"), 1+r.IntN(300), 101+r.IntN(30))
	}
	return fmt.Sprintf("Flat %d%c, %d %s", 1+r.IntN(40), 'A'+r.IntN(8), 1+r.IntN(300), pick(r, "Nathan Road, Kowloon", "Kings Road, North Point", "Castle Peak Road, Tuen Mun"))
}

// Email returns a personal mailbox address.
func Email(r *rand.Rand, i int) string {
	return fmt.Sprintf("%s%d@%s", pick(r, "amy", "kk", "ming", "chan", "wong"), i, pick(r, "gmail.com", "yahoo.com.hk", "qq.com", "163.com", "netvigator.com"))
}

// Birthday returns a YYYY-MM-DD date of birth.
func Birthday(r *rand.Rand) string {
	return fmt.Sprintf("%04d-%02d-%02d", 1950+r.IntN(55), 1+r.IntN(12), 1+r.IntN(28))
}

func pick(r *rand.Rand, xs ...string) string { return xs[r.IntN(len(xs))] }

// PseudoWords returns n neutral pseudo-words (consonant-vowel syllables,
// no classifier dictionary term) for filler text in generated documents.
func PseudoWords(r *rand.Rand, n int) []string {
	const cons, vows = "bcdfghjklmnprstvwz", "aeiou"
	out := make([]string, n)
	for i := range out {
		var w strings.Builder
		for range 2 + r.IntN(3) {
			w.WriteByte(cons[r.IntN(len(cons))])
			w.WriteByte(vows[r.IntN(len(vows))])
		}
		out[i] = w.String()
	}
	return out
}
