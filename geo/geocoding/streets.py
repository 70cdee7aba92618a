"""The region's streets, one per name and municipality, found by name exactly or fuzzily.

A street instance is a street name inside one municipality ("Landstrasse" in Schaan and
"Landstrasse" in Vaduz are two): its mapped addresses, its geometry from the named highway
ways, the towns and postcodes it is known under. Spelling mistakes are forgiven with the
optimal-string-alignment distance (rapidfuzz), among the streets of the asked town or
postcode first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from geo.geocoding.geometry import Segments
from geo.geocoding.model import Address
from geo.geocoding.normalize import literal_key, spelling_key, street_key, town_key
from geo.geocoding.numbers import StreetNumbers
from geo.geocoding.osm import StreetPiece
from geo.geocoding.places import Agreement, PlaceConstraint, address_town_ids

FUZZY_CACHE_SIZE = 256
"""Per-constraint name lists kept for fuzzy matching; a region has few towns and postcodes."""


def max_edits(spelling: str) -> int:
    """Spelling mistakes forgiven in a street name: none in the shortest, one in short
    names ("Sorf" for "Dorf"), two in long ones."""
    if len(spelling) < 4:
        return 0
    return 1 if len(spelling) < 9 else 2


@dataclass(slots=True)
class Street:
    """One street name inside one municipality (or of the whole region, without them)."""

    key: str
    name: str
    town: str | None
    town_ids: frozenset[str]
    postcodes: frozenset[str]
    segments: Segments | None
    numbers: StreetNumbers
    road: int = -1
    """Streets of one name that are one road across a municipal border share this number."""
    address_count: int = 0

    def label(self, housenumber: str | None = None, postcode: str | None = None) -> str:
        """The street (with a number) as people write it: "Landstrasse 21, 9494 Schaan"."""
        head = f"{self.name} {housenumber}" if housenumber else self.name
        tail = " ".join(part for part in (postcode, self.town) if part)
        return f"{head}, {tail}" if tail else head


@dataclass(frozen=True, slots=True)
class StreetMatch:
    """A street found for a query, with the spelling mistakes forgiven and how its town and
    postcode fit the query's."""

    street: Street
    edits: int
    agreements: tuple[Agreement, ...]

    @property
    def contradictions(self) -> int:
        """How many of the query's town and postcode this street contradicts."""
        return sum(1 for a in self.agreements if a is Agreement.CONTRADICTS)


class StreetDirectory:
    """Every street instance of a region, by matching key and alias."""

    def __init__(self, addresses: Sequence[Address], pieces: Sequence[StreetPiece]) -> None:
        names = _Names.collect(addresses, pieces)
        self.streets: list[Street] = []
        index_of: dict[_Instance, int] = {}
        for instance in sorted(
            set(names.members) | set(names.geometry), key=lambda i: (i[0], i[1] or "")
        ):
            key, municipality = instance
            if not key:
                continue
            members = names.members.get(instance, [])
            street = _street(addresses, members, municipality, key)
            if instance in names.geometry:
                street.segments = np.concatenate(names.geometry[instance])
                if not members:
                    street.name = names.mapped[instance].most_common(1)[0][0]
            index_of[instance] = len(self.streets)
            self.streets.append(street)
        _number_roads(self.streets)
        self._by_key = _indices(names.keys, index_of)
        self._by_spelling = _indices(names.spellings, index_of)
        self._spellings = sorted(self._by_spelling)
        self._allowed: dict[tuple[frozenset[str] | None, str | None], list[str]] = {}

    def is_street(self, key: str) -> bool:
        """Whether a street of the region has the matching key ``key``."""
        return key in self._by_key

    def find(self, name: str, constraint: PlaceConstraint) -> list[StreetMatch]:
        """The streets ``name`` may mean, best first by the rules below.

        Streets named exactly so (after normalisation) that fit the town and postcode come
        first; else the nearest spellings among the streets that fit; else exactly named
        streets elsewhere; else the nearest spellings anywhere. Of fuzzy matches, only those
        with the fewest mistakes are returned.
        """
        key = street_key(name)
        exact = [self._match(idx, 0, constraint) for idx in self._by_key.get(key, ())]
        fitting = [m for m in exact if m.contradictions == 0]
        if fitting:
            return fitting
        if not constraint.is_empty:
            near = self._fuzzy(name, constraint, self._allowed_spellings(constraint))
            near = [m for m in near if m.contradictions == 0]
            if near:
                return near
        if exact:
            fewest = min(m.contradictions for m in exact)
            return [m for m in exact if m.contradictions == fewest]
        near = self._fuzzy(name, constraint, self._spellings)
        if not near:
            return []
        fewest = min(m.contradictions for m in near)
        return [m for m in near if m.contradictions == fewest]

    def _match(self, idx: int, edits: int, constraint: PlaceConstraint) -> StreetMatch:
        street = self.streets[idx]
        return StreetMatch(
            street, edits, tuple(constraint.check(street.town_ids, street.postcodes))
        )

    def _fuzzy(
        self, name: str, constraint: PlaceConstraint, spellings: list[str]
    ) -> list[StreetMatch]:
        """The streets whose spelling is fewest edits (within :func:`max_edits`) from
        ``name``'s, as expanded or as written."""
        edits_of: dict[int, int] = {}
        for asked in dict.fromkeys((spelling_key(name), literal_key(name))):
            limit = max_edits(asked)
            if limit == 0 or not spellings:
                continue
            hits = process.extract(
                asked, spellings, scorer=OSA.distance, score_cutoff=limit, limit=None
            )
            digits = _digits(asked)
            for spelling, distance, _ in hits:
                if _digits(spelling) != digits:
                    continue  # "5th Avenue" is no typo of "9th Avenue"
                for idx in self._by_spelling[spelling]:
                    edits_of[idx] = min(int(distance), edits_of.get(idx, limit + 1))
        if not edits_of:
            return []
        fewest = min(edits_of.values())
        return [
            self._match(idx, fewest, constraint)
            for idx, edits in sorted(edits_of.items())
            if edits == fewest
        ]

    def _allowed_spellings(self, constraint: PlaceConstraint) -> list[str]:
        """Spellings of the streets that fit the constraint (cached per constraint)."""
        signature = constraint.signature
        cached = self._allowed.get(signature)
        if cached is None:
            cached = [
                spelling
                for spelling in self._spellings
                if any(
                    self._match(idx, 0, constraint).contradictions == 0
                    for idx in self._by_spelling[spelling]
                )
            ]
            if len(self._allowed) >= FUZZY_CACHE_SIZE:
                self._allowed.clear()
            self._allowed[signature] = cached
        return cached


