# Two commands run everything: `make dev` (the whole system on this machine) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)


.PHONY: openapi
openapi: $(VENV)/.installed  ## write functions/openapi.yaml from the functions' declared operations (then: cd frontend && npm run gen:api)
	$(PY) -m functions.runtime.openapi

.PHONY: dev test test-unit test-integration test-e2e test-storefront storefront-budget fuzz migrate seed admin token bench load lock clean
.PHONY: docs status verify trace dead-letters replay-dead-letters rebuild-reports

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

dev: $(VENV)/.installed  ## run the whole system: database, migrations, seed, gateway, functions
	@$(PY) -m compileall -q functions  # bytecode now, so no function's first cold start compiles it
	$(PY) -m localrun.dev

test: $(VENV)/.installed have-shellcheck  ## every test: unit, integration (real Postgres), manifests, end to end, storefront
	$(PY) -m pytest
	$(MAKE) --no-print-directory test-storefront

# npm ci when node_modules is missing or older than the lock file (npm ci rewrites this marker).
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

test-storefront: $(VENV)/.installed have-chromium frontend/node_modules/.package-lock.json  ## lint, types, Vitest, browser tests
	cd frontend && npm run --silent lint && npm run --silent typecheck && npm test --silent && npm run --silent e2e

storefront-budget: $(VENV)/.installed frontend/node_modules/.package-lock.json  ## listing page: first-load JS (gzip), warm render time
	cd frontend && npm run --silent budget

test-unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit tests/localrun/unit

test-integration: $(VENV)/.installed
	$(PY) -m pytest tests/integration tests/localrun/integration

test-e2e: $(VENV)/.installed
	$(PY) -m pytest tests/e2e tests/localrun/e2e

test-manifests: $(VENV)/.installed have-shellcheck  ## the static checks of knative/ and kind-cluster/
	$(PY) -m pytest tests/manifests

fuzz: $(VENV)/.installed  ## schemathesis against the live local stack, longer than make test's run: make fuzz EXAMPLES=500
	FUZZ_EXAMPLES=$(or $(EXAMPLES),300) $(PY) -m pytest tests/e2e/test_api_fuzz.py

migrate: $(VENV)/.installed  ## apply every domain's migrations (re-running is a no-op)
	$(PY) -m localrun.dev migrate

seed: $(VENV)/.installed  ## load the demo catalog (idempotent)
	$(PY) -m localrun.dev seed

admin: $(VENV)/.installed  ## make a registered user an admin: make admin EMAIL=you@example.com
	$(PY) -m localrun.dev admin --email "$(EMAIL)"

token: $(VENV)/.installed  ## print a dev access token: make token ROLE=admin
	$(PY) -m localrun.dev token --role $(or $(ROLE),customer)

docs: $(VENV)/.installed  ## write README.md's domain table and event-flow diagram from the manifests and events/catalog.yaml
	$(PY) docs/domains.py

verify: $(VENV)/.installed  ## check the checkout's invariants in every schema (read-only role) and the dead letters
	$(PY) -m localrun.verify $(if $(GRACE),--grace $(GRACE))

trace: $(VENV)/.installed  ## one order's path across functions and events, with timings: make trace ID=<order id> [LOGS=.data/dev.log]
	$(PY) -m localrun.trace "$(ID)" $(if $(LOGS),--logs "$(LOGS)")

status: $(VENV)/.installed  ## what the running make dev stack is doing: functions, broker queues and dead letters, outboxes
	$(PY) -m localrun.dev status

rebuild-reports: $(VENV)/.installed  ## empty the sales projection (schema reporting) and replay every domain's sent outbox rows into it
	$(PY) -m localrun.rebuild_reports

dead-letters: $(VENV)/.installed  ## list the events the local broker dead-lettered (type, id, subject, code, dest)
	$(PY) -m localrun.broker dead-letters

replay-dead-letters: $(VENV)/.installed  ## republish dead letters to the exchange (all, or ID=<event id>)
	$(PY) -m localrun.broker dead-letters --replay $(if $(ID),--id "$(ID)")

