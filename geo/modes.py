"""Travel modes and which OSM ways each may use, in which directions.

Rules follow OSM tagging conventions (https://wiki.openstreetmap.org/wiki/Key:access):
the road class (``highway``) says who may use a way by default, access keys override it,
and the most specific access key present decides (``motorcar`` before ``motor_vehicle``
before ``vehicle`` before ``access``). One-way restrictions bind vehicles, not pedestrians.

Cyclists (``bike`` and ``escooter``, which share the rules and differ only in speed) ride
roads, tracks, paths and cycleways. Where they may not ride but a pedestrian may walk
(footways, pedestrian streets, ``bicycle=dismount``, steps with a bicycle ramp, the
sidewalk of a trunk road), they *push* at walking speed, in both directions like any
pedestrian. Plain steps are closed to them: carrying a bike up a stair is not a route.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import osmium


class TravelMode(StrEnum):
    """How an agent travels; each mode has its own road network."""

    DRIVE = "drive"
    WALK = "walk"
    BIKE = "bike"
    ESCOOTER = "escooter"


Tags = Mapping[str, str] | osmium.osm.TagList
"""OSM tags of a way, as a plain mapping or as pyosmium hands them over."""


@dataclass(frozen=True, slots=True)
class WayAccess:
    """Whether a mode may use a way along (``forward``) and against (``backward``) the order
    of its nodes, and whether a cyclist must push the bike there (at walking speed)."""

    forward: bool
    backward: bool
    pushed: bool = False


_UNUSABLE_HIGHWAYS = frozenset(
    {
        "abandoned",
        "bus_guideway",
        "bus_stop",
        "busway",
        "construction",
        "disused",
        "elevator",
        "emergency_bay",
        "escalator",
        "no",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "services",
        "via_ferrata",
    }
)
"""Not roads for anyone: unbuilt, gone, for buses only, indoor machines or climbing routes."""

_NOT_DRIVABLE_HIGHWAYS = frozenset(
    {"bridleway", "corridor", "cycleway", "footway", "path", "pedestrian", "steps", "track"}
)
_NOT_DRIVABLE_SERVICES = frozenset(
    {
        "alley",
        "drive-through",
        "driveway",
        "emergency_access",
        "parking",
        "parking_aisle",
        "private",
    }
)
"""Service roads a visit never starts or ends on (osmnx's ``drive`` rules)."""

_MOTORWAYS = frozenset({"motorway", "motorway_link"})
_TRUNKS = frozenset({"trunk", "trunk_link"})
_PEDESTRIAN_HIGHWAYS = frozenset({"footway", "pedestrian", "corridor"})
"""Ways for walking, where a cyclist without an explicit ``bicycle`` permission pushes."""

_CAR_ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")
_BICYCLE_ACCESS_KEYS = ("bicycle", "vehicle", "access")
_FOOT_ACCESS_KEYS = ("foot", "access")

_NO_ACCESS = frozenset(
    {
        "agricultural",
        "agricultural;forestry",
        "emergency",
        "forestry",
        "military",
        "no",
        "private",
        "use_sidepath",
    }
)
"""Access values that close a way to the public (``use_sidepath``: the separately mapped
cycleway or sidewalk beside it must be used instead)."""

_EXPLICITLY_ALLOWED = frozenset({"designated", "permissive", "yes"})
_SIDEWALK_KEYS = ("sidewalk", "sidewalk:both", "sidewalk:left", "sidewalk:right")
_SIDEWALK_PRESENT = frozenset({"both", "left", "right", "yes"})
_CYCLE_LANES = frozenset({"lane", "shared_lane", "share_busway", "track"})
_CYCLEWAY_KEYS = ("cycleway", "cycleway:both", "cycleway:left", "cycleway:right")

_FORWARD_ONEWAY = frozenset({"1", "true", "yes"})
_BACKWARD_ONEWAY = frozenset({"-1", "reverse"})
_TWO_WAY = frozenset({"0", "false", "no"})
_BOTH_WAYS = WayAccess(forward=True, backward=True)


def _access(tags: Tags, keys: tuple[str, ...]) -> str | None:
    """The value of the most specific access key present, if any."""
    return next((tags[key] for key in keys if key in tags), None)


def is_drivable(tags: Tags) -> bool:
    """Whether a way with these OSM tags is open to cars: osmnx's ``drive`` rules, with
    access tags read by specificity, plus public service roads, which home visits need."""
    return way_access(tags, TravelMode.DRIVE) is not None


def way_access(tags: Tags, mode: TravelMode) -> WayAccess | None:
    """How ``mode`` may use a way with these OSM tags; ``None`` if it may not at all.

    Parameters
    ----------
    tags
        The way's OSM tags.
    mode
        The travel mode asking.

    Returns
    -------
    WayAccess or None
        The directions open to the mode (and, for cyclists, whether they push there).
    """
    highway = tags.get("highway")
    if highway is None or highway in _UNUSABLE_HIGHWAYS or tags.get("area") == "yes":
        return None
    if mode is TravelMode.DRIVE:
        return _drive_access(tags, highway)
    if mode is TravelMode.WALK:
        return _BOTH_WAYS if _walkable(tags, highway) else None
    return _cycle_access(tags, highway)


def _drive_access(tags: Tags, highway: str) -> WayAccess | None:
    if highway in _NOT_DRIVABLE_HIGHWAYS or _access(tags, _CAR_ACCESS_KEYS) in _NO_ACCESS:
        return None
    if highway == "service" and tags.get("service") in _NOT_DRIVABLE_SERVICES:
        return None
    return _oneway(tags, ("oneway:motor_vehicle", "oneway:vehicle", "oneway"))


def _walkable(tags: Tags, highway: str) -> bool:
    foot = _access(tags, _FOOT_ACCESS_KEYS)
    if foot in _NO_ACCESS:
        return False
    explicit = tags.get("foot") in _EXPLICITLY_ALLOWED
    if highway in _MOTORWAYS or highway == "cycleway":
        return explicit
    if highway in _TRUNKS:
        return explicit or _has_sidewalk(tags)
    return True


def _cycle_access(tags: Tags, highway: str) -> WayAccess | None:
    bicycle = _access(tags, _BICYCLE_ACCESS_KEYS)
    if bicycle in _NO_ACCESS or highway in _MOTORWAYS:
        return None
    explicit = tags.get("bicycle") in _EXPLICITLY_ALLOWED
    may_walk = _walkable(tags, highway)
    push = WayAccess(forward=True, backward=True, pushed=True)
    if highway == "steps":
        ramp = tags.get("ramp:bicycle") == "yes"
        return push if ramp and may_walk else None
    if tags.get("bicycle") == "dismount" or (highway in _PEDESTRIAN_HIGHWAYS and not explicit):
        return push if may_walk else None
    if highway == "bridleway" and not explicit:
        return None
    if highway in _TRUNKS and not (explicit or _has_cycle_lane(tags)):
        return push if _has_sidewalk(tags) and may_walk else None
    return _cycle_oneway(tags)


def _has_sidewalk(tags: Tags) -> bool:
    return any(tags.get(key) in _SIDEWALK_PRESENT for key in _SIDEWALK_KEYS)


def _has_cycle_lane(tags: Tags) -> bool:
    return any(tags.get(key) in _CYCLE_LANES for key in _CYCLEWAY_KEYS)


def _cycle_oneway(tags: Tags) -> WayAccess:
    """One-way rules for cyclists: ``oneway:bicycle`` decides when present, and a
    contraflow lane (``cycleway=opposite*``) opens a one-way street both ways."""
    if "oneway:bicycle" not in tags and any(
        (tags.get(key) or "").startswith("opposite") for key in _CYCLEWAY_KEYS
    ):
        return _BOTH_WAYS
    return _oneway(tags, ("oneway:bicycle", "oneway:vehicle", "oneway"))


def _oneway(tags: Tags, keys: tuple[str, ...]) -> WayAccess:
    """Directions open under the most specific ``oneway`` key present, else the implied
    one-way of roundabouts and motorways. ``reversible``/``alternating`` ways count as
    two-way: each direction is open at some time of the day."""
    value = _access(tags, keys)
    if value in _FORWARD_ONEWAY:
        return WayAccess(forward=True, backward=False)
    if value in _BACKWARD_ONEWAY:
        return WayAccess(forward=False, backward=True)
    if value in _TWO_WAY:
        return _BOTH_WAYS
    implied = tags.get("junction") in {"roundabout", "circular"} or tags.get("highway") in {
        "motorway"
    }
    return WayAccess(forward=True, backward=not implied)
