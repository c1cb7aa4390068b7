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

# Until the SPARQL server exists, "serve" loads the bundled data and prints a summary of the store.
serve: load
	$(BIN)/smartcity-kg stats

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var
