"""Builders for small hand-checkable solver problems (imported by the solver tests).

Places lie on a line: the travel time between two places is the absolute difference of their
positions (seconds), the distance ten times that (metres).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from solver import (
    Agent,
    AgentCosts,
    Problem,
    Solution,
    SolveParams,
    TimeWindow,
    Unassigned,
    Visit,
    check_solution,
    evaluate,
    solve,
)

PARAMS = SolveParams(time_limit_s=10.0, solution_limit=100)
"""A solution limit makes every run deterministic; the time limit is only a safety net."""


def line_matrices(
    positions_s: Sequence[int],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Travel-time (s) and distance (m) matrices of places at ``positions_s`` on a line."""
    x = np.asarray(positions_s, dtype=np.int64)
    travel_s = np.abs(x[:, np.newaxis] - x[np.newaxis, :])
    return travel_s, travel_s * 10


def window(start_s: int, end_s: int) -> TimeWindow:
    """Shorthand for a :class:`TimeWindow`."""
    return TimeWindow(start_s=start_s, end_s=end_s)


def visit(
    location_idx: int,
    service_s: int = 10,
    windows: Sequence[tuple[int, int]] = (),
    **fields: object,
) -> Visit:
    """A visit at ``location_idx``; ``windows`` as ``(start_s, end_s)`` pairs; any other
    :class:`Visit` field by keyword. The id is renamed ``visit-<k>`` by
    :func:`line_problem`."""
    return Visit(
        id="v",
        location_idx=location_idx,
        service_s=service_s,
        time_windows=tuple(window(s, e) for s, e in windows),
        **fields,  # type: ignore[arg-type]
    )


def agent(
    start_idx: int = 0,
    end_idx: int | None = 0,
    shift: tuple[int, int] = (0, 10_000),
    **fields: object,
) -> Agent:
    """An agent from ``start_idx`` to ``end_idx`` (None: open route); any other
    :class:`Agent` field by keyword; id renamed ``agent-<k>`` by :func:`line_problem`."""
    return Agent(
        id="a",
        start_location_idx=start_idx,
        end_location_idx=end_idx,
        shift=window(*shift),
        **fields,  # type: ignore[arg-type]
    )


def costs(fixed: float = 0.0, per_hour: float = 0.0, per_km: float = 0.0) -> AgentCosts:
    """Shorthand for :class:`AgentCosts`."""
    return AgentCosts(fixed=fixed, per_hour=per_hour, per_km=per_km)


def line_problem(
    positions_s: Sequence[int],
    visits: Sequence[Visit],
    agents: Sequence[Agent],
    balance_cost_per_visit: float = 0.0,
) -> Problem:
    """A problem on the line; visits and agents get ids ``visit-<k>`` and ``agent-<k>``."""
    travel_s, distance_m = line_matrices(positions_s)
    return Problem(
        visits=tuple(dataclasses.replace(v, id=f"visit-{k}") for k, v in enumerate(visits)),
        agents=tuple(dataclasses.replace(a, id=f"agent-{k}") for k, a in enumerate(agents)),
        travel_time_s=travel_s,
        distance_m=distance_m,
        balance_cost_per_visit=balance_cost_per_visit,
    )


def orders(solution: Solution) -> list[list[int]]:
    """The visit order of every route."""
    return [[stop.visit_idx for stop in route.stops] for route in solution.routes]


def solve_checked(problem: Problem, params: SolveParams = PARAMS) -> Solution:
    """Solve and assert that the independent checker finds nothing wrong."""
    solution = solve(problem, params)
    assert check_solution(problem, solution) == []
    return solution


def hand_plan(
    problem: Problem, plan: Sequence[Sequence[int]], unassigned: Sequence[int] | None = None
) -> Solution:
    """The solution a planner would write by hand: ``plan`` timed and costed by
    :func:`solver.evaluate`, whatever rules it breaks (unassigned visits get a dummy
    reason); ``unassigned`` defaults to every visit not served."""
    evaluation = evaluate(problem, plan, unassigned=unassigned)
    left_out = evaluation.unassigned if unassigned is None else tuple(unassigned)
    return Solution(
        routes=evaluation.routes,
        unassigned=tuple(Unassigned(visit_idx=v, reason="capacity", detail="-") for v in left_out),
        objective=evaluation.objective,
        lost_value=evaluation.lost_value,
        balance_cost=evaluation.balance_cost,
    )


def checker_codes(problem: Problem, solution: Solution) -> set[str]:
    """The codes of every violation the independent checker finds."""
    return {v.code for v in check_solution(problem, solution)}
