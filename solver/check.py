"""An independent check of a finished solution against its problem.

Recomputes everything from the problem and the times the solution reports, with its own
small arithmetic: it shares no code with OR-Tools, :mod:`solver.timing` or
:mod:`solver.evaluate`, so a bug there cannot hide behind it. It checks that the reported
times are consistent and keep every rule, and that the reported costs are right; it does not
judge whether the plan is good.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Protocol

from solver import violations as codes
from solver.model import Agent, Problem
from solver.solution import Route, Solution
from solver.violations import Violation

MONEY_TOLERANCE = 0.01
"""Largest difference between a reported and a recomputed amount of money."""


def check_solution(problem: Problem, solution: Solution) -> list[Violation]:
    """Every way ``solution`` breaks the rules of ``problem``; empty when it keeps them all.

    Checked: one route per agent in agent order; every visit exactly once across routes and
    unassigned; per route, each arrival is the previous departure plus the travel of the
    agent's profile (plus breaks taken on the way), services start inside a hard window and
    last their service time, breaks lie in their windows and the shift, never during a
    service nor overlapping, and every break of a used agent is taken once; the shift,
    capacity, max visits, working time and travel time; skills, pins and locked order; and
    every reported cost, the value lost, the balance cost and the objective (within
    :data:`MONEY_TOLERANCE`).
    """
    found: list[Violation] = []
    if [r.agent_idx for r in solution.routes] != list(range(len(problem.agents))):
        found.append(
            Violation(code=codes.PLAN_SHAPE, detail="not one route per agent in agent order")
        )
        return found
    found.extend(_coverage(problem, solution))
    for route in solution.routes:
        found.extend(_route(problem, route))

    lost = sum(
        problem.visits[u.visit_idx].drop_cost
        for u in solution.unassigned
        if 0 <= u.visit_idx < len(problem.visits)
    )
    counts = [len(route.stops) for route in solution.routes]
    balance = (
        problem.balance_cost_per_visit * (max(counts) - min(counts)) if len(counts) > 1 else 0.0
    )
    objective = sum(route.cost.total for route in solution.routes) + lost + balance
    for name, reported, expected in (
        ("lost value", solution.lost_value, lost),
        ("balance cost", solution.balance_cost, balance),
        ("objective", solution.objective, objective),
    ):
        if abs(reported - expected) > MONEY_TOLERANCE:
            found.append(
                Violation(
                    code=codes.COST_MISMATCH,
                    detail=f"{name} is {reported}, recomputed {expected}",
                )
            )
    return found


def _coverage(problem: Problem, solution: Solution) -> list[Violation]:
    seen = Counter(stop.visit_idx for route in solution.routes for stop in route.stops)
    seen.update(u.visit_idx for u in solution.unassigned)
    found = [
        Violation(code=codes.PLAN_SHAPE, visit_idx=v, detail=f"no visit of index {v}")
        for v in seen
        if not 0 <= v < len(problem.visits)
    ]
    for v in range(len(problem.visits)):
        if seen[v] > 1:
            found.append(
                Violation(code=codes.VISIT_REPEATED, visit_idx=v, detail=f"{seen[v]} times")
            )
        elif seen[v] == 0:
            found.append(Violation(code=codes.VISIT_MISSING, visit_idx=v))
    return found


def _route(problem: Problem, route: Route) -> list[Violation]:
    agent = problem.agents[route.agent_idx]
    k = route.agent_idx
    found: list[Violation] = []

    def bad(code: str, detail: str, visit_idx: int | None = None) -> None:
        found.append(Violation(code=code, agent_idx=k, visit_idx=visit_idx, detail=detail))

    if any(not 0 <= s.visit_idx < len(problem.visits) for s in route.stops):
        bad(codes.PLAN_SHAPE, "a stop names no visit of the problem")
        return found
    if not route.stops:
        if (route.start_s, route.end_s) != (agent.shift.start_s, agent.shift.start_s):
            bad(codes.TIMES_INCONSISTENT, "an empty route must start and end at shift start")
        if route.return_travel_s or route.return_distance_m or route.breaks:
            bad(codes.TIMES_INCONSISTENT, "an empty route has no return leg and no breaks")
        if route.cost.total or route.cost.fixed or route.cost.time or route.cost.distance:
            bad(codes.COST_MISMATCH, "an empty route costs nothing")
        return found

    travel = problem.travel_time_s[agent.profile_idx]
    distance = problem.distance_m[agent.profile_idx]
    _check_breaks(agent, route, bad)
    # The gaps between services: (departure, next start, travel, travel-leg arrival).
    departure_s = route.start_s
    place = agent.start_location_idx
    lateness = 0.0
    for stop in route.stops:
        visit = problem.visits[stop.visit_idx]
        here = stop.visit_idx
        if stop.travel_s != travel[place, visit.location_idx]:
            bad(codes.TIMES_INCONSISTENT, "travel differs from the matrix", here)
        if stop.distance_m != distance[place, visit.location_idx]:
            bad(codes.TIMES_INCONSISTENT, "distance differs from the matrix", here)
        on_the_way = _breaks_between(route, departure_s, stop.arrival_s)
        if stop.arrival_s != departure_s + stop.travel_s + on_the_way:
            bad(codes.TIMES_INCONSISTENT, "arrival is not departure + travel + breaks", here)
        if stop.service_start_s < stop.arrival_s:
            bad(codes.TIMES_INCONSISTENT, "service starts before arrival", here)
        if stop.service_end_s != stop.service_start_s + visit.service_s:
            bad(codes.TIMES_INCONSISTENT, "service end is not start + service time", here)
        if visit.time_windows and not any(
            w.start_s <= stop.service_start_s <= w.end_s for w in visit.time_windows
        ):
            bad(codes.WINDOW_MISSED, "service starts outside every window", here)
        late_s = 0
        if visit.preferred_window is not None:
            late_s = max(0, stop.service_start_s - visit.preferred_window.end_s)
        if stop.late_s != late_s:
            bad(codes.TIMES_INCONSISTENT, f"late_s is {stop.late_s}, not {late_s}", here)
        lateness += visit.lateness_cost_per_hour * late_s / 3600
        if visit.required_skills - agent.skills:
            bad(codes.SKILLS_MISSING, "the agent lacks a required skill", here)
        if visit.pinned_agent_idx not in (None, k):
            bad(codes.WRONG_AGENT, "the visit is pinned to another agent", here)
        departure_s = stop.service_end_s
        place = visit.location_idx

    if agent.end_location_idx is None:
        if route.return_travel_s or route.return_distance_m or route.end_s != departure_s:
            bad(codes.TIMES_INCONSISTENT, "an open route ends when its last service ends")
    else:
        if route.return_travel_s != travel[place, agent.end_location_idx]:
            bad(codes.TIMES_INCONSISTENT, "return travel differs from the matrix")
        if route.return_distance_m != distance[place, agent.end_location_idx]:
            bad(codes.TIMES_INCONSISTENT, "return distance differs from the matrix")
        on_the_way = _breaks_between(route, departure_s, route.end_s)
        if route.end_s != departure_s + route.return_travel_s + on_the_way:
            bad(codes.TIMES_INCONSISTENT, "end is not last departure + return travel + breaks")

    _check_limits(problem, agent, route, bad)
    _check_locked_order(problem, route, bad)
    _check_costs(agent, route, lateness, bad)
    return found


def _breaks_between(route: Route, from_s: int, to_s: int) -> int:
    """Total duration of the route's breaks that start in ``[from_s, to_s)``."""
    return sum(b.end_s - b.start_s for b in route.breaks if from_s <= b.start_s < to_s)


