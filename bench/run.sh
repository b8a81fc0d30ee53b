#!/usr/bin/env bash
# Loopback benchmark of dlpgate vs direct vs bare goproxy MITM.
# Usage: bench/run.sh [-size 50] [-runs 3] [-n 2000]
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./bench "$@"
