"""Dijkstra trees from many sources, in batches that bound memory, optionally with the
sources split across processes.

Each source's tree is independent of the others, so the sources can be cut into slices and
each slice routed in its own process on a copy of the graph; the rows come back in source
order and are exactly those one process would compute. Worth it for big matrices only:
starting the processes and shipping the graph and the rows cost a fixed part of a second.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csgraph

from geo.routing_graph import RoutingGraph

FloatArray = npt.NDArray[np.float64]

PARALLEL_MIN_WORK = 100_000_000
"""Trees times nodes above which splitting the sources across processes pays. Measured with
bench/city_scale.py on the 2-core machine: starting the processes (forkserver, importing
the package) takes 1-4 s, one process grows about 10-20 million tree nodes a second, so
below about 5 s of work (2,000 places on a 5,000-node graph is 10 million) one process is
faster."""

MAX_WORKERS = 4
"""Most processes one matrix request starts on its own."""


@dataclass(slots=True)
class Rows:
    """What the matrices and legs need of the trees, one row per source."""

    at_entries: FloatArray
    """Distance from each source place to each target place's entry nodes (S, U, 2)."""
    lengths_at_entries: FloatArray | None
    """Length (cm) along each tree to the same entries (tree mode only)."""
    predecessors: npt.NDArray[np.int32] | None
    """Each tree's predecessor of every node, when kept (for leg geometry)."""


@dataclass(frozen=True, slots=True, eq=False)
class RowRequest:
    """Which trees to grow and what to keep of them.

    ``entries`` are the target places' entry nodes (U, 2; ``missing`` where there is no
    such entry); ``batch`` the most trees held in memory at once.
    """

    graph: RoutingGraph
    weight: FloatArray
    entries: npt.NDArray[np.int64]
    missing: npt.NDArray[np.bool_]
    keep_predecessors: bool
    tree_lengths: bool
    batch: int


def auto_workers(sources: int, nodes: int) -> int:
    """Processes worth using for ``sources`` trees over ``nodes`` nodes: one below
    :data:`PARALLEL_MIN_WORK`, else up to :data:`MAX_WORKERS` of the machine's cores."""
    if sources * nodes < PARALLEL_MIN_WORK:
        return 1
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0)), sources))


def dijkstra_rows(request: RowRequest, sources: npt.NDArray[np.int64], workers: int = 1) -> Rows:
    """One tree per source node, the sources split into ``workers`` slices each routed in
    its own process (1: all in this one)."""
    workers = max(1, min(workers, len(sources)))
    if workers == 1:
        return source_rows(request, sources)
    slices = np.array_split(sources, workers)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        parts = list(pool.map(source_rows, [request] * workers, slices))
    lengths = [p.lengths_at_entries for p in parts]
    predecessors = [p.predecessors for p in parts]
    return Rows(
        at_entries=np.concatenate([p.at_entries for p in parts]),
        lengths_at_entries=None if lengths[0] is None else np.concatenate(lengths),  # type: ignore[arg-type]
        predecessors=None if predecessors[0] is None else np.concatenate(predecessors),  # type: ignore[arg-type]
    )


def source_rows(request: RowRequest, sources: npt.NDArray[np.int64]) -> Rows:
    """The trees of ``sources`` in this process, :attr:`RowRequest.batch` at a time."""
    graph = request.graph
    matrix = graph.matrix(request.weight)
    entries, missing = request.entries, request.missing
    count = len(sources)
    predecessors = (
        np.empty((count, graph.nodes), dtype=np.int32) if request.keep_predecessors else None
    )
    at_entries = np.empty((count, *entries.shape), dtype=np.float64)
    lengths = np.empty_like(at_entries) if request.tree_lengths else None
    for start in range(0, count, request.batch):
        rows = slice(start, min(start + request.batch, count))
        if predecessors is not None or lengths is not None:
            dist, pred = csgraph.dijkstra(
                matrix, directed=True, indices=sources[rows], return_predecessors=True
            )
            if predecessors is not None:
                predecessors[rows] = pred
        else:
            dist = csgraph.dijkstra(matrix, directed=True, indices=sources[rows])
        reached = dist[:, entries]
        reached[:, missing] = np.inf
        at_entries[rows] = reached
        if lengths is not None:
            along = tree_lengths(graph, pred)[:, entries]
            along[:, missing] = np.inf
            lengths[rows] = along
    return Rows(at_entries, lengths, predecessors)


def tree_lengths(graph: RoutingGraph, predecessors: npt.NDArray[np.int32]) -> FloatArray:
    """Length (cm) from each row's source to every node along its shortest-path tree.

    Pointer jumping: each node holds the length up to its current ancestor, and each round
    adds the ancestor's own length and jumps to the ancestor's ancestor, so a tree of depth
    ``d`` needs only ``log2(d)`` vectorised rounds.
    """
    n = graph.nodes
    rows = np.arange(predecessors.shape[0])[:, None]
    parent = predecessors.astype(np.int64)
    reached = parent >= 0
    parent[~reached] = np.broadcast_to(np.arange(n), parent.shape)[~reached]
    length = np.zeros(parent.shape, dtype=np.float64)
    tails = parent[reached]
    heads = np.nonzero(reached)[1]
    keys = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.indptr)) * n + graph.indices
    where = np.searchsorted(keys, tails * n + heads)
    length[reached] = graph.length_cm[where]
    while True:
        grandparent = parent[rows, parent]
        if np.array_equal(grandparent, parent):
            return length
        length += length[rows, parent]
        parent = grandparent
