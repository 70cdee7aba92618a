"""Travel times computed the slow, obvious way: brute force and networkx Dijkstra.

Used to check the fast path (STRtree snapping, scipy matrices with virtual source nodes)
from the outside. The oracle splits every snapped edge into real parts in a networkx graph
and runs networkx's Dijkstra on it, ordering paths by time, then length, as exact Python
integers; it shares only the edge weights (:func:`geo.weights.edge_weights`, the definition
of "the same weighted graph") with the code under test.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
import shapely

from geo import RoadNetwork, Snap
from geo.geometry import LocalProjection
from geo.weights import CLOSED, EdgeWeights

LENGTH_BITS = 40
"""Oracle path order: time first, then length (no real path is 2**40 cm long)."""


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_009.0 * math.asin(math.sqrt(h))


def nearest_node(graph: nx.MultiDiGraph[int], lat: float, lon: float) -> int:
    """The graph node closest to the point, by checking every node."""
    nearest: int = min(
        graph.nodes, key=lambda n: haversine_m(lat, lon, graph.nodes[n]["y"], graph.nodes[n]["x"])
    )
    return nearest


def fastest_leg(graph: nx.MultiDiGraph[int], source: int, target: int) -> tuple[float, float]:
    """Travel time (s) and length (m) of the fastest path between two nodes."""
    path = nx.dijkstra_path(graph, source, target, weight="travel_time")
    time_s = length_m = 0.0
    for u, v in itertools.pairwise(path):
        edge = min(graph[u][v].values(), key=lambda data: data["travel_time"])
        time_s += edge["travel_time"]
        length_m += edge["length"]
    return time_s, length_m


def weighted_graph(network: RoadNetwork, weights: EdgeWeights) -> nx.MultiDiGraph[int]:
    """The network's open edge directions as a networkx graph on node indices, each with
    integer ``ms`` and ``cm``."""
    graph: nx.MultiDiGraph[int] = nx.MultiDiGraph()
    graph.add_nodes_from(range(network.nodes))
    for edge in range(network.edges):
        u, v = int(network.edge_u[edge]), int(network.edge_v[edge])
        length = int(weights.length_cm[edge])
        if weights.forward_ms[edge] != CLOSED:
            graph.add_edge(u, v, key=(edge, True), ms=int(weights.forward_ms[edge]), cm=length)
        if weights.backward_ms[edge] != CLOSED:
            graph.add_edge(v, u, key=(edge, False), ms=int(weights.backward_ms[edge]), cm=length)
    return graph


def _share(part_cm: int, total_ms: int, length_cm: int) -> int:
    """Milliseconds of the first ``part_cm`` of an edge: proportional, rounded half up."""
    return (2 * part_cm * total_ms + length_cm) // (2 * length_cm)


def split_at_snaps(
    graph: nx.MultiDiGraph[int],
    network: RoadNetwork,
    weights: EdgeWeights,
    snaps: Sequence[Snap],
) -> list[int]:
    """Cut the snapped edges of ``graph`` (in place) at the snaps, returning each snap's
    node: a new node for a snap inside an edge, the end node for one at an end (to the
    centimetre)."""
    by_edge: dict[int, set[int]] = {}
    for snap in snaps:
        length = int(weights.length_cm[snap.edge])
        by_edge.setdefault(snap.edge, set()).add(min(max(round(snap.offset_m * 100), 0), length))
    node_at: dict[tuple[int, int], int] = {}
    next_node = network.nodes
    for edge, offsets in by_edge.items():
        u, v = int(network.edge_u[edge]), int(network.edge_v[edge])
        length = int(weights.length_cm[edge])
        chain = [(0, u)]
        for offset in sorted(offsets - {0, length}):
            chain.append((offset, next_node))
            next_node += 1
        chain.append((length, v))
        for offset, node in chain:
            node_at[edge, offset] = node
        forward, backward = int(weights.forward_ms[edge]), int(weights.backward_ms[edge])
        if forward != CLOSED:
            graph.remove_edge(u, v, key=(edge, True))
            for (a, node_a), (b, node_b) in itertools.pairwise(chain):
                ms = _share(b, forward, length) - _share(a, forward, length)
                graph.add_edge(node_a, node_b, key=(edge, True), ms=ms, cm=b - a)
        if backward != CLOSED:
            graph.remove_edge(v, u, key=(edge, False))
            for (a, node_a), (b, node_b) in itertools.pairwise(chain):
                ms = _share(length - a, backward, length) - _share(length - b, backward, length)
                graph.add_edge(node_b, node_a, key=(edge, False), ms=ms, cm=b - a)
    return [
        node_at[s.edge, min(max(round(s.offset_m * 100), 0), int(weights.length_cm[s.edge]))]
        for s in snaps
    ]


def _order(data: dict[str, Any]) -> int:
    """Parallel edges: the fastest, then shortest."""
    return min(int(d["ms"]) << LENGTH_BITS | int(d["cm"]) for d in data.values())


def fastest_from(
    graph: nx.MultiDiGraph[int], source: int, targets: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """Time (ms) and length (cm) of the fastest path (the shortest of equally fast ones)
    from ``source`` to each target."""
    order = nx.single_source_dijkstra_path_length(
        graph, source, weight=lambda _u, _v, data: _order(data)
    )
    mask = (1 << LENGTH_BITS) - 1
    # networkx adds the weights as given: Python integers, exact at any size.
    return {t: (int(order[t]) >> LENGTH_BITS, int(order[t]) & mask) for t in targets}


def nearest_edge_m(
    network: RoadNetwork, lat: float, lon: float, excluded: frozenset[str] = frozenset()
) -> float:
    """Distance (m, in a plane centred on the point) from the point to the nearest edge, by
    checking every edge not of an excluded road class."""
    projection = LocalProjection(lat, lon)
    edges = [e for e in range(network.edges) if network.edge_road_class(e) not in excluded]
    counts = np.diff(network.vertex_offsets)[edges]
    vertices = np.concatenate(
        [np.arange(network.vertex_offsets[e], network.vertex_offsets[e + 1]) for e in edges]
    )
    x, y = projection.to_xy(network.vertex_lat[vertices], network.vertex_lon[vertices])
    lines = shapely.linestrings(
        np.column_stack((x, y)), indices=np.repeat(np.arange(len(edges)), counts)
    )
    return float(shapely.distance(lines, shapely.Point(0.0, 0.0)).min())
