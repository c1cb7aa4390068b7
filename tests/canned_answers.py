"""The answers of the canned queries recorded before they were made portable (issue 12).

The five queries that called the project's SPARQL extension functions (``sckgfn:normalize``,
``sckgfn:eraLabel``, ``sckgfn:eraLabelJa``) now use standard SPARQL 1.1 only, over keys the loader
stores (graph ``search-keys``). ``tests/data/canned-answers.json`` holds what ``/api`` answered
for :data:`URLS` with the extension functions, recorded by running this module on a store loaded
by that code::

    python tests/canned_answers.py /tmp/store > tests/data/canned-answers.json

``tests/test_portable_queries.py`` asserts that today's queries answer the same rows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
BASE = "https://w3id.org/smartcity-kg"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Search terms of tests/test_api.py and tests/test_queries.py, and more of the same kinds:
#: kanji, kana, romaji, full and half width, a prefecture prefix, codes, short and common words.
SEARCH_TERMS = (
    "カンオンジ", "ｶﾝｵﾝｼﾞ", "かんおんじ", "kanonji", "Kan'onji", "KAN'ONJI", "Kannonji", "Kanōnji",
    "香川県観音寺市", "香川県 観音寺", "観音寺", "8000020372056", "高松", "たかまつ", "takamatsu",
    "TAKAMATSU-SHI", "ＴＡＫＡＭＡＴＳＵ", "H29f", "h29F", "372013", "防災", "札幌市　北区", "北区",
    "浜松", "はままつ", "Hamamatsu", "東京都", "東京都千代田区", "tokyo", "Tōkyō", "府中", "港区", "minato",
    "檜原村", "桧原村", "髙松", "龍ケ崎", "Semboku", "sendai", "大阪府", "osaka", "city os", "CityOS",
    "見守り", "tourism", "kanagawa", "北海道札幌市", "Sapporo-shi Kita-ku", "市", "a", "ー", "1",
    "Disaster prevention", "データ連携", "スマートシティ", "香川", "香川県", "kagawa-ken",
)

#: Parameter values of the other four queries' label parameters and of the era columns.
OTHER_URLS = (
    "/api/projects?field=tourism", "/api/projects?field=Tourism", "/api/projects?field=ぼうさい",
    "/api/projects?field=ＤＩＳＡＳＴＥＲ　ＰＲＥＶＥＮＴＩＯＮ", "/api/projects?field=存在しない分野",
    "/api/projects?field=防災", "/api/projects?field=観光", "/api/projects?field=health care",
    "/api/projects?fiscalYear=R3&field=防災", "/api/projects?fiscalYear=2019",
    "/api/services-for-issue?issue=ＣＡＲＥ", "/api/services-for-issue?issue=care",
    "/api/services-for-issue?issue=TOURISM", "/api/services-for-issue?issue=観光対策",
    "/api/services-for-issue?issue=買物支援", "/api/services-for-issue?issue=交通",
    "/api/services-for-issue?issue=けんこう", "/api/services-for-issue?issue=・",
    "/api/services-for-issue?issue=no such issue",
    f"/api/issues-solved-by-service?service={BASE}/id/service/R1c-2",
    "/api/issues-solved-by-service?service=ライティング防災アラートシステム",
    "/api/issues-solved-by-service?service=LIGHTING DISASTER-ALERT SYSTEM ON MIZUNOTE BRIDGE",
    "/api/issues-solved-by-service?service=lighting disaster alert system on mizunote bridge",
    "/api/issues-solved-by-service?service=no such service",
)


def example_urls() -> list[str]:
    """Every ``#+ examples:`` URL of every canned query."""
    sys.path.insert(0, str(QUERY_DIR.parent))
    from server.queries import load_folder

    return [url for query in load_folder(QUERY_DIR).values() for url in query.examples]


def urls() -> list[str]:
    """The recorded URLs: the examples, the search terms, the other parameter values."""
    from urllib.parse import quote

    found = example_urls() + [f"/api/search?q={quote(q)}" for q in SEARCH_TERMS] + list(OTHER_URLS)
    return list(dict.fromkeys(found))


def term(binding: dict | None) -> str | None:
    """One term of SPARQL results JSON in Turtle form (``"5.1"^^xsd:decimal``, ``"高松市"@ja``;
    a simple literal without a datatype), None when unbound."""
    if binding is None:
        return None
    if binding["type"] == "uri":
        return f"<{binding['value']}>"
    if binding["type"] == "bnode":
        return f"_:{binding['value']}"
    text = json.dumps(binding["value"], ensure_ascii=False)
    if "xml:lang" in binding:
        return f"{text}@{binding['xml:lang']}"
    datatype = binding.get("datatype", XSD + "string")
    if datatype == XSD + "string":
        return text
    return f"{text}^^xsd:{datatype[len(XSD):]}" if datatype.startswith(XSD) else f"{text}^^<{datatype}>"


def table(results: dict) -> dict:
    """SPARQL results JSON as {"columns": [...], "rows": [[term or None, ...], ...]}, in order."""
    columns = results["head"]["vars"]
    return {"columns": columns,
            "rows": [[term(row.get(c)) for c in columns] for row in results["results"]["bindings"]]}


def answers(client) -> dict[str, dict]:
    """URL → its answer as :func:`table` (asked as ``format=srj``, so every term keeps its datatype
    or language) from a Flask test client; a non-200 answer is an error."""
    out = {}
    for url in urls():
        response = client.get(url + ("&" if "?" in url else "?") + "format=srj")
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        out[url] = table(response.get_json())
    return out


def dump(recorded: dict[str, dict], out) -> None:
    """Write answers as JSON with one row per line (small, and readable in a diff)."""
    out.write("{\n")
    for i, (url, answer) in enumerate(sorted(recorded.items())):
        rows = ",\n".join("   " + json.dumps(row, ensure_ascii=False) for row in answer["rows"])
        out.write(f' {json.dumps(url, ensure_ascii=False)}: {{"columns": '
                  f'{json.dumps(answer["columns"])}, "rows": [\n{rows}\n ]}}'
                  + ("," if i < len(recorded) - 1 else "") + "\n")
    out.write("}\n")


if __name__ == "__main__":
    sys.path.insert(0, str(QUERY_DIR.parent))
    from server.app import create_app

    app = create_app({"STORE": sys.argv[1], "TESTING": True, "CACHE": False})
    dump(answers(app.test_client()), sys.stdout)
