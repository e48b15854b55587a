#!/usr/bin/env bash
# Measures the notification service: reminders processed per second for N due appointments (default
# 10,000), emails per second through a real SMTP server, and latency from a trigger to the SMTP server's
# acceptance. It uses an embedded FerretDB on a fresh PostgreSQL database (127.0.0.1:5432, dropped
# afterwards) and a mailpit started here (built into .cache/bin by scripts/test.sh).
# Usage: scripts/bench-notify.sh [-n appointments] [-latency notifications] [-workers N]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_mailpit
go build -o bin/hmsnotifybench ./server/cmd/hmsnotifybench
dir=$(mktemp -d)
port=$(( 20000 + RANDOM % 20000 ))
.cache/bin/mailpit --smtp "127.0.0.1:$port" --listen "127.0.0.1:$((port + 1))" --database "$dir/mailpit.db" \
  --disable-version-check --quiet --smtp-disable-rdns --smtp-auth-accept-any --smtp-auth-allow-insecure \
  --max 0 &
mp=$!
trap 'kill $mp 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
./bin/hmsnotifybench -smtp "127.0.0.1:$port" "$@"
