"""What the renderers share: escaping, number formatting, the frame with its text alternative, colours.

>>> attrs(cls="mark project", data_code="H29a", r=2.5)
' class="mark project" data-code="H29a" r="2.5"'
>>> num(3.0), num(2.456)
('3', '2.46')
>>> era(2019, "ja"), era(2017, "ja"), era(2021, "en")
('R1', 'H29', 'FY2021')
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

#: Fiscal-year colours (Okabe–Ito, distinguishable with the common colour-vision deficiencies),
#: assigned in order of year from the first year shown.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000")

_ID = re.compile(r"[^A-Za-z0-9_-]")


def num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def attrs(**values) -> str:
    """XML attributes from keywords (``cls`` → class, ``data_x`` → data-x, ``_`` → ``-``); None skipped."""
    out = []
    for key, value in values.items():
        if value is None:
            continue
        name = "class" if key == "cls" else key.rstrip("_").replace("_", "-")
        if isinstance(value, float):
            value = num(value)
        out.append(f" {name}={quoteattr(str(value))}")
    return "".join(out)


def text(value: str) -> str:
    """Character data, escaped."""
    return escape(str(value))


def safe_id(value: str) -> str:
    """An XML id made of the characters ids may hold."""
    return _ID.sub("-", value)


def era(year: int, lang: str) -> str:
    """A fiscal year's short label: the era form in Japanese (H29, R1), FY2021 in English."""
    if lang != "ja":
        return f"FY{year}"
    return f"R{year - 2018}" if year >= 2019 else f"H{year - 1988}"


def year_colours(years) -> dict[int, str]:
    """A colour per fiscal year, in order of year."""
    return {year: PALETTE[i % len(PALETTE)] for i, year in enumerate(sorted(set(years)))}


def frame(ident: str, width: float, height: float, title: str, desc: str, body: str,
          cls: str = "", lang: str | None = None) -> str:
    """The ``<svg>`` element around ``body``: viewBox, role="img", title and desc for assistive technology."""
    ident = safe_id(ident)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg"{attrs(viewBox=f"0 0 {num(width)} {num(height)}")}'
        f'{attrs(width=num(width), height=num(height), cls=("kg-svg " + cls).strip(), role="img", lang=lang)}'
        f'{attrs(aria_labelledby=f"{ident}-title {ident}-desc", id=ident)}'
        ' font-family="\'Noto Sans CJK JP\', \'Noto Sans JP\', system-ui, sans-serif">'
        f'<title id="{ident}-title">{text(title)}</title><desc id="{ident}-desc">{text(desc)}</desc>'
        f"{body}</svg>"
    )
