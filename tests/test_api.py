"""The canned-query API (``/api``, ``/openapi.json``, ``/api/docs``) through HTTP requests to the app.

The requests are made with ``requests`` and answered by the session's app in-process (``server``,
``conftest.http``); ``test_sparql_clients`` covers real HTTP clients on a real server.

The answers checked here are the facts of the briefing, as ``test_queries`` checks them on the
store directly; here they must come through the HTTP layer: typed parameters, substitution
binding, era-label fiscal years, the output formats and the protocol behaviour of ``/sparql``.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import urllib.parse
from decimal import Decimal

import pytest
from conftest import http

from kg import fiscal
from server import api, queries
from server.queries import QueryFileError

BASE = "https://w3id.org/smartcity-kg"
QUERIES = queries.load_folder(queries.DEFAULT_DIR)
EXAMPLES = [(q.name, e) for q in QUERIES.values() for e in q.examples]
INJECTION = '"} ; DROP ALL #'
TAKAMATSU_OS = f"{BASE}/id/city-os/372013-1"


def get(server, path, **kwargs):
    return http.get(server + path, timeout=30, **kwargs)


def rows(server, path, **params) -> list[dict]:
    response = get(server, path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def triples(server) -> int:
    return get(server, "/healthz").json()["triples"]


# -- listing and documents ---------------------------------------------------------------------


def test_listing_json_names_every_query(server):
    response = get(server, "/api")
    assert response.status_code == 200
    listed = {q["name"]: q for q in response.json()["queries"]}
    assert set(listed) == {p.stem for p in queries.DEFAULT_DIR.glob("*.rq")}
    assert len(listed) == 10
    sharing = listed["city-os-sharing"]
    assert sharing["url"] == "/api/city-os-sharing"
    assert sharing["title"]["ja"] == "都市OSの共同利用"
    assert {p["name"]: p["type"] for p in sharing["params"]} == {"municipality": "lgcode", "cityOS": "iri"}
    method = next(p for p in listed["cost-share"]["params"] if p["name"] == "method")
    assert set(method["unsupported"]) == {"usage"}  # 人口割 is no method: population is a basis of 従量割


def test_listing_html_for_browsers(server):
    response = get(server, "/api", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    for name in QUERIES:
        assert f'action="/api/{name}"' in response.text
    assert "都市OSの共同利用" in response.text
    assert get(server, "/api", headers={"Accept": "*/*"}).headers["Content-Type"] == "application/json"
    assert get(server, "/api?format=html").headers["Content-Type"].startswith("text/html")


def test_openapi_document_is_valid_and_generated_from_the_headers(server):
    from openapi_spec_validator import validate

    response = get(server, "/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    for name, query in QUERIES.items():
        operation = doc["paths"][f"/api/{name}"]["get"]
        declared = {p["name"]: p for p in operation["parameters"]}
        assert set(declared) == {p.name for p in query.params} | {"format", "bom"}
        for param in query.params:
            assert declared[param.name]["required"] is param.required
        row = operation["responses"]["200"]["content"]["application/json"]["schema"]["items"]
        assert row["required"] == list(query.columns)
        assert {"400", "406", "503"} <= set(operation["responses"])
    method = next(p for p in doc["paths"]["/api/cost-share"]["get"]["parameters"] if p["name"] == "method")
    assert method["schema"]["enum"] == ["equal", "usage"]
    assert "population" in method["description"] and "400" in method["description"]


EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""",
                      re.IGNORECASE)

#: A script or style sheet loading from an absolute URL (a link a person may follow is no load).
LOADS = re.compile(r"""(?:\bsrc\s*=\s*|url\(\s*|@import\s+|fetch\(\s*|\.open\(\s*["'`]GET["'`],\s*)"""
                   r"""["'`]?(?:https?:)?//""", re.IGNORECASE)


