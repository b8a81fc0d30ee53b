package config

import (
	"strings"
	"testing"
)

func TestFrontEndValidation(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"[icap]\nlisten = \"0.0.0.0:1344\"\n", `2:10: listening on "0.0.0.0:1344" (not loopback) needs icap.allow_clients`},
		{"[icap]\nlisten = \"nope\"\n", `2:10: bad listen address "nope"`},
		{"[icap]\nlisten = \"127.0.0.1:1344\"\nallow_clients = [\"10.0.0.300/32\"]\n", "3:"},
		{"[icap]\npreview = -1\n", "2:11: preview must be between"},
		{"[admin]\nlisten = \"0.0.0.0:9180\"\n", `2:10: listening on "0.0.0.0:9180" (not loopback) exposes metrics`},
	} {
		_, err := LoadText("f.toml", tt.text)
		if err == nil || !strings.Contains(err.Error(), "f.toml:"+tt.want) {
			t.Errorf("%q: got %v, want f.toml:%s", tt.text, err, tt.want)
		}
	}
	c, err := LoadText("f.toml", "[icap]\nlisten = \"10.0.0.1:1344\"\nallow_clients = [\"10.0.0.2/32\"]\n[admin]\nlisten = \"10.0.0.1:9180\"\nallow_remote = true\n")
	if err != nil || c.ICAP.Listen != "10.0.0.1:1344" || c.ICAP.Service != "/reqmod" || c.Admin.Listen != "10.0.0.1:9180" {
		t.Errorf("valid front ends: %v %+v %+v", err, c.ICAP, c.Admin)
	}
}
