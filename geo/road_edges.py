"""Read the road edges a travel mode may use from an OSM extract, in one pass.

An edge is the stretch of one OSM way between two *nodes*: way ends and the points where
ways meet. Its geometry keeps every intermediate OSM node, so it follows the road.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import osmium

from geo.geometry import haversine_m
from geo.modes import TravelMode, way_access
from geo.speeds import ModeSpeeds, way_speeds_kph

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class RawEdges:
    """Edges as read from the extract, before keeping only the strongly connected part.

    Edge ``k`` runs from OSM node ``start_ref[k]`` to ``end_ref[k]`` over the vertices
    ``vertex_*[vertex_offsets[k]:vertex_offsets[k + 1]]``; ``forward_s``/``backward_s`` are
    its travel times along and against that order (``inf``: closed that way).
    """

    start_ref: IntArray
    end_ref: IntArray
    way_id: IntArray
    road_class: list[str]
    length_m: FloatArray
    forward_s: FloatArray
    backward_s: FloatArray
    vertex_offsets: IntArray
    vertex_lat: FloatArray
    vertex_lon: FloatArray
    vertex_along_m: FloatArray


@dataclass(slots=True)
class _Ways:
    """The usable ways, their node lists concatenated (one *run* per way)."""

    refs: list[int]
    lats: list[float]
    lons: list[float]
    run_starts: list[int]
    way_id: list[int]
    road_class: list[str]
    forward_kph: list[float]
    backward_kph: list[float]


def read_road_edges(extract: str, mode: TravelMode, speeds: ModeSpeeds) -> RawEdges:
    """Read every way ``mode`` may use and cut it into edges at the nodes ways share.

    Parameters
    ----------
    extract
        Path of an ``.osm.pbf`` or ``.osm`` file whose ways are complete (as extracts are).
    mode, speeds
        The travel mode and the speeds of the modes that do not follow speed limits.
    """
    ways = _read_ways(extract, mode, speeds)
    refs = np.asarray(ways.refs, dtype=np.int64)
    lats = np.asarray(ways.lats, dtype=np.float64)
    lons = np.asarray(ways.lons, dtype=np.float64)
    runs = np.asarray(ways.run_starts, dtype=np.int64)
    run_ends = np.append(runs[1:], len(refs)) - 1
    # A node becomes a graph node where a run starts or ends, or where it is used more than
    # once (ways crossing or touching, or a way passing itself).
    _, inverse, counts = np.unique(refs, return_inverse=True, return_counts=True)
    is_node = counts[inverse] > 1
    is_node[runs] = True
    is_node[run_ends] = True
    cuts = np.nonzero(is_node)[0]
    run_of_vertex = np.repeat(np.arange(len(runs)), np.diff(np.append(runs, len(refs))))
    same_run = run_of_vertex[cuts[:-1]] == run_of_vertex[cuts[1:]]
    start, end = cuts[:-1][same_run], cuts[1:][same_run]
    run = run_of_vertex[start]

    piece_m = haversine_m(lats[:-1], lons[:-1], lats[1:], lons[1:])
    along_all = np.concatenate(([0.0], np.cumsum(piece_m)))
    length_m = along_all[end] - along_all[start]
    counts_per_edge = end - start + 1
    vertex_offsets = np.concatenate(([0], np.cumsum(counts_per_edge)))
    vertex = np.repeat(start - vertex_offsets[:-1], counts_per_edge) + np.arange(vertex_offsets[-1])
    along = along_all[vertex] - np.repeat(along_all[start], counts_per_edge)
    forward_kph = np.asarray(ways.forward_kph, dtype=np.float64)[run]
    backward_kph = np.asarray(ways.backward_kph, dtype=np.float64)[run]
    forward_s = _travel_time_s(length_m, forward_kph)
    backward_s = _travel_time_s(length_m, backward_kph)
    return RawEdges(
        start_ref=refs[start],
        end_ref=refs[end],
        way_id=np.asarray(ways.way_id, dtype=np.int64)[run],
        road_class=[ways.road_class[r] for r in run.tolist()],
        length_m=length_m,
        forward_s=forward_s,
        backward_s=backward_s,
        vertex_offsets=vertex_offsets.astype(np.int64),
        vertex_lat=lats[vertex],
        vertex_lon=lons[vertex],
        vertex_along_m=along,
    )


def _travel_time_s(length_m: FloatArray, speed_kph: FloatArray) -> FloatArray:
    """Seconds to cover each length at each speed; ``inf`` where the speed is 0 (closed)."""
    time_s = np.full(len(length_m), np.inf)
    open_ = speed_kph > 0
    time_s[open_] = length_m[open_] / (speed_kph[open_] / 3.6)
    return time_s


def _read_ways(extract: str, mode: TravelMode, speeds: ModeSpeeds) -> _Ways:
    """Collect the ways ``mode`` may use, with their node locations and speeds (km/h;
    0 for a closed direction). A way with a node missing from the extract is cut there."""
    ways = _Ways([], [], [], [], [], [], [], [])
    # Node locations are cached for the ways; the filter then hands over only highways.
    processor = (
        osmium.FileProcessor(extract, osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for obj in processor:
        if not isinstance(obj, osmium.osm.Way):
            continue
        tags = obj.tags
        access = way_access(tags, mode)
        if access is None:
            continue
        forward_kph, backward_kph = way_speeds_kph(tags, mode, access, speeds)
        forward_kph = forward_kph if access.forward else 0.0
        backward_kph = backward_kph if access.backward else 0.0
        previous = None
        run_length = 0
        for node in obj.nodes:
            location = node.location
            if not location.valid():
                previous, run_length = None, _close_run(ways, run_length)
                continue
            if node.ref == previous:  # a repeated node adds nothing
                continue
            if run_length == 0:
                ways.run_starts.append(len(ways.refs))
                ways.way_id.append(obj.id)
                ways.road_class.append(tags.get("highway") or "")
                ways.forward_kph.append(forward_kph)
                ways.backward_kph.append(backward_kph)
            ways.refs.append(node.ref)
            ways.lats.append(location.lat)
            ways.lons.append(location.lon)
            previous = node.ref
            run_length += 1
        _close_run(ways, run_length)
    return ways


def _close_run(ways: _Ways, run_length: int) -> int:
    """End the current run; a run of one node is no road and is dropped. Returns 0."""
    if run_length == 1:
        ways.refs.pop()
        ways.lats.pop()
        ways.lons.pop()
        ways.run_starts.pop()
        ways.way_id.pop()
        ways.road_class.pop()
        ways.forward_kph.pop()
        ways.backward_kph.pop()
    return 0
