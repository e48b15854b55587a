#!/usr/bin/env bash
# Time to interactive of the doctor's desk on the embedded default with 10,000 patients on record:
# builds the web UI and bin/hms, then runs frontend/bench/tti.mjs (headless Debian chromium through
# playwright-core, as the e2e tests). Usage: scripts/bench-tti.sh [-n patients] [-runs loads]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
[ -x /usr/bin/chromium ] || { echo "bench-tti: /usr/bin/chromium is missing: run make setup" >&2; exit 1; }
need_go
make -s build
cd frontend
node bench/tti.mjs "$@"
