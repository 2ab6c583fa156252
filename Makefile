# Entry points: `make demo`, `make test`, `make bench`. Everything installs itself:
# Python deps into .venv, npm deps with `npm ci` from the committed lockfiles,
# Debian's chromium and nginx (for the end-to-end tests) with apt-get when missing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FRONTEND := example/frontend
STAFF_FRONTEND := example/staff-frontend
SPA_FIXTURE := tests/fixtures/spa-frontend
# The second example project: a Vue 3 and a Svelte 5 frontend (docs/frameworks.md).
FRAMEWORKS := example-frameworks
FRAMEWORK_FRONTENDS := $(FRAMEWORKS)/vue-frontend $(FRAMEWORKS)/svelte-frontend
HOST := 127.0.0.1
PORT := 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export NPM_CONFIG_FUND := false
export NPM_CONFIG_AUDIT := false

.PHONY: dist demo demo-frameworks dev test test-matrix test-fast test-e2e test-js bench setup python-deps node-deps frontend system-deps lint typecheck clean

demo: setup frontend
	cd example && ../$(PY) manage.py migrate --noinput
	cd example && ../$(PY) manage.py demo_user
	cd example && ../$(PY) manage.py collectstatic --noinput -v 0
	@echo "Serving the example on http://$(HOST):$(PORT)/ (log in as demo / demo-password-123)"
	cd example && ../$(VENV)/bin/gunicorn example.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile -

# The second example project (Vue 3 and Svelte 5) on the same address.
demo-frameworks: setup frontend
	cd $(FRAMEWORKS) && ../$(PY) manage.py collectstatic --noinput -v 0
	@echo "Serving the Vue and Svelte example on http://$(HOST):$(PORT)/"
	cd $(FRAMEWORKS) && ../$(VENV)/bin/gunicorn frameworks.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

# Development on the same URLs as `make demo`: Vite + Django, one origin (docs/development.md).
dev: setup
	cd example && DJANGO_DEBUG=1 ../$(PY) manage.py migrate --noinput
	cd example && DJANGO_DEBUG=1 ../$(PY) manage.py demo_user
	cd example && DJANGO_DEBUG=1 ../$(PY) manage.py duet dev $(HOST):$(PORT)

# `make frontend` just built the example: the duet pytest plugin's duet_build uses that build
# (DUET_BUILD=trust) and records its hash, so a later plain `pytest` reuses it too. Two pytest-xdist
# workers, one per core: most tests wait on a browser, a server or a build, and the suite keeps
# within its 20-minute budget (one worker: about 21 minutes of pytest alone).
test: setup frontend system-deps lint typecheck test-js
	DUET_BUILD=trust $(PY) -m pytest -n 2

# The support matrix beside `make test` (Django 5.2 on the default Python 3.11): Django 6.1 on
# pyenv's CPython 3.12 and 3.13, each in its own venv (.venv-dj6-py312, .venv-dj6-py313). On each:
# the unit and integration suites; then, on Django 6.1, the browser tests that depend on Django's
# version: the tags under a strict CSP (Django's own middleware and django-csp), sessions and
# CSRF, the client routes and the islands.
MATRIX_PYTHONS := 3.12 3.13
MATRIX_DJANGO := Django>=6.1,<6.2
MATRIX_E2E := tests/e2e/test_csp_native.py tests/e2e/test_csp.py tests/e2e/test_sessions.py \
	tests/e2e/test_drf_ninja_csrf.py tests/e2e/test_hybrid_production.py tests/e2e/test_islands.py
MATRIX_VENVS := $(foreach v,$(MATRIX_PYTHONS),.venv-dj6-py$(subst .,,$(v)))

