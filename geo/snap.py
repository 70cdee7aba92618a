"""Attach points to the road network: the nearest node, and how far away it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import KDTree

from geo.network import RoadNetwork
from geo.types import EARTH_RADIUS_M, LatLon


@dataclass(frozen=True, slots=True)
class Snap:
    """A point's nearest road node (an index into the network) and its distance (metres)."""

    node_idx: int
    distance_m: float


def _unit_xyz(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.float64]:
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    cos_lat = np.cos(lat_r)
    return np.column_stack((cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)))


class NodeLocator:
    """Nearest-node lookups on a network, by great-circle distance, anywhere on Earth.

    Points go onto the unit sphere, where the nearest node by straight-line (chord) distance
    is also the nearest by great-circle distance.
    """

    def __init__(self, network: RoadNetwork) -> None:
        self._tree = KDTree(_unit_xyz(network.node_lat, network.node_lon))

    def snap(self, points: Sequence[LatLon], *, max_distance_m: float) -> list[Snap | None]:
        """Snap each point to its nearest node; ``None`` where that node is farther than
        ``max_distance_m`` (the point is off the network, e.g. outside the region)."""
        if not points:
            return []
        xyz = _unit_xyz([p.lat for p in points], [p.lon for p in points])
        chord, node = self._tree.query(xyz)
        distance_m = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(np.asarray(chord) / 2, 1.0))
        return [
            Snap(int(n), float(d)) if d <= max_distance_m else None
            for n, d in zip(np.atleast_1d(node), np.atleast_1d(distance_m), strict=True)
        ]
