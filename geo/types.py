"""Small value types shared across the geo package."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LatLon:
    """A WGS84 point in decimal degrees."""

    lat: float
    lon: float
