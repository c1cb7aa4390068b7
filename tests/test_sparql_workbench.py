"""The workbench page at /sparql for browsers (its browser tests: tests/browser/test_workbench.py)."""

from __future__ import annotations

import json
import re

import pytest
from conftest import http

from loader.vocab import PREFIXES

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _config(server, lang="ja"):
    response = http.get(server + f"/sparql?lang={lang}", headers={"Accept": BROWSER}, timeout=60)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    return response, json.loads(re.search(r'id="wb-config">(.*?)</script>', response.text, re.S).group(1))


def test_the_page_loads_vendored_yasgui_and_nothing_from_elsewhere(server):
    response, _ = _config(server)
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert "/static/vendor/yasgui/yasgui.min.js" in sources and "/static/workbench.js" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    for path in ("/static/vendor/yasgui/yasgui.min.js", "/static/vendor/yasgui/yasgui.min.css",
                 "/static/workbench.js"):
        assert http.get(server + path, timeout=60).status_code == 200


@pytest.mark.parametrize("lang, words", [("ja", "クエリ例"), ("en", "Example queries")])
def test_the_page_speaks_the_readers_language(server, lang, words):
    response, _ = _config(server, lang)
    assert f'<html lang="{lang}">' in response.text and words in response.text
    assert response.headers["Content-Language"] == lang and "ETag" in response.headers


def test_the_page_offers_every_prefix_of_the_data(server):
    _, config = _config(server)
    assert config["prefixes"] == {**{p: str(ns) for p, ns in PREFIXES.items()},
                                  "sckgfn": "https://w3id.org/smartcity-kg/function#"}


def test_every_example_answers_as_its_api_example(server):
    """A canned query in the editor (its first example bound by VALUES) answers as /api does."""
    _, config = _config(server)
    assert {e["name"] for e in config["examples"]} >= {"projects", "municipality", "kpi-progress"}
    for example in config["examples"]:
        api = example["api"]
        listing = http.get(server + "/api", headers={"Accept": "application/json"}, timeout=60).json()
        urls = next(q["examples"] for q in listing["queries"] if q["name"] == example["name"]) or [api]
        by_api = http.get(server + urls[0], params={"format": "srj"}, timeout=60)
        by_sparql = http.post(server + "/sparql", data={"query": example["query"]},
                              headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert by_api.status_code == by_sparql.status_code == 200, (example["name"], by_sparql.text)
        rows = by_sparql.json()["results"]["bindings"]
        assert rows == by_api.json()["results"]["bindings"], example["name"]
