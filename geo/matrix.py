"""Travel-time and distance matrices between network nodes, one Dijkstra tree per source."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csgraph

from geo.errors import UnreachableError
from geo.network import RoadNetwork


@dataclass(frozen=True, slots=True, eq=False)
class TravelMatrices:
    """Square matrices over the requested nodes, in request order (not symmetric).

    ``time_s[i, j]`` is the fastest travel time from node ``i`` to node ``j`` rounded up to
    whole seconds (rounding up keeps the triangle inequality), and ``distance_m[i, j]`` the
    length of that same fastest path in whole metres.
    """

    time_s: npt.NDArray[np.int64]
    distance_m: npt.NDArray[np.int64]


def travel_matrices(network: RoadNetwork, node_indices: Sequence[int]) -> TravelMatrices:
    """Compute the travel matrices between the given network nodes.

    Repeated nodes are routed once. Each source gets one scipy Dijkstra tree; the length of
    each fastest path is then summed along that tree.

    Raises
    ------
    UnreachableError
        If some node cannot reach another (impossible on a strongly connected network).
    """
    requested = np.asarray(node_indices, dtype=np.int64)
    if requested.size == 0:
        empty = np.zeros((0, 0), dtype=np.int64)
        return TravelMatrices(empty, empty.copy())
    sources, position = np.unique(requested, return_inverse=True)
    time_s, predecessors = csgraph.dijkstra(
        network.travel_time_s, directed=True, indices=sources, return_predecessors=True
    )
    length_m = _tree_path_lengths(network, sources, predecessors)
    time_s, length_m = time_s[:, sources], length_m[:, sources]
    if not np.isfinite(time_s).all():
        src, dst = np.argwhere(~np.isfinite(time_s))[0]
        msg = f"node {sources[dst]} cannot be reached from node {sources[src]}"
        raise UnreachableError(msg)
    grid = np.ix_(position, position)
    return TravelMatrices(
        time_s=np.ceil(time_s[grid] - 1e-9).astype(np.int64),
        distance_m=np.rint(length_m[grid]).astype(np.int64),
    )


def _tree_path_lengths(
    network: RoadNetwork,
    sources: npt.NDArray[np.int64],
    predecessors: npt.NDArray[np.int32],
) -> npt.NDArray[np.float64]:
    """Length (m) from each source to every node along its shortest-path tree.

    Pointer jumping: each node holds the length up to its current ancestor, and each round
    adds the ancestor's own length and jumps to the ancestor's ancestor, so a tree of depth
    ``d`` needs only ``log2(d)`` vectorised rounds.
    """
    n = network.nodes
    rows = np.arange(len(sources))[:, None]
    parent = predecessors.astype(np.int64)
    reached = parent >= 0
    parent[~reached] = np.broadcast_to(np.arange(n), parent.shape)[~reached]  # roots point at self
    length = np.zeros(parent.shape, dtype=np.float64)
    length[reached] = _edge_lengths(network, parent[reached], np.nonzero(reached)[1])
    while True:
        grandparent = parent[rows, parent]
        if np.array_equal(grandparent, parent):
            return length
        length += length[rows, parent]
        parent = grandparent


def _edge_lengths(
    network: RoadNetwork, tails: npt.NDArray[np.int64], heads: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Length (m) of the network's edge ``tail -> head`` for each pair, looked up in CSR order."""
    csr = network.length_m
    edge_tails = np.repeat(np.arange(network.nodes, dtype=np.int64), np.diff(csr.indptr))
    keys = edge_tails * network.nodes + csr.indices
    where = np.searchsorted(keys, tails * network.nodes + heads)
    return np.asarray(csr.data, dtype=np.float64)[where]
