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

# The server, API, pages and linkage tests again on each remote engine (issue 12), started by the
# tests themselves on loopback (tests/remote_engines.py); embedded_only marks what they cannot have.
REMOTE_TESTS := tests/test_remote_backend.py tests/test_api.py tests/test_sparql_protocol.py \
	tests/test_sparql_clients.py tests/test_sparql_limits.py tests/test_pages.py tests/test_linked_data.py \
	tests/test_landing.py tests/test_city_os.py tests/test_reconcile.py tests/test_linkage.py \
	tests/test_crosswalk.py tests/test_licence_links.py tests/test_errors.py tests/test_results.py
REMOTE_PYTEST := -m "not embedded_only" -p no:cacheprovider $(REMOTE_TESTS)

# All three runs happen whatever the first gives; the target fails if any of them failed.
test: setup
	status=0; \
	$(BIN)/python -m pytest || status=1; \
	SMARTCITY_KG_TEST_BACKEND=oxigraph $(BIN)/python -m pytest $(REMOTE_PYTEST) || status=1; \
	SMARTCITY_KG_TEST_BACKEND=virtuoso $(BIN)/python -m pytest $(REMOTE_PYTEST) || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) var
