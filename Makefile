# Revenir — everything a fresh clone needs. `make run` starts the whole system locally; `make test` tests it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
REVENIR_PORT ?= 3000
SECONDS ?= 3600
PROPERTY ?= demo
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

ASL_VALIDATOR := .tools/node_modules/.bin/asl-validator

.PHONY: setup system-packages run test lint typecheck cfn-lint asl-lint pytest unit integration e2e browser \
        openapi openapi-check token advance bench clean

## setup: the virtualenv with the app and every dev tool (idempotent)
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@

## system-packages: Debian's Chromium for the browser tests (Playwright drives it; no browser download),
## and Node.js/npm for the independent ASL validator
system-packages:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	@command -v npm >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }

$(ASL_VALIDATOR):
	npm install --silent --no-audit --no-fund --prefix .tools asl-validator@4.0.0

## run: API + widget demo + schedules + outbox on 127.0.0.1:$(REVENIR_PORT), no AWS account needed.
## Data is kept in .local-state/ across restarts; FRESH=1 starts empty with the demo seed; JSON_LOGS=1 prints
## the functions' JSON logs and REPORT lines instead of one readable line per request (docs/local-runtime.md)
FRESH ?=
JSON_LOGS ?=
run: setup
	$(PY) -m local $(if $(filter 1 true yes,$(FRESH)),--fresh) $(if $(filter 1 true yes,$(JSON_LOGS)),--json-logs)

## test: every quality gate and every test tier (what CI runs)
test: setup system-packages lint typecheck cfn-lint asl-lint openapi-check pytest

lint: setup
	$(VENV)/bin/ruff check .

typecheck: setup
	$(VENV)/bin/mypy layers/revenir/revenir

cfn-lint: setup
	$(VENV)/bin/cfn-lint template.yaml

## asl-lint: every state machine checked by an independent validator (npm asl-validator)
asl-lint: $(ASL_VALIDATOR)
	$(ASL_VALIDATOR) $(foreach f,$(wildcard statemachines/*.asl.json),--json-path $(f))

pytest: setup
	$(PY) -m pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

unit: setup
	$(PY) -m pytest tests/unit
integration: setup
	$(PY) -m pytest tests/integration
e2e: setup
	$(PY) -m pytest -m e2e

## openapi: regenerate functions/platform/openapi.json from every function's resolver
openapi: setup
	$(PY) -m local.openapi --write
openapi-check: setup
	$(PY) -m local.openapi --check

## token: print an admin token for PROPERTY (default demo), valid with the local runtime's secret
token: setup
	@$(PY) -m local.tokens $(PROPERTY)

## advance: move the running local runtime's clock forward by SECONDS (default 3600) and fire schedules
advance:
	@curl -s -X POST "http://127.0.0.1:$(REVENIR_PORT)/_local/clock/advance?seconds=$(SECONDS)"; echo

## bench: cold-start and DynamoDB-call figures, as ratios measured in one run
bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .aws-sam
