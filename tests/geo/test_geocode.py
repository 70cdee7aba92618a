"""The offline geocoder on the Liechtenstein extract: parsing, normalisation, town and
postcode, fallbacks, structured input, reverse geocoding, and the region loader's index."""

from __future__ import annotations

import pickle

import pytest

from geo import (
    AddressIndex,
    GeocodeStatus,
    LatLon,
    Precision,
    Region,
    StructuredAddress,
    build_address_index,
    parse_address,
)
from geo.geocoding.normalize import parse_housenumber, street_key
from geo.types import great_circle_m
from tests.geo.conftest import LI_EXTRACT

STAEDTLE_43 = LatLon(47.1381654, 9.5227332)
NENDELN = LatLon(47.1973842, 9.5430689)
VADUZ = LatLon(47.1392862, 9.5227962)


@pytest.fixture(scope="module")
def index() -> AddressIndex:
    """The extract's address index, built directly (no road network needed)."""
    return build_address_index(LI_EXTRACT)


@pytest.mark.parametrize(
    ("query", "parts"),
    [
        ("Städtle 43, 9490 Vaduz", ("Städtle", "43", "9490", "Vaduz")),
        ("Städtle 43 9490 Vaduz", ("Städtle", "43", "9490", "Vaduz")),
        ("Peter-Kaiser-Platz 1", ("Peter-Kaiser-Platz", "1", None, None)),
        ("Im Pardiel 55b, Schaan", ("Im Pardiel", "55b", None, "Schaan")),
        ("Im Pardiel 55 b Schaan", ("Im Pardiel", "55 b", None, "Schaan")),
        ("  Landstrasse 19 ,  9494  ", ("Landstrasse", "19", "9494", None)),
        ("Landstrasse 71-75, FL-9494 Schaan", ("Landstrasse", "71-75", "9494", "Schaan")),
        (
            "Am Schellenberg 17, 6800 Feldkirch, Austria",
            ("Am Schellenberg", "17", "6800", "Feldkirch Austria"),
        ),
        ("350 5th Avenue, New York", ("5th Avenue", "350", None, "New York")),
        ("132 W 10th St, New York, NY 10014", ("W 10th St", "132", "10014", "New York NY")),
        ("78 1/2 Bank Street", ("Bank Street", "78 1/2", None, None)),
        ("Städtle, Vaduz", ("Städtle", None, None, "Vaduz")),
        ("9490", (None, None, "9490", None)),
    ],
)
def test_parse_address(query: str, parts: tuple[str | None, ...]) -> None:
    """Street, house number, postcode and town are split out of European and US layouts."""
    parsed = parse_address(query)
    assert parsed is not None
    assert (parsed.street, parsed.housenumber, parsed.postcode, parsed.town) == parts


def test_parse_address_uses_the_regions_names_without_commas(index: AddressIndex) -> None:
    """Without commas, the region's known streets and towns tell where the street ends."""
    assert parse_address("Städtle Vaduz", index) == parse_address("Städtle, Vaduz")
    place = parse_address("9490 Vaduz", index)
    assert place is not None
    assert (place.street, place.housenumber, place.postcode, place.town) == (
        None,
        None,
        "9490",
        "Vaduz",
    )
    assert parse_address("   ") is None


@pytest.mark.parametrize(
    ("spellings"),
    [
        (
            "Dominik Banzer-Strasse",
            "dominik banzer strasse",
            "Dominik-Banzer-Str.",
            "DOMINIK BANZERSTR",
        ),
        ("Landstrasse", "Landstr.", "Landstr", "Land-Strasse", "Landstraße", "LANDSTRASSE"),
        ("Liechtensteiner Straße", "Liechtensteinerstrasse", "Liechtensteiner Str."),
        ("Städtle", "Staedtle", "Stadtle", "STÄDTLE"),
        ("Bühelstrasse", "Buehelstrasse", "Buhelstrasse"),
        ("West 11th Street", "W 11th St", "W. 11th St.", "west 11 street"),
        ("5th Avenue", "5th Ave", "Fifth Avenue", "5th Av."),
        ("Sankt Florinsgasse", "St. Florinsgasse", "Saint Florinsgasse"),
        ("Dr. Josef Hoop-Str.", "Dr Josef Hoop Strasse"),
    ],
)
def test_spellings_of_one_street_share_a_key(spellings: tuple[str, ...]) -> None:
    """Case, accents and umlauts (ä, ae, a), ß, punctuation, spacing and abbreviations do not
    change which street a name is."""
    assert len({street_key(s) for s in spellings}) == 1


