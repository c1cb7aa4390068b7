# The README's two commands: `make serve` (set up, load, run) and `make test` (set up, test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup load serve test clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

load: setup
	$(BIN)/smartcity-kg load

# Load the bundled data, then run the SPARQL endpoint on http://127.0.0.1:8080/sparql
serve: load
	$(BIN)/smartcity-kg stats
	$(BIN)/smartcity-kg serve --host 127.0.0.1 --port $${PORT:-8080}

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var
