"""Offline geocoding from a region's own OSM address data.

This first geocoder is exact: "street housenumber[, [postcode] [town]]" must name a street
and house number that an OSM node or building carries (``addr:*`` tags), compared without
regard to case, Unicode form or spacing. Postcode and town, when given, must agree with the
address's own tags or with the municipality it lies in; they are how repeated street names
("Landstrasse" is in several villages) are told apart.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import numpy as np
import osmium
import shapely
from shapely.geometry.base import BaseGeometry

from geo.cache import file_digest, load_or_build
from geo.types import LatLon, great_circle_m

logger = logging.getLogger(__name__)

ADDRESS_INDEX_FORMAT_VERSION = 1
"""Bumped whenever the index build changes, so stale caches are rebuilt."""

SAME_PLACE_M = 150.0
"""Entries of one address closer than this (metres) are one place (a door and its building)."""

MUNICIPALITY_ADMIN_LEVEL = "8"
"""OSM ``admin_level`` of municipalities, the level most addresses' towns are at in Europe."""


class GeocodeStatus(StrEnum):
    """Outcome of one geocoding query."""

    FOUND = "found"
    NOT_FOUND = "not_found"
    AMBIGUOUS = "ambiguous"
    UNPARSEABLE = "unparseable"


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
    def label(self) -> str:
        """The address as people write it: "Städtle 43, 9490 Vaduz"."""
        town = self.city or self.municipality
        tail = " ".join(part for part in (self.postcode, town) if part)
        return f"{self.street} {self.housenumber}" + (f", {tail}" if tail else "")


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """Where a query points, or why it points nowhere.

    ``precision`` is ``"rooftop"`` for an address found as mapped. ``candidates`` lists the
    matching addresses when the query is ambiguous.
    """

    status: GeocodeStatus
    location: LatLon | None = None
    matched: str | None = None
    precision: str | None = None
    candidates: tuple[str, ...] = ()


class Geocoder(Protocol):
    """Anything that turns an address string into a point."""

    def geocode(self, query: str) -> GeocodeResult:
        """Resolve one free-text address."""
        ...


@dataclass(frozen=True, slots=True)
class AddressQuery:
    """The parts of "street housenumber, postcode town"."""

    street: str
    housenumber: str
    postcode: str | None
    town: str | None


_STREET_AND_NUMBER = re.compile(r"^(?P<street>.*?\S)\s+(?P<number>\d[\w/-]*(?:\s?[a-zA-Z])?)$")
_POSTCODE_AND_TOWN = re.compile(r"^(?:(?P<postcode>\d{4,5})\b)?\s*(?P<town>.*)$")


def parse_address(query: str) -> AddressQuery | None:
    """Split "street housenumber[, [postcode] [town]]"; ``None`` if there is no house number."""
    head, _, tail = query.strip().partition(",")
    street_and_number = _STREET_AND_NUMBER.match(head.strip())
    place = _POSTCODE_AND_TOWN.match(" ".join(tail.replace(",", " ").split()))
    if street_and_number is None or place is None:
        return None
    return AddressQuery(
        street=street_and_number["street"],
        housenumber=street_and_number["number"],
        postcode=place["postcode"],
        town=place["town"] or None,
    )


