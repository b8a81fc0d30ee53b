package classifiers

// phone: Hong Kong numbers (8 digits starting 2, 3, 5, 6, 7, 8 or 9, with or
// without +852) and mainland mobiles (1[3-9] and nine digits, with or without
// +86). Every e-mail signature has one, so the default policy has no rule
// for phone alone: customer_database reads these matches.

// Phone is the telephone-number classifier.
const Phone = "phone"

// judgePhone reads a clean digit run as a phone number.
func judgePhone(g *numGroups, m idMatch, intl bool) (idMatch, bool) {
	d := g.digits[:g.n]
	// Strip a country code written as digits: +852 / +86, or 86 before a
	// mainland mobile written unbroken (8613800138000).
	switch {
	case intl && g.n == 11 && string(d[:3]) == "852" && (g.ng == 1 || g.glen[0] == 3):
		return hkPhone(d[3:], m, true)
	case intl && g.n == 13 && string(d[:2]) == "86" && (g.ng == 1 || g.glen[0] == 2):
		return cnMobile(d[2:], g, m, true)
	case !intl && g.n == 13 && g.ng == 1 && string(d[:2]) == "86":
		return cnMobile(d[2:], g, m, true)
	case intl:
		return m, false
	case g.n == 8 && (g.ng == 1 || g.ng == 2 && g.glen[0] == 4):
		if g.ng == 1 && looksLikeDate(d) {
			return m, false
		}
		return hkPhone(d, m, false)
	case g.n == 11:
		return cnMobile(d, g, m, false)
	}
	return m, false
}

// looksLikeDate: 8 digits that read as YYYYMMDD from 1900 to 2099.
func looksLikeDate(d []byte) bool {
	// validDate takes years 1900-2099 only: most numbers fail on the
	// first two digits.
	if !(d[0] == '1' && d[1] == '9' || d[0] == '2' && d[1] == '0') {
		return false
	}
	return validDate(num(d[:4]), num(d[4:6]), num(d[6:8]))
}

func hkPhone(d []byte, m idMatch, intl bool) (idMatch, bool) {
	switch d[0] {
	case '2', '3':
	case '5', '6', '7', '8', '9':
		m.flags |= idMobile
	default:
		return m, false
	}
	if intl {
		m.flags |= idIntl
	}
	m.kind = idPhoneHK
	m.key = 852<<40 | digitsKey(d)
	return m, true
}

// cnMobile accepts 11 digits 1[3-9]xxxxxxxxx written unbroken, 3-4-4 or
// 3-8; with a country code (intl) the first group is the code, or the code
// is written unbroken with the number.
func cnMobile(d []byte, g *numGroups, m idMatch, intl bool) (idMatch, bool) {
	if d[0] != '1' || d[1] < '3' || d[1] > '9' {
		return m, false
	}
	rest := g.glen[:g.ng]
	if intl {
		if g.ng == 1 {
			rest = nil // +8613800138000
		} else {
			rest = rest[1:]
		}
	}
	switch {
	case rest == nil:
	case len(rest) == 1 && rest[0] == 11:
	case len(rest) == 3 && rest[0] == 3 && rest[1] == 4 && rest[2] == 4:
	case len(rest) == 2 && rest[0] == 3 && rest[1] == 8:
	default:
		return m, false
	}
	m.kind = idPhoneCN
	m.flags |= idMobile
	if intl {
		m.flags |= idIntl
	}
	m.key = 86<<40 | digitsKey(d)
	return m, true
}

// maskPhone: 1380****000 for mainland mobiles, 91****67 for Hong Kong
// numbers; a country code stays as written.
func maskPhone(raw string, m idMatch) string {
	prefix := 0
	if m.flags&idIntl != 0 {
		if m.kind == idPhoneHK {
			prefix = 3
		} else {
			prefix = 2
		}
	}
	if m.kind == idPhoneCN {
		return maskDigits(raw, prefix+4, 3)
	}
	return maskDigits(raw, prefix+2, 2)
}

func newPhoneClassifier(o options) (*idClassifier, error) {
	return newIDClassifier(o, "phone", clsPhone, idSpec{
		name: Phone,
		accept: func(m idMatch) (bool, Confidence, bool) {
			if m.kind != idPhoneHK && m.kind != idPhoneCN {
				return false, None, false
			}
			if m.flags&(idIntl|idGrouped) != 0 || m.kind == idPhoneCN {
				return true, Medium, false
			}
			return true, Low, false
		},
		mask: maskPhone,
		extra: func(raw string, m idMatch) string {
			if m.kind == idPhoneCN {
				return "mainland_mobile"
			}
			if m.flags&idMobile != 0 {
				return "hk_mobile"
			}
			return "hk_fixed"
		},
	})
}
