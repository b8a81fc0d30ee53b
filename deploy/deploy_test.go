package deploy

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemdUnitsVerify runs systemd-analyze verify on both units, with
// ExecStart pointed at a binary that exists here.
func TestSystemdUnitsVerify(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("SKIPPED LOUDLY: systemd-analyze is not installed; the units were not verified")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"systemd", "systemd-user"} {
		b, err := File(kind)
		if err != nil {
			t.Fatal(err)
		}
		unit := string(b)
		unit = strings.ReplaceAll(unit, "/usr/local/bin/dlpgate", exe)
		unit = strings.ReplaceAll(unit, "%h/.local/bin/dlpgate", exe)
		dir := t.TempDir()
		p := filepath.Join(dir, "dlpgate.service")
		if err := os.WriteFile(p, []byte(unit), 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"verify", p}
		if kind == "systemd-user" {
			args = []string{"--user", "verify", p}
		}
		out, err := exec.Command(sa, args...).CombinedOutput()
		// verify prints problems of unrelated system units too; only lines
		// naming our unit count.
		var ours []string
		for _, l := range strings.Split(string(out), "\n") {
			if strings.Contains(l, "dlpgate.service") {
				ours = append(ours, l)
			}
		}
		if len(ours) > 0 || (err != nil && len(out) == 0) {
			t.Errorf("%s: systemd-analyze verify: %v\n%s", kind, err, strings.Join(ours, "\n"))
		}
	}
}

// TestSystemUnitIsHardened: the properties the issue asks of the system unit.
func TestSystemUnitIsHardened(t *testing.T) {
	b, _ := File("systemd")
	for _, want := range []string{"DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=dlpgate", "NoNewPrivileges=yes",
		"ExecReload=/bin/kill -HUP $MAINPID"} {
		if !bytes.Contains(b, []byte("\n"+want)) {
			t.Errorf("system unit lacks %q", want)
		}
	}
}

func TestLaunchdPlistIsXML(t *testing.T) {
	b, err := File("launchd")
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("plist: %v", err)
		}
	}
	if !bytes.Contains(b, []byte("<string>hk.dlpgate.agent</string>")) {
		t.Error("plist has no label")
	}
	if _, err := File("nope"); err == nil {
		t.Error("unknown kind accepted")
	}
}