@pytest.mark.parametrize("path", ["/api?format=html", "/api/docs", "/sparql"])
def test_html_pages_load_nothing_from_other_sites(server, path):
    response = get(server, path, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert not EXTERNAL.search(response.text), EXTERNAL.search(response.text)
    assert "@import" not in response.text
    for asset in re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", response.text):
        fetched = get(server, asset)
        assert fetched.status_code == 200, asset
        # IRIs are data (namespaces in a SPARQL editor); what matters is loading nothing from them
        # (tests/browser/ watches the requests a real browser makes: none leave the server)
        assert not LOADS.search(fetched.text), f"{asset} loads from elsewhere: {LOADS.search(fetched.text)}"


def test_docs_page_renders_every_operation(server):
    page = get(server, "/api/docs").text
    for name, query in QUERIES.items():
        assert f'action="/api/{name}"' in page
        assert query.title["en"] in page
    assert "fiscalYear" in page and "令和3年度" in page


def test_docs_page_offers_no_get_form_for_an_operation_that_takes_a_body(server):
    """A GET form for POST /api/enrich would only ever get its 405: such operations show curl."""
    page = get(server, "/api/docs").text
    assert 'action="/api/enrich"' not in page
    assert re.search(r"curl -X POST -F file=@list\.csv '[^']*/api/enrich'", page)


# -- every query through HTTP --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_example_calls_answer_with_the_documented_columns(server, name, example):
    response = get(server, example)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert isinstance(answer, list) and answer, f"{example} gives no rows"
    for row in answer:
        assert list(row) == list(QUERIES[name].columns)
        assert all(isinstance(v, str | int | float | bool) or v is None for v in row.values())


def test_city_os_sharing_of_kanonji(server):
    (row,) = rows(server, "/api/city-os-sharing", municipality="372056")
    assert row["cityOSLabel"] == "高松市の都市OS" and row["ownerLabel"] == "高松市"
    assert row["userLabel"] == "観音寺市" and row["approach"] == "ア"
    assert row["since"] == 2019 and row["sinceEra"] == "R1" and row["sinceJa"] == "令和元年度"
    assert row["municipality"] == "372056"  # the lgcode echo stays a string
    by_iri = rows(server, "/api/city-os-sharing", cityOS=f"{BASE}/id/city-os/111007-1")
    assert [(r["userLabel"], r["since"]) for r in by_iri] == [("横瀬町", 2021)]


def test_programs_by_year_numbers_are_json_numbers(server):
    answer = rows(server, "/api/programs-by-year")
    assert all(type(r["budgetYen"]) is int and type(r["fiscalYear"]) is int for r in answer)
    assert sum(r["budgetYen"] for r in answer) == 1_890_000_000
    assert [r["budgetOkuYen"] for r in answer] == [5.1, 2.5, 2.2, 2.2, 6.9]
    assert [r["fiscalYearEra"] for r in answer] == ["H29", "H30", "R1", "R2", "R3"]


@pytest.mark.parametrize("year", ["R3", "r3", "令和3年度", "2021", "２０２１", "FY2021", "R3年度"])
def test_projects_by_fiscal_year_in_any_form(server, year):
    answer = rows(server, "/api/projects", fiscalYear=year)
    assert sorted(r["code"] for r in answer) == [f"R3{c}" for c in "abcdefghi"]
    assert all(r["fiscalYear"] == 2021 and r["fiscalYearEra"] == "R3" and r["fiscalYearJa"] == "令和3年度"
               for r in answer)


def test_projects_by_heisei_and_reiwa_gannen(server):
    assert len(rows(server, "/api/projects", fiscalYear="H29")) == 6
    assert len(rows(server, "/api/projects", fiscalYear="平成29年度")) == 6
    assert {r["fiscalYear"] for r in rows(server, "/api/projects", fiscalYear="令和元年度")} == {2019}
    assert {r["fiscalYear"] for r in rows(server, "/api/projects", fiscalYear="H31")} == {2019}


def test_projects_filters_combine(server):
    answer = rows(server, "/api/projects", fiscalYear="R3", field="防災")
    assert {r["code"] for r in answer} == {"R3a", "R3c", "R3g", "R3h", "R3i"}
    assert [r["code"] for r in rows(server, "/api/projects", prefecture="420000")] == ["R3h"]
    assert rows(server, "/api/projects", fiscalYear="", field="") == rows(server, "/api/projects"), \
        "empty form fields count as absent"


def test_cost_share_equal_on_takamatsu(server):
    answer = rows(server, "/api/cost-share", cityOS=TAKAMATSU_OS, method="equal", totalCost="300")
    assert [r["userLabel"] for r in answer] == ["高松市", "観音寺市", "綾川町"]
    assert [r["amount"] for r in answer] == [100, 100, 100]
    assert all(r["participants"] == 3 and r["shareText"] == "1/3" for r in answer)
    assert sum(Decimal(str(r["share"])) for r in answer) == pytest.approx(1)
    decimal = rows(server, "/api/cost-share", cityOS=f"{BASE}/id/city-os/111007-1", method="equal",
                   totalCost="1000.50")
    assert [r["amount"] for r in decimal] == [500.25, 500.25]


@pytest.mark.parametrize(("method", "word"), [("usage", "usage")])
def test_cost_share_methods_the_graph_cannot_answer(server, method, word):
    response = get(server, "/api/cost-share",
                   params={"cityOS": TAKAMATSU_OS, "method": method, "totalCost": "300"})
    assert response.status_code == 400
    assert "'method'" in response.text and word in response.text and "graph" in response.text
    assert "データ" in response.text  # the Japanese reason too


def test_search_normalises_full_width_input(server):
    assert rows(server, "/api/search", q="ＴＡＫＡＭＡＴＳＵ")[0]["label"] == "高松市"
    top = rows(server, "/api/search", q="高松")[0]
    assert top["label"] == "高松市" and top["score"] == 2


def test_search_finds_what_people_type(server):
    """Issue 11: カンオンジ, ｶﾝｵﾝｼﾞ, kanonji, Kan'onji and 香川県観音寺市 all find 観音寺市 over HTTP."""
    for q in ("カンオンジ", "ｶﾝｵﾝｼﾞ", "kanonji", "Kan'onji", "香川県観音寺市"):
        assert rows(server, "/api/search", q=q)[0]["label"] == "観音寺市", q
    for q in ("高松", "たかまつ", "takamatsu"):
        assert rows(server, "/api/search", q=q)[0]["label"] == "高松市", q
    assert rows(server, "/api/search", q="H29f")[0]["resource"].endswith("/id/project/H29f")


def test_iri_or_label(server):
    by_iri = rows(server, "/api/issues-solved-by-service", service=f"{BASE}/id/service/R1c-2")
    assert {r["issueLabel"] for r in by_iri if r["direct"]} == {"防災", "防犯", "交通", "子育て", "教育"}
    assert {r["issueLabel"] for r in by_iri if not r["direct"]} == {"安全・安心"}  # broader, curated
    by_label = rows(server, "/api/services-for-issue", issue="買物支援")
    assert {r["service"].rsplit("/", 1)[1] for r in by_label} == {"R1b-2", "R3g-1", "R3g-2"}
    assert all(r["issueLabelIn"] == "買物支援" and r["issue"].startswith(BASE) for r in by_label)


def test_municipality_profile(server):
    (row,) = rows(server, "/api/municipality", code="372013")
    assert row["label"] == "高松市" and row["projectCount"] == 1 and row["sharedUse"] is False
    assert row["cityOSFiscalYear"] == 2017 and row["cityOSFiscalYearEra"] == "H29"
    assert rows(server, "/api/municipality", code="131016")[0]["cityOS"] is None


# -- bad requests ------------------------------------------------------------------------------


BAD = [
    ("/api/municipality", "code", "required"),
    ("/api/municipality?code=", "code", "required"),
    ("/api/municipality?code=372057", "code", "check digit"),
    ("/api/municipality?code=37201", "code", "local government code"),
    ("/api/municipality?code=372013&code=372056", "code", "at most once"),
    ("/api/municipality?code=372013&colour=red", "colour", "unknown"),
    ("/api/projects?fiscalYear=1999", "fiscalYear", "2000"),
    ("/api/projects?fiscalYear=2101", "fiscalYear", "2100"),
    ("/api/projects?fiscalYear=R0", "fiscalYear", "fiscal year"),
    ("/api/projects?fiscalYear=H32", "fiscalYear", "fiscal year"),
    ("/api/projects?fiscalYear=twenty", "fiscalYear", "fiscal year"),
    ("/api/projects?field=%20%20", "field", "blank"),
    ("/api/projects?field=" + "x" * 201, "field", "200"),
    ("/api/projects?field=a%00b", "field", "control"),
    ("/api/cost-share?method=equal&totalCost=1", "cityOS", "required"),
    ("/api/cost-share?cityOS=not-an-iri&method=equal&totalCost=1", "cityOS", "IRI"),
    ("/api/cost-share?cityOS=https://x/a%20b&method=equal&totalCost=1", "cityOS", "IRI"),
    (f"/api/cost-share?cityOS={TAKAMATSU_OS}&method=lottery&totalCost=1", "method", "equal"),
    (f"/api/cost-share?cityOS={TAKAMATSU_OS}&method=equal&totalCost=abc", "totalCost", "number"),
    (f"/api/cost-share?cityOS={TAKAMATSU_OS}&method=equal&totalCost=NaN", "totalCost", "number"),
    (f"/api/cost-share?cityOS={TAKAMATSU_OS}&method=equal&totalCost=1e99", "totalCost", "larger"),
    (f"/api/cost-share?cityOS={TAKAMATSU_OS}&method=equal", "totalCost", "required"),
    ("/api/search?q=", "q", "required"),
    ("/api/kpi-progress?bom=maybe", "bom", "1 or 0"),
    ("/api/kpi-progress?format=csv&format=json", "format", "at most once"),
]


@pytest.mark.parametrize(("path", "name", "reason"), BAD, ids=[b[0][:70] for b in BAD])
def test_bad_parameters_answer_400_naming_them(server, path, name, reason):
    response = get(server, path)
    assert response.status_code == 400, response.text
    assert f"'{name}'" in response.text and reason in response.text, response.text
    as_json = get(server, path, headers={"Accept": "application/json"})
    assert as_json.status_code == 400 and f"'{name}'" in as_json.json()["error"]


def test_unknown_query_is_404(server):
    assert get(server, "/api/no-such-query").status_code == 404


def test_injection_attempts_are_only_data(server):
    before = triples(server)
    for name, query in QUERIES.items():
        required = {p.name: str(p.example) for p in query.params if p.required}
        for param in query.params:
            if param.type not in ("text", "iri-or-label", "lgcode", "choice"):
                continue
            response = get(server, f"/api/{name}", params={**required, param.name: INJECTION})
            if param.type in ("lgcode", "choice"):
                assert response.status_code == 400 and f"'{param.name}'" in response.text
                continue
            assert response.status_code == 200, response.text
            echo = param.binds["label"] if param.binds else param.name
            assert all(row[echo] == INJECTION for row in response.json())
    for attempt in ["https://x/> } ; DROP ALL #", "<https://x>", "?q", "\\u0022"]:
        assert get(server, "/api/search", params={"q": attempt}).status_code == 200
    assert triples(server) == before
    assert rows(server, "/api/programs-by-year"), "the data is still there"


# -- formats -----------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("how", [{"params": {"format": "csv", "bom": "1"}},
                                 {"headers": {"Accept": "text/csv;charset=utf-8-sig"}},
                                 {"params": {"format": "csv", "bom": "true"}}])
