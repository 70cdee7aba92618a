"""Points on a street's polyline, in a local flat approximation (good to a few metres over
the few kilometres a street spans)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from geo.types import EARTH_RADIUS_M, LatLon

METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180.0

Segments = npt.NDArray[np.float64]
"""Rows of (lat1, lon1, lat2, lon2)."""


def _flat(
    lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], lat0: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    return lon * math.cos(math.radians(lat0)) * METRES_PER_DEGREE, lat * METRES_PER_DEGREE


def nearest_point_on(segments: Segments, point: LatLon) -> LatLon:
    """The point of the polyline ``segments`` nearest to ``point``."""
    ax, ay = _flat(segments[:, 0], segments[:, 1], point.lat)
    bx, by = _flat(segments[:, 2], segments[:, 3], point.lat)
    px, py = _flat(np.array([point.lat]), np.array([point.lon]), point.lat)
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(length2 > 0, ((px - ax) * dx + (py - ay) * dy) / length2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    distance2 = (ax + t * dx - px) ** 2 + (ay + t * dy - py) ** 2
    best = int(np.argmin(distance2))
    lat = segments[best, 0] + t[best] * (segments[best, 2] - segments[best, 0])
    lon = segments[best, 1] + t[best] * (segments[best, 3] - segments[best, 1])
    return LatLon(float(lat), float(lon))


def middle_of(segments: Segments) -> LatLon:
    """The point half way along the polyline's length (its pieces taken in order)."""
    lat0 = float(segments[:, 0].mean())
    ax, ay = _flat(segments[:, 0], segments[:, 1], lat0)
    bx, by = _flat(segments[:, 2], segments[:, 3], lat0)
    lengths = np.hypot(bx - ax, by - ay)
    total = float(lengths.sum())
    if total == 0.0:
        return LatLon(float(segments[0, 0]), float(segments[0, 1]))
    ends = np.cumsum(lengths)
    idx = int(np.searchsorted(ends, total / 2))
    idx = min(idx, len(segments) - 1)
    before = float(ends[idx] - lengths[idx])
    t = (total / 2 - before) / float(lengths[idx]) if lengths[idx] > 0 else 0.0
    row = segments[idx]
    return LatLon(float(row[0] + t * (row[2] - row[0])), float(row[1] + t * (row[3] - row[1])))


def flat_xy(points: list[LatLon], lat0: float) -> npt.NDArray[np.float64]:
    """Points as (x, y) metres east and north in the flat approximation around ``lat0``."""
    lat = np.array([p.lat for p in points], dtype=float)
    lon = np.array([p.lon for p in points], dtype=float)
    x, y = _flat(lat, lon, lat0)
    return np.column_stack([x, y]).reshape(-1, 2)
