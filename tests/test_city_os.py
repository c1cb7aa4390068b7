"""Issue 9: City OS shared use by its own definitions, the briefing's words apart from ours, keys
that stay unique, and the ``iri-history`` graph.

The facts are the briefing's (§(3) p.9–13 and the chart 都市OSの導入地域（市町村）数の推移), written
out here: the chart prints 「長崎県全21市町」 under 2021年度 without ※, ※ marks only 観音寺市, 綾川町
(高松市's City OS) and 横瀬町 (さいたま市's); p.9 says 大阪府・長崎県 are about to introduce themselves a
City OS that the municipalities under them use. That the 21 use 長崎県's City OS (approach ウ) and
that both City OS are "planned" are the project's readings, which must sit in the curated graph with
their basis. Checked over the loaded store by SPARQL and through the API.
"""

from __future__ import annotations

import pytest
from conftest import http, select
from test_shapes import (
    CASES,
    INTRODUCED_BEFORE_CITY_OS,
    OTHERS_CITY_OS_NOT_SHARED,
    UNKNOWN_APPROACH_NOTATION,
    UNKNOWN_COST_NOTATION,
    bad_results,
    explain,
)

from kg.errors import SourceError
from loader import pipeline

BASE = "https://w3id.org/smartcity-kg"
ID = f"{BASE}/id/"
BRIEFING = f"<{BASE}/graph/briefing>"
CURATED = f"<{BASE}/graph/curated>"
TRANSLATIONS = f"<{BASE}/graph/translations>"
HISTORY = f"<{BASE}/graph/iri-history>"
NAGASAKI_OS = f"{ID}city-os/420000-1"
OSAKA_OS = f"{ID}city-os/270008-1"
ABOUT_TO_INTRODUCE = "府県下市町村が利用する都市OSを自ら導入しようとされている"

# 長崎県: 13 市 and 8 町 (data/source/municipalities.csv, codes 42xxxx).
NAGASAKI_CITIES = {"422011": "長崎市", "422029": "佐世保市", "422037": "島原市", "422045": "諫早市",
                   "422053": "大村市", "422070": "平戸市", "422088": "松浦市", "422096": "対馬市",
                   "422100": "壱岐市", "422118": "五島市", "422126": "西海市", "422134": "雲仙市",
                   "422142": "南島原市"}
NAGASAKI_TOWNS = {"423076": "長与町", "423084": "時津町", "423211": "東彼杵町", "423220": "川棚町",
                  "423238": "波佐見町", "423831": "小値賀町", "423912": "佐々町", "424111": "新上五島町"}
NAGASAKI = {**NAGASAKI_CITIES, **NAGASAKI_TOWNS}
MARKED = {"観音寺市": "高松市", "綾川町": "高松市", "横瀬町": "さいたま市"}  # ※ on the chart


