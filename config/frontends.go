package config

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/dlpgate/dlpgate/rules"
)

// validateFrontEnds checks [icap] and [admin].
func (c *Config) validateFrontEnds() []*rules.FieldError {
	var errs []*rules.FieldError
	bad := func(path, format string, args ...any) {
		errs = append(errs, &rules.FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if l := c.ICAP.Listen; l != "" {
		if lb, err := loopbackAddr(l); err != nil {
			bad("icap.listen", "bad listen address %q (want host:port, e.g. 127.0.0.1:1344)", l)
		} else if !lb && len(c.ICAP.AllowClients) == 0 {
			bad("icap.listen", "listening on %q (not loopback) needs icap.allow_clients: the proxies allowed to send requests (their attribution headers are trusted)", l)
		}
	}
	for i, cl := range c.ICAP.AllowClients {
		if _, err := parseCIDR(cl); err != nil {
			bad(fmt.Sprintf("icap.allow_clients[%d]", i), "%v", err)
		}
	}
	if c.ICAP.Preview < 0 || c.ICAP.Preview > 1<<20 {
		bad("icap.preview", "preview must be between 0 and 1048576 bytes")
	}
	if c.ICAP.MaxConnections < 0 {
		bad("icap.max_connections", "must not be negative")
	}
	if l := c.Admin.Listen; l != "" {
		if lb, err := loopbackAddr(l); err != nil {
			bad("admin.listen", "bad listen address %q (want host:port, e.g. 127.0.0.1:9180)", l)
		} else if !lb && !c.Admin.AllowRemote {
			bad("admin.listen", "listening on %q (not loopback) exposes metrics: set admin.allow_remote = true for a management network", l)
		}
	}
	return errs
}

func loopbackAddr(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, err
	}
	if host == "localhost" {
		return true, nil
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false, nil
	}
	return a.IsLoopback(), nil
}
