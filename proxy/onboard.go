package proxy

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// OnboardingHost is the magic host name that, requested through the proxy
// (http://dlpgate.local/), shows the onboarding page, as mitmproxy's
// mitm.it does. It is never resolved or forwarded.
const OnboardingHost = "dlpgate.local"

// isOnboarding reports whether a proxy request names the onboarding host.
func isOnboarding(r *http.Request) bool {
	return r.Method != http.MethodConnect && r.URL.IsAbs() && normalizeHost(r.URL.Host) == OnboardingHost
}

// onboardData fills the onboarding page.
type onboardData struct {
	Proxy       string // address the client reached the proxy at
	Hosts       []string
	Fingerprint string
	Contact     string
}

// serveOnboarding answers GET / (and http://dlpgate.local/): what dlpgate
// is, what it inspects, and how to trust its CA on each OS and client.
func (s *Server) serveOnboarding(w http.ResponseWriter, r *http.Request) {
	d := onboardData{Proxy: s.proxyAddrFor(r), Fingerprint: fingerprintColons(s.opts.CA.Cert.Raw), Contact: s.opts.Contact}
	if s.opts.PACHosts != nil {
		d.Hosts = s.opts.PACHosts()
	}
	var b bytes.Buffer
	if err := onboardPage.Execute(&b, d); err != nil {
		s.log.Error("onboarding page", "err", err.Error())
		http.Error(w, "dlpgate: onboarding page failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	w.Write(b.Bytes())
}

// proxyAddrFor is the host:port to show in PAC and proxy settings: the
// address the client reached us at, unless it asked for the magic host.
func (s *Server) proxyAddrFor(r *http.Request) string {
	addr := r.Host
	if addr == "" || normalizeHost(addr) == OnboardingHost {
		if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			addr = la.String()
		} else {
			addr = s.Addr()
		}
	}
	return addr
}

// serveCADownload serves the CA in the form a platform installs, or
// reports false for a path that is not a download.
func (s *Server) serveCADownload(w http.ResponseWriter, r *http.Request) bool {
	var body []byte
	var ctype, name string
	switch r.URL.Path {
	case "/ca.pem":
		body, ctype, name = s.opts.CA.CertPEM, "application/x-pem-file", "dlpgate-ca.pem"
	case "/ca.crt", "/ca.cer", "/ca.der":
		// DER: Windows, Android and Java install .crt/.cer files.
		body, ctype, name = s.opts.CA.Cert.Raw, "application/x-x509-ca-cert", "dlpgate-ca.crt"
	case "/dlpgate.mobileconfig":
		body, ctype, name = mobileconfig(s.opts.CA.Cert.Raw), "application/x-apple-aspen-config", "dlpgate.mobileconfig"
	default:
		return false
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
	return true
}

// fingerprintColons is the SHA-256 of der as AB:CD:..., the form the
// certificate viewers of every OS show.
func fingerprintColons(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, c := range sum {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}

// mobileconfig is an (unsigned) Apple configuration profile with one root
// certificate payload. Its UUIDs derive from the certificate, so the same
// CA always gives the same profile and a reinstall replaces it.
func mobileconfig(der []byte) []byte {
	sum := sha256.Sum256(der)
	uuid := func(b []byte) string {
		return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	}
	certUUID, profUUID := uuid(sum[0:16]), uuid(sum[16:32])
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>PayloadContent</key>
	<array>
		<dict>
			<key>PayloadCertificateFileName</key>
			<string>dlpgate-ca.cer</string>
			<key>PayloadContent</key>
			<data>%s</data>
			<key>PayloadDescription</key>
			<string>Adds the dlpgate CA, which inspects uploads to DingTalk for the company's data-loss-prevention policy.</string>
			<key>PayloadDisplayName</key>
			<string>dlpgate CA</string>
			<key>PayloadIdentifier</key>
			<string>com.apple.security.root.%s</string>
			<key>PayloadType</key>
			<string>com.apple.security.root</string>
			<key>PayloadUUID</key>
			<string>%s</string>
			<key>PayloadVersion</key>
			<integer>1</integer>
		</dict>
	</array>
	<key>PayloadDescription</key>
	<string>Trust the dlpgate CA for DingTalk inspection.</string>
	<key>PayloadDisplayName</key>
	<string>dlpgate CA</string>
	<key>PayloadIdentifier</key>
	<string>local.dlpgate.ca.%s</string>
	<key>PayloadRemovalDisallowed</key>
	<false/>
	<key>PayloadType</key>
	<string>Configuration</string>
	<key>PayloadUUID</key>
	<string>%s</string>
	<key>PayloadVersion</key>
	<integer>1</integer>
</dict>
</plist>
`, base64.StdEncoding.EncodeToString(der), certUUID, certUUID, profUUID, profUUID)
	return b.Bytes()
}

var onboardPage = template.Must(template.New("onboard").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dlpgate — set up this device</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans CJK TC","WenQuanYi Zen Hei",sans-serif;margin:0;color:#1d2330;background:#f5f7fa}
header{background:#1f4e79;color:#fff;padding:22px 32px}
header h1{margin:0;font-size:26px}header p{margin:4px 0 0;opacity:.9}
main{max-width:980px;margin:0 auto;padding:8px 32px 40px}
section{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:14px 20px;margin:16px 0}
h2{font-size:18px;margin:4px 0 10px;color:#1f4e79}
code,pre{font:13px/1.45 ui-monospace,"DejaVu Sans Mono",monospace;background:#eef2f6;border-radius:4px}
code{padding:1px 4px}pre{padding:8px 10px;overflow-x:auto;white-space:pre-wrap}
.dl a{display:inline-block;margin:4px 10px 4px 0;padding:9px 16px;border-radius:6px;background:#2e7d32;color:#fff;text-decoration:none;font-weight:600}
.dl a.alt{background:#1565c0}.dl a.apple{background:#424242}
.fp{word-break:break-all}
ul.hosts{columns:2;margin:0}
table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;padding:6px 8px;border-top:1px solid #e5e9ee}
th{width:190px;color:#37474f}
</style></head><body>
<header><h1>dlpgate</h1><p>Data-loss prevention for DingTalk on this network</p></header>
<main>
<section id="what"><h2>What this is</h2>
<p>Uploads and messages to DingTalk leave Hong Kong for servers in mainland China. dlpgate reads them on their way out
and stops what the company's acceptable-use policy forbids: financial statements, customer databases, HKID numbers and
medical records. It decrypts <strong>only</strong> the DingTalk hosts below; every other site is passed through untouched, unread.</p>
{{if .Contact}}<p>Questions: {{.Contact}}</p>{{end}}
</section>
<section id="download" class="dl"><h2>1. Download the dlpgate CA certificate</h2>
<a id="dl-pem" href="/ca.pem">ca.pem (PEM: Linux, macOS, Firefox, Node, Python)</a>
<a id="dl-crt" class="alt" href="/ca.crt">ca.crt (DER: Windows, Android, Java)</a>
<a id="dl-mobileconfig" class="apple" href="/dlpgate.mobileconfig">dlpgate.mobileconfig (iPhone, iPad, Mac)</a>
<p>Check the SHA-256 fingerprint before you trust it:<br><code class="fp">{{.Fingerprint}}</code></p>
</section>
<section id="trust"><h2>2. Trust it</h2>
<table>
<tr><th>Windows</th><td>Double-click <code>ca.crt</code> → Install Certificate → Local Machine → <em>Trusted Root Certification Authorities</em>, or in an admin PowerShell:
<pre>Import-Certificate -FilePath ca.crt -CertStoreLocation Cert:\LocalMachine\Root</pre>
For a fleet: Group Policy → Computer Configuration → Windows Settings → Security Settings → Public Key Policies → Trusted Root Certification Authorities → Import.</td></tr>
<tr><th>macOS</th><td><pre>sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ca.pem</pre>or open <code>dlpgate.mobileconfig</code>, then System Settings → Privacy &amp; Security → Profiles → Install.</td></tr>
<tr><th>iPhone / iPad</th><td>Open <code>dlpgate.mobileconfig</code> in Safari, install it under Settings → General → VPN &amp; Device Management,
then turn it on under Settings → General → About → Certificate Trust Settings.</td></tr>
<tr><th>Android</th><td>Settings → Security → Encryption &amp; credentials → Install a certificate → CA certificate → <code>ca.crt</code>. (Apps trust user CAs only if they opt in.)</td></tr>
<tr><th>Debian / Ubuntu</th><td><pre>sudo cp ca.pem /usr/local/share/ca-certificates/dlpgate.crt &amp;&amp; sudo update-ca-certificates</pre></td></tr>
<tr><th>Fedora / RHEL</th><td><pre>sudo cp ca.pem /etc/pki/ca-trust/source/anchors/dlpgate.pem &amp;&amp; sudo update-ca-trust</pre></td></tr>
<tr><th>Chrome / Chromium on Linux</th><td>They read the NSS database, not the system store:
<pre>certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n dlpgate -i ca.pem</pre></td></tr>
<tr><th>Firefox</th><td>Settings → Privacy &amp; Security → Certificates → View Certificates → Authorities → Import <code>ca.pem</code>,
or the enterprise policy <code>"Certificates": {"ImportEnterpriseRoots": true}</code> to use the OS store.</td></tr>
<tr><th>Node.js</th><td><pre>export NODE_EXTRA_CA_CERTS=/path/to/ca.pem</pre></td></tr>
<tr><th>Python (requests)</th><td><pre>export REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt   # after the system step above</pre></td></tr>
<tr><th>Java</th><td><pre>keytool -importcert -noprompt -alias dlpgate -file ca.crt -keystore dlpgate.jks -storepass changeit
java -Djavax.net.ssl.trustStore=dlpgate.jks -Djavax.net.ssl.trustStorePassword=changeit ...</pre></td></tr>
<tr><th>Go</th><td>Uses the system store after the OS step; or <code>SSL_CERT_FILE=/path/to/ca.pem</code>.</td></tr>
</table>
</section>
<section id="proxy"><h2>3. Use the proxy</h2>
<p>Automatic configuration (sends only DingTalk through dlpgate): <code>http://{{.Proxy}}/proxy.pac</code><br>
Manual proxy: <code>{{.Proxy}}</code> (HTTP and HTTPS). This page is also at <code>http://dlpgate.local/</code> through the proxy.</p>
</section>
<section id="hosts"><h2>Hosts dlpgate inspects</h2>
<ul class="hosts">{{range .Hosts}}<li><code>{{.}}</code></li>{{else}}<li>every host sent through this proxy</li>{{end}}</ul>
</section>
</main></body></html>
`))