def test_different_streets_keep_different_keys() -> None:
    """Normalising does not merge streets that differ in their letters."""
    names = ["Landstrasse", "Alte Landstrasse", "Bergstrasse", "Burgstrasse", "West 4th Street"]
    assert len({street_key(n) for n in names}) == len(names)
    assert street_key("East 4th Street") != street_key("West 4th Street")


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("14", (14, "")),
        ("14a", (14, "a")),
        ("14 A", (14, "a")),
        ("14-A", (14, "a")),
        ("71-75", (71, "-75")),
        ("78 1/2", (78, "1/2")),
        ("693 REAR", (693, "rear")),
        ("20'", (20, "")),
    ],
)
def test_house_numbers(number: str, key: tuple[int, str]) -> None:
    """House numbers compare by number and suffix, ranges keep their end."""
    parsed = parse_housenumber(number)
    assert parsed is not None
    assert parsed.key == key


def test_range_stands_for_its_side_of_the_street() -> None:
    """ "3-7" is 3, 5 and 7; "4-7" is every number from 4 to 7."""
    three_to_seven = parse_housenumber("3-7")
    four_to_seven = parse_housenumber("4-7")
    assert three_to_seven is not None
    assert four_to_seven is not None
    assert three_to_seven.numbers_of_range() == [3, 5, 7]
    assert four_to_seven.numbers_of_range() == [4, 5, 6, 7]


@pytest.mark.parametrize(
    "query",
    [
        "Städtle 43, 9490 Vaduz",
        "  STÄDTLE 43 ,9490 vaduz",
        "Staedtle 43, Vaduz",
        "Städtle 43 9490 Vaduz",
        "Städtle 43",
        "Städtle 43, 9490",
        "Städtle 43, Vaduz, Liechtenstein",
    ],
)
def test_extract_address_resolves_in_every_spelling(index: AddressIndex, query: str) -> None:
    """A mapped address is found at its mapped point however it is written."""
    found = index.geocode(query)
    assert found.status is GeocodeStatus.FOUND
    assert found.location == STAEDTLE_43
    assert found.precision is Precision.ROOFTOP
    assert found.matched == "Städtle 43, 9490 Vaduz"


def test_confidence_says_how_well_the_query_matched(index: AddressIndex) -> None:
    """As mapped with a confirming town: 1.0; without a town, with a typo, or with a town
    that contradicts the street, less."""
    assert index.geocode("Städtle 43, 9490 Vaduz").confidence == 1.0
    no_town = index.geocode("Städtle 43").confidence
    typo = index.geocode("Städtli 43, Vaduz").confidence
    assert 0.5 < no_town < 1.0
    assert 0.5 < typo < 1.0
    wrong_town = index.geocode("Städtle 43, 9494 Schaan")
    assert wrong_town.location == STAEDTLE_43  # the only Städtle, in Vaduz
    assert wrong_town.confidence < min(no_town, typo)


def test_building_addresses_resolve_to_the_building_centre(index: AddressIndex) -> None:
    """An address mapped on a building outline (no postcode or town tags on it) resolves,
    with its town taken from the municipality it lies in."""
    found = index.geocode("Peter-Kaiser-Platz 1, 9490 Vaduz")
    assert found.status is GeocodeStatus.FOUND
    assert found.location is not None
    assert great_circle_m(found.location, LatLon(47.1371, 9.5227)) < 30


