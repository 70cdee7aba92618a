"""Measuring a geocoder on a region's own addresses: perturbed queries and held-out numbers.

Used by ``bench/geocoder.py`` (every address) and by the tests (a seeded sample), so both
measure the same thing. Two measures:

- *perturbations*: each mapped address is asked as written and with one change a person
  makes (town or postcode left out, lower case, "strasse" as "str.", a one-letter typo in
  the street, "ae" for "ä"); an answer counts when it lies within a radius of the mapped
  point. Where the town is left out and the same street and number exist in two towns, an
  ``ambiguous`` answer whose candidates include the mapped point is correct, and is counted
  apart (``ambiguous_ok``);
- *hold-out*: a share of the addresses is left out of the index and then asked for; the
  answer must be near and carry the precision the remaining data allows (``interpolated``
  when same-side neighbours remain on the street, else ``street``; ``rooftop`` when the
  same number without its suffix remains).
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from geo.geocoding.index import SAME_PLACE_M, AddressIndex
from geo.geocoding.model import Address, Geocoder, GeocodeResult, GeocodeStatus, Precision
from geo.geocoding.normalize import parse_housenumber, parse_housenumbers, street_key
from geo.geocoding.osm import ExtractData
from geo.types import LatLon, great_circle_m

_STRASSE = re.compile(r"stra(ss|ß)e\b", re.IGNORECASE)
_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
_US_ABBREVIATIONS = (
    (re.compile(r"\bStreet\b"), "St"),
    (re.compile(r"\bAvenue\b"), "Ave"),
    (re.compile(r"\bWest\b"), "W"),
    (re.compile(r"\bEast\b"), "E"),
    (re.compile(r"\bPlace\b"), "Pl"),
)


@dataclass(frozen=True, slots=True)
class Probe:
    """One query made from a mapped address, and where the address really is.

    ``truths`` holds every mapped point of the address within :data:`SAME_PLACE_M` of the
    first (an address mapped on its door and on its building has two); an answer near any of
    them is near the address.
    """

    perturbation: str
    query: str
    truths: tuple[LatLon, ...]

    def distance_m(self, point: LatLon) -> float:
        """How far ``point`` is from the address."""
        return min(great_circle_m(point, truth) for truth in self.truths)


@dataclass(slots=True)
class Tally:
    """How the answers to one kind of probe came out."""

    total: int = 0
    near: int = 0
    ambiguous_ok: int = 0
    far: int = 0
    ambiguous: int = 0
    missed: int = 0

    @property
    def rate(self) -> float:
        """Share of probes answered correctly (near, or ambiguous with the truth among the
        candidates where that is allowed)."""
        return (self.near + self.ambiguous_ok) / self.total if self.total else 1.0


def _address_key(address: Address) -> tuple[str, str, str | None]:
    return (
        street_key(address.street),
        address.housenumber.strip().casefold(),
        address.municipality,
    )


@dataclass(frozen=True, slots=True)
class MappedAddress:
    """One addressed place: the first of its entries, and all its mapped points."""

    address: Address
    points: tuple[LatLon, ...]


def distinct_addresses(addresses: Iterable[Address]) -> list[MappedAddress]:
    """The addressed places of an extract, each once with all its points.

    Entries of one street, number and municipality within :data:`SAME_PLACE_M` of each
    other are one place (a door node and its building); farther apart, two places.
    """
    kept: dict[tuple[str, str, str | None], list[list[Address]]] = defaultdict(list)
    for address in addresses:
        if parse_housenumber(address.housenumber) is None or not street_key(address.street):
            continue
        places = kept[_address_key(address)]
        for place in places:
            if great_circle_m(place[0].location, address.location) <= SAME_PLACE_M:
                place.append(address)
                break
        else:
            places.append([address])
    return [
        MappedAddress(place[0], tuple(a.location for a in place))
        for places in kept.values()
        for place in places
    ]


def eu_query(address: Address, *, town: bool = True, postcode: bool = True) -> str:
    """The address as written in Europe: "Städtle 43, 9490 Vaduz"."""
    tail = " ".join(
        part
        for part, wanted in ((address.postcode, postcode), (address.town, town))
        if part and wanted
    )
    head = f"{address.street.strip()} {address.housenumber}"
    return f"{head}, {tail}" if tail else head


def us_query(address: Address, *, town: str | None = "New York, NY", postcode: bool = True) -> str:
    """The address as written in the US: "350 5th Avenue, New York, NY 10118"."""
    tail = ", ".join(
        part for part in (town, address.postcode if postcode else None) if part
    ).replace(", NY, ", ", NY ")
    head = f"{address.housenumber} {address.street.strip()}"
    return f"{head}, {tail}" if tail else head


def _typo(text: str, rng: random.Random) -> str:
    positions = [i for i, c in enumerate(text) if c.isalpha()]
    at = rng.choice(positions)
    replacement = rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != text[at].lower()])
    if text[at].isupper():
        replacement = replacement.upper()
    return text[:at] + replacement + text[at + 1 :]


def _eu_probes(address: Address, rng: random.Random) -> dict[str, str | None]:
    typo = replace(address, street=_typo(address.street.strip(), rng))
    umlauts = "".join(_UMLAUTS.get(c, c) for c in address.street)
    return {
        "as mapped": eu_query(address),
        "no town": eu_query(address, town=False) if address.town else None,
        "no postcode": eu_query(address, postcode=False) if address.postcode else None,
        "lower case": eu_query(address).lower(),
        'strasse as "str."': (
            eu_query(replace(address, street=_STRASSE.sub("str.", address.street)))
            if _STRASSE.search(address.street)
            else None
        ),
        "typo in street": eu_query(typo),
        'ae for "ä"': (
            eu_query(replace(address, street=umlauts)) if umlauts != address.street else None
        ),
    }


def _us_probes(address: Address, rng: random.Random) -> dict[str, str | None]:
    abbreviated = address.street
    for pattern, short in _US_ABBREVIATIONS:
        abbreviated = pattern.sub(short, abbreviated)
    typo = replace(address, street=_typo(address.street.strip(), rng))
    return {
        "as mapped": us_query(address),
        "no town": us_query(address, town=None),
        "no postcode": us_query(address, postcode=False) if address.postcode else None,
        "lower case": us_query(address).lower(),
        "abbreviated (St, Ave, W)": (
            us_query(replace(address, street=abbreviated))
            if abbreviated != address.street
            else None
        ),
        "typo in street": us_query(typo),
    }


STYLES: dict[str, Callable[[Address, random.Random], dict[str, str | None]]] = {
    "eu": _eu_probes,
    "us": _us_probes,
}
"""Ways of writing addresses: European (street first) and US (number first)."""


def perturbed_probes(addresses: Sequence[MappedAddress], *, style: str, seed: int) -> list[Probe]:
    """Every perturbation that applies to each address, seeded for the typos."""
    rng = random.Random(seed)
    probes: list[Probe] = []
    for mapped in addresses:
        for name, query in STYLES[style](mapped.address, rng).items():
            if query is not None:
                probes.append(Probe(name, query, mapped.points))
    return probes


def score(
    result: GeocodeResult,
    distance_m: Callable[[LatLon], float],
    radius_m: float,
    tally: Tally,
    *,
    ambiguity_allowed: bool,
) -> None:
    """Count one answer into ``tally``; ``distance_m`` measures from the true place."""
    tally.total += 1
    if result.status is GeocodeStatus.FOUND and result.location is not None:
        if distance_m(result.location) <= radius_m:
            tally.near += 1
        else:
            tally.far += 1
    elif result.status is GeocodeStatus.AMBIGUOUS:
        has_truth = any(distance_m(c.location) <= radius_m for c in result.candidates)
        if has_truth and ambiguity_allowed:
            tally.ambiguous_ok += 1
        else:
            tally.ambiguous += 1
    else:
        tally.missed += 1


def evaluate_probes(
    geocoder: Geocoder, probes: Iterable[Probe], *, radius_m: float = 50.0
) -> dict[str, Tally]:
    """Tallies per perturbation of the geocoder's answers to ``probes``."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for probe in probes:
        score(
            geocoder.geocode(probe.query),
            probe.distance_m,
            radius_m,
            tallies[probe.perturbation],
            ambiguity_allowed=probe.perturbation == "no town",
        )
    return dict(tallies)


