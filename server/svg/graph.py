"""Shared use of City OS as a graph: each owner → the municipalities that use its City OS.

Layout (deterministic, no JavaScript): owners in a column on the left, ordered by code; the users
of each owner in a column on the right, ordered by code, one row each; the owner sits at the middle
of its users' rows. An edge's colour and dash give the sharing approach (ア/イ/ウ); its arrowhead is
filled when a source states the sharing and hollow when it is the project's reading (curated).

>>> svg = graph_svg([Edge("372013", "高松市", "372056", "丸亀市", "ア", False),
...                  Edge("372013", "高松市", "373877", "綾川町", "ア", True)], lang="ja")
>>> svg.count('class="mark edge"'), svg.count('class="node owner"'), svg.count('data-curated="true"')
(2, 1, 1)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .common import attrs, frame, num, text

#: Approach notation → (colour, dash array); an edge without an approach is grey and solid.
STYLES = {"ア": ("#0072B2", None), "イ": ("#E69F00", "8 4"), "ウ": ("#009E73", "2 3")}
NONE_STYLE = ("#6b7280", None)
LEGEND_STATED = ("説明資料が示す共同利用（※）", "Shared use the briefing states (※)")
LEGEND_CURATED = ("プロジェクトの解釈（curated：説明資料は明示していない）",
                  "The project’s reading (curated: not stated by the briefing)")


@dataclass(frozen=True)
class Edge:
    """One shared use: ``owner`` (the City OS's owner) is used by ``user``."""

    owner_code: str
    owner_label: str
    user_code: str
    user_label: str
    approach: str | None = None  # ア / イ / ウ
    curated: bool = False  # the project's reading, not a source's statement
    since: int | None = None
    owner_note: str = ""  # a second line under the owner's name (e.g. "導入予定")


def graph_svg(edges, approaches=(), lang: str = "ja", width: int = 640, title: str | None = None,
              desc: str | None = None, ident: str = "kg-graph") -> str:
    """The graph as an ``<svg>`` element.

    :param edges: :class:`Edge` s; each is drawn once (``class="mark edge"``).
    :param approaches: (notation, label) of every approach of the scheme, for the legend (the
        ones without an edge are listed too, so the legend shows the whole scheme).
    """
    ja = lang == "ja"
    edges = sorted(edges, key=lambda e: (e.owner_code, e.user_code))
    by_owner: dict[str, list[Edge]] = defaultdict(list)
    for e in edges:
        by_owner[e.owner_code].append(e)
    approaches = list(approaches) or [(n, n) for n in sorted({e.approach for e in edges if e.approach})]
    has_curated = any(e.curated for e in edges)

    row, gap = 21.0, 18.0
    owner_x, user_x = width * 0.34, width * 0.66
    legend_rows = len(approaches) + (2 if edges else 0)
    top = 18 + legend_rows * 20 + 34
    out: list[str] = []

    # Legend: one line per approach, then the arrowheads.
    out.append('<g class="legend" font-size="12.5" fill="#1b1f23">')
    y = 22.0
    for notation, label in approaches:
        colour, dash = STYLES.get(notation, NONE_STYLE)
        out.append(f'<line{attrs(x1=10, x2=50, y1=num(y - 4), y2=num(y - 4), stroke=colour)}'
                   f' stroke-width="2.5"{attrs(stroke_dasharray=dash)}/>')
        out.append(f'<text{attrs(x=58, y=num(y))}>{text(notation)}　{text(label)}</text>')
        y += 20
    if edges:
        for hollow, words in ((False, LEGEND_STATED), (True, LEGEND_CURATED)):
            out.append(f'<line{attrs(x1=10, x2=40, y1=num(y - 4), y2=num(y - 4))} stroke="#1b1f23" '
                       'stroke-width="1.5"/>')
            out.append(_arrow(46, y - 4, "#1b1f23", hollow=hollow))
            out.append(f'<text{attrs(x=58, y=num(y))}>{text(words[0] if ja else words[1])}</text>')
            y += 20
    out.append("</g>")

    y = float(top)
    nodes: list[str] = []
    lines: list[str] = []
    for owner_code in sorted(by_owner):
        group = by_owner[owner_code]
        first_y = y + row / 2
        oy = first_y + (len(group) - 1) * row / 2
        owner = group[0]
        for i, e in enumerate(group):
            uy = first_y + i * row
            colour, dash = STYLES.get(e.approach or "", NONE_STYLE)
            end = user_x - 9
            mid = (owner_x + end) / 2
            d = (f"M{num(owner_x + 7)} {num(oy)}C{num(mid)} {num(oy)} {num(mid)} {num(uy)} "
                 f"{num(end - 8)} {num(uy)}L{num(end - 1)} {num(uy)}")
            tip = f"{e.owner_label} → {e.user_label}" + (f"（{e.approach}）" if e.approach else "")
            if e.curated:
                tip += "、プロジェクトの解釈" if ja else ", project's reading"
            curated = "true" if e.curated else "false"
            lines.append(f'<g{attrs(cls="mark edge", data_owner=e.owner_code, data_user=e.user_code)}'
                         f'{attrs(data_approach=e.approach or "", data_curated=curated)}>'
                         f'<title>{text(tip)}</title>'
                         f'<path{attrs(d=d, stroke=colour, stroke_dasharray=dash)} fill="none"'
                         f' stroke-width="2"/>{_arrow(end, uy, colour, hollow=e.curated)}</g>')
            nodes.append(f'<circle{attrs(cls="node user", data_code=e.user_code, cx=num(user_x), cy=num(uy))}'
                         f' r="5" fill="#fff" stroke="#1b1f23" stroke-width="1.5"/>')
            nodes.append(f'<text{attrs(x=num(user_x + 10), y=num(uy + 4.5))} font-size="13">'
                         f'{text(e.user_label)}</text>')
        nodes.append(f'<circle{attrs(cls="node owner", data_code=owner_code, cx=num(owner_x), cy=num(oy))}'
                     f' r="7" fill="#1b1f23"/>')
        nodes.append(f'<text{attrs(x=num(owner_x - 12), y=num(oy + 5 - (7 if owner.owner_note else 0)))} '
                     f'text-anchor="end" font-size="15" font-weight="700">{text(owner.owner_label)}</text>')
        if owner.owner_note:
            nodes.append(f'<text{attrs(x=num(owner_x - 12), y=num(oy + 13))} text-anchor="end" '
                         f'font-size="11.5" fill="#57606a">{text(owner.owner_note)}</text>')
        y += len(group) * row + gap
    out.append('<g class="edges">' + "".join(lines) + "</g>")
    out.append('<g class="nodes" fill="#1b1f23">' + "".join(nodes) + "</g>")
    heading_y = top - 16
    if edges:
        out.append(f'<g font-size="12" fill="#57606a"><text{attrs(x=num(owner_x), y=num(heading_y))} '
                   f'text-anchor="end">{text("整備団体" if ja else "Owner")}</text>'
                   f'<text{attrs(x=num(user_x), y=num(heading_y))}>{text("利用団体" if ja else "Users")}'
                   '</text></g>')
    height = y + 4

    if title is None:
        title = "都市OSの共同利用：整備団体 → 利用団体" if ja else "Shared use of City OS: owner → users"
    if desc is None:
        desc = _describe(by_owner, has_curated, ja)
    return frame(ident, width, height, title, desc, "".join(out), cls="kg-graph", lang=lang)


def _arrow(x: float, y: float, colour: str, hollow: bool) -> str:
    """An arrowhead pointing right with its tip at (x, y)."""
    d = f"M{num(x)} {num(y)}L{num(x - 9)} {num(y - 5)}L{num(x - 9)} {num(y + 5)}Z"
    fill = "#fff" if hollow else colour
    return f'<path{attrs(d=d, fill=fill, stroke=colour)} stroke-width="1.5"/>'


def _describe(by_owner, has_curated: bool, ja: bool) -> str:
    parts = []
    for owner_code in sorted(by_owner):
        group = by_owner[owner_code]
        names = ("、" if ja else ", ").join(e.user_label for e in group)
        approaches = "/".join(sorted({e.approach for e in group if e.approach}))
        curated = sum(e.curated for e in group)
        owner = group[0].owner_label
        if ja:
            reading = f"、うち{curated}はプロジェクトの解釈" if curated else ""
            parts.append(f"{owner}の都市OSを{len(group)}団体が利用"
                         f"（{approaches or 'アプローチ不明'}{reading}）：{names}。")
        else:
            reading = f", {curated} of them the project’s reading" if curated else ""
            parts.append(f"{owner}'s City OS is used by {len(group)} ({approaches or 'approach unknown'}"
                         f"{reading}): {names}.")
    total = sum(len(g) for g in by_owner.values())
    head = (f"共同利用 {total} 件（整備団体 {len(by_owner)}）。" if ja
            else f"{total} shared uses of {len(by_owner)} owners' City OS.")
    return head + " " + " ".join(parts)
