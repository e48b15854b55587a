#!/usr/bin/env bash
# Lints and renders the Helm chart (deploy/helm/hms) with the pinned Helm built from the Go module proxy
# into .cache/bin, then checks every rendered manifest strictly against the Kubernetes API types and
# the chart's promises (deploy/chartcheck). Run by make test (scripts/test.sh) and `make chart-check`.
# Building Helm and the Kubernetes types takes about five minutes on a fresh 2-core machine, 20 s once
# Go's build cache holds them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_go
ensure_helm
helm=.cache/bin/helm
chart=deploy/helm/hms
# The values an operator must give (the chart refuses to render without them).
set_values=(--set secret.JWT_SECRET=j --set secret.SECRET_KEY=s --set secret.DATABASE_URL=mongodb://db:27017/
  --set secret.REDIS_URL=redis://redis:6379/0 --set secret.ADMIN_PASSWORD=p)
echo "== helm lint --strict"
"$helm" lint --strict "$chart" "${set_values[@]}"
echo "== helm template refuses missing secrets"
if "$helm" template hms "$chart" >/dev/null 2>&1; then
  echo "chart-check: the chart rendered without its secrets; it must refuse" >&2; exit 1
fi
mkdir -p bin
for extra in "" "--set autoscaling.targetConnectionsPerPod=500" "--set secret.existingSecret=hms-secrets --set autoscaling.enabled=false"; do
  echo "== helm template ${extra:-(defaults)} | chartcheck"
  # shellcheck disable=SC2086
  "$helm" template hms "$chart" "${set_values[@]}" $extra >bin/chart.yaml
  (cd deploy/chartcheck && GOWORK=off go run . ../../bin/chart.yaml)
done
echo "chart-check: ok"
