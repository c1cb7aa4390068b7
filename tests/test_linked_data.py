"""Linked data: every IRI we mint dereferences (/id → 303 → /page or /data), the ontology, the
JSON-LD context, the dumps and the VoID/DCAT description, the w3id.org rules.

The content-negotiation matrix requests each kind of resource with each Accept, follows the 303,
parses what comes back with rdflib and compares it with the store, triple for triple.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from conftest import BASE, PROJECT_DIR, assert_same_quads, http

from kg import dumps as kgdumps
from server import conneg

#: rdflib's JSON-LD parser builds a ConjunctiveGraph, deprecated in rdflib 7 (its own warning).
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

RESOURCES = ["municipality/372013", "project/H29a", "city-os/372013-1", "sharing-approach/scope-expansion"]
#: Accept header → where /id/… must send it (page or data) and the format /data must then answer.
ACCEPTS = {
    "text/turtle": ("data", "turtle"),
    "application/n-triples": ("data", "ntriples"),
    "application/rdf+xml": ("data", "rdfxml"),
    "application/ld+json": ("data", "jsonld"),
    "application/ld+json;q=0.9, text/turtle;q=0.8, text/html;q=0.5": ("data", "jsonld"),
    "text/html;q=0.9, application/rdf+xml": ("data", "rdfxml"),
    "*/*": ("data", "turtle"),
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": ("page", None),
    "text/html": ("page", None),
}
RDFLIB_FORMAT = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


# --- comparing rdflib's triples with pyoxigraph's --------------------------------------------------

def _rdflib_term(term) -> tuple:
    if isinstance(term, rdflib.Literal):
        datatype = str(term.datatype) if term.datatype else (LANG_STRING if term.language else XSD_STRING)
        return ("literal", str(term), (term.language or "").lower(), datatype)
    if isinstance(term, rdflib.BNode):
        return ("blank",)
    return ("iri", str(term))


def _ox_term(term) -> tuple:
    if isinstance(term, ox.Literal):
        return ("literal", term.value, (term.language or "").lower(), term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return ("blank",)
    return ("iri", term.value)


def rdflib_set(graph: rdflib.Graph) -> set[tuple]:
    return {tuple(map(_rdflib_term, t)) for t in graph}


def ox_set(triples) -> set[tuple]:
    return {(_ox_term(t.subject), _ox_term(t.predicate), _ox_term(t.object)) for t in triples}


def expected_description(kg, iri: str) -> set[tuple]:
    """What /data must hold for ``iri``, computed from the store without the server's query:
    the outgoing triples, the incoming ones, and the labels of every resource on the other end."""
    node = ox.NamedNode(iri)
    found = set()
    out = [q.triple for q in kg.store.quads_for_pattern(node, None, None, None)]
    inc = [q.triple for q in kg.store.quads_for_pattern(None, None, node, None)]
    neighbours = {t.object for t in out if isinstance(t.object, ox.NamedNode)} | {t.subject for t in inc}
    labels = [q.triple for n in neighbours
              for q in kg.store.quads_for_pattern(n, ox.NamedNode(LABEL), None, None)]
    found |= ox_set(out + inc + labels)
    return found


def parse(body: bytes, key: str) -> rdflib.Graph:
    """A response body as an rdflib graph; JSON-LD with its context inlined (the in-process app
    is not reachable by rdflib's own fetch)."""
    if key == "jsonld":
        document = json.loads(body)
        assert document["@context"].endswith("/context.jsonld")
        document["@context"] = http.get(document["@context"]).json()["@context"]
        body = json.dumps(document).encode()
    return rdflib.Graph().parse(data=body, format=RDFLIB_FORMAT[key])


# --- /id and /data -----------------------------------------------------------------------------

@pytest.mark.parametrize("key", RESOURCES)
@pytest.mark.parametrize("accept", list(ACCEPTS))
def test_id_negotiates_303_and_data_matches_the_store(server, kg, key, accept):
    kind, fmt = ACCEPTS[accept]
    response = http.get(f"{server}/id/{key}", headers={"Accept": accept}, allow_redirects=False)
    assert response.status_code == 303, response.text
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Location"] == f"/{kind}/{key}"
    links = response.headers["Link"]
    for representation in conneg.RDF:
        alternate = f'</data/{key}.{representation.extension}>; rel="alternate"'
        assert f'{alternate}; type="{representation.media_type}"' in links
    assert f'</page/{key}>; rel="alternate"; type="text/html"' in links
    assert 'rel="license"' in links and "creativecommons.org/licenses/by/4.0" in links
    if kind == "page":
        return
    data = http.get(server + response.headers["Location"], headers={"Accept": accept})
    assert data.status_code == 200, data.text
    assert data.headers["Content-Type"].split(";")[0] == conneg.BY_KEY[fmt].media_type
    assert "Accept" in data.headers["Vary"] and data.headers["ETag"]
    assert rdflib_set(parse(data.content, fmt)) == expected_description(kg, f"{BASE}/id/{key}")


@pytest.mark.parametrize("key", RESOURCES)
@pytest.mark.parametrize("representation", conneg.RDF, ids=lambda r: r.extension)
def test_data_by_extension_matches_the_store(server, kg, key, representation):
    response = http.get(f"{server}/data/{key}.{representation.extension}", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == representation.media_type
    assert rdflib_set(parse(response.content, representation.key)) == \
        expected_description(kg, f"{BASE}/id/{key}")
    etag = response.headers["ETag"]
    again = http.get(f"{server}/data/{key}.{representation.extension}", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_the_description_holds_outgoing_and_incoming_links_with_labels(server):
    graph = parse(http.get(f"{server}/data/municipality/372013.ttl").content, "turtle")
    takamatsu = rdflib.URIRef(f"{BASE}/id/municipality/372013")
    assert (takamatsu, rdflib.RDFS.label, rdflib.Literal("高松市", lang="ja")) in graph
    city_os = rdflib.URIRef(f"{BASE}/id/city-os/372013-1")
    owner = rdflib.URIRef("https://w3id.org/smartcity-kg/ontology#owner")
    assert (city_os, owner, takamatsu) in graph  # an incoming link …
    assert any(graph.objects(city_os, rdflib.RDFS.label))  # … with the label of its subject


def test_json_ld_uses_the_published_context(server):
    document = http.get(f"{server}/data/project/H29a.jsonld").json()
    assert document["@context"] == "http://app.test/context.jsonld"
    node = next(n for n in document["@graph"] if n["@id"] == f"{BASE}/id/project/H29a")
    assert "sckg:AdoptedProject" in node["@type"] and "rdfs:label" in node
    context = http.get(f"{server}/context.jsonld")
    assert context.headers["Content-Type"] == "application/ld+json" and context.headers["ETag"]
    assert context.json()["@context"]["sckg"] == "https://w3id.org/smartcity-kg/ontology#"


@pytest.mark.parametrize("path", ["/id/municipality/372019", "/id/nothing-here", "/data/municipality/372019",
                                  "/data/municipality/372019.ttl", "/id/project/H29z"])
def test_unknown_iris_are_404_with_search_and_near_matches(server, path):
    response = http.get(server + path, headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert 'action="/api/search"' in response.text and 'name="q"' in response.text


def test_near_matches_are_of_the_same_kind(server):
    page = http.get(f"{server}/id/municipality/372019").text
    assert 'href="/id/municipality/372013"' in page  # 高松市: one digit off
    project = http.get(f"{server}/id/project/H29z").text
    assert re.search(r'href="/id/project/H29[a-f]"', project)


def test_an_unacceptable_type_is_406_listing_what_is_available(server):
    for path in ("/id/municipality/372013", "/data/municipality/372013", "/ontology", "/.well-known/void"):
        response = http.get(server + path, headers={"Accept": "image/png"}, allow_redirects=False)
        assert response.status_code == 406, path
        assert "text/turtle" in response.text and "application/ld+json" in response.text


# --- the ontology ------------------------------------------------------------------------------

def ontology_triples(kg) -> set[tuple]:
    graph = ox.NamedNode(f"{BASE}/graph/ontology")
    return ox_set(q.triple for q in kg.store.quads_for_pattern(None, None, None, graph))


@pytest.mark.parametrize("accept", list(ACCEPTS))
def test_an_ontology_term_dereferences(server, kg, accept):
    kind, fmt = ACCEPTS[accept]
    term = "https://w3id.org/smartcity-kg/ontology#Municipality"
    path = urlsplit(term).path.removeprefix("/smartcity-kg")  # what reaches the server: no fragment
    response = http.get(server + path, headers={"Accept": accept}, allow_redirects=False)
    assert response.status_code == 303 and "Accept" in response.headers["Vary"]
    if kind == "page":
        assert response.headers["Location"] == "/ontology.html"
        page = http.get(server + "/ontology.html")
        assert page.status_code == 200
        assert 'id="Municipality"' in page.text and "市区町村" in page.text
        return
    assert response.headers["Location"] == f"/ontology.{conneg.BY_KEY[fmt].extension}"
    data = http.get(server + response.headers["Location"])
    assert rdflib_set(parse(data.content, fmt)) == ontology_triples(kg)


def test_the_ontology_page_lists_every_class_and_property_in_both_languages(server, kg):
    owl = "http://www.w3.org/2002/07/owl#"
    rows = kg.query("SELECT ?t WHERE { GRAPH ?g { ?t a ?k } "
                    f"FILTER(?k IN (<{owl}Class>, <{owl}ObjectProperty>, <{owl}DatatypeProperty>)) "
                    "FILTER(STRSTARTS(STR(?t), 'https://w3id.org/smartcity-kg/ontology#')) }")
    names = {row["t"].value.split("#")[1] for row in rows}
    assert len(names) > 50
    for lang, word in (("ja", "定義域"), ("en", "Domain")):
        page = http.get(f"{server}/ontology.html?lang={lang}").text
        assert word in page
        for name in names:
            assert f'id="{name}"' in page, name
    english = http.get(f"{server}/ontology.html?lang=en").text
    assert 'lang="en">A prefecture or municipality' in english


# --- dumps and the dataset description -------------------------------------------------------

def void_graph(server) -> rdflib.Graph:
    response = http.get(f"{server}/.well-known/void")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    return rdflib.Graph().parse(data=response.content, format="turtle")


def test_void_lists_every_dump_as_a_data_dump_and_a_dcat_distribution(server, kg):
    graph = void_graph(server)
    dataset = rdflib.URIRef(f"{BASE}/id/dataset/smartcity-kg")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    dumps = {str(o) for o in graph.objects(dataset, rdflib.VOID.dataDump)}
    names = {f"smartcity-kg.{e}" for e in ("nq.gz", "nt.gz", "jsonld.gz")} | \
        {kgdumps.graph_file_name(g, BASE) for g in kg.triple_counts()}
    assert dumps == {f"{BASE}/dumps/{n}" for n in names}
    distributions = list(graph.objects(dataset, dcat.distribution))
    assert len(distributions) == len(names)
    for distribution in distributions:
        url = str(graph.value(distribution, dcat.downloadURL))
        size = int(graph.value(distribution, dcat.byteSize))
        media_type = str(graph.value(distribution, dcat.mediaType))
        assert media_type.startswith("https://www.iana.org/assignments/media-types/")
        response = http.get(server + url.removeprefix(BASE))
        assert response.status_code == 200
        assert int(response.headers["Content-Length"]) == size == len(response.content)
        assert response.headers["ETag"]
        expected = "application/gzip" if url.endswith(".gz") else "text/turtle"
        assert response.headers["Content-Type"].split(";")[0] == expected
    # the store's own void graph is in it too
    assert (dataset, rdflib.RDF.type, rdflib.VOID.Dataset) in graph


@pytest.mark.parametrize("accept, fmt", [("application/ld+json", "jsonld"), ("application/rdf+xml", "rdfxml"),
                                         ("application/n-triples", "ntriples")])
def test_void_negotiates(server, accept, fmt):
    response = http.get(f"{server}/.well-known/void", headers={"Accept": accept})
    assert response.headers["Content-Type"].split(";")[0] == conneg.BY_KEY[fmt].media_type
    assert rdflib_set(parse(response.content, fmt)) == rdflib_set(void_graph(server))


def _download(server, name: str) -> bytes:
    response = http.get(f"{server}/dumps/{name}")
    assert response.status_code == 200
    again = http.get(f"{server}/dumps/{name}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    return response.content


def test_the_n_quads_dump_holds_the_store(server, kg):
    data = gzip.decompress(_download(server, "smartcity-kg.nq.gz"))
    quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(kg) == sum(kg.triple_counts().values())
    assert_same_quads(quads, kg.store.quads_for_pattern(None, None, None, None))


def test_the_n_triples_dump_holds_the_union_of_the_graphs(server, kg):
    graph = rdflib.Graph().parse(data=gzip.decompress(_download(server, "smartcity-kg.nt.gz")), format="nt")
    union = {q.triple for q in kg.store.quads_for_pattern(None, None, None, None)}
    assert len(graph) == len(union)


def test_the_json_ld_dump_holds_the_store_with_the_published_context(server, kg):
    data = gzip.decompress(_download(server, "smartcity-kg.jsonld.gz"))
    document = json.loads(data)
    assert document["@context"] == http.get(f"{server}/context.jsonld").json()["@context"]
    quads = set(ox.parse(data, format=ox.RdfFormat.JSON_LD))
    assert_same_quads(quads, kg.store.quads_for_pattern(None, None, None, None))


def test_each_graph_has_a_turtle_dump_and_its_iri_leads_there(server, kg):
    for graph, count in kg.triple_counts().items():
        name = graph.removeprefix(f"{BASE}/graph/")
        response = http.get(f"{server}/graph/{name}", allow_redirects=False)
        assert response.status_code == 303 and response.headers["Location"] == f"/dumps/{name}.ttl"
        quads = [ox.Quad(*q.triple, ox.NamedNode(graph))
                 for q in ox.parse(_download(server, f"{name}.ttl"), format=ox.RdfFormat.TURTLE)]
        assert len(quads) == count
        assert_same_quads(quads, kg.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def test_dumps_are_written_once_per_version(kg_root, server):
    version_dir = (kg_root / "store").resolve()
    manifest = kgdumps.directory(version_dir) / kgdumps.MANIFEST
    before = manifest.stat().st_mtime_ns
    for _ in range(2):
        http.get(f"{server}/dumps/smartcity-kg.nq.gz")
        http.get(f"{server}/.well-known/void")
    assert manifest.stat().st_mtime_ns == before
    assert kgdumps.ensure(version_dir, BASE) == kgdumps.read_manifest(version_dir)


# --- w3id.org rules ----------------------------------------------------------------------------

HTACCESS = PROJECT_DIR / "deploy" / "w3id" / ".htaccess"
PLACEHOLDER = "https://smartcity-kg.example.org"
W3ID = "https://w3id.org/smartcity-kg"


def rewrite_rules() -> list[tuple[re.Pattern, str, str]]:
    """(pattern, target, flags) of every RewriteRule, in order."""
    rules = []
    for line in HTACCESS.read_text().splitlines():
        if line.startswith("RewriteRule "):
            _, pattern, target, flags = line.split()
            rules.append((re.compile(pattern), target, flags))
    return rules


def redirect(iri: str) -> tuple[str, int]:
    """Where w3id.org would send ``iri`` under our rules (the first rule that matches), and how."""
    assert iri.startswith(W3ID + "/") or iri == W3ID
    path = urlsplit(iri).path.removeprefix("/smartcity-kg").removeprefix("/")
    for pattern, target, flags in rewrite_rules():
        if match := pattern.match(path):
            status = int(re.search(r"R=(\d+)", flags).group(1))
            return match.expand(target.replace("$", "\\")), status
    raise AssertionError(f"no rule maps {iri}")


def model_patterns() -> list[str]:
    """The IRI patterns of the class table of docs/model.md, as ``B/id/…`` strings."""
    text = (PROJECT_DIR / "docs" / "model.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `sckg:")]
    return sorted({p for row in rows for p in re.findall(r"`(B/id/[^`]+)`", row.split(" | ")[0])})


def instance_of(kg, pattern: str) -> str | None:
    """An IRI of the store matching ``pattern`` (each ``<placeholder>`` one path segment)."""
    pieces = re.split(r"<[^>]+>", pattern.replace("B/", BASE + "/", 1))
    regex = re.compile("^" + "[^/]+".join(map(re.escape, pieces)) + "$")
    prefix = BASE + "/id/"
    for quad in kg.store.quads_for_pattern(None, None, None, None):
        subject = quad.subject.value
        if subject.startswith(prefix) and regex.match(subject):
            return subject
    return None


def test_the_htaccess_uses_the_placeholder_host_only():
    targets = {target for _, target, _ in rewrite_rules()}
    assert targets and all(t.startswith(PLACEHOLDER + "/") for t in targets)
    assert "RewriteEngine on" in HTACCESS.read_text()


def _answered(server, iri: str, accept: str = "text/turtle") -> int:
    target, status = redirect(iri)
    assert status in (302, 303, 307)
    response = http.get(server + target.removeprefix(PLACEHOLDER), headers={"Accept": accept})
    return response.status_code


def test_every_iri_pattern_of_the_model_maps_to_a_route_the_server_answers(server, kg):
    patterns = model_patterns()
    assert len(patterns) >= 20, patterns
    missing = []
    for pattern in patterns:
        iri = instance_of(kg, pattern)
        if iri is None:
            missing.append(pattern)
            continue
        w3id_iri = W3ID + iri.removeprefix(BASE)
        assert redirect(w3id_iri)[1] == 303, pattern
        assert _answered(server, w3id_iri) == 200, (pattern, iri)
    assert not missing, f"no instance in the store of {missing}"


def test_ontology_graphs_dumps_and_the_rest_map_to_routes_the_server_answers(server, kg):
    iris = [f"{W3ID}/ontology#Municipality", f"{W3ID}/ontology", f"{W3ID}/ontology.ttl",
            f"{W3ID}/context.jsonld", f"{W3ID}/.well-known/void", f"{W3ID}/data/project/H29a.ttl"]
    iris += [W3ID + g.removeprefix(BASE) for g in kg.triple_counts()]
    iris += [W3ID + "/dumps/" + d.name for d in kgdumps.read_manifest(Path(kg.path).resolve())]
    for iri in iris:
        assert _answered(server, iri) == 200, iri
    assert _answered(server, f"{W3ID}/ontology#Municipality", "text/html") == 200
    assert redirect(f"{W3ID}/sparql") == (f"{PLACEHOLDER}/sparql", 307)


# --- a linked-data client against a real server --------------------------------------------------

def test_rdflib_follows_the_iri_through_content_negotiation(live_server):
    graph = rdflib.Graph()
    graph.parse(f"{live_server}/id/municipality/372013")
    takamatsu = rdflib.URIRef(f"{BASE}/id/municipality/372013")
    assert (takamatsu, rdflib.RDFS.label, rdflib.Literal("高松市", lang="ja")) in graph
    assert (takamatsu, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/smartcity-kg/ontology#City")) in graph


def test_rdflib_reads_json_ld_fetching_the_published_context(live_server):
    graph = rdflib.Graph().parse(f"{live_server}/data/project/H29a.jsonld", format="json-ld")
    project = rdflib.URIRef(f"{BASE}/id/project/H29a")
    adopted = rdflib.URIRef("https://w3id.org/smartcity-kg/ontology#AdoptedProject")
    assert (project, rdflib.RDF.type, adopted) in graph




def test_a_versions_dumps_are_pruned_with_it(tmp_path):
    from kg import store as kgstore

    path = tmp_path / "store"
    for n in range(3):
        triple = f'<https://example.org/s> <https://example.org/p> "{n}" .\n'
        kgstore.build(path, {"https://example.org/graph/g": triple.encode()})
        kgdumps.ensure(path.resolve(), "https://example.org")
    versions = path.with_name("store.versions")
    kept = {p.name for p in versions.iterdir() if not p.name.endswith((".json", ".dumps"))}
    assert len(kept) < 3 or len({v[:15] for v in kept}) == 1  # names order by the second only
    assert {p.name.removesuffix(".dumps") for p in versions.glob("*.dumps")} == kept
    assert [d.name for d in kgdumps.read_manifest(path.resolve()) if d.graph] == ["g.ttl"]
