"""Every fact of the source document (see DOMAIN.md), checked by SPARQL against the loaded store.

The expected values are written out here from the briefing (「令和３年度スマートシティ調査事業について」),
not read from ``data/source``, so a wrong CSV row shows up as a failing test. Instances are found by
what the document says (identifiers, Japanese labels), not by the IRIs the loader mints.
"""

from __future__ import annotations

import json
from typing import NamedTuple

import pytest
from conftest import select

BASE = "https://w3id.org/smartcity-kg"
SCKG = "https://w3id.org/smartcity-kg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
BRIEFING = f"<{BASE}/graph/briefing>"
CURATED = f"<{BASE}/graph/curated>"
LOCALGOVJP = f"<{BASE}/graph/localgovjp>"
SERVICES = f"<{BASE}/graph/service-implementations>"
VOID_GRAPH = f"<{BASE}/graph/void>"
GRAPH_NAMES = ("briefing", "curated", "localgovjp", "localgov-changes", "service-implementations",
               "translations", "iri-history", "search-keys", "ontology", "void")
SOURCE_BRIEFING = f"<{BASE}/id/source/briefing>"
SOURCE_CURATION = f"<{BASE}/id/source/project-curation>"
VOID_PREFIX = "PREFIX void: <http://rdfs.org/ns/void#>\n"
GEO_PREFIX = (
    "PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>\n"
    "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
)


def lit(text: str, lang: str | None = None) -> str:
    """A SPARQL string literal (optionally language-tagged) for a constant of this module."""
    return json.dumps(text, ensure_ascii=False) + (f"@{lang}" if lang else "")


def values(rows: list[dict[str, str]], name: str) -> list[str]:
    """The values of one variable over all rows."""
    return [row[name] for row in rows]


def count(kg, sparql: str) -> int:
    """The integer ``?n`` of a one-row SELECT."""
    rows = select(kg, sparql)
    assert len(rows) == 1, f"expected one row, got {rows}"
    return int(rows[0]["n"])


# -- The document, written out -----------------------------------------------------------------

UTILIZATION = "データ利活用型スマートシティ推進事業"
LINKAGE = "データ連携促進型スマートシティ推進事業"

PROGRAMMES = {UTILIZATION: 2017, LINKAGE: 2021}

# fiscal year: (budget in yen, adopted projects, programme, code range as printed)
# Amounts are the briefing's rounded figures in yen (schema:amount/schema:value); the code range
# as the table's 記号 column prints it (R3 with a capital I).
BUDGETS = {
    2017: (510_000_000, 6, UTILIZATION, "H29 a～f"),
    2018: (250_000_000, 3, UTILIZATION, "H30 a～c"),
    2019: (220_000_000, 5, UTILIZATION, "R1 a～e"),
    2020: (220_000_000, 5, UTILIZATION, "R2 a～e"),
    2021: (690_000_000, 9, LINKAGE, "R3 a～I"),
}


class Project(NamedTuple):
    """One row of the briefing's table of adopted projects (項番 · 実施地域 · 実施団体 · 分野)."""

    fiscal_year: int
    regions: tuple[tuple[str, str | None], ...]  # (prefecture, municipality or None for the prefecture)
    implementer: str | None
    fields: frozenset[str]


def _p(year: int, regions, implementer: str | None, fields: str) -> Project:
    return Project(year, tuple(regions), implementer, frozenset(fields.split("・")))


MISONO = "（一社）美園タウンマネジメント"

PROJECTS = {
    "H29a": _p(2017, [("北海道", "札幌市")], "（一財）さっぽろ産業振興財団", "交通・健康"),
    "H29b": _p(2017, [("福島県", "会津若松市")], "アクセンチュア（株）", "健康・生活"),
    "H29c": _p(2017, [("埼玉県", "さいたま市")], MISONO, "健康・スポーツ"),
    "H29d": _p(2017, [("神奈川県", "横浜市")], "（株）リアライズ", "観光・防犯・生活"),
    "H29e": _p(2017, [("兵庫県", "加古川市")], None, "防犯・観光"),
    "H29f": _p(2017, [("香川県", "高松市")], None, "防災・交通"),
    "H30a": _p(2018, [("富山県", "富山市")], None, "防犯・防災・インフラ管理"),
    "H30b": _p(2018, [("京都府", None)], "（一社）京都スマートシティ推進協議会", "観光・防災・環境"),
    "H30c": _p(2018, [("島根県", "益田市")], "シマネ益田電子（株）", "防災・鳥獣被害対策"),
    "R1a": _p(2019, [("東京都", "調布市")], "アフラック生命保険（株）", "健康・教育"),
    "R1b": _p(2019, [("長野県", "伊那市")], None, "医療・物流"),
    "R1c": _p(2019, [("三重県", "木曽岬町")], None, "防犯・防災・交通"),
    "R1d": _p(2019, [("愛媛県", "新居浜市")], None, "防災・交通・地域経済"),
    "R1e": _p(2019, [("福岡県", "飯塚市")], None, "健康・交通・まちづくり"),
    "R2a": _p(2020, [("群馬県", "嬬恋村")], None, "防災・コロナ対策"),
    "R2b": _p(2020, [("埼玉県", "さいたま市")], MISONO, "健康・医療"),
    "R2c": _p(2020, [("東京都", "大田区")], "鹿島建設（株）", "地域経済"),
    "R2d": _p(2020, [("富山県", "富山市")], "関西電力（株）", "エネルギー・コロナ対策"),
    "R2e": _p(2020, [("石川県", "加賀市")], None, "行政"),
    "R3a": _p(2021, [("北海道", "更別村")], None, "農林水産業・防災"),
    "R3b": _p(2021, [("宮城県", "仙台市")], None, "交通・コロナ対策"),
    "R3c": _p(2021, [("栃木県", "佐野市")], "（一社）スマートソサエティファウンデーション",
              "防災・コロナ対策・健康"),
    "R3d": _p(2021, [("群馬県", "嬬恋村")], None, "観光"),
    "R3e": _p(2021, [("埼玉県", "さいたま市"), ("埼玉県", "横瀬町")], MISONO, "健康・医療"),
    "R3f": _p(2021, [("千葉県", "柏市")], "（一社）UDCKタウンマネジメント", "健康"),
    "R3g": _p(2021, [("大阪府", "豊能町")], "（一社）コンパクトスマートシティプラットフォーム協議会",
              "防犯・防災・健康・地域経済・交通"),
    "R3h": _p(2021, [("長崎県", None)], None, "防災・観光"),
    "R3i": _p(2021, [("熊本県", "人吉市")], None, "防災・観光"),
}

