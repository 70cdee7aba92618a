"""The planning use case: a day's cases and agents in, every agent's itinerary out.

Locate (geocode) -> snap to the road network -> travel matrices -> solve -> present. Cases
that cannot be located or routed are kept as unassigned with a reason; nothing is dropped.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

import geo
import solver
from app.clock import DayClock
from app.config import Settings
from app.errors import Location, PlanInputError
from app.schemas import (
    AgentIn,
    CaseIn,
    ItineraryOut,
    LatLonOut,
    PlaceIn,
    PlanRequest,
    PlanResponse,
    StopOut,
    SummaryOut,
    UnassignedOut,
    minutes_of_day,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanningLimits:
    """Server-side knobs of one planning run."""

    max_snap_distance_m: float
    time_limit_s: float

    @classmethod
    def for_request(cls, request: PlanRequest, settings: Settings) -> PlanningLimits:
        """The limits for ``request``: its own time limit, else the server's default."""
        return cls(
            max_snap_distance_m=settings.max_snap_distance_m,
            time_limit_s=request.options.time_limit_seconds or settings.default_time_limit_seconds,
        )


@dataclass(frozen=True, slots=True)
class _AgentPlaces:
    start: geo.LatLon
    end: geo.LatLon


def plan_day(request: PlanRequest, region: geo.Region, limits: PlanningLimits) -> PlanResponse:
    """Plan one day of visits in ``region``.

    Raises
    ------
    PlanInputError
        If an agent's start or end cannot be located or is off the road network: without its
        start no agent's day can be planned, so the planner must fix it.
    """
    started = time.perf_counter()
    clock = DayClock(request.date, region.timezone)
    unassigned: dict[int, UnassignedOut] = {}
    case_points: dict[int, geo.LatLon] = {}
    for case_idx, case in enumerate(request.cases):
        located = _locate_case(case, region)
        if isinstance(located, UnassignedOut):
            unassigned[case_idx] = located
        else:
            case_points[case_idx] = located
    agent_places = [_locate_agent(agent, idx, region) for idx, agent in enumerate(request.agents)]

    agent_count = len(request.agents)
    nodes, routed_cases = _snap(request, region, limits, agent_places, case_points, unassigned)
    matrices = geo.travel_matrices(region.network, nodes)

    problem = solver.Problem(
        visits=tuple(
            _visit(request.cases[case_idx], 2 * agent_count + k, clock)
            for k, case_idx in enumerate(routed_cases)
        ),
        agents=tuple(
            _agent(agent, idx, agent_count, clock) for idx, agent in enumerate(request.agents)
        ),
        travel_time_s=matrices.time_s,
        distance_m=matrices.distance_m,
    )
    solution = solver.solve(problem, solver.SolveParams(time_limit_s=limits.time_limit_s))
    for missed in solution.unassigned:
        case_idx = routed_cases[missed.visit_idx]
        unassigned[case_idx] = UnassignedOut(
            case_id=request.cases[case_idx].id, reason=missed.reason, detail=missed.detail
        )

    itineraries = [
        _itinerary(route, request, agent_places, routed_cases, case_points, clock)
        for route in solution.routes
    ]
    response = PlanResponse(
        plan_id=str(uuid.uuid4()),
        date=request.date,
        region=region.name,
        timezone=region.timezone.key,
        itineraries=itineraries,
        unassigned=[unassigned[idx] for idx in sorted(unassigned)],
        summary=_summary(itineraries, request, len(unassigned)),
    )
    logger.info(
        "planned %d cases for %d agents in region %s: %d assigned in %.1f s",
        len(request.cases),
        agent_count,
        region.name,
        response.summary.assigned,
        time.perf_counter() - started,
    )
    return response


