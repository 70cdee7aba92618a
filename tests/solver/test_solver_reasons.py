"""A reason for every visit left out, and the single change that would let it in.

Places lie on a line (tests/solver/solver_testkit.py): travel time = distance / 10, in seconds.
"""

from __future__ import annotations

import time

from solver import (
    AGENT_LIMITS,
    CAPACITY,
    NO_AGENT_WITH_SKILLS,
    NO_AGENTS,
    NOT_WORTH_COST,
    OUTSIDE_ALL_WINDOWS,
    PINNED_AGENT_UNAVAILABLE,
    REASON_CODES,
    SHIFT_TOO_SHORT,
    Hint,
    Problem,
    Unassigned,
)
from solver import reasons as hints
from solver.reasons import StepBudget, best_insertion, repair
from tests.solver.solver_testkit import agent, costs, line_problem, orders, solve_checked, visit


def _only_unassigned(problem: Problem) -> Unassigned:
    (left_out,) = solve_checked(problem).unassigned
    return left_out


def _hint(left_out: Unassigned, kind: str) -> Hint:
    (found,) = [h for h in left_out.hints if h.kind == kind]
    return found


def test_no_agents_at_all() -> None:
    problem = line_problem([0, 10], [visit(1)], [])
    assert _only_unassigned(problem).reason == NO_AGENTS


def test_missing_skill_names_the_agent_to_train() -> None:
    """Nobody has the skill: the hint names the agent who, with it, could make the visit."""
    problem = line_problem(
        [0, 10],
        [visit(1, required_skills=frozenset({"senior"}))],
        [agent(shift=(0, 5)), agent(skills=frozenset({"legal"}))],
    )
    left_out = _only_unassigned(problem)
    assert left_out.reason == NO_AGENT_WITH_SKILLS
    assert "senior" in left_out.detail
    assert _hint(left_out, hints.ADD_SKILL).agent_idx == 1  # agent 0's shift is too short


def test_pinned_agent_who_cannot_make_it() -> None:
    """A visit pinned to an agent whose shift ends before it can arrive; another could take
    it: the reason names the pin and a hint suggests unpinning."""
    problem = line_problem(
        [0, 100],
        [visit(1, pinned_agent_idx=0)],
        [agent(shift=(0, 50)), agent()],
    )
    left_out = _only_unassigned(problem)
    assert left_out.reason == PINNED_AGENT_UNAVAILABLE
    assert "agent-0" in left_out.detail
    assert _hint(left_out, hints.UNPIN).agent_idx == 1


def test_window_after_the_shift_is_outside_all_windows_and_widening_helps() -> None:
    """The only window opens after the shift ends: widening it back to when an agent could
    serve it is the hint (by how much, and to when)."""
    problem = line_problem([0, 100], [visit(1, 10, [(5000, 6000)])], [agent(shift=(0, 3000))])
    left_out = _only_unassigned(problem)
    assert left_out.reason == OUTSIDE_ALL_WINDOWS
    widen = _hint(left_out, hints.WIDEN_WINDOW)
    assert widen.new_time_s == 100  # the agent could start at 100 s
    assert widen.change_s == 4900


def test_service_longer_than_the_shift_is_shift_too_short_and_extending_helps() -> None:
    """Arriving in time but unable to finish and return: extending the shift by exactly the
    overrun is the hint."""
    problem = line_problem([0, 100], [visit(1, 1000)], [agent(shift=(0, 1000))])
    left_out = _only_unassigned(problem)
    assert left_out.reason == SHIFT_TOO_SHORT
    extend = _hint(left_out, hints.EXTEND_SHIFT)
    assert (extend.agent_idx, extend.change_s, extend.new_time_s) == (0, 200, 1200)
    assert "4 min later" in extend.detail


def test_demand_above_every_capacity_is_agent_limits() -> None:
    problem = line_problem([0, 10], [visit(1, demand=5)], [agent(capacity=3)])
    assert _only_unassigned(problem).reason == AGENT_LIMITS


def test_full_days_are_capacity_and_dropping_a_cheaper_visit_helps() -> None:
    """Two visits of 300 s fit the 800 s a 1000 s day leaves after travel, a third does not:
    the least valuable is left out for capacity; the shift would need 100 s more, and no
    visit worth less holds a place it could take."""
    problem = line_problem(
        [0, 100],
        [visit(1, 300, value=50.0), visit(1, 300, value=40.0), visit(1, 300, value=45.0)],
        [agent(shift=(0, 1000))],
    )
    left_out = _only_unassigned(problem)
    assert (left_out.visit_idx, left_out.reason) == (1, CAPACITY)
    extend = _hint(left_out, hints.EXTEND_SHIFT)
    assert extend.change_s == 100
    assert not [h for h in left_out.hints if h.kind == hints.DROP_VISIT]  # others worth more


def test_dropping_a_visit_worth_no_more_is_suggested() -> None:
    """Two must-visit cases of which only one fits the day (either order breaks a window or
    the shift): the one left out is told which visit it could replace."""
    problem = line_problem(
        [0, 100, 300],
        [visit(1, 600), visit(2, 10, [(0, 400)])],
        [agent(shift=(0, 1000))],
    )
    solution = solve_checked(problem)
    (left_out,) = solution.unassigned
    (kept,) = orders(solution)[0]
    assert left_out.reason == CAPACITY
    drop = _hint(left_out, hints.DROP_VISIT)
    assert (drop.agent_idx, drop.visit_idx) == (0, kept)
    assert f"visit-{kept}" in drop.detail


def test_a_visit_that_does_not_pay_is_not_worth_cost_with_the_value_it_would_need() -> None:
    """Serving the far visit costs 2 km at 1 per km (2.00); it is worth 1.50."""
    problem = line_problem([0, 100], [visit(1, 0, value=1.5)], [agent(costs=costs(per_km=1.0))])
    left_out = _only_unassigned(problem)
    assert left_out.reason == NOT_WORTH_COST
    assert "2.00" in left_out.detail
    assert _hint(left_out, hints.RAISE_VALUE).amount == 2.0


def test_every_reason_is_a_known_code_and_explained() -> None:
    problem = line_problem(
        [0, 100, 5000],
        [visit(2), visit(1, 10, [(0, 50)]), visit(1, 10_000), visit(1, demand=9)],
        [agent(shift=(0, 1000), capacity=1)],
    )
    solution = solve_checked(problem)
    assert {u.reason for u in solution.unassigned} <= set(REASON_CODES)
    assert all(u.detail.endswith(".") for u in solution.unassigned)


def test_repair_inserts_what_a_stopped_search_left_out() -> None:
    """From an empty plan, the repair pass puts every visit that fits and pays in."""
    problem = line_problem([0, 100, 200], [visit(1), visit(2)], [agent()])
    repaired = repair(problem, [[]], budget=StepBudget(time.perf_counter() + 5))
    assert sorted(repaired[0]) == [0, 1]


def test_insertion_respects_rules() -> None:
    """No feasible place when the window has closed by arrival."""
    problem = line_problem([0, 100], [visit(1, 10, [(0, 50)])], [agent()])
    assert best_insertion(problem, [[]], 0, [0]) is None


def test_hints_stop_at_the_deadline() -> None:
    """With no time left for explaining, reasons are still given, hints are not."""
    problem = line_problem([0, 100], [visit(1, 1000)], [agent(shift=(0, 1000))])
    (left_out,) = hints.explain(problem, [[]], [0], deadline=time.perf_counter() - 1)
    assert left_out.reason == SHIFT_TOO_SHORT
    assert left_out.hints == ()
