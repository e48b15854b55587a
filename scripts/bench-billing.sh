#!/usr/bin/env bash
# Billing benchmark on the embedded default (FerretDB on SQLite, fresh data dir): starts a server, then
#   hmsbench -mode invoice: N patients each get a charge posted by hand and a draft invoice, then 16
#   clients issue the drafts at once; p50/p99/max latency, issues/s, and the invoice numbers checked
#   distinct and gapless (1..N for the year).
# Usage: scripts/bench-billing.sh [flags for hmsbench -mode invoice, e.g. -invoices 1000 -clients 32]
set -euo pipefail
cd "$(dirname "$0")/.."
go build -trimpath -o bin/hms ./server/cmd/hms
go build -trimpath -o bin/hmsbench ./server/cmd/hmsbench

dir=$(mktemp -d); port=$(( 20000 + RANDOM % 20000 ))
cleanup() { kill "${pid:-}" 2>/dev/null || true; wait "${pid:-}" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
export ADMIN_EMAIL=bench-admin@hms.local ADMIN_PASSWORD='bench admin password 1'
DEBUG=true DATA_DIR="$dir/data" HTTP_ADDR="127.0.0.1:$port" ACCESS_TOKEN_TTL=1h LOGIN_MAX_PER_IP=1000 \
  ./bin/hms serve >"$dir/hms.log" 2>&1 & pid=$!
until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
  kill -0 "$pid" 2>/dev/null || { cat "$dir/hms.log"; exit 1; }
  sleep 0.05
done
echo "server pid $pid on :$port, embedded FerretDB on SQLite in $dir/data; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== issuing invoices"
if ! ./bin/hmsbench -url "http://127.0.0.1:$port" -mode invoice -clients 16 "$@"; then
  echo "server log: last lines"; tail -n 20 "$dir/hms.log"
  exit 1
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
