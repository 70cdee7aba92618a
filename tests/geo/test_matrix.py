"""Travel matrices between snapped places, against networkx on the same weighted graph."""

from __future__ import annotations

import math
from collections.abc import Sequence

import networkx as nx
import numpy as np
import pytest

from geo import (
    EdgeLocator,
    LatLon,
    MatrixCache,
    RoadNetwork,
    Snap,
    SpeedFactors,
    TravelMatrices,
    network_from_graph,
    travel_matrices,
)
from geo import matrix as matrix_module
from geo.dijkstra import MAX_WORKERS, auto_workers
from geo.geometry import interpolate, line_length_m
from geo.matrix import Method
from geo.weights import EdgeWeights, edge_weights
from tests.geo.test_network import FABRIKWEG
from tests.road_oracle import fastest_from, split_at_snaps, weighted_graph

FOOTWAY = 46928267
"""OSM way of a 103 m footway in Schaan whose ends are on streets 1.1 km apart by car."""
FOOTWAY_ENDS = (LatLon(47.1659849, 9.519081), LatLon(47.165778, 9.5177752))

RUSH = SpeedFactors(
    {
        road_class: [
            0.5 if hour in (7, 8) else 0.7 if hour in (16, 17) else 1.0 for hour in range(24)
        ]
        for road_class in ("primary", "secondary", "tertiary", "residential")
    }
)
"""Main roads at half speed 07:00-09:00 and 70 % 16:00-18:00; free-flowing otherwise."""


def _snap_all(locator: EdgeLocator, points: Sequence[LatLon], max_distance_m: float) -> list[Snap]:
    snaps = locator.snap(points, max_distance_m=max_distance_m)
    assert all(s is not None for s in snaps)
    return [s for s in snaps if s is not None]


def _on_road(network: RoadNetwork, edge: int, fraction: float) -> LatLon:
    lat, lon, along = network.edge_polyline(edge)
    point_lon, point_lat = interpolate(lat, lon, along, float(along[-1]) * fraction)
    return LatLon(point_lat, point_lon)


def _places(network: RoadNetwork, locator: EdgeLocator, count: int, seed: int) -> list[Snap]:
    """Random snapped places, plus pairs of places sharing an edge (two-way and one-way)."""
    rng = np.random.default_rng(seed)
    points = [
        LatLon(float(lat), float(lon))
        for lat, lon in zip(
            rng.uniform(47.10, 47.22, 3 * count), rng.uniform(9.50, 9.56, 3 * count), strict=True
        )
    ]
    snaps = [s for s in locator.snap(points, max_distance_m=300) if s is not None][:count]
    long_edges = np.nonzero(network.edge_length_m > 150)[0]
    two_way = long_edges[np.isfinite(network.edge_backward_s[long_edges])][:3]
    one_way = long_edges[~np.isfinite(network.edge_backward_s[long_edges])][:2]
    shared = [_on_road(network, int(e), f) for e in (*two_way, *one_way) for f in (0.3, 0.7)]
    snaps += [s for s in locator.snap(shared, max_distance_m=1) if s is not None]
    assert len(snaps) >= count + 6
    return snaps


def _assert_equals_networkx(
    network: RoadNetwork,
    snaps: list[Snap],
    matrices: TravelMatrices,
    weights: EdgeWeights,
    pairs: list[tuple[int, int]],
) -> None:
    """Every pair's time (rounded up to the second) and distance (to the metre) equal the
    fastest path networkx finds on the snapped edges split into real parts."""
    graph = weighted_graph(network, weights)
    nodes = split_at_snaps(graph, network, weights, snaps)
    by_source: dict[int, list[int]] = {}
    for i, j in pairs:
        by_source.setdefault(i, []).append(j)
    for i, targets in by_source.items():
        found = fastest_from(graph, nodes[i], [nodes[j] for j in targets])
        for j in targets:
            time_ms, length_cm = found[nodes[j]]
            assert matrices.time_s[i, j] == math.ceil(time_ms / 1000), (i, j)
            assert matrices.distance_m[i, j] == (length_cm + 50) // 100, (i, j)


def _pairs(count: int, sources: int, targets: int, seed: int) -> list[tuple[int, int]]:
    rng = np.random.default_rng(seed)
    return [
        (int(i), int(j))
        for i in rng.choice(count, size=sources, replace=False)
        for j in rng.choice(count, size=targets, replace=False)
    ]


def _shared_edge_pairs(snaps: list[Snap]) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i in range(len(snaps))
        for j in range(len(snaps))
        if i != j and snaps[i].edge == snaps[j].edge
    ]


