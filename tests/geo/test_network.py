"""The drivable road network built from the shipped Liechtenstein extract."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from geo import Region, load_or_build_road_network
from geo import network as network_module
from geo.network import is_drivable
from tests.conftest import REGION_DIR

EXTRACT = REGION_DIR / "liechtenstein.osm.pbf"


@pytest.mark.parametrize(
    ("tags", "drivable"),
    [
        ({"highway": "residential"}, True),
        ({"highway": "footway"}, False),
        ({"highway": "track"}, False),
        ({"highway": "residential", "access": "private"}, False),
        ({"highway": "service", "service": "driveway"}, False),
        ({"highway": "service"}, True),
        ({"highway": "primary", "motor_vehicle": "no"}, False),
        ({"highway": "primary", "motor_vehicle": "no", "motorcar": "yes"}, True),
        ({"highway": "unclassified", "access": "no", "motorcar": "destination"}, True),
        ({"highway": "pedestrian", "motorcar": "yes"}, False),
    ],
)
def test_is_drivable_reads_access_tags_by_specificity(tags: dict[str, str], drivable: bool) -> None:
    """Road class decides first; then the most specific access key present for cars."""
    assert is_drivable(tags) is drivable


def test_network_is_strongly_connected_with_positive_times(region: Region) -> None:
    """Every node reaches every other, and every edge takes time and has length."""
    network = region.network
    assert nx.is_strongly_connected(network.graph)
    assert network.nodes == network.graph.number_of_nodes() > 2000
    assert (network.travel_time_s.data > 0).all()
    assert (network.length_m.data > 0).all()
    speeds_kph = network.length_m.data / network.travel_time_s.data * 3.6
    assert speeds_kph.min() >= 5
    assert speeds_kph.max() <= 130


def test_balzers_is_reachable(region: Region) -> None:
    """Regression: the Triesen-Balzers road is tagged motor_vehicle=no + motorcar=yes;
    reading only motor_vehicle (as osmnx's filter does) cut Balzers off the network."""
    assert int(np.sum(region.network.node_lat < 47.08)) > 100


def test_built_network_is_cached_and_reloaded_without_rebuilding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first load builds and writes the cache; the next one loads it and never builds."""
    first, built = load_or_build_road_network(EXTRACT, tmp_path)
    assert built
    assert len(list(tmp_path.glob("network-drive-*.pkl"))) == 1

    def no_rebuild(_: Path) -> None:
        raise AssertionError("rebuilt despite the cache")

    monkeypatch.setattr(network_module, "build_road_network", no_rebuild)
    second, built_again = load_or_build_road_network(EXTRACT, tmp_path)
    assert not built_again
    assert second.nodes == first.nodes
    for part in ("data", "indices", "indptr"):
        assert np.array_equal(
            getattr(second.travel_time_s, part), getattr(first.travel_time_s, part)
        )
