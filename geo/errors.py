"""Errors raised by the geo package."""


class GeoError(Exception):
    """Base class of every error the geo package raises."""


class NetworkBuildError(GeoError):
    """An OSM extract could not be turned into a usable road network."""


class UnreachableError(GeoError):
    """Some place cannot be reached from another on the road network."""


class RegionError(GeoError, ValueError):
    """A region's folder or manifest is missing or malformed."""
