"""A region: one OSM extract and everything built from it for planning."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from geo.errors import RegionError
from geo.geocode import AddressIndex, load_or_build_address_index
from geo.network import RoadNetwork, load_or_build_road_network
from geo.snap import NodeLocator

logger = logging.getLogger(__name__)

MANIFEST = "region.json"
"""Name of the file describing a region inside its folder."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Region:
    """A loaded region: its road network, its address index and its time zone."""

    name: str
    timezone: ZoneInfo
    country_code: str
    attribution: str
    network: RoadNetwork
    locator: NodeLocator
    addresses: AddressIndex


def load_region(region_dir: Path, cache_dir: Path) -> Region:
    """Load the region described by ``region_dir/region.json``.

    The manifest names the extract file (relative to the folder), the IANA time zone and the
    country code. Built artefacts are cached under ``cache_dir``, so only the first load of
    an extract parses it.

    Raises
    ------
    RegionError
        If the manifest is missing or malformed, or names an unknown time zone or a missing
        extract.
    """
    manifest_path = region_dir / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        name, extract_name = str(manifest["name"]), str(manifest["extract"])
        timezone = ZoneInfo(str(manifest["timezone"]))
        country_code = str(manifest["country_code"])
    except (OSError, ValueError, KeyError, ZoneInfoNotFoundError) as exc:
        msg = f"region manifest {manifest_path} is missing or malformed: {exc!r}"
        raise RegionError(msg) from exc
    extract = region_dir / extract_name
    if not extract.is_file():
        msg = f"region {name!r}: extract {extract} not found"
        raise RegionError(msg)
    started = time.perf_counter()
    network, built_network = load_or_build_road_network(extract, cache_dir)
    addresses, built_index = load_or_build_address_index(extract, cache_dir)
    logger.info(
        "region %s ready in %.1f s (%s)",
        name,
        time.perf_counter() - started,
        "built" if built_network or built_index else "from cache",
    )
    return Region(
        name=name,
        timezone=timezone,
        country_code=country_code,
        attribution=str(manifest.get("attribution", "© OpenStreetMap contributors, ODbL 1.0")),
        network=network,
        locator=NodeLocator(network),
        addresses=addresses,
    )
