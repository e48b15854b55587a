#!/usr/bin/env bash
# Measures start-up time and GET /api/patient/{id} latency (16 concurrent clients) on the embedded
# default (FerretDB on SQLite, fresh data dir). Usage: scripts/bench-patient.sh [-n requests] [-c clients]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x bin/hms ] || go build -trimpath -o bin/hms ./server/cmd/hms
go build -o bin/hmsbench ./server/cmd/hmsbench
dir=$(mktemp -d); port=$(( 20000 + RANDOM % 20000 ))
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
t0=$(date +%s%N)
export ADMIN_EMAIL=bench-admin@example.org ADMIN_PASSWORD="bench admin $RANDOM$RANDOM$RANDOM"
DEBUG=true DATA_DIR="$dir/data" HTTP_ADDR="127.0.0.1:$port" ./bin/hms serve > "$dir/log" 2>&1 & pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  kill -0 $pid 2>/dev/null || { cat "$dir/log"; exit 1; }
  sleep 0.01
done
echo "start-up (process start → /healthz answers): $(( ($(date +%s%N) - t0) / 1000000 )) ms"
grep -o '"startup":"[^"]*"' "$dir/log" | sed 's/^/server-reported /'
./bin/hmsbench -url "http://127.0.0.1:$port" "$@"
