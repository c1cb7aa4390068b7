"""Japanese fiscal years and their era labels: the one place that knows 令和 and 平成.

A fiscal year is named by its Western year (FY2021 = April 2021 – March 2022) or by its era
label (R3, 令和3年度; the first year of an era is 元年). The loader reads Western years and project
codes (H29a, R3i); the API accepts any spelling; the canned queries print both forms.

>>> parse("令和元年度"), parse("H29"), parse("ｒ３"), parse("FY2021"), parse("R"), parse("H32")
(2019, 2017, 2021, 2021, None, None)
>>> era_label(2021), era_label_ja(2019), era_label_ja(2017)
('R3', '令和元年度', '平成29年度')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Fiscal years the graph and the API accept.
RANGE = range(2000, 2101)


@dataclass(frozen=True)
class Era:
    """One era: its letter, its name, the Western year before its first, its last year number."""

    letter: str
    name: str
    offset: int  # year n of the era is offset + n
    last: int | None  # the highest year number in use (None: the current era)


#: Newest first. 平成31年度 (= FY2019) is in common use, so 平成 counts to 31 for fiscal years.
ERAS = (Era("R", "令和", 2018, None), Era("H", "平成", 1988, 31))
_BY_KEY = {key: era for era in ERAS for key in (era.letter, era.name)}

_SPELLING = re.compile(r"(?:FY)?(?:(?P<western>[0-9]{4})|(?P<letter>[RH])(?P<n1>元|[0-9]{1,2})"
                       r"|(?P<era>令和|平成)(?P<n2>元|[0-9]{1,2}))(?:年度|年)?", re.IGNORECASE)
#: The spellings ``parse`` accepts, as a JSON Schema pattern (for the OpenAPI document).
PATTERN = r"^(FY)?([0-9]{4}|[RHrh](元|[0-9]{1,2})|(令和|平成)(元|[0-9]{1,2}))(年度|年)?$"
#: What ``parse`` accepts, for error messages and documentation.
EXAMPLES = "2021, R3, 令和3年度, 令和元年度, H29"


def from_era(key: str, number: int) -> int | None:
    """The Western year of year ``number`` of the era named by ``key`` (R, 令和, H, 平成), or None.

    >>> from_era("H", 29), from_era("令和", 1), from_era("H", 32)
    (2017, 2019, None)
    """
    era = _BY_KEY.get(key.upper())
    if era is None or number < 1 or (era.last is not None and number > era.last):
        return None
    return era.offset + number


def parse(text: str) -> int | None:
    """The Western fiscal year of ``text`` in any accepted spelling; None when it is none."""
    match = _SPELLING.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    if match["western"]:
        return int(match["western"])
    number = match["n1"] or match["n2"]
    return from_era(match["letter"] or match["era"], 1 if number == "元" else int(number))


def _era_of(year: int) -> tuple[Era, int]:
    for era in ERAS:
        if year > era.offset:
            return era, year - era.offset
    raise ValueError(f"fiscal year {year} is before {ERAS[-1].name}")


def era_label(year: int) -> str:
    """The short era label of a Western fiscal year: 2021 → R3."""
    era, number = _era_of(year)
    return f"{era.letter}{number}"


def era_label_ja(year: int) -> str:
    """The Japanese era label of a Western fiscal year: 2021 → 令和3年度, 2019 → 令和元年度."""
    era, number = _era_of(year)
    return f"{era.name}{'元' if number == 1 else number}年度"
