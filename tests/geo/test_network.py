"""Road networks per travel mode, built from the shipped Liechtenstein extract."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from scipy.sparse import csgraph

from geo import (
    ModeSpeeds,
    RoadNetwork,
    SpeedFactors,
    TravelMode,
    build_road_network,
    hours_between,
    network_from_graph,
)
from geo.geometry import haversine_m
from geo.modes import WayAccess, is_drivable, way_access
from geo.speeds import parse_maxspeed_kph, way_speeds_kph
from tests.geo.conftest import LI_EXTRACT

FABRIKWEG = 29596066
"""OSM way of Fabrikweg, Schaan: a 375 m residential one-way street (``oneway=yes``)."""

DRIVE, WALK, BIKE = TravelMode.DRIVE, TravelMode.WALK, TravelMode.BIKE
BOTH = WayAccess(forward=True, backward=True)
FORWARD = WayAccess(forward=True, backward=False)
BACKWARD = WayAccess(forward=False, backward=True)
PUSH = WayAccess(forward=True, backward=True, pushed=True)


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


@pytest.mark.parametrize(
    ("tags", "mode", "access"),
    [
        # One-ways bind cars and cyclists, never walkers.
        ({"highway": "residential", "oneway": "yes"}, DRIVE, FORWARD),
        ({"highway": "residential", "oneway": "-1"}, DRIVE, BACKWARD),
        ({"highway": "residential", "oneway": "yes"}, WALK, BOTH),
        ({"highway": "residential", "oneway": "yes"}, BIKE, FORWARD),
        ({"highway": "primary", "junction": "roundabout"}, DRIVE, FORWARD),
        ({"highway": "primary", "junction": "roundabout"}, WALK, BOTH),
        ({"highway": "motorway"}, DRIVE, FORWARD),
        # Contraflow for bicycles.
        ({"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"}, BIKE, BOTH),
        ({"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"}, DRIVE, FORWARD),
        ({"highway": "residential", "oneway": "yes", "cycleway": "opposite_lane"}, BIKE, BOTH),
        ({"highway": "residential", "oneway": "yes", "cycleway:left": "opposite"}, BIKE, BOTH),
        # Footways: walkers walk, cyclists push unless allowed to ride, cars stay off.
        ({"highway": "footway"}, WALK, BOTH),
        ({"highway": "footway"}, BIKE, PUSH),
        ({"highway": "footway", "bicycle": "yes"}, BIKE, BOTH),
        ({"highway": "footway", "bicycle": "no"}, BIKE, None),
        ({"highway": "footway", "foot": "no"}, WALK, None),
        ({"highway": "path", "bicycle": "dismount"}, BIKE, PUSH),
        ({"highway": "steps"}, WALK, BOTH),
        ({"highway": "steps"}, BIKE, None),
        ({"highway": "steps", "ramp:bicycle": "yes"}, BIKE, PUSH),
        # Cycleways are for cyclists; walkers need an explicit foot permission.
        ({"highway": "cycleway"}, BIKE, BOTH),
        ({"highway": "cycleway"}, WALK, None),
        ({"highway": "cycleway", "foot": "designated"}, WALK, BOTH),
        ({"highway": "cycleway"}, DRIVE, None),
        # Access by specificity: bicycle > vehicle > access, foot > access.
        ({"highway": "track", "access": "no", "bicycle": "yes"}, BIKE, BOTH),
        ({"highway": "residential", "vehicle": "no"}, BIKE, None),
        ({"highway": "residential", "vehicle": "no", "bicycle": "yes"}, BIKE, BOTH),
        ({"highway": "residential", "access": "private", "foot": "yes"}, WALK, BOTH),
        ({"highway": "residential", "access": "private"}, WALK, None),
        ({"highway": "residential", "bicycle": "use_sidepath"}, BIKE, None),
        # Motorways and trunks without a sidewalk are for motor traffic only.
        ({"highway": "motorway"}, WALK, None),
        ({"highway": "motorway"}, BIKE, None),
        ({"highway": "trunk"}, WALK, None),
        ({"highway": "trunk", "sidewalk": "both"}, WALK, BOTH),
        ({"highway": "trunk"}, BIKE, None),
        ({"highway": "trunk", "sidewalk": "right"}, BIKE, PUSH),
        ({"highway": "trunk", "cycleway:right": "lane"}, BIKE, BOTH),
        # Nobody uses what is not (yet) a road.
        ({"highway": "construction"}, WALK, None),
        ({"highway": "pedestrian", "area": "yes"}, WALK, None),
    ],
)
def test_way_access_per_mode(
    tags: dict[str, str], mode: TravelMode, access: WayAccess | None
) -> None:
    """Each mode's road classes, access keys and one-way rules."""
    assert way_access(tags, mode) == access


