#!/usr/bin/env bash
# Smoke test of the desktop app against a real server, on a virtual X display:
#   1. starts `bin/hms serve` on a free port with a fresh data directory, creates a staff account and
#      signs it in;
#   2. gives the app a config directory with that server and the staff's refresh token, starts it
#      under xvfb-run at 1366x768 and waits for the frontend to report `hms-desktop: live`;
#   3. raises an emergency alert over REST and waits for `hms-desktop: event alerts <n> alert.raised`;
#   4. takes a screenshot, then does 2 again in kiosk mode at 1920x1080 (the ward display) with the
#      session the first run saved, and takes another.
# Screenshots go to test-artifacts/screenshots/, the app's and server's output to
# test-artifacts/desktop-smoke/. Builds bin/hms and bin/hms-desktop when missing.
# SMOKE_TIMEOUT (seconds, default 60) bounds each wait. Needs: make setup (xvfb, xauth, imagemagick).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

timeout_s="${SMOKE_TIMEOUT:-60}"
shots=test-artifacts/screenshots
logs=test-artifacts/desktop-smoke

need_go
for cmd in xvfb-run xauth import curl; do
  command -v "$cmd" >/dev/null || { echo "desktop-smoke: $cmd is missing: run make setup" >&2; exit 1; }
done
[ -x bin/hms ] || { echo "== building bin/hms"; go build -trimpath -o bin/hms ./server/cmd/hms; }
[ -x bin/hms-desktop ] || { echo "== building bin/hms-desktop"; make --no-print-directory desktop; }

tmp=$(mktemp -d -t hms-desktop-smoke.XXXXXX)
server_pid="" app_pid="" xvfb_run_pid=""

# stop_app ends the app (SIGTERM: it closes its window and exits), then xvfb-run, which stops Xvfb.
stop_app() {
  if [ -n "$app_pid" ]; then
    kill "$app_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$app_pid" 2>/dev/null || true
  fi
  if [ -n "$xvfb_run_pid" ]; then
    for _ in $(seq 1 50); do kill -0 "$xvfb_run_pid" 2>/dev/null || break; sleep 0.1; done
    kill "$xvfb_run_pid" 2>/dev/null || true # its EXIT trap stops Xvfb
    wait "$xvfb_run_pid" 2>/dev/null || true
  fi
  app_pid="" xvfb_run_pid=""
}

