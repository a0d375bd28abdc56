# make run   — installs, migrates, loads the 2023 demo data and serves http://127.0.0.1:8000
#              with the background tasks' worker (Ctrl-C stops both)
# make test  — the whole test suite (SQLite; DATABASE_URL=postgres://… for PostgreSQL)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
AXE_VERSION := 4.14.1
AXE := .herramientas/node_modules/axe-core/axe.min.js

.PHONY: run setup test lint

run: setup
	@# The worker runs the background tasks (docs/tareas.md) beside the server; Ctrl-C stops
	@# the server, and the trap stops the worker with it.
	$(BIN)/python manage.py trabajador & trabajador=$$!; \
	trap 'kill $$trabajador 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

setup: $(VENV)/.instalado
	$(BIN)/python manage.py check --tag sistema
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo

$(VENV)/.instalado: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

test: $(VENV)/.instalado $(AXE)
	@# The task tests on RQ need a Redis (tests/casmul/test_tareas_rq.py): a throwaway one,
	@# keeping nothing on disk, when none answers.
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no || \
	  { echo "Las pruebas necesitan Redis: sudo apt-get install redis-server" >&2; exit 1; }
	$(BIN)/python -m pytest

# axe-core, the accessibility rules the browser tests run (tests/browser/test_accesibilidad.py),
# from the npm registry at a pinned version.
$(AXE):
	npm install --prefix .herramientas --no-save --no-audit --no-fund --no-package-lock axe-core@$(AXE_VERSION)

lint: $(VENV)/.instalado
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
