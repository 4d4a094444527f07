# Two commands run everything: `make dev` (the whole system on this machine) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)

.PHONY: dev test test-unit test-integration test-e2e migrate seed admin token bench lock clean

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

dev: $(VENV)/.installed  ## run the whole system: database, migrations, seed, gateway, functions
	$(PY) -m localrun.dev

test: $(VENV)/.installed  ## every test: unit, integration (real Postgres), end to end
	$(PY) -m pytest

test-unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit

test-integration: $(VENV)/.installed
	$(PY) -m pytest tests/integration

test-e2e: $(VENV)/.installed
	$(PY) -m pytest tests/e2e

migrate: $(VENV)/.installed  ## apply every domain's migrations (re-running is a no-op)
	$(PY) -m localrun.dev migrate

seed: $(VENV)/.installed  ## load the demo catalog (idempotent)
	$(PY) -m localrun.dev seed

admin: $(VENV)/.installed  ## make a registered user an admin: make admin EMAIL=you@example.com
	$(PY) -m localrun.dev admin --email "$(EMAIL)"

token: $(VENV)/.installed  ## print a dev access token: make token ROLE=admin
	$(PY) -m localrun.dev token --role $(or $(ROLE),customer)

bench: $(VENV)/.installed  ## cold start and catalog search benchmarks
	$(PY) bench/cold_start.py
	$(PY) bench/catalog.py

lock:  ## re-resolve the pinned versions in constraints.txt
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable > constraints.txt && rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache
