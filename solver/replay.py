"""Replaying a solve for a dispute: the same problem and the recorded
:class:`~solver.solution.SearchTrace` give the same plan, on any machine at any load."""

from __future__ import annotations

from solver.engines import retrace
from solver.errors import InvalidProblemError
from solver.model import Problem
from solver.params import SolveParams
from solver.pipeline import finish
from solver.solution import SearchTrace, Solution

REPLAY_TIME_LIMIT_S = 600.0
"""Safety net of each replayed stage: the steps, not the time, end a replay."""


def replay(
    problem: Problem, trace: SearchTrace, *, time_limit_s: float = REPLAY_TIME_LIMIT_S
) -> Solution:
    """Solve ``problem`` again exactly as the solve that recorded ``trace`` did: each engine
    stage single-threaded for its recorded steps, then the repair for its recorded steps.
    The routes are identical to the recorded solve's when the problem is; the reasons of
    visits left out may differ in their hints (found within a time budget).

    Raises
    ------
    InvalidProblemError
        If ``trace`` names an engine this solver does not have.
    """
    unknown = {stage.engine for stage in trace.stages} - {"pyvrp", "ortools"}
    if unknown:
        msg = f"the trace names unknown engines: {', '.join(sorted(unknown))}"
        raise InvalidProblemError(msg)
    orders: list[list[int]] = [[] for _ in problem.agents]
    if problem.visits and problem.agents:
        orders = retrace(problem, trace.stages, time_limit_s).orders
    params = SolveParams(time_limit_s=time_limit_s, retrace=True, split_above_visits=None)
    return finish(
        problem,
        orders,
        params,
        source="the replay",
        stages=trace.stages,
        repair_steps=trace.repair_steps,
    )