def rows(server, path: str, **params) -> list[dict]:
    response = http.get(server + path, params=params, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()


# -- Nagasaki: the chart as printed, and the project's reading beside it -------------------------------


def test_nagasaki_has_13_cities_and_8_towns():
    assert len(NAGASAKI_CITIES) == 13 and len(NAGASAKI_TOWNS) == 8
    assert all(name.endswith("市") for name in NAGASAKI_CITIES.values())
    assert all(name.endswith("町") for name in NAGASAKI_TOWNS.values())


def test_nagasaki_introductions_as_the_chart_prints_them(kg):
    found = select(kg, f"""
        SELECT ?code ?label ?year ?printed ?marked ?chart {{ GRAPH {BRIEFING} {{
          ?i a sckg:CityOSIntroduction ; sckg:municipality ?m ; sckg:fiscalYear ?year ;
             sckg:asPrinted ?printed ; sckg:sharedUseMarked ?marked ; sckg:chartSource ?chart }}
          ?m sckg:localGovernmentCode ?code ; rdfs:label ?label
          FILTER(LANG(?label) = "ja" && STRSTARTS(?code, "42"))
        }}""")
    assert {r["code"]: r["label"] for r in found} == NAGASAKI
    assert {(r["year"], r["printed"], r["marked"], r["chart"]) for r in found} == {
        ("2021", "長崎県全21市町", "false", f"{ID}source/system-wg-28")}


def test_nagasaki_introductions_read_as_shared_use_of_the_prefectures_city_os(kg):
    found = select(kg, f"""
        SELECT ?code ?os ?shared ?basis {{
          ?i a sckg:CityOSIntroduction ; sckg:municipality/sckg:localGovernmentCode ?code .
          GRAPH {CURATED} {{ ?i sckg:cityOS ?os ; sckg:sharedUse ?shared ; sckg:sharedUseBasis ?basis }}
        }}""")
    assert {r["code"] for r in found} == set(NAGASAKI)
    assert {(r["os"], r["shared"]) for r in found} == {(NAGASAKI_OS, "true")}
    assert all(ABOUT_TO_INTRODUCE in r["basis"] and "※" in r["basis"] for r in found)
    leaked = select(kg, f"""SELECT ?i {{ GRAPH {BRIEFING} {{ ?i sckg:cityOS <{NAGASAKI_OS}> }} }}""")
    assert not leaked, "the chart does not say whose City OS the 21 introduce: that is our reading"


def test_nagasaki_sharings_prefecture_led_and_curated(kg):
    found = select(kg, f"""
        SELECT ?code ?since ?notation ?basis ?sources {{ GRAPH {CURATED} {{
          ?s a sckg:CityOSSharing ; sckg:cityOS <{NAGASAKI_OS}> ; sckg:user ?u ; sckg:sinceFiscalYear ?since ;
             sckg:curatedByProject true ; sckg:approach ?a ; sckg:approachBasis ?basis }}
          ?u sckg:localGovernmentCode ?code . ?a skos:notation ?notation .
          {{ SELECT ?s (GROUP_CONCAT(STR(?src); separator=" ") AS ?sources)
             {{ ?s dcterms:source ?src }} GROUP BY ?s }}
        }}""")
    assert {r["code"] for r in found} == set(NAGASAKI)
    assert {(r["since"], r["notation"]) for r in found} == {("2021", "ウ")}
    for r in found:
        assert set(r["sources"].split()) == {f"{ID}source/briefing", f"{ID}source/project-curation"}
        assert ABOUT_TO_INTRODUCE in r["basis"] and "ウ" in r["basis"]


def test_sharing_iris_name_user_and_city_os(kg):
    found = select(kg, "SELECT ?s { ?s a sckg:CityOSSharing }")
    assert {r["s"] for r in found} == (
        {f"{ID}city-os-sharing/{code}/420000-1" for code in NAGASAKI}
        | {f"{ID}city-os-sharing/372056/372013-1", f"{ID}city-os-sharing/373877/372013-1",
           f"{ID}city-os-sharing/113611/111007-1"})


@pytest.mark.parametrize(("os", "owner"), [(NAGASAKI_OS, "長崎県"), (OSAKA_OS, "大阪府")],
                         ids=["Nagasaki", "Osaka"])
def test_prefectures_city_os_planned_in_the_briefings_words(kg, os, owner):
    found = select(kg, f"""
        SELECT ?owner ?stated ?status ?basis ?year {{
          <{os}> sckg:owner/rdfs:label ?owner FILTER(LANG(?owner) = "ja")
          GRAPH {BRIEFING} {{ <{os}> sckg:statusAsStated ?stated }}
          GRAPH {CURATED} {{ <{os}> sckg:status ?status ; sckg:statusBasis ?basis }}
          OPTIONAL {{ <{os}> sckg:introducedFiscalYear ?year }}
        }}""")
    assert len(found) == 1
    (r,) = found
    assert (r["owner"], r["stated"], r["status"], r["year"]) == (owner, ABOUT_TO_INTRODUCE, "planned", None)
    assert ABOUT_TO_INTRODUCE in r["basis"]


def test_osaka_names_no_users(kg):
    found = select(kg, f"""SELECT ?x {{ {{ ?x sckg:cityOS <{OSAKA_OS}> }} }}""")
    assert found == []


def test_city_os_introduction_years_where_the_chart_gives_them(kg):
    """A municipality's own City OS was introduced in the year the chart lists the municipality."""
    found = select(kg, """
        SELECT ?os ?year ?introYear ?status {
          ?os a sckg:CityOS ; sckg:owner ?owner ; sckg:status ?status .
          OPTIONAL { ?os sckg:introducedFiscalYear ?year }
          OPTIONAL { ?i a sckg:CityOSIntroduction ; sckg:cityOS ?os ; sckg:municipality ?owner ;
                        sckg:fiscalYear ?introYear }
        }""")
    assert len(found) == 24
    for r in found:
        if r["os"] in (NAGASAKI_OS, OSAKA_OS):
            assert (r["year"], r["introYear"], r["status"]) == (None, None, "planned")
        else:
            assert r["year"] == r["introYear"] and r["year"] is not None and r["status"] == "introduced", r


# -- Every definition holds ---------------------------------------------------------------------------


def test_use_of_another_bodys_city_os_is_shared_and_has_its_sharing(kg):
    found = select(kg, """
        SELECT ?i ?shared ?own ?sharing {
          ?i a sckg:CityOSIntroduction ; sckg:municipality ?m ; sckg:cityOS ?os ; sckg:sharedUse ?shared .
          BIND(EXISTS { ?os sckg:owner ?m } AS ?own)
          BIND(EXISTS { ?s a sckg:CityOSSharing ; sckg:user ?m ; sckg:cityOS ?os } AS ?sharing)
        }""")
    assert len(found) == 46
    wrong = [r for r in found if {r["shared"], r["sharing"]} != {"false" if r["own"] == "true" else "true"}]
    assert not wrong, wrong


def test_every_sharing_is_of_another_bodys_city_os(kg):
    found = select(kg, "SELECT ?s { ?s a sckg:CityOSSharing ; sckg:user ?u ; sckg:cityOS/sckg:owner ?u }")
    assert found == []


def test_marked_entries_are_the_three_the_chart_marks(kg):
    found = select(kg, """
        SELECT ?user ?owner ?printed { ?i a sckg:CityOSIntroduction ; sckg:sharedUseMarked true ;
            sckg:asPrinted ?printed ; sckg:municipality/rdfs:label ?user ;
            sckg:cityOS/sckg:owner/rdfs:label ?owner
            FILTER(LANG(?user) = "ja" && LANG(?owner) = "ja") }""")
    assert {r["user"]: r["owner"] for r in found} == MARKED
    assert all(r["printed"].endswith("※") for r in found)


def test_every_introduction_names_the_charts_source(kg):
    found = select(kg, """
        SELECT ?issued (COUNT(?i) AS ?n) { ?i a sckg:CityOSIntroduction ; sckg:chartSource ?src .
            ?src dcterms:issued ?issued ; dcterms:title ?title
            FILTER(CONTAINS(?title, "第28回国と地方のシステムWG")) }
        GROUP BY ?issued""")
    assert found == [{"issued": "2021-04-23", "n": "46"}]


# -- The briefing's words apart from ours: approaches, cost allocation, the reason for shared use ---


def test_concept_definitions_are_the_projects(kg):
    briefing = select(kg, f"""SELECT ?c {{ GRAPH {BRIEFING} {{ ?c skos:definition ?d }}
        ?c a ?t FILTER(?t IN (sckg:SharingApproach, sckg:CostAllocationMethod)) }}""")
    assert briefing == [], "the briefing names ア/イ/ウ, 均等割 and 従量割 but defines none of them"
    found = select(kg, f"""
        SELECT ?c ?ja ?en ?basis {{
          ?c a ?t FILTER(?t IN (sckg:SharingApproach, sckg:CostAllocationMethod))
          GRAPH {CURATED} {{ ?c skos:definition ?ja ; sckg:definitionBasis ?basis }}
          GRAPH {TRANSLATIONS} {{ ?c skos:definition ?en }}
        }}""")
    assert len(found) == 3 + 2
    assert all(r["basis"].startswith("Project's definition") for r in found)


def test_the_briefings_example_is_on_approach_i(kg):
    found = select(kg, f"""SELECT ?n ?e {{ GRAPH {BRIEFING} {{ ?a skos:example ?e ; skos:notation ?n }} }}""")
    assert found == [{"n": "イ", "e": "５団体で折半すればコストは1/5"}]


def test_cost_allocation_two_methods_population_and_usage_are_bases(kg):
    found = select(kg, f"""
        SELECT ?notation ?basis {{ GRAPH {BRIEFING} {{
                                   ?m a sckg:CostAllocationMethod ; skos:notation ?notation .
                                   OPTIONAL {{ ?m sckg:allocationBasis ?basis }} }} }}""")
    assert {(r["notation"], r["basis"]) for r in found} == {
        ("均等割", None), ("従量割", "人口規模"), ("従量割", "利用実績")}
    assert select(kg, 'SELECT ?m { ?m ?p "人口割"@ja }') == []


def test_reason_for_shared_use_in_the_briefings_words(kg):
    found = select(kg, f"""
        SELECT ?scheme ?why ?section {{ GRAPH {BRIEFING} {{ ?scheme sckg:rationale ?why ;
            dcterms:source <{ID}source/briefing> ; sckg:sourceSection ?section }} }}""")
    assert len(found) == 1
    (r,) = found
    assert r["scheme"] == f"{ID}scheme/sharing-approach"
    assert "一定の財源、ノウハウ等が必要というハードル" in r["why"]
    assert "ハードルを下げる１つの手法" in r["why"]
    assert "共同利用" in r["why"] and "p.9" in r["section"]


# -- IRI history ---------------------------------------------------------------------------------------


def test_iri_history_maps_every_renamed_iri_to_a_described_one(kg):
    found = select(kg, f"""
        SELECT ?old ?new ?typed ?oldUsed {{ GRAPH {HISTORY} {{ ?old owl:sameAs ?new }}
          BIND(EXISTS {{ ?new a ?type }} AS ?typed)
          BIND(EXISTS {{ {{ ?old ?p ?o FILTER(?p != owl:sameAs) }} UNION {{ ?s ?q ?old }} }} AS ?oldUsed)
        }}""".replace("SELECT", "PREFIX owl: <http://www.w3.org/2002/07/owl#>\nSELECT", 1))
    mapping = {r["old"].removeprefix(ID): r["new"].removeprefix(ID) for r in found}
    assert mapping["city-os/372013"] == "city-os/372013-1"
    assert mapping["city-os-introduction/372056"] == "city-os-introduction/372056/372013-1"
    assert mapping["city-os-introduction/422011"] == "city-os-introduction/422011/420000-1"
    assert mapping["city-os-sharing/113611"] == "city-os-sharing/113611/111007-1"
    assert mapping["cost-allocation/population"] == "cost-allocation/usage"
    assert len([o for o in mapping if o.startswith("city-os/")]) == 24
    assert len([o for o in mapping if o.startswith("city-os-introduction/")]) == 46
    assert all(r["typed"] == "true" for r in found)
    assert all(r["oldUsed"] == "false" for r in found)


def test_void_describes_the_iri_history_graph(kg):
    found = select(kg, f"""
        PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?description ?predicate {{ GRAPH <{BASE}/graph/void> {{
          ?subset sckg:namedGraph <{BASE}/graph/iri-history> ; dcterms:description ?description ;
                  void:linkPredicate ?predicate ; a void:Linkset }} }}""")
    assert len(found) == 1 and found[0]["predicate"] == "http://www.w3.org/2002/07/owl#sameAs"
    assert "owl:sameAs" in found[0]["description"]


def _history_row(source_copy, row: str) -> int:
    """Append ``row`` to the copy's iri-history.csv; return its line number (the header is line 1)."""
    path = source_copy / "iri-history.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + row + "\n", encoding="utf-8")
    return len(text.splitlines()) + 1


def test_iri_history_refuses_a_new_iri_not_in_the_data(source_copy):
    line = _history_row(source_copy, "city-os/999999,city-os/999999-1,2026-11-30,test")
    with pytest.raises(SourceError, match=rf"iri-history.csv:{line}:2: new IRI 'city-os/999999-1' is not"):
        pipeline.compile_sources(source_copy)


def test_iri_history_refuses_an_old_iri_still_in_use(source_copy):
    line = _history_row(source_copy, "city-os/372013-1,city-os/111007-1,2026-11-30,test")
    with pytest.raises(SourceError, match=rf"iri-history.csv:{line}:1: old IRI 'city-os/372013-1' is still"):
        pipeline.compile_sources(source_copy)


def test_iri_history_file_is_required(source_copy):
    (source_copy / "iri-history.csv").unlink()
    with pytest.raises(Exception, match="iri-history.csv: source file not found"):
        pipeline.compile_sources(source_copy)


# -- The shape rules (bad copies of the test world of tests/test_shapes.py) -----------------------------


def _refused(case_id: str, message: str) -> None:
    (case,) = [c for c in CASES if c.id == case_id]
    assert case.message == message
    for inference in ("rdfs", "none"):
        conforms, results = bad_results(inference)
        about = [r for r in results if getattr(r, case.on) == case.node]
        assert any(message in r.message for r in about), explain(about)


def test_shape_refuses_another_bodys_city_os_marked_not_shared():
    _refused("others-city-os-not-shared", OTHERS_CITY_OS_NOT_SHARED)


def test_shape_refuses_an_introduction_before_the_city_os_exists():
    _refused("introduced-before-city-os", INTRODUCED_BEFORE_CITY_OS)


def test_shape_refuses_an_unknown_cost_method_notation():
    _refused("cost-notation-unknown", UNKNOWN_COST_NOTATION)


def test_shape_refuses_an_unknown_approach_notation():
    _refused("approach-notation-unknown", UNKNOWN_APPROACH_NOTATION)


# -- The API gives the corrected answers ------------------------------------------------------------


def test_api_city_os_sharing_of_the_prefecture_lists_its_users(server):
    answer = rows(server, "/api/city-os-sharing", municipality="420000")
    assert {r["userCode"] for r in answer} == set(NAGASAKI)
    found = {(r["ownerLabel"], r["approach"], r["cityOSStatus"], r["since"], r["curated"]) for r in answer}
    assert found == {("長崎県", "ウ", "planned", 2021, True)}


def test_api_cost_share_splits_among_the_users_not_the_prefecture(server):
    answer = rows(server, "/api/cost-share", cityOS=NAGASAKI_OS, method="equal", totalCost="2100")
    assert {r["userCode"] for r in answer} == set(NAGASAKI), "21 municipalities, not 長崎県"
    assert all(r["participants"] == 21 and r["amount"] == 100 and r["role"] == "user" for r in answer)
    assert rows(server, "/api/cost-share", cityOS=OSAKA_OS, method="equal", totalCost="100") == []


def test_api_cost_share_has_no_population_method(server):
    response = http.get(server + "/api/cost-share", params={"cityOS": NAGASAKI_OS, "method": "population",
                                                            "totalCost": "1"})
    assert response.status_code == 400 and "'method'" in response.text


def test_api_adoption_by_year_counts_shared_use_as_read_and_as_marked(server):
    by_year = {r["fiscalYear"]: r for r in rows(server, "/api/city-os-adoption-by-year")}
    fy2021 = by_year[2021]
    assert (fy2021["adopted"], fy2021["sharedUse"], fy2021["sharedUseMarked"]) == (28, 22, 1)
    assert (by_year[2019]["sharedUse"], by_year[2019]["sharedUseMarked"]) == (2, 2)


def test_api_municipality_city_os_parts(server):
    (nagasaki_city,) = rows(server, "/api/municipality", code="422011")
    assert (nagasaki_city["cityOS"], nagasaki_city["cityOSRole"], nagasaki_city["sharedUse"],
            nagasaki_city["cityOSFiscalYear"], nagasaki_city["cityOSStatus"]) == (
        NAGASAKI_OS, "user", True, 2021, "planned")
    (prefecture,) = rows(server, "/api/municipality", code="420000")
    assert (prefecture["cityOSRole"], prefecture["cityOSStatus"]) == ("owner", "planned")
    assert len(prefecture["sharingPartnerCodes"].split(",")) == 21
    (osaka,) = rows(server, "/api/municipality", code="270008")
    assert (osaka["cityOS"], osaka["cityOSStatus"], osaka["sharingPartners"]) == (OSAKA_OS, "planned", None)


@pytest.mark.parametrize("name", ["city-os-sharing", "cost-share", "city-os-adoption-by-year",
                                  "municipality"])
def test_query_descriptions_say_what_was_corrected(server, name):
    listing = http.get(server + "/api", headers={"Accept": "application/json"}).json()
    listed = {q["name"]: q for q in listing["queries"]}
    description = listed[name]["description"]
    assert "corrected" in description["en"] and "訂正" in description["ja"]
    assert "長崎" in description["ja"]
