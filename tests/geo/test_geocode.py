"""The exact offline geocoder, on the extract's own addresses and on a small made-up index."""

from __future__ import annotations

import pytest

from geo import Address, AddressIndex, GeocodeStatus, LatLon, Region, parse_address
from tests.road_oracle import haversine_m


@pytest.mark.parametrize(
    ("query", "parts"),
    [
        ("Städtle 43, 9490 Vaduz", ("Städtle", "43", "9490", "Vaduz")),
        ("Peter-Kaiser-Platz 1", ("Peter-Kaiser-Platz", "1", None, None)),
        ("Im Pardiel 55b, Schaan", ("Im Pardiel", "55b", None, "Schaan")),
        ("  Landstrasse 19 ,  9494  ", ("Landstrasse", "19", "9494", None)),
        (
            "Am Schellenberg 17, 6800 Feldkirch, Austria",
            ("Am Schellenberg", "17", "6800", "Feldkirch Austria"),
        ),
    ],
)
def test_parse_address(query: str, parts: tuple[str | None, ...]) -> None:
    """Street, house number, postcode and town are split out of the usual layout."""
    parsed = parse_address(query)
    assert parsed is not None
    assert (parsed.street, parsed.housenumber, parsed.postcode, parsed.town) == parts


def test_parse_address_needs_a_house_number() -> None:
    """Without a house number there is nothing exact to look up."""
    assert parse_address("Städtle, Vaduz") is None


def test_extract_addresses_resolve_to_their_mapped_point(region: Region) -> None:
    """Addresses of the extract, in several spellings, resolve to their mapped place."""
    found = region.addresses.geocode("Städtle 43, 9490 Vaduz")
    assert found.status is GeocodeStatus.FOUND
    assert found.location is not None
    assert haversine_m(found.location.lat, found.location.lon, 47.1381654, 9.5227332) < 1
    assert found.precision == "rooftop"
    assert region.addresses.geocode("  STÄDTLE 43 ,9490 vaduz").location == found.location


def test_building_addresses_resolve_to_the_building_centre(region: Region) -> None:
    """An address mapped on a building outline (no postcode or town tags on it) resolves,
    with its town taken from the municipality it lies in."""
    found = region.addresses.geocode("Peter-Kaiser-Platz 1, 9490 Vaduz")
    assert found.status is GeocodeStatus.FOUND
    assert found.location is not None
    assert haversine_m(found.location.lat, found.location.lon, 47.1371, 9.5227) < 30


def test_town_and_postcode_tell_repeated_streets_apart(region: Region) -> None:
    """ "Landstrasse 19" exists in Schaan, not in Vaduz: the town must agree."""
    assert region.addresses.geocode("Landstrasse 19, 9494 Schaan").status is GeocodeStatus.FOUND
    assert region.addresses.geocode("Landstrasse 19, Vaduz").status is GeocodeStatus.NOT_FOUND
    assert region.addresses.geocode("Landstrasse 19, 9490").status is GeocodeStatus.NOT_FOUND


def test_unknown_addresses_are_not_found(region: Region) -> None:
    """A street the region does not have, or a number it does not have, finds nothing."""
    assert region.addresses.geocode("Nirgendwostrasse 1").status is GeocodeStatus.NOT_FOUND
    assert region.addresses.geocode("Städtle 4300, Vaduz").status is GeocodeStatus.NOT_FOUND
    assert region.addresses.geocode("near the castle").status is GeocodeStatus.UNPARSEABLE


def _address(town: str, lat: float, postcode: str | None = None) -> Address:
    return Address("Dorfstrasse", "1", postcode, None, town, LatLon(lat, 9.5))


def test_same_address_in_two_towns_is_ambiguous_without_a_town() -> None:
    """Two far-apart matches without a town to choose are ambiguous, with both candidates;
    a duplicate entry of one place (door and building) is not."""
    index = AddressIndex(
        [
            _address("Alpha", 47.10, "1111"),
            _address("Alpha", 47.1001),
            _address("Beta", 47.20, "2222"),
        ]
    )
    result = index.geocode("Dorfstrasse 1")
    assert result.status is GeocodeStatus.AMBIGUOUS
    assert len(result.candidates) == 2
    assert index.geocode("Dorfstrasse 1, Beta").location == LatLon(47.20, 9.5)
    assert index.geocode("Dorfstrasse 1, 1111").location == LatLon(47.10, 9.5)
