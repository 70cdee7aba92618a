"""The planning use case: a day's cases and agents in, every agent's itinerary out.

Locate (geocode) -> snap to each travel mode's roads -> travel matrices per profile -> solve
-> present. A profile is a travel mode at the hours of a shift: agents who share one share a
matrix. Cases that cannot be located or routed stay in the answer as unassigned with a
reason; nothing is dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

import geo
import solver
from app.clock import DayClock
from app.compliance import EffectiveRules
from app.config import Settings
from app.errors import Location, PlanInputError
from app.horizon import AgentDay, agent_days
from app.schemas import (
    RESERVED_SKILL_PREFIX,
    AddressPartsIn,
    AgentIn,
    BreakOut,
    CaseIn,
    CostsOut,
    GeocodeOut,
    HintOut,
    ItineraryOut,
    LatLonOut,
    LineStringOut,
    PlaceIn,
    PlanRequest,
    PlanResponse,
    PlanRunOut,
    SearchStageOut,
    ShiftIn,
    SplitOut,
    StopOut,
    SummaryOut,
    TerritoryOut,
    TimeWindowIn,
    UnassignedOut,
    address_text,
    minutes_of_day,
)
from app.screening import AdmittedCase, CaseHistory, Screening, screen

logger = logging.getLogger(__name__)

UNREACHABLE_S = 10_000_000
"""Travel time (s) between places one profile cannot route between (a point off the roads
of that mode): longer than any day, so the solver never uses the pair."""

UNREACHABLE_M = 1_000_000_000
"""Distance (m) that goes with :data:`UNREACHABLE_S`."""

SEARCH_SEED = 0
"""Seed of every plan's search (kept in its run record for replays)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanningLimits:
    """Server-side knobs of one planning run."""

    max_snap_distance_m: float
    time_limit_s: float
    include_geometry: bool = True
    low_confidence_below: float = 0.6
    speed_factors: geo.SpeedFactors | None = None
    cost_per_hour: float = 0.0
    cost_per_km: float = 0.0
    workers: int = 1
    split_above_visits: int = 800
    territory_visits: int = 200
    territory_workers: int = 0
    """Territories solved at once (0: ``workers``)."""

    @classmethod
    def for_request(cls, request: PlanRequest, settings: Settings) -> PlanningLimits:
        """The limits for ``request``: its own options, else the server's defaults."""
        return cls(
            max_snap_distance_m=settings.max_snap_distance_m,
            time_limit_s=request.options.time_limit_seconds or settings.default_time_limit_seconds,
            include_geometry=request.options.include_geometry,
            low_confidence_below=settings.low_geocode_confidence,
            speed_factors=(
                geo.SpeedFactors(settings.speed_factors) if settings.speed_factors else None
            ),
            cost_per_hour=settings.default_cost_per_hour,
            cost_per_km=settings.default_cost_per_km,
            workers=settings.solver_workers,
            split_above_visits=settings.split_above_cases,
            territory_visits=settings.territory_cases,
            territory_workers=settings.territory_workers,
        )


@dataclass(frozen=True, slots=True)
class _CasePlace:
    point: geo.LatLon
    geocode: GeocodeOut | None


@dataclass(frozen=True, slots=True)
class _Profile:
    """A travel mode at some hours of the day, and the matrices of its places."""

    mode: geo.TravelMode
    hours: tuple[int, ...]
    places: list[int]
    """Indices into the plan's place list that this profile's mode can reach."""
    matrices: geo.TravelMatrices | None = None


@dataclass(frozen=True, slots=True)
class _Places:
    """Every place of the plan, in matrix order: agent starts, agent ends, routed cases."""

    points: list[geo.LatLon]
    snaps: dict[geo.TravelMode, list[geo.Snap | None]]
    routed_cases: list[int]
    agent_count: int

    def case_place(self, k: int) -> int:
        """Place index of the ``k``-th routed case."""
        return 2 * self.agent_count + k


