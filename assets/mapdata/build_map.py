"""Build ``europe.json``, the map of Europe the measure page draws, once, from Natural Earth.

Source: the npm package ``world-atlas`` 2.0.2 (Natural Earth's 1:50m Admin 0
countries, version 4.1.0, as TopoJSON; Natural Earth is in the public domain,
the package's packaging is under the ISC licence). Fetch it with the ordinary
client and run this script on its ``countries-50m.json``::

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python assets/mapdata/build_map.py /tmp/package/countries-50m.json

It decodes the TopoJSON (standard library only), keeps what lies within the
map's frame (Europe, from Iceland to the Caspian, from Crete to the North
Cape), projects it with the projection in ``assets/geography.py`` and writes
SVG path data rounded to whole units, dropping points that round onto the
previous one. The result is small enough to commit and to inline in a page.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from assets.geography import FRAME, project  # noqa: E402  (after the path is set)

Point = tuple[float, float]
Ring = list[Point]


def _arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """The topology's arcs, delta-decoded and transformed to longitude and latitude."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(indexes: list[int], arcs: list[list[Point]]) -> Ring:
    ring: Ring = []
    for index in indexes:
        points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(points[1:] if ring else points)
    if any(abs(a[0] - b[0]) > 180 for a, b in pairwise(ring)):
        # The ring crosses the antimeridian (Russia's Chukotka): carry its far-eastern
        # points past 180 degrees, so no edge runs back across the whole map.
        ring = [(lon + 360 if lon < -90 else lon, lat) for lon, lat in ring]
    return ring


def _clip(ring: Ring) -> Ring:
    """Sutherland-Hodgman against the frame's longitude and latitude box."""
    west, south, east, north = FRAME
    edges: list[tuple[Callable[[Point], bool], Callable[[Point, Point], Point]]] = [
        (lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north)),
    ]
    for inside, cross in edges:
        if not ring:
            break
        clipped: Ring = []
        previous = ring[-1]
        for point in ring:
            if inside(point):
                if not inside(previous):
                    clipped.append(cross(previous, point))
                clipped.append(point)
            elif inside(previous):
                clipped.append(cross(previous, point))
            previous = point
        ring = clipped
    return ring


def _at_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


# Points closer than this (in map units) to the simplified line are dropped.
TOLERANCE = 0.8


def _simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iteratively (a coastline can have thousands of points)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        farthest, distance = first, 0.0
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            else:
                d = math.hypot(px - ax, py - ay)
            if d > distance:
                farthest, distance = i, d
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _path(rings: list[Ring]) -> str:
    parts = []
    for ring in rings:
        projected = [project(lat=lat, lon=lon) for lon, lat in _clip(ring)]
        points: list[tuple[int, int]] = []
        for x, y in _simplify(projected, TOLERANCE):
            point = (round(x), round(y))
            if not points or point != points[-1]:
                points.append(point)
        if len(points) >= 3:
            parts.append("M" + "L".join(f"{x} {y}" for x, y in points) + "Z")
    return "".join(parts)


def build(topology: dict[str, Any]) -> dict[str, Any]:
    arcs = _arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = [_ring(ring, arcs) for polygon in polygons for ring in polygon]
        path = _path(rings)
        if path:
            countries.append(
                {"id": geometry.get("id"), "name": geometry["properties"]["name"], "d": path}
            )
    return {
        "source": (
            "Natural Earth 1:50m Admin 0 countries (version 4.1.0, public domain), "
            "via the npm package world-atlas 2.0.2 (ISC licence); built by "
            "assets/mapdata/build_map.py"
        ),
        "countries": sorted(countries, key=lambda c: c["name"]),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    topology = json.loads(Path(argv[1]).read_text())
    out = HERE / "europe.json"
    out.write_text(json.dumps(build(topology), separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