test-matrix: setup frontend system-deps $(foreach v,$(MATRIX_VENVS),$(v)/.deps-installed)
	@set -e; for venv in $(MATRIX_VENVS); do \
		echo "== $$venv: $$($$venv/bin/python -c 'import django, sys; print("Django", django.__version__, "on Python", sys.version.split()[0])')"; \
		DUET_BUILD=trust $$venv/bin/python -m pytest -q -m "not e2e" -p no:randomly; \
	done
	@echo "== $(firstword $(MATRIX_VENVS)): browser tests on Django 6.1"
	DUET_BUILD=trust $(firstword $(MATRIX_VENVS))/bin/python -m pytest -q -m e2e -p no:randomly $(MATRIX_E2E)

# .venv-dj6-py312 from pyenv's newest 3.12.x (py313: 3.13.x), or from PYTHON312=/path/to/python3.12,
# with the dev extra and Django 6.1.
.venv-dj6-py%/.deps-installed: pyproject.toml
	@version=$$(echo "$*" | sed 's/^3/3./'); interpreter="$(PYTHON$*)"; \
	if [ -z "$$interpreter" ]; then \
		command -v pyenv >/dev/null 2>&1 || { echo "make test-matrix: no pyenv to find CPython \
$$version. Install pyenv and run pyenv install $$version, or set PYTHON$*=/path/to/python$$version."; \
			exit 1; }; \
		found=$$(pyenv versions --bare | grep -x "$$version\.[0-9][0-9]*" | sort -V | tail -1); \
		[ -n "$$found" ] || { echo "make test-matrix: pyenv has no CPython $$version (it has: \
$$(pyenv versions --bare | tr '\n' ' ')). Run pyenv install $$version, or set PYTHON$*=/path/to/python$$version."; \
			exit 1; }; \
		interpreter=$$(PYENV_VERSION=$$found pyenv which python); \
	fi; \
	echo "Creating $(@D) with $$interpreter"; \
	test -x $(@D)/bin/python || $$interpreter -m venv $(@D); \
	$(@D)/bin/python -m pip install -q --upgrade pip; \
	$(@D)/bin/python -m pip install -q -e ".[dev]" "$(MATRIX_DJANGO)"
	touch $@

test-fast: python-deps
	$(PY) -m pytest -m "not e2e"

test-js: node-deps
	cd js && npm test && npm run typecheck

setup: python-deps node-deps

python-deps: $(VENV)/.deps-installed

$(VENV)/.deps-installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

# tests/build/test_vite_majors.py: one small frontend per supported Vite major.
VITE_MAJORS_STAMPS := $(foreach v,5 6 7 8,tests/fixtures/vite-majors/vite$(v)/node_modules/.ci-stamp)
node-deps: js/node_modules/.ci-stamp $(FRONTEND)/node_modules/.ci-stamp \
	$(STAFF_FRONTEND)/node_modules/.ci-stamp $(SPA_FIXTURE)/node_modules/.ci-stamp \
	js/dist/vite.js $(VITE_MAJORS_STAMPS) tests/fixtures/api-frontend/node_modules/.ci-stamp \
	$(foreach f,$(FRAMEWORK_FRONTENDS),$(f)/node_modules/.ci-stamp)

js/node_modules/.ci-stamp: js/package-lock.json
	cd js && npm ci
	touch $@

js/dist/vite.js: js/node_modules/.ci-stamp $(wildcard js/src/*.ts js/src/*.cts js/src/*/*.ts)
	cd js && npm run build

$(FRONTEND)/node_modules/.ci-stamp: $(FRONTEND)/package-lock.json js/package.json
	cd $(FRONTEND) && npm ci
	touch $@

$(STAFF_FRONTEND)/node_modules/.ci-stamp: $(STAFF_FRONTEND)/package-lock.json js/package.json
	cd $(STAFF_FRONTEND) && npm ci
	touch $@

# The SPA of docs/spa.md (tests/e2e/test_spa_static_host.py builds it once per run).
$(SPA_FIXTURE)/node_modules/.ci-stamp: $(SPA_FIXTURE)/package-lock.json js/package.json
	cd $(SPA_FIXTURE) && npm ci
	touch $@

