"""Insert one urgent case into a plan: every position of every agent's day timed, costed and
checked by the solver's evaluator, cheapest first. Nothing is optimised or stored."""

from __future__ import annotations

import datetime as dt

import solver
from app.planning import PreparedDay
from app.replan_schemas import InsertOptionOut, InsertResponse
from app.schemas import PlanResponse

BEFORE_NOW = "before_now"
"""Violation code of a position whose visit would start before the given ``now``."""


def insertion_options(
    day: PreparedDay,
    plan: PlanResponse,
    case_id: str,
    now: dt.datetime | None,
    max_alternatives: int,
) -> InsertResponse:
    """Where case ``case_id`` of ``day`` (the plan's request plus the case) fits into ``plan``:
    the cheapest feasible position and the next ``max_alternatives`` positions."""
    request = day.request
    visit = day.visit_of(case_id)
    if visit is None:
        case_idx = next(k for k, case in enumerate(request.cases) if case.id == case_id)
        return InsertResponse(
            case_id=case_id, best=None, alternatives=[], unassigned=day.unassigned[case_idx]
        )
    orders: list[list[int]] = [[] for _ in day.problem.agents]
    for itinerary in plan.itineraries:
        agent_idx = day.agent_of(itinerary.agent_id)
        for stop in itinerary.stops:
            planned = day.visit_of(stop.case_id)
            if planned is not None and agent_idx is not None:
                orders[agent_idx].append(planned)
    before = solver.evaluate(day.problem, orders)
    broken = {(v.code, v.agent_idx, v.visit_idx) for v in before.violations}
    cost = sum(route.cost.total for route in before.routes)
    travel = sum(route.travel_s for route in before.routes)
    now_s = None if now is None else day.clock.seconds_since(now)
    options = []
    for agent_idx, order in enumerate(orders):
        started = before.routes[agent_idx].stops
        first = 0 if now_s is None else sum(1 for s in started if s.service_start_s < now_s)
        for position in range(first, len(order) + 1):
            trial = [list(o) for o in orders]
            trial[agent_idx].insert(position, visit)
            evaluation = solver.evaluate(day.problem, trial)
            route = evaluation.routes[agent_idx]
            inserted = next(s for s in route.stops if s.visit_idx == visit)
            codes = sorted(
                {
                    v.code
                    for v in evaluation.violations
                    if (v.code, v.agent_idx, v.visit_idx) not in broken
                }
            )
            if now_s is not None and inserted.service_start_s < now_s:
                codes.append(BEFORE_NOW)
            options.append(
                InsertOptionOut(
                    agent_id=day.agent_id(agent_idx),
                    position=position,
                    after_case_id=_case_id(day, order, position - 1),
                    before_case_id=_case_id(day, order, position),
                    service_start=day.clock.instant(inserted.service_start_s),
                    added_cost=round(sum(r.cost.total for r in evaluation.routes) - cost, 2),
                    added_travel_seconds=sum(r.travel_s for r in evaluation.routes) - travel,
                    feasible=not codes,
                    violations=codes,
                )
            )
    options.sort(key=lambda o: (not o.feasible, o.added_cost, o.added_travel_seconds))
    best = options[0] if options and options[0].feasible else None
    rest = options[1:] if best is not None else options
    return InsertResponse(case_id=case_id, best=best, alternatives=rest[:max_alternatives])


def _case_id(day: PreparedDay, order: list[int], position: int) -> str | None:
    if not 0 <= position < len(order):
        return None
    return day.request.cases[day.places.routed_cases[order[position]]].id
