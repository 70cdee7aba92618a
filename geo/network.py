"""Road networks per travel mode from OSM extracts, prepared for fast shortest paths.

A network is a set of *nodes* (where ways meet or end) and *edges* (the stretch of one way
between two nodes, with its geometry, road class and a travel time in each direction it is
open). Everything is kept in numpy arrays, so a built network pickles and loads in
milliseconds.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import csgraph

from geo.cache import file_digest
from geo.errors import NetworkBuildError
from geo.geometry import haversine_m
from geo.modes import TravelMode, is_drivable
from geo.road_edges import RawEdges, read_road_edges
from geo.speeds import DRIVE_SPEEDS_KPH, FALLBACK_SPEED_KPH, ModeSpeeds

__all__ = [
    "DRIVE_SPEEDS_KPH",
    "FALLBACK_SPEED_KPH",
    "NETWORK_FORMAT_VERSION",
    "RoadNetwork",
    "build_road_network",
    "is_drivable",
    "network_from_graph",
]

logger = logging.getLogger(__name__)

NETWORK_FORMAT_VERSION = 3
"""Bumped whenever the build rules or the stored layout change, so stale caches are rebuilt."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RoadNetwork:
    """A strongly connected road network of one travel mode.

    Nodes are numbered ``0..nodes-1`` in the order of ``osm_node_ids``. Edge ``k`` runs from
    node ``edge_u[k]`` to ``edge_v[k]`` along the polyline
    ``vertex_lat/lon[vertex_offsets[k]:vertex_offsets[k + 1]]`` (``vertex_along_m``: the
    distance of each vertex from the edge's start); it takes ``edge_forward_s`` seconds
    from ``u`` to ``v`` and ``edge_backward_s`` from ``v`` to ``u`` (``inf``: closed that
    way, a one-way street). ``edge_class`` indexes ``road_classes`` (the OSM ``highway``).

    ``travel_time_s`` and ``length_m`` are CSR adjacency matrices over the nodes with the
    same sparsity: entry ``[u, v]`` is the fastest edge from ``u`` to ``v`` (seconds) and
    that edge's length (metres).

    ``content_hash`` identifies the network's content (mode, speeds, extract), for caches.
    """

    mode: TravelMode
    speeds: ModeSpeeds
    content_hash: str
    osm_node_ids: IntArray
    node_lat: FloatArray
    node_lon: FloatArray
    road_classes: tuple[str, ...]
    edge_u: IntArray
    edge_v: IntArray
    edge_way_id: IntArray
    edge_class: npt.NDArray[np.int16]
    edge_length_m: FloatArray
    edge_forward_s: FloatArray
    edge_backward_s: FloatArray
    vertex_offsets: IntArray
    vertex_lat: FloatArray
    vertex_lon: FloatArray
    vertex_along_m: FloatArray
    travel_time_s: sparse.csr_matrix
    length_m: sparse.csr_matrix
    nodes: int = field(init=False)
    edges: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", len(self.osm_node_ids))
        object.__setattr__(self, "edges", len(self.edge_u))

    def edge_road_class(self, edge: int) -> str:
        """The OSM ``highway`` value of an edge, e.g. ``"residential"``."""
        return self.road_classes[int(self.edge_class[edge])]

    def edge_polyline(self, edge: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """An edge's vertices from ``u`` to ``v``: latitudes, longitudes and the distance
        (metres) of each from ``u``."""
        part = slice(int(self.vertex_offsets[edge]), int(self.vertex_offsets[edge + 1]))
        return self.vertex_lat[part], self.vertex_lon[part], self.vertex_along_m[part]

    def polylines(self, decimals: int = 5) -> list[list[tuple[float, float]]]:
        """Every edge's line as GeoJSON ``(lon, lat)`` pairs, rounded (5 decimals: about a
        metre), to draw the network."""
        lon = np.round(self.vertex_lon, decimals).tolist()
        lat = np.round(self.vertex_lat, decimals).tolist()
        offsets = self.vertex_offsets.tolist()
        return [
            list(
                zip(lon[offsets[k] : offsets[k + 1]], lat[offsets[k] : offsets[k + 1]], strict=True)
            )
            for k in range(self.edges)
        ]

    @property
    def graph(self) -> nx.MultiDiGraph[int]:
        """The network as a networkx graph keyed by OSM node id (built on each access; for
        checks and exploration, not for routing): node ``x``/``y``, edge ``travel_time``
        (s), ``length`` (m), ``highway`` and ``edge`` (the edge index)."""
        graph: nx.MultiDiGraph[int] = nx.MultiDiGraph()
        osm = self.osm_node_ids.tolist()
        for node, (lat, lon) in enumerate(zip(self.node_lat, self.node_lon, strict=True)):
            graph.add_node(osm[node], x=float(lon), y=float(lat))
        for direction in ("forward", "backward"):
            times = self.edge_forward_s if direction == "forward" else self.edge_backward_s
            tails, heads = (
                (self.edge_u, self.edge_v) if direction == "forward" else (self.edge_v, self.edge_u)
            )
            for edge in np.nonzero(np.isfinite(times))[0].tolist():
                graph.add_edge(
                    osm[tails[edge]],
                    osm[heads[edge]],
                    travel_time=float(times[edge]),
                    length=float(self.edge_length_m[edge]),
                    highway=self.edge_road_class(edge),
                    edge=edge,
                )
        return graph


def build_road_network(
    extract: Path, mode: TravelMode = TravelMode.DRIVE, speeds: ModeSpeeds | None = None
) -> RoadNetwork:
    """Build the road network ``mode`` may use from an OSM extract (``.osm.pbf``/``.osm``).

    Which ways a mode may use, in which directions and how fast follow :mod:`geo.modes`
    and :mod:`geo.speeds`. Only the largest strongly connected part is kept, so every node
    reaches every other.

    Parameters
    ----------
    extract
        The OSM extract.
    mode
        The travel mode.
    speeds
        Speeds of walking and cycling (default :class:`ModeSpeeds()`).

    Raises
    ------
    NetworkBuildError
        If the extract holds no road the mode may use.
    """
    speeds = speeds or ModeSpeeds()
    started = time.perf_counter()
    raw = read_road_edges(str(extract), mode, speeds)
    if len(raw.start_ref) == 0:
        msg = f"{extract.name} holds no road for mode {mode.value}"
        raise NetworkBuildError(msg)
    digest = hashlib.sha256(
        f"{file_digest(extract)}|{mode.value}|{speeds.cache_tag()}|{NETWORK_FORMAT_VERSION}".encode()
    ).hexdigest()
    network = _network_from_raw(raw, mode=mode, speeds=speeds, content_hash=digest)
    logger.info(
        "built %s network of %s: %d nodes, %d edges in %.1f s",
        mode.value,
        extract.name,
        network.nodes,
        network.edges,
        time.perf_counter() - started,
    )
    return network


def network_from_graph(
    graph: nx.MultiDiGraph[int], *, mode: TravelMode | str = TravelMode.DRIVE
) -> RoadNetwork:
    """Index a networkx graph whose edges carry ``travel_time`` (s) and ``length`` (m).

    Each directed graph edge becomes a one-way network edge; its geometry is the straight
    line between its nodes unless it carries a shapely ``geometry``, and its road class is
    its ``highway`` attribute (the first one if osmnx merged several). Node attributes
    ``y``/``x`` are latitude/longitude. Only the largest strongly connected part is kept.

    Raises
    ------
    NetworkBuildError
        If the graph has no edges.
    """
    if graph.number_of_edges() == 0:
        msg = "the road graph has no edges"
        raise NetworkBuildError(msg)
    start_ref, end_ref, classes, times, lengths = [], [], [], [], []
    lats: list[float] = []
    lons: list[float] = []
    offsets = [0]
    for u, v, data in graph.edges(data=True):
        start_ref.append(u)
        end_ref.append(v)
        highway = data.get("highway", "")
        classes.append(str(highway[0] if isinstance(highway, list) else highway))
        times.append(float(data["travel_time"]))
        lengths.append(float(data["length"]))
        geometry = data.get("geometry")
        if geometry is not None:
            xs, ys = geometry.xy
            lons.extend(float(x) for x in xs)
            lats.extend(float(y) for y in ys)
        else:
            lons.extend((float(graph.nodes[u]["x"]), float(graph.nodes[v]["x"])))
            lats.extend((float(graph.nodes[u]["y"]), float(graph.nodes[v]["y"])))
        offsets.append(len(lats))
    vertex_offsets = np.asarray(offsets, dtype=np.int64)
    vertex_lat, vertex_lon = np.asarray(lats), np.asarray(lons)
    along = _along_m(vertex_offsets, vertex_lat, vertex_lon)
    # The polyline's own length scales the distances along it, so that they end at the
    # edge's stated length (osmnx rounds lengths; geometries may be simplified).
    length_m = np.asarray(lengths, dtype=np.float64)
    ends = along[vertex_offsets[1:] - 1]
    scale = np.divide(length_m, ends, out=np.ones_like(length_m), where=ends > 0)
    along *= np.repeat(scale, np.diff(vertex_offsets))
    raw = RawEdges(
        start_ref=np.asarray(start_ref, dtype=np.int64),
        end_ref=np.asarray(end_ref, dtype=np.int64),
        way_id=np.full(len(start_ref), -1, dtype=np.int64),
        road_class=classes,
        length_m=length_m,
        forward_s=np.asarray(times, dtype=np.float64),
        backward_s=np.full(len(start_ref), np.inf),
        vertex_offsets=vertex_offsets,
        vertex_lat=vertex_lat,
        vertex_lon=vertex_lon,
        vertex_along_m=along,
    )
    content = hashlib.sha256(str(mode).encode())
    for array in (raw.start_ref, raw.end_ref, raw.length_m, raw.forward_s, vertex_lat, vertex_lon):
        content.update(array.tobytes())
    return _network_from_raw(
        raw, mode=TravelMode(mode), speeds=ModeSpeeds(), content_hash=content.hexdigest()
    )


def _along_m(offsets: IntArray, lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Distance (m) of each vertex from the first vertex of its edge."""
    piece = np.concatenate(([0.0], haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])))
    starts = offsets[:-1]
    piece[starts] = 0.0  # no distance from the previous edge's last vertex
    total = np.cumsum(piece)
    along: FloatArray = total - np.repeat(total[starts], np.diff(offsets))
    return along


def _network_from_raw(
    raw: RawEdges, *, mode: TravelMode, speeds: ModeSpeeds, content_hash: str
) -> RoadNetwork:
    """Number the nodes, keep the largest strongly connected part and index it."""
    osm_ids, ends = np.unique(np.concatenate((raw.start_ref, raw.end_ref)), return_inverse=True)
    count = len(raw.start_ref)
    u, v = ends[:count], ends[count:]
    keep = _in_largest_strong_component(u, v, raw, len(osm_ids))
    used = np.zeros(len(osm_ids), dtype=bool)
    used[u[keep]] = used[v[keep]] = True
    renumber = np.cumsum(used) - 1
    u, v = renumber[u[keep]], renumber[v[keep]]
    edge_ids = np.nonzero(keep)[0]

    node_lat = np.empty(int(used.sum()))
    node_lon = np.empty(int(used.sum()))
    first_vertex = raw.vertex_offsets[edge_ids]
    last_vertex = raw.vertex_offsets[edge_ids + 1] - 1
    node_lat[u], node_lon[u] = raw.vertex_lat[first_vertex], raw.vertex_lon[first_vertex]
    node_lat[v], node_lon[v] = raw.vertex_lat[last_vertex], raw.vertex_lon[last_vertex]

    counts = raw.vertex_offsets[edge_ids + 1] - first_vertex
    vertex_offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    vertex = np.repeat(first_vertex - vertex_offsets[:-1], counts) + np.arange(vertex_offsets[-1])
    road_classes = tuple(sorted({raw.road_class[k] for k in edge_ids.tolist()}))
    class_index = {name: idx for idx, name in enumerate(road_classes)}
    forward_s, backward_s = raw.forward_s[keep], raw.backward_s[keep]
    length_m = raw.length_m[keep]
    travel_time_s, length = _adjacency(u, v, forward_s, backward_s, length_m, len(node_lat))
    return RoadNetwork(
        mode=mode,
        speeds=speeds,
        content_hash=content_hash,
        osm_node_ids=osm_ids[used],
        node_lat=node_lat,
        node_lon=node_lon,
        road_classes=road_classes,
        edge_u=u.astype(np.int64),
        edge_v=v.astype(np.int64),
        edge_way_id=raw.way_id[keep],
        edge_class=np.asarray(
            [class_index[raw.road_class[k]] for k in edge_ids.tolist()], dtype=np.int16
        ),
        edge_length_m=length_m,
        edge_forward_s=forward_s,
        edge_backward_s=backward_s,
        vertex_offsets=vertex_offsets,
        vertex_lat=raw.vertex_lat[vertex],
        vertex_lon=raw.vertex_lon[vertex],
        vertex_along_m=raw.vertex_along_m[vertex],
        travel_time_s=travel_time_s,
        length_m=length,
    )


def _in_largest_strong_component(
    u: IntArray, v: IntArray, raw: RawEdges, nodes: int
) -> npt.NDArray[np.bool_]:
    """Which edges have both ends in the largest strongly connected part of the graph."""
    tails = np.concatenate((u[np.isfinite(raw.forward_s)], v[np.isfinite(raw.backward_s)]))
    heads = np.concatenate((v[np.isfinite(raw.forward_s)], u[np.isfinite(raw.backward_s)]))
    adjacency = sparse.csr_matrix((np.ones(len(tails)), (tails, heads)), shape=(nodes, nodes))
    _, labels = csgraph.connected_components(adjacency, directed=True, connection="strong")
    largest = np.bincount(labels).argmax()
    in_largest = labels == largest
    keep: npt.NDArray[np.bool_] = in_largest[u] & in_largest[v]
    return keep


def _adjacency(
    u: IntArray,
    v: IntArray,
    forward_s: FloatArray,
    backward_s: FloatArray,
    length_m: FloatArray,
    nodes: int,
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """CSR travel-time and length matrices: the fastest edge between each pair of nodes.

    Zero times and lengths are raised to a hundredth so the sparse matrices keep them.
    """
    tails = np.concatenate((u, v))
    heads = np.concatenate((v, u))
    time_s = np.concatenate((forward_s, backward_s))
    lengths = np.concatenate((length_m, length_m))
    open_ = np.isfinite(time_s)
    tails, heads = tails[open_], heads[open_]
    time_s, lengths = np.maximum(time_s[open_], 0.01), np.maximum(lengths[open_], 0.01)
    order = np.lexsort((time_s, heads, tails))
    tails, heads, time_s, lengths = tails[order], heads[order], time_s[order], lengths[order]
    first = np.ones(len(tails), dtype=bool)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    keep = (tails[first], heads[first])
    travel = sparse.csr_matrix((time_s[first], keep), shape=(nodes, nodes))
    length = sparse.csr_matrix((lengths[first], keep), shape=(nodes, nodes))
    travel.sort_indices()
    length.sort_indices()
    return travel, length
