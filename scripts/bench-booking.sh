#!/usr/bin/env bash
# Booking benchmark on the embedded default (FerretDB on SQLite, fresh data dir): starts a server, then
#   hmsbench -mode book: 32 clients book distinct free slots (8 doctors × 14 days of 5-minute slots);
#   hmsbench -mode race: 300 patients book one slot at the same moment (exactly one 201 expected).
# Usage: scripts/bench-booking.sh [flags for hmsbench -mode book, e.g. -requests 5000 -as staff]
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

status=0
echo "== booking throughput"
./bin/hmsbench -url "http://127.0.0.1:$port" -mode book -clients 32 "$@" || status=1
echo "== race for one slot"
./bin/hmsbench -url "http://127.0.0.1:$port" -mode race -racers 300 || status=1
if [ "$status" != 0 ]; then
  echo "server log: last lines"; tail -n 20 "$dir/hms.log"
fi
exit "$status"
