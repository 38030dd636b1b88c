# Zhanwu developer commands. `make run` and `make test` install whatever a fresh machine lacks first.
#
#   make run        install prerequisites, migrate, load demo data, serve http://127.0.0.1:8000
#   make test       install prerequisites, then lint, format check, mypy, Django checks, pytest
#   make bench      python -m bench.run
#   make mutate     mutation testing of the core mechanisms (mutmut; slow, not part of make test)
#   make lint | typecheck | fmt | check | pytest | assets | venv | system-deps

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Run tools from the venv without activating it.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help run test ci-checks bench mutate lint typecheck fmt check pytest assets venv system-deps browser-deps

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# --- prerequisites ------------------------------------------------------------------------------
venv:
	@scripts/ensure-venv.sh

assets:
	@scripts/build-assets.sh

system-deps:
	@scripts/install-system-deps.sh

browser-deps:
	@scripts/install-system-deps.sh --browser

# --- run ----------------------------------------------------------------------------------------
run: venv assets system-deps
	@scripts/run-dev.sh

# --- quality gates ------------------------------------------------------------------------------
lint: venv
	ruff check .
	ruff format --check .
	lint-imports

typecheck: venv
	mypy

fmt: venv
	ruff format .
	ruff check --fix .

check: venv
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Celery runs eagerly in tests unless the caller says otherwise (STYLE.md: test settings run
# Celery eagerly); a test that needs the real worker overrides it. Exit code 5 (no tests collected)
# fails like any other non-zero exit.
pytest: venv
	@rc=0; CELERY_TASK_ALWAYS_EAGER=$${CELERY_TASK_ALWAYS_EAGER:-1} DB_CONN_MAX_AGE=$${DB_CONN_MAX_AGE:-0} $(PY) -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [[ $$rc -eq 5 ]]; then echo "pytest: no tests were collected (exit 5): failing" >&2; fi; \
	exit $$rc

ci-checks: lint typecheck check pytest

test: venv assets browser-deps
	@$(MAKE) --no-print-directory ci-checks

# --- benchmarks ---------------------------------------------------------------------------------
bench: venv system-deps
	$(PY) -m bench.run

# --- mutation testing (slow; not part of `make test`) ------------------------------------------------
# Prints the score and every surviving mutant. MUTATE_ONLY=core/scoping.py re-runs one module.
mutate: venv
	CELERY_TASK_ALWAYS_EAGER=$${CELERY_TASK_ALWAYS_EAGER:-1} DB_CONN_MAX_AGE=$${DB_CONN_MAX_AGE:-0} scripts/mutate.sh
