"""Towns and postcodes: which names and postcodes a region knows, and where they are.

A town is known by every name people use for it: the municipality's own name, the villages,
hamlets and suburbs inside it ("Nendeln" lies in Eschen, "Bendern" in Gamprin), the parts of
hyphenated names ("Gamprin-Bendern"), and the ``addr:city`` values found on addresses
(including misspelt ones, "Gambrin"). Each name stands for a set of *town ids*: the keys of
the municipalities (or, where there are none, the tagged cities) it lies in. A postcode
stands for the town ids of the addresses tagged with it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from rapidfuzz import process
from rapidfuzz.distance import OSA

from geo.geocoding.model import Address
from geo.geocoding.normalize import town_key, town_words
from geo.geocoding.osm import Municipality, Place
from geo.types import LatLon

PLACE_RANK = {"city": 0, "town": 1, "village": 2, "suburb": 3, "quarter": 4, "hamlet": 5}
"""Which place node speaks for a name that several share: the biggest kind."""

MAX_TOWN_EDITS = 1
"""Spelling mistakes forgiven in a town name of five letters or more ("Gambrin")."""


@dataclass(frozen=True, slots=True)
class Town:
    """A name a town is known by, where it is, and the town ids it stands for."""

    name: str
    location: LatLon
    ids: frozenset[str]


class Agreement(IntEnum):
    """How one part of a query (its town or its postcode) fits a candidate."""

    CONTRADICTS = -1
    UNKNOWN = 0
    AGREES = 1


@dataclass(frozen=True, slots=True)
class PlaceConstraint:
    """The town and postcode a query asks for, as the region knows them.

    ``town`` is the matched town (``None`` if none was given or it is unknown to the region);
    ``postcode_ids`` the town ids of a known postcode. ``unrecognised`` counts the parts
    given that the region does not know: they are ignored, and lower the confidence.
    """

    town: Town | None = None
    postcode: str | None = None
    postcode_ids: frozenset[str] | None = None
    unrecognised: int = 0

    @property
    def signature(self) -> tuple[frozenset[str] | None, str | None]:
        """What the constraint filters by, to cache per-constraint lookups."""
        return (self.town.ids if self.town else None, self.postcode)

    @property
    def is_empty(self) -> bool:
        """Whether neither a town nor a postcode constrains the answer."""
        return self.town is None and self.postcode is None

    def check(self, town_ids: Iterable[str], postcodes: Iterable[str]) -> list[Agreement]:
        """How a candidate with these town ids and tagged postcodes fits each given part."""
        ids = frozenset(town_ids)
        codes = frozenset(postcodes)
        found: list[Agreement] = []
        if self.town is not None:
            found.append(_agreement(bool(ids & self.town.ids), known=bool(ids)))
        if self.postcode is not None:
            agrees = self.postcode in codes or bool(ids & (self.postcode_ids or frozenset()))
            found.append(_agreement(agrees, known=bool(ids or codes)))
        return found


def _agreement(agrees: bool, *, known: bool) -> Agreement:
    if agrees:
        return Agreement.AGREES
    return Agreement.CONTRADICTS if known else Agreement.UNKNOWN


def address_town_ids(address: Address) -> frozenset[str]:
    """The town ids of an address: its municipality's key and its tagged city's key."""
    return frozenset(town_key(name) for name in (address.municipality, address.city) if name)


class PlaceIndex:
    """The region's towns by every name, and its postcodes."""

    def __init__(
        self,
        addresses: Sequence[Address],
        places: Sequence[Place] = (),
        municipalities: Sequence[Municipality] = (),
    ) -> None:
        self._towns: dict[str, Town] = {}
        self._by_id: dict[str, Town] = {}
        places_by_key = {
            town_key(p.name): p for p in sorted(places, key=lambda p: -PLACE_RANK.get(p.kind, 9))
        }
        for municipality in municipalities:
            key = town_key(municipality.name)
            place = places_by_key.get(key)
            location = place.location if place is not None else municipality.location
            self._add(key, Town(municipality.name, location, frozenset({key})))
        for place in sorted(places, key=lambda p: PLACE_RANK.get(p.kind, 9)):
            ids = frozenset({town_key(place.municipality or place.name)})
            town = Town(place.name, place.location, ids)
            self._add(town_key(place.name), town)
            for part in place.name.replace("-", " ").split():
                self._add(town_key(part), town)
        self._learn_cities(addresses)
        self._postcodes = _postcode_towns(addresses)
        self._postcode_centres = _postcode_centres(addresses)
        self._keys = list(self._towns)

    def _add(self, key: str, town: Town) -> None:
        if key and key not in self._towns:
            self._towns[key] = town
            for town_id in town.ids:
                self._by_id.setdefault(town_id, town)

    def _learn_cities(self, addresses: Sequence[Address]) -> None:
        """Learn the towns of ``addr:city`` values: where their addresses lie."""
        members: dict[str, list[Address]] = defaultdict(list)
        for address in addresses:
            if address.city:
                members[town_key(address.city)].append(address)
        for key, group in sorted(members.items()):
            if key in self._towns:
                continue
            lat = sum(a.location.lat for a in group) / len(group)
            lon = sum(a.location.lon for a in group) / len(group)
            ids = {key} | {town_key(a.municipality) for a in group if a.municipality}
            name = Counter(a.city for a in group if a.city).most_common(1)[0][0]
            self._add(key, Town(name, LatLon(lat, lon), frozenset(ids)))

    def is_town(self, key: str) -> bool:
        """Whether a town of the region has the matching key ``key``."""
        return key in self._towns

    def town_for_id(self, town_id: str) -> Town | None:
        """The town that a town id (a municipality's or a city's key) names."""
        return self._by_id.get(town_id)

    def postcode_area(self, postcode: str) -> Town | None:
        """Where a postcode is: its town if its addresses lie in one, else the centre of its
        addresses (several towns share it, or it spans land without town boundaries)."""
        ids = sorted(self._postcodes.get(postcode, ()))
        towns = {town.name: town for i in ids if (town := self._by_id.get(i)) is not None}
        if len(towns) == 1:
            return next(iter(towns.values()))
        centre = self._postcode_centres.get(postcode)
        return Town(postcode, centre, frozenset(ids)) if centre is not None else None

    def find_town(self, text: str) -> Town | None:
        """The known town that ``text`` names, tolerating extra words and one typo.

        "Vaduz", "vaduz Liechtenstein", "New York NY" and "Gambrin" all find their town; the
        longest run of words that is a known name wins.
        """
        whole = town_key(text)
        if whole in self._towns:
            return self._towns[whole]
        words = town_words(text)
        for size in range(len(words), 0, -1):
            for start in range(len(words) - size + 1):
                key = "".join(words[start : start + size])
                if key in self._towns:
                    return self._towns[key]
        candidates = [whole, *words] if len(words) > 1 else [whole]
        for key in candidates:
            if len(key) < 5:
                continue
            match = process.extractOne(
                key, self._keys, scorer=OSA.distance, score_cutoff=MAX_TOWN_EDITS
            )
            if match is not None:
                return self._towns[match[0]]
        return None

    def constraint(self, town: str | None, postcode: str | None) -> PlaceConstraint:
        """What a query's town and postcode ask for; unknown parts are counted, not used."""
        unrecognised = 0
        found_town = self.find_town(town) if town else None
        if town and found_town is None:
            unrecognised += 1
        postcode_ids: frozenset[str] | None = None
        if postcode is not None:
            postcode_ids = self._postcodes.get(postcode)
            if postcode_ids is None:
                unrecognised += 1
                postcode = None
        return PlaceConstraint(found_town, postcode, postcode_ids, unrecognised)


def _postcode_towns(addresses: Iterable[Address]) -> dict[str, frozenset[str]]:
    towns: dict[str, set[str]] = defaultdict(set)
    for address in addresses:
        if address.postcode:
            towns[address.postcode].update(address_town_ids(address))
    return {code: frozenset(ids) for code, ids in towns.items()}


def _postcode_centres(addresses: Iterable[Address]) -> dict[str, LatLon]:
    points: dict[str, list[LatLon]] = defaultdict(list)
    for address in addresses:
        if address.postcode:
            points[address.postcode].append(address.location)
    return {
        code: LatLon(sum(p.lat for p in group) / len(group), sum(p.lon for p in group) / len(group))
        for code, group in points.items()
    }
