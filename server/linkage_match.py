"""One cell or one parameter → the local government it names: by identifier first, else by name.

Codes and IRIs are looked up in the identifier table (``linkage_table``); anything else goes to the
gazetteer (``server.gazetteer.current().match``), whose ``match`` flag decides between matched and
ambiguous. Enrichment and the crosswalk share this, so a value resolves the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.gazetteer import Gazetteer

from .linkage_ids import Identifier, parse
from .linkage_table import Body, Table

#: The gazetteer types that are local governments.
BODY_TYPES = ("prefecture", "municipality", "ward")

MATCHED, AMBIGUOUS, NOT_FOUND = "matched", "ambiguous", "not found"


@dataclass
class Resolution:
    """What a value resolved to: a status, the body when matched, the candidates otherwise."""

    identifier: Identifier
    status: str
    body: Body | None = None
    score: float | None = None
    candidates: list[tuple[Body, float]] = field(default_factory=list)


def resolve(text: str, table: Table, gazetteer: Gazetteer, prefecture: str | None = None) -> Resolution:
    """Resolve ``text`` (a code, corporate number, e-Stat or our IRI, or a name) to a body.

    ``prefecture`` (a name, code or IRI) narrows a name to one prefecture, and codes too.
    """
    identifier = parse(text)
    if identifier.kind == "name":
        return _by_name(identifier, table, gazetteer, prefecture)
    if identifier.error:
        return Resolution(identifier, NOT_FOUND)
    if identifier.kind == "corporate-number":
        found = [b for b in [table.by_corporate_number.get(unicode_digits(text))] if b]
    else:
        found = [table.by_code[c] for c in identifier.codes if c in table.by_code]
    if prefecture and len(found) > 1:
        narrowed = [b for b in found if _in_prefecture(b, prefecture, table)]
        found = narrowed or found
    if len(found) == 1:
        return Resolution(identifier, MATCHED, found[0], 100.0)
    if found:
        return Resolution(identifier, AMBIGUOUS, None, 100.0, [(b, 100.0) for b in found])
    return Resolution(identifier, NOT_FOUND)


def unicode_digits(text: str) -> str:
    """The digits of ``text`` (full-width ones too), nothing else."""
    return "".join(str(int(c)) for c in text if c.isdecimal())


def _in_prefecture(body: Body, prefecture: str, table: Table) -> bool:
    pref = table.get(body.prefecture or body.iri)
    if pref is None:
        return False
    hint = prefecture.strip()
    def stem(name: str) -> str:  # 香川県 → 香川, 東京都 → 東京, 北海道 stays
        return name[:-1] if name.endswith(("都", "府", "県")) and len(name) > 2 else name

    return hint in (pref.iri, pref.lg_code, pref.lg_code[:2], pref.lg_code[:5]) \
        or hint in pref.names.values() or stem(hint) == stem(pref.names.get("ja", ""))


def _by_name(identifier: Identifier, table: Table, gazetteer: Gazetteer,
             prefecture: str | None) -> Resolution:
    text = identifier.text.strip()
    if not text:
        return Resolution(identifier, NOT_FOUND)
    candidates = [(table.get(c.entry.iri), c) for c in
                  gazetteer.match(text, prefecture=prefecture or None, types=BODY_TYPES)]
    candidates = [(b, c) for b, c in candidates if b is not None]
    sure = [(b, c) for b, c in candidates if c.match]
    if len(sure) == 1:
        body, candidate = sure[0]
        return Resolution(identifier, MATCHED, body, candidate.score)
    if candidates:
        best = max(c.score for _, c in candidates)
        return Resolution(identifier, AMBIGUOUS, None, best, [(b, c.score) for b, c in candidates])
    return Resolution(identifier, NOT_FOUND)
