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

// printTrustHelp tells the admin where the new CA is and how endpoints trust it.
func printTrustHelp(w io.Writer, dir string, ca *certs.CA, listen string) {
	cert := certs.CertPath(dir)
	fmt.Fprintf(w, `dlpgate: new CA created in %s
  certificate: %s
  private key: %s (mode 0600: keep it secret, it can intercept every endpoint that trusts it)
  SHA-256 fingerprint: %s

Trust the certificate on every endpoint that uses this proxy:
  Debian/Ubuntu:  sudo cp %s /usr/local/share/ca-certificates/dlpgate.crt && sudo update-ca-certificates
  RHEL/Fedora:    sudo cp %s /etc/pki/ca-trust/source/anchors/dlpgate.pem && sudo update-ca-trust
  macOS:          sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain %s
  Windows (admin): certutil -addstore -f Root dlpgate-ca.pem
  Firefox keeps its own store: Settings > Privacy & Security > Certificates > Import (or enterprise policy ImportEnterpriseRoots).
Endpoints can download it from http://%s/ca.pem; browsers can use the PAC file http://%s/proxy.pac.

Try it (a clean robot message passes, an upload with HKIDs is answered 403):
  curl --proxy http://%s --cacert %s -H 'Content-Type: application/json' \
    -d '{"msgtype":"text","text":{"content":"hello"}}' 'https://oapi.dingtalk.com/robot/send?access_token=YOUR_TOKEN'
`, dir, cert, certs.KeyPath(dir), ca.Fingerprint(), cert, cert, cert, listen, listen, listen, cert)
}