def test_town_and_postcode_choose_between_repeated_streets(index: AddressIndex) -> None:
    """ "Landstrasse 7" is mapped in Schaan and in Triesenberg: without a town it is
    ambiguous, with either town or its postcode it is found there."""
    both = index.geocode("Landstrasse 7")
    assert both.status is GeocodeStatus.AMBIGUOUS
    assert {c.label for c in both.candidates} == {
        "Landstrasse 7, Schaan",
        "Landstrasse 7, Triesenberg",
    }
    schaan = index.geocode("Landstrasse 7, Schaan")
    triesenberg = index.geocode("Landstrasse 7, 9497")
    assert schaan.matched == "Landstrasse 7, Schaan"
    assert triesenberg.matched == "Landstrasse 7, Triesenberg"
    assert {schaan.location, triesenberg.location} == {c.location for c in both.candidates}


def test_an_address_missing_in_the_asked_town_falls_back_there(index: AddressIndex) -> None:
    """ "Landstrasse 19" is mapped in Schaan only; asked in Vaduz, the answer is on Vaduz's
    Landstrasse, at a lower precision, not Schaan's house."""
    schaan = index.geocode("Landstrasse 19, 9494 Schaan")
    vaduz = index.geocode("Landstrasse 19, Vaduz")
    assert schaan.precision is Precision.ROOFTOP
    assert vaduz.status is GeocodeStatus.FOUND
    assert vaduz.precision in (Precision.INTERPOLATED, Precision.STREET)
    assert vaduz.matched is not None
    assert vaduz.matched.endswith("Vaduz")
    assert schaan.location is not None
    assert vaduz.location is not None
    assert great_circle_m(schaan.location, vaduz.location) > 1_000


def test_villages_stand_for_their_municipality(index: AddressIndex) -> None:
    """Nendeln is a village of Eschen and Bendern one of Gamprin: as a town they choose
    the streets of that municipality; the misspelt "Gambrin" of some addresses too."""
    nendeln = index.geocode("Essanestrasse 10, Nendeln")
    assert nendeln.matched == "Essanestrasse 10, 9492 Eschen"
    assert index.geocode("Kappeliweg 14, Bendern").matched == "Kappeliweg 14, Gambrin"
    assert index.geocode("Kappeliweg 14, Gamprin").status is GeocodeStatus.FOUND


def test_typos_are_forgiven_among_the_towns_streets(index: AddressIndex) -> None:
    """A one-letter typo still finds the street; a name nowhere near any street does not."""
    typo = index.geocode("Rotenbodenstrase 5, Triesenberg")
    exact = index.geocode("Rotenbodenstrasse 5, Triesenberg")
    assert typo.location == exact.location
    assert typo.matched == exact.matched
    assert typo.confidence < exact.confidence
    assert index.geocode("Sorf 49, Schellenberg").matched == "Dorf 49, Schellenberg"
    assert index.geocode("Nirgendwostrasse 1").status is GeocodeStatus.NOT_FOUND


def test_street_without_number_is_a_street_answer(index: AddressIndex) -> None:
    """ "Städtle, Vaduz" names the street only: a point on it, near its mapped addresses."""
    street = index.geocode("Städtle, Vaduz")
    assert street.status is GeocodeStatus.FOUND
    assert street.precision is Precision.STREET
    assert street.location is not None
    assert great_circle_m(street.location, STAEDTLE_43) < 150
    assert street.confidence < index.geocode("Städtle 43, Vaduz").confidence


def test_a_road_across_a_border_is_one_street(index: AddressIndex) -> None:
    """Essanestrasse runs from Eschen into Gamprin: without a town it is one road, not an
    ambiguity between its halves."""
    assert index.geocode("Essanestrasse").status is GeocodeStatus.FOUND


def test_number_beyond_the_mapped_ones_falls_back_to_the_street(index: AddressIndex) -> None:
    """A number the street does not have and cannot be placed between neighbours gives a
    point on the street, labelled without the number."""
    far = index.geocode("Städtle 4300, Vaduz")
    assert far.status is GeocodeStatus.FOUND
    assert far.precision is Precision.STREET
    assert far.matched == "Städtle, 9490 Vaduz"