FIELDS = frozenset(
    "交通 健康 生活 スポーツ 観光 防犯 防災 インフラ管理 環境 鳥獣被害対策 "
    "教育 医療 物流 地域経済 まちづくり コロナ対策 エネルギー 行政 農林水産業".split()
)

# City OS introductions by fiscal year, (prefecture, municipality) as in the chart. FY2021 also
# counts all 21 municipalities of 長崎県, checked separately.
INTRODUCTIONS = {
    2015: {("福島県", "会津若松市")},
    2016: set(),
    2017: {("北海道", "札幌市"), ("埼玉県", "さいたま市"), ("兵庫県", "加古川市"), ("香川県", "高松市")},
    2018: {("富山県", "富山市"), ("島根県", "益田市")},
    2019: {("神奈川県", "藤沢市"), ("長野県", "伊那市"), ("香川県", "観音寺市"), ("香川県", "綾川町"),
           ("愛媛県", "新居浜市"), ("福岡県", "飯塚市")},
    2020: {("群馬県", "嬬恋村"), ("千葉県", "柏市"), ("東京都", "大田区"), ("石川県", "加賀市"),
           ("沖縄県", "浦添市")},
    2021: {("北海道", "更別村"), ("宮城県", "仙台市"), ("栃木県", "佐野市"), ("埼玉県", "横瀬町"),
           ("大阪府", "豊能町"), ("兵庫県", "神戸市"), ("熊本県", "人吉市")},
}
INTRODUCTION_COUNTS = {2015: 1, 2016: 0, 2017: 4, 2018: 2, 2019: 6, 2020: 5, 2021: 7 + 21}

# Shared use (※): user, its prefecture, the municipality whose City OS it uses, since fiscal year.
SHARED_USES = [
    ("観音寺市", "香川県", "高松市", 2019),
    ("綾川町", "香川県", "高松市", 2019),
    ("横瀬町", "埼玉県", "さいたま市", 2021),
]

APPROACHES = {"ア": "範囲拡大型", "イ": "広域整備型（市区町村のみ）", "ウ": "広域整備型（都道府県主導）"}
# 「均等割以外に人口規模や利用実績をもとにした従量割」: population size and usage are bases of 従量割.
COST_ALLOCATION = {"均等割", "従量割"}

# The survey's work items: number -> {(value, qualifier)} of its figures.
SURVEY_FIGURES = {
    1: {(15, "exact"), (3, "about")},  # 15 interviewed local governments; videos for about three
    # more than 300 (300超: strictly more, not 以上) services classified; 11 frequent issues
    2: {(300, "more-than"), (11, "exact")},
    3: {(3, "exact"), (2, "exact")},  # three approaches; briefings on two days (9th and 18th)
}
# Words of the document each work item's Japanese description must keep.
SURVEY_WORDING = {
    1: ("15自治体", "動画", "官民連携PF"),
    2: ("300超", "11課題", "事例集", "令和４年度"),
    3: ("３つのアプローチ", "9日", "18日", "大阪府", "長崎県"),
}

PROJECTS_WITHOUT_SERVICES = {"H29d", "R1e"}

BRIEFING_CLASSES = (
    "SubsidyProgram", "ProgramBudget", "AdoptedProject", "Field", "ImplementingBody", "CityOS",
    "CityOSIntroduction", "CityOSSharing", "SharingApproach", "CostAllocationMethod", "KPI",
    "KPIObservation", "SurveyWorkItem", "SurveyFigure",
)


# -- Subsidy programmes -----------------------------------------------------------------------------

def test_two_subsidy_programmes_with_labels_and_start_years(kg):
    rows = select(kg, """
        SELECT ?label ?start (DATATYPE(?start) AS ?dt) {
          ?p a sckg:SubsidyProgram ; rdfs:label ?label ; sckg:startFiscalYear ?start .
          FILTER(LANG(?label) = "ja")
        }""")
    found = {row["label"]: int(row["start"]) for row in rows}
    assert found == PROGRAMMES, f"programmes and start years: {found}"
    assert len(rows) == 2, f"each programme needs exactly one @ja label and start year: {rows}"
    assert {row["dt"] for row in rows} == {f"{XSD}integer"}, "start years must be xsd:integer"


# -- Budgets and adoptions ----------------------------------------------------------------------------

def test_exactly_five_fiscal_year_budgets(kg):
    rows = select(kg, "SELECT ?y { ?b a sckg:ProgramBudget ; sckg:fiscalYear ?y }")
    assert sorted(int(y) for y in values(rows, "y")) == sorted(BUDGETS)


@pytest.mark.parametrize("year", sorted(BUDGETS))
def test_budget_and_adoptions_of_fiscal_year(kg, year):
    yen, adopted, programme, code_range = BUDGETS[year]
    rows = select(kg, f"""
        SELECT ?yen (DATATYPE(?yen) AS ?dt) ?adopted ?programme ?range {{
          ?b a sckg:ProgramBudget ; sckg:fiscalYear {year} ;
             <https://schema.org/amount>/<https://schema.org/value> ?yen ;
             sckg:adoptedProjectCount ?adopted ; sckg:program/rdfs:label ?programme .
          FILTER(LANG(?programme) = "ja")
          OPTIONAL {{ ?b sckg:projectCodeRange ?range }}
        }}""")
    assert rows == [{"yen": str(yen), "dt": f"{XSD}integer", "adopted": str(adopted),
                     "programme": programme, "range": code_range}], f"FY{year} budget row"


def test_budgets_sum_to_18_9_oku_yen(kg):
    total = count(kg, "SELECT (SUM(?yen) AS ?n) { ?b a sckg:ProgramBudget ; "
                      "<https://schema.org/amount>/<https://schema.org/value> ?yen }")
    assert total == 1_890_000_000, f"budgets sum to {total} yen, expected 18.9億円"


def test_adoption_counts_sum_to_28(kg):
    total = count(kg, "SELECT (SUM(?c) AS ?n) { ?b a sckg:ProgramBudget ; sckg:adoptedProjectCount ?c }")
    assert total == 28, f"adoptions sum to {total}, expected のべ28地域"


def test_projects_per_fiscal_year_match_adoption_counts(kg):
    rows = select(kg, """
        SELECT ?year ?adopted (COUNT(?p) AS ?projects) {
          ?b a sckg:ProgramBudget ; sckg:fiscalYear ?year ; sckg:adoptedProjectCount ?adopted .
          OPTIONAL { ?p a sckg:AdoptedProject ; sckg:budget ?b }
        } GROUP BY ?year ?adopted""")
    mismatched = [row for row in rows if row["adopted"] != row["projects"]]
    assert len(rows) == 5 and not mismatched, f"projects linked to each budget: {rows}"


# -- The 28 adopted projects --------------------------------------------------------------------