@dataclass(frozen=True)  # no slots: the case index is cached on the instance
class PreparedDay:
    """A day ready to solve or to evaluate: cases located and screened, places snapped, the
    solver's problem built, and the cases already out of it with their reasons."""

    request: PlanRequest
    region: geo.Region
    clock: DayClock
    screening: Screening
    case_places: dict[int, _CasePlace]
    places: _Places
    profiles: list[_Profile]
    agent_profiles: list[int]
    problem: solver.Problem
    unassigned: dict[int, UnassignedOut]
    include_geometry: bool
    agent_days: list[AgentDay]
    """The solver's agents: one per agent and working day."""
    history_as_of: dt.datetime | None = None
    """When the visit history the day was screened with was read."""

    def visit_of(self, case_id: str) -> int | None:
        """The solver's index of a case, None if the case is not in the problem."""
        return self._visit_index.get(case_id)

    def agent_of(self, agent_id: str) -> int | None:
        """The solver's index of an agent's day in a plan of one day, None if the agent
        does not work it."""
        return self._agent_index.get(agent_id)

    def agent_id(self, solver_agent_idx: int) -> str:
        """The request's id of the solver's agent ``solver_agent_idx``."""
        return self.request.agents[self.agent_days[solver_agent_idx].agent_idx].id

    @cached_property
    def _agent_index(self) -> dict[str, int]:
        return {self.agent_id(k): k for k in range(len(self.agent_days))}

    @cached_property
    def _visit_index(self) -> dict[str, int]:
        return {
            self.request.cases[case_idx].id: k
            for k, case_idx in enumerate(self.places.routed_cases)
        }


def prepare_day(
    request: PlanRequest,
    region: geo.Region,
    limits: PlanningLimits,
    rules: Sequence[EffectiveRules],
    *,
    history: CaseHistory | None = None,
    matrix_cache: geo.MatrixCache | None = None,
    geocoder: geo.Geocoder | None = None,
) -> PreparedDay:
    """Locate, screen and snap the day's cases under each case's ``rules`` and its visit
    ``history``, and build the solver's problem; addresses go to ``geocoder``, by default the
    region's own offline address index.

    Raises
    ------
    PlanInputError
        If an agent's start or end cannot be located or is off its travel mode's roads
        (without them no agent's day can be planned), or a case's rules cannot be checked.
    """
    geocoder = geocoder or region.addresses
    clock = DayClock(request.date, region.timezone)
    unassigned: dict[int, UnassignedOut] = {}
    case_places: dict[int, _CasePlace] = {}
    for case_idx, case in enumerate(request.cases):
        located = _locate_case(case, geocoder, region.name, limits)
        if isinstance(located, UnassignedOut):
            unassigned[case_idx] = located
        else:
            case_places[case_idx] = located
    screening = screen(
        request,
        {idx: place.point for idx, place in case_places.items()},
        rules,
        region.timezone,
        clock,
        history or CaseHistory(),
    )
    unassigned.update(screening.excluded)
    case_places = {idx: p for idx, p in case_places.items() if idx in screening.admitted}

    days = agent_days(request)
    profiles, agent_profiles = _profiles(request, days, by_hours=limits.speed_factors is not None)
    modes = {p.mode for p in profiles}
    places = _snap(request, region, geocoder, limits, case_places, modes, unassigned)
    profiles = [_with_matrices(p, places, region, limits, matrix_cache) for p in profiles]
    times, distances = _stacked_matrices(profiles, len(places.points))

    several = request.horizon_days > 1
    # One day: a pin names the agent's day; several: any day of the agent's (a skill).
    agent_index = {} if several else {request.agents[d.agent_idx].id: k for k, d in enumerate(days)}
    problem = solver.Problem(
        visits=tuple(
            _visit(
                request.cases[case_idx],
                screening.admitted[case_idx],
                places.case_place(k),
                agent_index,
                clock,
            )
            for k, case_idx in enumerate(places.routed_cases)
        ),
        agents=tuple(
            _agent(
                request.agents[d.agent_idx],
                d,
                places.agent_count,
                profile_idx,
                clock,
                limits,
                dated=several,
            )
            for d, profile_idx in zip(days, agent_profiles, strict=True)
        ),
        travel_time_s=times,
        distance_m=distances,
        balance_cost_per_visit=request.options.balance_cost_per_visit,
    )
    return PreparedDay(
        request=request,
        region=region,
        clock=clock,
        screening=screening,
        case_places=case_places,
        places=places,
        profiles=profiles,
        agent_profiles=agent_profiles,
        problem=problem,
        unassigned=unassigned,
        include_geometry=limits.include_geometry,
        agent_days=days,
        history_as_of=history.as_of if history else None,
    )


