"""Travel-time and distance matrices between snapped places, one Dijkstra tree per source.

A place on an edge (a :class:`~geo.snap.Snap`) becomes, for routing *from* it, a virtual
node with edges to the ends of its edge that it may drive to (one on a one-way street);
routing *to* it ends at either end of its edge plus the share of the edge up to it. Two
places on the same edge may also go straight along it. The virtual nodes have no incoming
edges, so the other sources' trees never visit them and the Dijkstra runs cost what they
would on the bare road graph.

Each edge weight is an exact integer ``time_ms * 2**k + length_cm`` (see
:func:`composite_shift`), so one scipy Dijkstra per source yields the fastest time and the
length of that same path (the shortest among equally fast ones), with no second pass. The
bits are checked after the run; where the bound fails (a continent-sized graph) the times
are routed alone and the lengths summed along each shortest-path tree instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from geo.dijkstra import RowRequest, Rows, auto_workers, dijkstra_rows
from geo.errors import UnreachableError
from geo.legs import LegRouter
from geo.matrix_cache import MatrixCache
from geo.network import RoadNetwork
from geo.places import Places, resolve_places
from geo.routing_graph import RoutingGraph, routing_graph
from geo.snap import Snap
from geo.speeds import SpeedFactors
from geo.weights import CLOSED, EdgeWeights, edge_weights

__all__ = ["COMPOSITE_LIMIT", "MatrixCache", "TravelMatrices", "travel_matrices"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

COMPOSITE_LIMIT = 2.0**52
"""Composite path weights must stay below this, a bit under float64's 2**53 exact integers,
so that every partial sum in Dijkstra is exact."""

_CHUNK_BYTES = 96 * 2**20
"""Memory for one batch of Dijkstra rows (distances and predecessors)."""

_PREDECESSOR_BYTES = 256 * 2**20
"""Predecessor rows kept for route geometry up to this size; beyond, rows are recomputed
(one Dijkstra each) when a leg's geometry is asked for."""

Method = Literal["auto", "composite", "tree"]


@dataclass(frozen=True, slots=True, eq=False)
class TravelMatrices:
    """Square matrices over the requested places, in request order (not symmetric).

    ``time_s[i, j]`` is the fastest travel time from place ``i`` to place ``j`` rounded up
    to whole seconds (rounding up keeps the triangle inequality), and ``distance_m[i, j]``
    the length of that same fastest path in whole metres.
    """

    time_s: npt.NDArray[np.int64]
    distance_m: npt.NDArray[np.int64]
    _legs: LegRouter | None = field(default=None, repr=False)

    def leg_coordinates(self, i: int, j: int) -> list[tuple[float, float]]:
        """The road path from place ``i`` to place ``j`` as GeoJSON LineString coordinates.

        Returns
        -------
        list
            ``(lon, lat)`` pairs following the edges' geometries, starting at place ``i``'s
            on-road point and ending at place ``j``'s (at least two pairs; a leg between
            equal places is that point twice).
        """
        if self._legs is None:
            msg = "these matrices carry no routes"
            raise ValueError(msg)
        return self._legs.coordinates(i, j)


def travel_matrices(
    network: RoadNetwork,
    places: Sequence[Snap | int],
    *,
    factors: SpeedFactors | None = None,
    hours: Iterable[int] | None = None,
    cache: MatrixCache | None = None,
    method: Method = "auto",
    workers: int | None = None,
) -> TravelMatrices:
    """Compute the travel matrices between places on ``network``.

    Parameters
    ----------
    network
        The road network (of one travel mode).
    places
        Snaps from an :class:`~geo.snap.EdgeLocator` of this network, or node indices
        (which route from and to that node).
    factors, hours
        Optional speed factors per road class and hour, and the hours (0-23) the trips
        happen in (``None``: the whole day): each edge is slowed by its class's mean factor
        over those hours (see :class:`~geo.speeds.SpeedFactors`).
    cache
        Where to look the result up first and store it after.
    method
        ``"auto"`` (composite weights, checked, else tree sums); ``"composite"`` or
        ``"tree"`` force one, for benchmarks and tests (a forced composite whose bound
        fails raises ``OverflowError``).
    workers
        Processes to share the Dijkstra runs (the sources split between them; the result
        is the same); None: one, unless the matrices are big enough for more to pay (see
        :func:`geo.dijkstra.auto_workers`).

    Raises
    ------
    UnreachableError
        If some place cannot reach another (impossible on a strongly connected network).
    ValueError
        If a snap comes from another network.
    """
    hour_list = None if hours is None else tuple(sorted(set(hours)))
    weights = edge_weights(network, factors, hour_list)
    key = (network.mode, network.content_hash, weights.key, tuple(places), method)
    if cache is not None and (hit := cache.get(key)) is not None:
        return hit
    result = _compute(network, weights, resolve_places(network, weights, places), method, workers)
    if cache is not None:
        cache.put(key, result, _size_bytes(result))
    return result


