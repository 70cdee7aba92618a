"""Evaluate mode: time, cost and judge a plan given as visit orders, without optimising.

Like VROOM's plan mode: any plan, also an infeasible one, gets times (by the rules of
:mod:`solver.timing`), costs and the list of rules it breaks. :func:`solver.solve` times the
orders OR-Tools chooses with the same functions, so this module is the single source of the
times and costs in a :class:`~solver.solution.Solution`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from solver import violations as codes
from solver.model import Agent, Problem
from solver.solution import Route, RouteCost, Stop
from solver.timing import time_route
from solver.violations import Violation


@dataclass(frozen=True, slots=True, kw_only=True)
class Evaluation:
    """A plan timed and costed: one route per agent, the visits no route serves, every
    broken rule, and the money.

    ``objective`` is the routes' total costs plus ``lost_value`` (value of the visits not
    served) plus ``balance_cost``; the same sum as :attr:`Solution.objective`.
    """

    routes: tuple[Route, ...]
    unassigned: tuple[int, ...]
    violations: tuple[Violation, ...]
    lost_value: float
    balance_cost: float
    objective: float

    @property
    def feasible(self) -> bool:
        """True when the plan breaks no rule."""
        return not self.violations


def evaluate(
    problem: Problem,
    orders: Sequence[Sequence[int]],
    *,
    unassigned: Sequence[int] | None = None,
) -> Evaluation:
    """Time and cost the plan ``orders`` and list every rule it breaks.

    Parameters
    ----------
    problem
        The problem.
    orders
        One sequence per agent, in the order of ``problem.agents``, of the indices of the
        visits it serves, in service order.
    unassigned
        The visits the plan says it leaves out. When given, a visit neither served nor in it
        is a :data:`~solver.violations.VISIT_MISSING` violation, and one in both a
        :data:`~solver.violations.VISIT_REPEATED`; when None, every visit not served is
        simply unassigned.

    Returns
    -------
    Evaluation
        Routes timed by :func:`solver.timing.time_route` (an infeasible route still gets
        times), costs, and the violations in agent then visit order.

    Raises
    ------
    ValueError
        If there is not exactly one order per agent.
    IndexError
        If a visit index is out of range.
    """
    if len(orders) != len(problem.agents):
        msg = f"{len(orders)} orders for {len(problem.agents)} agents"
        raise ValueError(msg)
    routes: list[Route] = []
    found: list[Violation] = []
    for agent_idx, order in enumerate(orders):
        route, route_violations = evaluate_route(problem, agent_idx, order)
        routes.append(route)
        found.extend(route_violations)

    counts = Counter(v for order in orders for v in order)
    listed = Counter(unassigned or ())
    for visit_idx in listed:
        _check_visit_index(problem, visit_idx)
    for visit_idx in range(len(problem.visits)):
        times = counts[visit_idx] + listed[visit_idx]
        if times > 1:
            found.append(
                Violation(
                    code=codes.VISIT_REPEATED,
                    visit_idx=visit_idx,
                    detail=f"visit {problem.visits[visit_idx].id!r} appears {times} times",
                )
            )
        elif times == 0 and unassigned is not None:
            found.append(
                Violation(
                    code=codes.VISIT_MISSING,
                    visit_idx=visit_idx,
                    detail=f"visit {problem.visits[visit_idx].id!r} is neither served nor "
                    "unassigned",
                )
            )
    not_served = tuple(v for v in range(len(problem.visits)) if not counts[v])
    lost_value = math.fsum(problem.visits[v].drop_cost for v in not_served)
    balance = balance_cost(problem, [len(order) for order in orders])
    return Evaluation(
        routes=tuple(routes),
        unassigned=not_served,
        violations=tuple(found),
        lost_value=lost_value,
        balance_cost=balance,
        objective=math.fsum([*(r.cost.total for r in routes), lost_value, balance]),
    )


def balance_cost(problem: Problem, visit_counts: Sequence[int]) -> float:
    """``Problem.balance_cost_per_visit`` times the difference between the most and the
    fewest visits of any agent (an unused agent has 0). Money."""
    if not visit_counts or not problem.balance_cost_per_visit:
        return 0.0
    return problem.balance_cost_per_visit * (max(visit_counts) - min(visit_counts))


def evaluate_route(
    problem: Problem, agent_idx: int, order: Sequence[int]
) -> tuple[Route, list[Violation]]:
    """Time and cost one agent's route and list the rules it breaks (repeats across routes
    are :func:`evaluate`'s business).

    Raises
    ------
    IndexError
        If ``agent_idx`` or a visit index is out of range (negative indices included).
    """
    if not 0 <= agent_idx < len(problem.agents):
        msg = f"agent index {agent_idx} out of range for {len(problem.agents)} agents"
        raise IndexError(msg)
    for visit_idx in order:
        _check_visit_index(problem, visit_idx)
    agent = problem.agents[agent_idx]
    times = time_route(problem, agent_idx, order)
    travel = problem.travel_time_of(agent_idx)
    distance = problem.distance_of(agent_idx)

    stops = []
    place = agent.start_location_idx
    for pos, visit_idx in enumerate(order):
        visit = problem.visits[visit_idx]
        start_s = times.service_starts_s[pos]
        preferred = visit.preferred_window
        stops.append(
            Stop(
                visit_idx=visit_idx,
                arrival_s=times.arrivals_s[pos],
                service_start_s=start_s,
                service_end_s=start_s + visit.service_s,
                travel_s=int(travel[place, visit.location_idx]),
                distance_m=int(distance[place, visit.location_idx]),
                late_s=0 if preferred is None else max(0, start_s - preferred.end_s),
            )
        )
        place = visit.location_idx
    closed = bool(order) and agent.end_location_idx is not None
    end_place = agent.end_location_idx
    return_travel_s = int(travel[place, end_place]) if closed and end_place is not None else 0
    return_distance_m = int(distance[place, end_place]) if closed and end_place is not None else 0
    route = Route(
        agent_idx=agent_idx,
        stops=tuple(stops),
        start_s=times.start_s,
        end_s=times.end_s,
        return_travel_s=return_travel_s,
        return_distance_m=return_distance_m,
        breaks=times.breaks,
    )
    route = replace(route, cost=route_cost(problem, route))
    found = [
        Violation(
            code=codes.WINDOW_MISSED,
            agent_idx=agent_idx,
            visit_idx=order[pos],
            detail=f"every window of visit {problem.visits[order[pos]].id!r} has closed "
            f"when agent {agent.id!r} arrives at {times.arrivals_s[pos]}",
        )
        for pos in times.missed
    ]
    found.extend(
        Violation(
            code=codes.BREAK_NOT_PLACEABLE,
            agent_idx=agent_idx,
            break_idx=break_idx,
            detail=f"break {break_idx} of agent {agent.id!r} fits nowhere in the day",
        )
        for break_idx in times.unplaced_breaks
    )
    found.extend(_limit_violations(problem, agent_idx, route))
    found.extend(_visit_violations(problem, agent_idx, order))
    return route, found


def route_cost(problem: Problem, route: Route) -> RouteCost:
    """The costs of a timed route (money); all zero for an empty route."""
    if not route.stops:
        return RouteCost()
    costs = problem.agents[route.agent_idx].costs
    time_cost = costs.per_hour * route.working_s / 3600
    distance_cost = costs.per_km * route.distance_m / 1000
    lateness = math.fsum(
        problem.visits[stop.visit_idx].lateness_cost_per_hour * stop.late_s / 3600
        for stop in route.stops
    )
    return RouteCost(
        fixed=costs.fixed,
        time=time_cost,
        distance=distance_cost,
        lateness=lateness,
        total=math.fsum([costs.fixed, time_cost, distance_cost, lateness]),
    )


def schedule_route(problem: Problem, agent_idx: int, order: Sequence[int]) -> Route | None:
    """The timed route of ``order`` for the agent, or None when it breaks any rule."""
    route, found = evaluate_route(problem, agent_idx, order)
    return None if found else route


def _check_visit_index(problem: Problem, visit_idx: int) -> None:
    if not 0 <= visit_idx < len(problem.visits):
        msg = f"visit index {visit_idx} out of range for {len(problem.visits)} visits"
        raise IndexError(msg)


def _limit_violations(problem: Problem, agent_idx: int, route: Route) -> list[Violation]:
    agent = problem.agents[agent_idx]
    if not route.stops:
        return []
    demand = sum(problem.visits[s.visit_idx].demand for s in route.stops)
    checks = [
        (route.end_s > agent.shift.end_s, codes.SHIFT_END, route.end_s, agent.shift.end_s),
        (
            agent.capacity is not None and demand > agent.capacity,
            codes.CAPACITY_EXCEEDED,
            demand,
            agent.capacity,
        ),
        (
            agent.max_visits is not None and len(route.stops) > agent.max_visits,
            codes.MAX_VISITS_EXCEEDED,
            len(route.stops),
            agent.max_visits,
        ),
        (
            agent.max_working_s is not None and route.working_s > agent.max_working_s,
            codes.MAX_WORKING_EXCEEDED,
            route.working_s,
            agent.max_working_s,
        ),
        (
            agent.max_travel_s is not None and route.travel_s > agent.max_travel_s,
            codes.MAX_TRAVEL_EXCEEDED,
            route.travel_s,
            agent.max_travel_s,
        ),
    ]
    return [
        Violation(
            code=code,
            agent_idx=agent_idx,
            detail=f"agent {agent.id!r}: {code.replace('_', ' ')} ({value} > {limit})",
        )
        for broken, code, value, limit in checks
        if broken
    ]


def _visit_violations(problem: Problem, agent_idx: int, order: Sequence[int]) -> list[Violation]:
    """Skills, pins and locked order of the visits of one route."""
    agent: Agent = problem.agents[agent_idx]
    found = []
    highest_lock: int | None = None
    for visit_idx in order:
        visit = problem.visits[visit_idx]
        missing = visit.required_skills - agent.skills
        if missing:
            found.append(
                Violation(
                    code=codes.SKILLS_MISSING,
                    agent_idx=agent_idx,
                    visit_idx=visit_idx,
                    detail=f"agent {agent.id!r} lacks {', '.join(sorted(missing))} for visit "
                    f"{visit.id!r}",
                )
            )
        if visit.pinned_agent_idx is not None and visit.pinned_agent_idx != agent_idx:
            found.append(
                Violation(
                    code=codes.WRONG_AGENT,
                    agent_idx=agent_idx,
                    visit_idx=visit_idx,
                    detail=f"visit {visit.id!r} is pinned to agent "
                    f"{problem.agents[visit.pinned_agent_idx].id!r}",
                )
            )
        elif visit.pinned_agent_idx == agent_idx and visit.locked_order is not None:
            if highest_lock is not None and visit.locked_order < highest_lock:
                found.append(
                    Violation(
                        code=codes.LOCKED_ORDER,
                        agent_idx=agent_idx,
                        visit_idx=visit_idx,
                        detail=f"visit {visit.id!r} (locked order {visit.locked_order}) comes "
                        f"after a locked visit of order {highest_lock}",
                    )
                )
            if highest_lock is None or visit.locked_order > highest_lock:
                highest_lock = visit.locked_order
    return found
