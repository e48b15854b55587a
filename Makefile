# HMS — see README.md. `make run` starts the server on the embedded database; `make test` runs every test.
GO ?= go

.PHONY: all build run test setup bench-patient bench-hub bench-booking demo vet fmt clean desktop

all: build

build: ## build the server to bin/hms
	$(GO) build -trimpath -o bin/hms ./server/cmd/hms

run: build ## start the server on the embedded default (no external services)
	scripts/run.sh

test: ## install/start what the tests need, then run them all with -race
	scripts/test.sh

setup: ## install the Debian packages the tests need (redis-server, PostgreSQL)
	bash -c 'source scripts/lib.sh && ensure_redis_binary && ensure_postgres'

bench-patient: build ## p50/p99 of GET /api/patient/{id} under 16 concurrent clients, embedded default
	scripts/bench-patient.sh

bench-hub: ## hub load test: 5000 websocket clients, 20 emergency alerts, server with Redis
	scripts/bench-hub.sh -clients $(or $(CLIENTS),5000) -alerts $(or $(ALERTS),20)

bench-booking: ## bookings/s and latency under 32 clients, and a 300-patient race for one slot, embedded default
	scripts/bench-booking.sh

demo: ## seed a demo hospital into the running server (make run) and play a morning of queues
	scripts/demo $(DEMO_FLAGS)

vet:
	$(GO) vet ./server/... ./shared/... ./frontend/... ./desktop/...

fmt:
	gofmt -w server shared frontend desktop

desktop: ## placeholder until the desktop app lands
	$(GO) build -o bin/hms-desktop ./desktop

clean:
	rm -rf bin