@pytest.mark.parametrize("mode", ["drive", "walk"])
def test_matrices_equal_networkx_on_the_same_weighted_graph(
    mode: str, request: pytest.FixtureRequest
) -> None:
    """200 random ordered pairs, and every pair sharing an edge, equal networkx."""
    network: RoadNetwork = request.getfixturevalue(f"{mode}_network")
    locator: EdgeLocator = request.getfixturevalue(f"{mode}_locator")
    snaps = _places(network, locator, count=40, seed=7)
    matrices = travel_matrices(network, snaps)
    pairs = _pairs(len(snaps), sources=20, targets=10, seed=1) + _shared_edge_pairs(snaps)
    assert len(_shared_edge_pairs(snaps)) >= 6
    _assert_equals_networkx(network, snaps, matrices, edge_weights(network), pairs)


def test_places_on_one_edge_go_straight_along_it(
    drive_network: RoadNetwork, drive_locator: EdgeLocator
) -> None:
    """Two places 40 % of an edge apart: both ways along a two-way edge, forward only along
    a one-way one (back is a detour round the block)."""
    edges = np.nonzero(drive_network.edge_length_m > 150)[0]
    two_way = int(edges[np.isfinite(drive_network.edge_backward_s[edges])][0])
    one_way = int(edges[~np.isfinite(drive_network.edge_backward_s[edges])][0])
    for edge, back_is_direct in ((two_way, True), (one_way, False)):
        points = [_on_road(drive_network, edge, f) for f in (0.3, 0.7)]
        snaps = _snap_all(drive_locator, points, 1)
        assert all(s.edge == edge for s in snaps)
        distance_m = travel_matrices(drive_network, snaps).distance_m
        apart_m = 0.4 * drive_network.edge_length_m[edge]
        assert distance_m[0, 1] == pytest.approx(apart_m, abs=1)
        assert (distance_m[1, 0] == pytest.approx(apart_m, abs=1)) == back_is_direct


def test_one_way_street_binds_drivers_not_walkers(
    drive_network: RoadNetwork,
    drive_locator: EdgeLocator,
    walk_network: RoadNetwork,
    walk_locator: EdgeLocator,
) -> None:
    """Along Fabrikweg (one-way) a car goes straight but comes back round the block; on
    foot both directions are the same walk."""
    edges = np.nonzero(drive_network.edge_way_id == FABRIKWEG)[0]
    edge = int(edges[np.argmax(drive_network.edge_length_m[edges])])
    points = [_on_road(drive_network, edge, f) for f in (0.25, 0.75)]
    apart_m = 0.5 * drive_network.edge_length_m[edge]
    drive = travel_matrices(drive_network, _snap_all(drive_locator, points, 1))
    assert drive.distance_m[0, 1] == pytest.approx(apart_m, abs=1)
    assert drive.distance_m[1, 0] > 2 * apart_m
    assert drive.time_s[1, 0] > drive.time_s[0, 1]
    walk = travel_matrices(walk_network, _snap_all(walk_locator, points, 1))
    assert walk.distance_m[0, 1] == walk.distance_m[1, 0] == pytest.approx(apart_m, abs=1)
    assert walk.time_s[0, 1] == walk.time_s[1, 0]


def test_walkers_take_a_footway_drivers_cannot(
    drive_network: RoadNetwork,
    drive_locator: EdgeLocator,
    walk_network: RoadNetwork,
    walk_locator: EdgeLocator,
) -> None:
    """The two ends of a 103 m footway: a short walk, but over a kilometre by car."""
    assert FOOTWAY in walk_network.edge_way_id
    assert FOOTWAY not in drive_network.edge_way_id
    walk = travel_matrices(walk_network, _snap_all(walk_locator, FOOTWAY_ENDS, 50))
    drive = travel_matrices(drive_network, _snap_all(drive_locator, FOOTWAY_ENDS, 50))
    assert walk.distance_m[0, 1] < 110
    assert drive.distance_m[0, 1] > 1000
    assert walk.time_s[0, 1] == pytest.approx(walk.distance_m[0, 1] / (4.5 / 3.6), abs=2)


def test_rush_hour_slows_trips_and_night_does_not(
    drive_network: RoadNetwork, drive_locator: EdgeLocator
) -> None:
    """Speed factors over the trips' hours: rush hours lengthen trips (never shorten
    them), 08:00 and 17:00 differ, the night equals no factors, and networkx on the same
    factored graph still agrees."""
    snaps = _places(drive_network, drive_locator, count=20, seed=3)
    free = travel_matrices(drive_network, snaps)
    morning = travel_matrices(drive_network, snaps, factors=RUSH, hours=[8])
    evening = travel_matrices(drive_network, snaps, factors=RUSH, hours=[17])
    night = travel_matrices(drive_network, snaps, factors=RUSH, hours=[2, 3])
    assert np.array_equal(night.time_s, free.time_s)
    assert (morning.time_s >= free.time_s).all()
    assert (morning.time_s > free.time_s).mean() > 0.5
    assert (morning.time_s >= evening.time_s).all()
    assert (morning.time_s > evening.time_s).any()
    day = travel_matrices(drive_network, snaps, factors=RUSH, hours=range(7, 10))
    assert (day.time_s <= morning.time_s).all()  # 09:00 is free: the mean factor is higher
    weights = edge_weights(drive_network, RUSH, [8])
    _assert_equals_networkx(drive_network, snaps, morning, weights, _pairs(len(snaps), 5, 8, 2))


