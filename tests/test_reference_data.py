"""The local-government reference data (issue 9, items 4, 5 and 7): its date, the 浜松市 ward change,
kinds of body, corporate numbers (法人番号), the IMI ic:ID structure and the e-Stat link.

Expected values are written out here from the sources (浜松市「行政区の再編について」, 総務省
「全国地方公共団体コード」, the national totals of 2024-01-01), not read from ``data/source``.
"""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from conftest import select
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS
from test_queries import run as run_query
from test_shapes import VERIFIED_IMI_TERMS, WORLD, explain, iri, rename, snippet, world_graph
from test_shapes import run as validate

from kg.codes import check_digit, corporate_number, is_corporate_number

BASE = "https://w3id.org/smartcity-kg"
IC = Namespace("http://imi.go.jp/ns/core/rdf#")
PROJECT_DIR = Path(__file__).resolve().parent.parent
PREFIXES = "PREFIX schema: <https://schema.org/>\nPREFIX ic: <http://imi.go.jp/ns/core/rdf#>\n"

# 浜松市's wards before and after 2024-01-01 (浜松市「行政区の再編について」; codes 総務省).
HAMAMATSU = "221309"
OLD_WARDS = {  # code: (name, successors)
    "221317": ("浜松市中区", {"221384"}),
    "221325": ("浜松市東区", {"221384"}),
    "221333": ("浜松市西区", {"221384"}),
    "221341": ("浜松市南区", {"221384"}),
    "221350": ("浜松市北区", {"221384", "221392"}),  # its 三方原 district went to 中央区
    "221368": ("浜松市浜北区", {"221392"}),
    "221376": ("浜松市天竜区", {"221406"}),
}
NEW_WARDS = {"221384": ("浜松市中央区", "はままつしちゅうおうく"),
             "221392": ("浜松市浜名区", "はままつしはまなく"),
             "221406": ("浜松市天竜区", "はままつしてんりゅうく")}


# -- The codes --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "number"), [
    ("130001", "8000020130001"),  # 東京都, the National Tax Agency's published example
    ("010006", "7000020010006"),  # 北海道
    ("011002", "9000020011002"),  # 札幌市
    ("372013", "1000020372013"),  # 高松市
    ("131016", "8000020131016"),  # 千代田区
    ("221384", "1000020221384"),  # 浜松市中央区 (code only: a ward has no corporate number)
])
def test_corporate_number_rule(code, number):
    assert corporate_number(code) == number
    assert is_corporate_number(number)
    wrong = str(int(number[0]) % 9 + 1) + number[1:]
    assert not is_corporate_number(wrong)


def test_corporate_number_refuses_a_code_with_a_wrong_check_digit():
    with pytest.raises(ValueError):
        corporate_number("130002")


@pytest.mark.parametrize("code", sorted({*OLD_WARDS, *NEW_WARDS}))
def test_hamamatsu_codes_have_their_check_digit(code):
    assert check_digit(code[:5]) == code[5]


# -- The list and its date --------------------------------------------------------------------------

def test_list_states_the_date_it_is_valid_for(kg):
    rows = select(kg, f"""
        SELECT ?valid (GROUP_CONCAT(STR(?g); separator=" ") AS ?graphs) {{
          <{BASE}/id/dataset/smartcity-kg> <http://rdfs.org/ns/void#subset> ?list .
          ?list dcterms:valid ?valid ; <http://rdfs.org/ns/void#subset>/sckg:namedGraph ?g }}
        GROUP BY ?valid""")
    assert len(rows) == 1
    assert rows[0]["valid"] == "2024-01-01"
    assert set(rows[0]["graphs"].split()) == {f"{BASE}/graph/localgovjp", f"{BASE}/graph/localgov-changes"}


def test_upstream_copy_is_unchanged():
    """The project's changes live in their own CSV: the localgovjp copy is the published file."""
    ours = (PROJECT_DIR / "data" / "source" / "municipalities.csv").read_text(encoding="utf-8-sig")
    assert "浜松市 中央区" not in ours and "浜松市 中区" in ours


