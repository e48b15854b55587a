#!/usr/bin/env bash
# Builds or tests the web UI (frontend/): React + TypeScript + Vite, embedded into the server and the
# desktop app from frontend/dist.
#   scripts/frontend.sh build   install the locked packages when needed, then type-check and build dist/
#   scripts/frontend.sh test    the same, plus: the API types are current, and the Vitest suite passes
#   scripts/frontend.sh api     regenerate the API types (src/api/schema.d.ts) from the assembled OpenAPI document
set -euo pipefail
cd "$(dirname "$0")/../frontend"

need_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "Node.js 20.19+ and npm are needed to build the web UI: apt-get install nodejs npm, or https://nodejs.org" >&2
    exit 1
  fi
  local v; v=$(node -p 'process.versions.node')
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    echo "Node.js $v is too old for Vite 8: 20.19 or newer is needed" >&2
    exit 1
  fi
}

# install runs npm ci when node_modules is missing or older than the lock file.
install() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "== npm ci (frontend)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

need_node
install
case "${1:-build}" in
  build)
    npm run --silent build
    ;;
  test)
    echo "== frontend: API types match the OpenAPI document"
    doc=$(mktemp --suffix=.json)
    tmp=$(mktemp --suffix=.d.ts)
    trap 'rm -f "$doc" "$tmp"' EXIT
    go run ../server/cmd/openapi -o "$doc"
    npx --no-install openapi-typescript "$doc" -o "$tmp" >/dev/null
    if ! diff -q "$tmp" src/api/schema.d.ts >/dev/null; then
      echo "frontend/src/api/schema.d.ts is out of date: run 'cd frontend && npm run gen:api'" >&2
      exit 1
    fi
    echo "== frontend: type-check and build"
    npm run --silent build
    echo "== frontend: vitest"
    npx --no-install vitest run
    ;;
  api)
    npm run --silent gen:api
    ;;
  *)
    echo "usage: $0 build|test|api" >&2; exit 2
    ;;
esac
