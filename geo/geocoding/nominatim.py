"""A Nominatim server as a :class:`~geo.geocoding.model.Geocoder`, through geopy.

For users who run their own Nominatim: requests are spaced by geopy's ``RateLimiter`` (the
public server's policy is at most one per second) and every answer is kept in a SQLite
cache on disk, so a repeated query never reaches the server again. This is the only module
that imports geopy.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from geo.geocoding.confidence import confidence
from geo.geocoding.errors import GeocodingServiceError
from geo.geocoding.model import GeocodeResult, GeocodeStatus, Precision, StructuredAddress
from geo.geocoding.normalize import fold
from geo.geocoding.query_cache import QueryCache
from geo.types import LatLon

DEFAULT_MIN_DELAY_S = 1.0
"""Seconds between two requests: the public Nominatim's usage policy."""

DEFAULT_TIMEOUT_S = 10.0

_STREET_CLASSES = frozenset({"highway"})
_ROOFTOP_RANK = 30
"""Nominatim's ``place_rank`` of houses and buildings."""
_STREET_RANK = 26


class NominatimGeocoder:
    """Geocode with a Nominatim server, politely and at most once per distinct query.

    Parameters
    ----------
    url
        The server's base URL, e.g. ``"http://nominatim.internal:8080"`` (``/search`` is
        appended).
    cache_path
        The SQLite file that keeps the answers (created if missing).
    user_agent
        Sent with every request, as Nominatim's usage policy asks.
    min_delay_s
        Least time between two requests to the server, in seconds.
    timeout_s
        How long to wait for one answer, in seconds.
    max_retries
        How often a failed request is tried again (after ``min_delay_s``) before giving up.
    """

    def __init__(
        self,
        url: str,
        *,
        cache_path: Path,
        user_agent: str = "doorstep-geocoder",
        min_delay_s: float = DEFAULT_MIN_DELAY_S,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_retries: int = 0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            msg = f"Nominatim URL must be http(s)://host[:port][/path], not {url!r}"
            raise ValueError(msg)
        self.endpoint = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self._nominatim = Nominatim(
            domain=parts.netloc + parts.path.rstrip("/"),
            scheme=parts.scheme,
            user_agent=user_agent,
            timeout=timeout_s,
        )
        self._search = RateLimiter(
            self._nominatim.geocode,
            min_delay_seconds=min_delay_s,
            max_retries=max_retries,
            error_wait_seconds=min_delay_s,
            swallow_exceptions=False,
        )
        self._cache = QueryCache(cache_path)

    def geocode(self, query: str | StructuredAddress) -> GeocodeResult:
        """Resolve one address with the server, or from the cache if asked before.

        Raises
        ------
        GeocodingServiceError
            If the server cannot be reached, times out or answers with an error.
        """
        key = _cache_key(query)
        if not key:
            return GeocodeResult(GeocodeStatus.UNPARSEABLE)
        known, raw = self._cache.get(self.endpoint, key)
        if not known:
            raw = self._ask(query)
            self._cache.put(self.endpoint, key, raw)
        return _result(raw)

    def _ask(self, query: str | StructuredAddress) -> dict[str, Any] | None:
        request: str | dict[str, str] = (
            _structured(query) if isinstance(query, StructuredAddress) else query
        )
        try:
            location = self._search(request, exactly_one=True, addressdetails=True)
        except GeopyError as exc:
            msg = f"Nominatim at {self.endpoint} failed: {type(exc).__name__}: {exc}"
            raise GeocodingServiceError(msg) from exc
        if location is None:
            return None
        raw: dict[str, Any] = dict(location.raw)
        return raw

    def close(self) -> None:
        """Close the connections kept open to the server."""
        self._nominatim.__exit__(None, None, None)

    def __enter__(self) -> NominatimGeocoder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _structured(address: StructuredAddress) -> dict[str, str]:
    """Nominatim's structured query: its ``street`` is "number street"."""
    street = " ".join(p for p in (address.housenumber, address.street) if p)
    fields = {"street": street, "postalcode": address.postcode, "city": address.city}
    return {name: value for name, value in fields.items() if value}


def _cache_key(query: str | StructuredAddress) -> str:
    """The query as the cache knows it: folded (see :func:`~geo.geocoding.normalize.fold`)
    so spellings that differ only in case, accents or punctuation share one answer."""
    if isinstance(query, StructuredAddress):
        parts = (query.street, query.housenumber, query.postcode, query.city)
        if not any(p and p.strip() for p in parts):
            return ""
        return "structured:" + "|".join(fold(p or "") for p in parts)
    return fold(query)


def _precision(raw: dict[str, Any]) -> Precision:
    rank = int(raw.get("place_rank", 0) or 0)
    if rank >= _ROOFTOP_RANK or "house_number" in raw.get("address", {}):
        return Precision.ROOFTOP
    if rank >= _STREET_RANK or raw.get("class", raw.get("category")) in _STREET_CLASSES:
        return Precision.STREET
    return Precision.LOCALITY


def _result(raw: dict[str, Any] | None) -> GeocodeResult:
    """The answer of a Nominatim search hit. Nominatim does not say how well the query
    matched, so the confidence is that of the precision level alone."""
    if raw is None:
        return GeocodeResult(GeocodeStatus.NOT_FOUND)
    try:
        location = LatLon(float(raw["lat"]), float(raw["lon"]))
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"Nominatim answered without a usable point: {raw!r}"
        raise GeocodingServiceError(msg) from exc
    precision = _precision(raw)
    return GeocodeResult(
        GeocodeStatus.FOUND,
        location=location,
        matched=str(raw.get("display_name", "")) or None,
        precision=precision,
        confidence=confidence(precision),
    )