def test_same_plan_twice_is_a_cache_hit(
    drive_network: RoadNetwork,
    drive_locator: EdgeLocator,
    walk_network: RoadNetwork,
    walk_locator: EdgeLocator,
) -> None:
    """The same network, weights and places come from the cache; other hours (with other
    factors in effect), another mode or other places are computed."""
    cache = MatrixCache()
    snaps = _places(drive_network, drive_locator, count=10, seed=4)
    first = travel_matrices(drive_network, snaps, cache=cache)
    assert travel_matrices(drive_network, list(snaps), cache=cache) is first
    assert (cache.hits, cache.misses) == (1, 1)
    rush = travel_matrices(drive_network, snaps, factors=RUSH, hours=[8], cache=cache)
    assert rush is not first
    # At night the factors are all 1: the same weights as none, so the same matrices.
    assert travel_matrices(drive_network, snaps, factors=RUSH, hours=[2], cache=cache) is first
    assert travel_matrices(drive_network, snaps[:-1], cache=cache) is not first
    points = [s.point for s in snaps]
    walk_snaps = [s for s in walk_locator.snap(points, max_distance_m=50) if s is not None]
    travel_matrices(walk_network, walk_snaps, cache=cache)
    assert (cache.hits, cache.misses, len(cache)) == (2, 4, 4)


def test_matrix_cache_evicts_the_least_recently_used(drive_network: RoadNetwork) -> None:
    """A full cache drops the entry unused for longest."""
    cache = MatrixCache(max_entries=2)
    a = travel_matrices(drive_network, [1, 2], cache=cache)
    travel_matrices(drive_network, [3, 4], cache=cache)
    assert travel_matrices(drive_network, [1, 2], cache=cache) is a
    travel_matrices(drive_network, [5, 6], cache=cache)  # evicts [3, 4]
    assert travel_matrices(drive_network, [1, 2], cache=cache) is a
    assert len(cache) == 2
    assert cache.hits == 2


@pytest.mark.parametrize("mode", ["drive", "walk"])
def test_leg_geometry_runs_between_the_places_and_is_as_long_as_the_leg(
    mode: str, request: pytest.FixtureRequest
) -> None:
    """Each leg's line starts at the first place's on-road point, ends at the second's, and
    its length is the matrix distance to within a couple of metres."""
    network: RoadNetwork = request.getfixturevalue(f"{mode}_network")
    locator: EdgeLocator = request.getfixturevalue(f"{mode}_locator")
    snaps = _places(network, locator, count=30, seed=11)
    matrices = travel_matrices(network, snaps)
    for i, j in _pairs(len(snaps), 8, 8, seed=5) + _shared_edge_pairs(snaps):
        line = matrices.leg_coordinates(i, j)
        assert line[0] == (snaps[i].point.lon, snaps[i].point.lat)
        assert line[-1] == (snaps[j].point.lon, snaps[j].point.lat)
        assert line_length_m(line) == pytest.approx(
            matrices.distance_m[i, j], abs=2 + 0.001 * matrices.distance_m[i, j]
        )
    assert matrices.leg_coordinates(3, 3) == [(snaps[3].point.lon, snaps[3].point.lat)] * 2
    with pytest.raises(IndexError):
        matrices.leg_coordinates(0, len(snaps))


