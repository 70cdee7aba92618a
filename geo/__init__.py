"""Addresses to coordinates to road-network travel matrices, offline, from OSM extracts.

Knows nothing of agents, time windows or HTTP.
"""

from geo.errors import GeoError, NetworkBuildError, RegionError, UnreachableError
from geo.geocoding import (
    Address,
    AddressIndex,
    Candidate,
    Geocoder,
    GeocodeResult,
    GeocodeStatus,
    GeocodingServiceError,
    NominatimGeocoder,
    Precision,
    ReverseResult,
    StructuredAddress,
    build_address_index,
    parse_address,
)
from geo.matrix import TravelMatrices, travel_matrices
from geo.matrix_cache import MatrixCache
from geo.modes import TravelMode
from geo.network import (
    RoadNetwork,
    build_road_network,
    network_from_graph,
)
from geo.region import (
    Region,
    RegionManifest,
    check_region_name,
    import_region,
    load_region,
    read_manifest,
)
from geo.snap import EdgeLocator, Snap
from geo.speeds import ModeSpeeds, SpeedFactors, hours_between
from geo.timezones import timezone_at
from geo.types import LatLon

__all__ = [
    "Address",
    "AddressIndex",
    "Candidate",
    "EdgeLocator",
    "GeoError",
    "GeocodeResult",
    "GeocodeStatus",
    "Geocoder",
    "GeocodingServiceError",
    "LatLon",
    "MatrixCache",
    "ModeSpeeds",
    "NetworkBuildError",
    "NominatimGeocoder",
    "Precision",
    "Region",
    "RegionError",
    "RegionManifest",
    "ReverseResult",
    "RoadNetwork",
    "Snap",
    "SpeedFactors",
    "StructuredAddress",
    "TravelMatrices",
    "TravelMode",
    "UnreachableError",
    "build_address_index",
    "build_road_network",
    "check_region_name",
    "hours_between",
    "import_region",
    "load_region",
    "network_from_graph",
    "parse_address",
    "read_manifest",
    "timezone_at",
    "travel_matrices",
]
