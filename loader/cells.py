"""Typed readers for CSV cells: each returns a checked value or raises a located SourceError."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from kg import fiscal
from kg.codes import check_digit

from .csvsource import Row

_LG_CODE = re.compile(r"[0-9]{6}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def text(row: Row, column: str) -> str:
    """A non-empty cell."""
    value = row[column]
    if not value:
        raise row.error(column, f"'{column}' is required")
    return value


def optional(row: Row, column: str) -> str | None:
    """A cell that may be empty (None then)."""
    return row.cells.get(column) or None


def integer(row: Row, column: str, minimum: int | None = None) -> int:
    """A whole number, at least ``minimum`` when given."""
    value = text(row, column)
    if not re.fullmatch(r"-?[0-9]+", value):
        raise row.error(column, f"'{value}' is not a whole number")
    number = int(value)
    if minimum is not None and number < minimum:
        raise row.error(column, f"{number} is below the minimum {minimum}")
    return number


def decimal(row: Row, column: str) -> Decimal:
    """A non-negative decimal number such as 5.1."""
    value = text(row, column)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise row.error(column, f"'{value}' is not a number") from None
    if not number.is_finite() or number < 0:
        raise row.error(column, f"'{value}' is not a non-negative number")
    return number


def fiscal_year(row: Row, column: str) -> int:
    """A Western fiscal year within the range the graph accepts."""
    value = text(row, column)
    if not re.fullmatch(r"[0-9]{4}", value) or int(value) not in fiscal.RANGE:
        raise row.error(
            column,
            f"fiscal year '{value}' is out of range "
            f"({fiscal.RANGE.start}–{fiscal.RANGE.stop - 1}, Western year)",
        )
    return int(value)


def optional_fiscal_year(row: Row, column: str) -> int | None:
    """A fiscal year, or None for an empty cell."""
    return fiscal_year(row, column) if row[column] else None


def lg_code(row: Row, column: str, value: str | None = None) -> str:
    """A local-government code with a correct check digit."""
    value = text(row, column) if value is None else value
    if not _LG_CODE.fullmatch(value):
        raise row.error(column, f"local-government code '{value}' must be 6 digits")
    if check_digit(value[:5]) != value[5]:
        raise row.error(
            column,
            f"local-government code '{value}' has a wrong check digit "
            f"(expected {value[:5]}{check_digit(value[:5])})",
        )
    return value


def choice(row: Row, column: str, allowed: Collection[str], what: str | None = None) -> str:
    """A cell whose value must be one of ``allowed``."""
    value = text(row, column)
    if value not in allowed:
        raise row.error(column, _unknown(what or column, value, allowed))
    return value


def choices(row: Row, column: str, allowed: Collection[str], what: str | None = None) -> list[str]:
    """A space-separated, non-empty list of values each in ``allowed``."""
    values = text(row, column).split()
    for value in values:
        if value not in allowed:
            raise row.error(column, _unknown(what or column, value, allowed))
    return values


def _unknown(what: str, value: str, allowed: Iterable[str]) -> str:
    allowed = sorted(allowed)
    shown = ", ".join(allowed[:8]) + (", …" if len(allowed) > 8 else "")
    return f"unknown {what} '{value}' (known: {shown})"


def slug(row: Row, column: str) -> str:
    """An identifier usable in an IRI path: lower-case letters, digits and hyphens."""
    value = text(row, column)
    if not _SLUG.fullmatch(value):
        raise row.error(column, f"'{value}' must be lower-case letters, digits and hyphens")
    return value


def boolean(row: Row, column: str) -> bool:
    """``true`` or ``false``."""
    return choice(row, column, ("true", "false")) == "true"


def coordinate(row: Row, column: str, limit: int) -> Decimal | None:
    """A latitude or longitude in degrees, or None for an empty cell."""
    if not row[column]:
        return None
    number = Decimal(row[column]) if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", row[column]) else None
    if number is None or abs(number) > limit:
        raise row.error(column, f"'{row[column]}' is not a coordinate within ±{limit}°")
    return number


def iri(row: Row, column: str) -> str | None:
    """An absolute http(s) IRI, or None for an empty cell."""
    value = row[column]
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[\s<>\"{}|\\^`]", value):
        raise row.error(column, f"'{value}' is not an absolute http(s) IRI")
    return value


def iso_date(row: Row, column: str) -> date | None:
    """A YYYY-MM-DD date, or None for an empty cell."""
    value = row[column]
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise row.error(column, f"'{value}' is not a date (YYYY-MM-DD)") from None


def unique(rows: Iterable[Row], column: str, key=None) -> None:
    """Refuse a second row with the same key in ``column``."""
    seen: dict[str, int] = {}
    for row in rows:
        value = key(row) if key else row[column]
        if value in seen:
            raise row.error(column, f"duplicate key '{value}' (first on row {seen[value]})")
        seen[value] = row.number
