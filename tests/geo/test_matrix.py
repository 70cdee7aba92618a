"""Travel matrices against networkx, and their invariants."""

from __future__ import annotations

import math

import numpy as np

from geo import Region, travel_matrices
from tests.road_oracle import fastest_leg


def test_matrices_equal_networkx_dijkstra(region: Region) -> None:
    """For 60 random ordered pairs, time and distance equal a networkx shortest path on the
    same graph (time rounded up to the second, distance to the metre)."""
    network = region.network
    rng = np.random.default_rng(7)
    nodes = rng.choice(network.nodes, size=30, replace=False).tolist()
    matrices = travel_matrices(network, nodes)
    osm = network.osm_node_ids
    for _ in range(60):
        i, j = rng.integers(0, len(nodes), size=2).tolist()
        time_s, length_m = fastest_leg(network.graph, int(osm[nodes[i]]), int(osm[nodes[j]]))
        assert matrices.time_s[i, j] == math.ceil(time_s - 1e-9)
        assert abs(matrices.distance_m[i, j] - length_m) <= 0.5 + 1e-6


def test_matrix_invariants(region: Region) -> None:
    """Zero diagonal, positive elsewhere, and the triangle inequality holds exactly."""
    rng = np.random.default_rng(11)
    nodes = rng.choice(region.network.nodes, size=25, replace=False).tolist()
    time_s = travel_matrices(region.network, nodes).time_s
    assert (np.diag(time_s) == 0).all()
    off_diagonal = ~np.eye(len(nodes), dtype=bool)
    assert (time_s[off_diagonal] > 0).all()
    via = time_s[:, :, None] + time_s[None, :, :]  # via[i, j, k] = t(i, j) + t(j, k)
    assert (time_s[:, None, :] <= via).all()


def test_matrix_is_asymmetric_somewhere(region: Region) -> None:
    """One-way streets make some trips longer one way than back."""
    rng = np.random.default_rng(3)
    nodes = rng.choice(region.network.nodes, size=40, replace=False).tolist()
    time_s = travel_matrices(region.network, nodes).time_s
    assert (time_s != time_s.T).any()


def test_repeated_and_empty_node_lists(region: Region) -> None:
    """Repeated nodes give equal rows and columns; no nodes give empty matrices."""
    matrices = travel_matrices(region.network, [5, 9, 5])
    assert matrices.time_s.shape == (3, 3)
    assert (matrices.time_s[0] == matrices.time_s[2]).all()
    assert matrices.time_s[0, 2] == 0
    assert travel_matrices(region.network, []).time_s.shape == (0, 0)
