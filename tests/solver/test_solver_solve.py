"""solve() on small hand-checkable problems with known answers."""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pytest

from solver import (
    CAPACITY,
    MUST_VISIT_VALUE,
    NO_AGENTS,
    OUTSIDE_ALL_WINDOWS,
    SHIFT_TOO_SHORT,
    Agent,
    InternalSolverError,
    InvalidProblemError,
    Problem,
    Route,
    SearchTrace,
    Solution,
    SolveParams,
    TimeWindow,
    Visit,
    _ortools,
    evaluate,
    solve,
)
from solver._ortools import OrToolsResult, money_units, node_travel_s
from tests.solver.solver_testkit import (
    PARAMS,
    agent,
    costs,
    line_problem,
    orders,
    solve_checked,
    visit,
)


def assert_routes_reevaluated(problem: Problem, solution: Solution) -> None:
    """The routes are exactly what the evaluator makes of their orders, without violation."""
    evaluation = evaluate(problem, orders(solution))
    assert evaluation.violations == ()
    assert evaluation.routes == solution.routes
    assert evaluation.objective == solution.objective


def test_time_windows_force_the_order() -> None:
    # Without windows A, B, C (or the reverse) would be cheapest; windows force C, A, B.
    problem = line_problem(
        [0, 100, 200, 300],
        [
            visit(1, 10, [(1000, 1100)]),  # A
            visit(2, 10, [(2000, 2100)]),  # B
            visit(3, 10, [(0, 400)]),  # C
        ],
        [agent(0, 0, (0, 5000))],
    )
    solution = solve_checked(problem)
    assert orders(solution) == [[2, 0, 1]]
    assert solution.unassigned == ()
    route = solution.routes[0]
    # C's window [0, 400] holds the departure back: served at 400, A then waits to 1000,
    # the departure moves 100 s later and the working day is 100 s shorter.
    assert route.start_s == 100
    assert [(s.arrival_s, s.service_start_s, s.service_end_s) for s in route.stops] == [
        (400, 400, 410),
        (610, 1000, 1010),
        (1110, 2000, 2010),
    ]
    assert route.end_s == 2210
    assert route.travel_s == 300 + 200 + 100 + 200
    assert solution.objective == 0.0  # no costs, every visit served


def test_second_window_used_when_the_first_is_taken() -> None:
    # Both visits at the same place, 500 s of service each. V0 only fits its window [100, 200]
    # if served first; V1 then misses its first window and must use its second one.
    problem = line_problem(
        [0, 100],
        [visit(1, 500, [(100, 200)]), visit(1, 500, [(100, 200), (700, 800)])],
        [agent(0, 0, (0, 5000))],
    )
    solution = solve_checked(problem)
    assert orders(solution) == [[0, 1]]
    first, second = solution.routes[0].stops
    assert (first.service_start_s, first.service_end_s) == (200, 700)
    assert (second.arrival_s, second.service_start_s) == (700, 700)
    assert solution.routes[0].travel_s == 200


def test_single_visit_goes_to_the_cheapest_able_agent() -> None:
    # The visit is at 500 with window [600, 700]; the agent at 450 cannot get home in time.
    problem = line_problem(
        [0, 100, 450, 900, 500],
        [visit(4, 10, [(600, 700)])],
        [agent(0, 0, (0, 5000)), agent(1, 1, (0, 5000)), agent(2, 2, (0, 650))],
    )
    solution = solve_checked(problem)
    assert orders(solution) == [[], [0], []]
    assert solution.routes[1].travel_s == 800
    assert solution.objective == 0.0


def test_first_window_impossible_uses_the_second() -> None:
    problem = line_problem([0, 100], [visit(1, 10, [(0, 50), (500, 600)])], [agent()])
    solution = solve_checked(problem)
    route = solution.routes[0]
    assert route.stops[0].service_start_s == 500
    assert route.start_s == 400  # leaves home late rather than waiting at the door
    assert route.stops[0].wait_s == 0


