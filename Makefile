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
# The SAM CLI lives in its own virtualenv (it pins boto3 and pulls awscrt): never in the app's .venv.
SAM_CLI_VERSION := 1.170.0
SAM := .tools/sam/bin/sam
# sam build checks that the runtime's interpreter (python3.12) is on PATH; .tools/python3.12-bin provides it.
PY312_BIN := $(CURDIR)/.tools/python3.12-bin
ENV ?= dev
REGION ?= eu-west-3
AXE := .tools/node_modules/axe-core/axe.min.js

.PHONY: setup system-packages run test lint typecheck cfn-lint asl-lint pytest unit integration e2e browser \
        openapi openapi-check docs docs-check token advance bench clean build sam-tools configure operator-property \
        operator-add cost axe screenshots fuzz

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

## sam-tools: the SAM CLI in .tools/sam, on a Python 3.12 found on PATH or through pyenv
sam-tools: $(SAM) $(PY312_BIN)/python3.12

$(PY312_BIN)/python3.12:
	@mkdir -p $(PY312_BIN)
	@for c in "$$(command -v python3.12)" "$$(PYENV_VERSION=3.12 pyenv which python3.12 2>/dev/null)" \
	    $$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 2>/dev/null); do \
	  exe=$$("$$c" -c 'import sys; assert sys.version_info[:2] == (3, 12); print(sys.executable)' 2>/dev/null) && \
	  { ln -sf "$$exe" $@; echo "python3.12: $$exe"; exit 0; }; \
	done; echo "Python 3.12 is needed by sam build: install it (pyenv install 3.12, or your package manager)"; exit 1

$(SAM): | $(PY312_BIN)/python3.12
	$(PY312_BIN)/python3.12 -m venv .tools/sam
	.tools/sam/bin/pip install --quiet --upgrade pip
	.tools/sam/bin/pip install --quiet aws-sam-cli==$(SAM_CLI_VERSION)
	touch $@

## build: sam validate --lint and sam build (no container: wheels for the template's architecture)
build: sam-tools
	PATH=$(PY312_BIN):$$PATH $(SAM) validate --lint --region $(REGION)
	PATH=$(PY312_BIN):$$PATH $(SAM) build --region $(REGION)

## configure: after the first `sam deploy`, store Stripe keys, register the webhook, check SES (ENV=dev|prod)
configure: setup
	$(PY) -m deploy.configure --env $(ENV) --region $(REGION)

## operator-property: create PROPERTY with its first owner OWNER in the deployed ENV (operator credentials)
operator-property: setup
	$(PY) -m deploy.operator create-property --env $(ENV) --region $(REGION) --property $(PROPERTY) --owner $(OWNER)

## operator-add: make EMAIL an operator of ENV (may create properties, register booking engines)
operator-add: setup
	$(PY) -m deploy.operator add-operator --env $(ENV) --region $(REGION) --email $(EMAIL)

## run: API + widget demo + schedules + outbox on 127.0.0.1:$(REVENIR_PORT), no AWS account needed.
## Data is kept in .local-state/ across restarts; FRESH=1 starts empty with the demo seed; JSON_LOGS=1 prints
## the functions' JSON logs and REPORT lines instead of one readable line per request (docs/local-runtime.md)
FRESH ?=
JSON_LOGS ?=
run: setup
	$(PY) -m local $(if $(filter 1 true yes,$(FRESH)),--fresh) $(if $(filter 1 true yes,$(JSON_LOGS)),--json-logs)

## test: every quality gate and every test tier (what CI runs). The two slow tiers, pytest and the fuzzer, run
## side by side once the gates pass (each on its own local runtime and free ports; the fuzzer niced, so the timed
## browser tests keep the CPU); each one's output is printed whole when it ends.
test: setup system-packages lint typecheck cfn-lint asl-lint openapi-check docs-check build
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest fuzz

lint: setup
	$(VENV)/bin/ruff check .

typecheck: setup
	$(VENV)/bin/mypy layers/revenir/revenir functions local bench tests deploy

cfn-lint: setup
	$(VENV)/bin/cfn-lint template.yaml

## asl-lint: every state machine checked by an independent validator (npm asl-validator)
asl-lint: $(ASL_VALIDATOR)
	$(ASL_VALIDATOR) $(foreach f,$(wildcard statemachines/*.asl.json),--json-path $(f))

pytest: setup $(AXE)
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

## docs: regenerate the docs' generated sections (route tables, package map); docs-check fails when stale
docs: setup
	$(PY) -m local.docs --write
docs-check: setup
	$(PY) -m local.docs --check

## fuzz: schemathesis (an independent client) over every operation of /v1/openapi.json of `python -m local`,
## with demo's token: no 5xx, every response matching its schema; bounded (FUZZ_MAX_EXAMPLES per operation)
FUZZ_MAX_EXAMPLES ?= 25
fuzz: setup
	FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) nice -n 10 $(PY) -m tests.fuzz.run

## token: print an admin token for PROPERTY (default demo), valid with the local runtime's secret
token: setup
	@$(PY) -m local.tokens $(PROPERTY)

## advance: move the running local runtime's clock forward by SECONDS (default 3600) and fire schedules
advance:
	@curl -s -X POST "http://127.0.0.1:$(REVENIR_PORT)/_local/clock/advance?seconds=$(SECONDS)"; echo

## bench: cold-start and DynamoDB-call figures, as ratios measured in one run
bench: setup
	$(PY) -m bench

## cost: monthly AWS cost at 10, 1,000 and 10,000 properties, from the calls each request makes (docs/cost.md)
cost: setup
	$(PY) -m bench.cost

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .aws-sam

## axe: the pinned axe-core the browser tests inject to check accessibility (tests only, never served)
axe: $(AXE)
$(AXE):
	npm install --silent --no-audit --no-fund --prefix .tools axe-core@4.10.3

## screenshots: run the back-office and guest-page browser tests and refresh their pictures (docs/screenshots/)
screenshots: setup $(AXE)
	REVENIR_SCREENSHOTS=docs/screenshots $(PY) -m pytest -q tests/browser/test_admin_screens.py tests/browser/test_admin_flows.py \
		tests/browser/test_guest_pages.py tests/browser/test_guest_server_pages.py
