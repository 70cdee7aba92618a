"""The routing problem as plain data: integer seconds and metres, money as floats.

Times are whole seconds from an origin the caller chooses (the app uses local midnight of the
plan's date). Places are indices into the square travel matrices of :class:`Problem`. Costs
and values are money in one currency the caller chooses; the objective is money.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from solver.errors import InvalidProblemError

MUST_VISIT_VALUE = 1_000_000.0
"""The value (money) of a visit that gives none: far above what any day's route costs, so
such a visit is left out only when it cannot be served, never to save money."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeWindow:
    """A closed interval ``[start_s, end_s]`` of seconds from the origin."""

    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        if self.start_s < 0 or self.end_s < self.start_s:
            msg = f"time window [{self.start_s}, {self.end_s}] is empty or negative"
            raise InvalidProblemError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Visit:
    """One stop to make: where, for how long, when service may start, and what it is worth.

    Service must *start* inside one of ``time_windows`` (hard; an agent arriving early waits);
    an empty tuple means any time within the agent's shift. Starting after the end of the
    optional ``preferred_window`` is allowed but costs ``lateness_cost_per_hour`` (money per
    hour late). Leaving the visit out costs its ``value`` (money; ``None``: visit whenever
    possible, see :data:`MUST_VISIT_VALUE`). ``demand`` uses the agent's ``capacity``.
    A visit ``pinned_agent_idx`` may only be served by that agent; with ``locked_order`` set
    too, the pinned agent's locked visits keep that relative order (a plan edited by hand),
    while other visits may go between them.
    """

    id: str
    location_idx: int
    service_s: int
    time_windows: tuple[TimeWindow, ...] = ()
    preferred_window: TimeWindow | None = None
    lateness_cost_per_hour: float = 0.0
    value: float | None = None
    demand: int = 0
    required_skills: frozenset[str] = frozenset()
    pinned_agent_idx: int | None = None
    locked_order: int | None = None

    @property
    def drop_cost(self) -> float:
        """Money lost when the visit is left out."""
        return MUST_VISIT_VALUE if self.value is None else self.value

    def __post_init__(self) -> None:
        if self.service_s < 0:
            msg = f"visit {self.id!r}: negative service time {self.service_s}"
            raise InvalidProblemError(msg)
        for name in ("lateness_cost_per_hour", "demand"):
            if getattr(self, name) < 0:
                msg = f"visit {self.id!r}: negative {name}"
                raise InvalidProblemError(msg)
        if self.value is not None and not 0 <= self.value <= MUST_VISIT_VALUE:
            msg = f"visit {self.id!r}: value must be between 0 and {MUST_VISIT_VALUE:.0f}"
            raise InvalidProblemError(msg)
        if self.locked_order is not None and self.pinned_agent_idx is None:
            msg = f"visit {self.id!r}: a locked order needs a pinned agent"
            raise InvalidProblemError(msg)
        ordered = sorted(self.time_windows, key=lambda w: w.start_s)
        for before, after in itertools.pairwise(ordered):
            if after.start_s <= before.end_s:
                msg = f"visit {self.id!r}: time windows overlap"
                raise InvalidProblemError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Break:
    """A pause of ``duration_s`` that must start between ``earliest_start_s`` and
    ``latest_start_s``; it is taken between visits (while travelling or waiting), never
    during a service."""

    earliest_start_s: int
    latest_start_s: int
    duration_s: int

    def __post_init__(self) -> None:
        if self.duration_s < 0 or not 0 <= self.earliest_start_s <= self.latest_start_s:
            msg = (
                f"break [{self.earliest_start_s}, {self.latest_start_s}] of "
                f"{self.duration_s} s is empty or negative"
            )
            raise InvalidProblemError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentCosts:
    """What an agent's day costs (money): ``fixed`` when it makes any visit, ``per_hour`` of
    working time (leaving the start to reaching the end, breaks and waiting included) and
    ``per_km`` travelled."""

    fixed: float = 0.0
    per_hour: float = 0.0
    per_km: float = 0.0

    def __post_init__(self) -> None:
        if min(self.fixed, self.per_hour, self.per_km) < 0:
            msg = "agent costs must not be negative"
            raise InvalidProblemError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Agent:
    """One person's working day: where it starts and ends, the shift it must fit in, what it
    can do and what it costs.

    ``end_location_idx`` of ``None`` means the day ends at the last visit (an open route).
    The route leaves the start no earlier than ``shift.start_s`` and reaches the end no later
    than ``shift.end_s``. ``None`` limits are unlimited. ``skills`` must include every
    ``required_skills`` of the visits it serves.
    """

    id: str
    start_location_idx: int
    end_location_idx: int | None
    shift: TimeWindow
    profile_idx: int = 0
    """Which travel profile (matrix pair of :class:`Problem`) this agent moves by."""
    skills: frozenset[str] = frozenset()
    capacity: int | None = None
    """Units of :attr:`Visit.demand` the agent can take in a day."""
    max_visits: int | None = None
    max_working_s: int | None = None
    """Longest working time: leaving the start to reaching the end."""
    max_travel_s: int | None = None
    breaks: tuple[Break, ...] = ()
    costs: AgentCosts = AgentCosts()

    def __post_init__(self) -> None:
        for name in ("capacity", "max_visits", "max_working_s", "max_travel_s"):
            limit = getattr(self, name)
            if limit is not None and limit < 0:
                msg = f"agent {self.id!r}: negative {name}"
                raise InvalidProblemError(msg)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Problem:
    """Visits, agents and the travel matrices between their places.

    ``travel_time_s[p, i, j]`` and ``distance_m[p, i, j]`` are the travel time (seconds) and
    distance (metres) from place ``i`` to place ``j`` in travel profile ``p`` (a travel mode
    at the hours of a shift; each agent names its profile): non-negative integers with a
    zero diagonal, not necessarily symmetric. A single profile may be given as 2-D matrices.
    """

    visits: tuple[Visit, ...]
    agents: tuple[Agent, ...]
    travel_time_s: npt.NDArray[np.int64]
    distance_m: npt.NDArray[np.int64]
    balance_cost_per_visit: float = 0.0
    """Money per visit of difference between the busiest and the least busy agent (0: off)."""
    places: int = field(init=False)
    profiles: int = field(init=False)

    def __post_init__(self) -> None:
        if self.travel_time_s.ndim == 2:  # one profile: stored as a stack of one
            object.__setattr__(self, "travel_time_s", self.travel_time_s[np.newaxis])
        if self.distance_m.ndim == 2:
            object.__setattr__(self, "distance_m", self.distance_m[np.newaxis])
        shape = self.travel_time_s.shape
        if len(shape) != 3 or shape[1] != shape[2] or self.distance_m.shape != shape:
            msg = (
                "matrices must be square and equal in shape, got "
                f"{self.travel_time_s.shape}, {self.distance_m.shape}"
            )
            raise InvalidProblemError(msg)
        if (self.travel_time_s < 0).any() or (self.distance_m < 0).any():
            msg = "matrices must not hold negative values"
            raise InvalidProblemError(msg)
        object.__setattr__(self, "profiles", shape[0])
        object.__setattr__(self, "places", shape[1])
        for visit in self.visits:
            self._check_place(visit.location_idx, f"visit {visit.id!r}")
            pinned = visit.pinned_agent_idx
            if pinned is not None and not 0 <= pinned < len(self.agents):
                msg = f"visit {visit.id!r}: pinned to agent index {pinned}, which does not exist"
                raise InvalidProblemError(msg)
        for agent in self.agents:
            if not 0 <= agent.profile_idx < self.profiles:
                msg = f"agent {agent.id!r}: no travel profile {agent.profile_idx}"
                raise InvalidProblemError(msg)
            self._check_place(agent.start_location_idx, f"agent {agent.id!r} start")
            if agent.end_location_idx is not None:
                self._check_place(agent.end_location_idx, f"agent {agent.id!r} end")
        for kind, ids in (
            ("visit", [v.id for v in self.visits]),
            ("agent", [a.id for a in self.agents]),
        ):
            if len(set(ids)) != len(ids):
                msg = f"{kind} ids must be unique"
                raise InvalidProblemError(msg)

    def _check_place(self, idx: int, owner: str) -> None:
        if not 0 <= idx < self.places:
            msg = f"{owner}: place index {idx} outside the {self.places}-place matrix"
            raise InvalidProblemError(msg)

    def travel_time_of(self, agent_idx: int) -> npt.NDArray[np.int64]:
        """The travel-time matrix (seconds) of the agent's profile."""
        matrix: npt.NDArray[np.int64] = self.travel_time_s[self.agents[agent_idx].profile_idx]
        return matrix

    def distance_of(self, agent_idx: int) -> npt.NDArray[np.int64]:
        """The distance matrix (metres) of the agent's profile."""
        matrix: npt.NDArray[np.int64] = self.distance_m[self.agents[agent_idx].profile_idx]
        return matrix