def _check_breaks(agent: Agent, route: Route, bad: _Reporter) -> None:
    taken = Counter(b.break_idx for b in route.breaks)
    for b in range(len(agent.breaks)):
        if taken[b] != 1:
            bad(codes.BREAK_INVALID, f"break {b} taken {taken[b]} times, not once")
    busy = sorted(
        [(s.service_start_s, s.service_end_s) for s in route.stops]
        + [(b.start_s, b.end_s) for b in route.breaks]
    )
    for (_, first_end_s), (second_start_s, _) in itertools.pairwise(busy):
        if second_start_s < first_end_s:
            bad(codes.BREAK_INVALID, "a break overlaps a service or another break")
    for taken_break in route.breaks:
        if not 0 <= taken_break.break_idx < len(agent.breaks):
            bad(codes.BREAK_INVALID, f"the agent has no break {taken_break.break_idx}")
            continue
        brk = agent.breaks[taken_break.break_idx]
        if (
            taken_break.end_s - taken_break.start_s != brk.duration_s
            or not brk.earliest_start_s <= taken_break.start_s <= brk.latest_start_s
            or taken_break.start_s < agent.shift.start_s
            or taken_break.end_s > agent.shift.end_s
        ):
            bad(codes.BREAK_INVALID, f"break {taken_break.break_idx} outside its window")
        # The agent is not on a break when it leaves or comes back, and a break during
        # travel ends before the arrival it delays.
        if any(
            taken_break.start_s < moment_s < taken_break.end_s
            for moment_s in (route.start_s, route.end_s)
        ):
            bad(codes.BREAK_INVALID, "the agent leaves or arrives home during a break")
        for stop in route.stops:
            if taken_break.start_s < stop.arrival_s < taken_break.end_s:
                bad(codes.BREAK_INVALID, "a break runs past an arrival", stop.visit_idx)


