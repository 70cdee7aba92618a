"""The routing problem as plain data: integer seconds and metres, indices into one matrix.

Times are whole seconds from an origin the caller chooses (the app uses local midnight of the
plan's date). Places are indices into the square travel matrices of :class:`Problem`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from solver.errors import InvalidProblemError

DEFAULT_DROP_PENALTY = 10_000_000
"""Cost of leaving a visit unassigned, in the objective's unit (travel seconds).

Far above the travel time of any day's route, so a visit is dropped only when it cannot be
served, never to save travel.
"""


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
    """One stop to make: where, for how long, and when service may start.

    Service must *start* inside one of ``time_windows`` (an agent arriving early waits);
    an empty tuple means any time within the agent's shift.
    """

    id: str
    location_idx: int
    service_s: int
    time_windows: tuple[TimeWindow, ...] = ()
    drop_penalty: int = DEFAULT_DROP_PENALTY

    def __post_init__(self) -> None:
        if self.service_s < 0:
            msg = f"visit {self.id!r}: negative service time {self.service_s}"
            raise InvalidProblemError(msg)
        if self.drop_penalty < 0:
            msg = f"visit {self.id!r}: negative drop penalty {self.drop_penalty}"
            raise InvalidProblemError(msg)
        ordered = sorted(self.time_windows, key=lambda w: w.start_s)
        for before, after in itertools.pairwise(ordered):
            if after.start_s <= before.end_s:
                msg = f"visit {self.id!r}: time windows overlap"
                raise InvalidProblemError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Agent:
    """One person's working day: where it starts and ends, and the shift it must fit in.

    ``end_location_idx`` of ``None`` means the day ends at the last visit (an open route).
    The route leaves the start no earlier than ``shift.start_s`` and reaches the end no later
    than ``shift.end_s``.
    """

    id: str
    start_location_idx: int
    end_location_idx: int | None
    shift: TimeWindow
    profile_idx: int = 0
    """Which travel profile (matrix pair of :class:`Problem`) this agent moves by."""


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
