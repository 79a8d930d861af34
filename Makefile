# orgdept — `make run` serves the demo on the embedded default; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench setup system-packages system-packages-test system-packages-bench messages demo lint services services-stop clean

run: system-packages setup messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	scripts/run-embedded

# Tests run against PostgreSQL and Redis: those given in DATABASE_URL/REDIS_URL (as CI does), else
# private servers on loopback started here.
test: system-packages-test setup messages lint
	@if [ -z "$$DATABASE_URL" ] || [ -z "$$REDIS_URL" ]; then \
	  eval "$$(scripts/services start | sed 's/^/export /')"; \
	fi; \
	echo "DATABASE_URL=$${DATABASE_URL%%@*}@…  REDIS_URL=$$REDIS_URL"; \
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest $(PYTEST_ARGS)

# Benchmarks at province scale (bench/README.md): the database in DATABASE_URL, else database orgdept_bench on the
# private PostgreSQL started here; data generated once, then reused. Writes bench/results/latest.md.
bench: system-packages-bench setup messages
	@if [ -z "$$DATABASE_URL" ]; then \
	  eval "$$(scripts/services start | sed 's/^/export /')"; \
	  export DATABASE_URL="$${DATABASE_URL%/*}/orgdept_bench"; \
	fi; \
	echo "DATABASE_URL=$${DATABASE_URL%%@*}@…"; \
	$(PY) -m bench.run --scale province $(BENCH_ARGS)

system-packages:
	scripts/system-packages run

system-packages-test:
	scripts/system-packages test

system-packages-bench:
	scripts/system-packages bench

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

messages: setup
	$(PY) manage.py compilemessages --ignore=.venv -v0

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run -v0

demo: setup messages
	$(PY) manage.py migrate --noinput && $(PY) manage.py load_demo

services:
	scripts/services start

services-stop:
	scripts/services stop

clean:
	rm -rf $(VENV) var
