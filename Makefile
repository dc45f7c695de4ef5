# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run build test bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

build: install
	$(BIN)/kg build

run: build
	$(BIN)/kg stats
	$(BIN)/kg query fiches-by-entity --param entity=ANCT

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf dist test-output
