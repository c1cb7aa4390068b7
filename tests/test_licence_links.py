"""Licence and provenance on every data response (server/provenance.py): ``Link: <licence>;
rel="license"`` and ``</.well-known/void>; rel="describedby"``.

Every route of the app's URL map is requested, with every method it answers, so a route added
later is checked without anyone remembering it: a route whose path alone does not give a
successful answer needs a sample request in :data:`SAMPLES` or :data:`POSTS`, and the test says
so. The exemptions are ``server.provenance.EXEMPT`` (static files, ``/healthz``).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode, urljoin

import pytest
import requests
from conftest import http, select

from server import provenance

TAKAMATSU = "https://w3id.org/smartcity-kg/id/municipality/372013"
MUNICIPALITY = "https://w3id.org/smartcity-kg/ontology#Municipality"
#: A request path that answers 200 (or 303) for rules that need more than their own path.
SAMPLES = {
    "/id/<path:key>": "/id/municipality/372013",
    "/data/<path:key>": "/data/municipality/372013",
    "/page/<path:key>": "/page/municipality/372013",
    "/page/class/<name>": "/page/class/Municipality",
    "/api/<name>": "/api/programs-by-year",
    "/dumps/<name>": "/dumps/smartcity-kg.nq.gz",
    "/graph/<name>": "/graph/briefing",
    "/ontology.<extension>": "/ontology.ttl",
    "/function.<extension>": "/function.ttl",
    "/static/<path:filename>": "/static/site.css",
    "/sparql": "/sparql?query=ASK%7B%7D",
    # routes of issue 11's other parts (reconciliation, enrichment, crosswalk), when they are there
    "/api/crosswalk": "/api/crosswalk?id=372013",
    "/reconcile": "/reconcile",
    "/reconcile/preview": "/reconcile/preview?" + urlencode({"id": TAKAMATSU}),
    "/reconcile/view": "/reconcile/view?" + urlencode({"id": TAKAMATSU}),
    "/reconcile/extend/propose": "/reconcile/extend/propose?" + urlencode({"type": MUNICIPALITY}),
}
CSV = ("names.csv", "name\n高松市\n".encode(), "text/csv")
#: rule → keyword arguments of ``requests.post`` that give a successful answer.
POSTS = {
    "/sparql": {"data": {"query": "ASK {}"}},
    "/api/enrich": {"files": {"file": CSV}, "data": {"column": "1"}},
    "/api/enrich/preview": {"files": {"file": CSV}},
    "/linkage": {"files": {"file": CSV}, "data": {"column": "1"}},
    "/reconcile": {"data": {"queries": json.dumps({"q0": {"query": "高松市"}}, ensure_ascii=False)}},
    "/reconcile/match": {"json": {"queries": [{"query": "高松市"}]}},
    "/reconcile/extend": {"json": {"ids": [TAKAMATSU], "properties": [{"id": "lgCode"}]}},
}
#: GET answers that are errors on purpose (a 405 telling to POST): no links, by the error rule.
GET_ERRORS = {"/api/enrich"}


@pytest.fixture(scope="module")
def licence(kg) -> str:
    """The dataset's licence, as the store states it (independent of the server)."""
    rows = select(kg, "SELECT ?l { ?d a <http://rdfs.org/ns/void#Dataset> ; dcterms:license ?l }")
    assert len({row["l"] for row in rows}) == 1
    return rows[0]["l"]


def requests_for(app) -> list[tuple[str, str, str, dict]]:
    """(endpoint, method, path, request arguments) for every rule and method of the app."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                if rule.rule in GET_ERRORS:
                    continue
                path = SAMPLES.get(rule.rule, rule.rule)
                assert "<" not in path, f"add a sample request for {rule.rule} to SAMPLES"
                found.append((rule.endpoint, method, path, {}))
            else:
                assert rule.rule in POSTS, f"add a sample {method} request for {rule.rule} to POSTS"
                found.append((rule.endpoint, method, rule.rule, POSTS[rule.rule]))
    return found


def links(response: requests.Response) -> dict[str, list[str]]:
    """rel → targets of the Link header, resolved against the request URL."""
    found: dict[str, list[str]] = {}
    for link in requests.utils.parse_header_links(response.headers.get("Link", "")):
        for rel in link.get("rel", "").split():
            found.setdefault(rel, []).append(urljoin(response.url, link["url"]))
    return found


def test_every_route_carries_the_licence_and_the_void_link(app, server, licence):
    checked = set()
    for endpoint, method, path, arguments in requests_for(app):
        response = http.request(method, server + path, allow_redirects=False, **arguments)
        assert response.status_code < 400, f"{method} {path}: {response.status_code}; the sample is wrong"
        found = links(response)
        if provenance.exempt(endpoint):
            assert not found.get("license") and not found.get("describedby"), (method, path)
            continue
        assert found.get("license") == [licence], (method, path, response.headers.get("Link"))
        assert found.get("describedby") == [server + "/.well-known/void"], (method, path)
        checked.add(endpoint)
    kinds = {"sparql.sparql", "api.run", "pages.resource_page", "landing.landing", "linked_data.dump",
             "linked_data.resource", "linked_data.data", "functions.functions"}
    assert kinds <= checked


def test_the_describedby_link_leads_to_the_void_description(server):
    response = http.get(server + "/api/programs-by-year")
    void = http.get(links(response)["describedby"][0], headers={"Accept": "text/turtle"})
    assert void.status_code == 200 and "void:Dataset" in void.text


def test_links_a_route_set_itself_are_kept_and_none_is_doubled(server, licence):
    response = http.get(server + "/data/municipality/372013", headers={"Accept": "text/turtle"})
    found = links(response)
    assert found["license"] == [licence] and len(found["describedby"]) == 1
    assert server + "/data/municipality/372013.jsonld" in found["alternate"]
    revalidated = http.get(server + "/data/municipality/372013", headers={
        "Accept": "text/turtle", "If-None-Match": response.headers["ETag"]})
    assert revalidated.status_code == 304 and links(revalidated)["license"] == [licence]


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/no-such-route", 404),
    ("GET", "/sparql?query=SELEKT", 400),
    ("GET", "/id/municipality/999999", 404),
    ("PUT", "/sparql", 405),
    ("GET", "/static/site.css", 200),
    ("GET", "/healthz", 200),
    ("OPTIONS", "/sparql", 200),
])
def test_errors_static_files_health_and_preflights_go_without(server, method, path, status):
    response = http.request(method, server + path, headers={"Origin": "https://example.org",
                                                            "Access-Control-Request-Method": "GET"})
    assert response.status_code == status
    assert "Link" not in response.headers or "license" not in links(response)


@pytest.mark.slow
def test_a_real_server_sends_the_links_and_exposes_them_to_scripts(live_server, licence):
    for path in ("/sparql?query=ASK%7B%7D", "/api/programs-by-year", "/", "/page/municipality/372013",
                 "/dumps/smartcity-kg.nt.gz"):
        response = requests.get(live_server + path, headers={"Origin": "https://example.org"}, timeout=60)
        assert response.status_code == 200, path
        assert links(response)["license"] == [licence], path
        assert links(response)["describedby"] == [live_server + "/.well-known/void"], path
        exposed = {h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
        assert "link" in exposed