def length_per_time(weights: EdgeWeights) -> float:
    """The largest length (cm) per time (ms) of any open edge direction: ``c`` below."""
    times = np.concatenate((weights.forward_ms, weights.backward_ms))
    lengths = np.concatenate((weights.length_cm, weights.length_cm))
    open_ = times != CLOSED
    return float(np.max(lengths[open_] / times[open_], initial=1e-6))


def composite_shift(ratio: float) -> int:
    """Bits ``k`` to shift times by, so that ``time_ms * 2**k + length_cm`` keeps both.

    With ``c = ratio`` the largest length per time of any whole edge, a path of ``T`` ms is
    at most ``c * (T + 1)`` cm long (the +1 covers the rounding of the partial edges at
    its two ends, each at most half a millisecond short). ``k`` splits the bits so that
    whenever a composite stays below :data:`COMPOSITE_LIMIT`, its length fits below
    ``2**k``; :func:`_composite_ok` checks this after the run. For cars (``c`` about
    3.6 cm/ms at 130 km/h) that is ``k = 27``: paths up to 2**25 ms, over 9 hours, which
    covers any regional graph; walking networks get far more.
    """
    # The smallest k with c * 2**(52 - k) < 2**k: times up to 2**(52 - k) ms then fit.
    return max(1, math.floor((math.log2(COMPOSITE_LIMIT) + math.log2(ratio)) / 2) + 1)


def _composite_ok(shift: int, ratio: float, largest: float) -> bool:
    """Whether composites up to ``largest`` decode exactly (time in the high bits, length
    below ``2**shift``)."""
    if not largest < COMPOSITE_LIMIT:
        return False
    capacity = float(1 << shift)
    return ratio * (largest / capacity + 1) < capacity


