// Package testgen makes test data in code: HKID numbers with valid (or
// deliberately wrong) check digits, so that no real identity number is ever
// committed and fixtures need not be checked in.
package testgen

import (
	"fmt"
	"strings"
)

// HKIDCheck returns the check character for prefix (1 or 2 upper-case
// letters) and 6 digits, per the Immigration Department scheme.
func HKIDCheck(prefix, digits string) byte {
	body := prefix + digits
	if len(prefix) == 1 {
		body = " " + body
	}
	sum := 0
	for i := 0; i < 8; i++ {
		c := body[i]
		v := 0
		switch {
		case c == ' ':
			v = 36
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			v = int(c - '0')
		}
		sum += v * (9 - i)
	}
	check := (11 - sum%11) % 11
	if check == 10 {
		return 'A'
	}
	return byte('0' + check)
}

// HKID returns the n-th valid HKID in the form "A123456(3)"; distinct n give
// distinct numbers. Prefixes cycle through issued single letters.
func HKID(n int) string {
	const letters = "ABCDEGHKMPRVYZ"
	prefix := string(letters[n%len(letters)])
	digits := fmt.Sprintf("%06d", (n*7919+104729)%1000000)
	return fmt.Sprintf("%s%s(%c)", prefix, digits, HKIDCheck(prefix, digits))
}

// InvalidHKID returns an HKID-shaped string whose check digit is wrong.
func InvalidHKID(n int) string {
	v := HKID(n)
	good := v[len(v)-2]
	bad := byte('0')
	if good == '0' {
		bad = '1'
	}
	return v[:len(v)-2] + string(bad) + ")"
}

// HKIDList returns n distinct valid HKIDs joined as lines of a customer list.
func HKIDList(n int) string {
	var b strings.Builder
	b.WriteString("Name,HKID,Phone\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Customer %d,%s,9%07d\n", i, HKID(i), i)
	}
	return b.String()
}