def plan_day(
    request: PlanRequest,
    region: geo.Region,
    limits: PlanningLimits,
    rules: Sequence[EffectiveRules],
    *,
    history: CaseHistory | None = None,
    matrix_cache: geo.MatrixCache | None = None,
    geocoder: geo.Geocoder | None = None,
) -> PlanResponse:
    """Plan one day of visits in ``region``: :func:`prepare_day`, solve, present.

    Raises
    ------
    PlanInputError
        As :func:`prepare_day`.
    """
    day = prepare_day(
        request,
        region,
        limits,
        rules,
        history=history,
        matrix_cache=matrix_cache,
        geocoder=geocoder,
    )
    return solve_day(day, limits)


def solve_day(
    day: PreparedDay, limits: PlanningLimits, territories: Executor | None = None
) -> PlanResponse:
    """Solve the prepared day and present the plan, each left-out case with its reason; a
    day split into territories has them solved on ``territories`` when given."""
    started = time.perf_counter()
    request = day.request
    split = len(day.problem.visits) > limits.split_above_visits
    params = solver.SolveParams(
        time_limit_s=limits.time_limit_s,
        workers=(limits.territory_workers or limits.workers) if split else limits.workers,
        seed=SEARCH_SEED,
        split_above_visits=limits.split_above_visits,
        territory_visits=limits.territory_visits,
    )
    solution = solver.solve(day.problem, params, territories)
    response = present_solution(day, solution, plan_id=str(uuid.uuid4()), seed=params.seed)
    logger.info(
        "planned %d cases for %d agents (%d travel profiles) in region %s: %d assigned; "
        "solved in %.1f s",
        len(request.cases),
        len(request.agents),
        len(day.profiles),
        day.region.name,
        response.summary.assigned,
        time.perf_counter() - started,
    )
    return response


def present_solution(
    day: PreparedDay, solution: solver.Solution, *, plan_id: str, seed: int
) -> PlanResponse:
    """The plan of the solver's ``solution`` of the day, with the record of its run."""
    request = day.request
    unassigned = dict(day.unassigned)
    for dropped in solution.unassigned:
        case_idx = day.places.routed_cases[dropped.visit_idx]
        unassigned[case_idx] = UnassignedOut(
            case_id=request.cases[case_idx].id,
            reason=dropped.reason,
            detail=dropped.detail,
            hints=[_hint(hint, day) for hint in dropped.hints],
        )
    response = present_day(day, solution.routes, unassigned, plan_id=plan_id)
    return response.model_copy(
        update={"run": _run(day, solution, seed), "split": _split(solution.split)}
    )


def _split(report: solver.SplitReport | None) -> SplitOut | None:
    if report is None:
        return None
    return SplitOut(
        territories=[
            TerritoryOut(
                agent_ids=list(t.agent_ids),
                case_ids=list(t.visit_ids),
                assigned=t.assigned,
                cost=round(t.cost, 2),
                solve_seconds=round(t.solve_s, 2),
                solved_by=t.solved_by,
            )
            for t in report.territories
        ],
        workers=report.workers,
        cost_joined=round(report.cost_joined, 2),
        border_pairs=report.border_pairs,
        border_improved=report.border_improved,
        split_seconds=round(report.split_s, 2),
        territories_seconds=round(report.territories_s, 2),
        border_seconds=round(report.border_s, 2),
    )


def _run(day: PreparedDay, solution: solver.Solution, seed: int) -> PlanRunOut:
    trace = solution.trace
    inputs, matrices = solver.problem_digests(day.problem)
    return PlanRunOut(
        solver_version=solver.solver_version(),
        inputs_sha256=inputs,
        matrix_sha256=matrices,
        seed=seed,
        history_as_of=day.history_as_of,
        search=(
            None
            if trace is None
            else [SearchStageOut(engine=s.engine, seed=s.seed, steps=s.steps) for s in trace.stages]
        ),
        repair_steps=None if trace is None else trace.repair_steps,
    )


