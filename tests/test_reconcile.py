"""``/reconcile`` over real HTTP (the session's granian server), as OpenRefine and other clients call it.

Every response is checked against the structure the published JSON Schemas of the Reconciliation
Service API require (versions 0.2 and 1.0-draft: required fields and their JSON types), written
out here because no package ships those schemas (see ``check_*``). Expected answers come from the
data through ``/sparql`` on the same server, not from literals, except the bodies the issue names.
"""

from __future__ import annotations

import json

import pytest
import requests

from kg.codes import corporate_number

SCKG = "https://w3id.org/smartcity-kg/ontology#"
M = "https://w3id.org/smartcity-kg/id/municipality/"
P = "https://w3id.org/smartcity-kg/id/prefecture/"
FUCHU_TOKYO, FUCHU_HIROSHIMA = M + "132063", M + "342084"
KANONJI, TAKAMATSU, KAGAWA = M + "372056", M + "372013", P + "370002"
PREFIXES = """PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""


# --- the published schemas' required structure ----------------------------------------------------

def check_type(t: object) -> None:
    assert isinstance(t, dict) and isinstance(t["id"], str) and isinstance(t["name"], str), t
    for b in t.get("broader", []):
        check_type(b)


def check_manifest(m: dict, version: str) -> None:
    """manifest.json of 0.2 (identifierSpace, schemaSpace, {{id}} templates, service objects) or 1.0-draft."""
    assert version in m["versions"] and isinstance(m["name"], str) and m["name"]
    assert "{{id}}" in m["view"]["url"] if version == "0.2" else "id" in m["view"]["url"]
    assert isinstance(m["preview"]["width"], int) and isinstance(m["preview"]["height"], int)
    for t in m.get("defaultTypes", []):
        check_type(t)
    if version == "0.2":
        assert isinstance(m["identifierSpace"], str) and isinstance(m["schemaSpace"], str)
        assert "{{id}}" in m["preview"]["url"]
        for kind in ("entity", "type", "property"):
            assert set(m["suggest"][kind]) <= {"service_url", "service_path", "flyout_service_url",
                                               "flyout_service_path"}
            assert all(isinstance(v, str) for v in m["suggest"][kind].values())
        assert isinstance(m["extend"]["propose_properties"]["service_path"], str)
    else:
        assert all(isinstance(m["suggest"][k], bool) for k in ("entity", "type", "property"))
        assert isinstance(m["extend"]["proposeProperties"], bool)


def check_candidate(c: dict, version: str) -> None:
    assert isinstance(c["id"], str) and isinstance(c["name"], str), c
    if version == "0.2":
        assert isinstance(c["score"], int | float), c
    assert isinstance(c["match"], bool) and isinstance(c.get("description", ""), str)
    for t in c["type"]:
        check_type(t)


def check_results_02(answer: dict, keys) -> None:
    """reconciliation-result-batch.json (0.2): ``{key: {"result": [candidate]}}``, the same keys."""
    assert set(answer) == set(keys)
    for value in answer.values():
        for c in value["result"]:
            check_candidate(c, "0.2")


def check_results_v1(answer: dict, n: int) -> None:
    """reconciliation-result-batch.json (1.0-draft): ``{"results": [{"candidates": [...]}]}``, in order."""
    assert len(answer["results"]) == n
    for result in answer["results"]:
        for c in result["candidates"]:
            check_candidate(c, "1.0-draft")


def check_suggest(answer: dict) -> None:
    """suggest-*-response.json: ``{"result": [{"id", "name", …}]}``."""
    for item in answer["result"]:
        assert isinstance(item["id"], str) and isinstance(item["name"], str)
        for t in item.get("notable", []):
            check_type(t)


_VALUE_KEYS = ({"id", "name"}, {"str"}, {"float"}, {"int"}, {"date"})


def check_values(values: list) -> None:
    for v in values:
        assert set(v) in _VALUE_KEYS, v
        assert all(isinstance(v[k], str) for k in v if k in ("id", "name", "str"))
        assert not isinstance(v.get("float", 0.0), bool)


def check_extension(answer: dict, ids: list[str], props: list[str], version: str) -> dict:
    """data-extension-response.json; returns ``{id: {property: values}}`` whichever the version."""
    assert [m["id"] for m in answer["meta"]] == props
    assert all(isinstance(m["name"], str) for m in answer["meta"])
    if version == "0.2":
        rows = answer["rows"]
        assert set(rows) == set(ids)
    else:
        assert [r["id"] for r in answer["rows"]] == ids
        rows = {r["id"]: {p["id"]: p["values"] for p in r["properties"]} for r in answer["rows"]}
    for row in rows.values():
        assert list(row) == props
        for values in row.values():
            check_values(values)
    return rows


# --- helpers --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def base(live_server) -> str:
    return live_server + "/reconcile"


def sparql(live_server: str, query: str) -> list[dict[str, str]]:
    response = requests.get(live_server + "/sparql", params={"query": PREFIXES + query},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def match_02(base: str, queries: dict, **kwargs) -> dict:
    response = requests.post(base, data={"queries": json.dumps(queries)}, timeout=60, **kwargs)
    assert response.status_code == 200, response.text
    check_results_02(response.json(), queries)
    return response.json()


def match_v1(base: str, queries: list, path: str = "/match") -> list[list[dict]]:
    response = requests.post(base + path, json={"queries": queries}, timeout=60)
    assert response.status_code == 200, response.text
    check_results_v1(response.json(), len(queries))
    return [r["candidates"] for r in response.json()["results"]]


def ids(candidates: list[dict]) -> list[str]:
    return [c["id"] for c in candidates]


def matched(candidates: list[dict]) -> list[str]:
    return [c["id"] for c in candidates if c["match"]]


# --- manifest -------------------------------------------------------------------------------------

def test_manifest_0_2_and_jsonp(base, live_server):
    response = requests.get(base, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    m = response.json()
    check_manifest(m, "0.2")
    assert m["versions"] == ["0.2", "1.0-draft"]
    assert {t["id"] for t in m["defaultTypes"]} <= {SCKG + t for t in (
        "Prefecture", "Municipality", "DesignatedCityWard", "AdoptedProject", "CityOS", "SmartCityService")}
    assert m["schemaSpace"] == SCKG and m["identifierSpace"] == "https://w3id.org/smartcity-kg/id/"
    for kind in ("entity", "type", "property"):  # every announced service answers
        service = m["suggest"][kind]
        assert requests.get(service["service_url"] + service["service_path"], params={"prefix": "高"},
                            timeout=30).status_code == 200
    assert m["preview"]["url"].startswith(live_server) and m["batchSize"] >= 100

    wrapped = requests.get(base, params={"callback": "jQuery_123.cb"}, timeout=30)
    assert wrapped.headers["Content-Type"].startswith("application/javascript")
    assert wrapped.text.endswith(");") and json.loads(wrapped.text[wrapped.text.index("(") + 1:-2]) == m
    bad = requests.get(base, params={"callback": "alert(1)//"}, timeout=30)
    assert bad.status_code == 400 and "callback" in bad.text


def test_manifest_1_0_draft_by_parameter_and_media_type(base):
    by_param = requests.get(base, params={"version": "1.0-draft"}, timeout=30).json()
    by_accept = requests.get(base, headers={"Accept": "application/reconciliation.v1+json"},
                             timeout=30).json()
    check_manifest(by_param, "1.0-draft")
    assert by_param == by_accept


def test_manifest_names_the_six_types_in_both_languages(base):
    types = {}
    for lang in ("ja", "en"):
        answer = requests.get(base + "/suggest/type", params={"prefix": "", "lang": lang}, timeout=30).json()
        check_suggest(answer)
        types[lang] = {t["id"]: t["name"] for t in answer["result"]}
    assert set(types["ja"]) == set(types["en"]) and len(types["ja"]) == 6
    assert types["ja"][SCKG + "Prefecture"] == "都道府県" and types["en"][SCKG + "CityOS"] == "City OS"


# --- queries --------------------------------------------------------------------------------------

def test_form_post_get_and_json_post_give_the_same_candidates(base):
    queries = {"q0": {"query": "観音寺市"}, "q1": {"query": "高松市", "limit": 1}}
    posted = match_02(base, queries)
    got = requests.get(base, params={"queries": json.dumps(queries)}, timeout=30)
    assert got.status_code == 200 and got.json() == posted
    assert matched(posted["q0"]["result"]) == [KANONJI] and len(posted["q1"]["result"]) == 1
    v1 = [{"conditions": [{"matchType": "name", "propertyValue": "観音寺市"}]},
          {"conditions": [{"matchType": "name", "propertyValue": "高松市"}], "limit": 1}]
    for path in ("/match", ""):  # the 1.0-draft route, and the root as the brief's JSON POST
        answers = match_v1(base, v1, path)
        assert answers[0] == posted["q0"]["result"] and answers[1] == posted["q1"]["result"]


def test_a_batch_of_100_names_in_one_call(base, live_server):
    rows = sparql(live_server, """SELECT ?m (SAMPLE(?l) AS ?label) WHERE {
        ?m a sckg:Municipality ; rdfs:label ?l FILTER(lang(?l) = "ja")
        FILTER NOT EXISTS { ?o rdfs:label ?l FILTER(?o != ?m) } } GROUP BY ?m ORDER BY ?m LIMIT 100""")
    assert len(rows) == 100
    queries = {f"q{i}": {"query": row["label"], "type": SCKG + "Municipality"} for i, row in enumerate(rows)}
    answer = match_02(base, queries)
    for i, row in enumerate(rows):
        assert matched(answer[f"q{i}"]["result"]) == [row["m"]], (row, answer[f"q{i}"])
    v1 = match_v1(base, [{"conditions": [{"matchType": "name", "propertyValue": r["label"]}]} for r in rows])
    assert [matched(c) for c in v1] == [[r["m"]] for r in rows]


def test_type_narrows_the_candidates(base, live_server):
    hokkaido = sparql(live_server, 'SELECT ?p WHERE { ?p a sckg:Prefecture ; rdfs:label "北海道"@ja }')
    hokkaido = hokkaido[0]["p"]
    answer = match_02(base, {
        "pref": {"query": "北海道", "type": SCKG + "Prefecture"},
        "muni": {"query": "北海道", "type": SCKG + "Municipality"},
        "ward": {"query": "札幌市北区", "type": [SCKG + "DesignatedCityWard"]},
        "city": {"query": "札幌市北区", "type": SCKG + "Prefecture"}})
    assert matched(answer["pref"]["result"]) == [hokkaido]
    assert hokkaido not in ids(answer["muni"]["result"])
    for c in answer["muni"]["result"]:
        assert SCKG + "Municipality" in {t["id"] for t in c["type"]}
    ward = answer["ward"]["result"]
    assert len(matched(ward)) == 1 and {t["id"] for t in ward[0]["type"]} >= {SCKG + "DesignatedCityWard",
                                                                             SCKG + "Municipality"}
    assert answer["city"]["result"] == []


@pytest.mark.parametrize("prefecture, expected", [
    ("東京都", FUCHU_TOKYO), ("広島県", FUCHU_HIROSHIMA), ("34", FUCHU_HIROSHIMA), ("130001", FUCHU_TOKYO),
    (P + "340006", FUCHU_HIROSHIMA), ({"id": P + "130001", "name": "東京都"}, FUCHU_TOKYO),
    ("ひろしまけん", FUCHU_HIROSHIMA),
])
def test_a_prefecture_column_narrows_fuchu(base, prefecture, expected):
    for pid in ("prefecture", SCKG + "prefecture"):
        answer = match_02(base, {"q0": {"query": "府中市", "properties": [{"pid": pid, "v": prefecture}]}})
        assert matched(answer["q0"]["result"]) == [expected] and ids(answer["q0"]["result"]) == [expected]
    v1 = match_v1(base, [{"conditions": [
        {"matchType": "name", "propertyValue": "府中市"},
        {"matchType": "property", "propertyId": "prefecture", "propertyValue": prefecture,
         "required": True}]}])
    assert matched(v1[0]) == [expected]


def test_ambiguous_names_are_never_a_match(base):
    answer = match_02(base, {"q0": {"query": "府中市"}, "q1": {"query": "府中市", "limit": 1}})
    assert set(ids(answer["q0"]["result"])) == {FUCHU_TOKYO, FUCHU_HIROSHIMA}
    assert matched(answer["q0"]["result"]) == [] and matched(answer["q1"]["result"]) == []
    assert len(answer["q1"]["result"]) == 1


def test_kita_ku_without_its_city_is_ambiguous(base, live_server):
    wards = sparql(live_server, """SELECT ?m WHERE { ?m a sckg:Municipality ; rdfs:label ?l
        FILTER(lang(?l) = "ja" && (?l = "北区" || STRENDS(?l, "市北区")))
        FILTER NOT EXISTS { ?m <https://schema.org/dissolutionDate> ?d } }""")
    assert len(wards) > 1
    answer = match_02(base, {"q0": {"query": "北区", "limit": 50}})
    assert set(ids(answer["q0"]["result"])) >= {w["m"] for w in wards}
    assert matched(answer["q0"]["result"]) == []


def test_a_wrong_prefecture_keeps_the_candidate_but_not_as_a_match(base):
    wrong = [{"pid": "prefecture", "v": "東京都"}]
    answer = match_02(base, {"q0": {"query": "観音寺市", "properties": wrong}})
    assert ids(answer["q0"]["result"]) == [KANONJI] and matched(answer["q0"]["result"]) == []
    required = match_v1(base, [{"conditions": [
        {"matchType": "name", "propertyValue": "観音寺市"},
        {"matchType": "property", "propertyId": "prefecture", "propertyValue": "東京都", "required": True}]}])
    assert required == [[]]


@pytest.mark.parametrize("pid, value, expected", [
    ("lgCode", "372056", [KANONJI]), ("lgCode", "37205", [KANONJI]), ("lgCode", 372056, [KANONJI]),
    ("code", "372013", [TAKAMATSU]), (SCKG + "localGovernmentCode", "372013", [TAKAMATSU]),
    ("corporateNumber", corporate_number("372056"), [KANONJI]),
    ("lgCode", "372057", []),  # wrong check digit: nothing
])
def test_a_code_column_alone_finds_the_body(base, pid, value, expected):
    answer = match_02(base, {"q0": {"properties": [{"pid": pid, "v": value}]}})
    assert ids(answer["q0"]["result"]) == expected and matched(answer["q0"]["result"]) == expected


def test_a_code_column_narrows_a_name(base):
    answer = match_02(base, {"q0": {"query": "府中市", "properties": [{"pid": "lgCode", "v": "342084"}]},
                             "q1": {"query": "府中市", "properties": [{"pid": "lgCode", "v": "372013"}]}})
    assert matched(answer["q0"]["result"]) == [FUCHU_HIROSHIMA]
    assert matched(answer["q1"]["result"]) == []  # the code names another body: no match


def test_an_id_condition_and_the_candidate_names_in_english(base, live_server):
    en = sparql(live_server, f'SELECT ?l WHERE {{ <{KANONJI}> rdfs:label ?l FILTER(lang(?l) = "en") }}')
    en = en[0]["l"]
    answer = requests.post(base + "/match", params={"lang": "en"}, timeout=30, json={"queries": [
        {"conditions": [{"matchType": "id", "propertyValue": KANONJI}]}]}).json()
    check_results_v1(answer, 1)
    (c,) = answer["results"][0]["candidates"]
    assert c["id"] == KANONJI and c["match"] and c["name"] == en and "Municipality" in c["description"]


# --- preview and view -----------------------------------------------------------------------------

def test_preview_is_a_small_japanese_card_linking_to_the_page(base, live_server):
    manifest = requests.get(base, timeout=30).json()
    url = manifest["preview"]["url"].replace("{{id}}", KANONJI)
    response = requests.get(url, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    row = sparql(live_server, f"""SELECT ?kana ?pl WHERE {{
        <{KANONJI}> rdfs:label ?kana ; sckg:prefecture ?p .
        ?p rdfs:label ?pl FILTER(langMatches(lang(?kana), "ja-Hrkt") && lang(?pl) = "ja") }}""")[0]
    html = response.text
    for text in ("観音寺市", row["kana"], row["pl"], "372056", 'href="/page/municipality/372056"'):
        assert text in html, text
    assert f'width: {manifest["preview"]["width"]}px' in html
    page = requests.get(live_server + "/page/municipality/372056", timeout=30)
    assert page.status_code == 200 and "観音寺市" in page.text
    assert requests.get(base + "/preview", params={"id": M + "999999"}, timeout=30).status_code == 404


def test_view_redirects_to_the_resource_page(base):
    view = requests.get(base, timeout=30).json()["view"]["url"].replace("{{id}}", TAKAMATSU)
    response = requests.get(view, allow_redirects=False, timeout=30)
    assert response.status_code == 303 and response.headers["Location"].endswith("/page/municipality/372013")
    kind = requests.get(base + "/view", params={"id": SCKG + "City"}, allow_redirects=False, timeout=30)
    assert kind.headers["Location"].endswith("/page/class/City")
    assert requests.get(base + "/view", params={"id": "https://example.org/x"}, timeout=30).status_code == 404


# --- suggest --------------------------------------------------------------------------------------

def test_entity_suggest_by_prefix_type_and_cursor(base):
    def suggest(**params):
        response = requests.get(base + "/suggest/entity", params=params, timeout=30)
        assert response.status_code == 200, response.text
        check_suggest(response.json())
        return [r["id"] for r in response.json()["result"]]

    assert suggest(prefix="観音")[0] == KANONJI
    assert KANONJI in suggest(prefix="かんおん")
    assert suggest(prefix=KANONJI) == [KANONJI]
    first, second = suggest(prefix="高", limit=3), suggest(prefix="高", limit=3, cursor=3)
    assert len(first) == 3 and len(second) == 3 and not set(first) & set(second)
    assert suggest(prefix="高", limit=3, offset=3) == second  # 1.0-draft's name for cursor
    assert all(i.startswith(P) for i in suggest(prefix="香", type=SCKG + "Prefecture"))
    assert KAGAWA in suggest(prefix="香", type=SCKG + "Prefecture")


def test_type_and_property_suggest(base):
    types = requests.get(base + "/suggest/type", params={"prefix": "政令"}, timeout=30).json()
    check_suggest(types)
    assert [t["id"] for t in types["result"]] == [SCKG + "DesignatedCityWard"]
    props = requests.get(base + "/suggest/property", params={"prefix": "pref"}, timeout=30).json()
    check_suggest(props)
    assert [p["id"] for p in props["result"]] == ["prefecture"]
    ja = requests.get(base + "/suggest/property", params={"prefix": "法人"}, timeout=30).json()
    assert [p["id"] for p in ja["result"]] == ["corporateNumber"]


# --- data extension -------------------------------------------------------------------------------

EXTEND = ["lgCode", "corporateNumber", "standardAreaCode", "prefecture", "kana", "nameEn", "lat", "long",
          "coordinates", "kind", "projects", "cityOSOwned", "cityOSUsed"]


def test_propose_properties(base):
    municipal = requests.get(base + "/extend/propose", params={"type": SCKG + "Municipality"},
                             timeout=30).json()
    assert municipal["type"] == SCKG + "Municipality"
    assert [p["id"] for p in municipal["properties"]] == EXTEND
    assert all(isinstance(p["name"], str) for p in municipal["properties"])
    prefecture = requests.get(base + "/extend/propose", params={"type": "sckg:Prefecture", "limit": 3},
                              timeout=30).json()
    assert prefecture["limit"] == 3 and [p["id"] for p in prefecture["properties"]] == EXTEND[:3]
    everything = requests.get(base + "/extend/propose", params={"type": "sckg:Prefecture"}, timeout=30).json()
    assert "prefecture" not in {p["id"] for p in everything["properties"]}


def _expected(live_server: str, iri: str) -> dict[str, set]:
    """What the data says of ``iri`` for every extension property, read with our own SPARQL here."""
    def col(query: str, var: str = "o") -> set:
        return {r[var] for r in sparql(live_server, query.replace("$S", f"<{iri}>"))}

    out = {
        "lgCode": col("SELECT ?o WHERE { $S sckg:localGovernmentCode ?o }"),
        "corporateNumber": col("SELECT ?o WHERE { $S sckg:corporateNumber ?o }"),
        "standardAreaCode": col("SELECT ?o WHERE { $S sckg:standardAreaCode ?o }"),
        "prefecture": col("SELECT ?o WHERE { $S sckg:prefecture ?o }"),
        "kana": col('SELECT ?o WHERE { $S rdfs:label ?o FILTER(langMatches(lang(?o), "ja-Hrkt")) }'),
        "nameEn": col('SELECT ?o WHERE { $S rdfs:label ?o FILTER(lang(?o) = "en") }'),
        "lat": {float(v) for v in col("SELECT ?o WHERE { $S geo:lat ?o }")},
        "long": {float(v) for v in col("SELECT ?o WHERE { $S geo:long ?o }")},
        "kind": col("SELECT ?o WHERE { $S a ?o FILTER(?o IN (sckg:Prefecture, sckg:City, sckg:Town, "
                    "sckg:Village, sckg:SpecialWard, sckg:DesignatedCityWard)) }"),
        "projects": col("SELECT ?o WHERE { ?o a sckg:AdoptedProject ; sckg:region $S }"),
        "cityOSOwned": col("SELECT ?o WHERE { ?o a sckg:CityOS ; sckg:owner $S }"),
        "cityOSUsed": col("SELECT ?o WHERE { ?u sckg:user $S ; sckg:cityOS ?o }"),
    }
    designated = col(f"SELECT ?o WHERE {{ $S a ?o FILTER(?o = <{SCKG}DesignatedCity>) }}")
    out["kind"] = designated or out["kind"]  # a designated city is a city too; the more specific wins
    out["coordinates"] = {f"{a},{b}" for a in col("SELECT ?o WHERE { $S geo:lat ?o }")
                          for b in col("SELECT ?o WHERE { $S geo:long ?o }")}
    return out


def _got(values: list[dict]) -> set:
    return {v.get("id") or v.get("str") or v.get("float") for v in values}


@pytest.mark.parametrize("version", ["0.2", "1.0-draft"])
def test_extend_every_property_matches_the_data(base, live_server, version):
    bodies = [TAKAMATSU, KANONJI, KAGAWA, M + "011029", M + "141003"]  # city, user of a City OS, prefecture,
    bodies.append("https://example.org/not-ours")                    # ward, designated city; unknown
    query = {"ids": bodies, "properties": [{"id": p} for p in EXTEND]}
    if version == "0.2":
        response = requests.post(base, data={"extend": json.dumps(query)}, timeout=60)
    else:
        response = requests.post(base + "/extend", json=query, timeout=60)
    assert response.status_code == 200, response.text
    rows = check_extension(response.json(), bodies, EXTEND, version)
    for iri in bodies[:-1]:
        expected = _expected(live_server, iri)
        for prop in EXTEND:
            assert _got(rows[iri][prop]) == expected[prop], (iri, prop, rows[iri][prop])
    assert all(v == [] for v in rows[bodies[-1]].values())
    assert rows[KANONJI]["cityOSUsed"] and rows[TAKAMATSU]["cityOSOwned"] and rows[TAKAMATSU]["projects"]
    assert rows[KANONJI]["prefecture"] == [{"id": KAGAWA, "name": "香川県"}]
    meta = {m["id"]: m for m in response.json()["meta"]}
    assert meta["prefecture"]["type"]["id"] == SCKG + "Prefecture"


def test_extend_one_entity_and_the_project_city_os_properties(base, live_server):
    one = requests.post(base + "/extend", json={"ids": [TAKAMATSU], "properties": [{"id": "kana"}]},
                        timeout=30).json()
    assert check_extension(one, [TAKAMATSU], ["kana"], "1.0-draft")[TAKAMATSU]["kana"] == \
        [{"str": r["o"]} for r in sparql(live_server, f'SELECT ?o WHERE {{ <{TAKAMATSU}> rdfs:label ?o '
                                                      'FILTER(langMatches(lang(?o), "ja-Hrkt")) }')]
    project, city_os = sparql(live_server, f"""SELECT ?p ?c WHERE {{ ?p sckg:region <{TAKAMATSU}> .
        ?c a sckg:CityOS ; sckg:owner <{TAKAMATSU}> }} LIMIT 1""")[0].values()
    answer = requests.post(base + "/extend", timeout=30, json={
        "ids": [project, city_os], "properties": [{"id": "region"}, {"id": "owner"}]}).json()
    rows = check_extension(answer, [project, city_os], ["region", "owner"], "1.0-draft")
    assert TAKAMATSU in _got(rows[project]["region"]) and _got(rows[city_os]["owner"]) == {TAKAMATSU}


# --- errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("send, status, says", [
    (lambda b: requests.post(b, data={"queries": "{not json"}), 400, "not valid JSON"),
    (lambda b: requests.post(b + "/match", data=b"{", headers={"Content-Type": "application/json"}), 400,
     "not valid JSON"),
    (lambda b: requests.post(b, data={"queries": "[1, 2]"}), 400, "keyed by name"),
    (lambda b: requests.post(b + "/match", json={"queries": {"q0": 1}}), 400, "q0"),
    (lambda b: requests.post(b + "/match", json={"query": "x"}), 400, '{"queries"'),
    (lambda b: requests.post(b + "/match", json={"queries": [{"conditions": []}]}), 400, "conditions"),
    (lambda b: requests.post(b, data={"queries": '{"q0": {"query": "x", "type": "sckg:Nothing"}}'}), 400,
     "unknown type"),
    (lambda b: requests.post(b, data={"queries": '{"q0": {"query": "x", "limit": 0}}'}), 400, "limit"),
    (lambda b: requests.post(b, data={"queries": '{"q0": {"query": "x", "properties": [{"pid": "color", '
                                                 '"v": "red"}]}}'}), 400, "unknown property"),
    (lambda b: requests.post(b, data={"queries": '{"q0": {"query": "x", "properties": [{"pid": "kana", '
                                                 '"v": "x"}]}}'}), 400, "cannot narrow"),
    (lambda b: requests.post(b, data={"queries": '{"q0": {}}'}), 400, "needs a name"),
    (lambda b: requests.post(b + "/extend", json={"ids": "x"}), 400, "data extension query"),
    (lambda b: requests.post(b + "/extend", json={"ids": [M + "372013"], "properties": [{"id": "x"}]}), 400,
     "unknown property"),
    (lambda b: requests.get(b + "/extend/propose"), 400, "type is required"),
    (lambda b: requests.get(b + "/suggest/entity", params={"prefix": "a", "cursor": "-1"}), 400, "cursor"),
    (lambda b: requests.post(b, data={"other": "1"}), 400, "queries="),
    (lambda b: requests.get(b + "/preview"), 400, "id is required"),
    (lambda b: requests.post(b, data={"queries": "[" * 100_000}), 400, "nested too deeply"),
    (lambda b: requests.get(b + "/suggest/type", params={"prefix": "", "limit": "²"}), 400, "limit"),
])
def test_bad_requests_are_4xx_saying_why(base, send, status, says):
    response = send(base)
    assert response.status_code == status, response.text
    assert says in response.text


def test_errors_in_the_project_json_shape(base):
    response = requests.post(base, data={"queries": "{"}, headers={"Accept": "application/json"}, timeout=30)
    assert response.status_code == 400
    assert response.json()["status"] == 400 and "not valid JSON" in response.json()["error"]


def test_batch_and_body_limits(base):
    batch_size = requests.get(base, timeout=30).json()["batchSize"]
    too_many = {f"q{i}": {"query": "高松市"} for i in range(batch_size + 1)}
    response = requests.post(base, data={"queries": json.dumps(too_many)}, timeout=60)
    assert response.status_code == 413 and f"at most {batch_size}" in response.text
    v1 = requests.post(base + "/match", json={"queries": [{"query": "高松市"}] * (batch_size + 1)},
                       timeout=60)
    assert v1.status_code == 413
    huge = requests.post(base, data={"queries": json.dumps({"q0": {"query": "高" * 150_000}})}, timeout=60)
    assert huge.status_code == 413


def test_the_openapi_document_lists_the_service(live_server):
    doc = requests.get(live_server + "/openapi.json", timeout=30).json()
    for path in ("/reconcile", "/reconcile/suggest/entity", "/reconcile/suggest/type",
                 "/reconcile/suggest/property", "/reconcile/extend/propose", "/reconcile/preview"):
        assert doc["paths"][path]["get"]["tags"] == ["reconciliation"]
