"""Reading what people write for a body's identifier: codes with or without check digit, corporate
numbers, e-Stat area-code IRIs, our IRIs; and finding the bodies they name.

Kept apart from HTTP so that enrichment (one cell at a time, never an error) and the crosswalk
(one parameter, a 400 for a wrong check digit) read identifiers the same way.

>>> parse("372056").kind, parse("37205").codes, parse("0372056").kind
('lg-code', ('372056',), 'name')
>>> parse("1100").codes   # 01100 with the zero Excel dropped: Sapporo, 011002
('011002',)
>>> parse("372055").error
'372055 is not a local-government code: the check digit of 37205 is 6 (did you mean 372056?)'
>>> parse("C37205").codes, parse("http://data.e-stat.go.jp/lod/sac/C37205-19990401").kind
(('372056',), 'estat')
>>> parse("https://w3id.org/smartcity-kg/id/municipality/372056").codes
('372056',)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kg import codes

_ESTAT = re.compile(r"(?:https?://data\.e-stat\.go\.jp/lod/sac/|sac:)?C([0-9]{5})(?:-[0-9]{8})?", re.I)
_OUR_PATH = re.compile(r"(?:^|/)(?:id|page|data)/(?:municipality|prefecture)/([0-9]{6})(?:\.[a-z]+)?")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Identifier:
    """What a text was read as: its kind, the six-digit codes it may stand for, or why it is wrong."""

    text: str
    kind: str                      # lg-code, lg-code-5, corporate-number, estat, iri, name
    codes: tuple[str, ...] = ()    # candidate local-government codes (more than one: ambiguous)
    error: str = ""                # a wrong check digit, with the corrected code
    suggestion: str = ""           # the corrected identifier, when there is one


def _five(first_five: str) -> str:
    return first_five + codes.check_digit(first_five)


def parse(text: str) -> Identifier:
    """Read ``text`` as an identifier of a body; kind ``name`` when it is none."""
    value = unicodedata.normalize("NFKC", text).strip()
    compact = re.sub(r"[\s\-]", "", value)
    if _DIGITS.fullmatch(compact):
        return _digits(text, compact)
    if match := _ESTAT.fullmatch(value):
        return Identifier(text, "estat", (_five(match.group(1)),))
    if (match := _OUR_PATH.search(value)) and value.startswith(
            ("http://", "https://", "/", "municipality/", "prefecture/")):
        return _checked(text, "iri", match.group(1))
    return Identifier(text, "name")


def _checked(text: str, kind: str, code: str) -> Identifier:
    """A six-digit code, or the error that says which check digit it should have."""
    if codes.is_lg_code(code):
        return Identifier(text, kind, (code,))
    right = _five(code[:5])
    suggestion = text.strip().replace(code, right) if code in text else right
    return Identifier(text, kind, error=f"{code} is not a local-government code: the check digit of "
                                        f"{code[:5]} is {right[5]} (did you mean {suggestion}?)",
                      suggestion=suggestion)


def _digits(text: str, digits: str) -> Identifier:
    """Codes in digits: six with a check digit, five without, four or five that lost a leading zero
    in a spreadsheet, thirteen for a corporate number."""
    if len(digits) == 6:
        return _checked(text, "lg-code", digits)
    if len(digits) == 13:
        if codes.is_corporate_number(digits):
            base = digits[1:]
            found = (base[6:],) if base.startswith(codes.LOCAL_PUBLIC_BODY_PREFIX) \
                and codes.is_lg_code(base[6:]) else ()
            return Identifier(text, "corporate-number", found)
        right = codes.corporate_check_digit(digits[1:]) + digits[1:]
        return Identifier(text, "corporate-number",
                          error=f"{digits} is not a corporate number: the check digit of {digits[1:]} is "
                                f"{right[0]} (did you mean {right}?)", suggestion=right)
    if len(digits) == 5:  # five without check digit, or six that lost its leading zero
        found = [_five(digits)]
        if codes.is_lg_code("0" + digits):
            found.append("0" + digits)
        return Identifier(text, "lg-code-5", tuple(found))
    if len(digits) == 4:  # 01100: five without check digit that lost its leading zero
        return Identifier(text, "lg-code-5", (_five("0" + digits),))
    return Identifier(text, "name")
