#!/usr/bin/env bash
# Process-level benchmark: bare goproxy, mitmdump (when installed) and dlpgate
# as separate processes in front of one loopback TLS sink, interleaved.
# Usage: bench/run.sh [-runs 3] [-n 500] [-compare before=/path/to/older/dlpgate] [-no-mitmdump]
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./bench "$@"
