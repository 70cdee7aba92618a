"""Snapping points onto the nearest usable road edge."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from geo import EdgeLocator, LatLon, RoadNetwork, network_from_graph
from geo.geometry import interpolate
from tests.road_oracle import haversine_m, nearest_edge_m, nearest_node

SCHLOSSSTRASSE_EDGE_M = 1000
"""Schlossstrasse (Vaduz) has a drive edge over a kilometre long without a junction."""


def _random_points(count: int, seed: int) -> list[LatLon]:
    rng = np.random.default_rng(seed)
    lats, lons = rng.uniform(47.10, 47.22, count), rng.uniform(9.50, 9.56, count)
    return [LatLon(float(lat), float(lon)) for lat, lon in zip(lats, lons, strict=True)]


def test_snap_finds_the_nearest_edge_and_the_point_on_it(
    walk_network: RoadNetwork, walk_locator: EdgeLocator
) -> None:
    """STRtree snapping agrees with a brute-force search over every edge, and the on-road
    point is where the snap says: ``offset_m`` along its edge, ``distance_m`` away."""
    points = _random_points(15, seed=5)
    snaps = walk_locator.snap(points, max_distance_m=5000)
    for point, snap in zip(points, snaps, strict=True):
        assert snap is not None
        assert snap.distance_m == pytest.approx(
            nearest_edge_m(walk_network, point.lat, point.lon), abs=0.5, rel=0.002
        )
        assert snap.distance_m == pytest.approx(
            haversine_m(point.lat, point.lon, snap.point.lat, snap.point.lon)
        )
        lat, lon, along = walk_network.edge_polyline(snap.edge)
        on_road_lon, on_road_lat = interpolate(lat, lon, along, snap.offset_m)
        assert haversine_m(on_road_lat, on_road_lon, snap.point.lat, snap.point.lon) < 0.01
        assert 0 <= snap.offset_m <= walk_network.edge_length_m[snap.edge]


def test_a_point_beside_a_long_road_snaps_onto_the_road(
    drive_network: RoadNetwork, drive_locator: EdgeLocator
) -> None:
    """20 m beside the middle of a kilometre-long edge, the road is 20 m away while its
    nearest node is hundreds of metres away: edge snapping beats node snapping."""
    edge = int(np.argmax(drive_network.edge_length_m))
    assert drive_network.edge_length_m[edge] > SCHLOSSSTRASSE_EDGE_M
    lat, lon, along = drive_network.edge_polyline(edge)
    mid_lon, mid_lat = interpolate(lat, lon, along, along[-1] / 2)
    beside = LatLon(mid_lat + 20 / 111_195, mid_lon)  # 20 m north
    (snap,) = drive_locator.snap([beside], max_distance_m=500)
    graph = drive_network.graph
    node = graph.nodes[nearest_node(graph, beside.lat, beside.lon)]
    assert snap is not None
    assert snap.distance_m < 21
    assert haversine_m(beside.lat, beside.lon, node["y"], node["x"]) > 100
    assert snap.edge == edge


def test_points_beyond_the_limit_are_not_snapped(drive_locator: EdgeLocator) -> None:
    """A point farther than the limit from every road is reported, not silently moved."""
    munich, vaduz = LatLon(48.1372, 11.5756), LatLon(47.1410, 9.5209)
    far, near = drive_locator.snap([munich, vaduz], max_distance_m=500)
    assert far is None
    assert near is not None
    assert near.distance_m < 500
    assert drive_locator.snap([], max_distance_m=500) == []
    (too_strict,) = drive_locator.snap([vaduz], max_distance_m=near.distance_m * 0.99)
    assert too_strict is None


def _motorway_and_side_street() -> RoadNetwork:
    """A motorway along latitude 47.1 and, 300 m north, a residential street, joined at
    both ends by residential links."""
    graph: nx.MultiDiGraph[int] = nx.MultiDiGraph()
    north = 300 / 111_195
    corners = {0: (47.1, 9.50), 1: (47.1, 9.52), 2: (47.1 + north, 9.52), 3: (47.1 + north, 9.50)}
    for node, (lat, lon) in corners.items():
        graph.add_node(node, x=lon, y=lat)
    for u, v, highway in ((0, 1, "motorway"), (1, 2, "residential"), (2, 3, "residential")):
        for a, b in ((u, v), (v, u)):
            graph.add_edge(a, b, travel_time=60.0, length=1000.0, highway=highway)
    graph.add_edge(3, 0, travel_time=30.0, length=300.0, highway="residential")
    graph.add_edge(0, 3, travel_time=30.0, length=300.0, highway="residential")
    return network_from_graph(graph, mode="drive")


def test_drives_do_not_start_or_end_on_a_motorway() -> None:
    """A house beside a motorway is reached from the nearest ordinary road for driving;
    the motorway is still there for other uses of the locator."""
    network = _motorway_and_side_street()
    on_motorway = LatLon(47.1, 9.51)
    (snap,) = EdgeLocator(network).snap([on_motorway], max_distance_m=500)
    assert snap is not None
    assert network.edge_road_class(snap.edge) == "residential"
    assert snap.distance_m == pytest.approx(300, abs=2)
    (strict,) = EdgeLocator(network).snap([on_motorway], max_distance_m=200)
    assert strict is None
    (anywhere,) = EdgeLocator(network, excluded_classes=()).snap([on_motorway], max_distance_m=5)
    assert anywhere is not None
    assert network.edge_road_class(anywhere.edge) == "motorway"


def test_snapping_a_thousand_points_gives_one_answer_each(drive_locator: EdgeLocator) -> None:
    """Batch snapping returns one result per point, in order, equal to snapping each alone."""
    points = _random_points(1000, seed=9)
    snaps = drive_locator.snap(points, max_distance_m=500)
    assert len(snaps) == 1000
    assert 500 < sum(s is not None for s in snaps) < 1000
    for k in (0, 17, 999):
        assert drive_locator.snap([points[k]], max_distance_m=500) == [snaps[k]]