@pytest.mark.parametrize("code", sorted(OLD_WARDS))
def test_hamamatsu_old_ward_ended_and_still_resolves(kg, code):
    name, successors = OLD_WARDS[code]
    rows = select(kg, PREFIXES + f"""
        SELECT ?ward ?end ?parent (GROUP_CONCAT(?next; separator=" ") AS ?successors) {{
          ?ward sckg:localGovernmentCode "{code}" ; rdfs:label "{name}"@ja ;
                a sckg:Municipality, sckg:DesignatedCityWard ;
                schema:dissolutionDate ?end ;
                sckg:parentMunicipality/sckg:localGovernmentCode ?parent ;
                dcterms:isReplacedBy/sckg:localGovernmentCode ?next .
          FILTER NOT EXISTS {{ ?ward schema:foundingDate ?start }}
        }} GROUP BY ?ward ?end ?parent""")
    assert len(rows) == 1, rows
    assert rows[0]["ward"] == f"{BASE}/id/municipality/{code}"
    assert (rows[0]["end"], rows[0]["parent"]) == ("2024-01-01", HAMAMATSU)
    assert set(rows[0]["successors"].split()) == successors


@pytest.mark.parametrize("code", sorted(NEW_WARDS))
def test_hamamatsu_new_ward_started_with_parent(kg, code):
    name, kana = NEW_WARDS[code]
    rows = select(kg, PREFIXES + f"""
        SELECT ?start ?parent ?prefecture (GROUP_CONCAT(?old; separator=" ") AS ?replaces) {{
          ?ward sckg:localGovernmentCode "{code}" ; rdfs:label "{name}"@ja, "{kana}"@ja-hrkt ;
                a sckg:Municipality, sckg:DesignatedCityWard ;
                schema:foundingDate ?start ;
                sckg:parentMunicipality/sckg:localGovernmentCode ?parent ;
                sckg:prefecture/sckg:localGovernmentCode ?prefecture ;
                dcterms:replaces/sckg:localGovernmentCode ?old ;
                dcterms:source <{BASE}/id/source/hamamatsu-ward-reorganisation>,
                               <{BASE}/id/source/soumu-lg-code> .
          FILTER NOT EXISTS {{ ?ward schema:dissolutionDate ?end }}
          FILTER NOT EXISTS {{ ?ward sckg:corporateNumber ?number }}
        }} GROUP BY ?start ?parent ?prefecture""")
    assert len(rows) == 1, rows
    assert (rows[0]["start"], rows[0]["parent"], rows[0]["prefecture"]) == ("2024-01-01", HAMAMATSU, "220001")
    assert set(rows[0]["replaces"].split()) == {old for old, (_, nxt) in OLD_WARDS.items() if code in nxt}


def test_no_founding_date_without_a_source(kg):
    """Only the bodies a change row establishes have a start date; none is invented for the others."""
    rows = select(kg, PREFIXES + """
        SELECT ?code { ?lg schema:foundingDate ?d ; sckg:localGovernmentCode ?code }""")
    assert sorted(r["code"] for r in rows) == sorted(NEW_WARDS)


def test_municipality_query_marks_an_abolished_ward(kg):
    (old,) = run_query(kg, "municipality", code="221317")
    assert (old["current"], old["validUntil"], old["replacedBy"], old["kind"]) == (
        "false", "2024-01-01", "221384", "政令指定都市の区")
    (new,) = run_query(kg, "municipality", code="221406")
    assert (new["current"], new["validFrom"], new["validUntil"]) == ("true", "2024-01-01", None)
    (sapporo,) = run_query(kg, "municipality", code="011002")
    assert (sapporo["kind"], sapporo["corporateNumber"], sapporo["current"]) == (
        "政令指定都市", "9000020011002", "true")


def test_search_marks_abolished_bodies_and_lists_each_once(kg):
    rows = run_query(kg, "search", q="浜松市天竜区")
    assert sorted((r["resource"].rsplit("/", 1)[1], r["validUntil"]) for r in rows) == [
        ("221376", "2024-01-01"), ("221406", None)]


# -- Kinds of body ----------------------------------------------------------------------------------

CURRENT = "FILTER NOT EXISTS { ?lg schema:dissolutionDate ?end }"


@pytest.mark.parametrize(("cls", "total"), [
    ("Prefecture", 47),
    ("City", 792),  # designated cities included
    ("DesignatedCity", 20),
    ("Town", 743),
    ("Village", 183),
    ("SpecialWard", 23),
    ("DesignatedCityWard", 171),  # 175 before 浜松市 went from seven wards to three
])
def test_current_bodies_per_kind(kg, cls, total):
    rows = select(kg, PREFIXES + f"SELECT (COUNT(DISTINCT ?lg) AS ?n) {{ ?lg a sckg:{cls} {CURRENT} }}")
    assert int(rows[0]["n"]) == total


