#!/usr/bin/env bash
# Zero-loss operations, proved on this machine: nginx (the load balancer) in front of three `hms serve`
# instances on one redis-server and one PostgreSQL-backed store (embedded FerretDB on a fresh database
# on 127.0.0.1:5432, dropped afterwards); CLIENTS websocket clients connect through nginx while alerts
# are raised over REST through nginx, during a rolling restart, a scale-out from two to four instances
# and a SIGKILL. server/cmd/hmscluster drives it and checks it (docs/deploy.md).
# Usage: CLIENTS=5000 RATE=5 scripts/bench-cluster.sh [hmscluster flags: -gap 5s -warmup 5s …]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_redis_binary
ensure_nginx
ensure_postgres
pg_ready || { echo "bench-cluster needs PostgreSQL on 127.0.0.1:5432" >&2; exit 1; }
clients=${CLIENTS:-5000}
# Each client holds a socket here and one in nginx, and nginx one to an instance.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $(( 2 * clients + 1024 )) ]; then
  echo "ulimit -n is $(ulimit -n): too few open files for $clients clients" >&2; exit 1
fi
go build -trimpath -o bin/hms ./server/cmd/hms
go build -trimpath -o bin/hmscluster ./server/cmd/hmscluster

dir=$(mktemp -d)
db="hms_cluster_$$_$RANDOM"
rport=$(( 30000 + RANDOM % 10000 )); lbport=$(( 20000 + RANDOM % 5000 )); base=$(( lbport + 1 ))
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db" >/dev/null
cleanup() {
  status=$?
  # hmscluster stops what it started; these are its pid files, in case it died first.
  for f in "$dir"/hms*.pid; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
  done
  [ -f "$dir/nginx.pid" ] && kill -TERM "$(cat "$dir/nginx.pid")" 2>/dev/null || true # the master ends its workers
  kill "${rpid:-}" 2>/dev/null || true; wait "${rpid:-}" 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  if [ -n "${KEEP:-}" ] || [ "$status" != 0 ]; then echo "logs kept in $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --loglevel warning \
  --maxclients $(( clients + 1000 )) >"$dir/redis.log" 2>&1 & rpid=$!
until (exec 3<>/dev/tcp/127.0.0.1/$rport) 2>/dev/null; do sleep 0.05; done

export ADMIN_EMAIL=bench-admin@hms.local ADMIN_PASSWORD='bench admin password 1'
JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export JWT_SECRET SECRET_KEY
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable"
export REDIS_URL="redis://127.0.0.1:$rport/0"
export ACCESS_TOKEN_TTL=1h LOGIN_MAX_PER_IP=1000 WS_MAX_CONNS_PER_USER=1000000
export SHUTDOWN_TIMEOUT=${SHUTDOWN_TIMEOUT:-20s} SHUTDOWN_LINGER=${SHUTDOWN_LINGER:-3s} # as docker-compose.yml sets them
./bin/hmscluster -dir "$dir" -hms bin/hms -nginx "$(command -v nginx)" -lb-port "$lbport" -base-port "$base" \
  -clients "$clients" -rate "${RATE:-5}" "$@"
