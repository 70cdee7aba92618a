"""Geocoding: addresses to points, offline from a region's OSM data, or with Nominatim.

- :class:`AddressIndex` (built by :func:`build_address_index`) resolves free text or
  :class:`StructuredAddress` offline, forgiving spelling, abbreviations and missing parts,
  and falls back to interpolation, the street or the town; it also reverse-geocodes.
- :class:`NominatimGeocoder` asks a Nominatim server, rate-limited and cached on disk.

Both implement :class:`Geocoder`.
"""

from geo.geocoding.build import (
    build_address_index,
)
from geo.geocoding.errors import GeocodingServiceError
from geo.geocoding.index import DEFAULT_REVERSE_DISTANCE_M, SAME_PLACE_M, AddressIndex
from geo.geocoding.model import (
    Address,
    Candidate,
    Geocoder,
    GeocodeResult,
    GeocodeStatus,
    Precision,
    ReverseResult,
    StructuredAddress,
)
from geo.geocoding.nominatim import NominatimGeocoder
from geo.geocoding.parse import AddressQuery, parse_address

__all__ = [
    "DEFAULT_REVERSE_DISTANCE_M",
    "SAME_PLACE_M",
    "Address",
    "AddressIndex",
    "AddressQuery",
    "Candidate",
    "GeocodeResult",
    "GeocodeStatus",
    "Geocoder",
    "GeocodingServiceError",
    "NominatimGeocoder",
    "Precision",
    "ReverseResult",
    "StructuredAddress",
    "build_address_index",
    "parse_address",
]
