"""Where things are on the measure page's map of Europe: the frame and the projection.

Pure Python, shared by the map's build script (``mapdata/build_map.py``) and
the page, so outlines and asset markers land in the same place.
"""

from __future__ import annotations

import math

# West, south, east, north, in degrees: Iceland to the Caspian, Crete to the North Cape.
FRAME = (-25.0, 34.0, 45.0, 72.0)
# An equirectangular projection whose east-west scale is true at this latitude.
STANDARD_PARALLEL = 52.0
# Map units per degree of latitude.
SCALE = 12.0

_COS = math.cos(math.radians(STANDARD_PARALLEL))
WIDTH = round((FRAME[2] - FRAME[0]) * _COS * SCALE)
HEIGHT = round((FRAME[3] - FRAME[1]) * SCALE)


def project(*, lat: float, lon: float) -> tuple[float, float]:
    """Map units (x to the east, y to the south) of a point given in degrees."""
    return ((lon - FRAME[0]) * _COS * SCALE, (FRAME[3] - lat) * SCALE)


def in_frame(*, lat: float, lon: float) -> bool:
    """Whether the point lies within the map."""
    west, south, east, north = FRAME
    return west <= lon <= east and south <= lat <= north
