"""The house numbers of one street: exact look-up, near variants, and interpolation.

Interpolation uses only neighbours on the same side of the street (same parity), the
European and North American convention: 17 lies between 15 and 19, whatever 16 and 18 are.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from geo.geocoding.model import Address
from geo.geocoding.normalize import HouseNumber, parse_housenumbers
from geo.types import LatLon


class NumberMatch(Enum):
    """How the found house number relates to the asked one."""

    EXACT = "exact"
    IN_RANGE = "in_range"
    """One number of an asked range ("71-75" found as 71)."""
    VARIANT = "variant"
    """The same number without the asked suffix, or with one ("14a" asked, 14 found)."""


@dataclass(frozen=True, slots=True)
class NumberHit:
    """Mapped addresses found for an asked house number."""

    addresses: tuple[int, ...]
    match: NumberMatch


def _mean(points: Sequence[LatLon]) -> LatLon:
    return LatLon(
        sum(p.lat for p in points) / len(points), sum(p.lon for p in points) / len(points)
    )


class StreetNumbers:
    """House numbers of one street instance, pointing into the index's address list."""

    def __init__(self, addresses: Sequence[Address], members: Sequence[int]) -> None:
        self._by_key: dict[tuple[int, str], list[int]] = defaultdict(list)
        self._in_ranges: dict[int, list[int]] = defaultdict(list)
        points_by_number: dict[int, list[LatLon]] = defaultdict(list)
        suffixed_by_number: dict[int, list[LatLon]] = defaultdict(list)
        for idx in members:
            address = addresses[idx]
            for number in parse_housenumbers(address.housenumber):
                self._by_key[number.key].append(idx)
                if number.last is not None:
                    for member in number.numbers_of_range():
                        self._in_ranges[member].append(idx)
                        points_by_number[member].append(address.location)
                    continue
                target = suffixed_by_number if number.suffix else points_by_number
                target[number.number].append(address.location)
        # A number mapped only with suffixes (12a, 12b) still marks where 12 is.
        for base, points in suffixed_by_number.items():
            points_by_number.setdefault(base, points)
        self._numbers: dict[int, list[int]] = {0: [], 1: []}
        self._points: dict[int, LatLon] = {}
        for base in sorted(points_by_number):
            self._numbers[base % 2].append(base)
            self._points[base] = _mean(points_by_number[base])

    def __bool__(self) -> bool:
        return bool(self._points)

    def find(self, asked: HouseNumber) -> NumberHit | None:
        """Mapped addresses of ``asked``: exact, else by a range (a number of the asked range,
        or a mapped range holding the number), else a variant of the suffix."""
        exact = self._by_key.get(asked.key)
        if exact:
            return NumberHit(tuple(exact), NumberMatch.EXACT)
        for number in asked.numbers_of_range():
            # An asked range found as one of its numbers, or a number inside a mapped range.
            in_range = self._by_key.get((number, "")) or self._in_ranges.get(number)
            if in_range and not asked.suffix:
                return NumberHit(tuple(in_range), NumberMatch.IN_RANGE)
        plain = self._by_key.get((asked.number, "")) if asked.suffix else None
        if plain:
            return NumberHit(tuple(plain), NumberMatch.VARIANT)
        # "14" or "14a" asked, only "14b" mapped: the same building number, another entrance.
        siblings = sorted(
            k for k in self._by_key if k[0] == asked.number and k[1] and not k[1].startswith("-")
        )
        if siblings:
            return NumberHit(tuple(self._by_key[siblings[0]]), NumberMatch.VARIANT)
        return None

    def interpolate(self, number: int) -> LatLon | None:
        """The point of ``number`` between its mapped neighbours on the same side, if both
        exist; ``None`` otherwise."""
        side = self._numbers[number % 2]
        at = bisect.bisect_left(side, number)
        if at == 0 or at >= len(side) or side[at] == number:
            return None
        low, high = side[at - 1], side[at]
        a, b = self._points[low], self._points[high]
        t = (number - low) / (high - low)
        return LatLon(a.lat + t * (b.lat - a.lat), a.lon + t * (b.lon - a.lon))

    def has_neighbours(self, number: int) -> bool:
        """Whether ``number`` has mapped neighbours on its side below and above."""
        return self.interpolate(number) is not None

    def nearest(self, number: int) -> LatLon | None:
        """The point of the mapped number closest to ``number`` (either side)."""
        if not self._points:
            return None
        closest = min(self._points, key=lambda known: (abs(known - number), known))
        return self._points[closest]

    def centre(self) -> LatLon | None:
        """The mean point of the street's mapped addresses."""
        return _mean(list(self._points.values())) if self._points else None
