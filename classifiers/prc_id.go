package classifiers

// prc_id: mainland China resident identity card numbers (居民身份证号码,
// GB 11643-1999). 18 characters: a 6-digit administrative division code,
// the birth date YYYYMMDD, a 3-digit sequence and an ISO 7064 MOD 11-2
// check character (0-9 or X). The 15-digit form issued before 1999 (YYMMDD,
// no check character) counts only next to an ID keyword, at low confidence.

// PRCID is the mainland resident identity card classifier.
const PRCID = "prc_id"

// prcProvince reports whether the first two digits are a province-level
// code: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71 (Taiwan), 81/82 (Hong
// Kong and Macau residents' residence permits), 83 (Taiwan residents'
// permits) and 91 (foreigners' permanent residence cards, 2023 form).
func prcProvince(a, b byte) bool {
	p := int(a-'0')*10 + int(b-'0')
	switch {
	case p >= 11 && p <= 15, p >= 21 && p <= 23, p >= 31 && p <= 37, p >= 41 && p <= 46,
		p >= 50 && p <= 54, p >= 61 && p <= 65, p == 71, p >= 81 && p <= 83, p == 91:
		return true
	}
	return false
}

// validDate checks a Gregorian date with a year from 1900 to 2099.
func validDate(y, m, d int) bool {
	if y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

func num(d []byte) int {
	n := 0
	for _, c := range d {
		n = n*10 + int(c-'0')
	}
	return n
}

// prcShape: 17 digits (plus the check digit or X) with a province code and
// a birth date that exists and is not after 2099. key packs the number.
func prcShape(d []byte, x bool) (uint64, bool) {
	if !prcProvince(d[0], d[1]) || !validDate(num(d[6:10]), num(d[10:12]), num(d[12:14])) {
		return 0, false
	}
	k := digitsKey(d[:17]) * 11
	if x {
		k += 10
	} else {
		k += uint64(d[17] - '0')
	}
	return k, true
}

// prcCheckValid verifies the ISO 7064 MOD 11-2 check character.
func prcCheckValid(d []byte, x bool) bool {
	return (prcCheckChar(d[:17]) == 'X') == x && (x || prcCheckChar(d[:17]) == d[17])
}

// prcCheckChar computes the check character of 17 digits: weights 2^(17-i)
// mod 11, then "10X98765432" indexed by the sum mod 11.
func prcCheckChar(d []byte) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(d[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

// prc15Shape: province code and a birth date 19YYMMDD.
func prc15Shape(d []byte) (uint64, bool) {
	if !prcProvince(d[0], d[1]) || !validDate(1900+num(d[6:8]), num(d[8:10]), num(d[10:12])) {
		return 0, false
	}
	// Keys of 15-digit numbers are kept apart from 18-character ones.
	return 1<<63 | digitsKey(d), true
}

// maskPRC keeps the region code and the last four characters, as the
// issue's examples do: 110105********1234.
func maskPRC(raw string, m idMatch) string {
	if m.kind == idPRC15 {
		return maskDigits(raw, 6, 3)
	}
	return maskDigits(raw, 6, 4)
}

func newPRCClassifier(o options) (*idClassifier, error) {
	return newIDClassifier(o, "prc_id", clsPRCID, idSpec{
		name: PRCID,
		accept: func(m idMatch) (bool, Confidence, bool) {
			switch m.kind {
			case idPRC:
				return true, Medium, false
			case idPRC15:
				return true, None, true // low with its keyword
			}
			return false, None, false
		},
		bad:    func(m idMatch) bool { return m.kind == idPRCBad },
		mask:   maskPRC,
		signal: "mod11-2",
		extra: func(raw string, m idMatch) string {
			if m.kind == idPRC15 {
				return "legacy15"
			}
			return ""
		},
	})
}
