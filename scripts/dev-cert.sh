#!/usr/bin/env bash
# Makes a self-signed TLS certificate for the compose stack's load balancer (deploy/certs/, not
# committed): for HMS_HOSTNAME (default localhost), localhost and 127.0.0.1, valid 825 days. Browsers warn
# about it until it is trusted; for a real deployment put a certificate from your CA or Let's Encrypt at
# deploy/certs/hms.crt and deploy/certs/hms.key instead (docs/deploy.md).
#   HMS_HOSTNAME=hms.ward.example scripts/dev-cert.sh
set -euo pipefail
cd "$(dirname "$0")/.."
host=${HMS_HOSTNAME:-localhost}
mkdir -p deploy/certs
if [ -s deploy/certs/hms.crt ] && [ -s deploy/certs/hms.key ] && [ "${FORCE:-}" != 1 ]; then
  echo "deploy/certs/hms.crt exists (FORCE=1 to make a new one)"; exit 0
fi
san="DNS:${host},DNS:localhost,IP:127.0.0.1"
if [[ $host =~ ^[0-9.]+$ ]]; then san="IP:${host},DNS:localhost,IP:127.0.0.1"; fi
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 \
  -keyout deploy/certs/hms.key -out deploy/certs/hms.crt \
  -subj "/CN=${host}" -addext "subjectAltName=${san}" 2>/dev/null
chmod 600 deploy/certs/hms.key
echo "made deploy/certs/hms.crt for ${san}"
