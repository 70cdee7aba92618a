"""Snapping points to the nearest road node."""

from __future__ import annotations

import numpy as np

from geo import LatLon, Region
from tests.road_oracle import haversine_m, nearest_node


def test_snap_finds_the_nearest_node_and_its_distance(region: Region) -> None:
    """KD-tree snapping agrees with a brute-force search, distance included."""
    network = region.network
    rng = np.random.default_rng(5)
    points = [
        LatLon(float(lat), float(lon))
        for lat, lon in zip(rng.uniform(47.10, 47.22, 20), rng.uniform(9.50, 9.56, 20), strict=True)
    ]
    snaps = region.locator.snap(points, max_distance_m=5000)
    for point, snap in zip(points, snaps, strict=True):
        assert snap is not None
        expected = nearest_node(network.graph, point.lat, point.lon)
        assert int(network.osm_node_ids[snap.node_idx]) == expected
        node_lat, node_lon = network.node_lat[snap.node_idx], network.node_lon[snap.node_idx]
        assert abs(snap.distance_m - haversine_m(point.lat, point.lon, node_lat, node_lon)) < 0.5


def test_points_beyond_the_limit_are_not_snapped(region: Region) -> None:
    """A point farther than the limit from every road is reported, not silently moved."""
    munich, vaduz = LatLon(48.1372, 11.5756), LatLon(47.1410, 9.5209)
    far, near = region.locator.snap([munich, vaduz], max_distance_m=500)
    assert far is None
    assert near is not None
    assert near.distance_m < 500
    assert region.locator.snap([], max_distance_m=500) == []
