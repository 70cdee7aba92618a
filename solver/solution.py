"""A solved day: one timed and costed route per agent, and every visit not served with the
reason why. Times are seconds from the problem's origin; costs are money."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Stop:
    """One visit on a route; all times in seconds from the problem's origin.

    ``travel_s`` and ``distance_m`` are from the previous place (the agent's start for the
    first stop). The agent leaves the previous place at once and travels; a break taken
    during that travel delays the arrival, so ``arrival_s`` is the previous departure plus
    ``travel_s`` plus the breaks begun before arriving. ``wait_s`` is the time between arrival
    and service start (breaks taken at the door included). ``late_s`` is how long after the
    end of the visit's preferred window service started (0 when on time or no preference).
    """

    visit_idx: int
    arrival_s: int
    service_start_s: int
    service_end_s: int
    travel_s: int
    distance_m: int
    late_s: int = 0

    @property
    def wait_s(self) -> int:
        """Seconds between arrival at the door and the start of service."""
        return self.service_start_s - self.arrival_s


@dataclass(frozen=True, slots=True, kw_only=True)
class TakenBreak:
    """When one of the agent's breaks (index into ``Agent.breaks``) is taken."""

    break_idx: int
    start_s: int
    end_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteCost:
    """What one agent's day costs (money): ``fixed`` (when it makes any visit), ``time``
    (working time at the agent's hourly rate), ``distance`` (distance at its rate per km),
    ``lateness`` (services started after their preferred window) and their ``total``."""

    fixed: float = 0.0
    time: float = 0.0
    distance: float = 0.0
    lateness: float = 0.0
    total: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """One agent's day. An agent with no stops has an empty route (it stays home, costs
    nothing and takes no breaks).

    ``start_s`` is when the agent leaves its start place, ``end_s`` when it reaches its end
    place (for an open route: when the last service ends); the working time is the span
    between them. ``return_travel_s`` and ``return_distance_m`` are the last leg, from the
    last stop to the end place. ``breaks`` are the agent's breaks in time order: each lies in a
    gap between services (while travelling or waiting), or before ``start_s`` or after
    ``end_s`` (then outside the working time).
    """

    agent_idx: int
    stops: tuple[Stop, ...]
    start_s: int
    end_s: int
    return_travel_s: int
    return_distance_m: int
    breaks: tuple[TakenBreak, ...] = ()
    cost: RouteCost = RouteCost()

    @property
    def travel_s(self) -> int:
        """Total travel time of the route, return leg included (seconds)."""
        return sum(stop.travel_s for stop in self.stops) + self.return_travel_s

    @property
    def distance_m(self) -> int:
        """Total distance of the route, return leg included (metres)."""
        return sum(stop.distance_m for stop in self.stops) + self.return_distance_m

    @property
    def working_s(self) -> int:
        """Seconds from leaving the start place to reaching the end place."""
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True, kw_only=True)
class Hint:
    """One change that would let a left-out visit into the plan (a counterfactual).

    ``kind`` says what changes (see :mod:`solver.reasons`); ``agent_idx`` and ``visit_idx``
    name the agent and the other visit concerned; ``change_s`` is how many seconds a shift
    or window moves and ``new_time_s`` the time it then ends (or starts); ``amount`` is
    money (a value to reach).
    """

    kind: str
    detail: str
    agent_idx: int | None = None
    visit_idx: int | None = None
    change_s: int | None = None
    new_time_s: int | None = None
    amount: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Unassigned:
    """A visit no route serves. ``reason`` is a stable code, ``detail`` a sentence for people,
    ``hints`` the single changes found that would let it in."""

    visit_idx: int
    reason: str
    detail: str
    hints: tuple[Hint, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TerritoryReport:
    """One territory of a split problem, as its own search left it (before the work across
    borders): its agents and visits (ids), how many of them it served, what its plan cost
    (its objective, money), how long its solve took (seconds, in its worker) and which
    worker that was (host and process id)."""

    agent_ids: tuple[str, ...]
    visit_ids: tuple[str, ...]
    assigned: int
    cost: float
    solve_s: float
    solved_by: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SplitReport:
    """How a large problem was split, solved and joined (see :mod:`solver.decompose`).

    ``cost_joined`` is the objective of the territories' plans put together, before the
    work across borders; ``border_pairs`` the neighbouring pairs re-solved together, of
    which ``border_improved`` found a cheaper plan; the final objective is the solution's.
    Times are wall-clock seconds of each phase: splitting, solving the territories (on
    ``workers`` processes) and improving across borders; ``search_cpu_s`` is the processor
    time all the territory and pair solves took in their workers.
    """

    territories: tuple[TerritoryReport, ...]
    workers: int
    cost_joined: float
    border_pairs: int = 0
    border_improved: int = 0
    split_s: float = 0.0
    territories_s: float = 0.0
    border_s: float = 0.0
    search_cpu_s: float = 0.0


@dataclass(frozen=True, slots=True)
class SearchStage:
    """One engine's part of a search: which engine, its seed, and how many steps it took
    (PyVRP iterations or OR-Tools solutions; 0: it found nothing)."""

    engine: str
    seed: int
    steps: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchTrace:
    """How a solve went, counted in steps rather than seconds, so that
    :func:`solver.replay` retraces it exactly on any machine at any load: the engine stages
    of the search whose plan was kept (PyVRP, then OR-Tools when PyVRP found no plan), and
    the repair's steps when its deadline cut it short (None: it ran to its end)."""

    stages: tuple[SearchStage, ...]
    repair_steps: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Solution:
    """Routes in the order of ``Problem.agents``, plus the unassigned visits.

    ``objective`` is money: the routes' total costs plus ``lost_value`` (the value of the
    unassigned visits) plus ``balance_cost`` (see ``Problem.balance_cost_per_visit``).
    ``split`` says how a problem above the split threshold was split into territories
    (None: it was solved whole). ``trace`` retraces a whole solve exactly (None for a split
    one, whose territories ran in parallel against the clock).
    """

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    objective: float
    lost_value: float = 0.0
    balance_cost: float = 0.0
    split: SplitReport | None = None
    trace: SearchTrace | None = None
