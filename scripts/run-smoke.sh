#!/usr/bin/env bash
# Checks the README's first promise: `make run`'s script (scripts/run.sh) starts the server built by
# `make build` on the embedded default, as on a fresh machine: no .env, no HTTP_ADDR, a new data
# directory. It waits for /healthz and /readyz, then stops the server. When port 8080 is taken (another
# server on a development machine) it runs on a free port instead and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x bin/hms ] || { echo "run-smoke: bin/hms is missing: run make build first"; exit 1; }
data=$(mktemp -d)
log="$data/run.log"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
port=8080
if ss -ltn 2>/dev/null | grep -q ':8080 '; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "run-smoke: port 8080 is in use; running on $port"
  export HTTP_ADDR="127.0.0.1:$port"
else
  unset HTTP_ADDR
fi
# A checkout's own .env would change what is tested (the fresh-machine default).
[ ! -f .env ] || { echo "run-smoke: ./.env exists; the fresh-machine default is what this checks, so it runs only without one"; exit 0; }
env -u DEBUG -u DATABASE_URL -u REDIS_URL DATA_DIR="$data/data" scripts/run.sh >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  if curl -fsS --max-time 2 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
    grep -q "Open http://localhost:$port" "$log" || { echo "run-smoke: the start message is missing"; cat "$log"; exit 1; }
    echo "run-smoke: ok (scripts/run.sh serves on :$port with the embedded default)"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "run-smoke: scripts/run.sh exited before the server was ready:"; cat "$log"; exit 1
  fi
  sleep 0.5
done
echo "run-smoke: the server was not ready after 60 s:"; cat "$log"; exit 1
