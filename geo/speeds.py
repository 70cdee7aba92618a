"""Travel speeds: per mode, per road class, from ``maxspeed`` tags, and by hour of the day."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from geo.modes import Tags, TravelMode, WayAccess

DRIVE_SPEEDS_KPH: Mapping[str, float] = MappingProxyType(
    {
        "motorway": 100,
        "motorway_link": 60,
        "trunk": 80,
        "trunk_link": 50,
        "primary": 60,
        "primary_link": 40,
        "secondary": 50,
        "secondary_link": 40,
        "tertiary": 45,
        "tertiary_link": 35,
        "unclassified": 35,
        "road": 30,
        "residential": 30,
        "living_street": 10,
        "service": 15,
    }
)
"""Car speed (km/h) per OSM road class, used where a way has no usable ``maxspeed`` tag."""

FALLBACK_SPEED_KPH = 30.0
"""Car speed (km/h) for road classes missing from :data:`DRIVE_SPEEDS_KPH`."""

MIN_SPEED_KPH, MAX_SPEED_KPH = 5.0, 150.0
"""Tagged speed limits are clamped to this range: below it is a typo or a parking lot."""

_MPH_KPH = 1.609344
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?$")
_ZONE = re.compile(r"zone:?(\d+)$")
_ZONE_SPEEDS_KPH = {"urban": 50.0, "rural": 80.0, "trunk": 100.0, "motorway": 120.0}
_RURAL_KPH = {"AT": 100.0, "DE": 100.0, "IT": 90.0, "US": 88.5}
"""Rural limits where they differ from the usual 80 km/h (``DE:rural`` style values)."""


def parse_maxspeed_kph(value: str) -> float | None:
    """The speed limit (km/h) an OSM ``maxspeed`` value gives, or ``None`` if it gives none.

    Understands plain numbers (km/h), ``mph`` and ``km/h`` units, ``walk``, zone values
    such as ``CH:urban``, ``DE:rural`` or ``DE:zone30``, and ``;``-separated lists (the
    lowest wins). ``none``, ``signals`` and the like give ``None``: the road class decides.
    """
    speeds = [speed for part in value.split(";") if (speed := _one_maxspeed(part)) is not None]
    if not speeds:
        return None
    return min(max(min(speeds), MIN_SPEED_KPH), MAX_SPEED_KPH)


def _one_maxspeed(value: str) -> float | None:
    text = value.strip().lower()
    number = _NUMBER.match(text)
    if number:
        speed = float(number.group(1))
        return speed * _MPH_KPH if number.group(2) == "mph" else speed
    if text == "walk":
        return 6.0
    country, _, zone = text.partition(":")
    if not zone:
        return None
    zone_number = _ZONE.search(zone)
    if zone_number:
        return float(zone_number.group(1))
    if zone == "rural":
        return _RURAL_KPH.get(country.upper(), _ZONE_SPEEDS_KPH["rural"])
    if zone == "living_street":
        return 20.0
    return _ZONE_SPEEDS_KPH.get(zone)


@dataclass(frozen=True, slots=True)
class ModeSpeeds:
    """Speeds (km/h) of the modes that do not follow speed limits.

    Cyclists ride at their speed, or at the road's speed limit where that is lower, and push
    at walking speed where they may not ride (see :mod:`geo.modes`).
    """

    walk_kph: float = 4.5
    bike_kph: float = 15.0
    escooter_kph: float = 18.0

    def __post_init__(self) -> None:
        for name in ("walk_kph", "bike_kph", "escooter_kph"):
            speed = getattr(self, name)
            if not (math.isfinite(speed) and speed > 0):
                msg = f"{name} must be a positive speed, not {speed!r}"
                raise ValueError(msg)

    def cache_tag(self) -> str:
        """A short text naming these speeds, for cache file names."""
        return f"w{self.walk_kph:g}-b{self.bike_kph:g}-e{self.escooter_kph:g}"


def way_speeds_kph(
    tags: Tags, mode: TravelMode, access: WayAccess, speeds: ModeSpeeds
) -> tuple[float, float]:
    """Speeds (km/h) of ``mode`` along and against a way's node order.

    Cars use the direction's ``maxspeed:forward``/``maxspeed:backward``, else ``maxspeed``,
    else :data:`DRIVE_SPEEDS_KPH` by road class; walkers and pushing cyclists walk;
    cyclists ride at their mode's speed, capped by a lower speed limit.
    """
    if mode is TravelMode.WALK or access.pushed:
        return speeds.walk_kph, speeds.walk_kph
    forward = _tagged_kph(tags, "maxspeed:forward")
    backward = _tagged_kph(tags, "maxspeed:backward")
    if mode is TravelMode.DRIVE:
        default = DRIVE_SPEEDS_KPH.get(tags.get("highway") or "", FALLBACK_SPEED_KPH)
        return forward or default, backward or default
    own = speeds.bike_kph if mode is TravelMode.BIKE else speeds.escooter_kph
    return min(own, forward or own), min(own, backward or own)


def _tagged_kph(tags: Tags, key: str) -> float | None:
    """The speed limit for one direction: its own key, else the plain ``maxspeed``."""
    for candidate in (key, "maxspeed"):
        value = tags.get(candidate)
        if value is not None and (speed := parse_maxspeed_kph(value)) is not None:
            return speed
    return None


HOURS_PER_DAY = 24


@dataclass(frozen=True, slots=True)
class SpeedFactors:
    """Speed multipliers per road class and hour of the day (local time), e.g. 0.6 for
    ``primary`` at 08:00 when rush hour cuts speeds to 60 %.

    Road classes not listed keep their speed (factor 1.0) at every hour.

    Travel times use, per road class, the mean factor over the hours a plan's trips happen
    in (:meth:`mean_factors`): a static, per-plan approximation of time-dependent travel,
    since the routing solver (OR-Tools) takes one transit time per pair of places, not one
    per departure time. A day starting at 08:00 and one starting at 17:00 then differ,
    while within one plan every trip on a road class is slowed alike, whenever it happens.
    The factored times are plain edge weights (:func:`geo.weights.edge_weights`), so the
    matrices stay exact shortest paths on that weighted graph, and an independent check
    (networkx on the same weights, as the tests do) still agrees with them to the unit.
    """

    by_class: Mapping[str, Sequence[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        frozen: dict[str, tuple[float, ...]] = {}
        for road_class, factors in sorted(self.by_class.items()):
            values = tuple(float(f) for f in factors)
            if len(values) != HOURS_PER_DAY or not all(math.isfinite(f) and f > 0 for f in values):
                msg = f"{road_class}: need 24 positive speed factors, one per hour"
                raise ValueError(msg)
            frozen[road_class] = values
        # Read-only and ordered, so equal factors hash and compare equal.
        object.__setattr__(self, "by_class", MappingProxyType(frozen))

    def __hash__(self) -> int:
        return hash(tuple(self.by_class.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SpeedFactors) and dict(self.by_class) == dict(other.by_class)

    def mean_factors(
        self, road_classes: Sequence[str], hours: Iterable[int] | None
    ) -> npt.NDArray[np.float64]:
        """The mean speed factor of each road class over ``hours`` (0-23; ``None``: the
        whole day), in the order of ``road_classes``.

        Raises
        ------
        ValueError
            If ``hours`` is empty or holds an hour outside 0-23.
        """
        chosen = list(range(HOURS_PER_DAY)) if hours is None else sorted(set(hours))
        if not chosen or chosen[0] < 0 or chosen[-1] >= HOURS_PER_DAY:
            msg = f"hours must be a non-empty set of hours 0-23, not {chosen!r}"
            raise ValueError(msg)
        return np.array(
            [
                np.mean([self.by_class[c][h] for h in chosen]) if c in self.by_class else 1.0
                for c in road_classes
            ],
            dtype=np.float64,
        )


def hours_between(start_s: int, end_s: int) -> tuple[int, ...]:
    """The hours of the day (0-23) that the interval ``[start_s, end_s)`` of seconds after
    midnight touches; an end before the start wraps past midnight."""
    if end_s <= start_s:
        end_s += 24 * 3600
    first, last = start_s // 3600, (end_s - 1) // 3600
    return tuple(sorted({hour % HOURS_PER_DAY for hour in range(first, last + 1)}))
