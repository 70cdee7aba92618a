"""The same geocoder on US-style addresses: a corner of lower Manhattan."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import AddressIndex, GeocodeStatus, Precision, build_address_index

MANHATTAN = Path(__file__).resolve().parents[1] / "data" / "new-york-manhattan.osm.pbf"


@pytest.fixture(scope="module")
def manhattan() -> AddressIndex:
    """The address index of a corner of lower Manhattan."""
    return build_address_index(MANHATTAN)


def _mapped(index: AddressIndex, street: str, number: str) -> list[object]:
    return [a.location for a in index.addresses() if a.street == street and a.housenumber == number]


@pytest.mark.parametrize(
    "query",
    [
        "100 Bank Street, New York, NY 10014",
        "100 Bank Street New York NY 10014",
        "100 bank st, new york",
        "100 Bank St.",
        "100 Bank Street, 10014",
    ],
)
def test_number_first_addresses(manhattan: AddressIndex, query: str) -> None:
    """ "number street, town, state postcode" in its usual spellings finds the door."""
    found = manhattan.geocode(query)
    assert found.status is GeocodeStatus.FOUND
    assert found.precision is Precision.ROOFTOP
    assert found.location in _mapped(manhattan, "Bank Street", "100")


@pytest.mark.parametrize(
    "query",
    [
        "360 W 11th St, New York, NY",
        "360 West 11 Street",
        "360 west eleventh st",
        "360 W. 11th St.",
    ],
)
def test_directions_and_ordinals(manhattan: AddressIndex, query: str) -> None:
    """ "W" is West, "11", "11th" and "eleventh" are one street."""
    found = manhattan.geocode(query)
    assert found.location in _mapped(manhattan, "West 11th Street", "360")


def test_half_numbers_and_avenues(manhattan: AddressIndex) -> None:
    """ "78 1/2" is its own door, and "8th Ave" is 8th Avenue."""
    half = manhattan.geocode("78 1/2 Jane Street, New York, NY 10014")
    assert half.location in _mapped(manhattan, "Jane Street", "78 1/2")
    assert half.location not in _mapped(manhattan, "Jane Street", "78")
    avenue = next(a for a in manhattan.addresses() if a.street == "8th Avenue")
    found = manhattan.geocode(f"{avenue.housenumber} 8th Ave, New York, NY")
    assert found.location in _mapped(manhattan, "8th Avenue", avenue.housenumber)


def test_avenue_missing_from_the_extract_is_not_found(manhattan: AddressIndex) -> None:
    """The Empire State Building's 5th Avenue is outside this corner of Manhattan; a typo
    is forgiven in letters, never in the numbers of a numbered street (not 7th, 8th, 9th)."""
    result = manhattan.geocode("350 5th Avenue, New York, NY 10118")
    assert result.status is GeocodeStatus.NOT_FOUND


def test_postcode_alone_is_where_its_addresses_are(manhattan: AddressIndex) -> None:
    """Without town boundaries, a postcode alone is the centre of the addresses tagged
    with it."""
    found = manhattan.geocode("10014")
    assert found.status is GeocodeStatus.FOUND
    assert found.precision is Precision.LOCALITY
    assert found.matched == "10014"
    tagged = [a.location for a in manhattan.addresses() if a.postcode == "10014"]
    assert found.location is not None
    assert found.location.lat == pytest.approx(sum(p.lat for p in tagged) / len(tagged))