def _check_limits(problem: Problem, agent: Agent, route: Route, bad: _Reporter) -> None:
    if route.start_s < agent.shift.start_s:
        bad(codes.SHIFT_START, "leaves before the shift starts")
    if route.end_s > agent.shift.end_s:
        bad(codes.SHIFT_END, "ends after the shift")
    demand = sum(problem.visits[s.visit_idx].demand for s in route.stops)
    travel_s = sum(s.travel_s for s in route.stops) + route.return_travel_s
    for limit, value, code in (
        (agent.capacity, demand, codes.CAPACITY_EXCEEDED),
        (agent.max_visits, len(route.stops), codes.MAX_VISITS_EXCEEDED),
        (agent.max_working_s, route.end_s - route.start_s, codes.MAX_WORKING_EXCEEDED),
        (agent.max_travel_s, travel_s, codes.MAX_TRAVEL_EXCEEDED),
    ):
        if limit is not None and value > limit:
            bad(code, f"{value} > {limit}")


def _check_locked_order(problem: Problem, route: Route, bad: _Reporter) -> None:
    locks = [
        (problem.visits[s.visit_idx].locked_order, s.visit_idx)
        for s in route.stops
        if problem.visits[s.visit_idx].pinned_agent_idx == route.agent_idx
        and problem.visits[s.visit_idx].locked_order is not None
    ]
    for (first, _), (second, visit_idx) in itertools.pairwise(locks):
        assert first is not None
        assert second is not None
        if second < first:
            bad(codes.LOCKED_ORDER, "locked visits out of order", visit_idx)


def _check_costs(agent: Agent, route: Route, lateness: float, bad: _Reporter) -> None:
    costs = agent.costs
    metres = sum(s.distance_m for s in route.stops) + route.return_distance_m
    expected = {
        "fixed": costs.fixed,
        "time": costs.per_hour * (route.end_s - route.start_s) / 3600,
        "distance": costs.per_km * metres / 1000,
        "lateness": lateness,
    }
    expected["total"] = sum(expected.values())
    reported = {
        "fixed": route.cost.fixed,
        "time": route.cost.time,
        "distance": route.cost.distance,
        "lateness": route.cost.lateness,
        "total": route.cost.total,
    }
    for name, value in expected.items():
        if abs(reported[name] - value) > MONEY_TOLERANCE:
            bad(codes.COST_MISMATCH, f"{name} cost is {reported[name]}, recomputed {value}")


class _Reporter(Protocol):
    """The ``bad`` callback of :func:`_route`: records one violation of the route's agent."""

    def __call__(self, code: str, detail: str, visit_idx: int | None = None) -> None: ...