def test_the_table_lists_28_projects():
    """Guard on this module's own table: H29a–f, H30a–c, R1a–e, R2a–e, R3a–i."""
    expected = [f"H29{c}" for c in "abcdef"] + [f"H30{c}" for c in "abc"] + [f"R1{c}" for c in "abcde"]
    expected += [f"R2{c}" for c in "abcde"] + [f"R3{c}" for c in "abcdefghi"]
    assert list(PROJECTS) == expected


def test_exactly_28_adopted_projects(kg):
    rows = select(kg, "SELECT ?code { ?p a sckg:AdoptedProject ; dcterms:identifier ?code }")
    codes = values(rows, "code")
    assert len(codes) == 28, f"{len(codes)} projects (or identifiers): {sorted(codes)}"
    assert set(codes) == set(PROJECTS)


@pytest.mark.parametrize("code", list(PROJECTS))
def test_project_fiscal_year_and_programme(kg, code):
    project = PROJECTS[code]
    programme = LINKAGE if project.fiscal_year == 2021 else UTILIZATION
    rows = select(kg, f"""
        SELECT ?year (DATATYPE(?year) AS ?dt) ?programme ?budgetYear {{
          ?p a sckg:AdoptedProject ; dcterms:identifier {lit(code)} ; sckg:fiscalYear ?year ;
             sckg:program/rdfs:label ?programme ; sckg:budget/sckg:fiscalYear ?budgetYear .
          FILTER(LANG(?programme) = "ja")
        }}""")
    expected = {"year": str(project.fiscal_year), "dt": f"{XSD}integer", "programme": programme,
                "budgetYear": str(project.fiscal_year)}
    assert rows == [expected], f"{code}: fiscal year, programme and budget"


@pytest.mark.parametrize("code", list(PROJECTS))
def test_project_regions(kg, code):
    rows = select(kg, f"""
        SELECT ?cls ?label ?prefecture {{
          ?p a sckg:AdoptedProject ; dcterms:identifier {lit(code)} ; sckg:region ?r .
          ?r a ?cls ; rdfs:label ?label .
          FILTER(?cls IN (sckg:Municipality, sckg:Prefecture) && LANG(?label) = "ja")
          OPTIONAL {{ ?r sckg:prefecture/rdfs:label ?prefecture FILTER(LANG(?prefecture) = "ja") }}
        }}""")
    found = sorted((row["cls"].removeprefix(SCKG), row["label"], row["prefecture"]) for row in rows)
    expected = sorted(("Municipality", municipality, prefecture) if municipality else
                      ("Prefecture", prefecture, None)
                      for prefecture, municipality in PROJECTS[code].regions)
    assert found == expected, f"{code}: regions (class, @ja label, prefecture)"


@pytest.mark.parametrize("code", list(PROJECTS))
def test_project_implementing_body(kg, code):
    rows = select(kg, f"""
        SELECT ?body ?label {{
          ?p a sckg:AdoptedProject ; dcterms:identifier {lit(code)} ; sckg:implementer ?body .
          OPTIONAL {{ ?body a sckg:ImplementingBody ; rdfs:label ?label FILTER(LANG(?label) = "ja") }}
        }}""")
    implementer = PROJECTS[code].implementer
    expected = [implementer] if implementer else []
    assert values(rows, "label") == expected, f"{code}: implementing body (none where not named)"


@pytest.mark.parametrize("code", list(PROJECTS))
def test_project_fields(kg, code):
    rows = select(kg, f"""
        SELECT ?field ?label {{
          ?p a sckg:AdoptedProject ; dcterms:identifier {lit(code)} ; sckg:field ?field .
          OPTIONAL {{ ?field a sckg:Field ; rdfs:label ?label FILTER(LANG(?label) = "ja") }}
        }}""")
    labels = values(rows, "label")
    assert len(labels) == len(set(labels)), f"{code}: duplicate field labels {labels}"
    assert set(labels) == PROJECTS[code].fields, f"{code}: fields (分野)"


# -- Fields and implementing bodies ---------------------------------------------------------------

def test_nineteen_fields(kg):
    rows = select(kg, """
        SELECT ?label ?pref ?scheme {
          ?f a sckg:Field ; rdfs:label ?label ; skos:prefLabel ?pref ; skos:inScheme ?scheme .
          FILTER(LANG(?label) = "ja" && LANG(?pref) = "ja")
        }""")
    assert len(rows) == 19, f"one row per field expected: {rows}"
    assert set(values(rows, "label")) == FIELDS
    assert all(row["label"] == row["pref"] for row in rows), "skos:prefLabel@ja must equal rdfs:label@ja"
    assert len(set(values(rows, "scheme"))) == 1, "all fields belong to one scheme"


def test_field_vocabulary_is_the_union_of_project_fields():
    assert frozenset().union(*(p.fields for p in PROJECTS.values())) == FIELDS


def test_implementing_bodies(kg):
    rows = select(kg, """
        SELECT ?label { ?b a sckg:ImplementingBody ; rdfs:label ?label FILTER(LANG(?label) = "ja") }""")
    expected = {p.implementer for p in PROJECTS.values() if p.implementer}
    assert sorted(values(rows, "label")) == sorted(expected), "the 12 named implementing bodies"


def test_implementing_body_legal_forms_match_their_abbreviations(kg):
    rows = select(kg, """
        SELECT ?label ?form {
          ?b a sckg:ImplementingBody ; rdfs:label ?label FILTER(LANG(?label) = "ja")
          OPTIONAL { ?b sckg:legalForm ?form }
        }""")
    abbreviations = {"（一財）": "一般財団法人", "（一社）": "一般社団法人", "（株）": "株式会社"}
    wrong = [row for row in rows
             if [form for abbr, form in abbreviations.items() if abbr in row["label"]] != [row["form"]]]
    assert not wrong, f"legal form does not match the label's abbreviation: {wrong}"


# -- City OS introductions ------------------------------------------------------------------------

def _introductions(kg, year: int) -> list[tuple[str, str]]:
    rows = select(kg, f"""
        SELECT ?prefecture ?municipality {{
          ?i a sckg:CityOSIntroduction ; sckg:fiscalYear {year} ; sckg:municipality ?m .
          ?m rdfs:label ?municipality ; sckg:prefecture/rdfs:label ?prefecture .
          FILTER(LANG(?municipality) = "ja" && LANG(?prefecture) = "ja")
        }}""")
    return [(row["prefecture"], row["municipality"]) for row in rows]


@pytest.mark.parametrize("year", sorted(INTRODUCTION_COUNTS))
def test_city_os_introductions_count_per_fiscal_year(kg, year):
    found = _introductions(kg, year)
    assert len(found) == INTRODUCTION_COUNTS[year], f"FY{year}: {sorted(found)}"


