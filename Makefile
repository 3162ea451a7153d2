# newsweave task runner. `make demo` and `make test` do all the set-up they need.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= newsweave.db

.PHONY: setup system postgres demo test test-fast lint bench clean

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) (Python 3.11)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## system: Debian's Chromium and the Playwright driver for the browser tests; root or sudo
system: setup
	bash scripts/setup-browser.sh

## postgres: PostgreSQL 15 with pgvector, for the PostgreSQL store tests; root or sudo
postgres:
	bash scripts/setup-postgres.sh

## demo: set up, ingest the bundled sample corpus into $(DB), print what was found
demo: setup
	rm -f $(DB) $(DB)-wal $(DB)-shm
	$(BIN)/newsweave --db $(DB) ingest --sample
	$(BIN)/newsweave --db $(DB) status
	$(BIN)/newsweave --db $(DB) articles --limit 12
	$(BIN)/newsweave --db $(DB) stories --limit 5
	$(BIN)/newsweave --db $(DB) entities --limit 8

## test: set up and run the whole test suite (lint, types, unit, slow and integration tests)
test: setup system postgres
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	bash scripts/pytest.sh

test-fast: setup
	$(BIN)/pytest -q -m "not slow and not integration"

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks || true
	$(BIN)/mypy

bench: setup
	for b in benchmarks/*.py; do $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