def test_1741_municipalities_and_special_wards_on_2024_01_01(kg):
    """1,718 市町村 and 23 特別区: every current municipality that is not a ward of a designated city."""
    rows = select(kg, PREFIXES + f"""
        SELECT (COUNT(DISTINCT ?lg) AS ?n) {{ ?lg a sckg:Municipality {CURRENT}
          FILTER NOT EXISTS {{ ?lg a sckg:DesignatedCityWard }} }}""")
    assert int(rows[0]["n"]) == 1741


def test_wards_with_the_abolished_ones(kg):
    rows = select(kg, "SELECT (COUNT(DISTINCT ?lg) AS ?n) { ?lg a sckg:DesignatedCityWard }")
    assert int(rows[0]["n"]) == 175 + 3


def test_every_municipality_has_exactly_one_kind(kg):
    rows = select(kg, """
        SELECT ?lg (COUNT(?kind) AS ?n) { ?lg a sckg:Municipality
          OPTIONAL { ?lg a ?kind
            FILTER(?kind IN (sckg:City, sckg:Town, sckg:Village, sckg:SpecialWard, sckg:DesignatedCityWard)) }
        } GROUP BY ?lg HAVING (COUNT(?kind) != 1)""")
    assert not rows, rows[:5]


def test_kinds_are_the_projects_reading(kg):
    """The kind is derived from code and name: stated in the curated graph, not the localgovjp one."""
    rows = select(kg, """
        SELECT DISTINCT ?g { GRAPH ?g { ?lg a ?kind }
          FILTER(?kind IN (sckg:City, sckg:DesignatedCity, sckg:Town, sckg:Village, sckg:SpecialWard,
                           sckg:DesignatedCityWard)) }""")
    assert [r["g"] for r in rows] == [f"{BASE}/graph/curated"]


@pytest.mark.parametrize(("code", "cls"), [
    ("131016", "SpecialWard"),  # 千代田区
    ("131237", "SpecialWard"),  # 江戸川区
    ("132012", "City"),  # 八王子市: a 市 of Tokyo, outside the special wards' codes
    ("011002", "DesignatedCity"),  # 札幌市
    ("011011", "DesignatedCityWard"),  # 札幌市中央区
    ("013919", "Village"),  # 島牧村
    ("373222", "Town"),  # 土庄町, read とのしょうちょう
])
def test_kind_of(kg, code, cls):
    assert select(kg, f'SELECT ?lg {{ ?lg sckg:localGovernmentCode "{code}" ; a sckg:{cls} }}'), (
        f"{code} is not a sckg:{cls}")


# -- Corporate numbers and ic:ID ------------------------------------------------------------------

def test_every_local_public_body_has_its_corporate_number(kg):
    rows = select(kg, """
        SELECT ?code ?number ?ward { ?lg sckg:localGovernmentCode ?code
          OPTIONAL { ?lg sckg:corporateNumber ?number }
          BIND(EXISTS { ?lg a sckg:DesignatedCityWard } AS ?ward) }""")
    numbered = [r for r in rows if r["number"]]
    assert len(numbered) == 47 + 1741
    assert all(r["number"] == corporate_number(r["code"]) for r in numbered)
    assert all((r["number"] is None) == (r["ward"] == "true") for r in rows)


def test_ic_id_structure_of_takamatsu(kg):
    rows = select(kg, PREFIXES + """
        SELECT ?id ?value ?scheme ?name { ?lg sckg:localGovernmentCode "372013" ; ic:ID ?id .
          ?id a ic:ID型 ; ic:識別値 ?value ; ic:体系 ?scheme .
          ?scheme a ic:ID体系型 ; ic:名称 [ a ic:名称型 ; ic:表記 ?name ] }""")
    town = f"{BASE}/id/municipality/372013"
    assert sorted((r["id"], r["value"], r["scheme"], r["name"]) for r in rows) == [
        (f"{town}/id/corporate-number", "1000020372013", f"{BASE}/id/id-scheme/corporate-number", "法人番号"),
        (f"{town}/id/lg-code", "372013", f"{BASE}/id/id-scheme/lg-code", "全国地方公共団体コード"),
    ]