@pytest.mark.parametrize("year", sorted(INTRODUCTIONS))
def test_city_os_introductions_by_name(kg, year):
    found = {entry for entry in _introductions(kg, year) if not (year == 2021 and entry[0] == "長崎県")}
    assert found == INTRODUCTIONS[year], f"FY{year}: local governments that introduced a City OS"


def test_city_os_introductions_total_46(kg):
    n = count(kg, "SELECT (COUNT(?i) AS ?n) { ?i a sckg:CityOSIntroduction }")
    assert n == sum(INTRODUCTION_COUNTS.values()) == 46


def test_city_os_introductions_cumulative_13_by_end_of_fy2019(kg):
    n = count(kg, """SELECT (COUNT(?i) AS ?n) {
        ?i a sckg:CityOSIntroduction ; sckg:fiscalYear ?y FILTER(?y <= 2019) }""")
    assert n == 13


def test_city_os_introductions_cumulative_18_by_end_of_fy2020(kg):
    n = count(kg, """SELECT (COUNT(?i) AS ?n) {
        ?i a sckg:CityOSIntroduction ; sckg:fiscalYear ?y FILTER(?y <= 2020) }""")
    assert n == 18


def test_all_21_nagasaki_municipalities_introduced_the_prefectures_city_os_in_fy2021(kg):
    everyone = select(kg, """
        SELECT ?label { ?m a sckg:Municipality ; rdfs:label ?label ; sckg:prefecture ?pref .
                        ?pref rdfs:label "長崎県"@ja FILTER(LANG(?label) = "ja") }""")
    introduced = select(kg, """
        SELECT ?label ?year ?owner {
          ?i a sckg:CityOSIntroduction ; sckg:municipality ?m ; sckg:fiscalYear ?year ; sckg:cityOS ?os .
          ?m rdfs:label ?label ; sckg:prefecture/rdfs:label "長崎県"@ja . FILTER(LANG(?label) = "ja")
          ?os sckg:owner/rdfs:label ?owner FILTER(LANG(?owner) = "ja")
        }""")
    assert len(everyone) == 21, f"長崎県 has {len(everyone)} municipalities in the store"
    assert sorted(values(introduced, "label")) == sorted(values(everyone, "label"))
    assert {(row["year"], row["owner"]) for row in introduced} == {("2021", "長崎県")}, \
        "the 21 municipalities introduce, in FY2021, the City OS of 長崎県"


@pytest.mark.parametrize("prefecture", ["長崎県", "大阪府"], ids=["Nagasaki", "Osaka"])
def test_prefecture_introducing_a_city_os_for_its_municipalities(kg, prefecture):
    rows = select(kg, f"""
        SELECT ?os {{ ?os a sckg:CityOS ; sckg:owner ?o .
                      ?o a sckg:Prefecture ; rdfs:label {lit(prefecture, 'ja')} }}""")
    assert len(rows) == 1, f"{prefecture} owns one City OS: {rows}"


def test_introductions_count_municipalities(kg):
    rows = select(kg, """
        SELECT ?i { ?i a sckg:CityOSIntroduction ; sckg:municipality ?m
                    FILTER NOT EXISTS { ?m a sckg:Municipality } }""")
    assert not rows, "the chart counts municipalities (市町村)"


def test_city_os_chart_caveat_is_recorded(kg):
    """(注) 把握できている範囲内でカウント。今後、数値が変更される可能性がある。"""
    rows = select(kg, f"""
        SELECT ?s ?o {{ GRAPH {BRIEFING} {{ ?s ?p ?o }}
          FILTER(isLiteral(?o) && (CONTAINS(STR(?o), "把握できている範囲") || CONTAINS(STR(?o), "数値が変更")
                 || CONTAINS(LCASE(STR(?o)), "may change") || CONTAINS(LCASE(STR(?o)), "subject to change")))
        }}""")
    assert rows, ("the document's note that the City OS chart counts what is known and may change "
                  "is not in the briefing graph")


# -- City OS shared use ---------------------------------------------------------------------------

def test_exactly_three_shared_uses(kg):
    """The briefing's three (※); the 21 of 長崎県 are the project's reading, in the curated graph."""
    assert count(kg, f"SELECT (COUNT(?s) AS ?n) {{ GRAPH {BRIEFING} {{ ?s a sckg:CityOSSharing }} }}") == 3
    assert count(kg, f"""SELECT (COUNT(?s) AS ?n) {{ GRAPH {CURATED} {{ ?s a sckg:CityOSSharing ;
                                                     sckg:curatedByProject true }} }}""") == 21


@pytest.mark.parametrize(("user", "prefecture", "owner", "since"), SHARED_USES,
                         ids=["Kanonji", "Ayagawa", "Yokoze"])
def test_shared_use(kg, user, prefecture, owner, since):
    rows = select(kg, f"""
        SELECT ?since ?approach ?owner ?introYear ?shared ?sameOS {{
          ?s a sckg:CityOSSharing ; sckg:user ?u ; sckg:cityOS ?os ; sckg:sinceFiscalYear ?since .
          ?u rdfs:label {lit(user, 'ja')} ; sckg:prefecture/rdfs:label {lit(prefecture, 'ja')} .
          ?os sckg:owner/rdfs:label ?owner FILTER(LANG(?owner) = "ja")
          OPTIONAL {{ ?s sckg:approach/skos:notation ?approach }}
          OPTIONAL {{ ?i a sckg:CityOSIntroduction ; sckg:municipality ?u ; sckg:fiscalYear ?introYear ;
                               sckg:sharedUse ?shared ; sckg:cityOS ?introOS }}
          BIND(?introOS = ?os AS ?sameOS)
        }}""")
    assert rows == [{"since": str(since), "approach": "ア", "owner": owner, "introYear": str(since),
                     "shared": "true", "sameOS": "true"}], f"{user} uses {owner}'s City OS since FY{since}"


def test_shared_use_flag_only_on_the_marked_introductions(kg):
    rows = select(kg, """
        SELECT ?label { ?i a sckg:CityOSIntroduction ; sckg:sharedUseMarked true ;
                           sckg:municipality/rdfs:label ?label FILTER(LANG(?label) = "ja") }""")
    assert sorted(values(rows, "label")) == sorted(user for user, *_ in SHARED_USES), "the ※ entries"
    # sckg:sharedUse is the reading: the ※ entries and the 21 of 長崎県 (no ※, curated with basis)
    read = select(kg, f"""
        SELECT ?label ?marked ?basis {{ ?i a sckg:CityOSIntroduction ; sckg:sharedUse true ;
                           sckg:sharedUseMarked ?marked ; sckg:municipality/rdfs:label ?label
                           FILTER(LANG(?label) = "ja")
                           BIND(EXISTS {{ GRAPH {CURATED} {{ ?i sckg:sharedUse true ;
                                                               sckg:sharedUseBasis ?b }} }} AS ?basis) }}""")
    assert len(read) == 3 + 21
    assert all(row["basis"] == "true" for row in read if row["marked"] == "false")


