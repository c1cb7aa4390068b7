"""Pictures for the pages, drawn on the server as SVG text: pure functions from data to markup.

Nothing here reads the store, the request or the network; the page modules query the store
(``server.site.select``) and pass plain data in. Every picture is one ``<svg>`` element with a
``viewBox`` (it scales to the width of a phone), ``role="img"``, a ``<title>`` and a ``<desc>``
named by ``aria-labelledby``; every data mark carries ``class="mark <kind>"`` and ``data-*``
attributes, so a test (or a browser) can count and identify them.

* :func:`map_svg` — municipalities as points on a map of Japan, with marks coloured by fiscal year;
* :func:`chart_svg` — City OS introductions per fiscal year, the running total and the KPI target;
* :func:`graph_svg` — the shared use of City OS: owners → users, by approach.
"""

from .chart import YearCount, chart_svg
from .graph import Edge, graph_svg
from .map import Mark, Point, map_svg

__all__ = ["Edge", "Mark", "Point", "YearCount", "chart_svg", "graph_svg", "map_svg"]
