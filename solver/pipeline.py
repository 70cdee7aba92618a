"""Solving one problem whole: the engines' search, then the evaluator's check, a repair
pass, timing and costing, and a reason for every visit left out.

:func:`solver.solve` runs this on a problem below the split threshold, and
:mod:`solver.decompose` on each territory of a larger one (then :func:`finish` on the joined
plan).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence

from solver.engines import plan_orders
from solver.errors import InternalSolverError
from solver.evaluate import evaluate
from solver.model import Problem
from solver.params import SolveParams
from solver.reasons import StepBudget, explain, repair
from solver.solution import SearchStage, SearchTrace, Solution, SplitReport

logger = logging.getLogger(__name__)


def solve_whole(
    problem: Problem, params: SolveParams, initial: Sequence[Sequence[int]] | None = None
) -> Solution:
    """Search ``problem`` as one model (see :func:`solver.solve`), from the plan ``initial``
    (one visit order per agent) when given, then :func:`finish`."""
    started = time.perf_counter()
    found, engine = True, "none"
    orders: list[list[int]] = [[] for _ in problem.agents]
    stages: tuple[SearchStage, ...] = ()
    if problem.visits and problem.agents:
        result = plan_orders(problem, params, initial)
        orders, found, engine, stages = result.orders, result.found, result.engine, result.stages
    solution = finish(problem, orders, params, source=engine, stages=stages)
    logger.info(
        "solved %d visits, %d agents with %s: %d assigned, %d unassigned, objective %.2f, "
        "solution found %s, %.2f s",
        len(problem.visits),
        len(problem.agents),
        engine,
        len(problem.visits) - len(solution.unassigned),
        len(solution.unassigned),
        solution.objective,
        found,
        time.perf_counter() - started,
    )
    return solution


def finish(
    problem: Problem,
    orders: Sequence[Sequence[int]],
    params: SolveParams,
    *,
    source: str,
    split: SplitReport | None = None,
    stages: tuple[SearchStage, ...] | None = None,
    repair_steps: int | None = None,
) -> Solution:
    """The solution of the plan ``orders``: checked by the evaluator, repaired (left-out
    visits inserted or swapped in where that pays), timed and costed, every visit still
    left out explained, within ``params.explain_time_limit_s``. ``stages``: the search that
    chose ``orders``, for the solution's trace (None: it cannot be retraced);
    ``repair_steps``: retrace a repair that was cut after that many steps.

    Raises
    ------
    InternalSolverError
        If the evaluator finds that ``orders`` (from ``source``) break a rule: a bug, not
        bad input.
    """
    broken = evaluate(problem, orders).violations
    if broken:
        first = broken[0]
        msg = (
            f"the evaluator finds the plan {source} chose infeasible: {len(broken)} "
            f"violations, first {first.code} (agent index {first.agent_idx}, visit index "
            f"{first.visit_idx})"
        )
        raise InternalSolverError(msg)
    # The post-search budget: the first half may repair, the rest explains what is left out.
    repaired_by = time.perf_counter() + params.explain_time_limit_s / 2
    deadline = repaired_by + params.explain_time_limit_s / 2
    # A replay repairs as far as the recorded repair went, however long that takes.
    budget = StepBudget(math.inf, repair_steps) if params.retrace else StepBudget(repaired_by)
    repaired = repair(problem, orders, budget=budget)
    evaluation = evaluate(problem, repaired)
    unassigned = explain(problem, repaired, evaluation.unassigned, deadline=deadline)
    return Solution(
        routes=evaluation.routes,
        unassigned=tuple(unassigned),
        objective=evaluation.objective,
        lost_value=evaluation.lost_value,
        balance_cost=evaluation.balance_cost,
        split=split,
        trace=(
            None
            if stages is None
            else SearchTrace(stages=stages, repair_steps=budget.steps if budget.cut else None)
        ),
    )
