package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/dlpgate/dlpgate/certs"
)

// cmdCA manages dlpgate's CA: export prints the certificate, init creates it.
func cmdCA(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const caUsage = "usage: dlpgate ca export|init [--data-dir DIR] [--force]"
	if len(args) == 0 {
		fmt.Fprintln(stderr, caUsage)
		return 2
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(stdout, caUsage)
		fmt.Fprintln(stdout, "  export  print the CA certificate (PEM) on stdout\n  init    create the CA (--force replaces an existing one)")
		return 0
	case "export", "init":
	default:
		fmt.Fprintf(stderr, "dlpgate ca: unknown subcommand %q (want export or init)\n%s\n", sub, caUsage)
		return 2
	}
	fset := flag.NewFlagSet("dlpgate ca "+sub, flag.ContinueOnError)
	dataDir := fset.String("data-dir", "", "where the CA lives (default "+defaultDataDir()+")")
	var force *bool
	if sub == "init" {
		force = fset.Bool("force", false, "replace an existing CA (endpoints must trust the new one)")
	}
	fset.Usage = func() {
		fmt.Fprintf(fset.Output(), "usage: dlpgate ca %s [--data-dir DIR]%s\n", sub, map[bool]string{true: " [--force]"}[sub == "init"])
		fset.PrintDefaults()
	}
	if code, ok := parseFlags(fset, args, stdout, stderr); !ok {
		return code
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "dlpgate ca %s: unexpected argument %q\n", sub, fset.Arg(0))
		return 2
	}
	dir := *dataDir
	if dir == "" {
		dir = defaultDataDir()
	}
	switch sub {
	case "export":
		ca, err := certs.Load(dir)
		if err != nil {
			fmt.Fprintf(stderr, "dlpgate ca export: %v (create one with: dlpgate ca init --data-dir %s)\n", err, dir)
			return 1
		}
		stdout.Write(ca.CertPEM)
		return 0
	case "init":
		ca, err := certs.New(time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "dlpgate ca init: %v\n", err)
			return 1
		}
		if err := ca.Save(dir, *force); err != nil {
			fmt.Fprintf(stderr, "dlpgate ca init: %v\n", err)
			return 1
		}
		printTrustHelp(stdout, dir, ca, defaultListen)
		return 0
	}
	fmt.Fprintf(stderr, "dlpgate ca: unknown subcommand %q (want export or init)\n", sub)
	return 2
}

// bannerBlockedMessage is the robot message the first-run banner offers
// as a blocked example: three fictitious customers with HKID numbers whose
// check digits are valid (the first rows of examples/customers.csv).
const bannerBlockedMessage = `{"msgtype":"text","text":{"content":"Customers: CHAN Tai Man C896629(8), WONG Siu Ming E912467(9), LEUNG Ka Yan H928305(8)"}}`

// printTrustHelp tells the admin where the new CA is, how endpoints trust
// it, and how to see a clean and a blocked request.
func printTrustHelp(w io.Writer, dir string, ca *certs.CA, listen string) {
	cert := certs.CertPath(dir)
	fmt.Fprintf(w, `dlpgate: new CA created in %[1]s
  certificate: %[2]s
  private key: %[3]s (mode 0600: keep it secret, it can intercept every endpoint that trusts it)
  SHA-256 fingerprint: %[4]s

Trust the certificate on every endpoint that uses this proxy (details per OS and client: http://%[5]s/):
  Debian/Ubuntu:   sudo cp %[2]s /usr/local/share/ca-certificates/dlpgate.crt && sudo update-ca-certificates
  RHEL/Fedora:     sudo cp %[2]s /etc/pki/ca-trust/source/anchors/dlpgate.pem && sudo update-ca-trust
  Chrome/Chromium on Linux (NSS): certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n dlpgate -i %[2]s
  macOS:           sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain %[2]s
  Windows (admin): certutil -addstore -f Root "%[2]s"
  Node: NODE_EXTRA_CA_CERTS=%[2]s   Python requests: REQUESTS_CA_BUNDLE   Go: SSL_CERT_FILE=%[2]s
Endpoints can download it from http://%[5]s/ca.pem (DER: /ca.crt, Apple: /dlpgate.mobileconfig);
browsers can use the PAC file http://%[5]s/proxy.pac.

Try it from another terminal (the proxy keeps this one):
  # a clean robot message is forwarded to DingTalk unchanged:
  curl --proxy http://%[5]s --cacert %[2]s -H 'Content-Type: application/json' \
    -d '{"msgtype":"text","text":{"content":"Meeting moved to 3pm"}}' 'https://oapi.dingtalk.com/robot/send?access_token=YOUR_TOKEN'
  # a message with three HKID numbers is answered by dlpgate (HTTP 403, errcode 403001, rule hkid-bulk):
  curl --proxy http://%[5]s --cacert %[2]s -H 'Content-Type: application/json' \
    -d '%[6]s' 'https://oapi.dingtalk.com/robot/send?access_token=YOUR_TOKEN'
`, dir, cert, certs.KeyPath(dir), ca.Fingerprint(), listen, bannerBlockedMessage)
}
