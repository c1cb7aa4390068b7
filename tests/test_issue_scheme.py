"""The regional-issue scheme an analyst can query, and the services of more projects (issue 9, items 10-11).

* The scheme's concepts are related by SKOS (``skos:broader``/``narrower``, ``skos:related``,
  ``skos:closeMatch``) in the curated graph, each relation reified as a ``sckg:RegionalIssueRelation``
  carrying the project's basis; ``/api/services-for-issue`` follows narrower and matching concepts
  and takes any part of any label, so 健康 and 見守り find the services an analyst expects.
* ``data/source/service-implementations.csv`` holds the 57 sourced rows of
  ``../shared/data/service-implementations.csv``; R2b's outside title (スポーツ・働き方) stays on its
  service, beside the briefing's record of the project (fields 健康・医療), never merged into it.

The expected services below were checked by hand against ``issue_addressed_ja`` and
``service_name_ja`` in the CSV and the mapping in ``service-issues.csv``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import BASE, http, select

PROJECT_DIR = Path(__file__).resolve().parent.parent
SOURCE = PROJECT_DIR / "data" / "source"
ISSUE = f"{BASE}/id/regional-issue/"
CURATED = f"{BASE}/graph/curated"
SKOS_RELATIONS = ("broader", "narrower", "related", "closeMatch", "exactMatch")


def api(server, name: str, **params) -> list[dict]:
    response = http.get(f"{server}/api/{name}", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def services(rows: list[dict]) -> set[str]:
    return {r["service"].rsplit("/", 1)[1] for r in rows}


def pairs(rows: list[dict]) -> set[tuple[str, str]]:
    """(service key, issue key) of each row."""
    return {(r["service"].rsplit("/", 1)[1], r["issue"].removeprefix(ISSUE)) for r in rows}


# -- services-for-issue: labels, partial matches, the hierarchy ---------------------------------


# 健康 is part of 健康づくり, 医療・健康 (alt 健康・医療), 健康なまちづくり and 健康増進 (alt of
# 健康づくり); 医療・健康 has the narrower 医療 and 健康づくり (and 健康なまちづくり below it) and
# the close match ヘルスケア.
HEALTH = {
    "H29a-3": "medical-health",    # 観光・健康・雪・感染症 dashboards
    "H29b-1": "medical-health",    # 健康・生活: electronic maternal and child health handbook
    "H29c-1": "health-promotion",  # 健康(食事・運動の改善)
    "H29c-2": "health-promotion",  # 健康(超高齢化への対応)
    "R1a-2": "healthcare",         # ヘルスケアサービス (planned), new row
    "R1b-1": "medical-care",       # mobile clinic: 医療
    "R3a-2": "medical-care",       # 交通・医療アクセス
    "R3c-3": "medical-health",     # 防災・健康(医療機関・AED)
    "R3c-4": "medical-health",     # 防災・健康・観光
    "R3f-1": "medical-health",     # 健康・新産業創造
    "R3f-2": "health-promotion",   # 健康(健康長寿)
}
# 見守り is part of セキュリティ・見守り and 地域の防犯性向上（見守り） (alt 見守り).
WATCH = {
    "H29e-1": "security-watch",       # 見守りカメラ: 防犯・子どもや高齢者の見守り
    "H29e-2": "security-watch",       # 見守りタグ検知: 防犯・見守り
    "H30a-2": "neighbourhood-watch",  # 小学生見守り
    "R1c-1": "neighbourhood-watch",   # みまもりセンサー
    "R3g-1": "security-watch",        # 見守り・買物・移動
    "R3g-2": "neighbourhood-watch",   # 子ども見守り
}


def test_health_finds_the_health_services(server):
    rows = api(server, "services-for-issue", issue="健康")
    assert pairs(rows) == set(HEALTH.items())
    assert {r["projectCode"] for r in rows} == {"H29a", "H29b", "H29c", "R1a", "R1b", "R3a", "R3c", "R3f"}
    assert all(r["issueLabelIn"] == "健康" and r["sourceUrl"].startswith("http") for r in rows)


def test_watching_over_finds_the_watch_services(server):
    rows = api(server, "services-for-issue", issue="見守り")
    assert pairs(rows) == set(WATCH.items())
    assert {r["projectCode"] for r in rows} == {"H29e", "H30a", "R1c", "R3g"}


def test_any_label_in_any_language_part_or_whole(server):
    """skos:altLabel, English labels, case and partial matches all reach the same concepts."""
    assert services(api(server, "services-for-issue", issue="健康・医療")) == set(HEALTH)  # alt label
    assert services(api(server, "services-for-issue", issue="MEDICAL CARE AND HEALTH")) == set(HEALTH)
    assert services(api(server, "services-for-issue", issue="watching over")) == set(WATCH)
    assert services(api(server, "services-for-issue", issue="買い物支援")) == {"R1b-2", "R3g-1", "R3g-2"}
    assert api(server, "services-for-issue", issue="宇宙開発") == []


def test_narrower_concepts_are_followed(server):
    # 防災 includes its narrower 広域防災 (Takamatsu's shared platform, H29f-2 and H29f-3).
    disaster = api(server, "services-for-issue", issue=ISSUE + "disaster-prevention")
    assert {"H29f-2", "H29f-3"} <= services(disaster)
    assert {r["issue"].removeprefix(ISSUE) for r in disaster} == {
        "disaster-prevention", "wide-area-disaster-prevention"}
    # 防犯 includes 地域の防犯性向上（見守り）, but not セキュリティ・見守り (only skos:related).
    crime = api(server, "services-for-issue", issue=ISSUE + "crime-prevention")
    assert {r["issue"].removeprefix(ISSUE) for r in crime} == {"crime-prevention", "neighbourhood-watch"}
    assert "R3g-1" not in services(crime)
    # Two levels down: 医療・健康 > 健康づくり > 健康なまちづくり; and the close match ヘルスケア.
    health = api(server, "services-for-issue", issue=ISSUE + "medical-health")
    assert services(health) == set(HEALTH)
    # The project's umbrella 安全・安心 reaches 防災, 広域防災, 防犯, both 見守り concepts.
    safety = api(server, "services-for-issue", issue="安全")
    assert {r["issue"].removeprefix(ISSUE) for r in safety} == {
        "disaster-prevention", "wide-area-disaster-prevention", "crime-prevention", "neighbourhood-watch",
        "security-watch"}
    assert set(WATCH) <= services(safety)


def test_a_narrower_concept_does_not_reach_up(server):
    wide = api(server, "services-for-issue", issue="広域防災")
    assert services(wide) == {"H29f-2", "H29f-3"}
    assert services(api(server, "services-for-issue", issue="医療")) >= {"R1b-1", "R3a-2"}
    assert services(api(server, "services-for-issue", issue=ISSUE + "medical-care")) == {"R1b-1", "R3a-2"}


def test_issues_solved_by_service_follows_the_hierarchy_up(server):
    rows = api(server, "issues-solved-by-service", service=f"{BASE}/id/service/R1a-2")
    assert {(r["issue"].removeprefix(ISSUE), r["direct"], r["via"].removeprefix(ISSUE)) for r in rows} == {
        ("healthcare", True, "healthcare"), ("medical-health", False, "healthcare")}
    rows = api(server, "issues-solved-by-service", service=f"{BASE}/id/service/H30a-2")
    assert {r["issue"].removeprefix(ISSUE) for r in rows if r["direct"]} == {
        "crime-prevention", "transport", "neighbourhood-watch"}
    assert {r["issue"].removeprefix(ISSUE) for r in rows if not r["direct"]} == {
        "crime-prevention", "safety-security"}


def test_the_two_queries_are_inverses(server):
    for issue in ("健康", "見守り", "安全・安心"):
        for row in api(server, "services-for-issue", issue=issue):
            reached = api(server, "issues-solved-by-service", service=row["service"])
            assert row["issue"] in {r["via"] for r in reached if r["direct"]}


# -- the relations: curated, each with its basis -------------------------------------------------


def relation_rows() -> list[dict[str, str]]:
    with (SOURCE / "regional-issue-relations.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_relation_has_a_basis_in_the_curated_graph(kg):
    stated = select(kg, f"""
        SELECT ?g ?s ?p ?o WHERE {{
          GRAPH ?g {{ ?s ?p ?o FILTER(?p IN ({", ".join(f"skos:{r}" for r in SKOS_RELATIONS)})) }}
          ?s a sckg:RegionalIssue .
        }}""")
    assert stated and {r["g"] for r in stated} == {CURATED}
    reified = select(kg, f"""
        SELECT ?st ?s ?p ?o ?basis ?source ?curated WHERE {{
          GRAPH <{CURATED}> {{
            ?st a sckg:RegionalIssueRelation , rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ;
                rdf:object ?o ; sckg:relationBasis ?basis ; dcterms:source ?source ;
                sckg:curatedByProject ?curated .
          }}
        }}""")
    assert len(reified) == len(relation_rows()) == 13
    assert all(r["basis"].strip() and r["curated"] == "true" for r in reified)
    assert all(r["source"].endswith("/id/source/project-curation") for r in reified)
    inverse = {"broader": "narrower", "narrower": "broader"}
    described = {(r["s"], r["p"], r["o"]) for r in reified}
    skos = "http://www.w3.org/2004/02/skos/core#"
    for r in stated:
        name = r["p"].removeprefix(skos)
        backwards = (r["o"], skos + inverse.get(name, name), r["s"])
        assert (r["s"], r["p"], r["o"]) in described or backwards in described, r
    # Each described relation is stated, with its inverse.
    pairs = {(r["s"], r["p"], r["o"]) for r in stated}
    for s, p, o in described:
        name = p.removeprefix(skos)
        assert (s, p, o) in pairs and (o, skos + inverse.get(name, name), s) in pairs


def test_relations_match_the_csv(kg):
    expected = {(ISSUE + r["from"], r["relation"], ISSUE + r["to"]) for r in relation_rows()}
    rows = select(kg, "SELECT ?s ?p ?o WHERE { ?st a sckg:RegionalIssueRelation ; rdf:subject ?s ; "
                      "rdf:predicate ?p ; rdf:object ?o }")
    assert {(r["s"], r["p"].rsplit("#", 1)[1], r["o"]) for r in rows} == expected
    assert {r["relation"] for r in relation_rows()} <= {"broader", "related", "closeMatch", "exactMatch"}


def test_umbrella_is_the_projects_own_and_top_concepts_have_no_broader(kg):
    rows = select(kg, f"""
        SELECT ?source ?curated WHERE {{
          GRAPH <{CURATED}> {{
            <{ISSUE}safety-security> dcterms:source ?source ; sckg:curatedByProject ?curated
          }}
        }}""")
    assert {(r["source"].rsplit("/", 1)[1], r["curated"]) for r in rows} == {("project-curation", "true")}
    tops = select(kg, "SELECT ?c WHERE { ?scheme skos:hasTopConcept ?c "
                      "FILTER EXISTS { ?c skos:broader ?b } }")
    assert tops == []
    top = {r["c"].removeprefix(ISSUE) for r in select(
        kg, f"SELECT ?c WHERE {{ <{BASE}/id/scheme/regional-issue> skos:hasTopConcept ?c }}")}
    assert {"safety-security", "medical-health", "agriculture-forestry-fisheries"} <= top
    assert not top & {"disaster-prevention", "medical-care", "neighbourhood-watch", "agriculture"}


def test_every_mapping_has_a_basis(kg):
    rows = select(kg, f"""
        SELECT ?service (COUNT(?basis) AS ?n) WHERE {{
          GRAPH <{CURATED}> {{ ?service sckg:addressesIssue ?issue }}
          OPTIONAL {{ GRAPH <{CURATED}> {{ ?service sckg:issueMappingBasis ?basis }} }}
        }} GROUP BY ?service""")
    assert rows and all(int(r["n"]) >= 1 for r in rows)


# -- the 57 service rows -------------------------------------------------------------------------


def test_the_57_rows_are_loaded(kg):
    rows = select(kg, "SELECT ?s ?code WHERE { ?s a sckg:SmartCityService ; "
                      "sckg:project/dcterms:identifier ?code }")
    assert len(rows) == 57
    covered = {r["code"] for r in rows}
    assert len(covered) == 26
    projects = {r["code"] for r in select(
        kg, "SELECT ?code WHERE { ?p a sckg:AdoptedProject ; dcterms:identifier ?code }")}
    assert projects - covered == {"H29d", "R1e"}


@pytest.mark.parametrize(("service", "confidence", "url"), [
    ("R1a-1", "medium", "https://www.shinnihon-ins.co.jp/industry-news/industry-news-20191106-2/"),
    ("R1a-2", "medium", "https://www.shinnihon-ins.co.jp/industry-news/industry-news-20191106-2/"),
    ("R2b-1", "medium", "https://dempa-times.co.jp/administration/6613"),
    ("R3b-1", "medium", "http://kancho-t.com/"),
    ("H30b-1", "low", "https://smart-kyoto.or.jp/infomation/2th_data_katsuyosokushin/"),
])
def test_new_rows_keep_their_provenance_and_confidence(kg, service, confidence, url):
    rows = select(kg, f"""
        SELECT ?confidence ?url ?graph WHERE {{
          GRAPH ?graph {{ <{BASE}/id/service/{service}> sckg:confidence ?confidence ; dcterms:source ?url }}
          FILTER NOT EXISTS {{ ?url a sckg:SourceDocument }}
        }}""")
    graph = f"{BASE}/graph/service-implementations"
    assert [(r["confidence"], r["graph"]) for r in rows] == [(confidence, graph)]
    assert rows[0]["url"].startswith(url)


def test_the_project_csv_is_the_shared_csv_with_ids():
    shared = PROJECT_DIR.parent / "shared" / "data" / "service-implementations.csv"
    if not shared.is_file():
        pytest.skip("the shared reference data is not next to this checkout")
    with shared.open(encoding="utf-8", newline="") as f:
        theirs = list(csv.reader(f))
    with (SOURCE / "service-implementations.csv").open(encoding="utf-8", newline="") as f:
        ours = list(csv.reader(f))
    assert [row[1:] for row in ours] == theirs  # same rows, same order; ours adds service_id
    assert ours[0][0] == "service_id" and len(theirs) - 1 == 57


def test_r2b_keeps_the_briefings_fields_and_the_outside_title_beside_them(kg):
    fields = select(kg, f"""
        SELECT ?graph ?label WHERE {{
          GRAPH ?graph {{ <{BASE}/id/project/R2b> sckg:field ?field }}
          ?field rdfs:label ?label FILTER(LANG(?label) = "ja")
        }}""")
    assert {(r["graph"], r["label"]) for r in fields} == {(f"{BASE}/graph/briefing", "健康"),
                                                        (f"{BASE}/graph/briefing", "医療")}
    # Nothing gives R2b or its services the field スポーツ.
    sports = select(kg, f"""
        SELECT ?s WHERE {{
          {{ BIND(<{BASE}/id/project/R2b> AS ?s) }} UNION {{ ?s sckg:project <{BASE}/id/project/R2b> }}
          ?s sckg:field <{BASE}/id/field/sports>
        }}""")
    assert sports == []
    # The outside statement: on the service, in its own graph, with its source.
    (row,) = select(kg, f"""
        SELECT ?label ?url ?evidence WHERE {{
          GRAPH <{BASE}/graph/service-implementations> {{
            <{BASE}/id/service/R2b-1> rdfs:label ?label ; dcterms:source ?url ; sckg:evidence ?evidence .
          }}
          FILTER(LANG(?label) = "ja") FILTER NOT EXISTS {{ ?url a sckg:SourceDocument }}
        }}""")
    assert row["label"] == "データ利活用型「スポーツ・働き方」支援プラットフォーム"
    assert row["url"] == "https://dempa-times.co.jp/administration/6613"
    assert "does not match the recorded fields" in row["evidence"]
    in_briefing = f"SELECT ?p WHERE {{ GRAPH <{BASE}/graph/briefing> {{ <{BASE}/id/service/R2b-1> ?p ?o }} }}"
    assert select(kg, in_briefing) == []
    # The source names no issue: the service is mapped to none.
    assert select(kg, f"SELECT ?i WHERE {{ <{BASE}/id/service/R2b-1> sckg:addressesIssue ?i }}") == []
