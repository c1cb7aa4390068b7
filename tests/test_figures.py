"""Issue 9, figures: the briefing's numbers as it states them, on the loaded store and through the API.

- Money (item 6): each programme's budget of a fiscal year (``B/id/budget/<program>/<year>``) has a
  ``schema:amount``, a ``sckg:BudgetAmount`` (``schema:MonetaryAmount``) in JPY with the figure as
  printed (「5.1億円」) and the place value of its last printed digit: a rounded figure, not exact yen.
- KPIs (item 2): the briefing names two; 「現在18地域で実装・運営中」 is a status statement (undated),
  and no observation is keyed ``current`` (item 8). 「300超」 is *more than*, not 以上.
- What the briefing says that the graph lacked (item 9): のべ28地域, the デジタル田園都市国家構想 /
  エリア・データ連携基盤（=都市OS） statement, the survey's purpose, the titles of its deliverables and
  the characteristics of the interviews (following the smart-city guidebook).
- Renamed IRIs keep resolving through ``data/source/iri-history.csv``.

The shape rules of item 7 (a fiscal year after FY2021, two projects with one identifier, a source
that is not an http(s) IRI) are refused by cases in ``tests/test_shapes.py`` (its coverage test
requires every shape message to have a case there); here the loaded data is checked against them.
"""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import http, select

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEED = PROJECT_DIR / "data" / "briefing" / "briefing.txt"  # the source document, kept in the repo
BASE = "https://w3id.org/smartcity-kg"
ID = f"{BASE}/id/"
SCHEMA = "PREFIX schema: <https://schema.org/>\n"
DOCUMENT_FISCAL_YEAR = 2021  # 令和３年度

# (programme id, fiscal year): (as printed, yen, adopted projects, code range as printed)
BUDGETS = {
    ("data-utilization", 2017): ("5.1億円", 510_000_000, 6, "H29 a～f"),
    ("data-utilization", 2018): ("2.5億円", 250_000_000, 3, "H30 a～c"),
    ("data-utilization", 2019): ("2.2億円", 220_000_000, 5, "R1 a～e"),
    ("data-utilization", 2020): ("2.2億円", 220_000_000, 5, "R2 a～e"),
    ("data-linkage", 2021): ("6.9億円", 690_000_000, 9, "R3 a～I"),
}
KPIS = {"都市OS（データ連携基盤）の導入数", "技術の実装をした自治体・地域団体数"}
# work item: {as printed: (value, qualifier)}
SURVEY_FIGURES = {
    1: {"15自治体": (15, "exact"), "３団体程度": (3, "about")},
    2: {"300超": (300, "more-than"), "11課題": (11, "exact")},
    3: {"３つのアプローチ": (3, "exact"), "今月9日と18日": (2, "exact")},
}
# work item: (title as printed, status as printed, characteristics as printed)
DELIVERABLES = {
    1: ("インタビュー記事（原稿）", "作成中",
        {"スマートシティ推進のキーマンの顔が見える", "「スマートシティ・ガイドブック」に沿った聞き取り",
         "なるべく多くの画像を入れて視覚的に訴求"}),
    2: ("地域課題を解決するためのスマートシティサービス事例集", "作成中", set()),
    3: ("スマートシティ都市OS(データ連携基盤)の共同利用に関する都道府県向け説明会資料", None, set()),
}
PURPOSE = ("本調査研究では、当該補助事業が果たしている成果やノウハウをとりまとめ、横展開するとともに、"
           "地域が抱える様々な課題の解決や地域活性化・地方創生を実現するためのスマートシティの在り方をとりまとめる")
DIGITAL_GARDEN_CITY = ("デジタル田園都市国家構想においても、"
                       "エリア・データ連携基盤（=都市OS）の構築が推進されている")
IN_OPERATION = "2017年度より都市OS構築にかかる補助事業を通じて各地の実装を支援。現在18地域で実装・運営中"
ADOPTED = "両補助事業での採択地域数はのべ28地域に至っている"


def lit(text: str, lang: str | None = None) -> str:
    """A SPARQL string literal (optionally language-tagged)."""
    return json.dumps(text, ensure_ascii=False) + (f"@{lang}" if lang else "")


