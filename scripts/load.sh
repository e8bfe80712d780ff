#!/usr/bin/env bash
# Scripted load run against a running `make run`: each request shape for a few
# seconds with concurrent clients; throughput and latency are printed as ratios
# against the gateway's /healthz measured in the same run, so numbers compare
# across machines. Usage: scripts/load.sh [-duration 10s] [-c 16]
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./services/consortia load "$@"
