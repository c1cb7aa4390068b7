"""The variant sheet (tests/data/name-variants.csv): names written the ways people write them,
matched against the gazetteer of the loaded data.

Top-1 accuracy must be at least 98 %, and ``match: true`` may only ever go to the expected body:
never to a candidate of an ambiguous name, to a name that names nothing, or to a wrong body.
The expected answers come from the reference data (tests/data/make_name_variants.py).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.gazetteer import Gazetteer
from server.gazetteer import ENTRIES, _entries

SHEET = Path(__file__).parent / "data" / "name-variants.csv"
MIN_ACCURACY = 0.98


@pytest.fixture(scope="module")
def gazetteer(kg) -> Gazetteer:
    """The gazetteer the server builds, from the session's store."""
    result = kg.query(ENTRIES)
    rows = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))["results"]["bindings"]
    return Gazetteer(_entries(rows))


def sheet() -> list[dict[str, str]]:
    with open(SHEET, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def verdict(gazetteer: Gazetteer, row: dict[str, str]) -> tuple[bool, str | None]:
    """(top-1 right, what a wrong ``match: true`` went to) for one row of the sheet."""
    found = gazetteer.match(row["input"], prefecture=row["prefecture_hint"] or None)
    matched = [c for c in found if c.match]
    expected = row["expected"]
    if expected == "none":
        right = not matched
    elif expected == "ambiguous":
        right = not matched and len(found) >= 2
    else:
        right = bool(found) and found[0].entry.code == expected
    wrong = next((c.entry.code or c.entry.iri for c in matched if c.entry.code != expected), None)
    return right, wrong


def test_the_sheet_is_big_and_varied():
    rows = sheet()
    assert len(rows) >= 300
    kinds = Counter(r["kind_of_variant"] for r in rows)
    for kind in ("kanji", "katakana, suffix dropped", "half-width katakana, suffix dropped",
                 "hiragana reading", "romaji, suffix dropped", "romaji with macrons, -shi/-cho/-mura",
                 "romaji, n before a vowel: hyphen", "romaji, n before a vowel: nn",
                 "romaji, English suffix",
                 "prefecture prefixed", "ward with city", "ward without city", "異体字", "ヶ/ケ",
                 "LG code, 5 digits without check digit", "corporate number", "spaces of both widths around"):
        assert kinds[kind] > 0, kind
    assert any("'" in r["input"] for r in rows) and any("ō" in r["input"] for r in rows)
    assert sum(r["expected"] == "ambiguous" for r in rows) >= 20
    assert sum(r["expected"] == "none" for r in rows) >= 5
    kanji = [r for r in rows if r["kind_of_variant"] == "kanji"]
    prefectures = {r["expected"][:2] for r in kanji if r["expected"].isdigit()}
    assert len(prefectures) == 47


def test_top1_accuracy_and_no_wrong_match(gazetteer):
    rows = sheet()
    failures, wrong_matches = [], []
    for row in rows:
        right, wrong = verdict(gazetteer, row)
        if not right:
            top = gazetteer.match(row["input"], prefecture=row["prefecture_hint"] or None)[:3]
            failures.append(f"{row['input']!r} hint={row['prefecture_hint']!r} expected {row['expected']} "
                            f"({row['kind_of_variant']}); got "
                            f"{[(c.entry.code, c.entry.label, c.score, c.match) for c in top]}")
        if wrong:
            wrong_matches.append(f"{row['input']!r} → match: true on {wrong}, expected {row['expected']}")
    accuracy = 1 - len(failures) / len(rows)
    print(f"\n{len(rows)} rows, top-1 accuracy {accuracy:.2%}, {len(failures)} failures:")
    print("\n".join(failures))
    assert not wrong_matches, "\n".join(wrong_matches)
    assert accuracy >= MIN_ACCURACY, f"top-1 accuracy {accuracy:.2%} < {MIN_ACCURACY:.0%}"
