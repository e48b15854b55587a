# HMS — see README.md. `make run` starts the server on the embedded database; `make test` runs every test.
GO ?= go

.PHONY: all build cmds frontend openapi unused-routes run test vulncheck setup bench-patient bench-fhir bench-hub bench-cluster bench-booking bench-billing bench-notify bench-webhooks bench-tti bench-reports demo vet fmt clean desktop e2e chart-check

all: build

# The web UI is rebuilt when any of its sources changed since the last build.
FRONTEND_SRC := $(shell find frontend/src -type f 2>/dev/null) frontend/index.html frontend/package.json \
	frontend/package-lock.json frontend/vite.config.ts frontend/tsconfig.json

# The version stamped into bin/hms (hms version, GET /api/version); a binary built otherwise says "dev".
VERSION_PKG := hms/server/internal/version
HMS_LDFLAGS = -X $(VERSION_PKG).Version=$(shell git describe --tags --always --dirty 2>/dev/null || echo dev) \
	-X $(VERSION_PKG).Commit=$(shell git rev-parse HEAD 2>/dev/null || echo dev) \
	-X $(VERSION_PKG).Built=$(shell date -u +%Y-%m-%dT%H:%M:%SZ)

build: frontend ## build the web UI, then the server (which embeds it) to bin/hms, its version stamped
	$(GO) build -trimpath -ldflags "$(HMS_LDFLAGS)" -o bin/hms ./server/cmd/hms

cmds: frontend ## build every command under server/cmd (hms, hmsdemo, the bench and load tools) into bin/
	$(GO) build -trimpath -ldflags "$(HMS_LDFLAGS)" -o bin/ ./server/cmd/...

frontend: frontend/dist/index.html ## build the web UI into frontend/dist (needs Node.js 20.19+)

frontend/dist/index.html: $(FRONTEND_SRC)
	scripts/frontend.sh build

openapi: ## assemble the OpenAPI document (server/internal/openapi/spec) into bin/openapi.json and regenerate the web UI's API types from it
	scripts/frontend.sh api

unused-routes: ## list the API routes no screen calls (machine-facing ones are named with their reason in the script)
	$(GO) run ./server/cmd/openapi -o bin/openapi.json
	node scripts/unused-routes.mjs bin/openapi.json

e2e: ## browser end-to-end tests (headless Debian chromium) against a real server
	scripts/e2e.sh

run: build ## start the server on the embedded default (no external services)
	scripts/run.sh

test: ## install/start what the tests need, then run them all with -race, fuzz each target briefly and run govulncheck
	scripts/test.sh

vulncheck: ## govulncheck over the Go modules (needs the Go vulnerability database; says so when it is unreachable)
	scripts/govulncheck.sh

setup: ## install the Debian packages the tests and the desktop app need (redis-server, PostgreSQL, GTK/WebKitGTK, Xvfb, Chromium, poppler-utils)
	bash -c 'source scripts/lib.sh && ensure_redis_binary && ensure_postgres && ensure_desktop_deps && ensure_pdf_tools'

bench-patient: build ## p50/p99 of GET /api/patient/{id} under 16 concurrent clients, embedded default
	scripts/bench-patient.sh

bench-fhir: ## p50/p99 of GET /fhir/R4/Patient searches over 10,000 patients, embedded default (FerretDB on SQLite)
	cd server && HMS_FHIR_BENCH=$(or $(N),10000) HMS_FHIR_BENCH_QUERIES=$(or $(QUERIES),200) $(GO) test -count=1 -run '^$$' -bench BenchmarkPatientSearch -benchtime 1x -v -timeout 60m ./internal/fhir/

bench-hub: ## hub load test: 5000 websocket clients, 20 emergency alerts, server with Redis
	scripts/bench-hub.sh -clients $(or $(CLIENTS),5000) -alerts $(or $(ALERTS),20)

bench-cluster: ## zero-loss operations: nginx + 3 instances on one Redis and PostgreSQL, 5000 websocket clients (CLIENTS=), alerts at 5/s (RATE=) through a rolling restart, a scale-out 2→4 and a SIGKILL
	CLIENTS=$(or $(CLIENTS),5000) RATE=$(or $(RATE),5) scripts/bench-cluster.sh

bench-booking: ## bookings/s and latency under 32 clients, and a 300-patient race for one slot, embedded default
	scripts/bench-booking.sh

bench-billing: ## issues/s and latency of issuing N invoices (default 500) under 16 clients, gapless numbers checked, embedded default
	scripts/bench-billing.sh -invoices $(or $(N),500)

bench-notify: ## reminders/s for 10,000 due appointments, emails/s through mailpit, trigger-to-SMTP latency (FerretDB on PostgreSQL)
	scripts/bench-notify.sh -n $(or $(N),10000)

bench-webhooks: ## webhook deliveries/s to a local receiver that verifies each signature (FerretDB on PostgreSQL)
	$(GO) test -count=1 -run '^$$' -bench BenchmarkDeliveries -benchtime $(or $(N),2000)x ./server/internal/webhook/

bench-tti: ## time to interactive of the doctor's desk with 10,000 patients on record, embedded default (headless chromium)
	scripts/bench-tti.sh -n $(or $(N),10000) -runs $(or $(RUNS),5)

bench-reports: ## a year's reports over 1,000,000 appointments (p50/p99) and the cost per booking of keeping the figures, embedded default
	cd server && $(GO) test -count=1 -run '^$$' -bench 'BenchmarkYearReport|BenchmarkRecordFact' -benchtime $(or $(N),20)x -v ./internal/report/

chart-check: ## lint and render the Helm chart (deploy/helm/hms) and check its manifests strictly (builds Helm into .cache/bin once)
	scripts/chart-check.sh

demo: ## seed a demo hospital into the running server (make run) and play a morning of queues
	scripts/demo $(DEMO_FLAGS)

vet:
	$(GO) vet ./server/... ./shared/... ./frontend/... ./desktop/...

fmt:
	gofmt -w server shared frontend desktop

desktop: frontend ## build the desktop app (Wails, WebKitGTK 4.1) to bin/hms-desktop; needs `make setup`
	CGO_ENABLED=1 $(GO) build -tags desktop,production,webkit2_41 -trimpath \
		-ldflags "-X main.version=$(shell git describe --tags --always --dirty 2>/dev/null || echo dev)" \
		-o bin/hms-desktop ./desktop

clean:
	rm -rf bin frontend/dist/assets frontend/dist/index.html