# cleanup stops everything and keeps the logs beside the screenshots.
cleanup() {
  stop_app
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  mkdir -p "$logs" && rm -f "$logs"/*.log && cp "$tmp"/*.log "$logs"/ 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# fail says why the smoke test failed, with the end of what the app and the server printed.
fail() {
  echo "desktop-smoke: FAIL: $*" >&2
  for log in "$tmp"/app-*.log "$tmp/server.log"; do
    [ -s "$log" ] || continue
    echo "---- last 50 lines of $(basename "$log")" >&2
    tail -n 50 "$log" >&2
  done
  exit 1
}

# free_port prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  fail "no free port found"
}

# wait_for PATTERN FILE WHAT waits until a line of FILE matches the extended regex PATTERN.
wait_for() {
  local deadline=$((SECONDS + timeout_s))
  until grep -Eq "$1" "$2" 2>/dev/null; do
    [ -z "$app_pid" ] || kill -0 "$app_pid" 2>/dev/null || fail "the app exited while waiting for $3"
    ((SECONDS < deadline)) || fail "timed out after ${timeout_s}s waiting for $3 (a line matching '$1')"
    sleep 0.2
  done
}

# api METHOD PATH TOKEN [BODY] calls the server and prints the answer; non-2xx fails the test.
api() {
  local args=(-sS -X "$1" "$base$2" -H 'Content-Type: application/json' -w '\n%{http_code}')
  [ -z "$3" ] || args+=(-H "Authorization: Bearer $3")
  [ -z "${4:-}" ] || args+=(--data "$4")
  local out code
  out=$(curl "${args[@]}") || fail "$1 $2: curl failed"
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  [[ "$code" == 2* ]] || fail "$1 $2: status $code: $out"
  printf '%s' "$out"
}

# json_str KEY prints the string value of "KEY" in the JSON on stdin (tokens have no quotes or escapes).
json_str() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

# --- the server -----------------------------------------------------------------------------------
port=$(free_port)
base="http://127.0.0.1:$port"
admin_email=smoke-admin@hms.local staff_email=smoke-staff@hms.local
admin_password="admin-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
staff_password="staff-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "== starting the server on $base"
DATA_DIR="$tmp/data" HTTP_ADDR="127.0.0.1:$port" DEBUG=false \
  JWT_SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  SECRET_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  ADMIN_EMAIL="$admin_email" ADMIN_PASSWORD="$admin_password" \
  bin/hms serve >"$tmp/server.log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + timeout_s))
until curl -fsS "$base/healthz" >/dev/null 2>&1; do
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited at start"
  ((SECONDS < deadline)) || fail "the server did not answer /healthz within ${timeout_s}s"
  sleep 0.2
done

admin_token=$(api POST /api/auth/login "" "{\"email\":\"$admin_email\",\"password\":\"$admin_password\"}" | json_str token)
[ -n "$admin_token" ] || fail "admin login gave no token"
api POST /api/auth/register "$admin_token" \
  "{\"name\":\"Smoke Staff\",\"email\":\"$staff_email\",\"password\":\"$staff_password\",\"role\":\"staff\"}" >/dev/null
refresh_token=$(api POST /api/auth/login "" "{\"email\":\"$staff_email\",\"password\":\"$staff_password\"}" | json_str refresh_token)
# A department for the ward display, with two patients waiting.
api POST /api/departments "$admin_token" '{"id":"general","name":"General medicine"}' >/dev/null
for who in "Smoke Walk-in One" "Smoke Walk-in Two"; do
  api POST /api/queue/checkin "$admin_token" "{\"department\":\"general\",\"name\":\"$who\",\"triage\":4}" >/dev/null
done
[ -n "$refresh_token" ] || fail "staff login gave no refresh token"

# The app's config directory, as the app itself writes it (desktop/internal/settings).
conf="$tmp/config"
mkdir -m 700 "$conf"
printf '{"server_url":"%s"}\n' "$base" >"$conf/config.json"
printf '{"refresh_token":"%s"}\n' "$refresh_token" >"$conf/session.json"
chmod 600 "$conf"/*.json

# --- the app --------------------------------------------------------------------------------------
# start_app WxH [FLAGS...] starts the app on a new virtual screen of that size.
start_app() {
  local size=$1; shift
  log="$tmp/app-$size.log"
  : >"$log"
  xvfb-run -a -f "$tmp/xauth-$size" -s "-screen 0 ${size}x24" \
    sh -c 'echo "$DISPLAY" >"$0/display"; echo $$ >"$0/app.pid"; exec "$@"' "$tmp" \
    bin/hms-desktop --config-dir "$conf" "$@" >"$log" 2>&1 &
  xvfb_run_pid=$!
  local deadline=$((SECONDS + 20))
  until [ -s "$tmp/app.pid" ] && [ -s "$tmp/display" ]; do
    kill -0 "$xvfb_run_pid" 2>/dev/null || fail "xvfb-run exited at start"
    ((SECONDS < deadline)) || fail "xvfb-run did not start the app within 20s"
    sleep 0.1
  done
  app_pid=$(cat "$tmp/app.pid") display=$(cat "$tmp/display")
  rm -f "$tmp/app.pid" "$tmp/display"
  echo "== app started at $size on display $display (pid $app_pid)"
}

# screenshot WxH saves the whole virtual screen.
screenshot() {
  mkdir -p "$shots"
  local out="$shots/desktop-$1.png"
  sleep 1 # let the last update paint
  DISPLAY="$display" XAUTHORITY="$tmp/xauth-$1" import -window root "$out" 2>>"$tmp/app-$1.log" ||
    fail "screenshot of display $display failed"
  echo "screenshot: $out"
}

start_app 1366x768
wait_for '^hms-desktop: live' "$log" "the frontend to go live (signed in, websocket open)"
echo "== live; raising an emergency alert"
api POST /api/alerts/emergency "$admin_token" '{"message":"Smoke test: cardiac arrest","location":"Ward 3"}' >/dev/null
wait_for '^hms-desktop: event alerts [0-9]+ alert\.raised' "$log" "the alert to reach the app"
wait_for '^hms-desktop: alerts shown [1-9]' "$log" "the alert banner to be shown"
screenshot 1366x768
stop_app

start_app 1920x1080 --kiosk --department general
wait_for '^hms-desktop: live' "$log" "the kiosk to go live with the saved session"
# The board loads its snapshot once its channel is subscribed; a check-in before that is in the
# snapshot, not an event, so wait for the board before checking a walk-in in.
wait_for '^hms-desktop: display shown general' "$log" "the ward display to show its board"
echo "== kiosk live; checking a walk-in in"
api POST /api/queue/checkin "$admin_token" '{"department":"general","name":"Smoke Walk-in Three","triage":3}' >/dev/null
wait_for '^hms-desktop: event display:general [0-9]+ display\.updated' "$log" "the new ticket to reach the ward display"
screenshot 1920x1080
stop_app

echo "desktop-smoke: ok (1366x768: live, alert received and shown; 1920x1080 kiosk: live, display updated)"
