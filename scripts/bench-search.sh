#!/usr/bin/env bash
# Measures patient search latency (name prefix, MRN, condition via the blind index) over 10,000
# patients on an embedded FerretDB backed by PostgreSQL (a fresh database on 127.0.0.1:5432, dropped
# afterwards). Usage: scripts/bench-search.sh [-n patients] [-queries per kind] [-url mongodb://…]
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/hmssearchbench ./server/cmd/hmssearchbench
./bin/hmssearchbench "$@"
