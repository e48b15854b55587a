#!/usr/bin/env bash
# Browser end-to-end tests: builds the web UI and bin/hms (which embeds it), then runs frontend/e2e/
# (node:test + playwright-core driving Debian's headless /usr/bin/chromium; no browser is downloaded).
# Each test file starts its own server on a free port with a fresh data directory and stops it after.
# Screenshots and the event→browser latency figure land in test-artifacts/; e2e/day.test.mjs also needs
# mailpit (a real SMTP server, built into .cache/bin like scripts/test.sh does) to read a sign-up's email,
# and e2e/billing.test.mjs stripe-mock (Stripe's API emulator, built the same way) for online payment.
#   scripts/e2e.sh                   build, then run every e2e test file
#   scripts/e2e.sh e2e/flow.test.mjs build, then run the files given (paths relative to frontend/)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

if [ ! -x /usr/bin/chromium ]; then
  echo "e2e: /usr/bin/chromium is missing. Install it with 'make setup' (or: sudo apt-get install chromium)." >&2
  exit 1
fi
need_go
ensure_mailpit # the day's sign-up reads its confirmation email from a mailpit (frontend/e2e/harness.mjs)
ensure_stripe_mock # the patient pays online through a stripe-mock (frontend/e2e/harness.mjs)

echo "== e2e: build the web UI (when its sources changed) and bin/hms, which embeds it"
make -s build

rm -rf test-artifacts/e2e-failures # screenshots of the pages open when a test failed, from this run only
mkdir -p test-artifacts/screenshots
echo "== e2e: browser tests (headless chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'))"
start=$(date +%s)
cd frontend
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(e2e/)
if ! node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"; then
  echo "e2e: FAILED after $(( $(date +%s) - start ))s: see the server log tails above" \
    "and test-artifacts/e2e-failures/" >&2
  exit 1
fi
echo "e2e: all passed in $(( $(date +%s) - start ))s; screenshots in test-artifacts/screenshots/," \
  "latency in test-artifacts/e2e-latency.txt"
