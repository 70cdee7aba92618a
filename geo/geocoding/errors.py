"""Errors of the geocoders."""

from geo.errors import GeoError


class GeocodingServiceError(GeoError):
    """An online geocoding service failed: unreachable, timed out, refused, or answered with
    an error or with something unreadable."""
