package main

import (
	"context"
	"io"

	"github.com/dlpgate/dlpgate/config"
)

// serveMode says what `serve` starts.
type serveMode int

const (
	modeProxy serveMode = iota // dlpgate run: the proxy, plus ICAP and admin when configured
	modeICAP                   // dlpgate icap: the ICAP server (and admin) alone
)

func (m serveMode) String() string {
	if m == modeICAP {
		return "icap"
	}
	return "run"
}

func (m serveMode) usage() string {
	if m == modeICAP {
		return "usage: dlpgate icap [--config FILE] [--icap-listen ADDR] [--admin-listen ADDR] [--data-dir DIR]"
	}
	return "usage: dlpgate [run] [--config FILE] [--listen ADDR] [--icap-listen ADDR] [--admin-listen ADDR] [--data-dir DIR]"
}

// cmdICAP serves ICAP (RFC 3507) REQMOD for Squid, ProxySG and other
// egress proxies, with no forward proxy: `dlpgate icap`.
func cmdICAP(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return serve(ctx, modeICAP, args, stdout, stderr)
}

// applyFrontEndFlags lets the command line override [icap] and [admin]
// listen; `dlpgate icap` listens on the default ICAP address when none is set.
func applyFrontEndFlags(cfg *config.Config, mode serveMode, icapListen, adminListen string) {
	if icapListen != "" {
		cfg.ICAP.Listen = icapListen
	}
	if mode == modeICAP && cfg.ICAP.Listen == "" {
		cfg.ICAP.Listen = defaultICAPListen
	}
	if adminListen != "" {
		cfg.Admin.Listen = adminListen
	}
}