def test_sharing_approach_assignment_is_attributed_to_project_curation(kg):
    """The briefing does not name the approach of the three shared uses; the project assigned ア.

    Nothing that is not in the document may be presented as coming from it: the assignment has to
    be in the curated graph or its subject has to cite the project's curation.
    """
    rows = select(kg, f"""
        SELECT ?s {{ ?s a sckg:CityOSSharing ; sckg:approach ?a .
          FILTER NOT EXISTS {{ GRAPH {CURATED} {{ ?s sckg:approach ?a }} }}
          FILTER NOT EXISTS {{ ?s dcterms:source {SOURCE_CURATION} }}
        }}""")
    assert not rows, ("approach assigned by the project but attributed to the briefing only: "
                      f"{values(rows, 's')}")


# -- Shared-use approaches and cost allocation ----------------------------------------------------

def test_three_sharing_approaches(kg):
    rows = select(kg, """
        SELECT ?notation ?label { ?a a sckg:SharingApproach ; skos:notation ?notation ; rdfs:label ?label ;
                                     skos:inScheme ?scheme FILTER(LANG(?label) = "ja") }""")
    assert {row["notation"]: row["label"] for row in rows} == APPROACHES
    assert len(rows) == 3


def test_cost_split_example_under_wide_area_municipal_approach(kg):
    rows = select(kg, """
        SELECT ?example { ?a a sckg:SharingApproach ; skos:notation "イ" ; skos:example ?example
                          FILTER(LANG(?example) = "ja") }""")
    assert any("1/5" in e and "５団体" in e for e in values(rows, "example")), \
        f"イ: five bodies splitting the cost each pay 1/5: {rows}"


def test_two_cost_allocation_methods(kg):
    rows = select(kg, """
        SELECT ?notation ?label { ?m a sckg:CostAllocationMethod ; skos:notation ?notation ;
                                     rdfs:label ?label ; skos:inScheme ?scheme
                                     FILTER(LANG(?label) = "ja") }""")
    assert len(rows) == 2
    assert set(values(rows, "notation")) == COST_ALLOCATION
    assert set(values(rows, "label")) == COST_ALLOCATION


# -- KPIs ---------------------------------------------------------------------------------------------

def _kpi_sources(kg, label: str) -> set[tuple[str, str | None]]:
    rows = select(kg, f"""
        SELECT ?title ?issued {{
          ?k a sckg:KPI ; rdfs:label {lit(label, 'ja')} ; dcterms:source ?src .
          ?src a sckg:SourceDocument ; dcterms:title ?title FILTER(LANG(?title) = "ja")
          OPTIONAL {{ ?src dcterms:issued ?issued }}
        }}""")
    return {(row["title"], row["issued"]) for row in rows}


def test_kpi_city_os_introductions_13_at_end_of_fy2019_to_100_by_fy2025(kg):
    rows = select(kg, """
        SELECT ?target ?targetYear ?unit ?value ?year ?asOf {
          ?k a sckg:KPI ; rdfs:label "都市OS（データ連携基盤）の導入数"@ja ; sckg:targetValue ?target ;
             sckg:targetFiscalYear ?targetYear ; sckg:unit ?unit ; sckg:observation ?o .
          ?o rdf:value ?value ; sckg:observedFiscalYear ?year ; sckg:asOf ?asOf .
        }""")
    assert rows == [{"target": "100", "targetYear": "2025", "unit": "地域", "value": "13", "year": "2019",
                     "asOf": "2019年度末時点"}]


def test_kpi_city_os_introductions_sources(kg):
    sources = _kpi_sources(kg, "都市OS（データ連携基盤）の導入数")
    assert ("新経済・財政再生計画改革工程表2021", "2021-12-23") in sources, sources
    assert ("新経済・財政再生計画改革工程表2020", "2020-12-18") in sources, sources


def test_kpi_technology_implementers_target_100_by_fy2025(kg):
    rows = select(kg, """
        SELECT ?target ?targetYear { ?k a sckg:KPI ; rdfs:label "技術の実装をした自治体・地域団体数"@ja ;
                                        sckg:targetValue ?target ; sckg:targetFiscalYear ?targetYear }""")
    assert rows == [{"target": "100", "targetYear": "2025"}]
    sources = _kpi_sources(kg, "技術の実装をした自治体・地域団体数")
    assert ("新経済・財政再生計画改革工程表2020", "2020-12-18") in sources, sources


def test_kpi_source_documents_are_cabinet_office_council_decisions(kg):
    rows = select(kg, """
        SELECT ?title ?publisher { ?s a sckg:SourceDocument ; dcterms:title ?title ;
                                      dcterms:publisher ?publisher
                                   FILTER(STRSTARTS(STR(?title), "新経済・財政再生計画改革工程表")) }""")
    assert {(row["title"], row["publisher"]) for row in rows} == {
        ("新経済・財政再生計画改革工程表2021", "経済財政諮問会議"),
        ("新経済・財政再生計画改革工程表2020", "経済財政諮問会議"),
    }


def test_city_os_implemented_and_operated_in_18_regions_now(kg):
    """「現在18地域で実装・運営中」 is a status statement of the briefing (undated), not a KPI value."""
    rows = select(kg, """
        SELECT ?printed { ?s a sckg:StatusStatement ; rdf:value 18 ; sckg:asOf "現在"@ja ;
                             sckg:asPrinted ?printed }""")
    assert len(rows) == 1 and "現在18地域で実装・運営中" in rows[0]["printed"], f"現在18地域: {rows}"
    assert not select(kg, "SELECT ?o { ?k a sckg:KPI ; sckg:observation ?o . ?o rdf:value 18 }"), \
        "the status line must not be a KPI observation"


def test_undated_kpi_observation_year_is_attributed_to_project_curation(kg):
    """The briefing says 現在 (now) without a year; a fiscal year given to it is the project's.

    It has to be in the curated graph or the observation has to cite the project's curation.
    """
    rows = select(kg, f"""
        SELECT ?o ?year {{ ?o a sckg:KPIObservation ; sckg:asOf "現在"@ja ; sckg:observedFiscalYear ?year .
          FILTER NOT EXISTS {{ GRAPH {CURATED} {{ ?o sckg:observedFiscalYear ?year }} }}
          FILTER NOT EXISTS {{ ?o dcterms:source {SOURCE_CURATION} }}
        }}""")
    assert not rows, f"fiscal year assigned by the project but attributed to the briefing only: {rows}"