# openapi-typescript, openapi-fetch and tsc for duet types' API part (tests/contract/test_api*.py).
tests/fixtures/api-frontend/node_modules/.ci-stamp: tests/fixtures/api-frontend/package-lock.json js/package.json
	cd tests/fixtures/api-frontend && npm ci
	touch $@

$(FRAMEWORKS)/%/node_modules/.ci-stamp: $(FRAMEWORKS)/%/package-lock.json js/package.json
	cd $(FRAMEWORKS)/$* && npm ci
	touch $@

tests/fixtures/vite-majors/%/node_modules/.ci-stamp: tests/fixtures/vite-majors/%/package-lock.json js/package.json
	cd tests/fixtures/vite-majors/$* && npm ci
	touch $@

# Built once per `make test` run; the tests use this build.
# `vite build` builds the browser entries, then the server bundle that {% duet_render %} runs
# (duetSsr() in the example's vite.config.ts): both land in $(FRONTEND)/dist. Then the
# example's second frontend, the staff tools (DUET["FRONTENDS"]["staff"], docs/frontends.md).
frontend: node-deps
	cd $(FRONTEND) && npm run build
	cd $(STAFF_FRONTEND) && npm run build
	set -e; for f in $(FRAMEWORK_FRONTENDS); do (cd $$f && npm run build); done

# Debian packages the end-to-end tests drive: Chromium, nginx (+ its brotli_static module).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	test -e /usr/share/nginx/modules-available/mod-http-brotli-static.conf \
		|| missing="$$missing libnginx-mod-http-brotli-static"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# Benchmarks (docs/benchmarks.md): `make bench` runs them all in under about ten minutes;
# `make soak` runs the load and static benchmarks longer. django-vite, the peer the tag benchmark
# compares with, goes into a folder of its own, never into the project's dependencies.
BENCH_DEPS := $(VENV)/bench-deps
.PHONY: bench-deps soak

bench: setup frontend system-deps bench-deps
	$(PY) bench/run.py

soak: setup frontend system-deps bench-deps
	DUET_BENCH_ROUNDS=5 DUET_BENCH_SECONDS=5 DUET_BENCH_MEMORY_SECONDS=120 \
	DUET_BENCH_LOAD_SECONDS=300 DUET_BENCH_PAGE_SECONDS=60 DUET_BENCH_MEMORY_REQUESTS=100000 \
	DUET_BENCH_SCALING_SECONDS=60 $(PY) bench/run.py static load scaling
	$(PY) bench/soak_swap.py --seconds 60 --connections 64 --swap-every 5
	DUET_FUZZ_EXAMPLES=5000 $(PY) -m pytest -q -p no:cacheprovider tests/security/test_fuzz.py

bench-deps: python-deps
	@command -v wrk >/dev/null 2>&1 || { echo "Installing Debian package: wrk"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	test -d $(BENCH_DEPS)/django_vite || \
		$(PY) -m pip install -q --no-deps --target $(BENCH_DEPS) "django-vite==3.2.0"

lint: python-deps
	$(VENV)/bin/ruff check src tests example example-frameworks bench
	$(VENV)/bin/ruff format --check src tests example example-frameworks bench

typecheck: python-deps
	$(VENV)/bin/mypy

# The release artifacts, one version: the wheel and sdist (python -m build) and the npm tarball,
# then tools/check_dist.py (tools/dist.py; tests/e2e/test_first_hour.py builds them the same way).
dist: python-deps node-deps
	$(PY) tools/dist.py dist

clean:
	rm -rf $(VENV) js/node_modules js/dist $(FRONTEND)/node_modules $(FRONTEND)/dist example/staticfiles example/db.sqlite3 $(STAFF_FRONTEND)/node_modules $(STAFF_FRONTEND)/dist tests/fixtures/vite-majors/*/node_modules
