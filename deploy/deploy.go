// Package deploy holds the service definitions dlpgate ships: a hardened
// systemd system unit for egress boxes, a systemd user unit and a launchd
// agent for laptops. `dlpgate service print KIND` writes them out; on
// Windows `dlpgate service install` registers dlpgate with the service
// manager instead.
package deploy

import (
	"embed"
	"fmt"
	"sort"
)

//go:embed systemd/*.service launchd/*.plist
var files embed.FS

func paths() map[string]string {
	return map[string]string{
		"systemd":      "systemd/dlpgate.service",
		"systemd-user": "systemd/dlpgate-user.service",
		"launchd":      "launchd/hk.dlpgate.agent.plist",
	}
}

// Kinds lists the service definitions by name.
func Kinds() []string {
	var k []string
	for n := range paths() {
		k = append(k, n)
	}
	sort.Strings(k)
	return k
}

// File returns one service definition: systemd, systemd-user or launchd.
func File(kind string) ([]byte, error) {
	p, ok := paths()[kind]
	if !ok {
		return nil, fmt.Errorf("unknown service kind %q (want one of %v)", kind, Kinds())
	}
	return files.ReadFile(p)
}
