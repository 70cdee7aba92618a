"""Route geometry of matrix legs: the road path between two places, along edge geometries."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.sparse import csgraph

from geo.errors import UnreachableError
from geo.geometry import cut_polyline
from geo.network import RoadNetwork
from geo.places import VIA_END, Places
from geo.routing_graph import RoutingGraph

Coordinates = list[tuple[float, float]]


@dataclass(eq=False)
class LegRouter:
    """Rebuilds legs from the Dijkstra trees of a matrix computation.

    ``choice[s, t]`` says how place ``s`` reaches place ``t``: through one of ``t``'s
    entries (:data:`~geo.places.VIA_START`/:data:`~geo.places.VIA_END`), straight along a
    shared edge (:attr:`DIRECT`), or not at all (:attr:`SAME`). ``predecessors`` holds the
    tree of each place (row ``s``); when it was too large to keep, a place's tree is routed
    again on ``routing_weight`` the first time one of its legs is asked for.
    """

    DIRECT = 2
    SAME = 3

    network: RoadNetwork
    graph: RoutingGraph
    places: Places
    choice: npt.NDArray[np.int8]
    predecessors: npt.NDArray[np.int32] | None
    routing_weight: npt.NDArray[np.float64]
    _rows: dict[int, npt.NDArray[np.int32]] = field(default_factory=dict)

    def size_bytes(self) -> int:
        """Memory held for the legs, roughly (bytes)."""
        size = self.choice.nbytes + self.routing_weight.nbytes + self.graph.indices.nbytes * 6
        if self.predecessors is not None:
            size += self.predecessors.nbytes
        return size + sum(row.nbytes for row in self._rows.values())

    def coordinates(self, i: int, j: int) -> Coordinates:
        """``(lon, lat)`` pairs of the leg from request item ``i`` to item ``j``."""
        places = self.places
        count = len(places.position)
        if not (0 <= i < count and 0 <= j < count):
            msg = f"leg ({i}, {j}) is outside the {count} requested places"
            raise IndexError(msg)
        s, t = int(places.position[i]), int(places.position[j])
        how = int(self.choice[s, t])
        start = (float(places.point[i, 0]), float(places.point[i, 1]))
        end = (float(places.point[j, 0]), float(places.point[j, 1]))
        if how == self.SAME:
            return [start, end]
        if how == self.DIRECT:
            line = self._cut(int(places.edge[s]), places.offset_m[i], places.offset_m[j])
        else:
            line = self._through_network(i, j, s, t, how)
        return _finish(line, start, end)

    def _through_network(self, i: int, j: int, s: int, t: int, via: int) -> Coordinates:
        places = self.places
        path = self._path(s, int(places.entry_node[t, via]))
        line: Coordinates = []
        for tail, head in itertools.pairwise(path):
            line.extend(self._hop(tail, head, i))
        target_edge = int(places.edge[t])
        if target_edge >= 0:
            entry_m = float(self.network.edge_length_m[target_edge]) if via == VIA_END else 0.0
            line.extend(self._cut(target_edge, entry_m, places.offset_m[j]))
        return line

    def _hop(self, tail: int, head: int, i: int) -> Coordinates:
        """The geometry of the routing-graph edge ``tail -> head``."""
        graph = self.graph
        row = slice(int(graph.indptr[tail]), int(graph.indptr[tail + 1]))
        entry = row.start + int(np.searchsorted(graph.indices[row], head))
        edge, forward = int(graph.edge[entry]), bool(graph.forward[entry])
        if tail >= graph.road_nodes:  # leaving the source's own edge from its place
            end_m = float(self.network.edge_length_m[edge]) if forward else 0.0
            return self._cut(edge, float(self.places.offset_m[i]), end_m)
        lat, lon, _ = self.network.edge_polyline(edge)
        line = list(zip(lon.tolist(), lat.tolist(), strict=True))
        return line if forward else line[::-1]

    def _cut(self, edge: int, from_m: float, to_m: float) -> Coordinates:
        lat, lon, along = self.network.edge_polyline(edge)
        return cut_polyline(lat, lon, along, float(from_m), float(to_m))

    def _path(self, s: int, target: int) -> list[int]:
        """Routing-graph nodes from place ``s``'s source node to ``target``, in order."""
        source = int(self.graph.source_node[s])
        row = self._tree(s)
        path = [target]
        while path[-1] != source:
            previous = int(row[path[-1]])
            if previous < 0:
                msg = f"node {target} is not reachable from place {s}"
                raise UnreachableError(msg)
            path.append(previous)
        return path[::-1]

    def _tree(self, s: int) -> npt.NDArray[np.int32]:
        if self.predecessors is not None:
            row: npt.NDArray[np.int32] = self.predecessors[s]
            return row
        if s not in self._rows:
            _, rows = csgraph.dijkstra(
                self.graph.matrix(self.routing_weight),
                directed=True,
                indices=[int(self.graph.source_node[s])],
                return_predecessors=True,
            )
            self._rows[s] = rows[0].astype(np.int32)
        return self._rows[s]


def _finish(line: Coordinates, start: tuple[float, float], end: tuple[float, float]) -> Coordinates:
    """Drop repeated points (where pieces join) and pin the ends to the places' points,
    which the pieces reach to within float rounding or the few centimetres a place is
    rounded to."""
    joined: Coordinates = []
    for point in line:
        if not joined or point != joined[-1]:
            joined.append(point)
    if len(joined) < 2:
        return [start, end]
    joined[0], joined[-1] = start, end
    return joined
