# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROJECT_HASH := $(shell cat pyproject.toml | sha1sum | cut -c1-10)
RUN_STAMP := $(VENV)/.installed-run-$(PROJECT_HASH)
TEST_STAMP := $(VENV)/.installed-test-$(PROJECT_HASH)

.PHONY: demo test check lint typecheck deadcode migrations-check bench install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): $(BIN)/python pyproject.toml
	@start=$$(date +%s); \
	$(BIN)/python -m pip install --quiet -e . && \
	echo "Cài đặt gói / packages installed in $$(( $$(date +%s) - start )) s"
	@touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	@start=$$(date +%s); \
	$(BIN)/python -m pip install --quiet -e '.[test]' && \
	echo "Cài đặt gói kiểm thử / test packages installed in $$(( $$(date +%s) - start )) s"
	@touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)
install-test: $(TEST_STAMP)

demo: $(RUN_STAMP)
	$(BIN)/agri demo

lint: $(TEST_STAMP)
	$(BIN)/ruff check catalog adapters connector tests bench

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

# unused code; paths, confidence and framework decorators in pyproject.toml [tool.vulture]
deadcode: $(TEST_STAMP)
	$(BIN)/vulture

migrations-check: $(TEST_STAMP)
	$(BIN)/python -m connector.migrations.check

check: lint typecheck deadcode migrations-check

test: check
	$(BIN)/pytest

bench: $(TEST_STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) agri.db agri.db-* agri-data .pytest_cache .mypy_cache .ruff_cache