# -- The survey's three work items ----------------------------------------------------------------

def test_three_survey_work_items(kg):
    rows = select(kg, "SELECT ?n { ?w a sckg:SurveyWorkItem ; sckg:itemNumber ?n }")
    assert sorted(values(rows, "n")) == ["1", "2", "3"]


@pytest.mark.parametrize("number", sorted(SURVEY_FIGURES))
def test_survey_work_item_figures(kg, number):
    rows = select(kg, f"""
        SELECT ?value ?qualifier {{
          ?w a sckg:SurveyWorkItem ; sckg:itemNumber {number} ; sckg:figure ?f .
          ?f a sckg:SurveyFigure ; rdf:value ?value ; sckg:qualifier ?qualifier
        }}""")
    found = [(int(row["value"]), row["qualifier"]) for row in rows]
    assert sorted(found) == sorted(SURVEY_FIGURES[number]), f"work item {number}"


@pytest.mark.parametrize("number", sorted(SURVEY_WORDING))
def test_survey_work_item_description(kg, number):
    rows = select(kg, f"""
        SELECT ?d {{ ?w a sckg:SurveyWorkItem ; sckg:itemNumber {number} ; dcterms:description ?d
                     FILTER(LANG(?d) = "ja") }}""")
    assert len(rows) == 1, f"work item {number} needs one @ja description: {rows}"
    missing = [word for word in SURVEY_WORDING[number] if word not in rows[0]["d"]]
    assert not missing, f"work item {number}: description lacks {missing}"


# -- Identifiers and local governments ------------------------------------------------------------

def _check_digit(first_five: str) -> str:
    """Check digit of a 全国地方公共団体コード (weights 6..2, modulus 11)."""
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


def test_check_digit_helper():
    assert [_check_digit(c) for c in ("37201", "37205", "01000", "11000")] == ["3", "6", "6", "1"]


@pytest.mark.parametrize(("name", "code", "sac"), [
    ("高松市", "372013", "http://data.e-stat.go.jp/lod/sac/C37201"),
    ("観音寺市", "372056", "http://data.e-stat.go.jp/lod/sac/C37205"),
])
def test_municipality_code_and_estat_link(kg, name, code, sac):
    rows = select(kg, f"""
        SELECT ?code ?sac {{ ?m a sckg:Municipality ; rdfs:label {lit(name, 'ja')} ;
                             sckg:localGovernmentCode ?code ; sckg:standardAreaCode ?sac }}""")
    assert rows == [{"code": code, "sac": sac}]


def test_takamatsu_labels_in_three_languages(kg):
    rows = select(kg, """
        SELECT ?label (LANG(?label) AS ?lang) { ?m sckg:localGovernmentCode "372013" ; rdfs:label ?label }""")
    assert {row["lang"]: row["label"] for row in rows} == {
        "ja": "高松市", "ja-hrkt": "たかまつし", "en": "Takamatsu-shi"}


def test_47_prefectures(kg):
    rows = select(kg, """
        SELECT ?code ?iso {
          ?p a sckg:Prefecture ; sckg:localGovernmentCode ?code ; sckg:iso3166Code ?iso
        }""")
    assert len(rows) == 47
    wrong = [row for row in rows
             if not (len(row["code"]) == 6 and row["code"].isdigit() and row["code"][2:5] == "000"
                     and row["iso"] == f"JP-{row['code'][:2]}")]
    assert not wrong, f"prefecture codes must be 6 digits (NN000C) matching ISO 3166-2: {wrong}"


def test_hokkaido_code_010006(kg):
    rows = select(kg, """
        SELECT ?code ?iso ?en {
          ?p a sckg:Prefecture ; rdfs:label "北海道"@ja ; sckg:localGovernmentCode ?code ;
             sckg:iso3166Code ?iso ; rdfs:label ?en FILTER(LANG(?en) = "en")
        }""")
    assert rows == [{"code": "010006", "iso": "JP-01", "en": "Hokkaido"}]


def test_1919_municipalities(kg):
    """localgovjp's 1,916 and the three wards 浜松市 set up on 2024-01-01 (its seven old ones kept, ended)."""
    assert count(kg, "SELECT (COUNT(?m) AS ?n) { ?m a sckg:Municipality }") == 1916 + 3


def test_every_local_government_code_has_a_valid_check_digit(kg):
    rows = select(kg, "SELECT ?code { ?g sckg:localGovernmentCode ?code }")
    assert len(rows) == 1916 + 3 + 47
    wrong = [c for c in values(rows, "code")
             if not (len(c) == 6 and c.isdigit() and _check_digit(c[:5]) == c[5])]
    assert not wrong, f"codes with a wrong check digit: {wrong}"


def test_every_local_government_links_to_its_estat_area_code(kg):
    rows = select(kg, """
        SELECT ?code (GROUP_CONCAT(STR(?sac)) AS ?sacs) {
          ?g sckg:localGovernmentCode ?code . OPTIONAL { ?g sckg:standardAreaCode ?sac }
        } GROUP BY ?code""")
    wrong = [row for row in rows if row["sacs"] != f"http://data.e-stat.go.jp/lod/sac/C{row['code'][:5]}"]
    assert not wrong, f"exactly one e-Stat SAC link per local government expected: {wrong[:5]}"


def test_every_municipality_has_one_label_in_ja_ja_hrkt_and_en(kg):
    rows = select(kg, """
        SELECT ?m (GROUP_CONCAT(LANG(?l); separator=" ") AS ?langs) {
          ?m a sckg:Municipality ; rdfs:label ?l } GROUP BY ?m""")
    assert len(rows) == 1916 + 3
    wrong = [row for row in rows if sorted(row["langs"].split()) != ["en", "ja", "ja-hrkt"]]
    assert not wrong, f"municipalities without exactly one @ja, @ja-hrkt and @en label: {wrong[:5]}"


def test_every_municipality_lies_in_exactly_one_prefecture(kg):
    rows = select(kg, """
        SELECT ?m (COUNT(?p) AS ?n) {
          ?m a sckg:Municipality OPTIONAL { ?m sckg:prefecture ?p . ?p a sckg:Prefecture }
        }
        GROUP BY ?m HAVING (COUNT(?p) != 1)""")
    assert not rows


@pytest.mark.parametrize("cls", ["Prefecture", "Municipality"])
def test_local_governments_live_in_the_localgovjp_graph(kg, cls):
    rows = select(kg, f"""
        SELECT ?g (COUNT(?s) AS ?n) {{ GRAPH ?g {{ ?s a sckg:{cls} }}
          FILTER EXISTS {{ ?s dcterms:source <{BASE}/id/source/localgovjp> }} }} GROUP BY ?g""")
    assert [row["g"] for row in rows] == [LOCALGOVJP[1:-1]], f"sckg:{cls} by graph: {rows}"


