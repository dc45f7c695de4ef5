# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install browser run build test bench bench-quick clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

SOURCES := $(shell find data ontology kg queries -type f -not -name '*.pyc' 2>/dev/null)

# Rebuilt only when the data, the ontology or the code changed: `make run` from a built state just serves.
dist/current/manifest.json: $(SOURCES) | install
	$(BIN)/kg build

build: dist/current/manifest.json

# Debian's Chromium for the browser tests (Playwright's own browser download does not work here).
browser:
	@test -x /usr/bin/chromium || { echo "Installation de Chromium (paquet Debian)…"; \
		(apt-get update -qq && apt-get install -y -qq chromium) >/dev/null || \
		{ echo "Impossible d'installer chromium : lancez « sudo apt-get install chromium »"; exit 1; }; }

run: build
	$(BIN)/kg serve --host $(or $(HOST),127.0.0.1) --port $(or $(PORT),8000)

test: install browser
	$(BIN)/python -m pytest

# Benchmarks (printed tables, JSON in bench/results/): never timed asserts in tests.
bench: install
	$(BIN)/python -m bench --scales $(or $(SCALES),real,10)

bench-quick: install
	$(BIN)/python -m bench --quick

clean:
	rm -rf dist test-output
