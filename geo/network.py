"""Drivable road networks from OSM extracts, prepared for fast shortest paths."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import numpy.typing as npt
import osmium
import osmnx as ox
from scipy import sparse

from geo.cache import file_digest, load_or_build
from geo.errors import NetworkBuildError

logger = logging.getLogger(__name__)

NETWORK_FORMAT_VERSION = 2
"""Bumped whenever the build rules change, so stale caches are rebuilt, not reused."""

DRIVE_SPEEDS_KPH: dict[str, float] = {
    "motorway": 100,
    "motorway_link": 60,
    "trunk": 80,
    "trunk_link": 50,
    "primary": 60,
    "primary_link": 40,
    "secondary": 50,
    "secondary_link": 40,
    "tertiary": 45,
    "tertiary_link": 35,
    "unclassified": 35,
    "road": 30,
    "residential": 30,
    "living_street": 10,
    "service": 15,
}
"""Speed (km/h) per OSM road class, used where an edge has no usable ``maxspeed`` tag."""

FALLBACK_SPEED_KPH = 30.0
"""Speed (km/h) for road classes missing from the table above."""

_NOT_DRIVABLE_HIGHWAYS = frozenset(
    [
        "abandoned",
        "bridleway",
        "bus_guideway",
        "busway",
        "construction",
        "corridor",
        "cycleway",
        "elevator",
        "escalator",
        "footway",
        "no",
        "path",
        "pedestrian",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "steps",
        "track",
        "via_ferrata",
        "bus_stop",
    ]
)
_NOT_DRIVABLE_SERVICES = frozenset(
    [
        "parking_aisle",
        "parking",
        "driveway",
        "emergency_access",
        "drive-through",
        "private",
        "alley",
    ]
)
_CAR_ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")
"""OSM access keys that apply to a car, most specific first: the first one present decides
(``motor_vehicle=no`` with ``motorcar=yes`` is open to cars, which osmnx's filter misses)."""

_NO_ACCESS = frozenset(
    {"no", "private", "agricultural", "forestry", "agricultural;forestry", "emergency", "military"}
)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RoadNetwork:
    """A strongly connected road graph and its arrays for shortest paths.

    Nodes are numbered ``0..n-1`` in the order of ``osm_node_ids``. ``travel_time_s`` and
    ``length_m`` are CSR adjacency matrices with the same sparsity: entry ``[u, v]`` is the
    fastest edge from ``u`` to ``v`` (seconds) and that edge's length (metres).
    """

    mode: str
    graph: nx.MultiDiGraph[int]
    osm_node_ids: npt.NDArray[np.int64]
    node_lat: npt.NDArray[np.float64]
    node_lon: npt.NDArray[np.float64]
    travel_time_s: sparse.csr_matrix
    length_m: sparse.csr_matrix
    nodes: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", len(self.osm_node_ids))


def is_drivable(tags: Mapping[str, str] | osmium.osm.TagList) -> bool:
    """Whether a way with these OSM tags is open to cars: osmnx's ``drive`` rules, with
    access tags read by specificity, plus public service roads, which home visits need."""
    highway = tags.get("highway")
    if highway is None or highway in _NOT_DRIVABLE_HIGHWAYS or tags.get("area") == "yes":
        return False
    access = next((tags[key] for key in _CAR_ACCESS_KEYS if key in tags), None)
    if access in _NO_ACCESS:
        return False
    return not (highway == "service" and tags.get("service") in _NOT_DRIVABLE_SERVICES)


def build_road_network(extract: Path) -> RoadNetwork:
    """Build the drivable network of an OSM extract (``.osm.pbf`` or ``.osm``).

    Drivable ways and the nodes they use are copied to a temporary OSM XML file, which osmnx
    loads and simplifies. Edge speeds come from ``maxspeed`` tags, else
    :data:`DRIVE_SPEEDS_KPH`. Only the largest strongly connected part is kept, so every
    node reaches every other.

    Raises
    ------
    NetworkBuildError
        If the extract holds no drivable road.
    """
    with tempfile.TemporaryDirectory() as tmp:
        xml_path = Path(tmp) / "drive.osm"
        ways = 0
        with osmium.BackReferenceWriter(str(xml_path), ref_src=str(extract)) as writer:
            for way in osmium.FileProcessor(str(extract), osmium.osm.WAY):
                if is_drivable(way.tags):
                    writer.add_way(way)
                    ways += 1
        if ways == 0:
            msg = f"{extract.name} holds no drivable road"
            raise NetworkBuildError(msg)
        graph = ox.graph_from_xml(xml_path, simplify=True, retain_all=True)
    graph = ox.truncate.largest_component(graph, strongly=True)
    graph = ox.routing.add_edge_speeds(
        graph, hwy_speeds=DRIVE_SPEEDS_KPH, fallback=FALLBACK_SPEED_KPH
    )
    graph = ox.routing.add_edge_travel_times(graph)
    logger.info("built drive network: %d nodes, %d edges", len(graph), graph.number_of_edges())
    return network_from_graph(graph, mode="drive")


def network_from_graph(graph: nx.MultiDiGraph[int], *, mode: str) -> RoadNetwork:
    """Index a graph whose edges carry ``travel_time`` (s) and ``length`` (m) attributes.

    Parallel edges collapse to the fastest one. Zero-length and zero-time edges are raised
    to a hundredth so the sparse matrices keep them as edges.
    """
    osm_ids = np.fromiter(graph.nodes, dtype=np.int64, count=len(graph))
    position = {osm_id: idx for idx, osm_id in enumerate(osm_ids.tolist())}
    edges = [
        (position[u], position[v], float(data["travel_time"]), float(data["length"]))
        for u, v, data in graph.edges(data=True)
    ]
    if not edges:
        msg = "the road graph has no edges"
        raise NetworkBuildError(msg)
    table = np.array(edges, dtype=np.float64)
    src, dst = table[:, 0].astype(np.int64), table[:, 1].astype(np.int64)
    time_s, length_m = np.maximum(table[:, 2], 0.01), np.maximum(table[:, 3], 0.01)
    # Sort by (source, target, time) and keep the first of each pair: the fastest edge.
    order = np.lexsort((time_s, dst, src))
    src, dst, time_s, length_m = src[order], dst[order], time_s[order], length_m[order]
    first = np.ones(len(src), dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    n = len(osm_ids)
    shape = (n, n)
    keep = (src[first], dst[first])
    travel_time_s = sparse.csr_matrix((time_s[first], keep), shape=shape)
    length = sparse.csr_matrix((length_m[first], keep), shape=shape)
    travel_time_s.sort_indices()  # geo.matrix looks edges up by binary search
    length.sort_indices()
    return RoadNetwork(
        mode=mode,
        graph=graph,
        osm_node_ids=osm_ids,
        node_lat=np.array([graph.nodes[i]["y"] for i in osm_ids.tolist()], dtype=np.float64),
        node_lon=np.array([graph.nodes[i]["x"] for i in osm_ids.tolist()], dtype=np.float64),
        travel_time_s=travel_time_s,
        length_m=length,
    )


def load_or_build_road_network(extract: Path, cache_dir: Path) -> tuple[RoadNetwork, bool]:
    """Load the extract's drivable network from ``cache_dir``, building it on first use.

    The cache file is named by the extract's content hash, so a changed extract is rebuilt.

    Returns
    -------
    tuple
        The network, and whether it was built now (``True``) rather than loaded.
    """
    digest = file_digest(extract)[:16]
    cache_path = cache_dir / f"network-drive-{digest}-v{NETWORK_FORMAT_VERSION}.pkl"
    return load_or_build(cache_path, lambda: build_road_network(extract))