@pytest.mark.parametrize(
    ("value", "kph"),
    [
        ("50", 50.0),
        ("30 mph", 48.28),
        ("CH:urban", 50.0),
        ("DE:rural", 100.0),
        ("CH:rural", 80.0),
        ("DE:zone30", 30.0),
        ("walk", 6.0),
        ("60;80", 60.0),
        ("none", None),
        ("signals", None),
        ("2", 5.0),
    ],
)
def test_maxspeed_values_are_read_as_kph(value: str, kph: float | None) -> None:
    """Numbers, units, zone values and lists; no limit where the value gives none."""
    parsed = parse_maxspeed_kph(value)
    assert parsed == kph if kph is None else parsed == pytest.approx(kph, abs=0.01)


def test_way_speeds_per_mode() -> None:
    """Cars take the tagged limit (per direction), else the class default; cyclists ride at
    their speed capped by a lower limit; pushing and walking go at walking speed."""
    speeds = ModeSpeeds(walk_kph=5.0, bike_kph=16.0, escooter_kph=20.0)
    tags = {"highway": "residential", "maxspeed": "40", "maxspeed:backward": "10"}
    assert way_speeds_kph(tags, DRIVE, BOTH, speeds) == (40.0, 10.0)
    assert way_speeds_kph({"highway": "residential"}, DRIVE, BOTH, speeds) == (30.0, 30.0)
    assert way_speeds_kph(tags, BIKE, BOTH, speeds) == (16.0, 10.0)
    assert way_speeds_kph(tags, TravelMode.ESCOOTER, BOTH, speeds) == (20.0, 10.0)
    assert way_speeds_kph({"highway": "footway"}, BIKE, PUSH, speeds) == (5.0, 5.0)
    assert way_speeds_kph(tags, WALK, BOTH, speeds) == (5.0, 5.0)
    with pytest.raises(ValueError, match="walk_kph"):
        ModeSpeeds(walk_kph=0.0)


def _speeds_kph(network: RoadNetwork) -> np.ndarray:
    times = np.concatenate((network.edge_forward_s, network.edge_backward_s))
    lengths = np.concatenate((network.edge_length_m, network.edge_length_m))
    open_ = np.isfinite(times) & (lengths > 1)
    speeds: np.ndarray = lengths[open_] / times[open_] * 3.6
    return speeds


def test_drive_network_is_strongly_connected_with_plausible_speeds(
    drive_network: RoadNetwork,
) -> None:
    """Every node reaches every other, and every edge takes time at a car's speed."""
    count, _ = csgraph.connected_components(
        drive_network.travel_time_s, directed=True, connection="strong"
    )
    assert count == 1
    assert drive_network.nodes > 2000
    assert (drive_network.travel_time_s.data > 0).all()
    assert (drive_network.length_m.data > 0).all()
    speeds = _speeds_kph(drive_network)
    assert speeds.min() >= 5
    assert speeds.max() <= 130


def test_balzers_is_reachable(drive_network: RoadNetwork) -> None:
    """Regression: the Triesen-Balzers road is tagged motor_vehicle=no + motorcar=yes;
    reading only motor_vehicle (as osmnx's filter does) cut Balzers off the network."""
    assert int(np.sum(drive_network.node_lat < 47.08)) > 100


def _classes(network: RoadNetwork) -> set[str]:
    return {network.road_classes[c] for c in np.unique(network.edge_class)}


def test_each_mode_has_its_own_roads(
    drive_network: RoadNetwork, walk_network: RoadNetwork, bike_network: RoadNetwork
) -> None:
    """Footways and steps are walked, cycleways ridden, neither driven; bikes take no
    steps and, on footways, push at walking speed unless cycling is allowed there;
    walking ignores one-ways."""
    assert {"footway", "steps", "path"} <= _classes(walk_network)
    assert "cycleway" in _classes(bike_network)
    assert not {"footway", "steps", "path", "cycleway", "track"} & _classes(drive_network)
    assert "steps" not in _classes(bike_network)
    footway = bike_network.road_classes.index("footway")
    on_foot = (bike_network.edge_class == footway) & (bike_network.edge_length_m > 1)
    footway_kph = bike_network.edge_length_m[on_foot] / bike_network.edge_forward_s[on_foot] * 3.6
    assert set(np.round(footway_kph, 6).tolist()) == {4.5, 15.0}
    assert np.isfinite(walk_network.edge_backward_s).all()
    assert not np.isfinite(drive_network.edge_backward_s).all()
    assert _speeds_kph(walk_network) == pytest.approx(4.5)
    assert walk_network.nodes > drive_network.nodes


