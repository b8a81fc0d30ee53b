package classifiers

// payment_card: card numbers (PAN) of 13-19 digits, written unbroken or in
// groups of four (Amex 4-6-5, Diners 4-6-4), with a known issuer range and
// a valid Luhn check digit. A number that continues a longer digit run or
// token (order ids, tracking codes) is never read: the shared scanner skips
// the whole run (numbers.go).

// PaymentCard is the card-number classifier.
const PaymentCard = "payment_card"

// cardGrouping: unbroken, groups of four (the last may be shorter), or the
// 4-6-5 / 4-6-4 layouts of 15- and 14-digit cards.
func cardGrouping(g *numGroups) bool {
	if g.ng == 1 {
		return true
	}
	if g.ng == 3 && g.glen[0] == 4 && g.glen[1] == 6 && (g.glen[2] == 5 || g.glen[2] == 4) {
		return true
	}
	for k := 0; k < g.ng-1; k++ {
		if g.glen[k] != 4 {
			return false
		}
	}
	return g.glen[g.ng-1] >= 1 && g.glen[g.ng-1] <= 4
}

// cardBrand names the issuer range of a number of this length, or "".
// Ranges from the networks' published IIN tables (ISO/IEC 7812).
func cardBrand(d []byte) string {
	n := len(d)
	p2 := num(d[:2])
	p3 := num(d[:3])
	p4 := num(d[:4])
	switch {
	case d[0] == '4' && (n == 13 || n == 16 || n == 19):
		return "visa"
	case (p2 >= 51 && p2 <= 55 || p4 >= 2221 && p4 <= 2720) && n == 16:
		return "mastercard"
	case (p2 == 34 || p2 == 37) && n == 15:
		return "amex"
	case (p2 == 62 || p4 >= 8100 && p4 <= 8171) && n >= 16 && n <= 19:
		return "unionpay"
	case p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19:
		return "jcb"
	case (p4 == 6011 || p3 >= 644 && p3 <= 649 || p2 == 65) && n >= 16 && n <= 19:
		return "discover"
	case (p3 >= 300 && p3 <= 305 || p2 == 36 || p2 == 38 || p2 == 39) && n >= 14 && n <= 19:
		return "diners"
	case (p4 == 5018 || p4 == 5020 || p4 == 5038 || p4 == 5893 || p4 == 6304 || p4 == 6759 || p4 >= 6761 && p4 <= 6763) && n >= 13:
		return "maestro"
	}
	return ""
}

// luhnValid checks the Luhn (mod 10) check digit.
func luhnValid(d []byte) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-1-i)%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

// maskCard keeps the first and last four digits: 4111 **** **** 1111.
func maskCard(raw string, m idMatch) string {
	var d []byte
	for i := 0; i < len(raw); i++ {
		if isDigit(raw[i]) {
			d = append(d, raw[i])
		}
	}
	if len(d) < 8 {
		return "****"
	}
	return string(d[:4]) + " **** **** " + string(d[len(d)-4:])
}

func newPaymentCardClassifier(o options) (*idClassifier, error) {
	return newIDClassifier(o, "payment_card", clsPaymentCard, idSpec{
		name: PaymentCard,
		accept: func(m idMatch) (bool, Confidence, bool) {
			if m.kind != idCard {
				return false, None, false
			}
			if m.flags&idGrouped != 0 {
				return true, Medium, false
			}
			return true, Low, false
		},
		bad:       func(m idMatch) bool { return m.kind == idCardBad },
		mask:      maskCard,
		signal:    "luhn",
		codeWords: true,
		extra: func(raw string, m idMatch) string {
			var d []byte
			for i := 0; i < len(raw); i++ {
				if isDigit(raw[i]) {
					d = append(d, raw[i])
				}
			}
			if b := cardBrand(d); b != "" {
				return "iin:" + b
			}
			return ""
		},
	})
}
