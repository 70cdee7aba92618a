"""One small problem per cost: the solver trades it off as money says, and OR-Tools' integer
objective agrees with the evaluator's money."""

from __future__ import annotations

import numpy as np
import pytest

from solver import Agent, AgentCosts, Problem, Solution, TimeWindow, Visit, _ortools, evaluate
from solver._ortools import MONEY_SCALE, TIE_BREAK_PER_TRAVEL_S
from tests.solver.solver_testkit import (
    PARAMS,
    agent,
    costs,
    line_problem,
    orders,
    solve_checked,
    visit,
    window,
)


def assert_ortools_agrees(problem: Problem, solution: Solution) -> None:
    """OR-Tools' objective is its plan's money, scaled, plus the travel tie-break; and its
    plan costs what the solution (whichever engine found it) costs."""
    result = _ortools.solve_orders(problem, PARAMS)
    own = evaluate(problem, result.orders)
    travel_s = sum(route.travel_s for route in own.routes)
    expected = own.objective * MONEY_SCALE + TIE_BREAK_PER_TRAVEL_S * travel_s
    assert abs(result.objective - expected) <= 0.01 * MONEY_SCALE
    assert own.objective == pytest.approx(solution.objective)


@pytest.mark.parametrize(("lateness_per_hour", "late"), [(3.6, True), (36.0, False)])
def test_soft_window_lateness_against_distance(lateness_per_hour: float, late: bool) -> None:
    # Open route from 0; B at 100, A at 200, 500 s services. B then A travels 1 km less
    # (1 money) but starts A at 700, 400 s after its preferred end: 0.4 or 4 money.
    problem = line_problem(
        [0, 100, 200],
        [
            visit(
                2, 500, preferred_window=window(0, 300), lateness_cost_per_hour=lateness_per_hour
            ),
            visit(1, 500),
        ],
        [agent(0, None, costs=costs(per_km=1.0))],
    )
    solution = solve_checked(problem)
    if late:
        assert orders(solution) == [[1, 0]]
        assert solution.routes[0].stops[1].late_s == 400
        assert solution.objective == pytest.approx(2.0 + 0.4)
    else:
        assert orders(solution) == [[0, 1]]
        assert solution.routes[0].cost.lateness == 0.0
        assert solution.objective == pytest.approx(3.0)
    assert_ortools_agrees(problem, solution)


@pytest.mark.parametrize(("fixed", "used"), [(20.0, False), (10.0, True)])
def test_fixed_cost_of_a_second_agent(fixed: float, used: bool) -> None:
    # Agent 1 lives next to visit 1: using it saves 18 km (18 money) of agent 0's driving.
    problem = line_problem(
        [0, 1000, 100, 1100],
        [visit(2, 10), visit(3, 10)],
        [agent(0, 0, costs=costs(per_km=1.0)), agent(1, 1, costs=costs(fixed, per_km=1.0))],
    )
    solution = solve_checked(problem)
    if used:
        assert orders(solution) == [[0], [1]]
        assert solution.routes[1].cost.fixed == fixed
        assert solution.objective == pytest.approx(4.0 + fixed)
    else:
        assert orders(solution)[1] == []
        assert solution.routes[1].cost.total == 0.0
        assert solution.objective == pytest.approx(22.0)
    assert_ortools_agrees(problem, solution)


@pytest.mark.parametrize(("walker_per_hour", "walker_used"), [(36.0, False), (7.2, True)])
def test_per_km_against_per_hour(walker_per_hour: float, walker_used: bool) -> None:
    # The driver covers the 2 km in 200 s at 2 per km (4 money); the walker the same 2 km in
    # 1000 s at its hourly rate: 10 money at 36 an hour, 2 at 7.2.
    fast = np.array([[0, 100], [100, 0]], dtype=np.int64)
    shift = TimeWindow(start_s=0, end_s=5000)
    problem = Problem(
        visits=(Visit(id="v", location_idx=1, service_s=0),),
        agents=(
            Agent(
                id="driver",
                start_location_idx=0,
                end_location_idx=0,
                shift=shift,
                costs=AgentCosts(per_km=2.0),
            ),
            Agent(
                id="walker",
                start_location_idx=0,
                end_location_idx=0,
                shift=shift,
                profile_idx=1,
                costs=AgentCosts(per_hour=walker_per_hour),
            ),
        ),
        travel_time_s=np.stack([fast, fast * 5]),
        distance_m=np.stack([fast * 10, fast * 10]),
    )
    solution = solve_checked(problem)
    assert orders(solution) == ([[], [0]] if walker_used else [[0], []])
    assert solution.objective == pytest.approx(2.0 if walker_used else 4.0)
    assert_ortools_agrees(problem, solution)


@pytest.mark.parametrize(("per_visit", "split"), [(0.4, False), (1.0, True)])
def test_balance_between_agents(per_visit: float, split: bool) -> None:
    # One trip for all four visits costs 2 money, two trips 4; 4-0 costs 4 x the balance rate.
    problem = line_problem(
        [0, 100],
        [visit(1, 10) for _ in range(4)],
        [agent(costs=costs(per_km=1.0)), agent(costs=costs(per_km=1.0))],
        balance_cost_per_visit=per_visit,
    )
    solution = solve_checked(problem)
    counts = sorted(len(route.stops) for route in solution.routes)
    if split:
        assert counts == [2, 2]
        assert solution.balance_cost == 0.0
        assert solution.objective == pytest.approx(4.0)
    else:
        assert counts == [0, 4]
        assert solution.balance_cost == pytest.approx(4 * per_visit)
        assert solution.objective == pytest.approx(2.0 + 4 * per_visit)


def test_working_time_is_paid_waiting_included() -> None:
    # The windows at 100 and 1000 leave 800 s of waiting inside the day, paid like work.
    problem = line_problem(
        [0, 100],
        [visit(1, 100, [(100, 100)]), visit(1, 100, [(1000, 1000)])],
        [agent(costs=costs(per_hour=36.0))],
    )
    solution = solve_checked(problem)
    route = solution.routes[0]
    assert (route.start_s, route.end_s) == (0, 1200)
    assert route.cost.time == pytest.approx(12.0)
    assert_ortools_agrees(problem, solution)
