"""Travel times computed the slow, obvious way: brute-force nearest node, networkx Dijkstra.

Used to check the fast path (KD-tree snapping, scipy matrices) from the outside.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx


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
