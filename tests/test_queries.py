"""The canned queries in ``queries/``: their metadata headers, and their answers on the loaded store.

Each ``queries/<name>.rq`` starts with lines ``#+ ...`` that form a YAML document (name, title,
description, params, columns, examples). The web API reads the folder at start and binds request
parameters through pyoxigraph's ``substitutions`` - never by pasting text into the query. These tests
read the headers with the server's reader (``server.queries``) and bind parameters with the server's
binder (``server.params.bind_arguments``), so every query runs exactly as the API runs it.

pyoxigraph 0.5 behaviour the queries are written around (checked by tests at the end of this file):

* every substituted variable must be in the SELECT projection, otherwise the query is refused;
  hence each parameter is also an output column;
* ``BOUND(?x)`` is false for a substituted ``?x``, so "no filter when the parameter is absent" is
  written as ``COALESCE(<test>, true)`` or as a triple pattern that matches anything when unbound;
* a sub-SELECT sees a substituted variable only if it projects it.

The expected answers are the facts of the briefing (DOMAIN.md), written out here.
"""

from __future__ import annotations

import re
import urllib.parse
from decimal import Decimal
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from kg.codes import check_digit
from kg.sparql_functions import FUNCTIONS
from server import queries
from server.errors import BadRequest
from server.params import bind_arguments

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
QUERY_FILES = sorted(QUERY_DIR.glob("*.rq"))
BASE = "https://w3id.org/smartcity-kg"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCKG = "https://w3id.org/smartcity-kg/ontology#"

PARAM_TYPES = {"iri", "iri-or-label", "lgcode", "fiscal-year", "integer", "number", "text", "choice"}
PARAM_KEYS = {
    "name", "type", "required", "description", "example", "choices", "binds", "unsupported", "normalize",
    "key",
}
HEADER_KEYS = {"name", "title", "description", "params", "columns", "examples"}

# The queries the issue asks for, with the columns each must return (more are allowed).
REQUIRED = {
    "issues-solved-by-service": ["issue", "issueLabel"],
    "services-for-issue": ["service", "serviceLabel", "field", "fieldLabel"],
    "city-os-sharing": ["cityOS", "cityOSLabel", "owner", "ownerLabel", "user", "userLabel", "userCode",
                        "approach", "approachLabel", "since"],
    "city-os-adoption-by-year": ["fiscalYear", "adopted", "cumulative", "kpiTarget", "kpiTargetYear"],
    "projects": ["project", "code", "fiscalYear", "program", "regionLabel", "regionCode", "implementerLabel",
                 "fields"],
    "programs-by-year": ["fiscalYear", "program", "budgetYen", "adoptedProjects"],
    "municipality": ["label", "kana", "prefecture", "projects", "cityOS", "sharingPartners"],
    "kpi-progress": ["kpi", "kpiLabel", "target", "targetYear", "observed", "observedYear"],
    "cost-share": ["user", "userLabel", "share", "amount"],
    "search": ["resource", "label", "type"],
}
REQUIRED_PARAMS = {
    "issues-solved-by-service": {"service": ("iri-or-label", True)},
    "services-for-issue": {"issue": ("iri-or-label", True)},
    "city-os-sharing": {"municipality": ("lgcode", False), "cityOS": ("iri", False)},
    "projects": {"fiscalYear": ("fiscal-year", False), "field": ("text", False),
                 "prefecture": ("lgcode", False), "municipality": ("lgcode", False)},
    "municipality": {"code": ("lgcode", True)},
    "cost-share": {"cityOS": ("iri", True), "method": ("choice", True), "totalCost": ("number", True)},
    "search": {"q": ("text", True)},
}
# Fiscal-year columns and their era companions.
YEAR_COLUMNS = {
    "city-os-sharing": ["since"],
    "city-os-adoption-by-year": ["fiscalYear", "kpiTargetYear"],
    "projects": ["fiscalYear"],
    "programs-by-year": ["fiscalYear"],
    "municipality": ["cityOSFiscalYear"],
    "kpi-progress": ["targetYear", "observedYear"],
}

INJECTION = '"} ; DROP ALL #'
UNKNOWN_CODE = "99999" + check_digit("99999")  # a well-formed local government code of no municipality


# -- Reading the files ---------------------------------------------------------------------------


