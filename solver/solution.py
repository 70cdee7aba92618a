"""A solved day: one route per agent, and every visit not served with the reason why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Stop:
    """One visit on a route; all times in seconds from the problem's origin.

    ``travel_s`` and ``distance_m`` are from the previous place (the agent's start for the
    first stop). ``arrival_s`` is the previous departure plus ``travel_s``; ``wait_s`` is
    ``service_start_s - arrival_s``.
    """

    visit_idx: int
    arrival_s: int
    service_start_s: int
    service_end_s: int
    travel_s: int
    distance_m: int

    @property
    def wait_s(self) -> int:
        """Seconds spent waiting at the door before service may start."""
        return self.service_start_s - self.arrival_s


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """One agent's day. An agent with no stops has an empty route (it stays home).

    ``start_s`` is when the agent leaves its start place, ``end_s`` when it reaches its end
    place (for an open route: when the last service ends). ``return_travel_s`` and
    ``return_distance_m`` are the last leg, from the last stop to the end place.
    """

    agent_idx: int
    stops: tuple[Stop, ...]
    start_s: int
    end_s: int
    return_travel_s: int
    return_distance_m: int

    @property
    def travel_s(self) -> int:
        """Total travel time of the route, return leg included (seconds)."""
        return sum(stop.travel_s for stop in self.stops) + self.return_travel_s

    @property
    def distance_m(self) -> int:
        """Total distance of the route, return leg included (metres)."""
        return sum(stop.distance_m for stop in self.stops) + self.return_distance_m


@dataclass(frozen=True, slots=True, kw_only=True)
class Unassigned:
    """A visit no route serves. ``reason`` is a stable code, ``detail`` a sentence for people."""

    visit_idx: int
    reason: str
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Solution:
    """Routes in the order of ``Problem.agents``, plus the unassigned visits."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    objective: int
