"""Timing a given visit order for one agent, without OR-Tools.

This is the single source of truth for the times in a :class:`~solver.solution.Route`: the
solver only chooses orders, and this module turns an order into arrival, waiting and service
times. It is also meant to evaluate a plan that someone wrote by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

from solver.model import Problem, TimeWindow, Visit
from solver.solution import Route, Stop


def earliest_service_start_s(visit: Visit, arrival_s: int) -> int | None:
    """The earliest time at or after ``arrival_s`` at which service of ``visit`` may start.

    Parameters
    ----------
    visit
        The visit; an empty ``time_windows`` tuple means service may start at any time.
    arrival_s
        When the agent reaches the door (seconds from the origin).

    Returns
    -------
    int or None
        ``arrival_s`` itself when it lies in a window (or there are none), the start of the
        earliest later window otherwise (the agent waits), or None when every window has
        already closed.
    """
    if not visit.time_windows:
        return arrival_s
    window: TimeWindow
    for window in sorted(visit.time_windows, key=lambda w: w.start_s):
        if window.end_s >= arrival_s:
            return max(arrival_s, window.start_s)
    return None


def schedule_route(problem: Problem, agent_idx: int, visit_order: Sequence[int]) -> Route | None:
    """Time the visits of ``visit_order`` for agent ``agent_idx``, as early as possible.

    A forward pass from the start of the shift: each arrival is the previous departure plus
    the matrix travel time; service starts at the earliest moment at or after the arrival
    that lies in one of the visit's windows (waiting at the door if early), and lasts
    ``service_s``. The agent then leaves its start place as late as possible without
    delaying the first service, ``max(shift start, first service start - travel)``, so it
    waits at the first door only when the shift forces it to leave early. Later stops are
    unaffected by that shift of the departure.

    Parameters
    ----------
    problem
        The problem holding the visits, agents and travel matrices.
    agent_idx
        Index into ``problem.agents``.
    visit_order
        Indices into ``problem.visits``, in service order. May be empty: the agent then
        stays home (``start_s == end_s ==`` shift start, no return leg).

    Returns
    -------
    Route or None
        The timed route, or None when the order is infeasible: a visit is reached after its
        last window has closed, or the end place (for an open route, the end of the last
        service) is reached after the end of the shift. The caller decides whether None is
        an error.

    Raises
    ------
    IndexError
        If ``agent_idx`` or a visit index is out of range (negative indices included).
        Repeated visit indices are not checked: such a visit is simply timed twice.
    """
    if not 0 <= agent_idx < len(problem.agents):
        msg = f"agent index {agent_idx} out of range for {len(problem.agents)} agents"
        raise IndexError(msg)
    for visit_idx in visit_order:
        if not 0 <= visit_idx < len(problem.visits):
            msg = f"visit index {visit_idx} out of range for {len(problem.visits)} visits"
            raise IndexError(msg)
    agent = problem.agents[agent_idx]
    shift = agent.shift
    if not visit_order:
        return Route(
            agent_idx=agent_idx,
            stops=(),
            start_s=shift.start_s,
            end_s=shift.start_s,
            return_travel_s=0,
            return_distance_m=0,
        )

    travel = problem.travel_time_of(agent_idx)
    distance = problem.distance_of(agent_idx)
    # Forward pass: (visit_idx, arrival, service start, service end, travel, distance).
    legs: list[tuple[int, int, int, int, int, int]] = []
    place = agent.start_location_idx
    clock_s = shift.start_s
    for visit_idx in visit_order:
        visit = problem.visits[visit_idx]
        travel_s = int(travel[place, visit.location_idx])
        arrival_s = clock_s + travel_s
        start_s = earliest_service_start_s(visit, arrival_s)
        if start_s is None:
            return None
        clock_s = start_s + visit.service_s
        legs.append(
            (
                visit_idx,
                arrival_s,
                start_s,
                clock_s,
                travel_s,
                int(distance[place, visit.location_idx]),
            )
        )
        place = visit.location_idx

    if agent.end_location_idx is None:
        return_travel_s = 0
        return_distance_m = 0
    else:
        return_travel_s = int(travel[place, agent.end_location_idx])
        return_distance_m = int(distance[place, agent.end_location_idx])
    end_s = clock_s + return_travel_s
    if end_s > shift.end_s:
        return None

    # Leave home as late as the first service allows (never before the shift starts).
    first_visit_idx, _, first_start_s, first_end_s, first_travel_s, first_distance_m = legs[0]
    departure_s = max(shift.start_s, first_start_s - first_travel_s)
    legs[0] = (
        first_visit_idx,
        departure_s + first_travel_s,
        first_start_s,
        first_end_s,
        first_travel_s,
        first_distance_m,
    )
    stops = tuple(
        Stop(
            visit_idx=visit_idx,
            arrival_s=arrival_s,
            service_start_s=start_s,
            service_end_s=service_end_s,
            travel_s=travel_s,
            distance_m=distance_m,
        )
        for visit_idx, arrival_s, start_s, service_end_s, travel_s, distance_m in legs
    )
    return Route(
        agent_idx=agent_idx,
        stops=stops,
        start_s=departure_s,
        end_s=end_s,
        return_travel_s=return_travel_s,
        return_distance_m=return_distance_m,
    )
