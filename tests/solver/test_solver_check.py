"""The independent checker: a correct solution passes; each kind of tampering is caught."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from solver import Break, Route, RouteCost, Solution, Unassigned
from solver import violations as codes
from tests.solver.solver_testkit import (
    agent,
    checker_codes,
    costs,
    line_problem,
    solve_checked,
    visit,
    window,
)

PROBLEM = line_problem(
    [0, 100, 300],
    [
        visit(1, 50, [(0, 5000)], preferred_window=window(0, 100), lateness_cost_per_hour=3.6),
        visit(2, 50),
        visit(2, 50, [(0, 10)]),  # unreachable: unassigned
    ],
    [
        agent(costs=costs(fixed=1.0, per_hour=3.6, per_km=0.5)),
        agent(
            shift=(100, 10_000),
            breaks=(Break(earliest_start_s=0, latest_start_s=9000, duration_s=60),),
        ),
    ],
)


def _first_route(solution: Solution) -> Route:
    return next(route for route in solution.routes if route.stops)


def _tamper_route(solution: Solution, change: Callable[[Route], Route]) -> Solution:
    target = _first_route(solution)
    routes = tuple(change(r) if r is target else r for r in solution.routes)
    return replace(solution, routes=routes)


def _shift_stop(route: Route, **fields: int) -> Route:
    return replace(route, stops=(replace(route.stops[0], **fields), *route.stops[1:]))


TIMES = codes.TIMES_INCONSISTENT


@pytest.fixture(scope="module")
def solution() -> Solution:
    return solve_checked(PROBLEM)


def test_the_solver_solution_passes(solution: Solution) -> None:
    assert checker_codes(PROBLEM, solution) == set()
    assert [u.visit_idx for u in solution.unassigned] == [2]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda r: _shift_stop(r, arrival_s=r.stops[0].arrival_s + 1), TIMES),
        (
            lambda r: _shift_stop(r, service_end_s=r.stops[0].service_end_s + 1),
            codes.TIMES_INCONSISTENT,
        ),
        (lambda r: _shift_stop(r, travel_s=r.stops[0].travel_s + 1), TIMES),
        (lambda r: _shift_stop(r, distance_m=r.stops[0].distance_m + 1), TIMES),
        (lambda r: _shift_stop(r, late_s=r.stops[0].late_s + 1), TIMES),
        (lambda r: replace(r, end_s=r.end_s + 1), TIMES),
        (lambda r: replace(r, return_travel_s=r.return_travel_s + 1), TIMES),
        (lambda r: replace(r, cost=replace(r.cost, time=r.cost.time + 0.02)), codes.COST_MISMATCH),
        (lambda r: replace(r, cost=RouteCost()), codes.COST_MISMATCH),
    ],
)
def test_tampered_times_and_costs_are_caught(
    solution: Solution, change: Callable[[Route], Route], code: str
) -> None:
    assert code in checker_codes(PROBLEM, _tamper_route(solution, change))


def test_service_moved_out_of_its_window_is_caught(solution: Solution) -> None:
    # Start and end moved together, arrival kept: only the window (and lateness) break.
    def late(route: Route) -> Route:
        route.stops[0]
        return _shift_stop(
            route,
            service_start_s=6000,
            service_end_s=6050,
            late_s=6000 - 100,
        )

    found = checker_codes(PROBLEM, _tamper_route(solution, late))
    assert codes.WINDOW_MISSED in found


def test_coverage_and_totals(solution: Solution) -> None:
    twice = replace(
        solution,
        unassigned=(*solution.unassigned, Unassigned(visit_idx=0, reason="capacity", detail="-")),
    )
    assert codes.VISIT_REPEATED in checker_codes(PROBLEM, twice)
    assert codes.VISIT_MISSING in checker_codes(PROBLEM, replace(solution, unassigned=()))
    assert checker_codes(PROBLEM, replace(solution, objective=solution.objective + 1)) == {
        codes.COST_MISMATCH
    }
    assert checker_codes(PROBLEM, replace(solution, lost_value=0.0)) == {codes.COST_MISMATCH}
    assert checker_codes(PROBLEM, replace(solution, routes=solution.routes[::-1])) == {
        codes.PLAN_SHAPE
    }


def test_an_empty_route_starts_and_ends_at_the_shift_start() -> None:
    # The second agent's shift is too short for the visit, so its day stays empty.
    problem = line_problem([0, 100], [visit(1)], [agent(shift=(0, 1000)), agent(shift=(50, 200))])
    solution = solve_checked(problem)
    assert solution.routes[1].stops == ()
    moved = replace(solution.routes[1], start_s=60, end_s=60)
    tampered = replace(solution, routes=(solution.routes[0], moved))
    assert checker_codes(problem, tampered) == {codes.TIMES_INCONSISTENT}
