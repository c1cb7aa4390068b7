"""Local-government codes (全国地方公共団体コード): six digits, the last a check digit.

Shared by the loader (a source cell) and the server (a request parameter).

>>> check_digit("37201"), check_digit("01000")
('3', '6')
>>> is_lg_code("372013"), is_lg_code("372014"), is_lg_code("37201")
(True, False, False)
"""

from __future__ import annotations

import re

_LG_CODE = re.compile(r"[0-9]{6}")


def check_digit(first_five: str) -> str:
    """Check digit of a local-government code (modulus 11, weights 6 5 4 3 2)."""
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


def is_lg_code(code: str) -> bool:
    """Whether ``code`` is six digits whose last is the check digit of the first five."""
    return bool(_LG_CODE.fullmatch(code)) and check_digit(code[:5]) == code[5]
