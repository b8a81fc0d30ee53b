package proxy

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// serveLocal answers direct requests to the proxy's own address (and
// requests through it for http://dlpgate.local/): the onboarding page, the
// PAC file for browsers and the CA certificate for endpoint installs.
func (s *Server) serveLocal(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "dlpgate: method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case "/proxy.pac", "/wpad.dat":
		addr := r.Host // the address the client reached us at
		if addr == "" {
			addr = s.Addr()
		}
		body := s.pac(addr)
		w.Header().Set("Content-Type", "application/x-ns-proxy-autoconfig")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set("Cache-Control", "max-age=300")
		w.Write([]byte(body))
	case "/", "/index.html":
		s.serveOnboarding(w, r)
	default:
		if !s.serveCADownload(w, r) {
			http.Error(w, "dlpgate: this is a proxy; direct requests serve / (set-up page), /proxy.pac, /ca.pem, /ca.crt and /dlpgate.mobileconfig", http.StatusNotFound)
		}
	}
}

// pac renders a PAC file that sends the in-scope hosts through the proxy
// at addr and everything else DIRECT.
func (s *Server) pac(addr string) string {
	var b strings.Builder
	b.WriteString("// dlpgate proxy auto-configuration: in-scope hosts via the proxy, the rest direct.\n")
	b.WriteString("function FindProxyForURL(url, host) {\n")
	proxy := fmt.Sprintf("PROXY %s", addr)
	if len(s.opts.PACProxies) > 0 {
		// Several instances: the browser tries each in turn (never DIRECT).
		var list []string
		for _, p := range s.opts.PACProxies {
			if p = strings.TrimSpace(p); p != "" && !strings.ContainsAny(p, "\"\\\n; ") {
				list = append(list, "PROXY "+p)
			}
		}
		if len(list) > 0 {
			proxy = strings.Join(list, "; ")
		}
	}
	if s.opts.PACHosts == nil {
		fmt.Fprintf(&b, "  return %q;\n}\n", proxy)
		return b.String()
	}
	b.WriteString("  host = host.toLowerCase();\n")
	for _, h := range s.opts.PACHosts() {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" || strings.ContainsAny(h, "\"\\\n") {
			continue
		}
		fmt.Fprintf(&b, "  if (shExpMatch(host, %q)) return %q;\n", h, proxy)
	}
	b.WriteString("  return \"DIRECT\";\n}\n")
	return b.String()
}