def test_every_municipality_has_coordinates_and_a_web_site(kg):
    """Every municipality of localgovjp; not the three wards set up after it (no source gives them)."""
    rows = select(kg, GEO_PREFIX + """
        SELECT ?code { ?m a sckg:Municipality ; sckg:localGovernmentCode ?code
          FILTER NOT EXISTS { ?m geo:lat ?lat ; geo:long ?long ; foaf:homepage ?home } }""")
    assert sorted(values(rows, "code")) == ["221384", "221392", "221406"], (
        f"municipalities without coordinates or web site: {values(rows, 'code')[:5]}")


# -- Provenance and named graphs ------------------------------------------------------------------

def test_every_instance_of_every_sckg_class_has_a_source(kg):
    """sckg:SourceDocument is left out: it is what dcterms:source points at."""
    rows = select(kg, """
        SELECT DISTINCT ?s ?c { ?s a ?c
          FILTER(STRSTARTS(STR(?c), STR(sckg:)) && ?c != sckg:SourceDocument)
          FILTER NOT EXISTS { ?s dcterms:source ?src } }""")
    assert not rows, f"instances without dcterms:source: {rows[:5]}"


def test_every_cited_source_is_a_source_document(kg):
    """Services cite a web page besides their SourceDocument; every other source is a SourceDocument."""
    rows = select(kg, """
        SELECT DISTINCT ?s ?src { ?s a ?c ; dcterms:source ?src FILTER(STRSTARTS(STR(?c), STR(sckg:)))
          FILTER NOT EXISTS { ?src a sckg:SourceDocument }
          FILTER NOT EXISTS { ?s a sckg:SmartCityService } }""")
    assert not rows, f"sources that are not sckg:SourceDocument: {rows[:5]}"


def test_every_sckg_instance_has_exactly_one_ja_label(kg):
    rows = select(kg, """
        SELECT ?s (COUNT(DISTINCT ?l) AS ?n) {
          { SELECT DISTINCT ?s { ?s a ?c FILTER(STRSTARTS(STR(?c), STR(sckg:))) } }
          OPTIONAL { ?s rdfs:label ?l FILTER(LANG(?l) = "ja") }
        } GROUP BY ?s HAVING (COUNT(DISTINCT ?l) != 1)""")
    assert not rows, f"instances without exactly one rdfs:label@ja: {rows[:5]}"


@pytest.mark.parametrize("cls", BRIEFING_CLASSES)
def test_briefing_facts_live_in_the_briefing_graph(kg, cls):
    rows = select(kg, f"""
        SELECT ?s ?g ?cites {{ GRAPH ?g {{ ?s a sckg:{cls} }}
          BIND(EXISTS {{ ?s dcterms:source {SOURCE_BRIEFING} }} AS ?cites) }}""")
    assert rows, f"no sckg:{cls} at all"
    # A shared use the project reads from the briefing (長崎県's 21) is curated as a whole.
    curated = select(
        kg, f"SELECT ?s {{ GRAPH {CURATED} {{ ?s a sckg:{cls} ; sckg:curatedByProject true }} }}")
    rows = [row for row in rows if not (row["g"] == CURATED[1:-1] and row["s"] in values(curated, "s"))]
    wrong = [row for row in rows if row["g"] != BRIEFING[1:-1] or row["cites"] != "true"]
    assert not wrong, f"sckg:{cls} outside the briefing graph or not citing the briefing: {wrong[:5]}"


def test_briefing_graph_holds_no_curated_content(kg):
    rows = select(kg, f"""
        SELECT ?s {{ GRAPH {BRIEFING} {{ ?s ?p ?o }}
          FILTER(EXISTS {{ ?s sckg:curatedByProject true }}
                 || EXISTS {{ ?s dcterms:source {SOURCE_CURATION} }}) }}""")
    assert not rows, f"curated subjects in the briefing graph: {sorted(set(values(rows, 's')))}"


def test_briefing_does_not_list_regional_issues_or_services(kg):
    rows = select(kg, f"""
        SELECT ?s ?p ?o {{ GRAPH {BRIEFING} {{ ?s ?p ?o }}
          FILTER(?o IN (sckg:RegionalIssue, sckg:SmartCityService) || ?p = sckg:addressesIssue) }}""")
    assert not rows, "the document lists neither the 11 issues nor the services"
    cited = select(kg, f"SELECT ?i {{ ?i a sckg:RegionalIssue ; dcterms:source {SOURCE_BRIEFING} }}")
    assert not cited, f"regional issues presented as coming from the briefing: {values(cited, 'i')}"


def test_regional_issues_are_curated_and_live_in_the_curated_graph(kg):
    rows = select(kg, f"""
        SELECT ?i ?g ?curated ?cites ?official {{ GRAPH ?g {{ ?i a sckg:RegionalIssue }}
          BIND(EXISTS {{ GRAPH {CURATED} {{ ?i sckg:curatedByProject true }} }} AS ?curated)
          BIND(EXISTS {{ GRAPH {CURATED} {{ ?i dcterms:source {SOURCE_CURATION} }} }} AS ?cites)
          BIND(EXISTS {{ ?i dcterms:source ?doc FILTER(?doc NOT IN ({SOURCE_CURATION}, {SOURCE_BRIEFING})) }}
               AS ?official)
        }}""")
    assert rows, "no regional issues"
    # The project's own umbrella concepts (安全・安心) cite no official material: they group narrower
    # issues that do, and only that.
    umbrellas = {row["i"] for row in select(kg, f"""
        SELECT ?i {{ GRAPH {CURATED} {{ ?i a sckg:RegionalIssue ; skos:narrower ?n }}
          FILTER NOT EXISTS {{ ?i dcterms:source ?doc FILTER(?doc != {SOURCE_CURATION}) }} }}""")}
    assert umbrellas == {f"{BASE}/id/regional-issue/safety-security"}
    wrong = [row for row in rows if (row["g"], row["curated"], row["cites"], row["official"])
             != (CURATED[1:-1], "true", "true", "false" if row["i"] in umbrellas else "true")]
    assert not wrong, ("regional issues not curated, outside the curated graph or without an official "
                       f"source: {wrong}")


def test_regional_issue_scheme_is_curated(kg):
    rows = select(kg, f"""
        SELECT ?scheme {{ GRAPH {CURATED} {{ ?i a sckg:RegionalIssue ; skos:inScheme ?scheme .
                                             ?scheme sckg:curatedByProject true }} }}""")
    assert rows, "the regional-issue scheme is marked sckg:curatedByProject in the curated graph"


