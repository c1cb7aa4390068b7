"""Japanese fiscal years and their era labels: the one place that knows 令和 and 平成.

A fiscal year is named by its Western year (FY2021 = April 2021 – March 2022) or by its era
label (R3, 令和3年度; the first year of an era is 元年). The loader reads Western years and project
codes (H29a, R3i); the API accepts any spelling; the canned queries print both forms; the SPARQL
functions of ``kg/sparql_functions.py`` call what is here.

A *date* and a *fiscal year* are named differently around an era's change. A date's era year
follows the day the era began: 2019-04-30 is 平成31年, 2019-05-01 is 令和元年. A fiscal year takes
the era in force for most of it: FY2019 (April 2019 – March 2020) is 令和元年度 in common use, and
平成31年度 (its name in budgets passed before May 2019) is accepted when parsing.

>>> parse("令和元年度"), parse("H29"), parse("ｒ３"), parse("FY2021"), parse("R"), parse("H32")
(2019, 2017, 2021, 2021, None, None)
>>> era_label(2021), era_label_ja(2019), era_label_ja(2017)
('R3', '令和元年度', '平成29年度')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

#: Fiscal years the graph and the API accept.
RANGE = range(2000, 2101)


@dataclass(frozen=True)
class Era:
    """One era: its letter, its name, the Western year before its first, its last year number,
    and its first day (for dates; fiscal years go by ``offset``)."""

    letter: str
    name: str
    offset: int  # year n of the era is offset + n
    last: int | None  # the highest year number in use (None: the current era)
    first_day: date


#: Newest first. 平成31年度 (= FY2019) is in common use, so 平成 counts to 31 for fiscal years.
ERAS = (Era("R", "令和", 2018, None, date(2019, 5, 1)), Era("H", "平成", 1988, 31, date(1989, 1, 8)))
_BY_KEY = {key: era for era in ERAS for key in (era.letter, era.name)}
#: Fiscal years that have an era label here, and whose label ``parse`` reads back: 平成元年度 (1989)
#: to 令和99年度 (2117).
LABELLED = range(ERAS[-1].offset + 1, ERAS[0].offset + 100)
#: Japan Standard Time: a time stamp with an offset falls on its day in Japan.
JST = timezone(timedelta(hours=9), "JST")

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
    if year not in LABELLED:
        raise ValueError(f"fiscal year {year} has no era label here ({LABELLED.start}–{LABELLED.stop - 1})")
    for era in ERAS:
        if year > era.offset:
            return era, year - era.offset
    raise AssertionError("LABELLED starts with the oldest era")  # pragma: no cover


def _number(number: int) -> str:
    return "元" if number == 1 else str(number)


def era_label(year: int) -> str:
    """The short era label of a Western fiscal year: 2021 → R3.

    :raises ValueError: for a year outside :data:`LABELLED`.
    """
    era, number = _era_of(year)
    return f"{era.letter}{number}"


def era_label_ja(year: int) -> str:
    """The Japanese era label of a Western fiscal year: 2021 → 令和3年度, 2019 → 令和元年度.

    :raises ValueError: for a year outside :data:`LABELLED`.
    """
    era, number = _era_of(year)
    return f"{era.name}{_number(number)}年度"


# --- dates ---------------------------------------------------------------------------------------

def of_date(day: date) -> int:
    """The fiscal year ``day`` falls in (April to March).

    >>> of_date(date(2022, 3, 31)), of_date(date(2022, 4, 1))
    (2021, 2022)
    """
    return day.year if day.month >= 4 else day.year - 1


def era_of_date(day: date) -> tuple[Era, int]:
    """The era in force on ``day`` and its year number (by the era's first day, not its fiscal year).

    :raises ValueError: for a day before the oldest era here (平成, 1989-01-08).
    """
    for era in ERAS:
        if day >= era.first_day:
            return era, day.year - era.offset
    raise ValueError(f"{day} is before {ERAS[-1].name} ({ERAS[-1].first_day})")


def era_year_ja(day: date) -> str:
    """The era year of a day, in Japanese: the change of era on 2019-05-01 shows.

    >>> era_year_ja(date(2019, 4, 30)), era_year_ja(date(2019, 5, 1)), era_year_ja(date(2020, 1, 1))
    ('平成31年', '令和元年', '令和2年')

    :raises ValueError: for a day before 平成 (1989-01-08).
    """
    era, number = era_of_date(day)
    return f"{era.name}{_number(number)}年"


_ISO_DATE = re.compile(r"(?P<date>-?[0-9]{4,}-[0-9]{2}-[0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?")
_ISO_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
                            r"(?:Z|[+-][0-9]{2}:[0-9]{2})?")
_ERA_DATE = re.compile(r"(?P<era>令和|平成|[RH])(?P<n>元|[0-9]{1,2})(?:年|[./-])(?P<m>[0-9]{1,2})(?:月|[./-])"
                       r"(?P<d>[0-9]{1,2})日?", re.IGNORECASE)


def parse_date(text: str) -> date | None:
    """The day ``text`` names, or None: an xsd:date (its time zone ignored: a date is a day where it
    was written), an xsd:dateTime (with an offset: the day in Japan), or a Japanese era date.

    An era date must fall within its era: 平成31年4月30日 is a day, 平成31年5月1日 is not.

    >>> parse_date("2022-03-31"), parse_date("2022-03-31+09:00"), parse_date("2022-03-31T20:00:00Z")
    (datetime.date(2022, 3, 31), datetime.date(2022, 3, 31), datetime.date(2022, 4, 1))
    >>> parse_date("令和元年5月1日"), parse_date("H31.4.30"), parse_date("平成31年5月1日")
    (datetime.date(2019, 5, 1), datetime.date(2019, 4, 30), None)
    >>> parse_date("2022-02-30"), parse_date("1989-01-07T12:00:00"), parse_date("2021")
    (None, datetime.date(1989, 1, 7), None)
    """
    text = unicodedata.normalize("NFKC", text).strip()
    try:
        if match := _ISO_DATE.fullmatch(text):
            return date.fromisoformat(match["date"])
        if _ISO_DATE_TIME.fullmatch(text):
            moment = datetime.fromisoformat(text)
            return (moment.astimezone(JST) if moment.tzinfo else moment).date()
        if match := _ERA_DATE.fullmatch(text):
            era = _BY_KEY[match["era"].upper()]
            number = 1 if match["n"] == "元" else int(match["n"])
            day = date(era.offset + number, int(match["m"]), int(match["d"]))
            return day if number >= 1 and era_of_date(day) == (era, number) else None
    except (ValueError, OverflowError):  # no such day (2022-02-30, month 13, before 平成, past 9999)
        return None
    return None
