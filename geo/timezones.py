"""The time zone of a point, offline (timezonefinder's polygons of the tz database)."""

from __future__ import annotations

from functools import lru_cache

from timezonefinder import TimezoneFinder

from geo.types import LatLon


@lru_cache(maxsize=1)
def _finder() -> TimezoneFinder:
    return TimezoneFinder()


def timezone_at(point: LatLon) -> str | None:
    """The IANA zone at ``point``; None where no land zone is known (the open sea's nautical
    "Etc/GMT" zones say nothing about where people live)."""
    zone = _finder().timezone_at(lng=point.lon, lat=point.lat)
    if zone is None or zone.startswith("Etc/"):
        return None
    return str(zone)
