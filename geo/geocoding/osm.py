"""Reading what the geocoder needs from an OSM extract, with pyosmium.

Addresses (``addr:*`` on nodes, building ways and multipolygons), named ``highway=*`` ways
(footways too: their geometry is where a street-level answer is placed), ``place=*`` nodes
and ``admin_level=8`` municipality boundaries. Every address, street piece and place is put
in the municipality that contains it, because most addresses carry no town of their own.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import osmium
import shapely
from shapely.geometry.base import BaseGeometry

from geo.geocoding.model import Address
from geo.types import LatLon

logger = logging.getLogger(__name__)

MUNICIPALITY_ADMIN_LEVEL = "8"
"""OSM ``admin_level`` of municipalities, the level most addresses' towns are at in Europe."""

PLACE_KINDS = frozenset(
    {"city", "town", "village", "hamlet", "suburb", "quarter", "neighbourhood", "isolated_dwelling"}
)
"""``place=*`` values that people write as the town of an address ("Nendeln", "Bendern")."""

STREET_ALIAS_TAGS = ("alt_name", "old_name", "short_name", "official_name", "loc_name")
"""Other names of a street that queries may use ("Avenue of the Americas" for 6th Avenue)."""


@dataclass(frozen=True, slots=True)
class StreetPiece:
    """The part of one named way inside one municipality, as (lat1, lon1, lat2, lon2) rows."""

    name: str
    aliases: tuple[str, ...]
    municipality: str | None
    segments: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Place:
    """A named ``place=*`` node: a town, village, hamlet or suburb."""

    name: str
    kind: str
    location: LatLon
    municipality: str | None


@dataclass(frozen=True, slots=True)
class Municipality:
    """An ``admin_level=8`` boundary: its name and a point inside it."""

    name: str
    location: LatLon


@dataclass(slots=True)
class ExtractData:
    """Everything the geocoder reads from one extract."""

    addresses: list[Address] = field(default_factory=list)
    streets: list[StreetPiece] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    municipalities: list[Municipality] = field(default_factory=list)


@dataclass(slots=True)
class _Collected:
    addresses: list[tuple[dict[str, str], LatLon]] = field(default_factory=list)
    ways: list[tuple[str, tuple[str, ...], npt.NDArray[np.float64]]] = field(default_factory=list)
    places: list[tuple[str, str, LatLon]] = field(default_factory=list)
    boundaries: list[tuple[str, BaseGeometry]] = field(default_factory=list)


def read_extract(extract: Path) -> ExtractData:
    """Read the addresses, streets, places and municipalities of an OSM extract.

    A building's point is the mean of its outline's nodes (a multipolygon's: its centroid).
    """
    collected = _Collected()
    wkb = osmium.geom.WKBFactory()
    for obj in osmium.FileProcessor(str(extract)).with_areas():
        tags = obj.tags
        if isinstance(obj, osmium.osm.Area):
            _collect_area(obj, tags, wkb, collected)
        elif isinstance(obj, osmium.osm.Node):
            _collect_node(obj, tags, collected)
        elif isinstance(obj, osmium.osm.Way):
            _collect_way(obj, tags, collected)
    return _assemble(collected)


def _has_address(tags: osmium.osm.TagList) -> bool:
    return "addr:housenumber" in tags and ("addr:street" in tags or "addr:place" in tags)


def _address_tags(tags: osmium.osm.TagList) -> dict[str, str]:
    return {k: v.strip() for k, v in tags if k.startswith("addr:") and v.strip()}


def _collect_area(
    area: osmium.osm.Area,
    tags: osmium.osm.TagList,
    wkb: osmium.geom.WKBFactory,
    collected: _Collected,
) -> None:
    is_municipality = (
        tags.get("boundary") == "administrative"
        and tags.get("admin_level") == MUNICIPALITY_ADMIN_LEVEL
        and "name" in tags
    )
    # Closed ways come as areas too; their addresses are taken from the way itself.
    is_addressed_multipolygon = not area.from_way() and _has_address(tags)
    if not (is_municipality or is_addressed_multipolygon):
        return
    shape = shapely.from_wkb(bytes.fromhex(wkb.create_multipolygon(area)))
    if is_municipality:
        collected.boundaries.append((tags["name"], shape))
    else:
        centre = shape.centroid
        collected.addresses.append((_address_tags(tags), LatLon(centre.y, centre.x)))