bench: $(VENV)/.installed  ## the benchmarks, then one table of every figure beside its floor (bench/summary.py)
	@rm -f .data/bench/*.json
	$(PY) -m compileall -q functions localrun bench
	$(PY) bench/cold_start.py
	$(PY) bench/catalog.py
	$(PY) bench/auth.py
	$(PY) bench/events.py
	$(PY) bench/checkout.py
	$(PY) bench/summary.py

load: $(VENV)/.installed  ## the load test (locust, Online Boutique's mix) on a stack of its own: make load USERS=200 DURATION=60s
	$(PY) -m compileall -q functions localrun bench
	$(PY) bench/load.py --users $(or $(USERS),200) --duration $(or $(DURATION),60s) $(if $(RATE),--spawn-rate $(RATE))

lock:  ## re-resolve the pinned versions in constraints.txt
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable > constraints.txt && rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache frontend/node_modules frontend/.next frontend/test-results

# --- Kubernetes (kind): kind-cluster/README.md -------------------------------------------------
.PHONY: have-shellcheck have-chromium test-manifests cluster cluster-down images print-images deploy manifests
REGISTRY ?= localhost:5001
# One image per domain (functions/<domain>/main.py: ecom-<domain>) and the migrations' (ecom-migrate),
# all from knative/images/Dockerfile: the domain is a build argument, the migrations a target.
DOMAINS := $(patsubst functions/%/main.py,%,$(wildcard functions/*/main.py))
IMAGE_NAMES := $(DOMAINS) migrate

# The manifest tests run shellcheck on kind-cluster/*.sh: install it (Debian) when it is missing.
have-shellcheck:
	@command -v shellcheck >/dev/null 2>&1 || { \
	  echo "make: installing shellcheck (apt-get), which the manifest checks run"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=; elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
	  else echo "make: shellcheck is missing and this user cannot install it: apt-get install shellcheck" >&2; exit 1; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq shellcheck >/dev/null \
	    || { echo "make: could not install shellcheck (apt-get install shellcheck)" >&2; exit 1; }; \
	}

# The storefront's browser tests drive Debian's Chromium (never a browser downloaded by a test tool).
have-chromium:
	@test -x /usr/bin/chromium || { \
	  echo "make: installing chromium (apt-get), which the storefront's browser tests drive"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=; elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
	  else echo "make: chromium is missing and this user cannot install it: apt-get install chromium" >&2; exit 1; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium >/dev/null \
	    || { echo "make: could not install chromium (apt-get install chromium)" >&2; exit 1; }; \
	}

manifests:  ## write knative/services/ (Knative Services, relays) from knative/services/functions.toml
	$(PYTHON) knative/services/generate.py

cluster:  ## create the kind cluster with Knative, RabbitMQ, CloudNativePG and Kong (idempotent)
	kind-cluster/cluster.sh

cluster-down:  ## delete the kind cluster and its local registry
	kind-cluster/cluster-down.sh

# The tag of this build: the git revision, plus a hash of uncommitted changes (image-tag.sh).
IMAGE_TAG ?= $(shell kind-cluster/image-tag.sh)

print-images:  ## the images make images builds, with this revision's tag (deploy.sh and the tests read it)
	@printf '$(REGISTRY)/ecom-%s:$(IMAGE_TAG)\n' $(IMAGE_NAMES)

images:  ## build and push one image per domain, and the migration image, tagged with the git revision
	@command -v docker >/dev/null 2>&1 || { echo "make images needs docker" >&2; exit 1; }
	@set -e; tag="$(IMAGE_TAG)"; for name in $(IMAGE_NAMES); do \
	  echo "== $(REGISTRY)/ecom-$$name:$$tag"; \
	  if [ "$$name" = migrate ]; then build="--target migrate"; else build="--build-arg DOMAIN=$$name"; fi; \
	  docker build -f knative/images/Dockerfile $$build -t $(REGISTRY)/ecom-$$name:$$tag . ; \
	  docker push $(REGISTRY)/ecom-$$name:$$tag ; \
	done

deploy: images  ## build the images, then apply knative/ to the kind cluster and wait until it serves
	IMAGE_TAG="$(IMAGE_TAG)" kind-cluster/deploy.sh
