# Two commands do all set-up on a fresh machine:
#   make dev    install, start the local database, load demo data, serve API + GraphiQL
#   make test   lint and layers (import-linter), types, SDL check, unit and integration tests (what CI runs)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
UV ?= $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
PORT ?= 8000
DEMO_CUSTOMERS ?= 1000
SCALE ?= 1.0

.PHONY: dev test setup uv deps web-deps web-build web-check web-dev browser db db-stop seed serve lint types schema schema-check unit bench bench-tracing clean

dev: setup web-build db seed serve

test: setup browser schema-check lint types web-check unit

uv:
	@command -v uv >/dev/null 2>&1 || test -x "$(UV)" || python3 -m pip install --quiet --user uv

deps: uv
	@"$(UV)" sync --frozen --quiet

web-deps:
	@cd web && npm ci --no-audit --no-fund --loglevel=error

setup: deps web-deps

# The staff SPA (web/src) built into web/dist, which the API serves at /.
web-build: web-deps
	cd web && npm run build

# Generated GraphQL types up to date, types, lint, component tests, build, size budget.
web-check: web-deps
	cd web && npm run codegen:check
	cd web && npx tsc --noEmit
	cd web && npm run lint
	cd web && npx vitest run
	cd web && npm run build
	cd web && npm run budget

# Vite dev server with hot reload on http://127.0.0.1:5173/, /graphql proxied to the API
# on 127.0.0.1:$(PORT) (run `make serve` beside it).
web-dev: web-deps
	cd web && API_PROXY=http://127.0.0.1:$(PORT) npx vite

# Browser tests drive Debian's Chromium (no browser download of a test tool's own).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  elif sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; \
	  else echo "install Debian's chromium (sudo apt-get install chromium) for the browser tests"; exit 1; fi; }

db: deps
	@"$(UV)" run python -m infra.localdb start >/dev/null

db-stop:
	@"$(UV)" run python -m infra.localdb stop

seed: db
	@MONGODB_URI="$$("$(UV)" run python -m infra.localdb start)" \
	  "$(UV)" run python -m api seed --customers $(DEMO_CUSTOMERS) --seed 1 --if-empty
	@MONGODB_URI="$$("$(UV)" run python -m infra.localdb start)" \
	  "$(UV)" run python -m api users demo

serve: db
	@echo "App on http://127.0.0.1:$(PORT)/ ; API and GraphiQL on http://127.0.0.1:$(PORT)/graphql"
	@MONGODB_URI="$$("$(UV)" run python -m infra.localdb start)" \
	  "$(UV)" run python -m api serve --port $(PORT)

lint: deps
	"$(UV)" run ruff check .
	"$(UV)" run ruff format --check .
	"$(UV)" run lint-imports

types: deps
	"$(UV)" run mypy

schema: deps
	"$(UV)" run python -m schema.export

schema-check: deps
	"$(UV)" run python -m schema.export --check

unit: deps
	"$(UV)" run pytest

bench: deps
	"$(UV)" run python -m tests.benchmarks.run --scale $(SCALE)

bench-tracing: deps
	"$(UV)" run python -m tests.benchmarks.tracing

# Lambda cold start over fresh processes (docs/performance.md, "Lambda cold start");
# figures in bench-output/lambda-cold-start.json and .md.
.PHONY: bench-lambda bench-hour
bench-lambda: deps
	"$(UV)" run python -m tests.benchmarks.lambda_cold_start

# Recomputing the hour that is receiving events: whole, one slice, all slices.
bench-hour: deps
	"$(UV)" run python -m tests.benchmarks.current_hour

# Deployment (docs/deployment.md): the Lambda bundle .build/lambda.zip (sizes in
# bench-output/lambda-package.json), and the static site .build/site that
# infra/deploy_spa.py uploads (web/dist, tracker.js, GraphiQL's scripts).
.PHONY: lambda-package spa-bundle
lambda-package: deps
	"$(UV)" run python -m infra.lambda_package

spa-bundle: deps web-build
	"$(UV)" run python -m infra.deploy_spa bundle

clean: db-stop
	rm -rf .cache/localdb bench-output test-output

# Load test with locust (docs/performance.md, "Load test"): 1x and 10x the baseline
# users on 1 and 2 uvicorn workers, on a fresh private FerretDB; figures in
# bench-output/load.json and docs/performance.md. LOAD_ARGS=--quick runs it all in
# about a minute; `make load-soak` runs the 1x mix for SOAK_SECONDS and reports memory.
SOAK_SECONDS ?= 600
LOAD_ARGS ?=

.PHONY: load load-soak

load: deps
	"$(UV)" run python -m tests.load.run $(LOAD_ARGS)

load-soak: deps
	"$(UV)" run python -m tests.load.run --soak $(SOAK_SECONDS) $(LOAD_ARGS)

# Insights at 10^5, 10^6 and 10^7 events (docs/performance.md, "Insights"): trends
# through the API and in the bare engine, and accepted-to-visible while events flow.
.PHONY: bench-insights
bench-insights: deps
	"$(UV)" run python -m tests.benchmarks.insights $(INSIGHTS_ARGS)