def test_unreachable_window_is_outside_all_windows() -> None:
    problem = line_problem(
        [0, 100],
        [
            visit(1, 10, [(5000, 6000)]),  # after every shift
            visit(1, 100, [(2950, 3000)]),  # reachable, but no way home before 3000
            visit(1, 10),  # fine
        ],
        [agent(0, 0, (0, 3000)), agent(0, 0, (1000, 3000))],
    )
    solution = solve_checked(problem)
    assert [(u.visit_idx, u.reason) for u in solution.unassigned] == [
        (0, OUTSIDE_ALL_WINDOWS),
        (1, SHIFT_TOO_SHORT),
    ]
    assert all(u.detail.endswith(".") for u in solution.unassigned)
    assert sum(len(r.stops) for r in solution.routes) == 1
    assert solution.objective == solution.lost_value == 2 * MUST_VISIT_VALUE


def test_short_shift_leaves_some_visits_for_capacity() -> None:
    # 100 s there and 100 s back leave 800 s: two services of 300 s fit, five do not.
    problem = line_problem([0, 100], [visit(1, 300) for _ in range(5)], [agent(0, 0, (0, 1000))])
    solution = solve_checked(problem)
    assert len(solution.routes[0].stops) == 2
    assert len(solution.unassigned) == 3
    assert {u.reason for u in solution.unassigned} == {CAPACITY}
    assert solution.objective == 3 * MUST_VISIT_VALUE
    assert solution.routes[0].end_s <= 1000
    assert_routes_reevaluated(problem, solution)


def test_open_ended_agent_need_not_get_home() -> None:
    # Going home would end at 420 > 300; ending at the last visit fits.
    problem = line_problem([0, 100, 200], [visit(1, 10), visit(2, 10)], [agent(0, None, (0, 300))])
    solution = solve_checked(problem)
    route = solution.routes[0]
    assert orders(solution) == [[0, 1]]
    assert route.end_s == 220
    assert route.return_travel_s == 0
    assert route.travel_s == 200

    closed = line_problem([0, 100, 200], [visit(1, 10), visit(2, 10)], [agent(0, 0, (0, 300))])
    assert len(solve(closed, PARAMS).unassigned) == 1


def test_distinct_start_and_end_places() -> None:
    # Start at 0, end at 1000: visiting 200 then 800 goes straight along the line.
    problem = line_problem(
        [0, 1000, 200, 800], [visit(3, 0), visit(2, 0)], [agent(0, 1, (0, 5000))]
    )
    solution = solve_checked(problem)
    assert orders(solution) == [[1, 0]]
    route = solution.routes[0]
    assert route.return_travel_s == 200
    assert route.travel_s == 1000
    assert route.end_s == 1000


def test_agents_with_different_shifts() -> None:
    morning, evening = agent(0, 0, (0, 1000)), agent(0, 0, (5000, 6000))
    problem = line_problem(
        [0, 100],
        [visit(1, 10, [(5100, 5200)]), visit(1, 10, [(100, 200)])],
        [morning, evening],
    )
    solution = solve_checked(problem)
    assert orders(solution) == [[1], [0]]
    assert solution.routes[0].end_s <= 1000
    assert solution.routes[1].start_s >= 5000
    assert_routes_reevaluated(problem, solution)


def test_unused_agent_with_distinct_end_stays_home_for_free() -> None:
    problem = line_problem(
        [0, 1000, 10], [visit(2, 10)], [agent(0, 0, (0, 500)), agent(1, 0, (0, 500))]
    )
    solution = solve_checked(problem)
    assert orders(solution) == [[0], []]
    assert solution.routes[1] == Route(
        agent_idx=1, stops=(), start_s=0, end_s=0, return_travel_s=0, return_distance_m=0
    )
    assert solution.routes[0].travel_s == 20


def test_zero_visits() -> None:
    problem = line_problem([0, 100], [], [agent(0, 0, (60, 600)), agent(1, None, (0, 600))])
    solution = solve_checked(problem)
    assert solution.unassigned == ()
    assert solution.objective == 0
    assert [(r.stops, r.start_s, r.end_s) for r in solution.routes] == [((), 60, 60), ((), 0, 0)]


def test_zero_agents() -> None:
    problem = line_problem([0, 100], [visit(1), visit(0)], [])
    solution = solve_checked(problem)
    assert solution.routes == ()
    assert [(u.visit_idx, u.reason) for u in solution.unassigned] == [
        (0, NO_AGENTS),
        (1, NO_AGENTS),
    ]
    assert solution.objective == 2 * MUST_VISIT_VALUE


