#!/usr/bin/env bash
# Starts the server built by `make build` on the embedded default (FerretDB on SQLite under ./data),
# unless .env or the environment says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! { [ -f .env ] && grep -q '^DEBUG=' .env; }; then
  export DEBUG="${DEBUG:-true}"   # development defaults: a generated JWT secret and admin
fi
addr="${HTTP_ADDR:-$( if [ -f .env ]; then sed -n 's/^HTTP_ADDR=//p' .env | tail -1; fi )}"
addr="${addr:-:8080}"
port="${addr##*:}"
data="${DATA_DIR:-./data}"
cat <<MSG
HMS is starting. Open http://localhost:${port} in a browser  (API description: http://localhost:${port}/api/openapi.json)
Admin sign-in: ADMIN_EMAIL / ADMIN_PASSWORD from .env or the environment when set;
otherwise (DEBUG) a development admin is created once and its password written to ${data}/admin-password.txt
Demo hospital: run 'make demo' in another terminal; it prints reception, doctor and patient accounts
to sign in with, then moves the queues. Ward display: http://localhost:${port}/display
Stop with Ctrl-C.
MSG
exec ./bin/hms serve
