#!/usr/bin/env bash
# Runs every test HMS has, after making sure the services and packages they need are there:
#   - redis-server (installed from Debian's packages when missing; tests start their own on free ports)
#   - mailpit, a real SMTP server for the mail tests (built from the Go module proxy into .cache/bin)
#   - stripe-mock, Stripe's API emulator for the payment tests (built the same way)
#   - PostgreSQL on 127.0.0.1:5432 with trust auth for the FerretDB-backed test databases (started when
#     installed but stopped; installed when missing). Without it the tests fall back to FerretDB on SQLite.
#   - govulncheck (built from the Go module proxy into .cache/bin; scripts/govulncheck.sh says when the
#     vulnerability database cannot be reached, and does not fail for it)
#   - Helm, for the chart check (built the same way; minutes on a fresh machine, seconds once Go's build
#     cache has it)
#   - Node.js for the web UI (its packages from the lock file), Debian's chromium for the browser tests, and
#     GTK/WebKitGTK + Xvfb for the desktop app's smoke test (installed from Debian's packages when missing).
# Set MONGODB_TEST_URI to run the same suite against a real MongoDB instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

need_go
ensure_redis_binary
ensure_mailpit
ensure_stripe_mock
ensure_postgres
ensure_desktop_deps
ensure_pdf_tools

suite_start=$(date +%s)
scripts/frontend.sh test

echo "== go vet"
go vet ./server/... ./shared/... ./frontend/... ./desktop/... ./deploy/...

echo "== gofmt"
unformatted=$(gofmt -l server shared frontend desktop deploy)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go test -race"
start=$(date +%s)
go test -race -count=1 -timeout 20m ./server/... ./shared/... ./desktop/... ./deploy/... 2>&1 | tee /tmp/hms-go-test.log
status=${PIPESTATUS[0]}
passed=$(grep -c '^ok ' /tmp/hms-go-test.log || true)
failed=$(grep -c '^FAIL' /tmp/hms-go-test.log || true)
echo "go test: $passed packages ok, $failed failed, $(( $(date +%s) - start ))s"
[ "$status" = 0 ] || exit "$status"

# Each fuzz target runs briefly on top of its seeds (go test above ran the seeds alone); a failing
# input is kept under the package's testdata/fuzz/<target> and fails go test from then on.
# The budget is a count of inputs, not a duration: Go 1.26's coordinator can report a duration's end as
# "context deadline exceeded" and fail with no input (go.dev/issue/75804, fixed in Go 1.27).
fuzztime=${HMS_FUZZTIME:-40000x}
echo "== fuzzing, $fuzztime per target (a count of inputs)"
fuzz() { # fuzz <package> <target>
  local out execs
  if ! out=$(go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" "$1" 2>&1); then
    echo "$out"; echo "fuzz $2: FAILED; the input is in ${1%/}/testdata/fuzz/$2"; exit 1
  fi
  execs=$(echo "$out" | grep -o 'execs: [0-9]*' | tail -1 | cut -d' ' -f2 || true)
  echo "fuzz $2 ($1): ok, ${execs:-?} inputs"
}
fuzz ./server/internal/httpx/ FuzzBindJSON
fuzz ./server/internal/auth/ FuzzTokenParse

echo "== govulncheck"
scripts/govulncheck.sh

echo "== Helm chart: lint, render, strict check"
scripts/chart-check.sh

echo "== browser end-to-end tests"
scripts/e2e.sh

echo "== make run on the embedded default"
scripts/run-smoke.sh

echo "== desktop smoke test"
scripts/desktop-smoke.sh

echo "all tests passed in $(( $(date +%s) - suite_start ))s; screenshots in test-artifacts/screenshots/"