def api_rows(server, name: str) -> list[dict]:
    """The JSON rows of a canned query through the API."""
    response = http.get(f"{server}/api/{name}", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


# -- Money ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("program", "year"), sorted(BUDGETS))
def test_budget_is_a_printed_amount_in_jpy(kg, program, year):
    printed, yen, adopted, code_range = BUDGETS[(program, year)]
    rows = select(kg, SCHEMA + f"""
        SELECT ?cls ?value (DATATYPE(?value) AS ?dt) ?currency ?printed ?precision ?adopted ?range {{
          <{ID}budget/{program}/{year}> a sckg:ProgramBudget ; sckg:fiscalYear {year} ;
              sckg:program <{ID}program/{program}> ; sckg:adoptedProjectCount ?adopted ;
              sckg:projectCodeRange ?range ; schema:amount ?amount .
          ?amount a sckg:BudgetAmount ; schema:value ?value ; schema:currency ?currency ;
              sckg:asPrinted ?printed ; sckg:precision ?precision .
          BIND(sckg:BudgetAmount AS ?cls)
        }}""")
    assert rows == [{"cls": "https://w3id.org/smartcity-kg/ontology#BudgetAmount", "value": str(yen),
                     "dt": "http://www.w3.org/2001/XMLSchema#integer", "currency": "JPY",
                     "printed": printed, "precision": "10000000", "adopted": str(adopted),
                     "range": code_range}]


def test_budget_labelled_with_the_tables_era_year(kg):
    """The table prints 「H29年度」…「R3年度」 and 「5.1億円」: the label keeps those words."""
    rows = select(kg, """SELECT ?label { ?b a sckg:ProgramBudget ; rdfs:label ?label
                                         FILTER(LANG(?label) = "ja") }""")
    eras = {2017: "H29", 2018: "H30", 2019: "R1", 2020: "R2", 2021: "R3"}
    assert {row["label"] for row in rows} == {f"{eras[y]}年度 予算額 {printed}"
                                              for (_, y), (printed, *_) in BUDGETS.items()}


def test_budget_amount_is_a_schema_monetary_amount(kg):
    rows = select(kg, """SELECT ?super { GRAPH ?g { sckg:BudgetAmount rdfs:subClassOf ?super } }""")
    assert {row["super"] for row in rows} == {"https://schema.org/MonetaryAmount"}


def test_printed_amount_and_value_agree(kg):
    """schema:value is the printed figure in yen: 「5.1億円」 → 510000000, precision 0.1億円."""
    rows = select(kg, SCHEMA + """
        SELECT ?printed ?value ?precision { ?a a sckg:BudgetAmount ; sckg:asPrinted ?printed ;
                                               schema:value ?value ; sckg:precision ?precision }""")
    assert len(rows) == len(BUDGETS)
    for row in rows:
        oku = Decimal(re.fullmatch(r"([0-9.]+)億円", row["printed"]).group(1))
        assert Decimal(row["value"]) == oku * 100_000_000, row
        assert Decimal(row["precision"]) == Decimal(100_000_000).scaleb(oku.as_tuple().exponent), row


def test_no_budget_keyed_by_year_alone(kg):
    rows = select(kg, "SELECT ?b { ?b a sckg:ProgramBudget }")
    assert sorted(row["b"] for row in rows) == sorted(f"{ID}budget/{p}/{y}" for p, y in BUDGETS)
    linked = select(kg, "SELECT DISTINCT ?b { ?p a sckg:AdoptedProject ; sckg:budget ?b }")
    assert {row["b"] for row in linked} == {f"{ID}budget/{p}/{y}" for p, y in BUDGETS}


def test_no_property_budget_yen_left(kg):
    rows = select(kg, "SELECT ?s { ?s sckg:budgetYen ?o } LIMIT 1")
    assert rows == []


def test_programs_by_year_through_the_api(server):
    answer = api_rows(server, "programs-by-year")
    columns = ("budgetAsPrinted", "budgetYen", "adoptedProjects", "projectCodeRange")
    got = {(r["program"].removeprefix(f"{ID}program/"), r["fiscalYear"]): tuple(r[c] for c in columns)
           for r in answer}
    assert got == BUDGETS
    assert {r["currency"] for r in answer} == {"JPY"}
    assert {r["budgetPrecisionYen"] for r in answer} == {10_000_000}
    by_year = sorted(BUDGETS, key=lambda key: key[1])
    assert [r["budget"] for r in answer] == [f"{ID}budget/{p}/{y}" for p, y in by_year]


def test_programs_by_year_says_amounts_are_rounded():
    text = (PROJECT_DIR / "queries" / "programs-by-year.rq").read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#+"))
    assert "丸めた数値" in header and "rounded figures" in header and "not exact yen" in header


# -- KPIs and status statements -----------------------------------------------------------------

def test_the_briefing_names_two_kpis(kg):
    rows = select(kg, """SELECT ?label { ?k a sckg:KPI ; rdfs:label ?label FILTER(LANG(?label) = "ja") }""")
    assert {row["label"] for row in rows} == KPIS
    assert len(rows) == 2


def test_both_kpis_set_by_the_reform_schedule_2020(kg):
    rows = select(kg, f"""
        SELECT ?label {{ ?k a sckg:KPI ; rdfs:label ?label ; dcterms:source <{ID}source/koutei-2020> ;
                            sckg:targetValue 100 ; sckg:targetFiscalYear 2025
                            FILTER(LANG(?label) = "ja") }}""")
    assert {row["label"] for row in rows} == KPIS


def test_no_observation_keyed_current(kg):
    rows = select(kg, "SELECT ?o { ?k sckg:observation ?o }")
    assert [row["o"] for row in rows] == [f"{ID}kpi/city-os-introductions/observation/fy2019-end"]
    # only the iri-history graph may still name the old IRI (owl:sameAs its replacement)
    assert not select(kg, f"""SELECT ?s {{ ?s ?p ?o FILTER(STRENDS(STR(?s), "/current")
                                                      && STRSTARTS(STR(?s), "{ID}"))
                                    FILTER(?p != <http://www.w3.org/2002/07/owl#sameAs>) }} LIMIT 1""")


def test_kpi_progress_lists_the_two_kpis_only(server):
    answer = api_rows(server, "kpi-progress")
    assert {r["kpiLabel"] for r in answer} == KPIS
    assert 18 not in {r.get("observed") for r in answer}


def test_18_regions_now_is_an_undated_status_statement(kg):
    rows = select(kg, f"""
        SELECT ?s ?value ?unit ?asOf ?year {{
          ?s a sckg:StatusStatement ; sckg:asPrinted {lit(IN_OPERATION, 'ja')} ;
             rdf:value ?value ; sckg:unit ?unit ; sckg:asOf ?asOf ; dcterms:source <{ID}source/briefing> .
          OPTIONAL {{ ?s sckg:observedFiscalYear|sckg:fiscalYear ?year }}
        }}""")
    assert rows == [{"s": f"{ID}status-statement/city-os-in-operation", "value": "18", "unit": "地域",
                     "asOf": "現在", "year": None}]


def test_status_statement_is_a_schema_observation(kg):
    rows = select(kg, """SELECT ?super { GRAPH ?g { sckg:StatusStatement rdfs:subClassOf ?super } }""")
    assert {row["super"] for row in rows} == {"https://schema.org/Observation"}


def test_adopted_regions_28_counted_once_per_adoption(kg):
    """のべ28地域: the briefing's own figure, about both programmes, equal to the adopted projects."""
    rows = select(kg, SCHEMA + f"""
        SELECT ?value ?unit (GROUP_CONCAT(STR(?program); separator=" ") AS ?programs) {{
          ?s a sckg:StatusStatement ; sckg:asPrinted {lit(ADOPTED, 'ja')} ; rdf:value ?value ;
             sckg:unit ?unit ; schema:observationAbout ?program .
        }} GROUP BY ?value ?unit""")
    assert len(rows) == 1
    assert (rows[0]["value"], rows[0]["unit"]) == ("28", "地域")
    assert set(rows[0]["programs"].split()) == {f"{ID}program/data-utilization", f"{ID}program/data-linkage"}
    projects = select(kg, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?p a sckg:AdoptedProject }")
    assert projects[0]["n"] == rows[0]["value"]
    adopted = select(kg, "SELECT (SUM(?c) AS ?n) { ?b a sckg:ProgramBudget ; sckg:adoptedProjectCount ?c }")
    assert adopted[0]["n"] == rows[0]["value"]


def test_digital_garden_city_statement_and_area_data_platform(kg):
    printed = lit(DIGITAL_GARDEN_CITY, "ja")
    rows = select(kg, f"""SELECT ?s {{ ?s a sckg:StatusStatement ; sckg:asPrinted {printed} ;
                                         dcterms:source <{ID}source/briefing> ; sckg:sourceSection ?section
                                         FILTER(CONTAINS(?section, "p.9")) }}""")
    assert len(rows) == 1
    alt = select(kg, "SELECT ?alt { GRAPH ?g { sckg:CityOS skos:altLabel ?alt } }")
    assert [row["alt"] for row in alt] == ["エリア・データ連携基盤"]


# -- The survey ----------------------------------------------------------------------------------

@pytest.mark.parametrize("number", sorted(SURVEY_FIGURES))
def test_survey_figures_as_printed(kg, number):
    rows = select(kg, f"""
        SELECT ?printed ?value ?qualifier {{
          ?w sckg:itemNumber {number} ; sckg:figure ?f .
          ?f rdf:value ?value ; sckg:qualifier ?qualifier ; sckg:asPrinted ?printed }}""")
    assert {row["printed"]: (int(row["value"]), row["qualifier"]) for row in rows} == SURVEY_FIGURES[number]


def test_more_than_is_strictly_more_not_at_least(kg):
    """「300超」: the qualifier's definition says 超 (strictly greater), and nothing says 以上 of it."""
    rows = select(kg, """SELECT ?d { GRAPH ?g { sckg:qualifier skos:definition ?d } }""")
    definitions = {row["d"] for row in rows}
    assert any("超" in d and "以上ではない" in d for d in definitions), definitions
    assert any("strictly greater" in d for d in definitions), definitions
    texts = [PROJECT_DIR / "ontology" / "smartcity.ttl", PROJECT_DIR / "ontology" / "shapes.ttl",
             PROJECT_DIR / "docs" / "model.md", *(PROJECT_DIR / "data" / "source").glob("survey*.csv")]
    for path in texts:
        text = path.read_text(encoding="utf-8")
        assert "300以上" not in text and "300+" not in text and "at least 300" not in text, path


def test_survey_project_purpose_and_parts(kg):
    rows = select(kg, f"""
        SELECT ?label ?n {{ ?s a sckg:SurveyProject ; rdfs:label ?label ; sckg:purpose {lit(PURPOSE, 'ja')} ;
                               dcterms:hasPart/sckg:itemNumber ?n FILTER(LANG(?label) = "ja") }}""")
    assert {row["label"] for row in rows} == {"令和３年度総務省スマートシティ調査事業"}
    assert sorted(int(row["n"]) for row in rows) == [1, 2, 3]


@pytest.mark.parametrize("number", sorted(DELIVERABLES))
def test_deliverable_titles_as_printed(kg, number):
    title, status, characteristics = DELIVERABLES[number]
    rows = select(kg, SCHEMA + f"""
        SELECT ?status ?characteristic {{
          ?w sckg:itemNumber {number} ; sckg:deliverable ?d .
          ?d a sckg:Deliverable ; dcterms:title {lit(title, 'ja')} ; dcterms:source <{ID}source/briefing> .
          OPTIONAL {{ ?d schema:creativeWorkStatus ?status }}
          OPTIONAL {{ ?d sckg:characteristic ?characteristic }}
        }}""")
    assert rows, f"work item {number}: no deliverable titled {title}"
    assert {row["status"] for row in rows} == {status}
    assert {row["characteristic"] for row in rows} - {None} == characteristics


def test_printed_words_are_the_briefings():
    """Everything this module expects as printed occurs in the briefing (line breaks ignored)."""
    flat = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    printed = [PURPOSE, DIGITAL_GARDEN_CITY, IN_OPERATION, ADOPTED, *KPIS]
    printed += [p for p, *_ in BUDGETS.values()]
    printed += [p for figures in SURVEY_FIGURES.values() for p in figures]
    printed += [t for t, _, c in DELIVERABLES.values() for t in (t, *c)]
    printed += [s for _, s, _ in DELIVERABLES.values() if s]
    printed += [r.replace(" ", "") for *_, r in BUDGETS.values()]
    missing = [text for text in printed if re.sub(r"\s+", "", text) not in flat]
    assert not missing


def test_japanese_labels_of_the_figures_are_printed_words(kg):
    """Labels of figures, statements, deliverables and amounts in the briefing graph are its words."""
    flat = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    rows = select(kg, f"""
        SELECT ?s ?label {{ GRAPH <{BASE}/graph/briefing> {{
          VALUES ?cls {{ sckg:SurveyFigure sckg:StatusStatement sckg:Deliverable sckg:SurveyProject
                         sckg:BudgetAmount }}
          ?s a ?cls ; rdfs:label ?label FILTER(LANG(?label) = "ja") }} }}""")
    assert len(rows) == 6 + 3 + 3 + 1 + 5
    assert [row for row in rows if re.sub(r"\s+", "", row["label"]) not in flat] == []


# -- Dated facts, identifiers and sources in the loaded data ------------------------------------

def test_no_fact_of_the_briefing_dated_after_its_fiscal_year(kg):
    rows = select(kg, f"""
        SELECT ?s ?p ?year {{ ?s dcterms:source <{ID}source/briefing> ; ?p ?year .
          FILTER(STRSTARTS(STR(?p), STR(sckg:)) && STRENDS(LCASE(STR(?p)), "fiscalyear")
                 && ?p != sckg:targetFiscalYear && ?year > {DOCUMENT_FISCAL_YEAR}) }}""")
    assert rows == []
    targets = select(kg, "SELECT ?y { ?k a sckg:KPI ; sckg:targetFiscalYear ?y }")
    assert {row["y"] for row in targets} == {"2025"}, "KPI targets are after FY2021 and are accepted"


def test_fiscal_year_rule_lists_every_dated_fact_property():
    """The shape's UNION: every sckg:...FiscalYear property of the ontology but the target."""
    from rdflib import RDF, Namespace
    from rdflib.namespace import OWL

    from loader.validate import ontology, shapes

    sckg = Namespace("https://w3id.org/smartcity-kg/ontology#")
    declared = {p for p in ontology().subjects(RDF.type, OWL.DatatypeProperty)
                if str(p).startswith(str(sckg)) and str(p).lower().endswith("fiscalyear")}
    query = next(str(q) for q in shapes().objects(None, None)
                 if "cannot state a fact of a later fiscal year" in str(q))
    shape = next(s for s in shapes().subjects(None, None)
                 if any(query == str(m) for m in shapes().objects(s, None)))
    select_text = str(next(shapes().objects(shape, Namespace("http://www.w3.org/ns/shacl#").select)))
    listed = {sckg[name] for name in re.findall(r"\{ \?value sckg:(\w+) \?year", select_text)}
    assert listed == declared - {sckg.targetFiscalYear}


def test_every_project_identifier_is_unique(kg):
    rows = select(kg, """SELECT ?code (COUNT(?p) AS ?n)
                         { ?p a sckg:AdoptedProject ; dcterms:identifier ?code }
                         GROUP BY ?code HAVING (COUNT(?p) > 1)""")
    assert rows == []


def test_every_source_is_an_http_iri(kg):
    rows = select(kg, """SELECT ?s ?src { ?s dcterms:source ?src
                                          FILTER(!isIRI(?src) || !REGEX(STR(?src), "^https?://")) }
                         LIMIT 5""")
    assert rows == []


# -- Renamed IRIs --------------------------------------------------------------------------------

def _history() -> list[dict[str, str]]:
    with open(PROJECT_DIR / "data" / "source" / "iri-history.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["old", "new", "changed", "reason"]
        return list(reader)


@pytest.mark.parametrize("old", ["budget/2017", "budget/2018", "budget/2019", "budget/2020", "budget/2021",
                                 "kpi/subsidised-city-os-in-operation",
                                 "kpi/subsidised-city-os-in-operation/observation/current"])
def test_renamed_iri_is_recorded_and_gone(kg, old):
    rows = [row for row in _history() if row["old"] == old]
    assert len(rows) == 1, f"{old} has no iri-history row"
    # owl:sameAs <new> is what the iri-history graph states of an old IRI; nothing else may.
    assert not select(kg, f"""SELECT ?p {{ <{ID}{old}> ?p ?o
                                         FILTER(?p != <http://www.w3.org/2002/07/owl#sameAs>) }}
                              LIMIT 1"""), \
        f"{old} is still minted"
    new = rows[0]["new"]
    assert select(kg, f"SELECT ?p {{ <{ID}{new}> a ?p }} LIMIT 1"), f"{new} does not exist"


def test_every_phrase_claimed_as_printed_is_in_the_briefing(kg):
    """Whatever the briefing graph quotes (as printed, as stated, purpose, rationale, the work items'
    bullets) occurs in the briefing's text, line breaks and spaces ignored."""
    flat = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    rows = select(kg, f"""
        SELECT ?text {{ GRAPH <{BASE}/graph/briefing> {{
          ?s ?p ?text FILTER(?p IN (sckg:asPrinted, sckg:statusAsStated, sckg:purpose, sckg:rationale,
                                     dcterms:description) && LANG(?text) = "ja") }} }}""")
    assert len(rows) > 60
    quoted = [part for row in rows for part in row["text"].split("／")]
    missing = [q for q in quoted if re.sub(r"\s+", "", q).rstrip("※") not in flat.replace("※", "")]
    assert not missing, missing
