"""``/api/crosswalk`` over real HTTP (the session's granian server, ``requests`` and curl): every kind of
identifier of a body gives back all the others, as the store holds them; a wrong check digit is a
400 with the corrected code; an abolished ward comes with its validity and successors.

Expected values come from the store (``select`` on the session's loaded graph), not from the server.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest
import requests
from conftest import select, start_server, stop_server

from kg import codes

TIMEOUT = 30
#: Bodies of each kind: cities, a designated city, a special ward, a prefecture, towns.
CODES = ["372056", "011002", "221309", "131016", "370002", "374032", "016331"]


def crosswalk(base: str, value: str, **params) -> requests.Response:
    return requests.get(f"{base}/api/crosswalk", params={"id": value, **params}, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def bodies(kg) -> dict[str, dict]:
    """What the store says of each body of CODES: IRI, corporate number, e-Stat IRI, names."""
    found = {}
    for row in select(kg, """SELECT ?s ?code ?corp ?sac ?ja ?kana ?en WHERE {
          ?s sckg:localGovernmentCode ?code ; sckg:standardAreaCode ?sac .
          OPTIONAL { ?s sckg:corporateNumber ?corp }
          OPTIONAL { ?s rdfs:label ?ja FILTER(LANG(?ja) = "ja") }
          OPTIONAL { ?s rdfs:label ?kana FILTER(LANG(?kana) = "ja-hrkt") }
          OPTIONAL { ?s rdfs:label ?en FILTER(LANG(?en) = "en") } }"""):
        if row["code"] in CODES:
            found[row["code"]] = row
    assert sorted(found) == sorted(CODES), "a body of CODES is missing from the data"
    return found


def identifiers(body: dict) -> dict[str, str]:
    """Every way to write ``body``'s identity, by the kind the crosswalk should recognise."""
    code, iri = body["code"], body["s"]
    ways = {"lg-code": code, "lg-code-5": code[:5], "estat": body["sac"],
            "estat-bare": body["sac"].rsplit("/", 1)[1], "iri": iri,
            "iri-path": "/id/" + iri.split("/id/", 1)[1], "page-url": "http://127.0.0.1/page/"
            + iri.split("/id/", 1)[1], "name": body["ja"]}
    if body["corp"]:
        ways["corporate-number"] = body["corp"]
    return ways


@pytest.mark.parametrize("code", CODES)
def test_every_identifier_gives_all_the_others(live_server, bodies, code):
    body = bodies[code]
    for kind, value in identifiers(body).items():
        if kind == "name" and code == "131016":
            continue  # 千代田区 is one body, but names are the gazetteer's (tests/test_gazetteer.py)
        response = crosswalk(live_server, value)
        assert response.status_code == 200, (kind, value, response.text)
        got = response.json()
        assert got["iri"] == body["s"], (kind, value)
        assert got["lgCode"] == code and got["lgCode5"] == code[:5]
        assert got["corporateNumber"] == body["corp"]
        assert got["estatIri"] == body["sac"]
        assert got["names"] == {"ja": body["ja"], "kana": body["kana"], "en": body["en"]}
        assert got["page"] == f"{live_server}/page/" + body["s"].split("/id/", 1)[1]
        assert got["validity"]["existsAtReferenceDate"] is True
        assert got["query"] == value


def test_the_answer_links_to_a_page_that_exists(live_server):
    got = crosswalk(live_server, "8000020372056").json()
    assert got["recognisedAs"] == "corporate-number"
    assert got["prefecture"]["lgCode"] == "370002" and got["kind"]["en"] == "city"
    assert requests.get(got["page"], timeout=TIMEOUT).status_code == 200
    assert crosswalk(live_server, got["prefecture"]["lgCode"]).json()["kind"]["ja"] == "都道府県"


def test_a_designated_city_ward_has_its_city_and_no_corporate_number(live_server, kg):
    ward = select(kg, "SELECT ?code ?parent WHERE { ?w a sckg:DesignatedCityWard ;"
                      " sckg:localGovernmentCode ?code ; sckg:parentMunicipality ?parent"
                      " FILTER NOT EXISTS { ?w <https://schema.org/dissolutionDate> ?d } }"
                      " ORDER BY ?code LIMIT 1")[0]
    got = crosswalk(live_server, ward["code"]).json()
    assert got["corporateNumber"] is None and got["parent"]["iri"] == ward["parent"]
    assert got["kind"]["iri"].endswith("#DesignatedCityWard")


@pytest.mark.parametrize(("wrong", "right"), [
    ("372055", "372056"), ("011001", "011002"),
    ("/id/municipality/372057", "/id/municipality/372056"),
    ("7000020372056", "8000020372056"),
])
def test_a_wrong_check_digit_is_a_400_that_suggests_the_corrected_code(live_server, wrong, right):
    response = crosswalk(live_server, wrong)
    assert response.status_code == 400 and response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["suggestion"] == right and right in body["error"]
    assert requests.get(body["suggestionUrl"], timeout=TIMEOUT).status_code == 200


def test_every_six_digit_code_of_the_data_with_a_wrong_check_digit_suggests_itself(live_server, kg):
    rows = select(kg, "SELECT ?code WHERE { ?s sckg:localGovernmentCode ?code } ORDER BY ?code")
    for row in rows[::97]:  # a spread of 20 of them, every prefecture's range
        code = row["code"]
        wrong = code[:5] + str((int(code[5]) + 3) % 10)
        body = crosswalk(live_server, wrong).json()
        assert body["status"] == 400 and body["suggestion"] == code, wrong
        assert codes.is_lg_code(body["suggestion"])


