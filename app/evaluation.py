"""A hand-edited plan timed, costed and checked against every rule, without solving."""

from __future__ import annotations

from collections.abc import Sequence

import solver
from app.errors import PlanInputError
from app.planning import PreparedDay, present_day
from app.schemas import PlanEditIn, PlanEvaluationResponse, UnassignedOut, ViolationOut
from solver import violations as codes

NOT_PLANNABLE = "not_plannable"
"""A case put in a route that cannot be planned at all (not found on the map, or excluded
by a visiting rule or its history)."""


def evaluate_edit(day: PreparedDay, edit: PlanEditIn, plan_id: str) -> PlanEvaluationResponse:
    """Time and check the agents' visits of ``edit`` on the prepared day.

    Raises
    ------
    PlanInputError
        If the edit names an agent or case the plan does not have, or an agent twice.
    """
    request = day.request
    case_index = {case.id: idx for idx, case in enumerate(request.cases)}
    orders: list[list[int]] = [[] for _ in day.problem.agents]
    seen_agents: set[str] = set()
    violations: list[ViolationOut] = []
    for r, route in enumerate(edit.routes):
        agent_idx = day.agent_of(route.agent_id)
        if agent_idx is None:
            msg = f"the plan has no agent {route.agent_id!r} at work"
            raise PlanInputError(("routes", r, "agent_id"), msg)
        if route.agent_id in seen_agents:
            msg = f"agent {route.agent_id!r} has two routes"
            raise PlanInputError(("routes", r, "agent_id"), msg)
        seen_agents.add(route.agent_id)
        for k, case_id in enumerate(route.case_ids):
            if case_id not in case_index:
                msg = f"the plan has no case {case_id!r}"
                raise PlanInputError(("routes", r, "case_ids", k), msg)
            visit = day.visit_of(case_id)
            if visit is None:
                why = day.unassigned[case_index[case_id]]
                violations.append(
                    ViolationOut(
                        code=NOT_PLANNABLE,
                        agent_id=route.agent_id,
                        case_id=case_id,
                        detail=f"{why.reason}: {why.detail}",
                    )
                )
            else:
                orders[agent_idx].append(visit)
    evaluation = solver.evaluate(day.problem, orders)
    violations += [_violation(v, day, evaluation.routes) for v in evaluation.violations]
    unassigned = dict(day.unassigned)
    for visit in evaluation.unassigned:
        case_idx = day.places.routed_cases[visit]
        unassigned[case_idx] = UnassignedOut(
            case_id=request.cases[case_idx].id,
            reason="left_out",
            detail="not in any route of the edited plan",
        )
    plan = present_day(day, evaluation.routes, unassigned, plan_id=plan_id)
    return PlanEvaluationResponse(**dict(plan), feasible=not violations, violations=violations)


def _violation(
    violation: solver.Violation, day: PreparedDay, routes: Sequence[solver.Route]
) -> ViolationOut:
    request = day.request
    case_id = (
        None
        if violation.visit_idx is None
        else request.cases[day.places.routed_cases[violation.visit_idx]].id
    )
    agent_id = None if violation.agent_idx is None else day.agent_id(violation.agent_idx)
    detail = violation.detail
    if violation.agent_idx is not None:
        detail = _in_local_time(violation, day, routes[violation.agent_idx]) or detail
    return ViolationOut(code=violation.code, agent_id=agent_id, case_id=case_id, detail=detail)


def _in_local_time(
    violation: solver.Violation, day: PreparedDay, route: solver.Route
) -> str | None:
    """The solver's sentence for people who read clocks: local times and minutes instead of
    seconds. None where the solver's own sentence has no times."""

    def hhmm(seconds: int) -> str:
        return day.clock.instant(seconds).strftime("%H:%M")

    agent = day.problem.agents[violation.agent_idx or 0]
    match violation.code:
        case codes.WINDOW_MISSED:
            stop = next(s for s in route.stops if s.visit_idx == violation.visit_idx)
            windows = day.problem.visits[stop.visit_idx].time_windows
            opening = ", ".join(f"{hhmm(w.start_s)}-{hhmm(w.end_s)}" for w in windows)
            return (
                f"arrives at {hhmm(stop.arrival_s)}, when the visit may no longer start "
                f"(it may start {opening})"
            )
        case codes.SHIFT_END:
            return f"back at {hhmm(route.end_s)}, after the shift ends at {hhmm(agent.shift.end_s)}"
        case codes.MAX_WORKING_EXCEEDED if agent.max_working_s is not None:
            return f"works {route.working_s // 60} min, more than {agent.max_working_s // 60}"
        case codes.MAX_TRAVEL_EXCEEDED if agent.max_travel_s is not None:
            return f"travels {route.travel_s // 60} min, more than {agent.max_travel_s // 60}"
    return None
