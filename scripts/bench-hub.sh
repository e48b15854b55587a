#!/usr/bin/env bash
# Runs the hub benchmark: a fresh server (embedded FerretDB on SQLite, fresh data dir) with the Redis
# broker on its own redis-server, N websocket clients, M emergency alerts.
# Usage: scripts/bench-hub.sh [-clients 5000] [-alerts 20] [-interval 250ms] …  (flags go to hmsload)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_redis_binary
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
go build -trimpath -o bin/hms ./server/cmd/hms
go build -trimpath -o bin/hmsload ./server/cmd/hmsload

dir=$(mktemp -d)
rport=$(( 30000 + RANDOM % 10000 )); port=$(( 20000 + RANDOM % 10000 ))
cleanup() {
  kill "${pid:-}" 2>/dev/null || true; wait "${pid:-}" 2>/dev/null || true
  kill "${rpid:-}" 2>/dev/null || true; wait "${rpid:-}" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --loglevel warning >"$dir/redis.log" 2>&1 & rpid=$!
until redis-cli -p "$rport" ping >/dev/null 2>&1 || (exec 3<>/dev/tcp/127.0.0.1/$rport) 2>/dev/null; do sleep 0.05; done

export ADMIN_EMAIL=bench-admin@hms.local ADMIN_PASSWORD='bench admin password 1'
JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
DATA_DIR="$dir/data" HTTP_ADDR="127.0.0.1:$port" REDIS_URL="redis://127.0.0.1:$rport/0" \
ACCESS_TOKEN_TTL=1h LOGIN_MAX_PER_IP=1000 WS_MAX_CONNS_PER_USER=1000000 ./bin/hms serve >"$dir/hms.log" 2>&1 & pid=$!
until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
  kill -0 "$pid" 2>/dev/null || { cat "$dir/hms.log"; exit 1; }
  sleep 0.05
done
echo "server pid $pid on :$port, redis on :$rport ($(curl -s "http://127.0.0.1:$port/readyz"))"
${HMSLOAD_WRAP:-} ./bin/hmsload -url "http://127.0.0.1:$port" -pid "$pid" "$@"