def parse_header(text: str) -> dict:
    """The YAML document formed by the ``#+`` lines at the top of a query file, as the server reads it."""
    return yaml.safe_load(queries.header_text(text)) or {}


def query_body(text: str) -> str:
    """The query without comment lines (a ``#`` inside a string or IRI does not occur in these files)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def load(name: str) -> tuple[dict, str]:
    text = (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")
    return parse_header(text), text


def variables_of(param: dict) -> list[str]:
    """The query variables one parameter may bind."""
    if param["type"] == "iri-or-label":
        return [param["binds"]["iri"], param["binds"]["label"]]
    return [param["name"]]


# -- Binding, as the server does it ----------------------------------------------------------------


@cache
def canned(name: str) -> queries.CannedQuery:
    """The query file as the server reads it (``server.queries``: header checked, query parsed)."""
    return queries.parse((QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8"), f"{name}.rq",
                         QUERY_DIR / f"{name}.rq")


def bind(name: str, args: dict[str, object]) -> dict[ox.Variable, ox.Term]:
    """pyoxigraph substitutions for request parameters, by the server's binder (request values are text)."""
    bound = bind_arguments(canned(name), {key: [str(value)] for key, value in args.items()})
    return {ox.Variable(variable): term for variable, term in bound}


def execute(kg, name: str, substitutions: dict[ox.Variable, ox.Term]) -> list[dict[str, str | None]]:
    """Rows of a canned query (values as strings) with ``substitutions``."""
    header, text = load(name)
    result = kg.store.query(text, use_default_graph_as_union=True, substitutions=substitutions,
                            custom_functions=FUNCTIONS)  # as the engine runs them (sckgfn:normalize)
    columns = [v.value for v in result.variables]
    assert columns == header["columns"], f"{name}: projection {columns} != declared {header['columns']}"
    return [{c: (row[c].value if row[c] is not None else None) for c in columns} for row in result]


def run(kg, name: str, **args) -> list[dict[str, str | None]]:
    """Rows of a canned query (values as strings) with ``args`` bound as the API binds them."""
    return execute(kg, name, bind(name, args))


def refused(name: str, **args) -> str:
    """The binder's message for arguments the API answers with 400."""
    with pytest.raises(BadRequest) as caught:
        bind(name, args)
    return caught.value.message


def example_args(header: dict, *, only_required: bool = False) -> dict[str, object]:
    return {p["name"]: p["example"] for p in header["params"] if p["required"] or not only_required}


def args_of_url(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True))


def era(year: int) -> tuple[str, str]:
    """The era forms of a fiscal year: ("R3", "令和3年度"); year 1 of an era is 元 in Japanese."""
    if year >= 2019:
        n = year - 2018
        return f"R{n}", f"令和{'元' if n == 1 else n}年度"
    n = year - 1988
    return f"H{n}", f"平成{'元' if n == 1 else n}年度"


# -- Headers ---------------------------------------------------------------------------------------