def test_zero_visits_and_zero_agents() -> None:
    problem = line_problem([0], [], [])
    # Nothing to search: an empty trace, replayed by doing nothing again.
    empty = Solution(routes=(), unassigned=(), objective=0.0, trace=SearchTrace(stages=()))
    assert solve(problem) == empty


def test_all_visits_unreachable() -> None:
    problem = line_problem(
        [0, 100, 5000],
        [visit(2), visit(1, 10, [(0, 50)]), visit(1, 10_000)],
        [agent(0, 0, (0, 1000)), agent(0, None, (0, 1000))],
    )
    # Nothing to move: guided local search never reaches a solution limit, so keep the
    # time limit short.
    solution = solve_checked(problem, SolveParams(time_limit_s=0.2, solution_limit=100))
    assert [r.stops for r in solution.routes] == [(), ()]
    # Too far to arrive in the shift; window closed on arrival; service longer than the day.
    assert [u.reason for u in solution.unassigned] == [
        OUTSIDE_ALL_WINDOWS,
        OUTSIDE_ALL_WINDOWS,
        SHIFT_TOO_SHORT,
    ]
    assert solution.objective == 3 * MUST_VISIT_VALUE


def test_a_visit_worth_less_than_its_cost_is_left_out() -> None:
    # Serving x takes 2 km at 1 per km; it is worth 1.5: left out. y is unreachable.
    problem = line_problem(
        [0, 100],
        [visit(1, 0, value=1.5), visit(1, 0, [(0, 10)], value=11.0)],
        [agent(0, 0, (0, 1000), costs=costs(per_km=1.0))],
    )
    solution = solve_checked(problem)
    assert [u.visit_idx for u in solution.unassigned] == [0, 1]
    assert solution.objective == solution.lost_value == 1.5 + 11.0

    worth_it = line_problem(
        [0, 100], [visit(1, 0, value=2.5)], [agent(0, 0, (0, 1000), costs=costs(per_km=1.0))]
    )
    solution = solve_checked(worth_it)
    assert orders(solution) == [[0]]
    assert solution.objective == pytest.approx(2.0)


def test_same_problem_and_solution_limit_give_the_same_solution() -> None:
    rng = np.random.default_rng(7)
    n_visits = 25
    xy = rng.integers(0, 2000, size=(n_visits + 2, 2))
    travel_s = np.abs(xy[:, np.newaxis, :] - xy[np.newaxis, :, :]).sum(axis=2).astype(np.int64)
    visits = tuple(
        Visit(
            id=f"v{i}",
            location_idx=i,
            service_s=int(rng.integers(60, 600)),
            time_windows=(TimeWindow(start_s=int(s), end_s=int(s) + 3600),)
            if (s := rng.integers(0, 20_000)) % 2
            else (),
        )
        for i in range(n_visits)
    )
    agents = tuple(
        Agent(
            id=f"a{k}",
            start_location_idx=n_visits + k % 2,
            end_location_idx=n_visits + k % 2 if k else None,
            shift=TimeWindow(start_s=1000 * k, end_s=25_000),
        )
        for k in range(3)
    )
    problem = Problem(visits=visits, agents=agents, travel_time_s=travel_s, distance_m=travel_s * 3)
    params = SolveParams(time_limit_s=30.0, solution_limit=300)
    first = solve_checked(problem, params)
    assert solve(problem, params) == first
    assert_routes_reevaluated(problem, first)


def test_logs_one_info_line_without_ids(caplog: pytest.LogCaptureFixture) -> None:
    problem = line_problem([0, 100], [visit(1), visit(1, 10, [(0, 5)])], [agent()])
    with caplog.at_level(logging.INFO, logger="solver"):
        solve(problem, PARAMS)
    records = [r for r in caplog.records if r.name.startswith("solver")]
    assert len(records) == 1
    assert records[0].levelno == logging.INFO
    message = records[0].getMessage()
    assert "2 visits" in message
    assert "1 assigned" in message
    assert "visit-" not in message
    assert "agent-" not in message