def test_csv_with_bom_for_excel(server, how):
    response = get(server, "/api/projects?fiscalYear=R3", params={**how.get("params", {})},
                   headers=how.get("headers"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "projects.csv" in response.headers["Content-Disposition"]
    table = _csv(response)
    assert table[0] == list(QUERIES["projects"].columns)
    assert len(table) == 10
    assert any("令和3年度" in cell for cell in table[1])
    assert "データ連携促進型スマートシティ推進事業" in response.content.decode("utf-8-sig")


def test_csv_without_bom_by_default(server):
    for response in (get(server, "/api/kpi-progress?format=csv"),
                     get(server, "/api/kpi-progress", headers={"Accept": "text/csv"}),
                     get(server, "/api/kpi-progress", headers={"Accept": "text/csv; charset=utf-8"})):
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
        assert not response.content.startswith(b"\xef\xbb\xbf")
        assert _csv(response)[0] == list(QUERIES["kpi-progress"].columns)


@pytest.mark.parametrize(("how", "content_type"), [
    ({"format": "srj"}, "application/sparql-results+json"),
    ({"format": "xml"}, "application/sparql-results+xml"),
    ({"format": "tsv"}, "text/tab-separated-values; charset=utf-8"),
    ({"format": "json"}, "application/json"),
    ({"Accept": "application/sparql-results+json"}, "application/sparql-results+json"),
    ({"Accept": "application/xml"}, "application/sparql-results+xml"),
    ({"Accept": "application/json"}, "application/json"),
    ({"Accept": "*/*"}, "application/json"),
    ({"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, "application/json"),
    ({"format": "json", "Accept": "text/csv"}, "application/json"),
])
def test_formats(server, how, content_type):
    headers = {"Accept": how["Accept"]} if "Accept" in how else {}
    params = {"format": how["format"]} if "format" in how else {}
    response = get(server, "/api/programs-by-year", params=params, headers=headers)
    assert response.status_code == 200 and response.headers["Content-Type"] == content_type
    assert "2021" in response.text and "データ連携促進型" in response.text
    if content_type == "application/sparql-results+json":
        assert response.json()["head"]["vars"] == list(QUERIES["programs-by-year"].columns)


@pytest.mark.parametrize("how", [{"headers": {"Accept": "text/turtle"}}, {"headers": {"Accept": "image/png"}},
                                 {"params": {"format": "turtle"}}, {"params": {"format": "pdf"}}])
def test_unsupported_formats_are_406(server, how):
    response = get(server, "/api/kpi-progress", **how)
    assert response.status_code == 406
    assert "csv" in response.text


def test_etag_and_304(server):
    first = get(server, "/api/projects", params={"fiscalYear": "R3"})
    etag = first.headers["ETag"]
    again = get(server, "/api/projects", params={"fiscalYear": "R3"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and not again.content
    # The same year in another form binds the same term: same result, same ETag.
    assert get(server, "/api/projects", params={"fiscalYear": "2021"}).headers["ETag"] == etag
    others = {get(server, "/api/projects", params=p).headers["ETag"]
              for p in ({"fiscalYear": "R2"}, {"fiscalYear": "R3", "format": "srj"},
                        {"fiscalYear": "R3", "format": "csv"},
                        {"fiscalYear": "R3", "format": "csv", "bom": "1"})}
    assert len(others) == 4 and etag not in others
    assert first.headers["Cache-Control"] and first.headers["Vary"] == "Accept"
    assert first.json() == get(server, "/api/projects", params={"fiscalYear": "R3"}).json()  # from the cache


def test_cors_like_sparql(server):
    response = get(server, "/api/kpi-progress", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# -- the code behind it ---------------------------------------------------------------------------


def test_fiscal_year_forms():
    cases = {"2021": 2021, "R3": 2021, "r3": 2021, "令和3年度": 2021, "令和３年度": 2021, "R3年度": 2021,
             "令和元年度": 2019, "R1": 2019, "H31": 2019, "平成31年度": 2019, "H29": 2017, "平成29年度": 2017,
             "FY2021": 2021, "2021年度": 2021, " R3 ": 2021}
    assert {v: fiscal.parse(v) for v in cases} == cases
    for bad in ("R0", "H32", "H", "令和", "3", "R3a", "昭和60年度", "2021-22", ""):
        assert fiscal.parse(bad) is None, bad


def _write_query(folder, name, text):
    (folder / f"{name}.rq").write_text(text, encoding="utf-8")


HELLO = queries.EXAMPLE


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("#+ name: hello", "#+ name: other"), "differs from the file name"),
    (lambda t: t.replace("type: text", "type: colour"), "type 'colour'"),
    (lambda t: t.replace("columns: [greeting, who]", "columns: [greeting]"), "?who"),
    (lambda t: t.replace("columns: [greeting, who]", "columns: [who, greeting]"), "projects"),
    (lambda t: t.replace("SELECT ?greeting ?who WHERE {", "SELECT ?greeting ?who WHERE"), "parse"),
    (lambda t: t.replace('#+ title: {ja: "挨拶", en: "Greeting"}\n', ""), "title"),
    (lambda t: t.replace("title: {", "title: [{"), "YAML"),
    (lambda t: "# no header\n" + t, "header"),
    (lambda t: t.replace("name: who,", "name: format,"), "reserved"),
    (lambda t: t.replace("/api/hello?who=世界", "/api/hello?whom=世界"), "unknown parameter"),
])
def test_a_bad_query_file_stops_loading_naming_the_file(tmp_path, change, message):
    _write_query(tmp_path, "hello", change(HELLO))
    with pytest.raises(QueryFileError, match=re.escape(message)) as caught:
        api.load(tmp_path)
    assert "hello.rq" in str(caught.value)


def test_a_bad_query_file_stops_the_server_start(tmp_path, kg, kg_root):
    from server import create_app

    shutil.copy(queries.DEFAULT_DIR / "search.rq", tmp_path)
    _write_query(tmp_path, "broken", HELLO.replace("hello", "broken").replace("type: text", "type: ?"))
    with pytest.raises(QueryFileError, match="broken.rq"):
        create_app({"STORE": str(kg_root / "store"), "QUERIES_DIR": str(tmp_path)})


def test_a_new_query_file_is_a_new_endpoint(tmp_path, kg, kg_root):
    """Adding a file adds the endpoint, its listing entry and its OpenAPI operation (no code).

    The result cache is off here, so the plain JSON is converted while streamed.
    """
    from server import create_app

    shutil.copy(queries.DEFAULT_DIR / "search.rq", tmp_path)
    _write_query(tmp_path, "hello", HELLO)
    app = create_app({"STORE": str(kg_root / "store"), "QUERIES_DIR": str(tmp_path), "QUERY_WORKERS": 1,
                      "IN_MEMORY": False, "CACHE": False})
    try:
        client = app.test_client()
        assert {q["name"] for q in client.get("/api").get_json()["queries"]} == {"hello", "search"}
        assert "/api/hello" in client.get("/openapi.json").get_json()["paths"]
        answer = client.get("/api/hello?who=" + urllib.parse.quote("世界"))
        assert answer.status_code == 200, answer.text
        assert answer.get_json() == [{"greeting": "こんにちは世界", "who": "世界"}]
        assert client.get("/api/hello").get_json() == [{"greeting": "こんにちは", "who": None}]
        assert client.get("/api/hello?who=" + urllib.parse.quote(INJECTION)).get_json()[0]["who"] == INJECTION
        assert client.get("/api/projects").status_code == 404
    finally:
        app.extensions["kg_engine"].close()
