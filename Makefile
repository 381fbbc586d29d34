# One virtualenv for the project; every target installs what it needs into it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export LITELLM_LOCAL_MODEL_COST_MAP ?= True
export LITELLM_OFFLINE_MODE ?= true
export HF_HUB_OFFLINE ?= 1
export TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS ?=

.PHONY: install demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The main job on the embedded defaults: no Redis server, no API keys.
## Exit code 6 (completed, some items failed) is the demo working: its input has broken lines.
demo: $(STAMP)
	@echo "+ ROUTER_SIMULATE=1 router batch submit examples/prompts.jsonl --name demo --wait"
	@job=$$(ROUTER_SIMULATE=1 $(BIN)/router batch submit examples/prompts.jsonl --name demo --wait); \
	  code=$$?; if [ $$code -ne 0 ] && [ $$code -ne 6 ]; then exit $$code; fi; \
	  echo "+ router costs --where job=$$job --include-simulated --by model"; \
	  $(BIN)/router costs --where job=$$job --include-simulated --by model

lint: $(STAMP)
	$(BIN)/ruff check router workers tests benchmarks scripts
	$(BIN)/ruff format --check router workers tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy router workers

unit: $(STAMP)
	$(BIN)/pytest

## Everything CI runs: lint, types, the whole test suite.
test: lint typecheck unit

## Every benchmark, each printing its figures beside a baseline from the same run.
## Some flush Redis databases 6, 7, 10, 13 and 14 (never 0), each claimed first so that no test run
## uses it meanwhile (tests/support/redis_claim.py); the full set takes about 15 minutes.
BENCHMARKS := route language sensitivity tokens calls ratelimit ledger batch replay domain gateway disconnect
bench: $(STAMP)
	@for name in $(BENCHMARKS); do echo "== benchmarks/bench_$$name.py"; \
	  $(BIN)/python benchmarks/bench_$$name.py || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
