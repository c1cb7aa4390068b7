"""A map of Japan drawn from the coordinates of local governments: no tiles, no coastline, just points.

Projection: equirectangular, longitudes shrunk by cos 36° (the middle of Japan), so that shapes
are right near Honshu. The main frame spans 128.3–146.0°E, 30.0–45.7°N; the south-western islands
(Amami, Okinawa, Sakishima, Daito) and Ogasawara are drawn at the same scale in insets placed
over open sea, each framed and named. A point outside every frame is drawn at the frame's edge.

>>> svg = map_svg([Point("472018", 26.21, 127.68), Point("011002", 43.06, 141.35)],
...               [Mark("project", "H29a", "011002", 43.06, 141.35, 2017, "札幌市")], width=300, lang="en")
>>> svg.count('class="pt"'), svg.count('class="mark project"')
(2, 1)
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from .common import attrs, era, frame, num, text, year_colours

KX = math.cos(math.radians(36.0))


@dataclass(frozen=True)
class Point:
    """A local government with coordinates (``code``: its 6-digit code)."""

    code: str
    lat: float
    lon: float
    label: str = ""


@dataclass(frozen=True)
class Mark:
    """Something placed at a local government: ``kind`` is "project" (an adopted project's region)
    or "introduction" (a City OS introduction); ``key`` identifies it (project code, …)."""

    kind: str
    key: str
    code: str
    lat: float
    lon: float
    year: int | None
    label: str = ""


@dataclass(frozen=True)
class _Frame:
    name: tuple[str, str]  # (ja, en), "" for the main frame
    lon: tuple[float, float]
    lat: tuple[float, float]
    at: tuple[float, float]  # top-left corner, in units of the main frame

    def holds(self, lat: float, lon: float) -> bool:
        return self.lon[0] <= lon <= self.lon[1] and self.lat[0] <= lat <= self.lat[1]

    def size(self) -> tuple[float, float]:
        return (self.lon[1] - self.lon[0]) * KX, self.lat[1] - self.lat[0]

    def place(self, lat: float, lon: float) -> tuple[float, float]:
        lon = min(max(lon, self.lon[0]), self.lon[1])
        lat = min(max(lat, self.lat[0]), self.lat[1])
        return self.at[0] + (lon - self.lon[0]) * KX, self.at[1] + (self.lat[1] - lat)


MAIN = _Frame(("", ""), (128.3, 146.0), (30.0, 45.7), (0.0, 0.0))
INSETS = (
    _Frame(("南西諸島", "Nansei Islands"), (122.8, 131.5), (24.0, 29.0), (0.25, 0.25)),
    _Frame(("小笠原", "Ogasawara"), (141.6, 142.7), (26.5, 27.8), (8.35, 14.0)),
)
MARK_KINDS = ("project", "introduction")
_KIND_NAMES = {"project": ("採択事業の実施地域", "Region of an adopted project"),
               "introduction": ("都市OSの導入", "City OS introduction")}


def _frame_of(lat: float, lon: float) -> _Frame:
    for inset in INSETS:
        if inset.holds(lat, lon):
            return inset
    return MAIN


def _diamond(x: float, y: float, r: float) -> str:
    return f"M{num(x)} {num(y - r)}L{num(x + r)} {num(y)}L{num(x)} {num(y + r)}L{num(x - r)} {num(y)}Z"


def map_svg(points, marks=(), highlight: str | None = None, width: int = 640, lang: str = "ja",
            title: str | None = None, desc: str | None = None, legend: bool = True,
            ident: str = "kg-map") -> str:
    """The map as an ``<svg>`` element.

    :param points: :class:`Point` s, drawn as small grey dots (``class="pt"``), one per point.
    :param marks: :class:`Mark` s, coloured by fiscal year: a project's region as a circle
        (``class="mark project"``), a City OS introduction as a diamond (``class="mark introduction"``);
        marks of one kind at one place are spread on a small ring so that each stays visible.
    :param highlight: the code of a point to ring and name (a locator map for one body).
    :param width: the width of the viewBox in px; the height follows from the projection.
    :param legend: draw the legend of kinds and years under the map (off for a small locator map).
    """
    points, marks = list(points), list(marks)
    scale = width / MAIN.size()[0]
    map_height = MAIN.size()[1] * scale
    years = sorted({m.year for m in marks if m.year is not None})
    colours = year_colours(years)
    ja = lang == "ja"
    small = width < 400

    def xy(lat: float, lon: float) -> tuple[float, float]:
        x, y = _frame_of(lat, lon).place(lat, lon)
        return x * scale, y * scale

    out = [f'<rect class="sea"{attrs(x=0, y=0, width=width, height=num(map_height))} fill="#eef4f8"/>']
    for inset in INSETS:
        w, h = inset.size()
        x, y = inset.at
        out.append(f'<g class="inset"><rect{attrs(x=num(x * scale), y=num(y * scale), width=num(w * scale))}'
                   f'{attrs(height=num(h * scale))} fill="#f8fbfd" stroke="#9aa7b1" stroke-width="1"/>')
        if not small:
            out.append(f'<text{attrs(x=num(x * scale + 4), y=num((y + h) * scale - 5))} font-size="11" '
                       f'fill="#57606a">{text(inset.name[0] if ja else inset.name[1])}</text>')
        out.append("</g>")

    r_point = 1.3 if not small else 0.9
    out.append('<g class="points" fill="#9aa3ab">')
    for p in sorted(points, key=lambda p: p.code):
        x, y = xy(p.lat, p.lon)
        out.append(f'<circle class="pt"{attrs(cx=num(x), cy=num(y), r=r_point)}/>')
    out.append("</g>")

    # Marks of one kind at one place: spread on a ring (deterministic: ordered by year and key).
    groups: dict[tuple, list[Mark]] = defaultdict(list)
    for m in marks:
        groups[(m.kind, round(m.lat, 4), round(m.lon, 4))].append(m)
    r_mark = 4.2 if not small else 3.0
    for kind in MARK_KINDS:
        out.append(f'<g{attrs(cls=f"marks {kind}")}>')
        for (k, lat, lon), group in sorted(groups.items(), key=lambda item: (item[0][1], item[0][2])):
            if k != kind:
                continue
            cx, cy = xy(lat, lon)
            group.sort(key=lambda m: (m.year or 0, m.key))
            for i, m in enumerate(group):
                x, y = cx, cy
                if len(group) > 1:
                    angle = 2 * math.pi * i / len(group) - math.pi / 2
                    x, y = cx + r_mark * 1.1 * math.cos(angle), cy + r_mark * 1.1 * math.sin(angle)
                colour = colours.get(m.year, "#555")
                tip = " ".join(s for s in (m.key if kind == "project" else "", m.label,
                                           era(m.year, lang) if m.year else "") if s)
                data = attrs(cls=f"mark {kind}", data_code=m.key, data_region=m.code, data_year=m.year)
                if kind == "project":
                    out.append(f'<circle{data}{attrs(cx=num(x), cy=num(y), r=r_mark, fill=colour)}'
                               f' stroke="#fff" stroke-width="1"><title>{text(tip)}</title></circle>')
                else:
                    out.append(f'<path{data}{attrs(d=_diamond(x, y, r_mark * 1.15), fill="#fff")}'
                               f'{attrs(stroke=colour)} stroke-width="2"><title>{text(tip)}</title></path>')
        out.append("</g>")

    if highlight is not None:
        for p in points:
            if p.code == highlight:
                x, y = xy(p.lat, p.lon)
                out.append(f'<g class="highlight"{attrs(data_code=p.code)}>'
                           f'<circle{attrs(cx=num(x), cy=num(y), r=7)} fill="none" stroke="#c2410c" '
                           f'stroke-width="2.5"/>'
                           f'<circle{attrs(cx=num(x), cy=num(y), r=2.5)} fill="#c2410c"/>')
                if p.label:
                    anchor = "end" if x > width * 0.7 else "start"
                    dx = -10 if anchor == "end" else 10
                    out.append(f'<text{attrs(x=num(x + dx), y=num(y + 4), text_anchor=anchor)} '
                               f'font-size="{14 if not small else 12}" font-weight="700" fill="#1b1f23" '
                               f'stroke="#fff" stroke-width="3" paint-order="stroke">{text(p.label)}</text>')
                out.append("</g>")
                break

    height = map_height
    if legend and (marks or years):
        y0 = map_height + 22
        x = 8.0
        out.append('<g class="legend" font-size="13" fill="#1b1f23">')
        for kind in MARK_KINDS:
            if kind == "project":
                out.append(f'<circle{attrs(cx=num(x + 6), cy=num(y0 - 4), r=5)} fill="#6b7280"/>')
            else:
                out.append(f'<path{attrs(d=_diamond(x + 6, y0 - 4, 6))} fill="#fff" stroke="#6b7280" '
                           'stroke-width="2"/>')
            name = _KIND_NAMES[kind][0 if ja else 1]
            out.append(f'<text{attrs(x=num(x + 16), y=num(y0))}>{text(name)}</text>')
            x += 16 + 13 * (len(name) if ja else len(name) * 0.55) + 18
        out.append(f'<text{attrs(x=8, y=num(y0 + 24))}>{text("年度：" if ja else "Fiscal year:")}</text>')
        x = 60.0 if ja else 90.0
        for year in years:
            label = f"{era(year, lang)}（{year}）" if ja else era(year, lang)
            out.append(f'<rect{attrs(x=num(x), y=num(y0 + 13), width=14, height=14, fill=colours[year])}'
                       f'{attrs(cls="swatch", data_year=year)}/>')
            out.append(f'<text{attrs(x=num(x + 18), y=num(y0 + 24))}>{text(label)}</text>')
            x += 18 + (13 * 5 + 10 if ja else 60)
        out.append(f'<text{attrs(x=8, y=num(y0 + 48))} fill="#57606a" font-size="12">'
                   f'{text(_points_note(len(points), ja))}</text>')
        out.append("</g>")
        height = map_height + 80

    if title is None:
        title = ("市区町村の位置と事業・都市OSの導入" if ja
                 else "Municipalities, projects and City OS introductions")
    if desc is None:
        desc = _describe(points, marks, highlight, ja)
    return frame(ident, width, height, title, desc, "".join(out), cls="kg-map", lang=lang)


def _points_note(n: int, ja: bool) -> str:
    if ja:
        return f"灰色の点：座標のある市区町村 {n}（正距円筒図法、南西諸島・小笠原は枠内に同縮尺で表示）"
    return f"Grey dots: {n} municipalities with coordinates (equirectangular; insets at the same scale)"


def _describe(points, marks, highlight, ja: bool) -> str:
    counts = defaultdict(int)
    for m in marks:
        counts[m.kind] += 1
    projects, introductions = counts["project"], counts["introduction"]
    named = next((p.label or p.code for p in points if p.code == highlight), highlight)
    if ja:
        parts = [f"座標のある市区町村 {len(points)} を点で示した日本の地図。"]
        if marks:
            parts.append(f"採択事業の実施地域 {projects}（円）、都市OSの導入 {introductions}（ひし形）を"
                         "年度別の色で示す。")
        if highlight:
            parts.append(f"強調：{named}。")
    else:
        parts = [f"Map of Japan with {len(points)} municipalities as dots."]
        if marks:
            parts.append(f"{projects} regions of adopted projects (circles) and {introductions} "
                         "City OS introductions (diamonds), coloured by fiscal year.")
        if highlight:
            parts.append(f"Highlighted: {named}.")
    return " ".join(parts)