def test_legs_are_rebuilt_when_trees_are_too_big_to_keep(
    drive_network: RoadNetwork, drive_locator: EdgeLocator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the stored trees, a leg is routed again and comes out the same."""
    snaps = _places(drive_network, drive_locator, count=10, seed=12)
    kept = travel_matrices(drive_network, snaps)
    monkeypatch.setattr(matrix_module, "_PREDECESSOR_BYTES", 0)
    rebuilt = travel_matrices(drive_network, snaps)
    assert np.array_equal(kept.time_s, rebuilt.time_s)
    for i, j in _pairs(len(snaps), 4, 4, seed=1):
        assert rebuilt.leg_coordinates(i, j) == kept.leg_coordinates(i, j)


def test_tree_sums_agree_with_composite_weights_and_take_over_when_bits_run_out(
    drive_network: RoadNetwork, drive_locator: EdgeLocator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Summing lengths along the time-only trees gives the same matrices; when composite
    weights could not hold both time and length, routing falls back to it."""
    snaps = _places(drive_network, drive_locator, count=30, seed=13)
    composite = travel_matrices(drive_network, snaps, method="composite")
    tree = travel_matrices(drive_network, snaps, method="tree")
    assert np.array_equal(composite.time_s, tree.time_s)
    assert np.abs(composite.distance_m - tree.distance_m).max() <= 1
    monkeypatch.setattr(matrix_module, "COMPOSITE_LIMIT", 2.0**24)
    with pytest.raises(OverflowError):
        travel_matrices(drive_network, snaps, method="composite")
    fallback = travel_matrices(drive_network, snaps)
    assert np.array_equal(fallback.time_s, tree.time_s)
    assert np.array_equal(fallback.distance_m, tree.distance_m)


@pytest.mark.parametrize("method", ["composite", "tree"])
def test_sources_split_across_processes_give_the_same_matrices_and_legs(
    drive_network: RoadNetwork, drive_locator: EdgeLocator, method: Method
) -> None:
    """Two worker processes, each routing half the sources, give what one process gives."""
    snaps = _places(drive_network, drive_locator, count=40, seed=19)
    alone = travel_matrices(drive_network, snaps, method=method, workers=1)
    shared = travel_matrices(drive_network, snaps, method=method, workers=2)
    assert np.array_equal(alone.time_s, shared.time_s)
    assert np.array_equal(alone.distance_m, shared.distance_m)
    for i, j in _pairs(len(snaps), 4, 4, seed=2):
        assert shared.leg_coordinates(i, j) == alone.leg_coordinates(i, j)


def test_small_matrices_stay_in_one_process() -> None:
    """Starting processes pays only for big matrices (trees times nodes)."""
    assert auto_workers(2_000, 5_000) == 1
    assert auto_workers(5_000, 100_000) >= 1
    assert auto_workers(5_000, 100_000) <= MAX_WORKERS


def test_matrix_invariants(drive_network: RoadNetwork, drive_locator: EdgeLocator) -> None:
    """Zero diagonal, positive between distinct places, the triangle inequality holds
    exactly, and one-way streets make some trips longer one way than back."""
    snaps = _places(drive_network, drive_locator, count=25, seed=17)
    time_s = travel_matrices(drive_network, snaps).time_s
    assert (np.diag(time_s) == 0).all()
    off_diagonal = ~np.eye(len(snaps), dtype=bool)
    assert (time_s[off_diagonal] > 0).all()
    via = time_s[:, :, None] + time_s[None, :, :]  # via[i, j, k] = t(i, j) + t(j, k)
    assert (time_s[:, None, :] <= via).all()
    assert (time_s != time_s.T).any()


def test_node_indices_still_route_node_to_node(drive_network: RoadNetwork) -> None:
    """Plain node indices route from and to those nodes; repeats give equal rows; no places
    give empty matrices."""
    matrices = travel_matrices(drive_network, [5, 9, 5])
    assert matrices.time_s.shape == (3, 3)
    assert (matrices.time_s[0] == matrices.time_s[2]).all()
    assert matrices.time_s[0, 2] == 0
    weights = edge_weights(drive_network)
    found = fastest_from(weighted_graph(drive_network, weights), 5, [9])
    assert matrices.time_s[0, 1] == math.ceil(found[9][0] / 1000)
    assert travel_matrices(drive_network, []).time_s.shape == (0, 0)
    with pytest.raises(ValueError, match="node"):
        travel_matrices(drive_network, [drive_network.nodes])


def test_snaps_of_another_network_are_refused(
    walk_network: RoadNetwork, drive_locator: EdgeLocator
) -> None:
    """A drive snap's edge means nothing on the walk network."""
    snaps = _snap_all(drive_locator, FOOTWAY_ENDS, 50)
    with pytest.raises(ValueError, match="another network"):
        travel_matrices(walk_network, snaps)


def test_parallel_roads_take_the_faster() -> None:
    """Between two nodes joined by a short slow road and a long fast one, trips take the
    fast one, and its length is the distance."""
    graph: nx.MultiDiGraph[int] = nx.MultiDiGraph()
    graph.add_node(0, x=9.50, y=47.1)
    graph.add_node(1, x=9.51, y=47.1)
    for u, v in ((0, 1), (1, 0)):
        graph.add_edge(u, v, travel_time=120.0, length=760.0, highway="residential")
        graph.add_edge(u, v, travel_time=60.0, length=1500.0, highway="primary")
    matrices = travel_matrices(network_from_graph(graph), [0, 1])
    assert matrices.time_s[0, 1] == matrices.time_s[1, 0] == 60
    assert matrices.distance_m[0, 1] == 1500
