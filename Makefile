# The README's two commands are `make run` and `make test`; everything else is for developers.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-slow lint format bench setup tools clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@

setup: $(STAMP)

## Run the whole system (SQLite + the local RabbitMQ) with a demo seller.
run: setup
	$(PY) -m scripts.run

## Every test: lint, unit, integration, end-to-end and browser (installs what is missing first).
test: setup tools lint
	$(PY) -m pytest

## Without the slow fault tests.
test-fast: setup tools
	$(PY) -m pytest -m "not slow"

## Only the slow fault tests.
test-slow: setup tools
	$(PY) -m pytest -m slow

tools:
	@scripts/ensure-tools.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared services scripts bench

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: setup tools
	$(PY) -m bench

clean:
	rm -rf var test-artifacts