def test_fabrikweg_is_one_way_for_cars_and_bikes_only(
    drive_network: RoadNetwork, walk_network: RoadNetwork, bike_network: RoadNetwork
) -> None:
    """A real one-way street: open forward only to cars and bikes, both ways on foot."""
    for network, two_way in ((drive_network, False), (bike_network, False), (walk_network, True)):
        edges = np.nonzero(network.edge_way_id == FABRIKWEG)[0]
        assert len(edges) > 0
        assert np.isfinite(network.edge_forward_s[edges]).all()
        assert np.isfinite(network.edge_backward_s[edges]).all() == two_way


def test_escooters_ride_the_bike_network_faster() -> None:
    """The e-scooter network is the bike network at the e-scooter's own speed."""
    speeds = ModeSpeeds(bike_kph=15.0, escooter_kph=20.0)
    bike = build_road_network(LI_EXTRACT, BIKE, speeds)
    scooter = build_road_network(LI_EXTRACT, TravelMode.ESCOOTER, speeds)
    assert np.array_equal(bike.edge_u, scooter.edge_u)
    assert np.array_equal(bike.edge_length_m, scooter.edge_length_m)
    assert _speeds_kph(scooter).max() == pytest.approx(20.0)
    assert _speeds_kph(bike).max() == pytest.approx(15.0)
    assert bike.content_hash != scooter.content_hash


def test_edges_keep_their_geometry(walk_network: RoadNetwork) -> None:
    """Each edge's polyline starts at its first node, ends at its second, and its
    great-circle length is the edge's length."""
    network = walk_network
    for edge in np.random.default_rng(3).choice(network.edges, size=200, replace=False):
        lat, lon, along = network.edge_polyline(int(edge))
        u, v = network.edge_u[edge], network.edge_v[edge]
        assert (lat[0], lon[0]) == (network.node_lat[u], network.node_lon[u])
        assert (lat[-1], lon[-1]) == (network.node_lat[v], network.node_lon[v])
        pieces = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
        assert along[-1] == pytest.approx(pieces.sum())
        assert network.edge_length_m[edge] == pytest.approx(pieces.sum())
    assert any(
        len(network.edge_polyline(e)[0]) > 2 for e in range(network.edges)
    )  # curved roads keep their shape points


def test_network_from_a_networkx_graph() -> None:
    """A plain graph with times and lengths indexes as one-way edges, keeping the largest
    strongly connected part and its road classes."""
    graph: nx.MultiDiGraph[int] = nx.MultiDiGraph()
    for node, lon in enumerate((9.50, 9.51, 9.52, 9.53)):
        graph.add_node(node, x=lon, y=47.1)
    for u, v in ((0, 1), (1, 0), (1, 2), (2, 1), (2, 3)):  # node 3 is a dead end
        graph.add_edge(u, v, travel_time=60.0, length=760.0, highway="residential")
    network = network_from_graph(graph)
    assert network.nodes == 3
    assert network.edges == 4
    assert network.road_classes == ("residential",)
    assert not np.isfinite(network.edge_backward_s).any()


def test_speed_factors_average_over_the_hours() -> None:
    """A class's factor is its mean over the hours asked; unlisted classes keep 1."""
    rush = [1.0] * 24
    rush[8] = rush[17] = 0.5
    factors = SpeedFactors({"primary": rush})
    assert factors.mean_factors(["primary", "residential"], [8]).tolist() == [0.5, 1.0]
    assert factors.mean_factors(["primary"], [8, 9]).tolist() == [0.75]
    assert factors.mean_factors(["primary"], None)[0] == pytest.approx(23 / 24)
    assert factors == SpeedFactors({"primary": tuple(rush)})
    assert hash(factors) == hash(SpeedFactors({"primary": tuple(rush)}))
    with pytest.raises(ValueError, match="24"):
        SpeedFactors({"primary": [1.0] * 23})
    with pytest.raises(ValueError, match="hours"):
        factors.mean_factors(["primary"], [24])
    assert hours_between(8 * 3600, 17 * 3600) == tuple(range(8, 17))
    assert hours_between(8 * 3600 + 1800, 9 * 3600 + 1) == (8, 9)
    assert hours_between(22 * 3600, 2 * 3600) == (0, 1, 22, 23)