def test_an_abolished_ward_comes_with_its_validity_and_successors(live_server, kg):
    rows = select(kg, "SELECT ?code ?date ?next WHERE { ?s sckg:localGovernmentCode ?code ; "
                      "<https://schema.org/dissolutionDate> ?date ; dcterms:isReplacedBy ?next }")
    assert len({r["code"] for r in rows}) == 7, "Hamamatsu's seven old wards"
    for code in sorted({r["code"] for r in rows}):
        got = crosswalk(live_server, code).json()
        assert got["validity"]["existsAtReferenceDate"] is False
        assert got["validity"]["dissolved"] == next(r["date"] for r in rows if r["code"] == code)
        expected = sorted(r["next"] for r in rows if r["code"] == code)
        assert sorted(s["iri"] for s in got["successors"]) == expected
        for successor in got["successors"]:
            following = requests.get(successor["crosswalk"], timeout=TIMEOUT).json()
            assert following["validity"]["existsAtReferenceDate"] is True
            assert got["iri"] in [p["iri"] for p in following["predecessors"]]


def test_a_name_of_several_bodies_is_300_with_the_candidates_and_prefecture_narrows_it(live_server):
    response = crosswalk(live_server, "府中市")  # 東京都 and 広島県
    assert response.status_code == 300
    candidates = response.json()["candidates"]
    assert {c["prefecture"] for c in candidates} == {"東京都", "広島県"}
    narrowed = crosswalk(live_server, "府中市", prefecture="広島県")
    assert narrowed.status_code == 200 and narrowed.json()["prefecture"]["name"]["ja"] == "広島県"
    assert narrowed.json()["iri"] in [c["iri"] for c in candidates]


@pytest.mark.parametrize(("params", "status"), [
    ({"id": "存在しない町"}, 404), ({"id": "999999"}, 400), ({"id": "999997"}, 404),
    ({"id": "C99999"}, 404), ({"id": ""}, 400), ({}, 400), ({"id": "x" * 2001}, 400),
    ({"id": "372056", "format": "xml"}, 400), ({"id": "1000020221384"}, 404),  # a ward is no legal person
])
def test_bad_or_unknown_identifiers_are_4xx_with_a_json_reason(live_server, params, status):
    response = requests.get(f"{live_server}/api/crosswalk", params=params, timeout=TIMEOUT)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["status"] == status and response.json()["error"]


def test_a_repeated_id_is_refused(live_server):
    response = requests.get(f"{live_server}/api/crosswalk?id=372056&id=011002", timeout=TIMEOUT)
    assert response.status_code == 400 and "repeated" in response.json()["error"]


def test_csv_has_one_row_with_the_same_identifiers(live_server):
    response = crosswalk(live_server, "221317", format="csv")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert len(rows) == 1
    as_json = crosswalk(live_server, "221317").json()
    assert rows[0]["iri"] == as_json["iri"] and rows[0]["dissolved"] == as_json["validity"]["dissolved"]
    assert rows[0]["successors"].split() == [s["iri"] for s in as_json["successors"]]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_with_a_japanese_name_in_the_url(live_server):
    out = subprocess.run(["curl", "-sS", "--fail-with-body", "-G", "--data-urlencode", "id=観音寺市",
                          f"{live_server}/api/crosswalk"], capture_output=True, timeout=TIMEOUT, check=True)
    assert json.loads(out.stdout)["lgCode"] == "372056"


def test_the_openapi_document_lists_both_routes(live_server):
    doc = requests.get(f"{live_server}/openapi.json", timeout=TIMEOUT).json()
    assert "get" in doc["paths"]["/api/crosswalk"] and "post" in doc["paths"]["/api/enrich"]
    assert {"200", "300", "400", "404"} <= set(doc["paths"]["/api/crosswalk"]["get"]["responses"])
    page = requests.get(f"{live_server}/api/docs", timeout=TIMEOUT).text
    assert "/api/crosswalk" in page and "/api/enrich" in page


def test_five_digits_that_fit_two_codes_are_300_and_the_prefecture_decides(live_server, kg):
    """11100: 111007 (five digits without check digit) or 011100 (six whose leading zero was lost)."""
    both = select(kg, 'SELECT ?code ?pref WHERE { ?s sckg:localGovernmentCode ?code ; sckg:prefecture ?p .'
                      ' ?p rdfs:label ?pref FILTER(?code IN ("111007", "011100") && LANG(?pref) = "ja") }')
    assert len(both) == 2
    response = crosswalk(live_server, "11100")
    assert response.status_code == 300
    assert sorted(c["lgCode"] for c in response.json()["candidates"]) == ["011100", "111007"]
    for row in both:
        narrowed = crosswalk(live_server, "11100", prefecture=row["pref"])
        assert narrowed.status_code == 200 and narrowed.json()["lgCode"] == row["code"], row


def test_a_row_cap_below_the_identifier_table_is_a_503_not_a_partial_answer(kg, kg_root):
    """MAX_ROWS cuts every result; a cut identifier table or gazetteer would answer "not found" for
    bodies that exist."""
    process, base = start_server(kg_root / "store", env={"SMARTCITY_KG_MAX_ROWS": "1000"})
    try:
        response = crosswalk(base, "372056")
        assert response.status_code == 503 and "MAX_ROWS" in response.json()["error"]
        enriched = requests.post(f"{base}/api/enrich", files={"file": ("a.csv", "名称\n観音寺市\n".encode())},
                                 timeout=TIMEOUT)
        assert enriched.status_code == 503 and "MAX_ROWS" in enriched.json()["error"]
        reconciled = requests.get(f"{base}/reconcile", params={"query": "観音寺市"}, timeout=TIMEOUT)
        assert reconciled.status_code == 503 and "gazetteer" in reconciled.text
    finally:
        stop_server(process)
