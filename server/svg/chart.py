"""City OS introductions per fiscal year (bars), their running total (line) and the KPI target.

>>> svg = chart_svg([YearCount(2017, 2, 2), YearCount(2019, 3, 5)], target=10, target_year=2020,
...                 observed=[(2019, 4, "2019年度末")], lang="en")
>>> svg.count('class="mark bar"'), svg.count('class="mark cumulative"'), svg.count('class="mark target"')
(2, 2, 1)
"""

from __future__ import annotations

from dataclasses import dataclass

from .common import attrs, era, frame, num, text

BAR = "#0072B2"
LINE = "#D55E00"
TARGET = "#1b1f23"
OBSERVED = "#009E73"


@dataclass(frozen=True)
class YearCount:
    """Introductions in one fiscal year and the running total up to and including it."""

    year: int
    count: int
    cumulative: int


def _ticks(top: float) -> tuple[int, list[int]]:
    """A rounded axis maximum and its ticks (about five)."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if top / step <= 6:
            break
    high = int(-(-top // step) * step) or step
    return high, list(range(0, high + 1, step))


def chart_svg(years, target: int | None = None, target_year: int | None = None, observed=(),
              lang: str = "ja", width: int = 640, height: int = 360, title: str | None = None,
              desc: str | None = None, ident: str = "kg-chart") -> str:
    """The chart as an ``<svg>`` element.

    :param years: :class:`YearCount` per fiscal year with introductions, in any order.
    :param target: the KPI's target value and ``target_year`` its fiscal year (a horizontal
        dashed line and a mark at that year, ``class="mark target"``).
    :param observed: (fiscal year, value, as-of words) of the KPI's observations (``class="mark observed"``).
    """
    ja = lang == "ja"
    years = sorted(years, key=lambda y: y.year)
    observed = [o for o in observed if o[0] is not None]
    all_years = [y.year for y in years] + [o[0] for o in observed] + ([target_year] if target_year else [])
    if not all_years:
        all_years = [2021]
    first, last = min(all_years), max(all_years)
    span = list(range(first, last + 1))
    left, right, top, bottom = 52, 16, 40, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    band = plot_w / len(span)
    peak = max([y.cumulative for y in years] + [y.count for y in years] + [target or 0]
               + [o[1] for o in observed] + [1])
    high, ticks = _ticks(peak * 1.08)

    def x_of(year: int) -> float:
        return left + (year - first + 0.5) * band

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value / high)

    out = ['<g class="axes" font-size="12" fill="#57606a">']
    for tick in ticks:
        y = y_of(tick)
        out.append(f'<line{attrs(x1=left, x2=num(width - right), y1=num(y), y2=num(y))} '
                   f'stroke="{"#8c959f" if tick == 0 else "#e5e9ed"}" stroke-width="1"/>')
        out.append(f'<text{attrs(x=left - 6, y=num(y + 4))} text-anchor="end">{tick}</text>')
    for year in span:
        x = x_of(year)
        if ja:
            out.append(f'<text{attrs(x=num(x), y=num(top + plot_h + 16))} text-anchor="middle">'
                       f'{era(year, lang)}</text>')
            out.append(f'<text{attrs(x=num(x), y=num(top + plot_h + 30))} text-anchor="middle" '
                       f'font-size="10">{year}</text>')
        else:
            out.append(f'<text{attrs(x=num(x), y=num(top + plot_h + 18))} text-anchor="middle">'
                       f'{era(year, lang)}</text>')
    axis_x = "年度" if ja else "Fiscal year"
    axis_y = "市区町村数" if ja else "Municipalities"
    out.append(f'<text{attrs(x=num(left + plot_w / 2), y=height - 6)} text-anchor="middle" '
               f'fill="#1b1f23">{axis_x}</text>')
    out.append(f'<text{attrs(x=14, y=num(top + plot_h / 2))} text-anchor="middle" fill="#1b1f23" '
               f'transform="rotate(-90 14 {num(top + plot_h / 2)})">{axis_y}</text>')
    out.append("</g>")

    if target is not None:
        y = y_of(target)
        out.append(f'<line class="target-line"{attrs(x1=left, x2=num(width - right), y1=num(y), y2=num(y))} '
                   f'stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="6 4"/>')
        if target_year is not None:
            x = x_of(target_year)
            label = (f"目標 {target}（{era(target_year, lang)}）" if ja
                     else f"Target {target} ({era(target_year, lang)})")
            out.append(f'<path{attrs(cls="mark target", data_year=target_year, data_value=target)}'
                       f'{attrs(d=_star(x, y, 8))} fill="{TARGET}"><title>{text(label)}</title></path>')
            out.append(f'<text{attrs(x=num(x - 12), y=num(y - 10))} text-anchor="end" font-size="12" '
                       f'font-weight="700">{text(label)}</text>')

    bar_w = min(band * 0.55, 40)
    out.append(f'<g class="bars" fill="{BAR}">')
    for y in years:
        x, top_y = x_of(y.year) - bar_w / 2, y_of(y.count)
        tip = (f"{era(y.year, lang)}（{y.year}年度）：導入 {y.count}、累計 {y.cumulative}" if ja
               else f"{era(y.year, lang)}: {y.count} introduced, {y.cumulative} in total")
        out.append(f'<rect{attrs(cls="mark bar", data_year=y.year, data_value=y.count)}'
                   f'{attrs(x=num(x), y=num(top_y), width=num(bar_w), height=num(y_of(0) - top_y))}>'
                   f'<title>{text(tip)}</title></rect>')
        if y.count != y.cumulative:  # else the total's label says it
            out.append(f'<text{attrs(x=num(x + bar_w / 2), y=num(top_y - 4))} text-anchor="middle" '
                       f'font-size="11" fill="{BAR}">{y.count}</text>')
    out.append("</g>")

    if years:
        path = "".join(f"{'M' if i == 0 else 'L'}{num(x_of(y.year))} {num(y_of(y.cumulative))}"
                       for i, y in enumerate(years))
        out.append(f'<path class="cumulative-line"{attrs(d=path)} fill="none" stroke="{LINE}" '
                   'stroke-width="2.5"/>')
        out.append(f'<g class="cumulative" fill="{LINE}">')
        for y in years:
            cx, cy = x_of(y.year), y_of(y.cumulative)
            out.append(f'<circle{attrs(cls="mark cumulative", data_year=y.year, data_value=y.cumulative)}'
                       f'{attrs(cx=num(cx), cy=num(cy), r=4.5)} stroke="#fff" stroke-width="1.5">'
                       f'<title>{text(("累計 " if ja else "Total ") + str(y.cumulative))}</title></circle>')
            out.append(f'<text{attrs(x=num(cx + 7), y=num(cy - 6))} font-size="12" font-weight="700">'
                       f'{y.cumulative}</text>')
        out.append("</g>")

    for year, value, as_of in observed:
        x, y = x_of(year) + bar_w / 2 + 8, y_of(value)
        label = (f"KPI現状値 {value}（{as_of or era(year, lang)}）" if ja
                 else f"KPI observed {value} ({'end of ' + era(year, lang) if as_of else era(year, lang)})")
        triangle = f"M{num(x)} {num(y - 6)}L{num(x + 6)} {num(y + 5)}L{num(x - 6)} {num(y + 5)}Z"
        out.append(f'<path{attrs(cls="mark observed", data_year=year, data_value=value)}{attrs(d=triangle)}'
                   f' fill="{OBSERVED}"><title>{text(label)}</title></path>')
        out.append(f'<text{attrs(x=num(x - 4), y=num(y - 12))} text-anchor="end" font-size="11" '
                   f'fill="{OBSERVED}" stroke="#fff" stroke-width="3" paint-order="stroke">'
                   f'{text(label)}</text>')

    # Legend above the plot.
    items = [("bar", "年度ごとの導入数" if ja else "Introduced in the year"),
             ("line", "累計" if ja else "Running total")]
    if target is not None:
        items.append(("target", "KPI目標" if ja else "KPI target"))
    if observed:
        items.append(("observed", "KPI現状値" if ja else "KPI observed"))
    x = float(left)
    out.append('<g class="legend" font-size="12" fill="#1b1f23">')
    for kind, label in items:
        if kind == "bar":
            out.append(f'<rect{attrs(x=num(x), y=10, width=12, height=12)} fill="{BAR}"/>')
        elif kind == "line":
            out.append(f'<line{attrs(x1=num(x), x2=num(x + 14), y1=16, y2=16)} stroke="{LINE}" '
                       'stroke-width="2.5"/>'
                       f'<circle{attrs(cx=num(x + 7), cy=16, r=3.5)} fill="{LINE}"/>')
        elif kind == "target":
            out.append(f'<line{attrs(x1=num(x), x2=num(x + 14), y1=16, y2=16)} stroke="{TARGET}" '
                       'stroke-width="1.5" stroke-dasharray="4 2"/>')
        else:
            triangle = f"M{num(x + 7)} 10L{num(x + 13)} 21L{num(x + 1)} 21Z"
            out.append(f'<path{attrs(d=triangle)} fill="{OBSERVED}"/>')
        out.append(f'<text{attrs(x=num(x + 18), y=20)}>{text(label)}</text>')
        x += 18 + (12 * len(label) if ja else 6.6 * len(label)) + 16
    out.append("</g>")

    if title is None:
        title = ("都市OSの導入数の推移とKPI目標" if ja
                 else "City OS introductions by fiscal year against the KPI target")
    if desc is None:
        desc = _describe(years, target, target_year, observed, ja)
    return frame(ident, width, height, title, desc, "".join(out), cls="kg-chart", lang=lang)


def _star(x: float, y: float, r: float) -> str:
    import math

    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.45
        angle = math.pi * i / 5 - math.pi / 2
        points.append(f"{num(x + radius * math.cos(angle))} {num(y + radius * math.sin(angle))}")
    return "M" + "L".join(points) + "Z"


def _describe(years, target, target_year, observed, ja: bool) -> str:
    if ja:
        rows = "、".join(f"{y.year}年度 {y.count}（累計 {y.cumulative}）" for y in years)
        text_ = f"年度ごとの都市OS導入市区町村数：{rows}。" if rows else "導入のデータはない。"
        if target is not None:
            text_ += f"KPI目標：{target_year}年度までに {target}。"
        for year, value, as_of in observed:
            text_ += f"KPI現状値：{value}（{as_of or str(year) + '年度'}）。"
    else:
        rows = ", ".join(f"FY{y.year} {y.count} (total {y.cumulative})" for y in years)
        text_ = (f"Municipalities introducing a City OS per fiscal year: {rows}." if rows
                 else "No introductions.")
        if target is not None:
            text_ += f" KPI target: {target} by FY{target_year}."
        for year, value, _as_of in observed:
            text_ += f" KPI observed: {value} (FY{year})."
    return text_