def test_service_issue_links_live_only_in_the_curated_graph(kg):
    rows = select(kg, f"""
        SELECT ?g ?s ?i ?basis ?issue ?service {{ GRAPH ?g {{ ?s sckg:addressesIssue ?i }}
          BIND(EXISTS {{ GRAPH {CURATED} {{ ?s sckg:issueMappingBasis ?b }} }} AS ?basis)
          BIND(EXISTS {{ ?i a sckg:RegionalIssue ; sckg:curatedByProject true }} AS ?issue)
          BIND(EXISTS {{ ?s a sckg:SmartCityService }} AS ?service)
        }}""")
    assert rows, "no service → issue links"
    wrong = [row for row in rows if (row["g"], row["basis"], row["issue"], row["service"])
             != (CURATED[1:-1], "true", "true", "true")]
    assert not wrong, f"service → issue links outside the curated graph or without basis: {wrong[:5]}"


def test_curated_graph_holds_only_curated_content(kg):
    rows = select(kg, f"""
        SELECT DISTINCT ?s ?p {{ GRAPH {CURATED} {{ ?s ?p ?o }}
          FILTER NOT EXISTS {{ GRAPH {CURATED} {{ ?s sckg:curatedByProject true }} }}
          FILTER(?p NOT IN (sckg:addressesIssue, sckg:issueMappingBasis,
                            sckg:approach, sckg:approachBasis, sckg:cityOS, sckg:sharedUse,
                            sckg:sharedUseBasis, sckg:status, sckg:statusBasis, skos:definition,
                            sckg:definitionBasis, sckg:serviceCategory, sckg:field, sckg:legalForm,
                            rdfs:label))  # rdfs:label: a Japanese name the project composed
          # A local government's kind and corporate number, with the basis of both.
          FILTER NOT EXISTS {{ GRAPH {CURATED} {{ ?s sckg:derivationBasis ?basis }} }} }}""")
    assert not rows, f"uncurated statements in the curated graph: {rows[:5]}"


# -- Sourced services (beyond the document) -------------------------------------------------------

def test_57_services_in_the_service_graph(kg):
    rows = select(kg, "SELECT ?g ?s { GRAPH ?g { ?s a sckg:SmartCityService } }")
    assert len(rows) == 57
    assert set(values(rows, "g")) == {SERVICES[1:-1]}


def test_services_cover_26_projects(kg):
    rows = select(kg, """
        SELECT DISTINCT ?code { ?s a sckg:SmartCityService ; sckg:project ?p . ?p a sckg:AdoptedProject ;
                                   dcterms:identifier ?code }""")
    assert len(rows) == 26
    assert set(PROJECTS) - set(values(rows, "code")) == PROJECTS_WITHOUT_SERVICES


def test_20_services_are_city_os_facts(kg):
    n = count(kg, 'SELECT (COUNT(?s) AS ?n) { ?s a sckg:SmartCityService ; sckg:serviceCategory "city-os" }')
    assert n == 20


def test_every_service_has_a_source_url_and_a_confidence(kg):
    rows = select(kg, """
        SELECT ?s (COUNT(DISTINCT ?url) AS ?urls) (COUNT(DISTINCT ?doc) AS ?docs)
               (GROUP_CONCAT(DISTINCT ?confidence) AS ?confidences) {
          ?s a sckg:SmartCityService .
          OPTIONAL { ?s dcterms:source ?url FILTER(isIRI(?url) && REGEX(STR(?url), "^https?://")
                                                   && NOT EXISTS { ?url a sckg:SourceDocument }) }
          OPTIONAL { ?s dcterms:source ?doc . ?doc a sckg:SourceDocument }
          OPTIONAL { ?s sckg:confidence ?confidence }
        } GROUP BY ?s""")
    assert len(rows) == 57
    wrong = [row for row in rows
             if row["urls"] != "1" or row["docs"] != "1"
             or row["confidences"] not in {"high", "medium", "low"}]
    assert not wrong, f"services without one source URL, one SourceDocument and one confidence: {wrong[:5]}"


def test_service_graph_does_not_restate_the_briefing(kg):
    rows = select(kg, f"""
        SELECT DISTINCT ?s {{ GRAPH {SERVICES} {{ ?s ?p ?o }}
          FILTER NOT EXISTS {{ GRAPH {SERVICES} {{ ?s a sckg:SmartCityService }} }} }}""")
    assert not rows, f"the service list states things about other resources: {values(rows, 's')[:5]}"


# -- Dataset description (VoID) -------------------------------------------------------------------

def _actual_counts(kg) -> dict[str, int]:
    rows = select(kg, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"]: int(row["n"]) for row in rows}


def test_void_describes_every_named_graph(kg):
    rows = select(kg, VOID_PREFIX + f"SELECT ?g {{ GRAPH {VOID_GRAPH} {{ ?subset sckg:namedGraph ?g }} }}")
    assert sorted(values(rows, "g")) == sorted(_actual_counts(kg))
    assert sorted(values(rows, "g")) == sorted(f"{BASE}/graph/{name}" for name in GRAPH_NAMES)


@pytest.mark.parametrize("name", GRAPH_NAMES)
def test_void_triples_of_graph_equal_actual_count(kg, name):
    rows = select(kg, VOID_PREFIX + f"""
        SELECT ?declared {{ GRAPH {VOID_GRAPH} {{ ?subset sckg:namedGraph <{BASE}/graph/{name}> ;
                                                          void:triples ?declared }} }}""")
    actual = _actual_counts(kg).get(f"{BASE}/graph/{name}")
    assert values(rows, "declared") == [str(actual)], f"graph {name}: void:triples vs {actual} triples"


def test_void_dataset_triples_equal_total(kg):
    rows = select(kg, VOID_PREFIX + f"""
        SELECT DISTINCT ?declared {{
          GRAPH {VOID_GRAPH} {{ ?d void:subset ?subset ; void:triples ?declared }}
        }}""")
    assert values(rows, "declared") == [str(sum(_actual_counts(kg).values()))]


def test_names_and_readings_the_project_composed_are_not_the_briefings(kg):
    """The briefing does not name a City OS 「高松市の都市OS」 nor spell out （株）: those are ours."""
    for subject, predicate in ((f"<{BASE}/id/city-os/372013-1>", "rdfs:label"),
                               (f"<{BASE}/id/budget/data-utilization/2017>", "rdfs:label"),
                               (f"<{BASE}/id/organization/kajima>", "sckg:legalForm")):
        graphs = values(select(kg, f"SELECT ?g {{ GRAPH ?g {{ {subject} {predicate} ?o "
                                           f"FILTER(LANG(?o) = 'ja') }} }}"), "g")
        assert graphs == [CURATED[1:-1]], (subject, predicate, graphs)
