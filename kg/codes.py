"""Local-government codes (全国地方公共団体コード) and the corporate numbers (法人番号) derived from them.

Shared by the loader (a source cell) and the server (a request parameter).

A local-government code is six digits, the last a check digit of the first five:

>>> check_digit("37201"), check_digit("01000")
('3', '6')
>>> is_lg_code("372013"), is_lg_code("372014"), is_lg_code("37201")
(True, False, False)

A local public body's corporate number is a check digit and a twelve-digit base number,
``000020`` followed by its local-government code (National Tax Agency; check digit by
法人番号の指定等に関する省令 (平成26年財務省令第70号) 第2条):

>>> corporate_number("130001")  # 東京都
'8000020130001'
>>> corporate_number("010006"), corporate_number("011002")  # 北海道, 札幌市
('7000020010006', '9000020011002')
>>> corporate_number("372013"), corporate_number("221384")  # 高松市, 浜松市中央区
('1000020372013', '1000020221384')
>>> is_corporate_number("8000020130001"), is_corporate_number("7000020130001")
(True, False)
"""

from __future__ import annotations

import re

_LG_CODE = re.compile(r"[0-9]{6}")
_FIRST_FIVE = re.compile(r"[0-9]{5}")
_CORPORATE_NUMBER = re.compile(r"[1-9][0-9]{12}")

LOCAL_PUBLIC_BODY_PREFIX = "000020"
"""The first six digits of a local public body's twelve-digit base number (基礎番号)."""


def check_digit(first_five: str) -> str:
    """Check digit of a local-government code (modulus 11, weights 6 5 4 3 2).

    :raises ValueError: when ``first_five`` is not five ASCII digits.
    """
    if not _FIRST_FIVE.fullmatch(first_five):
        raise ValueError(f"'{first_five}' is not the five digits of a local-government code")
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


def is_lg_code(code: str) -> bool:
    """Whether ``code`` is six digits whose last is the check digit of the first five."""
    return bool(_LG_CODE.fullmatch(code)) and check_digit(code[:5]) == code[5]


def corporate_check_digit(base: str) -> str:
    """Check digit of a 12-digit base number: 9 - (Σ Pn×Qn mod 9), Pn the nth digit from the right, Qn 1 or 2.

    >>> corporate_check_digit("000020130001")
    '8'
    """
    if not re.fullmatch(r"[0-9]{12}", base):
        raise ValueError(f"'{base}' is not a 12-digit base number")
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(base), start=1))
    return str(9 - total % 9)


def corporate_number(lg_code: str) -> str:
    """The 13-digit corporate number (法人番号) of the local public body with code ``lg_code``."""
    if not is_lg_code(lg_code):
        raise ValueError(f"'{lg_code}' is not a local-government code")
    base = LOCAL_PUBLIC_BODY_PREFIX + lg_code
    return corporate_check_digit(base) + base


def is_corporate_number(number: str) -> bool:
    """Whether ``number`` is 13 digits whose first is the check digit of the other twelve."""
    return bool(_CORPORATE_NUMBER.fullmatch(number)) and corporate_check_digit(number[1:]) == number[0]
