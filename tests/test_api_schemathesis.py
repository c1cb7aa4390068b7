"""Property-based check of the API (the session's app, called through WSGI) against its own
/openapi.json (schemathesis).

For every operation of the document, schemathesis generates requests from the parameter schemas
and checks that the server never fails (5xx) and never answers with a status, media type or JSON
body that the document does not declare. Positive data (values the schemas allow, which the
server may still refuse with a documented 400: a wrong check digit, an unsupported method) and
negative data (values the schemas forbid) are both sent; few examples each, so that the whole
run stays well under a minute.

schemathesis' own ``@schema.parametrize()`` over a fixture (``from_fixture``) does not work with
pytest 9 (it writes a private ``_nodeid``), so the operations are parametrized here from the
locally generated document and their strategies driven with Hypothesis directly.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from server import openapi, queries

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
DOCUMENT = openapi.document(queries.load_folder(queries.DEFAULT_DIR))
# schemathesis leaves out the document's own path (/openapi.json).
PATHS = sorted(set(DOCUMENT["paths"]) - {"/openapi.json"})
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 10}


@pytest.fixture(scope="module")
def live_schema(app):
    """The document as the session's app serves it; generated requests go to that app (WSGI, in-process)."""
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


def test_the_live_document_has_the_local_operations(live_schema):
    assert sorted(result.ok().path for result in live_schema.get_all_operations()) == PATHS


# Invalid requests only for operations with a parameter to make invalid.
# POST-only operations (/api/enrich) are checked by their own tests (tests/test_linkage.py).
CASES = [(path, mode) for path in PATHS if "get" in DOCUMENT["paths"][path] for mode in EXAMPLES
         if mode is GenerationMode.POSITIVE or DOCUMENT["paths"][path]["get"].get("parameters")]


@pytest.mark.parametrize(("path", "mode"), CASES, ids=[f"{p}-{m.value}" for p, m in CASES])
def test_api_conforms_to_its_openapi_document(live_schema, path, mode):
    operation = live_schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES[mode], deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(checks=CHECKS, timeout=30)

    check()
