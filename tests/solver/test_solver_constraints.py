"""One small problem per hard rule: the solver keeps it, and the independent checker catches a
hand-made plan that breaks it (the evaluator flags it too)."""

from __future__ import annotations

from dataclasses import replace

from solver import Break, Problem, TakenBreak, evaluate
from solver import violations as codes
from tests.solver.solver_testkit import (
    agent,
    checker_codes,
    hand_plan,
    line_problem,
    orders,
    solve_checked,
    visit,
)


def assert_caught(problem: Problem, plan: list[list[int]], code: str) -> None:
    """The plan breaks exactly the rule ``code``, for the checker and the evaluator."""
    assert checker_codes(problem, hand_plan(problem, plan)) == {code}
    assert {v.code for v in evaluate(problem, plan).violations} == {code}


def test_skills() -> None:
    # Without skills one agent would serve both (one trip); only agent 1 is a nurse.
    problem = line_problem(
        [0, 100],
        [visit(1, 10, required_skills=frozenset({"nurse"})), visit(1, 10)],
        [agent(0, 0), agent(0, 0, skills=frozenset({"nurse", "driver"}))],
    )
    solution = solve_checked(problem)
    assert orders(solution)[0] == []
    assert sorted(orders(solution)[1]) == [0, 1]
    assert_caught(problem, [[0, 1], []], codes.SKILLS_MISSING)


def test_pinned_visit_goes_to_its_agent() -> None:
    problem = line_problem(
        [0, 100, 1000], [visit(1, 10, pinned_agent_idx=1)], [agent(0, 0), agent(2, 2)]
    )
    solution = solve_checked(problem)
    assert orders(solution) == [[], [0]]
    assert_caught(problem, [[0], []], codes.WRONG_AGENT)


def test_locked_order_is_kept_and_other_visits_go_between() -> None:
    # Going out, B (at 100) would come before A (at 300); locked, A comes first, and C (at 200)
    # fits between them: 0 -> 300 -> 200 -> 100 -> 0.
    problem = line_problem(
        [0, 100, 200, 300],
        [
            visit(3, 10, pinned_agent_idx=0, locked_order=1),  # A
            visit(1, 10, pinned_agent_idx=0, locked_order=2),  # B
            visit(2, 10),  # C
        ],
        [agent(0, 0)],
    )
    solution = solve_checked(problem)
    assert orders(solution) == [[0, 2, 1]]
    assert_caught(problem, [[1, 2, 0]], codes.LOCKED_ORDER)


def test_locked_visits_without_time_between_them() -> None:
    # Same place, no service time: only the position in the route tells the order.
    problem = line_problem(
        [0, 100],
        [visit(1, 0, pinned_agent_idx=0, locked_order=order) for order in (3, 1, 2)],
        [agent(0, 0)],
    )
    assert orders(solve_checked(problem)) == [[1, 2, 0]]


def test_capacity() -> None:
    # One trip would carry 4 units; each agent takes 3 at most, so two trips.
    problem = line_problem(
        [0, 100],
        [visit(1, 10, demand=2), visit(1, 10, demand=1), visit(1, 10, demand=1)],
        [agent(0, 0, capacity=3), agent(0, 0, capacity=3)],
    )
    solution = solve_checked(problem)
    assert sorted(len(route.stops) for route in solution.routes) == [1, 2]
    assert_caught(problem, [[0, 1, 2], []], codes.CAPACITY_EXCEEDED)


def test_max_visits() -> None:
    problem = line_problem(
        [0, 100], [visit(1, 10) for _ in range(3)], [agent(max_visits=2), agent(max_visits=2)]
    )
    solution = solve_checked(problem)
    assert sorted(len(route.stops) for route in solution.routes) == [1, 2]
    assert_caught(problem, [[0, 1, 2], []], codes.MAX_VISITS_EXCEEDED)


def test_max_working_time() -> None:
    # One visit: 100 + 200 + 100 = 400 s of work; both: 600 s > 500.
    problem = line_problem(
        [0, 100],
        [visit(1, 200), visit(1, 200)],
        [agent(max_working_s=500), agent(max_working_s=500)],
    )
    solution = solve_checked(problem)
    assert [len(route.stops) for route in solution.routes] == [1, 1]
    assert_caught(problem, [[0, 1], []], codes.MAX_WORKING_EXCEEDED)


def test_max_travel_time() -> None:
    # Both visits: 400 s of travel; the near one alone 200 s, the far one alone 400 s.
    problem = line_problem(
        [0, 100, 200], [visit(1, 10), visit(2, 10)], [agent(0, 0, max_travel_s=250)]
    )
    solution = solve_checked(problem)
    assert orders(solution) == [[0]]
    assert [u.visit_idx for u in solution.unassigned] == [1]
    assert_caught(problem, [[0, 1]], codes.MAX_TRAVEL_EXCEEDED)


def test_time_windows_and_shift() -> None:
    problem = line_problem(
        [0, 100, 1000],
        [visit(1, 10, [(0, 150)]), visit(2, 10)],
        [agent(0, 0, (0, 1500)), agent(0, 0, (0, 5000))],
    )
    solution = solve_checked(problem)
    assert solution.unassigned == ()
    assert_caught(problem, [[], [1, 0]], codes.WINDOW_MISSED)
    assert_caught(problem, [[1], [0]], codes.SHIFT_END)


def test_breaks_are_taken_between_services() -> None:
    # Two visits 300 s long at 100; the break [400, 500] of 300 s falls between them.
    lunch = Break(earliest_start_s=400, latest_start_s=500, duration_s=300)
    problem = line_problem(
        [0, 100], [visit(1, 300, [(100, 100)]), visit(1, 300)], [agent(0, 0, breaks=(lunch,))]
    )
    solution = solve_checked(problem)
    route = solution.routes[0]
    assert orders(solution) == [[0, 1]]
    assert route.breaks == (TakenBreak(break_idx=0, start_s=400, end_s=700),)
    assert route.stops[1].service_start_s == 700

    # A break moved into a service, and a break left out, are both caught.
    into_service = (TakenBreak(break_idx=0, start_s=300, end_s=600),)
    for breaks in (into_service, ()):
        tampered = replace(solution, routes=(replace(route, breaks=breaks),))
        assert checker_codes(problem, tampered) == {codes.BREAK_INVALID}


def test_agent_whose_break_cannot_fit_serves_no_one() -> None:
    late = Break(earliest_start_s=4950, latest_start_s=4990, duration_s=100)
    problem = line_problem(
        [0, 100, 1000],
        [visit(1, 10)],
        [agent(0, 0, (0, 5000), breaks=(late,)), agent(2, 2, (0, 5000))],
    )
    assert orders(solve_checked(problem)) == [[], [0]]
