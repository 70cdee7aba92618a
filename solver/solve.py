"""The entry point: solve a :class:`~solver.model.Problem` into a timed, costed
:class:`~solver.solution.Solution`."""

from __future__ import annotations

from concurrent.futures import Executor

from solver.decompose import solve_split
from solver.model import Problem
from solver.params import SolveParams
from solver.pipeline import solve_whole
from solver.solution import Solution


def solve(
    problem: Problem, params: SolveParams | None = None, executor: Executor | None = None
) -> Solution:
    """Assign visits to agents and order and time each agent's day, at the least money.

    A search engine (PyVRP when the problem is inside its model, else OR-Tools; see
    :mod:`solver.engines`) chooses which agent serves which visit and in what order,
    minimising the money of the day: the agents' fixed, working-time and distance costs,
    lateness, balance and the value of the visits left out (plus a tiny travel-time
    tie-break). A repair pass then inserts left-out visits that fit and pay, the orders are
    timed and costed by :func:`~solver.evaluate.evaluate`, independently of the engines, and
    every visit still left out gets a reason and hints (:mod:`solver.reasons`).

    A problem of more than ``params.split_above_visits`` visits is split into territories
    solved on ``params.workers`` processes, then improved across their borders and joined
    (:mod:`solver.decompose`); its solution's ``split`` says how.

    Parameters
    ----------
    problem
        Visits, agents and travel matrices.
    params
        Search limits; ``SolveParams()`` when None. Set ``solution_limit`` (with a generous
        time limit) for a reproducible result.
    executor
        Where a split problem's territories are solved (see
        :func:`solver.decompose.solve_split`); None: ``params.workers`` local processes.

    Returns
    -------
    Solution
        One route per agent in the order of ``problem.agents`` (empty for an agent that stays
        home), the unassigned visits in index order, each with a reason, and the objective
        in money (and, when split, how).

    Raises
    ------
    InternalSolverError
        If the evaluator finds that the plan the engine chose breaks a rule: a bug, not bad
        input.
    """
    if params is None:
        params = SolveParams()
    limit = params.split_above_visits
    if limit is not None and len(problem.visits) > limit and len(problem.agents) > 1:
        return solve_split(problem, params, executor)
    return solve_whole(problem, params)
