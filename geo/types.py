"""Small value types shared across the geo package."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_009.0
"""Mean Earth radius (metres), as osmnx uses."""


@dataclass(frozen=True, slots=True)
class LatLon:
    """A WGS84 point in decimal degrees."""

    lat: float
    lon: float


def great_circle_m(a: LatLon, b: LatLon) -> float:
    """Great-circle (haversine) distance between two points, in metres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))