def _collect_node(node: osmium.osm.Node, tags: osmium.osm.TagList, collected: _Collected) -> None:
    point = LatLon(node.location.lat, node.location.lon)
    if _has_address(tags):
        collected.addresses.append((_address_tags(tags), point))
    if tags.get("place") in PLACE_KINDS and "name" in tags:
        collected.places.append((tags["name"], tags["place"], point))


def _collect_way(way: osmium.osm.Way, tags: osmium.osm.TagList, collected: _Collected) -> None:
    is_street = "highway" in tags and "name" in tags
    if not (is_street or _has_address(tags)):
        return
    coords = np.array([(n.lat, n.lon) for n in way.nodes if n.location.valid()], dtype=float)
    if len(coords) == 0:
        return
    if is_street and len(coords) > 1:
        aliases = tuple(tags[k] for k in STREET_ALIAS_TAGS if k in tags)
        collected.ways.append((tags["name"], aliases, coords))
    if _has_address(tags):
        outline = coords[:-1] if way.is_closed() and len(coords) > 1 else coords
        lat, lon = outline.mean(axis=0)
        collected.addresses.append((_address_tags(tags), LatLon(float(lat), float(lon))))


def _municipality_of(
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    boundaries: Sequence[tuple[str, BaseGeometry]],
) -> list[str | None]:
    found: list[str | None] = [None] * len(lat)
    for name, shape in boundaries:
        for idx in np.nonzero(shapely.contains_xy(shape, lon, lat))[0]:
            found[idx] = name
    return found


def _assemble(collected: _Collected) -> ExtractData:
    for _, shape in collected.boundaries:
        shapely.prepare(shape)
    data = ExtractData()
    points = np.array([(p.lat, p.lon) for _, p in collected.addresses], dtype=float).reshape(-1, 2)
    towns = _municipality_of(points[:, 0], points[:, 1], collected.boundaries)
    for (tags, point), town in zip(collected.addresses, towns, strict=True):
        data.addresses.append(
            Address(
                street=tags.get("addr:street") or tags["addr:place"],
                housenumber=tags["addr:housenumber"],
                postcode=tags.get("addr:postcode"),
                city=tags.get("addr:city"),
                municipality=town,
                location=point,
            )
        )
    data.streets = _street_pieces(collected)
    place_points = np.array([(p.lat, p.lon) for _, _, p in collected.places]).reshape(-1, 2)
    place_towns = _municipality_of(place_points[:, 0], place_points[:, 1], collected.boundaries)
    data.places = [
        Place(name, kind, point, town)
        for (name, kind, point), town in zip(collected.places, place_towns, strict=True)
    ]
    data.municipalities = [
        Municipality(name, LatLon(inside.y, inside.x))
        for name, shape in collected.boundaries
        for inside in (shape.point_on_surface(),)
    ]
    logger.info(
        "read %d addresses, %d street pieces, %d places, %d municipalities",
        len(data.addresses),
        len(data.streets),
        len(data.places),
        len(data.municipalities),
    )
    return data


def _street_pieces(collected: _Collected) -> list[StreetPiece]:
    """Split every named way at municipality borders; a border segment goes to both sides."""
    if not collected.ways:
        return []
    coords = np.concatenate([c for _, _, c in collected.ways])
    towns = _municipality_of(coords[:, 0], coords[:, 1], collected.boundaries)
    pieces: list[StreetPiece] = []
    start = 0
    for name, aliases, way_coords in collected.ways:
        way_towns = towns[start : start + len(way_coords)]
        start += len(way_coords)
        segments = np.hstack([way_coords[:-1], way_coords[1:]])
        for town in dict.fromkeys(way_towns):
            mask = np.array([town in (a, b) for a, b in itertools.pairwise(way_towns)])
            if mask.any():
                pieces.append(StreetPiece(name.strip(), aliases, town, segments[mask]))
    return pieces