def _snap(
    request: PlanRequest,
    region: geo.Region,
    limits: PlanningLimits,
    agent_places: list[_AgentPlaces],
    case_points: dict[int, geo.LatLon],
    unassigned: dict[int, UnassignedOut],
) -> tuple[list[int], list[int]]:
    """Road nodes of the places, in matrix order: agent starts, agent ends, then the cases
    that snap (returned as the second list); cases off the network go to ``unassigned``."""
    agent_count = len(request.agents)
    points = [p.start for p in agent_places] + [p.end for p in agent_places]
    snaps = region.locator.snap(
        points + list(case_points.values()), max_distance_m=limits.max_snap_distance_m
    )
    nodes: list[int] = []
    for place_idx, snap in enumerate(snaps[: 2 * agent_count]):
        if snap is None:
            which, agent_idx = ("start", "end")[place_idx // agent_count], place_idx % agent_count
            msg = (
                f"the agent's {which} is farther than {limits.max_snap_distance_m:.0f} m from "
                f"any road of region {region.name!r}"
            )
            raise PlanInputError(("agents", agent_idx, which), msg)
        nodes.append(snap.node_idx)
    routed_cases: list[int] = []
    for case_idx, snap in zip(case_points, snaps[2 * agent_count :], strict=True):
        if snap is None:
            unassigned[case_idx] = UnassignedOut(
                case_id=request.cases[case_idx].id,
                reason="unroutable",
                detail=(
                    f"the case is farther than {limits.max_snap_distance_m:.0f} m from any road "
                    f"of region {region.name!r}"
                ),
            )
        else:
            routed_cases.append(case_idx)
            nodes.append(snap.node_idx)
    return nodes, routed_cases


def _locate_case(case: CaseIn, region: geo.Region) -> geo.LatLon | UnassignedOut:
    if case.location is not None:
        return geo.LatLon(case.location.lat, case.location.lon)
    assert case.address is not None  # CaseIn guarantees one of the two
    result = region.addresses.geocode(case.address)
    if result.location is not None:
        return result.location
    return UnassignedOut(
        case_id=case.id, reason="ungeocodable", detail=_geocode_failure(result, region.name)
    )


def _geocode_failure(result: geo.GeocodeResult, region_name: str) -> str:
    if result.status is geo.GeocodeStatus.AMBIGUOUS:
        return "the address matches several places: " + "; ".join(result.candidates)
    if result.status is geo.GeocodeStatus.UNPARSEABLE:
        return 'the address is not of the form "street housenumber, postcode town"'
    return f"no such address in region {region_name!r}"


def _locate_place(place: PlaceIn, loc: Location, region: geo.Region) -> geo.LatLon:
    if place.lat is not None and place.lon is not None:
        return geo.LatLon(place.lat, place.lon)
    assert place.address is not None  # PlaceIn guarantees a point or an address
    result = region.addresses.geocode(place.address)
    if result.location is None:
        raise PlanInputError((*loc, "address"), _geocode_failure(result, region.name))
    return result.location


def _locate_agent(agent: AgentIn, agent_idx: int, region: geo.Region) -> _AgentPlaces:
    start = _locate_place(agent.start, ("agents", agent_idx, "start"), region)
    if agent.end is None:
        return _AgentPlaces(start, start)
    return _AgentPlaces(start, _locate_place(agent.end, ("agents", agent_idx, "end"), region))


def _visit(case: CaseIn, location_idx: int, clock: DayClock) -> solver.Visit:
    return solver.Visit(
        id=case.id,
        location_idx=location_idx,
        service_s=case.service_minutes * 60,
        time_windows=tuple(
            solver.TimeWindow(
                start_s=clock.seconds_at(minutes_of_day(w.start)),
                end_s=clock.seconds_at(minutes_of_day(w.end)),
            )
            for w in sorted(case.time_windows, key=lambda w: minutes_of_day(w.start))
        ),
    )


def _agent(agent: AgentIn, agent_idx: int, agent_count: int, clock: DayClock) -> solver.Agent:
    return solver.Agent(
        id=agent.id,
        start_location_idx=agent_idx,
        end_location_idx=agent_count + agent_idx,
        shift=solver.TimeWindow(
            start_s=clock.seconds_at(minutes_of_day(agent.shift.start)),
            end_s=clock.seconds_at(minutes_of_day(agent.shift.end)),
        ),
    )


def _lat_lon(point: geo.LatLon) -> LatLonOut:
    return LatLonOut(lat=point.lat, lon=point.lon)


def _itinerary(
    route: solver.Route,
    request: PlanRequest,
    agent_places: list[_AgentPlaces],
    routed_cases: list[int],
    case_points: dict[int, geo.LatLon],
    clock: DayClock,
) -> ItineraryOut:
    stops = []
    for stop in route.stops:
        case_idx = routed_cases[stop.visit_idx]
        stops.append(
            StopOut(
                case_id=request.cases[case_idx].id,
                location=_lat_lon(case_points[case_idx]),
                address=request.cases[case_idx].address,
                arrival=clock.instant(stop.arrival_s),
                service_start=clock.instant(stop.service_start_s),
                service_end=clock.instant(stop.service_end_s),
                wait_seconds=stop.wait_s,
                travel_seconds=stop.travel_s,
                distance_meters=stop.distance_m,
            )
        )
    places = agent_places[route.agent_idx]
    return ItineraryOut(
        agent_id=request.agents[route.agent_idx].id,
        stops=stops,
        start_time=clock.instant(route.start_s),
        end_time=clock.instant(route.end_s),
        start_location=_lat_lon(places.start),
        end_location=_lat_lon(places.end),
        return_travel_seconds=route.return_travel_s,
        return_distance_meters=route.return_distance_m,
        total_travel_seconds=route.travel_s,
        total_distance_meters=route.distance_m,
        total_service_seconds=sum(s.service_end_s - s.service_start_s for s in route.stops),
        total_wait_seconds=sum(s.wait_s for s in route.stops),
    )


def _summary(itineraries: list[ItineraryOut], request: PlanRequest, unassigned: int) -> SummaryOut:
    return SummaryOut(
        cases=len(request.cases),
        assigned=sum(len(i.stops) for i in itineraries),
        unassigned=unassigned,
        agents=len(request.agents),
        agents_used=sum(1 for i in itineraries if i.stops),
        total_travel_seconds=sum(i.total_travel_seconds for i in itineraries),
        total_distance_meters=sum(i.total_distance_meters for i in itineraries),
        total_service_seconds=sum(i.total_service_seconds for i in itineraries),
        total_wait_seconds=sum(i.total_wait_seconds for i in itineraries),
    )
