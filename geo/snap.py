"""Attach points to the road network: the nearest point on a usable road, and how far it is."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from geo.geometry import LocalProjection, haversine_m
from geo.modes import TravelMode
from geo.network import RoadNetwork
from geo.types import LatLon

NOT_FOR_STOPPING: dict[TravelMode, frozenset[str]] = {
    TravelMode.DRIVE: frozenset({"motorway", "motorway_link", "trunk", "trunk_link"}),
}
"""Road classes a mode travels on but never starts or ends a trip on: nobody parks on a
motorway, so a house beside one is reached from the nearest ordinary road."""


@dataclass(frozen=True, slots=True)
class Snap:
    """Where a point joins the road network.

    ``point`` is the on-road point, ``distance_m`` the great-circle distance (metres) from
    the original point to it. The point lies ``offset_m`` metres along edge ``edge`` of
    the network whose ``content_hash`` is ``network_hash`` (so it cannot be used with
    another mode's network by mistake).
    """

    point: LatLon
    distance_m: float
    edge: int
    offset_m: float
    network_hash: str


class EdgeLocator:
    """Nearest-road lookups: each point is projected onto the nearest usable edge geometry.

    Candidates come from a shapely STRtree of the edges in a local metric projection;
    the reported distance is measured on the sphere.

    Parameters
    ----------
    network
        The road network.
    excluded_classes
        Road classes never snapped to; default: :data:`NOT_FOR_STOPPING` of the mode.
    """

    def __init__(
        self, network: RoadNetwork, *, excluded_classes: Collection[str] | None = None
    ) -> None:
        if excluded_classes is None:
            excluded_classes = NOT_FOR_STOPPING.get(network.mode, frozenset())
        self._network = network
        self._projection = LocalProjection(
            float(np.median(network.node_lat)), float(np.median(network.node_lon))
        )
        excluded = [c for c, name in enumerate(network.road_classes) if name in excluded_classes]
        self._edges = np.nonzero(~np.isin(network.edge_class, excluded))[0]
        offsets = network.vertex_offsets
        counts = np.diff(offsets)[self._edges]
        vertex = np.repeat(offsets[self._edges], counts) + _ranks(counts)
        x, y = self._projection.to_xy(network.vertex_lat[vertex], network.vertex_lon[vertex])
        self._lines: npt.NDArray[np.object_] = np.asarray(
            shapely.linestrings(
                np.column_stack((x, y)), indices=np.repeat(np.arange(len(self._edges)), counts)
            )
        )
        self._tree = shapely.STRtree(self._lines)
        # Distance of each vertex along its edge in the plane, to map a planar position on
        # a line back to the same piece of the line on the sphere.
        piece = np.hypot(np.diff(x), np.diff(y))
        planar = np.concatenate(([0.0], np.cumsum(piece)))
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        self._planar_along = planar - np.repeat(planar[starts], counts)
        self._vertex = vertex
        self._line_start = starts
        self._key_stride = float(self._planar_along.max(initial=0.0)) + 1.0
        line_of_vertex = np.repeat(np.arange(len(self._edges)), counts)
        self._along_key = line_of_vertex * self._key_stride + self._planar_along

    def snap(self, points: Sequence[LatLon], *, max_distance_m: float) -> list[Snap | None]:
        """Snap each point onto the nearest usable road.

        Parameters
        ----------
        points
            The points to snap.
        max_distance_m
            Points farther than this (metres) from every usable road are not moved: they
            get ``None`` (unroutable).

        Returns
        -------
        list
            One :class:`Snap` or ``None`` per point, in order.
        """
        result: list[Snap | None] = [None] * len(points)
        if not points:
            return result
        lat = np.array([p.lat for p in points], dtype=np.float64)
        lon = np.array([p.lon for p in points], dtype=np.float64)
        geometries = np.asarray(shapely.points(*self._projection.to_xy(lat, lon)))
        # The plane misstates distances by a few percent at most at region scale: search a
        # little wider, then keep what is within the limit on the sphere.
        pairs = self._tree.query_nearest(
            geometries, max_distance=max_distance_m * 1.25 + 1.0, all_matches=False
        )
        which, line = pairs[0], pairs[1]
        if len(which) == 0:
            return result
        along_plane = np.asarray(
            shapely.line_locate_point(self._lines[line], geometries[which]), dtype=np.float64
        )
        snap_lat, snap_lon, offset_m = self._on_line(line, along_plane)
        distance_m = haversine_m(lat[which], lon[which], snap_lat, snap_lon)
        network_hash = self._network.content_hash
        for k, point_idx in enumerate(which.tolist()):
            if distance_m[k] <= max_distance_m:
                result[point_idx] = Snap(
                    point=LatLon(float(snap_lat[k]), float(snap_lon[k])),
                    distance_m=float(distance_m[k]),
                    edge=int(self._edges[line[k]]),
                    offset_m=float(offset_m[k]),
                    network_hash=network_hash,
                )
        return result

    def _on_line(
        self, line: npt.NDArray[np.intp], along_plane: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Latitude, longitude and distance along the edge (m, on the sphere) of the points
        ``along_plane`` metres along lines ``line`` in the plane."""
        first = self._line_start[line]
        last = np.append(self._line_start[1:], len(self._vertex))[line] - 1
        # One sorted key over all lines (line number, then distance along it) finds every
        # point's piece of line in one vectorised search.
        found = np.searchsorted(self._along_key, line * self._key_stride + along_plane, "right")
        piece = np.clip(found - 1, first, last - 1)
        length = self._planar_along[piece + 1] - self._planar_along[piece]
        t = np.divide(
            along_plane - self._planar_along[piece],
            length,
            out=np.zeros_like(length),
            where=length > 0,
        )
        t = np.clip(t, 0.0, 1.0)
        a, b = self._vertex[piece], self._vertex[piece + 1]
        network = self._network
        lat = network.vertex_lat[a] + t * (network.vertex_lat[b] - network.vertex_lat[a])
        lon = network.vertex_lon[a] + t * (network.vertex_lon[b] - network.vertex_lon[a])
        along = network.vertex_along_m
        offset_m = along[a] + t * (along[b] - along[a])
        return lat, lon, offset_m


def _ranks(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``0..count-1`` for each count, concatenated."""
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    ranks: npt.NDArray[np.int64] = np.arange(int(counts.sum())) - np.repeat(starts, counts)
    return ranks
