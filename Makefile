# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install browser virtuoso comunica run build test test-interop bench bench-quick clean

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

# The interop matrix's servers: Debian's Virtuoso, and Comunica from npm into tools/comunica (versions pinned by
# its package-lock.json; Comunica 4.x, the last that runs on Debian's Node 20).
virtuoso:
	@test -x /usr/bin/virtuoso-t || { echo "Installation de Virtuoso (paquet Debian virtuoso-opensource)…"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource) >/dev/null || \
		{ echo "Impossible d'installer virtuoso-opensource : lancez « sudo apt-get install virtuoso-opensource »"; exit 1; }; }

COMUNICA := tools/comunica/node_modules/.installed

$(COMUNICA): tools/comunica/package.json tools/comunica/package-lock.json
	@command -v npm >/dev/null || { echo "npm est introuvable : lancez « sudo apt-get install npm »"; exit 1; }
	cd tools/comunica && npm ci --no-audit --no-fund --loglevel=error
	touch $@

comunica: $(COMUNICA)

run: build
	$(BIN)/kg serve --host $(or $(HOST),127.0.0.1) --port $(or $(PORT),8000)

test: install browser
	$(BIN)/python -m pytest

# The same site and questions on Oxigraph, Virtuoso and Comunica servers (README, « Autres serveurs SPARQL »).
# the whole matrix by default; INTEROP=oxigraph,virtuoso for two servers only
INTEROP ?= oxigraph,virtuoso,comunica
test-interop: install virtuoso comunica
	KG_INTEROP_SERVERS=$(INTEROP) $(BIN)/python -m pytest -m interop tests/test_interop.py

# Benchmarks (printed tables, JSON in bench/results/): never timed asserts in tests.
bench: install
	$(BIN)/python -m bench --scales $(or $(SCALES),real,10)

bench-quick: install
	$(BIN)/python -m bench --quick

clean:
	rm -rf dist test-output
