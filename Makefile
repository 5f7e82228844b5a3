# Stafett — the two commands a newcomer needs are `make run` and `make test`.
# Everything else here is what they are made of.

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The local OpenID Connect provider (devidp) that stands in for ID-porten and
# Fjordvik's staff login in development; always on 127.0.0.1.
IDP_PORT ?= 8001
PYTEST_ARGS ?=

.PHONY: run test test-e2e setup demo messages lock lint clean

# The worker (django.tasks, database backend) runs the follow-up rules and the
# e-mail digests; run_followup puts them on its queue every five minutes.
# seal_audit chains the audit rows appended since its last pass (docs/audit.md).
# devidp, the local test login for families and Fjordvik's staff, runs beside
# it on IDP_PORT, configured by `python -m devidp dev-env`.
run: setup demo ## start the app with demo data on http://127.0.0.1:8000, its worker and the local test login
	@eval "$$($(PY) -m devidp dev-env --port $(IDP_PORT) --app http://$(HOST):$(PORT))"; \
	  trap 'kill 0' EXIT INT TERM; \
	  $(PY) -m devidp --port $(IDP_PORT) & \
	  $(PY) manage.py db_worker & \
	  $(PY) manage.py run_followup --every 300 & \
	  $(PY) manage.py seal_audit --every 5 & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

# The browser tests check accessibility with axe-core from npm: `make test`
# fetches it when npm is on this machine (without Chromium they are skipped).
AXE := node_modules/axe-core/axe.min.js
NPM := $(shell command -v npm 2>/dev/null)

# PYTEST_ARGS goes to pytest through the shell, so quoting works:
#   make test PYTEST_ARGS='-m "not e2e"'
test: setup $(if $(NPM),$(AXE)) ## the whole test suite (browser tests included when Chromium is installed)
	$(PY) -m pytest $(PYTEST_ARGS)

test-e2e: setup $(AXE) ## the browser journeys only
	STAFETT_REQUIRE_BROWSER=1 $(PY) -m pytest -m e2e $(PYTEST_ARGS)

setup: $(STAMP) messages
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0

demo: setup
	$(PY) manage.py seed_demo --url http://$(HOST):$(PORT)/

$(STAMP): requirements.lock
	@PYTHON_BIN="$$(scripts/find-python)" || exit 1; \
	  echo "Creating $(VENV) with $$PYTHON_BIN"; \
	  "$$PYTHON_BIN" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $(STAMP)

# The message catalogues are compiled with Babel so that no gettext install is needed.
messages: $(STAMP)
	@$(PY) scripts/compile_messages.py

$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lock: ## re-resolve requirements.lock from pyproject.toml
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.12 --generate-hashes -o requirements.lock

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules
