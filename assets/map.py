"""The map of Europe with a measure's assets, drawn as SVG on the server: no script, no tiles.

Pure: outlines (``mapdata/europe.json``, from Natural Earth) and already
translated words in, SVG text out. Each asset is a marker of three small
squares, one per route (alliance, bilateral, EU, left to right): filled in the
route's colour where the route covers the asset, hollow and grey where it does
not, so colour is never the only cue. The page lists the same facts in a
table next to the map.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from assets.geography import HEIGHT, WIDTH, in_frame, project

MAP_DATA = Path(__file__).resolve().parent / "mapdata" / "europe.json"
# The colours of the support chart's lines (consensus/charts.py), one per route.
ROUTE_COLOURS: tuple[str, ...] = ("#1d4f91", "#a34a00", "#7a3e9d")
SQUARE = 9  # a marker square's side, in map units


@cache
def outlines() -> tuple[tuple[str, str], ...]:
    """The countries' (name, SVG path data), read once."""
    data: dict[str, Any] = json.loads(MAP_DATA.read_text())
    return tuple((country["name"], country["d"]) for country in data["countries"])


@dataclass(frozen=True)
class Marker:
    """One asset on the map."""

    key: str  # a class-safe id: letters, digits and dashes
    label: str  # the asset's name and what covers it, for the marker's tooltip
    href: str
    latitude: float
    longitude: float
    covered: Sequence[bool]  # one per route, in the canonical order


def europe_map_svg(
    *, element_id: str, title: str, description: str, markers: Sequence[Marker]
) -> str:
    """The map with its markers; markers outside the map's frame are left off."""
    parts = [
        f'<svg id="{escape(element_id)}" class="asset-map" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{escape(element_id)}-title {escape(element_id)}-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(element_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(element_id)}-desc">{escape(description)}</desc>',
        f'<rect class="sea" x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#eef4f8"/>',
        '<g class="countries" fill="#fbfaf5" stroke="#9aa5ad" stroke-width="0.6">',
    ]
    parts += [f'<path d="{d}"><title>{escape(name)}</title></path>' for name, d in outlines()]
    parts.append("</g>")
    parts.append('<g class="markers">')
    for marker in markers:
        if not in_frame(lat=marker.latitude, lon=marker.longitude):
            continue
        x, y = project(lat=marker.latitude, lon=marker.longitude)
        parts.append(_marker(marker, x, y))
    parts.append("</g></svg>")
    return "".join(parts)


def _marker(marker: Marker, x: float, y: float) -> str:
    width = SQUARE * len(marker.covered)
    left = round(x - width / 2, 1)
    top = round(y - SQUARE - 3, 1)  # the squares sit just above the point they mark
    squares = []
    for index, covered in enumerate(marker.covered):
        fill = ROUTE_COLOURS[index % len(ROUTE_COLOURS)] if covered else "#ffffff"
        stroke = "#1b1b1b" if covered else "#6b6b6b"
        state = "covered" if covered else "uncovered"
        squares.append(
            f'<rect class="route-{index} {state}" x="{left + index * SQUARE}" y="{top}" '
            f'width="{SQUARE}" height="{SQUARE}" fill="{fill}" stroke="{stroke}" '
            'stroke-width="0.8"/>'
        )
    return (
        f'<a class="asset-marker" id="marker-{escape(marker.key)}" href="{escape(marker.href)}">'
        f"<title>{escape(marker.label)}</title>"
        f'<circle cx="{round(x, 1)}" cy="{round(y, 1)}" r="2" fill="#1b1b1b"/>'
        + "".join(squares)
        + "</a>"
    )
