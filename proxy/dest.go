package proxy

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/elazarl/goproxy"
	"golang.org/x/net/http/httpproxy"

	"github.com/dlpgate/dlpgate/rules"
)

// Answer codes of the destination guard (see respond.go for the others).
const (
	codeDestRefused = 403005 // destination address refused (loopback, private, self)
	codeTimeout     = 408001 // client too slow
)

var (
	cgnat    = netip.MustParsePrefix("100.64.0.0/10")
	thisNet  = netip.MustParsePrefix("0.0.0.0/8")
	nat64    = netip.MustParsePrefix("64:ff9b::/96")
	resolveT = 5 * time.Second
)

// refusedAddr says why dlpgate must not connect to ip:port ("" = allowed):
// an allowed client must not reach services bound to the proxy host's
// loopback, the link-local metadata services of a cloud host, internal
// networks, or the proxy itself (a CONNECT loop).
func (s *Server) refusedAddr(ip netip.Addr, port int) string {
	ip = ip.Unmap()
	if nat64.Contains(ip) {
		// 64:ff9b::7f00:1 is 127.0.0.1 through a NAT64 gateway.
		b := ip.As16()
		if r := s.refusedAddr(netip.AddrFrom4([4]byte(b[12:])), port); r != "" {
			return r + " (NAT64)"
		}
	}
	if s.isSelfIP(ip, port) {
		return "dlpgate's own listening address"
	}
	for _, p := range s.opts.AllowPrivate {
		if p.Contains(ip) {
			return ""
		}
	}
	switch {
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsUnspecified() || thisNet.Contains(ip):
		return "an unspecified address"
	case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
		return "a link-local address"
	case ip.IsMulticast():
		return "a multicast address"
	case ip.IsPrivate() || cgnat.Contains(ip):
		return "a private address (list its network in [proxy] allow_private to allow it)"
	case !ip.IsGlobalUnicast():
		return "not a unicast address"
	}
	return ""
}

// destRefused is a destination the guard refuses.
type destRefused struct {
	host   string // as the client named it
	addr   string // the address it resolved to
	reason string
}

func (e *destRefused) Error() string {
	if e.addr == "" || e.addr == e.host {
		return fmt.Sprintf("destination %s is %s", e.host, e.reason)
	}
	return fmt.Sprintf("destination %s resolves to %s, %s", e.host, e.addr, e.reason)
}

// checkDestination resolves hostport (default port def) and refuses it when
// any of its addresses is refused. A name that does not resolve here is left
// to the dial (which checks the address it connects to) or the parent proxy.
func (s *Server) checkDestination(ctx context.Context, hostport, def string) *destRefused {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, def
	}
	host = normalizeHost(host)
	p, err := strconv.Atoi(port)
	if err != nil {
		p = 0
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		addrs = []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}
	} else if host != "" {
		rctx, cancel := context.WithTimeout(ctx, resolveT)
		defer cancel()
		if s.opts.LookupNetIP != nil {
			addrs, _ = s.opts.LookupNetIP(rctx, host)
		} else {
			addrs, _ = net.DefaultResolver.LookupNetIP(rctx, "ip", host)
		}
	}
	for _, a := range addrs {
		if r := s.refusedAddr(a, p); r != "" {
			return &destRefused{host: host, addr: a.Unmap().String(), reason: r}
		}
	}
	return nil
}

// refuseDestination audits a refused destination and builds the 403.
func (s *Server) refuseDestination(info *connInfo, req *http.Request, why *destRefused, channel string) *http.Response {
	now := time.Now()
	rq := rules.Request{Host: info.host, Endpoint: info.endpoint, Time: now}
	dec := rules.Decision{Action: rules.Block, Rule: "destination", Reason: why.Error()}
	ev := s.newEvent(info, req, rq, dec, channel)
	maskUninspected(ev, req)
	s.log.Warn("destination refused", "host", why.host, "addr", why.addr, "reason", why.reason,
		"client", info.client.String(), "user", info.user, "event", ev.ID)
	s.logDecision(ev, 0)
	s.record(req.Context(), ev)
	resp := s.errorResponse(req, http.StatusForbidden, codeDestRefused,
		fmt.Sprintf("blocked by dlpgate: %s; dlpgate does not connect there; event %s", why.Error(), ev.ID))
	resp.Close = true
	return resp
}

// refuseConnect answers a CONNECT whose destination is refused.
func (s *Server) refuseConnect(info *connInfo, ctx *goproxy.ProxyCtx, why *destRefused) *goproxy.ConnectAction {
	ctx.Resp = s.refuseDestination(info, ctx.Req, why, "connect")
	return &goproxy.ConnectAction{Action: goproxy.ConnectReject}
}

// isSelfIP reports whether ip:port is one of this proxy's listeners.
func (s *Server) isSelfIP(ip netip.Addr, port int) bool {
	ip = ip.Unmap()
	s.mu.Lock()
	self := append([]netip.AddrPort(nil), s.selfAddrs...)
	s.mu.Unlock()
	for _, a := range self {
		if int(a.Port()) != port {
			continue
		}
		sa := a.Addr().Unmap()
		if ip == sa || ip.IsLoopback() && (sa.IsLoopback() || sa.IsUnspecified()) {
			return true
		}
		if sa.IsUnspecified() && (ip.IsUnspecified() || isLocalAddr(ip)) {
			return true
		}
	}
	return false
}

// upstreamProxyAddrs lists the host:port of the configured (or
// environment) parent proxies: always allowed, even when private.
func upstreamProxyAddrs(fixed *url.URL) []string {
	var urls []string
	if fixed != nil {
		urls = append(urls, fixed.String())
	} else {
		env := httpproxy.FromEnvironment()
		urls = append(urls, env.HTTPProxy, env.HTTPSProxy)
	}
	var out []string
	for _, raw := range urls {
		if raw == "" {
			continue
		}
		if !strings.Contains(raw, "://") {
			raw = "http://" + raw
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			continue
		}
		port := u.Port()
		if port == "" {
			port = "80"
			if u.Scheme == "https" {
				port = "443"
			}
		}
		out = append(out, net.JoinHostPort(strings.ToLower(u.Hostname()), port))
	}
	return out
}

// dialControl checks the address a direct dial really connects to (after
// DNS): a name that resolved to a public address for checkDestination and
// to 127.0.0.1 a moment later (DNS rebinding) is refused here.
func (s *Server) dialControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return nil
	}
	if r := s.refusedAddr(ap.Addr(), int(ap.Port())); r != "" {
		return &destRefused{host: ap.Addr().Unmap().String(), reason: r}
	}
	return nil
}