def test_every_required_query_is_there():
    assert {p.stem for p in QUERY_FILES} >= set(REQUIRED)


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_header(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#+ "), "the header must be the first lines"
    header = parse_header(text)
    assert HEADER_KEYS <= set(header), f"missing {HEADER_KEYS - set(header)}"
    assert header["name"] == path.stem
    for key in ("title", "description"):
        assert set(header[key]) == {"ja", "en"}
        assert all(isinstance(v, str) and v for v in header[key].values())
    columns = header["columns"]
    assert isinstance(columns, list) and columns and all(isinstance(c, str) for c in columns)
    assert len(set(columns)) == len(columns)
    assert header["examples"] and all(e.startswith(f"/api/{path.stem}") for e in header["examples"])
    names = [p["name"] for p in header["params"]]
    assert len(set(names)) == len(names)
    for param in header["params"]:
        assert set(param) <= PARAM_KEYS, f"unknown keys {set(param) - PARAM_KEYS}"
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", param["name"])
        assert param["type"] in PARAM_TYPES
        assert isinstance(param["required"], bool)
        assert set(param["description"]) == {"ja", "en"}
        assert "example" in param
        assert ("choices" in param) == (param["type"] == "choice")
        assert ("binds" in param) == (param["type"] == "iri-or-label")
        if param["type"] == "choice":
            assert param["example"] in param["choices"]
        if param["type"] == "iri-or-label":
            assert set(param["binds"]) == {"iri", "label"}
        if param["type"] == "lgcode":
            assert re.fullmatch(r"\d{6}", str(param["example"]))
        for value, reason in param.get("unsupported", {}).items():
            assert value in param["choices"] and set(reason) == {"ja", "en"}
    for example in header["examples"]:
        assert set(args_of_url(example)) <= set(names), example


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_parameters_occur_in_the_query_and_in_the_projection(path):
    header, text = load(path.stem)
    body = query_body(text)
    for param in header["params"]:
        for variable in variables_of(param):
            assert re.search(rf"\?{variable}\b", body), f"?{variable} does not occur in the query"
            # pyoxigraph refuses a substitution of a variable that is not projected.
            assert variable in header["columns"], f"?{variable} must be an output column"


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_required_columns_and_parameters(name):
    header, _ = load(name)
    missing = [c for c in REQUIRED[name] if c not in header["columns"]]
    assert not missing, f"{name} lacks columns {missing}"
    params = {p["name"]: (p["type"], p["required"]) for p in header["params"]}
    for param, spec in REQUIRED_PARAMS.get(name, {}).items():
        assert params.get(param) == spec, f"{name}: parameter {param}"
    for year in YEAR_COLUMNS.get(name, []):
        assert {f"{year}Era", f"{year}Ja"} <= set(header["columns"]), f"{name}: era columns of {year}"


def test_cost_share_declares_the_methods_it_cannot_answer():
    header, _ = load("cost-share")
    method = next(p for p in header["params"] if p["name"] == "method")
    assert method["choices"] == ["equal", "usage"]  # 人口割 is no method: population is a basis of 従量割
    assert set(method["unsupported"]) == {"usage"}


def test_search_declares_nfkc_normalisation():
    header, _ = load("search")
    (q,) = header["params"]
    assert q["normalize"] == "NFKC"
    assert "NFKC" in header["description"]["ja"] and "NFKC" in header["description"]["en"]


# -- Every query runs ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_runs_with_example_parameters(kg, path):
    header, _ = load(path.stem)
    assert run(kg, path.stem, **example_args(header)), "the example parameters should give an answer"
    run(kg, path.stem, **example_args(header, only_required=True))


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_example_calls_answer(kg, path):
    header, _ = load(path.stem)
    for example in header["examples"]:
        assert run(kg, path.stem, **args_of_url(example)), f"{example} gives no rows"


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_era_columns(kg, path):
    header, _ = load(path.stem)
    years = [c for c in header["columns"] if f"{c}Era" in header["columns"]]
    for example in header["examples"]:
        for row in run(kg, path.stem, **args_of_url(example)):
            for column in years:
                if row[column] is None:
                    assert row[f"{column}Era"] is None and row[f"{column}Ja"] is None
                else:
                    assert (row[f"{column}Era"], row[f"{column}Ja"]) == era(int(row[column])), row


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_injection_values_are_only_data(kg, loaded, path):
    """A value that would break out of a pasted string literal is bound as data (no error, no effect),
    or refused by the binder for parameters that only take codes or fixed choices."""
    header, _ = load(path.stem)
    for param in header["params"]:
        if param["type"] not in ("text", "iri-or-label", "choice", "lgcode"):
            continue
        args = example_args(header, only_required=True)
        args[param["name"]] = INJECTION
        if param["type"] in ("choice", "lgcode"):
            assert f"'{param['name']}'" in refused(path.stem, **args)
            continue
        rows = run(kg, path.stem, **args)
        assert rows == [] or all(row.get(param["name"]) in (None, INJECTION) for row in rows)
    # the store holds what the load put in it, graph by graph, as its metadata records it
    assert kg.triple_counts() == loaded.counts == kg.meta["graphs"]
    assert len(kg.store) == sum(loaded.counts.values()) == kg.meta["triples"]


def test_era_function():
    assert era(2017) == ("H29", "平成29年度")
    assert era(2018) == ("H30", "平成30年度")
    assert era(2019) == ("R1", "令和元年度")
    assert era(2021) == ("R3", "令和3年度")
    assert era(1989) == ("H1", "平成元年度")


# -- Answers: the briefing's facts -----------------------------------------------------------------


def by(rows, column):
    return {row[column]: row for row in rows}


def test_city_os_sharing_of_kan_onji(kg):
    rows = run(kg, "city-os-sharing", municipality="372056")
    assert len(rows) == 1
    (row,) = rows
    assert row["cityOSLabel"] == "高松市の都市OS"
    assert row["ownerLabel"] == "高松市" and row["ownerCode"] == "372013"
    assert row["userLabel"] == "観音寺市" and row["userCode"] == "372056"
    assert row["approach"] == "ア" and row["approachLabel"] == "範囲拡大型"
    assert row["since"] == "2019" and row["sinceEra"] == "R1" and row["sinceJa"] == "令和元年度"
    assert row["approachBasis"], "the approach is curated: its basis must be given"


def test_city_os_sharing_filters(kg):
    everything = run(kg, "city-os-sharing")
    marked = {(r["userLabel"], r["ownerLabel"]) for r in everything if r["curated"] == "false"}
    assert marked == {("観音寺市", "高松市"), ("綾川町", "高松市"), ("横瀬町", "さいたま市")}
    nagasaki = [r for r in everything if r["curated"] == "true"]
    assert len(nagasaki) == 21 and {r["ownerLabel"] for r in nagasaki} == {"長崎県"}  # the project's reading
    users = {r["userLabel"] for r in run(kg, "city-os-sharing", municipality="372013")}
    assert users == {"観音寺市", "綾川町"}
    saitama = run(kg, "city-os-sharing", cityOS=f"{BASE}/id/city-os/111007-1")
    assert [(r["userLabel"], r["since"]) for r in saitama] == [("横瀬町", "2021")]
    both = run(kg, "city-os-sharing", cityOS=f"{BASE}/id/city-os/111007-1", municipality="372056")
    assert both == []
    assert run(kg, "city-os-sharing", municipality="131016") == []  # 千代田区: no sharing


def test_city_os_adoption_by_year(kg):
    rows = by(run(kg, "city-os-adoption-by-year"), "fiscalYear")
    adopted = {int(y): int(r["adopted"]) for y, r in rows.items()}
    assert adopted == {2015: 1, 2017: 4, 2018: 2, 2019: 6, 2020: 5, 2021: 7 + 21}
    assert rows["2019"]["cumulative"] == "13"
    assert rows["2019"]["kpiObserved"] == "13"
    assert rows["2021"]["cumulative"] == "46"
    assert {int(r["sharedUseMarked"]) for r in rows.values()} == {0, 1, 2}  # the chart's ※
    assert int(rows["2019"]["sharedUseMarked"]) == 2 and int(rows["2021"]["sharedUseMarked"]) == 1
    # shared use as read: the 21 Nagasaki municipalities use the prefecture's City OS
    assert int(rows["2019"]["sharedUse"]) == 2 and int(rows["2021"]["sharedUse"]) == 1 + 21
    for row in rows.values():
        assert (row["kpiTarget"], row["kpiTargetYear"]) == ("100", "2025")
        assert (row["kpiTargetYearEra"], row["kpiTargetYearJa"]) == ("R7", "令和7年度")


def test_programs_by_year(kg):
    rows = run(kg, "programs-by-year")
    assert sum(int(r["budgetYen"]) for r in rows) == 1_890_000_000
    table = {
        int(r["fiscalYear"]): (int(r["budgetYen"]), int(r["adoptedProjects"]), r["programLabel"])
        for r in rows
    }
    utilization, linkage = "データ利活用型スマートシティ推進事業", "データ連携促進型スマートシティ推進事業"
    assert table == {
        2017: (510_000_000, 6, utilization),
        2018: (250_000_000, 3, utilization),
        2019: (220_000_000, 5, utilization),
        2020: (220_000_000, 5, utilization),
        2021: (690_000_000, 9, linkage),
    }
    assert sum(int(r["adoptedProjects"]) for r in rows) == 28
    assert all(r["projectsInGraph"] == r["adoptedProjects"] for r in rows)
    assert [r["budgetOkuYen"] for r in rows] == ["5.1", "2.5", "2.2", "2.2", "6.9"]
    assert [r["fiscalYearEra"] for r in rows] == ["H29", "H30", "R1", "R2", "R3"]
    assert rows[2]["fiscalYearJa"] == "令和元年度"


def test_projects(kg):
    everything = run(kg, "projects")
    assert len(everything) == 28
    assert len({r["code"] for r in everything}) == 28
    fy2021 = run(kg, "projects", fiscalYear=2021)
    assert sorted(r["code"] for r in fy2021) == [f"R3{c}" for c in "abcdefghi"]
    assert all(r["fiscalYearEra"] == "R3" and r["fiscalYearJa"] == "令和3年度" for r in fy2021)
    assert [r["code"] for r in run(kg, "projects", prefecture="420000")] == ["R3h"]
    kagawa = run(kg, "projects", prefecture="370002")
    assert [(r["code"], r["regionLabel"], r["fields"]) for r in kagawa] == [("H29f", "高松市", "交通・防災")]
    assert [r["code"] for r in run(kg, "projects", municipality="372013")] == ["H29f"]
    saitama = {r["code"] for r in run(kg, "projects", municipality="111007")}
    assert saitama == {"H29c", "R2b", "R3e"}
    assert [r["code"] for r in run(kg, "projects", municipality="113611")] == ["R3e"]


def test_projects_field_filter(kg):
    disaster_2021 = {r["code"] for r in run(kg, "projects", field="防災", fiscalYear=2021)}
    assert disaster_2021 == {"R3a", "R3c", "R3g", "R3h", "R3i"}
    tourism = {r["code"] for r in run(kg, "projects", field="tourism")}
    assert tourism == {"H29d", "H29e", "H30b", "R3d", "R3h", "R3i"}
    assert run(kg, "projects", field="存在しない分野") == []


def test_project_row_content(kg):
    rows = by(run(kg, "projects"), "code")
    r3e = rows["R3e"]
    assert r3e["regionLabel"] == "さいたま市・横瀬町" and r3e["regionCode"] == "111007,113611"
    assert r3e["prefectureLabel"] == "埼玉県"
    assert r3e["implementerLabel"] == "（一社）美園タウンマネジメント"
    assert set(r3e["fields"].split("・")) == {"健康", "医療"}
    assert r3e["program"] == f"{BASE}/id/program/data-linkage"
    assert rows["H30b"]["regionLabel"] == "京都府" and rows["H30b"]["regionCode"] == "260002"
    assert rows["H29e"]["implementerLabel"] is None
    assert set(rows["R3g"]["fields"].split("・")) == {"防犯", "防災", "健康", "地域経済", "交通"}


def test_municipality_profile_of_takamatsu(kg):
    (row,) = run(kg, "municipality", code="372013")
    assert row["label"] == "高松市" and row["kana"] == "たかまつし" and row["labelEn"] == "Takamatsu-shi"
    assert row["prefectureLabel"] == "香川県"
    assert row["projects"] == "H29f" and row["projectCount"] == "1"
    assert row["cityOSLabel"] == "高松市の都市OS" and row["cityOSRole"] == "owner"
    assert row["cityOSFiscalYear"] == "2017" and row["cityOSFiscalYearEra"] == "H29"
    assert row["sharedUse"] == "false"
    assert row["sharingPartners"] == "観音寺市・綾川町" and row["sharingPartnerCodes"] == "372056,373877"


def test_municipality_profiles(kg):
    (kanonji,) = run(kg, "municipality", code="372056")
    assert kanonji["projectCount"] == "0" and kanonji["projects"] is None
    assert kanonji["cityOSLabel"] == "高松市の都市OS" and kanonji["cityOSRole"] == "user"
    assert kanonji["cityOSFiscalYear"] == "2019" and kanonji["cityOSFiscalYearJa"] == "令和元年度"
    assert kanonji["sharedUse"] == "true"
    assert set(kanonji["sharingPartners"].split("・")) == {"高松市", "綾川町"}
    (saitama,) = run(kg, "municipality", code="111007")
    assert set(saitama["projects"].split(",")) == {"H29c", "R2b", "R3e"} and saitama["projectCount"] == "3"
    assert saitama["sharingPartners"] == "横瀬町"
    (nagasaki,) = run(kg, "municipality", code="420000")
    assert nagasaki["label"] == "長崎県" and nagasaki["projects"] == "R3h"
    assert nagasaki["cityOSLabel"] == "長崎県の都市OS"
    assert len(nagasaki["sharingPartnerCodes"].split(",")) == 21
    (chiyoda,) = run(kg, "municipality", code="131016")
    assert chiyoda["label"] == "千代田区" and chiyoda["projectCount"] == "0" and chiyoda["cityOS"] is None
    assert run(kg, "municipality", code=UNKNOWN_CODE) == []
    assert "check digit" in refused("municipality", code="999999")
    assert "required" in refused("municipality")
    assert execute(kg, "municipality", {}) == [], "without the required code the query gives nothing"


def test_kpi_progress(kg):
    rows = by(run(kg, "kpi-progress"), "kpiLabel")
    city_os = rows["都市OS（データ連携基盤）の導入数"]
    assert (city_os["observed"], city_os["observedYear"], city_os["target"], city_os["targetYear"]) == (
        "13", "2019", "100", "2025")
    assert (city_os["observedYearEra"], city_os["targetYearEra"]) == ("R1", "R7")
    assert Decimal(city_os["progress"]) == Decimal("0.13")
    technology = rows["技術の実装をした自治体・地域団体数"]
    assert (technology["target"], technology["targetYear"], technology["observed"]) == ("100", "2025", None)
    # 「現在18地域で実装・運営中」 is a status statement of the briefing, not a KPI (issue 9 item 2).
    assert set(rows) == {"都市OS（データ連携基盤）の導入数", "技術の実装をした自治体・地域団体数"}


def test_cost_share_equal_on_takamatsu(kg):
    rows = run(kg, "cost-share", cityOS=f"{BASE}/id/city-os/372013-1", method="equal", totalCost=300)
    assert [r["userLabel"] for r in rows] == ["高松市", "観音寺市", "綾川町"]
    assert [r["role"] for r in rows] == ["owner", "user", "user"]
    assert all(Decimal(r["amount"]) == 100 for r in rows)
    assert all(r["shareText"] == "1/3" and r["participants"] == "3" for r in rows)
    assert sum(Decimal(r["share"]) for r in rows) == pytest.approx(Decimal(1), abs=Decimal("1e-12"))


def test_cost_share_other_cases(kg):
    saitama = run(kg, "cost-share", cityOS=f"{BASE}/id/city-os/111007-1", method="equal", totalCost="1000.50")
    assert [(r["userLabel"], Decimal(r["amount"])) for r in saitama] == [
        ("さいたま市", Decimal("500.25")), ("横瀬町", Decimal("500.25"))]
    alone = run(kg, "cost-share", cityOS=f"{BASE}/id/city-os/072028-1", method="equal", totalCost=90)
    assert [(r["userLabel"], Decimal(r["amount"])) for r in alone] == [("会津若松市", Decimal(90))]
    for method in ("usage",):
        assert "not available" in refused("cost-share", cityOS=f"{BASE}/id/city-os/372013-1", method=method,
                                          totalCost=300)
        # the query itself has no answer for them either, should a value get through
        substitutions = {**bind("cost-share", {"cityOS": f"{BASE}/id/city-os/372013-1", "totalCost": 300,
                                               "method": "equal"}),
                         ox.Variable("method"): ox.Literal(method)}
        assert execute(kg, "cost-share", substitutions) == []
    assert run(kg, "cost-share", cityOS=f"{BASE}/id/municipality/372013", method="equal", totalCost=300) == []


def test_search_kanji_ranks_the_municipality_first(kg):
    rows = run(kg, "search", q="高松")
    assert rows[0]["label"] == "高松市" and rows[0]["type"] == SCKG + "Municipality"
    assert rows[0]["resource"] == f"{BASE}/id/municipality/372013"
    scores = [int(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert rows[0]["score"] == "2"  # prefix
    order = [r["resource"].removeprefix(f"{BASE}/id/") for r in rows]
    # A longer prefix match ("高松市 都市OS導入（2017年度）") before a shorter substring match
    # ("H29f 香川県高松市").
    assert order.index("city-os-introduction/372013/372013-1") < order.index("project/H29f")
    assert order.index("municipality/372013") < order.index("city-os/372013-1")  # shorter first


def test_search_english_and_kana(kg):
    english = run(kg, "search", q="takamatsu")
    assert english[0]["label"] == "高松市" and english[0]["matched"] == "Takamatsu-shi"
    assert run(kg, "search", q="TAKAMATSU-SHI")[0]["score"] == "3"
    kana = run(kg, "search", q="たかまつ")
    assert kana[0]["label"] == "高松市" and kana[0]["matched"] == "たかまつし"


def test_search_ranking_exact_prefix_substring(kg):
    rows = run(kg, "search", q="防災")
    assert {r["type"] for r in rows[:2]} == {SCKG + "Field", SCKG + "RegionalIssue"}
    assert [r["score"] for r in rows[:2]] == ["3", "3"]
    assert all(r["score"] == "1" for r in rows[2:])
    assert rows[0]["matched"] == "防災"
    assert run(kg, "search", q="H29f")[0]["resource"] == f"{BASE}/id/project/H29f"
    assert run(kg, "search", q="372013")[0]["label"] == "高松市"


def test_search_input_is_nfkc_normalised_before_binding(kg):
    # Full-width letters as typed on a Japanese keyboard.
    assert run(kg, "search", q="ＴＡＫＡＭＡＴＳＵ")[0]["label"] == "高松市"


@pytest.mark.parametrize("q", ["カンオンジ", "ｶﾝｵﾝｼﾞ", "かんおんじ", "kanonji", "Kan'onji", "Kannonji",
                               "Kanōnji", "香川県観音寺市", "香川県 観音寺", "観音寺", "8000020372056"])
def test_search_finds_names_as_people_type_them(kg, q):
    """Issue 11: the one normaliser (sckgfn:normalize) on both sides of the comparison."""
    top = run(kg, "search", q=q)[0]
    assert top["resource"] == f"{BASE}/id/municipality/372056" and top["label"] == "観音寺市"


def test_search_ranks_a_prefecture_prefixed_name_exact(kg):
    rows = run(kg, "search", q="香川県観音寺市")
    assert rows[0]["score"] == "3" and rows[0]["matched"] == "観音寺市" and rows[0]["q"] == "香川県観音寺市"
    assert run(kg, "search", q="札幌市　北区")[0]["label"] == "札幌市北区"  # a full-width space


def test_search_prefers_the_label_spelt_as_typed(kg):
    assert run(kg, "search", q="KAN'ONJI")[0]["matched"] == "Kan'onji-shi"
    assert run(kg, "search", q="カンオンジ")[0]["matched"] == "かんおんじし"


def test_label_parameters_compare_normalised(kg):
    """services-for-issue and issues-solved-by-service compare labels through the normaliser."""
    assert {r["service"] for r in run(kg, "services-for-issue", issue="見守り")}
    assert {r["service"] for r in run(kg, "services-for-issue", issue="ＣＡＲＥ")} == {
        r["service"] for r in run(kg, "services-for-issue", issue="care")}
    iri = f"{BASE}/id/service/R1c-2"
    label = next(r["serviceLabelEn"] for r in run(kg, "issues-solved-by-service", service=iri))
    shouted = label.upper().replace(" ", "　")
    assert {r["issue"] for r in run(kg, "issues-solved-by-service", service=shouted)} == {
        r["issue"] for r in run(kg, "issues-solved-by-service", service=iri)}
    assert run(kg, "projects", field="ぼうさい") == []  # a reading is not the label
    assert len(run(kg, "projects", field="ＤＩＳＡＳＴＥＲ　ＰＲＥＶＥＮＴＩＯＮ")) == len(
        run(kg, "projects", field="防災"))


def test_issues_solved_by_service(kg):
    iri = f"{BASE}/id/service/R1c-2"
    rows = run(kg, "issues-solved-by-service", service=iri)
    direct = [r for r in rows if r["direct"] == "true"]
    assert {r["issueLabel"] for r in direct} == {"防災", "防犯", "交通", "子育て", "教育"}
    # The broader issues follow (the project's umbrella 安全・安心 over 防災 and 防犯).
    assert {(r["issueLabel"], r["viaLabel"]) for r in rows if r["direct"] == "false"} == {
        ("安全・安心", "防災"), ("安全・安心", "防犯")}
    assert all(r["service"] == iri and r["projectCode"] == "R1c" for r in rows)
    label = "lighting disaster-alert system on MIZUNOTE bridge"
    by_label = run(kg, "issues-solved-by-service", service=label)
    assert {r["issueLabel"] for r in by_label if r["direct"] == "true"} == {"防災", "観光"}
    assert {r["issueLabel"] for r in by_label} == {"防災", "観光", "安全・安心"}
    assert {r["service"] for r in by_label} == {f"{BASE}/id/service/R3i-1"}
    by_ja = run(kg, "issues-solved-by-service", service="ライティング防災アラートシステム")
    assert {r["issue"] for r in by_ja} == {r["issue"] for r in by_label}
    assert run(kg, "issues-solved-by-service", service="no such service") == []
    assert "required" in refused("issues-solved-by-service")
    assert execute(kg, "issues-solved-by-service", {}) == [], \
        "without the required service the query gives nothing"


def test_services_for_issue(kg):
    shopping = run(kg, "services-for-issue", issue=f"{BASE}/id/regional-issue/shopping-support")
    assert {r["service"].rsplit("/", 1)[1] for r in shopping} == {"R1b-2", "R3g-1", "R3g-2"}
    assert {r["fieldLabel"] for r in shopping} == {"物流", "健康", "防犯"}
    by_label = run(kg, "services-for-issue", issue="買物支援")
    assert {r["service"] for r in by_label} == {r["service"] for r in shopping}
    disaster = run(kg, "services-for-issue", issue="防災")
    # 防災 and its narrower 広域防災 (H29f-2, H29f-3).
    assert {r["service"].rsplit("/", 1)[1] for r in disaster} == {
        "H29f-1", "H29f-2", "H29f-3", "H30c-1", "R1c-1", "R1c-2", "R1d-1", "R2a-1", "R2a-2", "R3a-1",
        "R3c-3", "R3c-4", "R3g-2", "R3h-1", "R3i-1", "R3i-2", "R3i-3"}
    assert {r["issue"] for r in disaster} == {
        f"{BASE}/id/regional-issue/disaster-prevention",
        f"{BASE}/id/regional-issue/wide-area-disaster-prevention"}
    assert all(r["confidence"] in ("high", "medium", "low") and r["sourceUrl"] for r in disaster)
    # English label, case-insensitive, and an alternative label (観光対策 for 観光).
    assert {r["service"] for r in run(kg, "services-for-issue", issue="TOURISM")} == {
        r["service"] for r in run(kg, "services-for-issue", issue="観光対策")}
    assert run(kg, "services-for-issue", issue="tourism")
    assert "required" in refused("services-for-issue")
    assert execute(kg, "services-for-issue", {}) == []


def test_services_and_issues_agree(kg):
    """The two curated-mapping queries are inverses of each other."""
    for issue_row in run(kg, "services-for-issue", issue="交通"):
        issues = {r["issue"] for r in run(kg, "issues-solved-by-service", service=issue_row["service"])}
        assert issue_row["issue"] in issues


# -- The pyoxigraph behaviour the queries rely on ----------------------------------------------------


def test_pyoxigraph_requires_substituted_variables_in_the_projection():
    store = ox.Store()
    with pytest.raises(Exception, match="projection"):
        store.query("SELECT ?s WHERE { ?s ?p ?x }", substitutions={ox.Variable("x"): ox.Literal("a")})


def test_pyoxigraph_bound_does_not_see_substitutions():
    """Why the queries never write FILTER(!BOUND(?param) || ...): it would not filter at all."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("A")))
    store.add(ox.Quad(ox.NamedNode("http://e/b"), ox.NamedNode("http://e/p"), ox.Literal("B")))
    subs = {ox.Variable("x"): ox.Literal("A")}
    naive = "SELECT ?x ?s WHERE { ?s ?p ?o FILTER(!BOUND(?x) || ?o = ?x) }"
    robust = "SELECT ?x ?s WHERE { ?s ?p ?o FILTER(COALESCE(?o = ?x, true)) }"
    assert len(list(store.query(robust, substitutions=subs))) == 1
    assert len(list(store.query(robust))) == 2
    # If pyoxigraph ever evaluates BOUND on substituted values, the naive form works too: fine.
    assert len(list(store.query(naive, substitutions=subs))) in (1, 2)
