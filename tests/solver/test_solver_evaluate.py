"""Evaluate mode: a hand-made plan is timed, costed and judged without optimising."""

from __future__ import annotations

import pytest

from solver import Break, Problem, evaluate
from solver import violations as codes
from tests.solver.solver_testkit import (
    agent,
    checker_codes,
    costs,
    hand_plan,
    line_problem,
    visit,
    window,
)

# Places on a line (travel seconds from place 0): home, 100, 300, 1000.
POSITIONS = [0, 100, 300, 1000]


def _problem_with_a_bad_plan() -> tuple[Problem, list[list[int]], list[int]]:
    problem = line_problem(
        POSITIONS,
        [
            visit(1, 10, [(0, 50)], demand=1),  # 0: agent 0 arrives at 100, too late
            visit(
                2,
                10,
                demand=1,
                required_skills=frozenset({"x"}),
                preferred_window=window(0, 300),
                lateness_cost_per_hour=36.0,
            ),  # 1: agent 0 lacks x; starts at 310, 10 s late
            visit(3, 10, pinned_agent_idx=1),  # 2: served by agent 0
            visit(3, 10, pinned_agent_idx=1, locked_order=0),  # 3: after visit 4 (order 1)
            visit(1, 10, pinned_agent_idx=1, locked_order=1),  # 4
            visit(1, 10, value=7.0),  # 5: neither served nor said unassigned
            visit(2, 10),  # 6: served and said unassigned
        ],
        [
            agent(
                0,
                0,
                (0, 2000),
                capacity=1,
                max_visits=2,
                # Would end at 2040 > 2000: cannot fit in the shift at all.
                breaks=(Break(earliest_start_s=1950, latest_start_s=1990, duration_s=100),),
                costs=costs(fixed=5.0, per_hour=36.0, per_km=1.0),
            ),
            agent(
                0, None, (0, 10_000), skills=frozenset({"x"}), max_travel_s=500, max_working_s=600
            ),
        ],
        balance_cost_per_visit=0.5,
    )
    return problem, [[0, 1, 2], [4, 3, 6]], [6]


def test_an_infeasible_plan_gets_times_costs_and_exactly_its_violations() -> None:
    problem, plan, said_unassigned = _problem_with_a_bad_plan()
    evaluation = evaluate(problem, plan, unassigned=said_unassigned)
    assert [(v.code, v.agent_idx, v.visit_idx, v.break_idx) for v in evaluation.violations] == [
        (codes.WINDOW_MISSED, 0, 0, None),
        (codes.BREAK_NOT_PLACEABLE, 0, None, 0),
        (codes.SHIFT_END, 0, None, None),
        (codes.CAPACITY_EXCEEDED, 0, None, None),
        (codes.MAX_VISITS_EXCEEDED, 0, None, None),
        (codes.SKILLS_MISSING, 0, 1, None),
        (codes.WRONG_AGENT, 0, 2, None),
        (codes.MAX_WORKING_EXCEEDED, 1, None, None),
        (codes.MAX_TRAVEL_EXCEEDED, 1, None, None),
        (codes.LOCKED_ORDER, 1, 3, None),
        (codes.VISIT_MISSING, None, 5, None),
        (codes.VISIT_REPEATED, None, 6, None),
    ]
    assert all(v.detail for v in evaluation.violations)
    assert not evaluation.feasible

    first, second = evaluation.routes
    # Earliest possible times: the missed window is served on arrival.
    assert [(s.arrival_s, s.service_start_s) for s in first.stops] == [
        (100, 100),
        (310, 310),
        (1020, 1020),
    ]
    assert (first.start_s, first.end_s) == (0, 2030)
    assert first.stops[1].late_s == 10
    assert first.cost.fixed == 5.0
    assert first.cost.time == pytest.approx(20.30)
    assert first.cost.distance == pytest.approx(20.0)
    assert first.cost.lateness == pytest.approx(0.1)
    assert first.cost.total == pytest.approx(45.4)
    assert (second.start_s, second.end_s, second.travel_s) == (0, 1730, 1700)
    assert second.cost.total == 0.0
    assert evaluation.unassigned == (5,)
    assert evaluation.lost_value == 7.0
    assert evaluation.balance_cost == 0.0  # three visits each
    assert evaluation.objective == pytest.approx(45.4 + 7.0)


def test_the_checker_sees_the_same_broken_rules() -> None:
    problem, plan, said_unassigned = _problem_with_a_bad_plan()
    solution = hand_plan(problem, plan, said_unassigned)
    assert checker_codes(problem, solution) == {
        codes.WINDOW_MISSED,
        codes.BREAK_INVALID,  # the break is not taken
        codes.SHIFT_END,
        codes.CAPACITY_EXCEEDED,
        codes.MAX_VISITS_EXCEEDED,
        codes.SKILLS_MISSING,
        codes.WRONG_AGENT,
        codes.MAX_WORKING_EXCEEDED,
        codes.MAX_TRAVEL_EXCEEDED,
        codes.LOCKED_ORDER,
        codes.VISIT_MISSING,
        codes.VISIT_REPEATED,
        # The lost value is the value of the visits said unassigned (visit 6, a must-visit)
        # for the checker, of those not served (visit 5) for the evaluator.
        codes.COST_MISMATCH,
    }


def test_a_feasible_plan_has_no_violation_and_unlisted_visits_are_unassigned() -> None:
    problem = line_problem(
        POSITIONS, [visit(1, 10), visit(2, 10, value=3.0)], [agent(), agent()], 2.0
    )
    evaluation = evaluate(problem, [[0], []])
    assert evaluation.feasible
    assert evaluation.unassigned == (1,)
    assert evaluation.lost_value == 3.0
    assert evaluation.balance_cost == 2.0  # one visit against none
    assert evaluation.objective == 5.0


def test_plan_shape_errors_raise() -> None:
    problem = line_problem(POSITIONS, [visit(1)], [agent()])
    with pytest.raises(ValueError, match="orders"):
        evaluate(problem, [])
    with pytest.raises(IndexError):
        evaluate(problem, [[3]])
    with pytest.raises(IndexError):
        evaluate(problem, [[]], unassigned=[5])
