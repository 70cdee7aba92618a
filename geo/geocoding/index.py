"""The offline geocoder: a region's addresses, streets and towns, queried by address.

A query is resolved at the best level the data allows, in this order: the mapped address
(``rooftop``; "14a" missing falls back to 14), a point between its mapped neighbours on the
same side of the street (``interpolated``), a point on the named street (``street``: on the
street nearest to the mapped address with the closest number, or the street's middle), or,
for a query that names only a town or postcode, the town (``locality``). See
:mod:`geo.geocoding.confidence` for the confidence of each answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scipy.spatial import KDTree

from geo.geocoding.confidence import confidence, place_factor
from geo.geocoding.geometry import flat_xy, middle_of, nearest_point_on
from geo.geocoding.model import (
    Address,
    Candidate,
    GeocodeResult,
    GeocodeStatus,
    Precision,
    ReverseResult,
    StructuredAddress,
)
from geo.geocoding.normalize import HouseNumber, parse_housenumber
from geo.geocoding.numbers import NumberMatch
from geo.geocoding.osm import Municipality, Place, StreetPiece
from geo.geocoding.parse import AddressQuery, from_structured, parse_address
from geo.geocoding.places import PlaceConstraint, PlaceIndex, Town, address_town_ids
from geo.geocoding.streets import Street, StreetDirectory, StreetMatch
from geo.types import LatLon, great_circle_m

SAME_PLACE_M = 150.0
"""Answers closer than this (metres) are one place (a door and its building)."""

DEFAULT_REVERSE_DISTANCE_M = 100.0
"""How far from a point reverse geocoding looks for an address, unless told otherwise."""

_PRECISION_RANK = {
    Precision.ROOFTOP: 0,
    Precision.INTERPOLATED: 1,
    Precision.STREET: 2,
    Precision.LOCALITY: 3,
}
_NUMBER_RANK = {None: 0, NumberMatch.EXACT: 0, NumberMatch.IN_RANGE: 1, NumberMatch.VARIANT: 2}


@dataclass(frozen=True, slots=True)
class _Answer:
    """One place a query may mean, with what decides between answers."""

    location: LatLon
    label: str
    precision: Precision
    confidence: float
    contradictions: int = 0
    number_match: NumberMatch | None = None
    road: int | None = None
    """For a street-level answer, the road it lies on (see :attr:`Street.road`)."""
    weight: int = 0
    """Mapped addresses behind the answer: of two halves of a road, the busier speaks."""

    @property
    def rank(self) -> tuple[int, int, int]:
        return (
            _PRECISION_RANK[self.precision],
            self.contradictions,
            _NUMBER_RANK[self.number_match],
        )

    def candidate(self) -> Candidate:
        return Candidate(self.label, self.location, self.precision, self.confidence)


class AddressIndex:
    """Offline geocoder over one region's OSM data; implements :class:`Geocoder`.

    Parameters
    ----------
    addresses
        The region's addressed places.
    streets
        Named highway pieces (their geometry places street-level answers).
    places
        ``place=*`` nodes: other names of towns, and their points.
    municipalities
        Municipality boundaries' names and inner points.
    """

    def __init__(
        self,
        addresses: Iterable[Address],
        *,
        streets: Sequence[StreetPiece] = (),
        places: Sequence[Place] = (),
        municipalities: Sequence[Municipality] = (),
    ) -> None:
        self._addresses = list(addresses)
        self._places = PlaceIndex(self._addresses, places, municipalities)
        self._streets = StreetDirectory(self._addresses, streets)
        points = [a.location for a in self._addresses]
        self._lat0 = sum(p.lat for p in points) / len(points) if points else 0.0
        self._tree = KDTree(flat_xy(points, self._lat0)) if points else None

    def __len__(self) -> int:
        return len(self._addresses)

    def addresses(self) -> list[Address]:
        """Every indexed address entry."""
        return list(self._addresses)

    def is_street(self, key: str) -> bool:
        """Whether a street of the region has the matching key ``key``."""
        return self._streets.is_street(key)

    def is_town(self, key: str) -> bool:
        """Whether a town of the region has the matching key ``key``."""
        return self._places.is_town(key)

    def geocode(
        self, query: str | StructuredAddress, *, locality_fallback: bool = False
    ) -> GeocodeResult:
        """Resolve an address, free text or by parts, to a point.

        Parameters
        ----------
        query
            "Städtle 43, 9490 Vaduz", "städtle 43 vaduz", "350 5th Avenue, New York", or a
            :class:`StructuredAddress`.
        locality_fallback
            Answer a street the region does not have with its town (``locality``) instead of
            ``not_found``. Off by default: a visit planned at a town's centre is worse than
            one reported as unplaceable.

        Returns
        -------
        GeocodeResult
            ``found`` with one place; ``ambiguous`` with the candidates when the query fits
            several places equally well; ``not_found`` when it names a street or town the
            region does not have; ``unparseable`` when it names no street, number, town or
            postcode the region knows.
        """
        if isinstance(query, StructuredAddress):
            parsed = from_structured(query)
        else:
            parsed = parse_address(query, self)
        if parsed is None:
            return GeocodeResult(GeocodeStatus.UNPARSEABLE)
        constraint = self._places.constraint(parsed.town, parsed.postcode)
        if parsed.street is None:
            return self._locality(constraint)
        number = parse_housenumber(parsed.housenumber) if parsed.housenumber else None
        matches = self._streets.find(parsed.street, constraint)
        if not matches:
            if locality_fallback and not constraint.is_empty:
                return self._locality(constraint)
            if number is None and constraint.is_empty and constraint.unrecognised == 0:
                return GeocodeResult(GeocodeStatus.UNPARSEABLE)
            return GeocodeResult(GeocodeStatus.NOT_FOUND)
        answers = [
            answer
            for match in matches
            for answer in self._answers(match, number, parsed, constraint)
        ]
        return _decide(answers)

    def _answers(
        self,
        match: StreetMatch,
        number: HouseNumber | None,
        parsed: AddressQuery,
        constraint: PlaceConstraint,
    ) -> list[_Answer]:
        street = match.street
        if number is not None:
            hit = street.numbers.find(number)
            if hit is not None:
                return self._rooftop(hit.addresses, hit.match, match.edits, constraint)
            between = street.numbers.interpolate(number.number)
            if between is not None:
                level = Precision.INTERPOLATED
                return [_street_answer(match, between, level, parsed.housenumber, constraint)]
        location = _street_point(street, number)
        return [_street_answer(match, location, Precision.STREET, None, constraint)]

    def _rooftop(
        self,
        members: Sequence[int],
        number_match: NumberMatch,
        edits: int,
        constraint: PlaceConstraint,
    ) -> list[_Answer]:
        answers: list[_Answer] = []
        for idx in members:
            address = self._addresses[idx]
            if any(great_circle_m(a.location, address.location) <= SAME_PLACE_M for a in answers):
                continue
            agreements = constraint.check(
                address_town_ids(address), [address.postcode] if address.postcode else []
            )
            place = place_factor(constraint, agreements)
            answers.append(
                _Answer(
                    location=address.location,
                    label=address.label,
                    precision=Precision.ROOFTOP,
                    confidence=confidence(
                        Precision.ROOFTOP,
                        street_edits=edits,
                        number_match=number_match,
                        place=place,
                    ),
                    contradictions=sum(1 for a in agreements if a < 0),
                    number_match=number_match,
                )
            )
        return answers

    def _locality(self, constraint: PlaceConstraint) -> GeocodeResult:
        town: Town | None = constraint.town
        if town is None and constraint.postcode is not None:
            town = self._places.postcode_area(constraint.postcode)
        if town is None:
            if constraint.unrecognised:
                return GeocodeResult(GeocodeStatus.NOT_FOUND)
            return GeocodeResult(GeocodeStatus.UNPARSEABLE)
        level = Precision.LOCALITY
        return GeocodeResult(
            GeocodeStatus.FOUND,
            location=town.location,
            matched=" ".join(dict.fromkeys(p for p in (constraint.postcode, town.name) if p)),
            precision=level,
            confidence=confidence(level, place=place_factor(constraint, [])),
        )

    def reverse(
        self, point: LatLon, *, max_distance_m: float = DEFAULT_REVERSE_DISTANCE_M
    ) -> ReverseResult | None:
        """The mapped address nearest to ``point``, if one is within ``max_distance_m``.

        Returns
        -------
        ReverseResult or None
            The address and its great-circle distance from ``point``, in metres.
        """
        if self._tree is None:
            return None
        query = flat_xy([point], self._lat0)[0]
        # The flat distance is within a fraction of a percent of the great-circle one here.
        _, idx = self._tree.query(query, k=1, distance_upper_bound=max_distance_m * 1.01 + 1.0)
        if idx >= len(self._addresses):
            return None
        address = self._addresses[int(idx)]
        distance_m = great_circle_m(point, address.location)
        if distance_m > max_distance_m:
            return None
        return ReverseResult(address=address, distance_m=distance_m)


def _street_answer(
    match: StreetMatch,
    location: LatLon,
    level: Precision,
    housenumber: str | None,
    constraint: PlaceConstraint,
) -> _Answer:
    """An answer on a street: interpolated (labelled with the asked number) or the street."""
    street = match.street
    postcode = constraint.postcode
    if postcode is None and len(street.postcodes) == 1:
        postcode = next(iter(street.postcodes))
    return _Answer(
        location=location,
        label=street.label(housenumber, postcode),
        precision=level,
        confidence=confidence(
            level,
            street_edits=match.edits,
            place=place_factor(constraint, match.agreements),
        ),
        contradictions=match.contradictions,
        road=street.road if level is Precision.STREET else None,
        weight=street.address_count,
    )


def _street_point(street: Street, number: HouseNumber | None) -> LatLon:
    """Where a street-level answer goes: on the street, nearest to the mapped address with
    the closest number (or to the street's addresses' centre), else the street's middle."""
    anchor = street.numbers.nearest(number.number) if number else street.numbers.centre()
    if street.segments is None:
        assert anchor is not None  # a street instance has addresses or a geometry
        return anchor
    if anchor is None:
        return middle_of(street.segments)
    return nearest_point_on(street.segments, anchor)


def _decide(answers: list[_Answer]) -> GeocodeResult:
    """One answer if the best ones are one place, else the ambiguity among them."""
    if not answers:
        return GeocodeResult(GeocodeStatus.NOT_FOUND)
    best_rank = min(a.rank for a in answers)
    best: list[_Answer] = []
    for answer in sorted(answers, key=lambda a: (-a.confidence, -a.weight)):
        if answer.rank != best_rank:
            continue
        if any(
            great_circle_m(a.location, answer.location) <= SAME_PLACE_M
            or (answer.road is not None and a.road == answer.road)
            for a in best
        ):
            continue
        best.append(answer)
    if len(best) == 1:
        only = best[0]
        return GeocodeResult(
            GeocodeStatus.FOUND,
            location=only.location,
            matched=only.label,
            precision=only.precision,
            confidence=only.confidence,
        )
    candidates = tuple(a.candidate() for a in best)
    return GeocodeResult(
        GeocodeStatus.AMBIGUOUS,
        candidates=candidates,
        confidence=round(best[0].confidence / len(best), 3),
    )
