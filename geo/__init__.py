"""Addresses to coordinates to road-network travel matrices, offline, from OSM extracts.

Knows nothing of agents, time windows or HTTP.
"""

from geo.errors import GeoError, NetworkBuildError, RegionError, UnreachableError
from geo.geocode import (
    Address,
    AddressIndex,
    Geocoder,
    GeocodeResult,
    GeocodeStatus,
    build_address_index,
    load_or_build_address_index,
    parse_address,
)
from geo.matrix import TravelMatrices, travel_matrices
from geo.network import (
    RoadNetwork,
    build_road_network,
    load_or_build_road_network,
    network_from_graph,
)
from geo.region import Region, load_region
from geo.snap import NodeLocator, Snap
from geo.types import LatLon

__all__ = [
    "Address",
    "AddressIndex",
    "GeoError",
    "GeocodeResult",
    "GeocodeStatus",
    "Geocoder",
    "LatLon",
    "NetworkBuildError",
    "NodeLocator",
    "Region",
    "RegionError",
    "RoadNetwork",
    "Snap",
    "TravelMatrices",
    "UnreachableError",
    "build_address_index",
    "build_road_network",
    "load_or_build_address_index",
    "load_or_build_road_network",
    "load_region",
    "network_from_graph",
    "parse_address",
    "travel_matrices",
]
