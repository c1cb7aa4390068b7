"""Enrichment of a read CSV file: the columns to add to every row, from one resolution per value.

Separate from the HTTP layer (``server/linkage.py``) so the page and ``POST /api/enrich`` add the
same columns, and from the matching (``linkage_match``) so one rule decides matched/ambiguous.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from kg.gazetteer import Gazetteer

from .linkage_csv import CsvFile
from .linkage_match import AMBIGUOUS, MATCHED, NOT_FOUND, Resolution, resolve
from .linkage_table import Table

#: The columns added to each row, in order: name, and what it holds (ja, en) for the page.
COLUMNS = (
    ("sckgIri", "このデータセットの IRI", "our IRI"),
    ("sckgLgCode", "全国地方公共団体コード（6桁）", "local-government code (6 digits)"),
    ("sckgCorporateNumber", "法人番号（13桁。政令市の区にはない）",
     "corporate number (13 digits; none for a ward)"),
    ("sckgEstatIri", "e-Stat 標準地域コードの IRI", "e-Stat standard area code IRI"),
    ("sckgName", "正式名称", "official name"),
    ("sckgPrefecture", "都道府県", "prefecture"),
    ("sckgScore", "一致の度合い（0–100）", "match score (0–100)"),
    ("sckgStatus", "matched（一意に一致）/ ambiguous（候補が複数）/ not found（該当なし）",
     "matched (one answer) / ambiguous (several candidates) / not found"),
    ("sckgNote", "候補、廃止と後継、チェックディジットの誤り",
     "candidates, abolition and successor, check-digit errors"),
)
STATUSES = (MATCHED, AMBIGUOUS, NOT_FOUND)
_CANDIDATES_SHOWN = 5


class ColumnError(ValueError):
    """A column that the file does not have."""


@dataclass
class Enriched:
    """The added cells of every row (the header's first when there is one) and the counts by status."""

    added: list[list[str]]
    counts: Counter = field(default_factory=Counter)


def find_column(header: list[str], wanted: str, role: str = "column") -> int:
    """The 0-based index of ``wanted``: a header name (exactly, then ignoring case and spaces), else a
    1-based number.

    :raises ColumnError: naming the columns there are.
    """
    wanted = wanted.strip()
    for same in (lambda h: h == wanted, lambda h: h.strip().casefold() == wanted.casefold()):
        for index, name in enumerate(header):
            if same(name):
                return index
    if re.fullmatch(r"[0-9]+", wanted) and 1 <= int(wanted) <= len(header):
        return int(wanted) - 1
    listing = ", ".join(f"{i} '{name}'" for i, name in enumerate(header, start=1))
    raise ColumnError(f"no {role} '{wanted}' in the header; give a name or a number "
                      f"1–{len(header)}: {listing}")


def header_names(header: list[str]) -> list[str]:
    """The names of the added columns, with ``_2``… when the file has a column of that name already."""
    taken = set(header)
    names = []
    for name, *_ in COLUMNS:
        chosen, n = name, 2
        while chosen in taken:
            chosen, n = f"{name}_{n}", n + 1
        names.append(chosen)
        taken.add(chosen)
    return names


def enrich(file: CsvFile, column: int, table: Table, gazetteer: Gazetteer,
           prefecture_column: int | None = None, has_header: bool = True) -> Enriched:
    """The added cells for every row of ``file``: ``column`` names the body, ``prefecture_column``
    (optional) its prefecture. A repeated value is resolved once."""
    result = Enriched([])
    rows = file.records
    if has_header and rows:
        result.added.append(header_names(rows[0].cells))
        rows = rows[1:]
    seen: dict[tuple[str, str], list[str]] = {}
    for record in rows:
        value = record.cells[column] if column < len(record.cells) else ""
        pref = record.cells[prefecture_column] if prefecture_column is not None \
            and prefecture_column < len(record.cells) else ""
        key = (value, pref)
        if key not in seen:
            resolution = resolve(value, table, gazetteer, pref.strip() or None)
            seen[key] = cells(resolution, table)
        result.added.append(seen[key])
        result.counts[seen[key][7]] += 1
    return result


def cells(resolution: Resolution, table: Table) -> list[str]:
    """The added cells for one resolution, in the order of :data:`COLUMNS`."""
    body, score = resolution.body, resolution.score
    shown_score = "" if score is None else f"{score:g}"
    if body is None:
        note = resolution.identifier.error or "; ".join(
            f"{table.name(b.iri)}{' (' + table.name(b.prefecture) + ')' if b.prefecture else ''} {b.lg_code}"
            for b, _ in resolution.candidates[:_CANDIDATES_SHOWN])
        if len(resolution.candidates) > _CANDIDATES_SHOWN:
            note += f"; … {len(resolution.candidates)} candidates"
        return ["", "", "", "", "", "", shown_score, resolution.status, note]
    note = ""
    if body.dissolved:
        note = f"abolished {body.dissolved}"
        if body.successors:
            note += "; successor " + ", ".join(f"{table.name(s)} {table.get(s).lg_code}"
                                               for s in body.successors if table.get(s))
    return [body.iri, body.lg_code, body.corporate_number, body.estat_iri, table.name(body.iri),
            table.name(body.prefecture) if body.prefecture else table.name(body.iri),
            shown_score, resolution.status, note]