@pytest.mark.parametrize(
    ("query", "point", "label"),
    [
        ("Nendeln", NENDELN, "Nendeln"),
        ("9490", VADUZ, "9490 Vaduz"),
        ("9490 Vaduz", VADUZ, "9490 Vaduz"),
        ("vaduz", VADUZ, "Vaduz"),
    ],
)
def test_town_or_postcode_alone_is_a_locality(
    index: AddressIndex, query: str, point: LatLon, label: str
) -> None:
    """A query naming only a town or a postcode resolves to the town's place node."""
    found = index.geocode(query)
    assert found.status is GeocodeStatus.FOUND
    assert found.precision is Precision.LOCALITY
    assert found.location == point
    assert found.matched == label


def test_unknown_street_is_not_found_unless_the_town_is_asked_for(index: AddressIndex) -> None:
    """An unknown street in a known town is ``not_found`` (planning must not send an agent
    to the town centre); the caller may opt into the town instead."""
    query = "Nirgendwostrasse 9, 9490 Vaduz"
    assert index.geocode(query).status is GeocodeStatus.NOT_FOUND
    assert index.geocode(query).location is None
    fallback = index.geocode(query, locality_fallback=True)
    assert fallback.status is GeocodeStatus.FOUND
    assert fallback.precision is Precision.LOCALITY
    assert fallback.location == VADUZ
    assert fallback.confidence <= 0.3


@pytest.mark.parametrize("query", ["near the castle", "", " , , ", "somewhere"])
def test_text_without_an_address_is_unparseable(index: AddressIndex, query: str) -> None:
    """Text with no street, number, town or postcode the region knows is unparseable."""
    assert index.geocode(query).status is GeocodeStatus.UNPARSEABLE


def test_structured_addresses(index: AddressIndex) -> None:
    """Parts given separately resolve like the free text; any part may be missing."""
    free = index.geocode("Städtle 43, 9490 Vaduz")
    assert index.geocode(StructuredAddress("Städtle", "43", "9490", "Vaduz")) == free
    assert index.geocode(StructuredAddress(street="staedtle", housenumber="43")).location == (
        STAEDTLE_43
    )
    assert index.geocode(StructuredAddress(street="Städtle 43")).location == STAEDTLE_43
    town = index.geocode(StructuredAddress(city="Nendeln"))
    assert (town.precision, town.location) == (Precision.LOCALITY, NENDELN)
    street = index.geocode(StructuredAddress(street="Städtle", postcode="9490"))
    assert street.precision is Precision.STREET
    assert index.geocode(StructuredAddress()).status is GeocodeStatus.UNPARSEABLE


def test_reverse_finds_the_nearest_address(index: AddressIndex) -> None:
    """A point a few metres from a door gives that address and the distance to it."""
    near = LatLon(STAEDTLE_43.lat + 0.00005, STAEDTLE_43.lon)  # about 5.6 m north
    found = index.reverse(near)
    assert found is not None
    assert found.label == "Städtle 43, 9490 Vaduz"
    assert found.location == STAEDTLE_43
    assert found.distance_m == pytest.approx(great_circle_m(near, STAEDTLE_43))
    assert 5 < found.distance_m < 6.5


def test_reverse_finds_nothing_beyond_its_reach(index: AddressIndex) -> None:
    """Far from every address (high in the Alps, or out of the region) there is no answer,
    and the reach is the caller's to set."""
    alps = LatLon(47.0700, 9.6000)
    assert index.reverse(alps) is None
    assert index.reverse(LatLon(0.0, 0.0), max_distance_m=10_000) is None
    fifty_m_north = LatLon(STAEDTLE_43.lat + 0.00045, STAEDTLE_43.lon)
    assert index.reverse(fifty_m_north, max_distance_m=5) is None


def test_index_pickles_and_answers_alike(index: AddressIndex) -> None:
    """The region loader caches the index with pickle: the copy answers the same."""
    copy = pickle.loads(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
    for query in ("Städtle 43, 9490 Vaduz", "Landstrasse 7", "Stadtli, Vaduz", "Nendeln"):
        assert copy.geocode(query) == index.geocode(query)
    assert len(copy) == len(index)


def test_region_loader_serves_the_geocoder(region: Region) -> None:
    """The loaded region's address index is this geocoder."""
    found = region.addresses.geocode("Städtle 43, 9490 Vaduz")
    assert found.location == STAEDTLE_43
    assert found.precision is Precision.ROOFTOP