def normalize(text: str) -> str:
    """Case-, Unicode- and spacing-insensitive form of a name ("Städtle " -> "städtle")."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _normalize_number(number: str) -> str:
    return normalize(number).replace(" ", "")


def _town_names(address: Address) -> set[str]:
    names: set[str] = set()
    for name in (address.city, address.municipality):
        if name:
            names.add(normalize(name))
            names.update(normalize(part) for part in name.split("-"))
    return names


class AddressIndex:
    """Exact address lookup over a region's addresses; implements :class:`Geocoder`."""

    def __init__(self, addresses: Iterable[Address]) -> None:
        self._by_key: dict[tuple[str, str], list[Address]] = defaultdict(list)
        postcodes: dict[str, set[str]] = defaultdict(set)
        for address in addresses:
            key = (normalize(address.street), _normalize_number(address.housenumber))
            self._by_key[key].append(address)
            if address.postcode and address.municipality:
                postcodes[address.municipality].add(address.postcode)
        self._municipality_postcodes = dict(postcodes)

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._by_key.values())

    def addresses(self) -> list[Address]:
        """Every indexed address entry."""
        return [address for entries in self._by_key.values() for address in entries]

    def geocode(self, query: str) -> GeocodeResult:
        """Resolve "street housenumber[, [postcode] [town]]" to the address's point."""
        parsed = parse_address(query)
        if parsed is None:
            return GeocodeResult(GeocodeStatus.UNPARSEABLE)
        key = (normalize(parsed.street), _normalize_number(parsed.housenumber))
        matches = [a for a in self._by_key.get(key, ()) if self._agrees(a, parsed)]
        if not matches:
            return GeocodeResult(GeocodeStatus.NOT_FOUND)
        first = matches[0]
        far = [a for a in matches if great_circle_m(first.location, a.location) > SAME_PLACE_M]
        if far:
            labels = tuple(dict.fromkeys(a.label for a in (first, *far)))
            return GeocodeResult(GeocodeStatus.AMBIGUOUS, candidates=labels)
        return GeocodeResult(
            GeocodeStatus.FOUND, location=first.location, matched=first.label, precision="rooftop"
        )

    def _agrees(self, address: Address, query: AddressQuery) -> bool:
        if query.postcode is not None:
            known = {address.postcode} if address.postcode else set()
            if address.municipality:
                known |= self._municipality_postcodes.get(address.municipality, set())
            if known and query.postcode not in known:
                return False
        if query.town is not None:
            names = _town_names(address)
            asked = {normalize(query.town)} | {normalize(p) for p in query.town.split("-")}
            if names and not names & asked:
                return False
        return True


def build_address_index(extract: Path) -> AddressIndex:
    """Read every addressed node and building way of an OSM extract into an index.

    A building's point is the mean of its outline's nodes. Each address is placed in the
    municipality (``admin_level=8`` boundary) that contains it.
    """
    raw: list[tuple[dict[str, str], LatLon]] = []
    municipalities: list[tuple[str, BaseGeometry]] = []
    wkb = osmium.geom.WKBFactory()
    for obj in osmium.FileProcessor(str(extract)).with_areas():
        tags = obj.tags
        if isinstance(obj, osmium.osm.Area):
            if (
                tags.get("boundary") == "administrative"
                and tags.get("admin_level") == MUNICIPALITY_ADMIN_LEVEL
                and "name" in tags
            ):
                shape = shapely.from_wkb(bytes.fromhex(wkb.create_multipolygon(obj)))
                municipalities.append((tags["name"], shape))
            continue
        if "addr:housenumber" not in tags or not ("addr:street" in tags or "addr:place" in tags):
            continue
        point = _point_of(obj)
        if point is not None:
            raw.append(({k: v for k, v in tags if k.startswith("addr:")}, point))
    addresses = _with_municipalities(raw, municipalities)
    logger.info("indexed %d addresses in %d municipalities", len(addresses), len(municipalities))
    return AddressIndex(addresses)


def _point_of(obj: object) -> LatLon | None:
    if isinstance(obj, osmium.osm.Node):
        return LatLon(obj.location.lat, obj.location.lon)
    if isinstance(obj, osmium.osm.Way):
        coords = [(n.lat, n.lon) for n in obj.nodes if n.location.valid()]
        if obj.is_closed() and len(coords) > 1:
            coords = coords[:-1]
        if coords:
            lat, lon = np.mean(np.array(coords), axis=0)
            return LatLon(float(lat), float(lon))
    return None  # relations (multipolygon buildings) are rare; a later geocoder takes them


def _with_municipalities(
    raw: Sequence[tuple[dict[str, str], LatLon]],
    municipalities: Sequence[tuple[str, BaseGeometry]],
) -> list[Address]:
    points = shapely.points([p.lon for _, p in raw], [p.lat for _, p in raw])
    municipality: list[str | None] = [None] * len(raw)
    for name, shape in municipalities:
        for idx in np.nonzero(shapely.contains(shape, points))[0]:
            municipality[idx] = name
    return [
        Address(
            street=tags.get("addr:street") or tags["addr:place"],
            housenumber=tags["addr:housenumber"],
            postcode=tags.get("addr:postcode"),
            city=tags.get("addr:city"),
            municipality=town,
            location=point,
        )
        for (tags, point), town in zip(raw, municipality, strict=True)
    ]


def load_or_build_address_index(extract: Path, cache_dir: Path) -> tuple[AddressIndex, bool]:
    """Load the extract's address index from ``cache_dir``, building it on first use."""
    digest = file_digest(extract)[:16]
    cache_path = cache_dir / f"addresses-{digest}-v{ADDRESS_INDEX_FORMAT_VERSION}.pkl"
    return load_or_build(cache_path, lambda: build_address_index(extract))