def test_ic_id_nodes_and_schemes_have_iris(kg):
    rows = select(kg, PREFIXES + """
        SELECT ?x { { ?lg ic:ID ?x } UNION { ?id ic:体系 ?x } UNION { ?s ic:名称 ?x } FILTER(!isIRI(?x)) }""")
    assert not rows


def test_data_uses_only_verified_imi_terms(kg):
    rows = select(kg, """
        SELECT DISTINCT ?t { { ?s ?t ?o } UNION { ?s a ?t }
          FILTER(STRSTARTS(STR(?t), "http://imi.go.jp/ns/core/rdf#")) }""")
    assert {URIRef(r["t"]) for r in rows} <= VERIFIED_IMI_TERMS


# -- The e-Stat link does not make a body a skos:Concept ------------------------------------------

SKOS_AXIOMS = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
skos:exactMatch rdfs:subPropertyOf skos:closeMatch .
skos:closeMatch rdfs:subPropertyOf skos:mappingRelation .
skos:mappingRelation rdfs:subPropertyOf skos:semanticRelation .
skos:semanticRelation rdfs:domain skos:Concept ; rdfs:range skos:Concept .
"""


def _rdfs_closure(data: Graph) -> Graph:
    g = Graph().parse(data=SKOS_AXIOMS, format="turtle")
    g += Graph().parse(PROJECT_DIR / "ontology" / "smartcity.ttl")
    g += data
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(g)
    return g


def test_no_local_government_is_a_skos_concept_under_rdfs(kg):
    bodies = [f"{BASE}/id/prefecture/370002", f"{BASE}/id/municipality/372013",
              f"{BASE}/id/municipality/221317"]
    data = Graph()
    for body in bodies:
        for row in select(kg, f"SELECT ?p ?o {{ <{body}> ?p ?o FILTER(isIRI(?o)) }}"):
            data.add((URIRef(body), URIRef(row["p"]), URIRef(row["o"])))
    assert any(p == URIRef("https://w3id.org/smartcity-kg/ontology#standardAreaCode") for _, p, _ in data)
    closed = _rdfs_closure(data)
    assert not [b for b in bodies if (URIRef(b), RDF.type, SKOS.Concept) in closed]
    # The same closure did type a body linked by skos:exactMatch (the link this replaces).
    control = Graph()
    control.add((URIRef(bodies[1]), SKOS.exactMatch, URIRef("http://data.e-stat.go.jp/lod/sac/C37201")))
    assert (URIRef(bodies[1]), RDF.type, SKOS.Concept) in _rdfs_closure(control)


def test_no_skos_exact_match_on_local_governments(kg):
    assert not select(kg, "SELECT ?lg { ?lg sckg:localGovernmentCode ?c ; skos:exactMatch ?x }")


# -- Shape rule: an IRI whose key disagrees with its code -----------------------------------------

def test_iri_key_must_be_the_code():
    """municipality/123456 carrying 高松市's data (code 372013) is refused, naming the rule."""
    wrong = iri("municipality/123456")
    g = world_graph(("kagawa",)) + rename(snippet("takamatsu"), iri(WORLD["takamatsu"].subject), wrong)
    g += snippet("takamatsu-id")
    g.set((wrong, URIRef("https://w3id.org/smartcity-kg/ontology#localGovernmentCode"), Literal("654321")))
    conforms, results = validate(g)
    assert not conforms
    assert any(r.value == wrong and "LocalGovernment's IRI must end in" in r.message and "654321" in r.message
               for r in results), explain(results)
    right, results = validate(world_graph(("takamatsu",)))
    assert right, explain(results)


def test_kana_rule_accepts_every_kana_label_of_the_data(kg):
    rows = select(kg, """SELECT ?l { ?lg sckg:localGovernmentCode ?c ; rdfs:label ?l
                          FILTER(LANGMATCHES(LANG(?l), "ja-hrkt")) }""")
    assert len(rows) == 47 + 1919
    kana = {chr(c) for c in (*range(0x3041, 0x3097), 0x309D, 0x309E, *range(0x30A1, 0x30FF))}
    assert all(set(r["l"]) <= kana for r in rows)
