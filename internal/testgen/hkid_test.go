package testgen

import "testing"

func TestHKIDCheckKnownValues(t *testing.T) {
	cases := []struct {
		prefix, digits string
		want           byte
	}{
		{"A", "123456", '3'},
		{"G", "123456", 'A'},
		{"AB", "987654", '3'},
		{"K", "123456", '0'},
		{"WX", "123456", '9'},
	}
	for _, c := range cases {
		if got := HKIDCheck(c.prefix, c.digits); got != c.want {
			t.Errorf("HKIDCheck(%s, %s) = %c, want %c", c.prefix, c.digits, got, c.want)
		}
	}
}

func TestHKIDDistinctAndInvalidDiffers(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		v := HKID(i)
		if seen[v] {
			t.Fatalf("HKID(%d) repeats an earlier value", i)
		}
		seen[v] = true
		if InvalidHKID(i) == v {
			t.Fatalf("InvalidHKID(%d) equals the valid one", i)
		}
	}
}
