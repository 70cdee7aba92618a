"""Building the address index from an extract."""

from __future__ import annotations

import logging
from pathlib import Path

from geo.geocoding.index import AddressIndex
from geo.geocoding.osm import read_extract

logger = logging.getLogger(__name__)


def build_address_index(extract: Path) -> AddressIndex:
    """Read an OSM extract's addresses, streets, places and municipalities into an index.

    A building's point is the mean of its outline's nodes. Each address, street piece and
    place is put in the municipality (``admin_level=8`` boundary) that contains it.
    """
    data = read_extract(extract)
    return AddressIndex(
        data.addresses,
        streets=data.streets,
        places=data.places,
        municipalities=data.municipalities,
    )
