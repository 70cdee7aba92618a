"""What the geocoders take and give: queries, addresses, results, and the Geocoder protocol."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from geo.types import LatLon


class GeocodeStatus(StrEnum):
    """Outcome of one geocoding query."""

    FOUND = "found"
    NOT_FOUND = "not_found"
    AMBIGUOUS = "ambiguous"
    UNPARSEABLE = "unparseable"


class Precision(StrEnum):
    """How closely a result's point stands for the asked address, best first."""

    ROOFTOP = "rooftop"
    """The address as mapped (a door node or the centre of its building)."""
    INTERPOLATED = "interpolated"
    """Between the mapped neighbours of the house number on the same side of the street."""
    STREET = "street"
    """A point on the named street; the house number was not placed."""
    LOCALITY = "locality"
    """The town or village only."""


@dataclass(frozen=True, slots=True)
class StructuredAddress:
    """An address given by its parts, any of them missing."""

    street: str | None = None
    housenumber: str | None = None
    postcode: str | None = None
    city: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    """One addressed place of the extract."""

    street: str
    housenumber: str
    postcode: str | None
    city: str | None
    municipality: str | None
    location: LatLon

    @property
    def town(self) -> str | None:
        """The town people write: the tagged city, else the municipality it lies in."""
        return self.city or self.municipality

    @property
    def label(self) -> str:
        """The address as people write it: "Städtle 43, 9490 Vaduz"."""
        tail = " ".join(part for part in (self.postcode, self.town) if part)
        return f"{self.street} {self.housenumber}" + (f", {tail}" if tail else "")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One place an ambiguous query may mean."""

    label: str
    location: LatLon
    precision: Precision
    confidence: float
    """How well the query fits this candidate, in [0, 1]."""


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """Where a query points, or why it points nowhere.

    ``location``, ``matched``, ``precision`` and ``confidence`` describe the one place found.
    An ambiguous query has no location; ``candidates`` lists the places it may mean, best
    first. ``confidence`` is in [0, 1]: see :mod:`geo.geocoding.confidence` for how it is
    computed; it is 0 when nothing was found.
    """

    status: GeocodeStatus
    location: LatLon | None = None
    matched: str | None = None
    precision: Precision | None = None
    candidates: tuple[Candidate, ...] = ()
    confidence: float = 0.0


@dataclass(frozen=True, slots=True)
class ReverseResult:
    """The mapped address nearest to a point."""

    address: Address
    distance_m: float

    @property
    def label(self) -> str:
        """The address as people write it."""
        return self.address.label

    @property
    def location(self) -> LatLon:
        """The address's mapped point."""
        return self.address.location


class Geocoder(Protocol):
    """Anything that turns an address (free text or parts) into a point."""

    def geocode(self, query: str | StructuredAddress) -> GeocodeResult:
        """Resolve one address."""
        ...