def test_visits_a_stopped_search_left_out_are_repaired_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = line_problem([0, 100], [visit(1), visit(1)], [agent()])

    def no_solution(problem: Problem, params: SolveParams) -> OrToolsResult:
        del params
        return OrToolsResult(
            orders=[[] for _ in problem.agents],
            objective=sum(money_units(v.drop_cost) for v in problem.visits),
            found=False,
        )

    monkeypatch.setattr(_ortools, "solve_orders", no_solution)
    solution = solve_checked(problem, dataclasses.replace(PARAMS, engine="ortools"))
    assert sorted(s.visit_idx for s in solution.routes[0].stops) == [0, 1]
    assert solution.unassigned == ()
    assert solution.lost_value == 0


def test_infeasible_solver_order_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = line_problem([0, 100], [visit(1, 10, [(0, 150)]), visit(1, 500)], [agent()])

    def bad_order(problem: Problem, params: SolveParams) -> OrToolsResult:
        del problem, params
        return OrToolsResult(orders=[[1, 0]], objective=200, found=True)

    monkeypatch.setattr(_ortools, "solve_orders", bad_order)
    with pytest.raises(InternalSolverError, match="infeasible"):
        solve(problem, dataclasses.replace(PARAMS, engine="ortools"))


def test_node_travel_matrix() -> None:
    # Places 0..3; agent 0 from 1 to 2, agent 1 from 3, open.
    problem = line_problem([0, 10, 30, 60], [visit(0), visit(2)], [agent(1, 2), agent(3, None)])
    travel = node_travel_s(problem)
    # Nodes: visits 0, 1; starts 2, 3; ends 4, 5.
    assert travel.shape == (6, 6)
    assert travel[0, 1] == 30  # visit to visit
    assert travel[2, 0] == 10  # agent 0 start (place 1) to visit 0 (place 0)
    assert travel[1, 4] == 0  # visit 1 (place 2) to agent 0's end (place 2)
    assert travel[0, 4] == 30
    assert travel[2, 4] == 0  # an unused agent stays home
    assert travel[3, 5] == 0
    assert (travel[:, 5] == 0).all()  # open end
    assert (travel[4:, :] == 0).all()  # nothing leaves an end node


def test_each_agent_travels_by_its_own_profile() -> None:
    """With a fast and a slow profile, each agent's times come from its own matrix, and a
    visit only the fast agent can reach in its window goes to that agent."""
    fast = np.array([[0, 100], [100, 0]], dtype=np.int64)
    slow = fast * 5
    window = TimeWindow(start_s=0, end_s=200)  # reachable at 100 s, not at 500 s
    problem = Problem(
        visits=(Visit(id="v", location_idx=1, service_s=60, time_windows=(window,)),),
        agents=(
            Agent(
                id="walker",
                start_location_idx=0,
                end_location_idx=0,
                shift=TimeWindow(start_s=0, end_s=5000),
                profile_idx=1,
            ),
            Agent(
                id="driver",
                start_location_idx=0,
                end_location_idx=0,
                shift=TimeWindow(start_s=0, end_s=5000),
                profile_idx=0,
            ),
        ),
        travel_time_s=np.stack([fast, slow]),
        distance_m=np.stack([fast * 10, fast * 10]),
    )
    solution = solve_checked(problem, SolveParams(time_limit_s=1, solution_limit=20))
    walker, driver = solution.routes
    assert walker.stops == ()
    assert [s.travel_s for s in driver.stops] == [100]
    assert driver.return_travel_s == 100
    only_walker = Problem(
        visits=(Visit(id="v", location_idx=1, service_s=60),),
        agents=(problem.agents[0],),
        travel_time_s=np.stack([fast, slow]),
        distance_m=np.stack([fast * 10, fast * 10]),
    )
    (route,) = solve_checked(only_walker, SolveParams(time_limit_s=1, solution_limit=20)).routes
    assert [s.travel_s for s in route.stops] == [500]
    assert route.end_s - route.start_s == 500 + 60 + 500


def test_unknown_profile_is_refused() -> None:
    """An agent naming a profile the matrices do not have is an invalid problem."""
    with pytest.raises(InvalidProblemError, match="profile"):
        Problem(
            visits=(),
            agents=(
                Agent(
                    id="a",
                    start_location_idx=0,
                    end_location_idx=0,
                    shift=TimeWindow(start_s=0, end_s=10),
                    profile_idx=1,
                ),
            ),
            travel_time_s=np.zeros((1, 1), dtype=np.int64),
            distance_m=np.zeros((1, 1), dtype=np.int64),
        )
