"""The distinct places of a matrix request and how routes enter and leave them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from geo.network import RoadNetwork
from geo.snap import Snap
from geo.weights import CLOSED, EdgeWeights, partial_ms

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

VIA_START, VIA_END = 0, 1
"""Entries of a place on an edge: from the edge's start node going forward, or from its end
node going backward. A place at a node has only the first, the node itself."""


@dataclass(frozen=True, slots=True, eq=False)
class Places:
    """Distinct places (snaps equal to the centimetre are one place) and the requested ones.

    Place ``p`` is at road node ``node[p]``, or (``node[p] == -1``) ``offset_cm[p]`` along
    edge ``edge[p]``, reached from the edge's start in ``forward_ms[p]`` and from its end in
    ``backward_ms[p]`` (0 where that direction is closed). ``entry_*[p, k]`` are the node,
    time and length of entering the place via :data:`VIA_START`/:data:`VIA_END`
    (node ``-1``: no such entry). Request item ``i`` is place ``position[i]``, at
    ``point[i]`` (lon, lat) and ``offset_m[i]`` along its edge (``nan`` at a node).
    """

    position: IntArray
    node: IntArray
    edge: IntArray
    offset_cm: IntArray
    forward_ms: IntArray
    backward_ms: IntArray
    forward_open: npt.NDArray[np.bool_]
    backward_open: npt.NDArray[np.bool_]
    entry_node: IntArray
    entry_ms: IntArray
    entry_cm: IntArray
    point: FloatArray
    offset_m: FloatArray

    def direct_pairs(self) -> Iterator[tuple[int, int, int, int]]:
        """``(from, to, time_ms, length_cm)`` of going straight along a shared edge, for
        every ordered pair of places on one edge in a direction the edge is open in."""
        on_edge = np.nonzero(self.edge >= 0)[0]
        order = on_edge[np.lexsort((self.offset_cm[on_edge], self.edge[on_edge]))]
        edges = self.edge[order]
        bounds = np.nonzero(np.diff(edges))[0] + 1
        for group in np.split(order, bounds):
            members = group.tolist()  # by offset along the edge
            for low_rank, a in enumerate(members):
                for b in members[low_rank + 1 :]:
                    length = int(self.offset_cm[b] - self.offset_cm[a])
                    if self.forward_open[a]:
                        yield a, b, int(self.forward_ms[b] - self.forward_ms[a]), length
                    if self.backward_open[a]:
                        yield b, a, int(self.backward_ms[a] - self.backward_ms[b]), length


def resolve_places(
    network: RoadNetwork, weights: EdgeWeights, items: Sequence[Snap | int]
) -> Places:
    """Turn snaps and node indices into distinct places.

    A snap within half a centimetre of its edge's end is placed at that end's node.

    Raises
    ------
    ValueError
        If a snap comes from another network or a node index is out of range.
    """
    count = len(items)
    keys = np.empty((count, 2), dtype=np.int64)  # (edge or -1, offset_cm or node)
    point = np.empty((count, 2), dtype=np.float64)
    offset_m = np.full(count, np.nan)
    for i, item in enumerate(items):
        if isinstance(item, Snap):
            if item.network_hash != network.content_hash:
                msg = f"place {i} was snapped on another network than this {network.mode}"
                raise ValueError(msg)
            edge = item.edge
            length = int(weights.length_cm[edge])
            offset = min(max(round(item.offset_m * 100), 0), length)
            if offset == 0:
                keys[i] = (-1, network.edge_u[edge])
            elif offset == length:
                keys[i] = (-1, network.edge_v[edge])
            else:
                keys[i] = (edge, offset)
                offset_m[i] = item.offset_m
            point[i] = (item.point.lon, item.point.lat)
        else:
            node = int(item)
            if not 0 <= node < network.nodes:
                msg = f"place {i}: node {node} is not in the network"
                raise ValueError(msg)
            keys[i] = (-1, node)
            point[i] = (network.node_lon[node], network.node_lat[node])
    unique, position = np.unique(keys, axis=0, return_inverse=True)
    place_edge = unique[:, 0]
    at_node = place_edge < 0
    safe_edge = np.where(at_node, 0, place_edge)
    offset_cm = np.where(at_node, 0, unique[:, 1])
    length_cm = weights.length_cm[safe_edge]
    forward_total, backward_total = weights.forward_ms[safe_edge], weights.backward_ms[safe_edge]
    forward_open = ~at_node & (forward_total != CLOSED)
    backward_open = ~at_node & (backward_total != CLOSED)
    forward_ms = np.where(forward_open, partial_ms(forward_total, offset_cm, length_cm), 0)
    backward_ms = np.where(
        backward_open, partial_ms(backward_total, length_cm - offset_cm, length_cm), 0
    )
    entry_node = np.full((len(unique), 2), -1, dtype=np.int64)
    entry_node[:, VIA_START] = np.where(
        at_node, unique[:, 1], np.where(forward_open, network.edge_u[safe_edge], -1)
    )
    entry_node[:, VIA_END] = np.where(backward_open, network.edge_v[safe_edge], -1)
    entry_ms = np.column_stack((forward_ms, backward_ms)).astype(np.int64)
    entry_cm = np.column_stack((offset_cm, length_cm - offset_cm)).astype(np.int64)
    entry_cm[at_node] = 0
    return Places(
        position=position.reshape(-1).astype(np.int64),
        node=np.where(at_node, unique[:, 1], -1).astype(np.int64),
        edge=place_edge.astype(np.int64),
        offset_cm=offset_cm.astype(np.int64),
        forward_ms=forward_ms.astype(np.int64),
        backward_ms=backward_ms.astype(np.int64),
        forward_open=forward_open,
        backward_open=backward_open,
        entry_node=entry_node,
        entry_ms=entry_ms,
        entry_cm=entry_cm,
        point=point,
        offset_m=offset_m,
    )