def _digits(spelling: str) -> str:
    return "".join(c for c in spelling if c.isdigit())


_Instance = tuple[str, str | None]
"""A street instance before it is built: its key and its municipality."""


@dataclass(slots=True)
class _Names:
    """What the extract says about street names, per instance."""

    members: dict[_Instance, list[int]] = field(default_factory=lambda: defaultdict(list))
    geometry: dict[_Instance, list[Segments]] = field(default_factory=lambda: defaultdict(list))
    mapped: dict[_Instance, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    keys: dict[str, set[_Instance]] = field(default_factory=lambda: defaultdict(set))
    spellings: dict[str, set[_Instance]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def collect(cls, addresses: Sequence[Address], pieces: Sequence[StreetPiece]) -> _Names:
        names = cls()
        for idx, address in enumerate(addresses):
            instance = (street_key(address.street), address.municipality)
            names.members[instance].append(idx)
            names.add(address.street, instance)
        for piece in pieces:
            instance = (street_key(piece.name), piece.municipality)
            names.geometry[instance].append(piece.segments)
            names.mapped[instance][piece.name] += 1
            for name in (piece.name, *piece.aliases):
                names.add(name, instance)
        return names

    def add(self, name: str, instance: _Instance) -> None:
        """Let ``name`` (the street's own or an alias) find ``instance``."""
        self.keys[street_key(name)].add(instance)
        for spelling in (spelling_key(name), literal_key(name)):
            self.spellings[spelling].add(instance)


def _indices(
    names: dict[str, set[_Instance]], index_of: dict[_Instance, int]
) -> dict[str, list[int]]:
    return {
        name: sorted(index_of[i] for i in instances if i in index_of)
        for name, instances in names.items()
        if name and any(i in index_of for i in instances)
    }


def _street(
    addresses: Sequence[Address], members: Sequence[int], municipality: str | None, key: str
) -> Street:
    group = [addresses[idx] for idx in members]
    town_ids: set[str] = {town_key(municipality)} if municipality else set()
    for address in group:
        town_ids |= address_town_ids(address)
    cities = Counter(a.city for a in group if a.city)
    names = Counter(a.street.strip() for a in group)
    return Street(
        key=key,
        name=names.most_common(1)[0][0] if names else key,
        town=municipality or (cities.most_common(1)[0][0] if cities else None),
        town_ids=frozenset(town_ids),
        postcodes=frozenset(a.postcode for a in group if a.postcode),
        segments=None,
        numbers=StreetNumbers(addresses, members),
        address_count=len(members),
    )


def _number_roads(streets: list[Street]) -> None:
    """Give streets of one key that share a border segment (it is assigned to both sides of
    the border) one road number, so a query without a town finds the road, not two halves."""
    road_of = list(range(len(streets)))

    def root(idx: int) -> int:
        while road_of[idx] != idx:
            road_of[idx] = road_of[road_of[idx]]
            idx = road_of[idx]
        return idx

    by_key: dict[str, list[int]] = defaultdict(list)
    for idx, street in enumerate(streets):
        by_key[street.key].append(idx)
    for members in by_key.values():
        seen: dict[tuple[float, ...], int] = {}
        for idx in members:
            segments = streets[idx].segments
            for row in () if segments is None else map(tuple, segments.tolist()):
                if row in seen:
                    road_of[root(idx)] = root(seen[row])
                else:
                    seen[row] = idx
    for idx, street in enumerate(streets):
        street.road = root(idx)
