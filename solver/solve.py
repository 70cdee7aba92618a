"""The entry point: solve a :class:`~solver.model.Problem` into a timed, costed
:class:`~solver.solution.Solution`."""

from __future__ import annotations

import logging
import time

from solver.engines import plan_orders
from solver.errors import InternalSolverError
from solver.evaluate import evaluate
from solver.model import Problem
from solver.params import SolveParams
from solver.reasons import explain, repair
from solver.solution import Solution

logger = logging.getLogger(__name__)


def solve(problem: Problem, params: SolveParams | None = None) -> Solution:
    """Assign visits to agents and order and time each agent's day, at the least money.

    A search engine (PyVRP when the problem is inside its model, else OR-Tools; see
    :mod:`solver.engines`) chooses which agent serves which visit and in what order,
    minimising the money of the day: the agents' fixed, working-time and distance costs,
    lateness, balance and the value of the visits left out (plus a tiny travel-time
    tie-break). A repair pass then inserts left-out visits that fit and pay, the orders are
    timed and costed by :func:`~solver.evaluate.evaluate`, independently of the engines, and
    every visit still left out gets a reason and hints (:mod:`solver.reasons`).

    Parameters
    ----------
    problem
        Visits, agents and travel matrices.
    params
        Search limits; ``SolveParams()`` when None. Set ``solution_limit`` (with a generous
        time limit) for a reproducible result.

    Returns
    -------
    Solution
        One route per agent in the order of ``problem.agents`` (empty for an agent that stays
        home), the unassigned visits in index order, each with a reason, and the objective
        in money.

    Raises
    ------
    InternalSolverError
        If the evaluator finds that the plan the engine chose breaks a rule: a bug, not bad
        input.
    """
    if params is None:
        params = SolveParams()
    started = time.perf_counter()
    n_visits = len(problem.visits)
    found, engine = True, "none"
    orders: list[list[int]] = [[] for _ in problem.agents]
    if n_visits and problem.agents:
        result = plan_orders(problem, params)
        orders, found, engine = result.orders, result.found, result.engine

    broken = evaluate(problem, orders).violations
    if broken:
        first = broken[0]
        msg = (
            f"the evaluator finds the plan {engine} chose infeasible: {len(broken)} "
            f"violations, first {first.code} (agent index {first.agent_idx}, visit index "
            f"{first.visit_idx})"
        )
        raise InternalSolverError(msg)
    # The post-search budget: the first half may repair, the rest explains what is left out.
    repaired_by = time.perf_counter() + params.explain_time_limit_s / 2
    deadline = repaired_by + params.explain_time_limit_s / 2
    orders = repair(problem, orders, deadline=repaired_by)
    evaluation = evaluate(problem, orders)

    unassigned = explain(problem, orders, evaluation.unassigned, deadline=deadline)

    logger.info(
        "solved %d visits, %d agents with %s: %d assigned, %d unassigned, objective %.2f, "
        "solution found %s, %.2f s",
        n_visits,
        len(problem.agents),
        engine,
        n_visits - len(unassigned),
        len(unassigned),
        evaluation.objective,
        found,
        time.perf_counter() - started,
    )
    return Solution(
        routes=evaluation.routes,
        unassigned=tuple(unassigned),
        objective=evaluation.objective,
        lost_value=evaluation.lost_value,
        balance_cost=evaluation.balance_cost,
    )
