"""Vectorised distances and a local metric projection for lines on the road network."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from geo.types import EARTH_RADIUS_M

FloatArray = npt.NDArray[np.float64]


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distances (metres) between pairs of points, element-wise."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlon = np.radians(np.subtract(lon2, lon1))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    result: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return result


@dataclass(frozen=True, slots=True)
class LocalProjection:
    """An equirectangular projection (metres) around a reference point.

    Good to a fraction of a percent over a city or a small country, which is all it is used
    for: ranking candidate roads and locating a point along one. Distances reported to
    callers are measured on the sphere, not in this plane.
    """

    lat0: float
    lon0: float

    def to_xy(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Project degrees to plane metres east (x) and north (y) of the reference."""
        scale = EARTH_RADIUS_M * np.pi / 180
        x = np.subtract(lon, self.lon0) * scale * np.cos(np.radians(self.lat0))
        y = np.subtract(lat, self.lat0) * scale
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def cut_polyline(
    lat: FloatArray, lon: FloatArray, cumulative_m: FloatArray, start_m: float, end_m: float
) -> list[tuple[float, float]]:
    """The part of a polyline between two distances along it, as ``(lon, lat)`` pairs.

    ``cumulative_m`` is the distance from the first vertex to each vertex. With
    ``start_m > end_m`` the part is returned in travel order from ``start_m`` back to
    ``end_m``. Both ends are interpolated, so the part starts and ends exactly there.
    """
    low, high = min(start_m, end_m), max(start_m, end_m)
    inside = np.nonzero((cumulative_m > low) & (cumulative_m < high))[0]
    first = interpolate(lat, lon, cumulative_m, low)
    last = interpolate(lat, lon, cumulative_m, high)
    middle = [(float(lon[i]), float(lat[i])) for i in inside]
    part = [first, *middle, last]
    return part if start_m <= end_m else part[::-1]


def interpolate(
    lat: FloatArray, lon: FloatArray, cumulative_m: FloatArray, at_m: float
) -> tuple[float, float]:
    """The ``(lon, lat)`` point ``at_m`` metres along a polyline (clamped to its ends)."""
    last = len(cumulative_m) - 1
    at = min(max(at_m, 0.0), float(cumulative_m[last]))
    i = int(np.clip(np.searchsorted(cumulative_m, at, side="right") - 1, 0, max(last - 1, 0)))
    if last == 0:
        return float(lon[0]), float(lat[0])
    piece = float(cumulative_m[i + 1] - cumulative_m[i])
    t = (at - float(cumulative_m[i])) / piece if piece > 0 else 0.0
    return (
        float(lon[i] + t * (lon[i + 1] - lon[i])),
        float(lat[i] + t * (lat[i + 1] - lat[i])),
    )


def line_length_m(coordinates: list[tuple[float, float]]) -> float:
    """Great-circle length (metres) of a line of ``(lon, lat)`` pairs."""
    if len(coordinates) < 2:
        return 0.0
    points = np.asarray(coordinates, dtype=np.float64)
    return float(haversine_m(points[:-1, 1], points[:-1, 0], points[1:, 1], points[1:, 0]).sum())
