"""Regions: import an OSM extract once, then load everything built from it quickly.

A region lives in one folder::

    <regions_dir>/<name>/region.json     the manifest (what was built, time zone, country, outline)
    <regions_dir>/<name>/extract.osm.pbf the extract it was built from
    <regions_dir>/<name>/*.pkl           road networks per travel mode, the address index

Importing parses the extract; loading reads only the manifest and the built files.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import logging
import re
import shutil
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import osmium
import shapely

from geo.cache import file_digest, load_pickle, save_pickle
from geo.errors import RegionError
from geo.geocoding import AddressIndex, build_address_index
from geo.modes import TravelMode
from geo.network import RoadNetwork, build_road_network
from geo.snap import EdgeLocator
from geo.speeds import ModeSpeeds
from geo.timezones import timezone_at
from geo.types import LatLon

logger = logging.getLogger(__name__)

MANIFEST = "region.json"
"""Name of the manifest file inside a region's folder."""

EXTRACT = "extract.osm.pbf"
"""Name of the extract's copy inside a region's folder."""

REGION_FORMAT_VERSION = 2
"""Bumped when what an import builds changes; older regions are then imported again."""

REGION_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
"""Region names are safe folder names: lower-case letters, digits, '-' and '_'."""

TRAVEL_MODES = tuple(TravelMode)
"""The travel modes every region is built for."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RegionManifest:
    """What an import built, and the facts about the region planning needs."""

    name: str
    extract_sha256: str
    timezone: str
    country_code: str
    outline: list[list[float]]
    """The region's outline, a closed ring of [lon, lat] pairs (the roads' convex hull)."""
    modes: list[str]
    speeds_kph: dict[str, float]
    """The walking, cycling and e-scooter speeds the networks were built with."""
    addresses: int
    built_at: str
    format_version: int = REGION_FORMAT_VERSION
    attribution: str = "© OpenStreetMap contributors, ODbL 1.0"


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Region:
    """A loaded region: its road networks, its address index and its time zone."""

    manifest: RegionManifest
    timezone: ZoneInfo
    networks: Mapping[TravelMode, RoadNetwork]
    locators: Mapping[TravelMode, EdgeLocator]
    addresses: AddressIndex

    @property
    def network(self) -> RoadNetwork:
        """The drivable network."""
        return self.networks[TravelMode.DRIVE]

    @property
    def name(self) -> str:
        """The region's name, as plans name it."""
        return self.manifest.name

    @property
    def country_code(self) -> str:
        """ISO 3166-1 alpha-2 code of the region's country."""
        return self.manifest.country_code


def check_region_name(name: str) -> str:
    """Return ``name`` if it is a valid region name, else raise :class:`RegionError`."""
    if not REGION_NAME.match(name):
        msg = f"region name {name!r} must be 1-63 of a-z, 0-9, '-', '_', starting alphanumeric"
        raise RegionError(msg)
    return name


