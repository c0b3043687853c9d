# The two commands: `make run` (set up, migrate, load the demo clinic, serve) and `make test` (every check).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
PIP := $(BIN)/python -m pip -qq --disable-pip-version-check

.PHONY: run test lint types install bench clean-demo migration

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Morrow needs Python 3.11")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	@touch $@

install: $(STAMP)

run: install
	$(BIN)/morrow db upgrade
	$(BIN)/morrow demo --if-empty
	$(BIN)/morrow serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

types: install
	$(BIN)/mypy

test: lint types
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/run.py

clean-demo: install
	$(BIN)/morrow demo --replace

# After changing a model: make migration m="what changed" (then read the generated file).
migration: install
	$(BIN)/python -m morrow.db.migrate "$(m)"