def present_day(
    day: PreparedDay,
    routes: Sequence[solver.Route],
    unassigned: dict[int, UnassignedOut],
    *,
    plan_id: str,
) -> PlanResponse:
    """The answer for ``routes`` of the prepared day: itineraries, unassigned cases (by case
    index) with their values, key figures and the compliance report."""
    request = day.request
    itineraries = [_itinerary(route, day, day.agent_days[route.agent_idx]) for route in routes]
    values = {
        request.cases[idx].id: admitted.value for idx, admitted in day.screening.admitted.items()
    }
    missed = [
        unassigned[idx].model_copy(update={"value": values.get(request.cases[idx].id)})
        for idx in sorted(unassigned)
    ]
    return PlanResponse(
        plan_id=plan_id,
        date=request.date,
        horizon_days=request.horizon_days,
        region=day.region.name,
        timezone=day.region.timezone.key,
        itineraries=itineraries,
        unassigned=missed,
        summary=_summary(itineraries, values, request, missed),
        compliance=day.screening.report,
        history_effects=day.screening.effects,
    )


def _profiles(
    request: PlanRequest, days: Sequence[AgentDay], *, by_hours: bool
) -> tuple[list[_Profile], list[int]]:
    """The distinct (mode, shift hours) of the agents' days, and each day's profile index.
    Without time-of-day speed factors the hours change nothing, so only modes count."""
    keys: dict[tuple[geo.TravelMode, tuple[int, ...]], int] = {}
    agent_profiles = []
    for day in days:
        mode = geo.TravelMode(request.agents[day.agent_idx].travel_mode)
        shift = day.shift
        hours = (
            geo.hours_between(minutes_of_day(shift.start) * 60, minutes_of_day(shift.end) * 60)
            if by_hours
            else ()
        )
        agent_profiles.append(keys.setdefault((mode, hours), len(keys)))
    return [_Profile(mode, hours, []) for mode, hours in keys], agent_profiles


def _snap(
    request: PlanRequest,
    region: geo.Region,
    geocoder: geo.Geocoder,
    limits: PlanningLimits,
    case_places: dict[int, _CasePlace],
    modes: set[geo.TravelMode],
    unassigned: dict[int, UnassignedOut],
) -> _Places:
    """Snap every place to the roads of every mode in use. An agent's place must be on its
    own mode's roads; a case must be on the roads of some agent's mode, else it goes to
    ``unassigned`` as unroutable."""
    agents = request.agents
    agent_count = len(agents)
    starts_and_ends = [
        _locate_agent_place(agent.start, ("agents", i, "start"), geocoder, region.name)
        for i, agent in enumerate(agents)
    ]
    starts_and_ends += [
        _locate_agent_place(agent.end, ("agents", i, "end"), geocoder, region.name)
        if agent.end
        else start
        for i, (agent, start) in enumerate(zip(agents, starts_and_ends, strict=True))
    ]
    case_points = [place.point for place in case_places.values()]
    snaps = {
        mode: region.locators[mode].snap(
            starts_and_ends + case_points, max_distance_m=limits.max_snap_distance_m
        )
        for mode in sorted(modes)
    }
    for place_idx in range(2 * agent_count):
        agent_idx = place_idx % agent_count
        mode = geo.TravelMode(agents[agent_idx].travel_mode)
        if snaps[mode][place_idx] is None:
            which = "end" if place_idx >= agent_count and agents[agent_idx].end else "start"
            msg = (
                f"the agent's {which} is farther than {limits.max_snap_distance_m:.0f} m from "
                f"any road of region {region.name!r} usable by {mode}"
            )
            raise PlanInputError(("agents", agent_idx, which), msg)

    routed_cases: list[int] = []
    keep = list(range(2 * agent_count))
    for k, case_idx in enumerate(case_places):
        place_idx = 2 * agent_count + k
        if any(snaps[mode][place_idx] is not None for mode in snaps):
            routed_cases.append(case_idx)
            keep.append(place_idx)
        else:
            unassigned[case_idx] = UnassignedOut(
                case_id=request.cases[case_idx].id,
                reason="unroutable",
                detail=(
                    f"the case is farther than {limits.max_snap_distance_m:.0f} m from any road "
                    f"of region {region.name!r} usable by "
                    + " or ".join(str(mode) for mode in sorted(snaps))
                ),
            )
    points = starts_and_ends + case_points
    return _Places(
        points=[points[i] for i in keep],
        snaps={mode: [mode_snaps[i] for i in keep] for mode, mode_snaps in snaps.items()},
        routed_cases=routed_cases,
        agent_count=agent_count,
    )