def import_region(
    extract: Path,
    name: str,
    regions_dir: Path,
    *,
    timezone: str | None = None,
    country_code: str | None = None,
    speeds: ModeSpeeds | None = None,
) -> RegionManifest:
    """Build everything a region needs from an OSM extract, and store it under ``regions_dir``.

    Road networks are built for every travel mode (walking and cycling at ``speeds``). The
    time zone comes from the region's location (offline, with timezonefinder) and the country
    from the time zone (the tz database's zone.tab), unless given.
    An existing region of that name is replaced only once the new one is completely built.

    Raises
    ------
    RegionError
        If the name is invalid, the extract is missing, or the time zone is unknown.
    """
    check_region_name(name)
    if not extract.is_file():
        msg = f"extract {extract} not found"
        raise RegionError(msg)
    _check_readable(extract)
    started = time.perf_counter()
    regions_dir.mkdir(parents=True, exist_ok=True)
    staging = regions_dir / f".{name}.importing"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        shutil.copyfile(extract, staging / EXTRACT)
        speeds = speeds or ModeSpeeds()
        networks = {
            mode: build_road_network(staging / EXTRACT, mode, speeds) for mode in TRAVEL_MODES
        }
        addresses = build_address_index(staging / EXTRACT)
        outline = _outline(networks[TravelMode.DRIVE])
        centre = shapely.Polygon(outline).centroid
        zone = timezone or _timezone_at(centre.y, centre.x)
        _zone_info(zone)
        manifest = RegionManifest(
            name=name,
            extract_sha256=file_digest(staging / EXTRACT),
            timezone=zone,
            country_code=(country_code or _country_of_zone(zone)).upper(),
            outline=outline,
            modes=[str(mode) for mode in TRAVEL_MODES],
            speeds_kph=asdict(speeds),
            addresses=len(addresses),
            built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        for mode, network in networks.items():
            save_pickle(staging / f"network-{mode}.pkl", network)
        save_pickle(staging / "addresses.pkl", addresses)
        (staging / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
        target = regions_dir / name
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info("imported region %s in %.1f s", name, time.perf_counter() - started)
    return manifest


def read_manifest(region_dir: Path) -> RegionManifest:
    """The manifest of an imported region.

    Raises
    ------
    RegionError
        If the folder holds no complete, current-format import.
    """
    path = region_dir / MANIFEST
    try:
        manifest = RegionManifest(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        msg = f"no usable region manifest at {path}: {exc}"
        raise RegionError(msg) from exc
    if manifest.format_version != REGION_FORMAT_VERSION:
        msg = f"region {manifest.name!r} was built by an older version; import it again"
        raise RegionError(msg)
    return manifest


def load_region(region_dir: Path) -> Region:
    """Load an imported region without parsing its extract.

    Raises
    ------
    RegionError
        If the folder holds no complete import of the current format.
    """
    started = time.perf_counter()
    manifest = read_manifest(region_dir)
    try:
        networks = {
            mode: load_pickle(region_dir / f"network-{mode}.pkl", RoadNetwork)
            for mode in map(TravelMode, manifest.modes)
        }
        addresses = load_pickle(region_dir / "addresses.pkl", AddressIndex)
    except (OSError, ValueError) as exc:
        msg = f"region {manifest.name!r} is incomplete ({exc}); import it again"
        raise RegionError(msg) from exc
    region = Region(
        manifest=manifest,
        timezone=_zone_info(manifest.timezone),
        networks=networks,
        locators={mode: EdgeLocator(network) for mode, network in networks.items()},
        addresses=addresses,
    )
    logger.info("loaded region %s in %.2f s", manifest.name, time.perf_counter() - started)
    return region


def _outline(network: RoadNetwork) -> list[list[float]]:
    hull = shapely.MultiPoint(
        list(zip(network.node_lon, network.node_lat, strict=True))
    ).convex_hull
    if not isinstance(hull, shapely.Polygon):  # a one-road region: a line or a point
        hull = hull.buffer(0.001)
    assert isinstance(hull, shapely.Polygon)
    ring = hull.exterior.coords
    return [[round(lon, 6), round(lat, 6)] for lon, lat in ring]


def _timezone_at(lat: float, lon: float) -> str:
    zone = timezone_at(LatLon(lat, lon))
    if zone is None:
        msg = f"no time zone known at {lat:.4f}, {lon:.4f}; give one explicitly"
        raise RegionError(msg)
    return str(zone)


def _zone_info(zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long
        msg = f"unknown time zone {zone!r}"
        raise RegionError(msg) from exc


def _country_of_zone(zone: str) -> str:
    """The country of an IANA time zone, from the tz database's own zone.tab."""
    table = importlib.resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text()
    for line in table.splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and not line.startswith("#") and fields[2] == zone:
            return fields[0]
    msg = f"cannot tell the country of time zone {zone!r}; give it explicitly"
    raise RegionError(msg)


def _check_readable(extract: Path) -> None:
    """Fail early, with a clear message, on a file that is not OSM data."""
    try:
        reader = osmium.io.Reader(str(extract), osmium.osm.osm_entity_bits.NOTHING)
        reader.header()
        reader.close()
    except RuntimeError as exc:
        msg = f"{extract.name} is not a readable OSM extract: {exc}"
        raise RegionError(msg) from exc