def _compute(
    network: RoadNetwork,
    weights: EdgeWeights,
    places: Places,
    method: Method,
    workers: int | None,
) -> TravelMatrices:
    count = len(places.position)
    if count == 0:
        empty = np.zeros((0, 0), dtype=np.int64)
        return TravelMatrices(empty, empty.copy())
    graph = routing_graph(network, weights, places)
    ratio = length_per_time(weights)
    shift = composite_shift(ratio)
    outcome = None
    if method in ("auto", "composite"):
        outcome = _route_composite(graph, places, shift, ratio, workers)
        if outcome is None and method == "composite":
            msg = "composite weights overflow on this graph"
            raise OverflowError(msg)
    if outcome is None:
        outcome = _route_tree(graph, places, workers)
    time_ms, length_cm, choice, predecessors, routing_weight = outcome
    _apply_direct(places, time_ms, length_cm, choice)
    if (time_ms < 0).any():
        src, dst = np.argwhere(time_ms < 0)[0]
        msg = f"place {dst} cannot be reached from place {src}"
        raise UnreachableError(msg)
    grid = np.ix_(places.position, places.position)
    legs = LegRouter(
        network=network,
        graph=graph,
        places=places,
        choice=choice,
        predecessors=predecessors,
        routing_weight=routing_weight,
    )
    return TravelMatrices(
        time_s=((time_ms + 999) // 1000)[grid],
        distance_m=((length_cm + 50) // 100)[grid],
        _legs=legs,
    )


_Outcome = tuple[IntArray, IntArray, npt.NDArray[np.int8], npt.NDArray[np.int32] | None, FloatArray]


def _route_composite(
    graph: RoutingGraph, places: Places, shift: int, ratio: float, workers: int | None
) -> _Outcome | None:
    """Route on composite weights; ``None`` if the composites do not decode exactly."""
    scale = float(1 << shift)
    weight = np.asarray(graph.time_ms * scale + graph.length_cm, dtype=np.float64)
    entry_cost = places.entry_ms * scale + places.entry_cm
    rows = _dijkstra_rows(graph, weight, places, workers=workers)
    reached, predecessors = rows.at_entries, rows.predecessors
    total = reached + entry_cost[None, :, :]
    choice = np.argmin(total, axis=2).astype(np.int8)
    best = np.take_along_axis(total, choice[:, :, None].astype(np.intp), axis=2)[:, :, 0]
    finite = np.isfinite(best)
    if not _composite_ok(shift, ratio, float(best[finite].max(initial=0.0))):
        return None
    time_ms: IntArray = np.full(best.shape, -1, dtype=np.int64)
    length_cm: IntArray = np.zeros(best.shape, dtype=np.int64)
    exact = best[finite].astype(np.int64)
    time_ms[finite] = exact >> shift
    length_cm[finite] = exact & ((1 << shift) - 1)
    return time_ms, length_cm, choice, predecessors, weight


def _route_tree(graph: RoutingGraph, places: Places, workers: int | None) -> _Outcome:
    """Route on times alone; lengths are summed along each source's shortest-path tree."""
    weight = graph.time_ms.astype(np.float64)
    rows = _dijkstra_rows(graph, weight, places, tree_lengths=True, workers=workers)
    assert rows.lengths_at_entries is not None
    time_total = rows.at_entries + places.entry_ms[None, :, :]
    length_total = rows.lengths_at_entries + places.entry_cm[None, :, :]
    # The fastest entry; between equally fast ones, the shorter.
    time_0, time_1 = time_total[:, :, 0], time_total[:, :, 1]
    second = (time_1 < time_0) | (
        (time_1 == time_0) & (length_total[:, :, 1] < length_total[:, :, 0])
    )
    choice = second.astype(np.int8)
    pick = choice[:, :, None].astype(np.intp)
    best_time = np.take_along_axis(time_total, pick, axis=2)[:, :, 0]
    best_length = np.take_along_axis(length_total, pick, axis=2)[:, :, 0]
    finite = np.isfinite(best_time)
    time_ms = np.where(finite, best_time, -1).astype(np.int64)
    length_cm = np.where(finite, best_length, 0).astype(np.int64)
    return time_ms, length_cm, choice, rows.predecessors, weight


def _dijkstra_rows(
    graph: RoutingGraph,
    weight: FloatArray,
    places: Places,
    *,
    tree_lengths: bool = False,
    workers: int | None = None,
) -> Rows:
    """One Dijkstra tree per place, in batches, on ``workers`` processes (None: as many as
    :func:`~geo.dijkstra.auto_workers` finds worth it); keeps what the matrices and legs
    need."""
    sources = graph.source_node
    count = len(sources)
    # Per row: distances and predecessors (12 bytes a node); summing tree lengths also
    # holds parents, grandparents and lengths (about 64 bytes a node).
    row_bytes = graph.nodes * (64 if tree_lengths else 12)
    request = RowRequest(
        graph=graph,
        weight=weight,
        entries=np.where(places.entry_node >= 0, places.entry_node, 0),
        missing=places.entry_node < 0,
        keep_predecessors=count * graph.nodes * 4 <= _PREDECESSOR_BYTES,
        tree_lengths=tree_lengths,
        batch=max(1, min(count, _CHUNK_BYTES // row_bytes)),
    )
    if workers is None:
        workers = auto_workers(count, graph.nodes)
    return dijkstra_rows(request, sources, workers)


def _apply_direct(
    places: Places, time_ms: IntArray, length_cm: IntArray, choice: npt.NDArray[np.int8]
) -> None:
    """Let places on the same edge go straight along it where that is faster, and give a
    place to itself zero."""
    for a, b, direct_ms, direct_cm in places.direct_pairs():
        current = (time_ms[a, b], length_cm[a, b])
        if time_ms[a, b] < 0 or (direct_ms, direct_cm) < current:
            time_ms[a, b], length_cm[a, b] = direct_ms, direct_cm
            choice[a, b] = LegRouter.DIRECT
    diagonal = np.arange(len(time_ms))
    time_ms[diagonal, diagonal] = 0
    length_cm[diagonal, diagonal] = 0
    choice[diagonal, diagonal] = LegRouter.SAME


def _size_bytes(matrices: TravelMatrices) -> int:
    size = matrices.time_s.nbytes + matrices.distance_m.nbytes
    if matrices._legs is not None:
        size += matrices._legs.size_bytes()
    return size
