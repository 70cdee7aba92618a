"""The geocoder's matching and fallback rules, on a small made-up village where every point
is known: exact, suffix and range matches, interpolation on the same side, street and town
fallbacks, ambiguity and its candidates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geo import (
    Address,
    AddressIndex,
    Geocoder,
    GeocodeStatus,
    LatLon,
    NominatimGeocoder,
    Precision,
)
from geo.geocoding.osm import Municipality, Place, StreetPiece

ODD_LON = 9.5000
EVEN_LON = 9.5004
ROAD_LON = 9.5002
START_LAT = 47.0


def _lat(number: int) -> float:
    """Numbers climb north along Dorfstrasse, about 11 m apart."""
    return START_LAT + number * 0.0001


def _door(number: int, suffix: str = "", *, town: str = "Alpha") -> Address:
    lon = ODD_LON if number % 2 else EVEN_LON
    return Address("Dorfstrasse", f"{number}{suffix}", None, None, town, LatLon(_lat(number), lon))


def _road(name: str, lon: float, lat_from: float, lat_to: float, town: str) -> StreetPiece:
    lats = np.linspace(lat_from, lat_to, 5)
    segments = np.column_stack([lats[:-1], np.full(4, lon), lats[1:], np.full(4, lon)])
    return StreetPiece(name, (), town, segments)


@pytest.fixture(scope="module")
def village() -> AddressIndex:
    """Dorfstrasse in Alpha: odd doors 1, 3, 7, 9 on the west side, even 2, 6, 8, 14 on the
    east, a "20-24" and a "12b"; Bachweg has a road but no addresses; a hamlet, Alpweid, lies
    in Alpha; Beta, 11 km north, has its own Dorfstrasse 1."""
    doors = [_door(n) for n in (1, 3, 7, 9, 2, 6, 8, 14)]
    doors += [_door(12, "b"), _door(20, "-24")]
    doors += [Address("Dorfstrasse", "1", "2222", None, "Beta", LatLon(47.1, 9.5))]
    return AddressIndex(
        doors,
        streets=[
            _road("Dorfstrasse", ROAD_LON, START_LAT, _lat(30), "Alpha"),
            _road("Bachweg", 9.51, 47.0, 47.004, "Alpha"),
        ],
        places=[Place("Alpweid", "hamlet", LatLon(47.002, 9.505), "Alpha")],
        municipalities=[
            Municipality("Alpha", LatLon(47.001, 9.501)),
            Municipality("Beta", LatLon(47.1, 9.501)),
        ],
    )


def test_missing_number_is_interpolated_between_same_side_neighbours(
    village: AddressIndex,
) -> None:
    """5 lies between 3 and 7 (odd, west side), not between 4 and 6; 4 between 2 and 6."""
    five = village.geocode("Dorfstrasse 5, Alpha")
    assert five.status is GeocodeStatus.FOUND
    assert five.precision is Precision.INTERPOLATED
    assert five.location == pytest.approx(LatLon(_lat(5), ODD_LON))
    assert five.matched == "Dorfstrasse 5, Alpha"
    four = village.geocode("Dorfstrasse 4, Alpha")
    assert four.location == pytest.approx(LatLon(_lat(4), EVEN_LON))
    assert 0 < five.confidence < village.geocode("Dorfstrasse 3, Alpha").confidence


def test_interpolation_is_proportional_to_the_numbers(village: AddressIndex) -> None:
    """16 is a third of the way from 14 to 20 (the range "20-24" starts there), not half."""
    sixteen = village.geocode("Dorfstrasse 16, Alpha")
    assert sixteen.precision is Precision.INTERPOLATED
    assert sixteen.location == pytest.approx(LatLon(_lat(14) + (_lat(20) - _lat(14)) / 3, EVEN_LON))


def test_number_without_neighbours_on_both_sides_falls_back_to_the_street(
    village: AddressIndex,
) -> None:
    """11 has no odd neighbour above it: the answer is the point of the road nearest to the
    door with the closest number, 12b."""
    eleven = village.geocode("Dorfstrasse 11, Alpha")
    assert eleven.precision is Precision.STREET
    assert eleven.location == pytest.approx(LatLon(_lat(12), ROAD_LON))
    assert eleven.matched == "Dorfstrasse, Alpha"
    assert eleven.confidence < village.geocode("Dorfstrasse 5, Alpha").confidence


def test_street_without_addresses_answers_with_its_middle(village: AddressIndex) -> None:
    """Bachweg has no mapped doors: any number on it is the middle of the road."""
    middle = village.geocode("Bachweg 3, Alpha")
    assert middle.precision is Precision.STREET
    assert middle.location == pytest.approx(LatLon(47.002, 9.51))


def test_missing_suffix_falls_back_to_the_plain_number(village: AddressIndex) -> None:
    """ "14a" is not mapped, 14 is: rooftop at 14, with less confidence than 14 itself."""
    plain = village.geocode("Dorfstrasse 14, Alpha")
    suffixed = village.geocode("Dorfstrasse 14a, Alpha")
    assert suffixed.precision is Precision.ROOFTOP
    assert suffixed.location == plain.location
    assert suffixed.confidence < plain.confidence


@pytest.mark.parametrize("written", ["12b", "12 b", "12B", "12 B"])
def test_suffix_spellings_are_one_number(village: AddressIndex, written: str) -> None:
    """ "12b", "12 b" and "12B" are the same door, found with full confidence."""
    found = village.geocode(f"Dorfstrasse {written}, Alpha")
    assert found.location == pytest.approx(LatLon(_lat(12), EVEN_LON))
    assert found.precision is Precision.ROOFTOP
    assert found.confidence == 1.0


def test_a_plain_number_finds_its_only_suffixed_door(village: AddressIndex) -> None:
    """12 is mapped only as 12b: that door, rooftop, with less confidence."""
    twelve = village.geocode("Dorfstrasse 12, Alpha")
    assert twelve.location == pytest.approx(LatLon(_lat(12), EVEN_LON))
    assert twelve.precision is Precision.ROOFTOP
    assert twelve.confidence < 1.0


def test_ranges(village: AddressIndex) -> None:
    """A mapped range "20-24" is found as itself and by any number of its side in it; an
    asked range is found by one of its mapped numbers."""
    door = LatLon(_lat(20), EVEN_LON)
    assert village.geocode("Dorfstrasse 20-24, Alpha").location == door
    assert village.geocode("Dorfstrasse 22, Alpha").location == door
    asked_range = village.geocode("Dorfstrasse 6-8, Alpha")
    assert asked_range.precision is Precision.ROOFTOP
    assert asked_range.location == pytest.approx(LatLon(_lat(6), EVEN_LON))
    assert asked_range.confidence < 1.0


def test_same_address_in_two_towns_is_ambiguous_without_a_town(village: AddressIndex) -> None:
    """Dorfstrasse 1 is in Alpha and in Beta: without a town both are candidates, best
    first, each with its label, point, precision and confidence; a town or postcode picks."""
    result = village.geocode("Dorfstrasse 1")
    assert result.status is GeocodeStatus.AMBIGUOUS
    assert result.location is None
    assert {c.label for c in result.candidates} == {
        "Dorfstrasse 1, Alpha",
        "Dorfstrasse 1, 2222 Beta",
    }
    assert {c.location for c in result.candidates} == {
        LatLon(_lat(1), ODD_LON),
        LatLon(47.1, 9.5),
    }
    assert all(c.precision is Precision.ROOFTOP for c in result.candidates)
    assert all(0 < c.confidence <= 1 for c in result.candidates)
    assert result.confidence == pytest.approx(result.candidates[0].confidence / 2, abs=1e-3)
    assert village.geocode("Dorfstrasse 1, Beta").location == LatLon(47.1, 9.5)
    assert village.geocode("Dorfstrasse 1, 2222").location == LatLon(47.1, 9.5)
    assert village.geocode("Dorfstrasse 1, Alpweid").location == LatLon(_lat(1), ODD_LON)


def test_hamlet_alone_is_its_own_point(village: AddressIndex) -> None:
    """A hamlet named alone is found at its place node, as a locality."""
    hamlet = village.geocode("Alpweid")
    assert (hamlet.precision, hamlet.location) == (Precision.LOCALITY, LatLon(47.002, 9.505))


def test_reverse_on_the_village(village: AddressIndex) -> None:
    """The nearest door wins, whichever side of the road the point is on."""
    found = village.reverse(LatLon(_lat(7) + 0.00001, ODD_LON + 0.00001))
    assert found is not None
    assert found.address.housenumber == "7"
    assert AddressIndex([]).reverse(LatLon(47.0, 9.5)) is None


def test_both_backends_are_geocoders(village: AddressIndex, tmp_path: Path) -> None:
    """The offline index and the Nominatim backend fit one Geocoder protocol (mypy checks
    the assignments; the calls check the shape at run time)."""
    with NominatimGeocoder("http://127.0.0.1:9", cache_path=tmp_path / "c.sqlite") as online:
        backends: list[Geocoder] = [village, online]
        assert backends[0].geocode("Dorfstrasse 3, Alpha").status is GeocodeStatus.FOUND