def _with_matrices(
    profile: _Profile,
    places: _Places,
    region: geo.Region,
    limits: PlanningLimits,
    cache: geo.MatrixCache | None,
) -> _Profile:
    mode_snaps = places.snaps[profile.mode]
    reachable = [i for i, snap in enumerate(mode_snaps) if snap is not None]
    matrices = geo.travel_matrices(
        region.networks[profile.mode],
        [snap for snap in mode_snaps if snap is not None],
        factors=limits.speed_factors,
        hours=profile.hours,
        cache=cache,
    )
    return _Profile(profile.mode, profile.hours, reachable, matrices)


def _stacked_matrices(
    profiles: list[_Profile], place_count: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """One (time, distance) matrix pair per profile over all places; pairs a profile cannot
    route between are :data:`UNREACHABLE_S` apart."""
    times = np.full((len(profiles), place_count, place_count), UNREACHABLE_S, dtype=np.int64)
    distances = np.full(times.shape, UNREACHABLE_M, dtype=np.int64)
    for p, profile in enumerate(profiles):
        assert profile.matrices is not None  # set by _with_matrices
        grid = np.ix_(profile.places, profile.places)
        times[p][grid] = profile.matrices.time_s
        distances[p][grid] = profile.matrices.distance_m
    return times, distances


def _locate_case(
    case: CaseIn, geocoder: geo.Geocoder, region_name: str, limits: PlanningLimits
) -> _CasePlace | UnassignedOut:
    if case.location is not None:
        return _CasePlace(geo.LatLon(case.location.lat, case.location.lon), None)
    assert case.address is not None  # CaseIn guarantees one of the two
    result = geocoder.geocode(geocode_query(case.address))
    if result.location is None or result.precision == geo.Precision.LOCALITY:
        return UnassignedOut(
            case_id=case.id,
            reason="ungeocodable",
            detail=_geocode_failure(result, region_name),
            candidates=[candidate.label for candidate in result.candidates],
        )
    return _CasePlace(
        result.location,
        GeocodeOut(
            matched=result.matched,
            precision=str(result.precision),
            confidence=result.confidence,
            low_confidence=result.confidence < limits.low_confidence_below,
        ),
    )


def _geocode_failure(result: geo.GeocodeResult, region_name: str) -> str:
    if result.status is geo.GeocodeStatus.AMBIGUOUS:
        return f"the address matches {len(result.candidates)} places; add the postcode or town"
    if result.status is geo.GeocodeStatus.UNPARSEABLE:
        return 'the address is not of the form "street housenumber, postcode town"'
    if result.precision == geo.Precision.LOCALITY:
        return f"only the town was found ({result.matched}), not the street"
    return f"no such address in region {region_name!r}"


def _locate_agent_place(
    place: PlaceIn, loc: Location, geocoder: geo.Geocoder, region_name: str
) -> geo.LatLon:
    if place.lat is not None and place.lon is not None:
        return geo.LatLon(place.lat, place.lon)
    assert place.address is not None  # PlaceIn guarantees a point or an address
    result = geocoder.geocode(geocode_query(place.address))
    if result.location is None or result.precision == geo.Precision.LOCALITY:
        raise PlanInputError((*loc, "address"), _geocode_failure(result, region_name))
    return result.location


def _window(
    window: TimeWindowIn | ShiftIn, clock: DayClock, midnight: int = 0
) -> solver.TimeWindow:
    """``window`` on the day whose midnight is ``midnight`` minutes after the origin's."""
    return solver.TimeWindow(
        start_s=clock.seconds_at(midnight + minutes_of_day(window.start)),
        end_s=clock.seconds_at(midnight + minutes_of_day(window.end)),
    )


def _minutes_s(minutes: int | None) -> int | None:
    return None if minutes is None else minutes * 60


def _team_skill(staff: int) -> str:
    """The skill of agent records that are teams of at least ``staff``."""
    return f"{RESERVED_SKILL_PREFIX}team-of-{staff}"


def _pin_skill(agent_id: str) -> str:
    """The skill every day of one agent has in a plan of several days: what a pin to the
    agent requires there."""
    return f"{RESERVED_SKILL_PREFIX}agent-{agent_id}"


def _visit(
    case: CaseIn,
    admitted: AdmittedCase,
    location_idx: int,
    agent_index: dict[str, int],
    clock: DayClock,
) -> solver.Visit:
    windows = (
        tuple(solver.TimeWindow(start_s=start, end_s=end) for start, end in admitted.windows_s)
        if admitted.windows_s is not None
        else tuple(
            _window(w, clock)
            for w in sorted(case.time_windows, key=lambda w: minutes_of_day(w.start))
        )
    )
    team = {_team_skill(admitted.staff)} if admitted.staff > 1 else set()
    pinned = case.pinned_agent_id
    if pinned is not None and not agent_index:
        team.add(_pin_skill(pinned))
    return solver.Visit(
        id=case.id,
        location_idx=location_idx,
        service_s=case.service_minutes * 60,
        time_windows=windows,
        preferred_window=(_window(case.preferred_window, clock) if case.preferred_window else None),
        lateness_cost_per_hour=case.lateness_cost_per_hour,
        value=admitted.value,
        required_skills=frozenset(case.required_skills) | team,
        pinned_agent_idx=agent_index[pinned] if pinned is not None and agent_index else None,
        locked_order=case.locked_position,
    )


def _agent(
    agent: AgentIn,
    day: AgentDay,
    agent_count: int,
    profile_idx: int,
    clock: DayClock,
    limits: PlanningLimits,
    *,
    dated: bool,
) -> solver.Agent:
    """The solver's agent for one agent's day (its id ``dated`` in a plan of several days)."""
    midnight = day.minutes(0)
    return solver.Agent(
        id=f"{agent.id} {day.date}" if dated else agent.id,
        start_location_idx=day.agent_idx,
        end_location_idx=agent_count + day.agent_idx,
        shift=_window(day.shift, clock, midnight),
        profile_idx=profile_idx,
        skills=frozenset(agent.skills)
        | {_team_skill(n) for n in range(2, agent.team_size + 1)}
        | {_pin_skill(agent.id)},
        max_visits=agent.max_visits,
        max_working_s=_minutes_s(agent.max_working_minutes),
        max_travel_s=_minutes_s(agent.max_travel_minutes),
        breaks=tuple(
            solver.Break(
                earliest_start_s=clock.seconds_at(midnight + minutes_of_day(b.earliest_start)),
                latest_start_s=clock.seconds_at(midnight + minutes_of_day(b.latest_start)),
                duration_s=b.duration_minutes * 60,
            )
            for b in agent.breaks
        ),
        costs=solver.AgentCosts(
            fixed=agent.fixed_cost,
            per_hour=(limits.cost_per_hour if agent.cost_per_hour is None else agent.cost_per_hour),
            per_km=limits.cost_per_km if agent.cost_per_km is None else agent.cost_per_km,
        ),
    )


def geocode_query(address: str | AddressPartsIn) -> str | geo.StructuredAddress:
    """What the geocoder is asked for an address of the request."""
    if isinstance(address, str):
        return address
    return geo.StructuredAddress(
        street=address.street,
        housenumber=address.housenumber,
        postcode=address.postcode,
        city=address.city,
    )


def _address_line(address: str | AddressPartsIn | None) -> str | None:
    return None if address is None else address_text(address)


def _hint(hint: solver.Hint, day: PreparedDay) -> HintOut:
    other = None if hint.visit_idx is None else day.places.routed_cases[hint.visit_idx]
    return HintOut(
        kind=hint.kind,
        detail=hint.detail,
        agent_id=None if hint.agent_idx is None else day.agent_id(hint.agent_idx),
        case_id=None if other is None else day.request.cases[other].id,
        minutes=None if hint.change_s is None else -(-hint.change_s // 60),
        new_time=None if hint.new_time_s is None else day.clock.instant(hint.new_time_s),
        amount=hint.amount,
    )


def _lat_lon(point: geo.LatLon) -> LatLonOut:
    return LatLonOut(lat=point.lat, lon=point.lon)


def _itinerary(route: solver.Route, day: PreparedDay, agent_day: AgentDay) -> ItineraryOut:
    request, places, clock = day.request, day.places, day.clock
    case_places, include_geometry = day.case_places, day.include_geometry
    profile = day.profiles[day.agent_profiles[route.agent_idx]]
    agent_idx = agent_day.agent_idx
    position = {place: k for k, place in enumerate(profile.places)}

    def leg(from_place: int, to_place: int) -> LineStringOut | None:
        if not include_geometry or profile.matrices is None:
            return None
        coordinates = profile.matrices.leg_coordinates(position[from_place], position[to_place])
        return LineStringOut(coordinates=coordinates)

    stops = []
    previous = agent_idx  # the agent's start place
    for stop in route.stops:
        case_idx = places.routed_cases[stop.visit_idx]
        case = request.cases[case_idx]
        place = places.case_place(stop.visit_idx)
        snap = places.snaps[profile.mode][place]
        assert snap is not None  # the solver only routes reachable places
        stops.append(
            StopOut(
                visit_id=str(uuid.uuid4()),
                case_id=case.id,
                location=_lat_lon(case_places[case_idx].point),
                address=_address_line(case.address),
                borrower_name=case.borrower.name if case.borrower else None,
                borrower_phone=case.borrower.phone if case.borrower else None,
                geocode=case_places[case_idx].geocode,
                snap_distance_meters=round(snap.distance_m),
                arrival=clock.instant(stop.arrival_s),
                service_start=clock.instant(stop.service_start_s),
                service_end=clock.instant(stop.service_end_s),
                wait_seconds=stop.wait_s,
                late_seconds=stop.late_s,
                travel_seconds=stop.travel_s,
                distance_meters=stop.distance_m,
                geometry=leg(previous, place),
            )
        )
        previous = place
    end_place = places.agent_count + agent_idx
    return ItineraryOut(
        agent_id=request.agents[agent_idx].id,
        date=agent_day.date,
        travel_mode=request.agents[agent_idx].travel_mode,
        stops=stops,
        start_time=clock.instant(route.start_s),
        end_time=clock.instant(route.end_s),
        start_location=_lat_lon(places.points[agent_idx]),
        end_location=_lat_lon(places.points[end_place]),
        return_travel_seconds=route.return_travel_s,
        return_distance_meters=route.return_distance_m,
        return_geometry=leg(previous, end_place) if route.stops else None,
        breaks=[
            BreakOut(start=clock.instant(taken.start_s), end=clock.instant(taken.end_s))
            for taken in route.breaks
        ],
        costs=CostsOut(
            fixed=round(route.cost.fixed, 2),
            time=round(route.cost.time, 2),
            distance=round(route.cost.distance, 2),
            lateness=round(route.cost.lateness, 2),
            total=round(route.cost.total, 2),
        ),
        working_seconds=route.working_s,
        total_travel_seconds=route.travel_s,
        total_distance_meters=route.distance_m,
        total_service_seconds=sum(s.service_end_s - s.service_start_s for s in route.stops),
        total_wait_seconds=sum(s.wait_s for s in route.stops),
    )


def _summary(
    itineraries: list[ItineraryOut],
    values: dict[str, float | None],
    request: PlanRequest,
    unassigned: list[UnassignedOut],
) -> SummaryOut:
    visited = [stop.case_id for itinerary in itineraries for stop in itinerary.stops]
    total_cost = round(sum(i.costs.total for i in itineraries), 2)
    recovery = round(sum(values[case_id] or 0.0 for case_id in visited), 2)
    return SummaryOut(
        total_cost=total_cost,
        lost_value=round(sum(entry.value or 0.0 for entry in unassigned), 2),
        expected_recovery=recovery,
        recovery_per_cost=round(recovery / total_cost, 3) if total_cost > 0 else None,
        cases=len(request.cases),
        assigned=sum(len(i.stops) for i in itineraries),
        unassigned=len(unassigned),
        agents=len(request.agents),
        agents_used=len({i.agent_id for i in itineraries if i.stops}),
        total_travel_seconds=sum(i.total_travel_seconds for i in itineraries),
        total_distance_meters=sum(i.total_distance_meters for i in itineraries),
        total_service_seconds=sum(i.total_service_seconds for i in itineraries),
        total_wait_seconds=sum(i.total_wait_seconds for i in itineraries),
    )