@dataclass(frozen=True, slots=True)
class HeldOut:
    """An address left out of the index, and the precision the rest of the data allows."""

    address: Address
    expected: Precision


@dataclass(slots=True)
class HoldOut:
    """An index without a share of its addresses, and those addresses."""

    index: AddressIndex
    held_out: list[HeldOut] = field(default_factory=list)


def hold_out(data: ExtractData, *, fraction: float, seed: int) -> HoldOut:
    """Leave a random ``fraction`` of the distinct addresses (every entry of each) out.

    The expected precision of each is worked out from the remaining addresses of its street
    in its municipality: ``rooftop`` if its number remains with another suffix (or inside a
    mapped range), else ``interpolated`` if numbers on the same side remain below and above
    it, else ``street``.
    """
    distinct = distinct_addresses(data.addresses)
    rng = random.Random(seed)
    chosen = [m.address for m in rng.sample(distinct, round(fraction * len(distinct)))]
    left_out = {_address_key(a) for a in chosen}
    kept = [a for a in data.addresses if _address_key(a) not in left_out]
    numbers: dict[tuple[str, str | None], set[int]] = defaultdict(set)
    for address in kept:
        for number in parse_housenumbers(address.housenumber):
            numbers[(street_key(address.street), address.municipality)].update(
                number.numbers_of_range()
            )
    index = AddressIndex(
        kept, streets=data.streets, places=data.places, municipalities=data.municipalities
    )
    result = HoldOut(index)
    for address in chosen:
        asked = parse_housenumber(address.housenumber)
        assert asked is not None  # distinct_addresses keeps numbered ones only
        known = numbers.get((street_key(address.street), address.municipality), set())
        same_side = [n for n in known if n % 2 == asked.number % 2]
        if asked.number in known:
            expected = Precision.ROOFTOP
        elif any(n < asked.number for n in same_side) and any(n > asked.number for n in same_side):
            expected = Precision.INTERPOLATED
        else:
            expected = Precision.STREET
        result.held_out.append(HeldOut(address, expected))
    return result


def evaluate_hold_out(
    held: HoldOut, *, radius_m: float = 100.0
) -> dict[Precision, tuple[Tally, int]]:
    """Per expected precision: the tally of answers near the address, and how many of the
    near ones carried the expected precision."""
    found: dict[Precision, tuple[Tally, int]] = {}
    for item in held.held_out:
        tally, right_label = found.get(item.expected, (Tally(), 0))
        result = held.index.geocode(eu_query(item.address))

        def distance_m(point: LatLon, truth: LatLon = item.address.location) -> float:
            return great_circle_m(point, truth)

        score(result, distance_m, radius_m, tally, ambiguity_allowed=False)
        near = result.location is not None and distance_m(result.location) <= radius_m
        right_label += int(near and result.precision == item.expected)
        found[item.expected] = (tally, right_label)
    return found
