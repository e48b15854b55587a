# Shared helpers for scripts/*.sh: find or install what HMS needs on a Debian machine.

sudo_cmd() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=""
apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "missing: $* — install it with your package manager" >&2; return 1
  fi
  if [ -z "$apt_updated" ]; then sudo_cmd apt-get update -qq; apt_updated=1; fi
  sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

need_go() {
  command -v go >/dev/null || { echo "Go is required: https://go.dev/doc/install (1.26 or newer)" >&2; exit 1; }
}

ensure_redis_binary() {
  if ! command -v redis-server >/dev/null; then
    echo "== installing redis-server"
    apt_install redis-server
  fi
}

# ensure_go_tool NAME PACKAGE VERSION WHY builds a pinned Go program from the Go module proxy into
# .cache/bin when that version is not there yet (pkg@version builds with the tool's own go.mod, not
# HMS's go.work); WHY says what needs it when the build fails.
ensure_go_tool() {
  local name=$1 pkg=$2 version=$3 why=$4
  local root; root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  local bin="$root/.cache/bin/$name" stamp="$root/.cache/bin/$name.version"
  if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then return 0; fi
  echo "== installing $name $version into .cache/bin"
  mkdir -p "$root/.cache/bin"
  if ! GOWORK=off GOBIN="$root/.cache/bin" go install "$pkg@$version"; then
    echo "could not build $name $version ($why): see go's error above" >&2
    return 1
  fi
  echo "$version" >"$stamp"
}

# MAILPIT_VERSION is the SMTP server the mail tests send through (docs/architecture.md); testenv.Mailpit
# looks for it in .cache/bin first. Its embedded web UI is not built: the tests use its API.
MAILPIT_VERSION=v1.33.1
ensure_mailpit() { ensure_go_tool mailpit github.com/axllent/mailpit "$MAILPIT_VERSION" "the mail tests need it"; }

# STRIPE_MOCK_VERSION is Stripe's API emulator the payment tests run against (testenv.StripeMock
# starts one per test from .cache/bin).
STRIPE_MOCK_VERSION=v0.203.0
ensure_stripe_mock() { ensure_go_tool stripe-mock github.com/stripe/stripe-mock "$STRIPE_MOCK_VERSION" "the payment tests need it"; }

# GOVULNCHECK_VERSION is the vulnerability scanner scripts/govulncheck.sh runs (golang.org/x/vuln).
GOVULNCHECK_VERSION=v1.10.0
ensure_govulncheck() {
  ensure_go_tool govulncheck golang.org/x/vuln/cmd/govulncheck "$GOVULNCHECK_VERSION" "scripts/govulncheck.sh runs it"
}

# HELM_VERSION is the Helm that scripts/chart-check.sh lints and renders deploy/helm/hms with.
HELM_VERSION=v4.3.2
ensure_helm() { ensure_go_tool helm helm.sh/helm/v4/cmd/helm "$HELM_VERSION" "scripts/chart-check.sh runs it"; }

pg_ready() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

# ensure_postgres makes PostgreSQL answer on 127.0.0.1:5432, installing and starting it when it can.
ensure_postgres() {
  if pg_ready; then return 0; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "== installing postgresql"
    apt_install postgresql || { echo "PostgreSQL unavailable: tests use FerretDB on SQLite"; return 0; }
  fi
  local v; v=$(ls /etc/postgresql | sort -V | tail -1)
  # Tests connect as postgres over TCP without a password, like the development machines.
  local hba="/etc/postgresql/$v/main/pg_hba.conf"
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba" 2>/dev/null; then
    sudo_cmd sed -i '1i host all all 127.0.0.1/32 trust' "$hba" 2>/dev/null || true
  fi
  echo "== starting PostgreSQL $v"
  sudo_cmd pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null ||
    sudo_cmd pg_ctlcluster --skip-systemctl-redirect "$v" main reload 2>/dev/null || true
  for _ in $(seq 1 50); do pg_ready && return 0; sleep 0.2; done
  echo "PostgreSQL did not come up: tests use FerretDB on SQLite"
}

# ensure_pdf_tools installs poppler-utils: the billing tests read the invoices' and receipts' PDFs
# back with pdftotext.
ensure_pdf_tools() {
  if ! command -v pdftotext >/dev/null; then
    echo "== installing poppler-utils (pdftotext)"
    apt_install poppler-utils
  fi
}

# ensure_desktop_deps installs what the desktop app needs to build (GTK, WebKitGTK 4.1) and to be
# tested (Xvfb, xauth, ImageMagick's import for screenshots, Chromium for the browser tests).
ensure_desktop_deps() {
  local missing=() p
  for p in libgtk-3-dev libwebkit2gtk-4.1-dev xvfb xauth imagemagick chromium; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
}

# ensure_nginx installs Debian's nginx: scripts/bench-cluster.sh runs it as the load balancer in front of
# several instances, as docker-compose.yml does.
ensure_nginx() {
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    echo "== installing nginx"
    apt_install nginx-light || apt_install nginx
  fi
  PATH="$PATH:/usr/sbin"
}
