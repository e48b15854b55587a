#!/usr/bin/env bash
# Checks the Go code (./server/... ./shared/... ./desktop/... ./deploy/...) against the Go vulnerability database
# with govulncheck (pinned in scripts/lib.sh, built into .cache/bin): a known vulnerability in a function
# the code can reach fails it.
#
# govulncheck needs the database (https://vuln.go.dev, or GOVULNDB: a mirror's URL, file:// for a local
# copy). When it cannot be reached, this says so and succeeds, so that make test still passes on an
# offline machine — unless --require is given (the GitHub Actions workflow does), which makes an
# unreachable database a failure. HMS_VULNCHECK=off skips the check.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

require=""
case "${1:-}" in
  --require) require=1 ;;
  "") ;;
  *) echo "usage: scripts/govulncheck.sh [--require]" >&2; exit 2 ;;
esac
if [ "${HMS_VULNCHECK:-}" = off ]; then
  echo "govulncheck: skipped (HMS_VULNCHECK=off)"; exit 0
fi
need_go
ensure_govulncheck

db="${GOVULNDB:-https://vuln.go.dev}"
unreachable() {
  if [ -n "$require" ]; then
    echo "govulncheck: vulnerability database $db unreachable (--require): $1" >&2; exit 1
  fi
  echo "govulncheck: vulnerability database unreachable; not checked ($1)"
  exit 0
}
# A quick look first, so that an offline machine does not load every package for nothing.
if [[ "$db" == http* ]] && command -v curl >/dev/null &&
  ! curl -fsS --max-time 15 -o /dev/null "$db/index/db.json" 2>/dev/null; then
  unreachable "$db/index/db.json did not answer"
fi

# One run over the workspace's modules: -C server puts it in go.work's workspace, where the other
# modules are named by their import paths. The desktop app's real build (tags desktop, webkit2_41)
# is checked too when WebKitGTK's headers are there (make setup).
log=$(mktemp); trap 'rm -f "$log"' EXIT
run() {
  local status=0
  .cache/bin/govulncheck -db "$db" -C server "$@" >"$log" 2>&1 || status=$?
  if [ "$status" != 0 ] && grep -q "fetching vulnerabilities" "$log"; then
    unreachable "$(grep -m1 "fetching vulnerabilities" "$log")"
  fi
  cat "$log"
  return "$status"
}
start=$(date +%s)
run ./... hms/shared/... hms/desktop/... hms/deploy/...
if pkg-config --exists webkit2gtk-4.1 2>/dev/null; then
  run -tags desktop,production,webkit2_41 hms/desktop/...
fi
echo "govulncheck: no known vulnerability reached from the code ($db, govulncheck $GOVULNCHECK_VERSION, $(( $(date +%s) - start ))s)"
