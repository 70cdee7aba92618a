"""Which search engine plans a day, and racing searches on several cores.

Two engines choose the visit orders: OR-Tools (:mod:`solver._ortools`), which handles every
feature of :class:`~solver.model.Problem`, and PyVRP (:mod:`solver._pyvrp`), which finds
much better plans within the same time on problems inside its model (see
:func:`pyvrp_unsupported`). Either way the result is a list of visit indices per agent,
timed and costed afterwards by our own evaluator, so every engine yields the same
:class:`~solver.solution.Solution`.

With ``SolveParams.workers`` above 1 several differently configured searches run at once,
each in its own process, for the whole time limit (less :data:`RACE_START_S`), and the
cheapest plan by our own evaluation (:func:`plan_cost`) wins (ties: the first candidate of
:func:`race_candidates`).

Measured with bench/solomon.py on all 56 Solomon instances, 10 s each, on the 2-core
machine (mean gap of the exact distance to the distance-only best-known distance; every
plan feasible under the exact-float check and :func:`solver.check_solution`):

=========================================  ==========  =================================
engine                                     mean gap %  racing, 2 workers
=========================================  ==========  =================================
auto = PyVRP, 1 worker                     0.247       0.166 (better on 12, worse on 0)
OR-Tools (LCI+GLS), 1 worker               4.006       2.822 (LCI+GLS | PCA+GLS: better
                                                       on 29, worse on 1)
=========================================  ==========  =================================

So racing pays for both engines. Racing PyVRP with OR-Tools would not: OR-Tools' plan is
never the cheaper one on these instances.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Literal, cast

from solver.evaluate import evaluate
from solver.model import Problem
from solver.params import SolveParams
from solver.processes import worker_context
from solver.solution import SearchStage

logger = logging.getLogger(__name__)

EngineName = Literal["ortools", "pyvrp"]

RACE_START_S = 0.5
"""Time the race needs besides searching (the first one also starts its processes); the
searches get the time limit less this, so the race ends within the limit."""


@dataclass(frozen=True, slots=True)
class EngineResult:
    """Visit orders chosen by one engine.

    Attributes
    ----------
    orders
        One list per agent (in the order of ``Problem.agents``) of the visit indices it
        serves, in service order.
    engine
        The engine that produced them.
    found
        False when the engine returned no solution at all (``orders`` are then empty).
    stages
        What each engine run did, in steps, to retrace the search (:func:`retrace`).
    """

    orders: list[list[int]]
    engine: EngineName
    found: bool
    stages: tuple[SearchStage, ...] = ()


def pyvrp_unsupported(problem: Problem) -> tuple[str, ...]:
    """The features of ``problem`` outside PyVRP's model (empty: PyVRP can solve it).

    PyVRP 0.14 has no breaks, no soft (preferred) windows with a lateness cost, no fixed
    relative order of visits, no limit on travel time alone (only on the whole working
    day), and no balancing of workloads between agents.
    """
    reasons: list[str] = []
    if any(agent.breaks for agent in problem.agents):
        reasons.append("breaks")
    if any(agent.max_travel_s is not None for agent in problem.agents):
        reasons.append("max_travel")
    if any(v.preferred_window is not None and v.lateness_cost_per_hour > 0 for v in problem.visits):
        reasons.append("preferred_windows")
    if any(v.locked_order is not None for v in problem.visits):
        reasons.append("locked_order")
    if problem.balance_cost_per_visit > 0:
        reasons.append("balance")
    return tuple(reasons)


def choose_engine(problem: Problem, params: SolveParams) -> EngineName:
    """The engine ``params.engine`` asks for; ``"auto"``: PyVRP when the problem is inside
    its model, OR-Tools otherwise.

    Raises
    ------
    ValueError
        If PyVRP is asked for a problem outside its model.
    """
    unsupported = pyvrp_unsupported(problem)
    if params.engine == "pyvrp" and unsupported:
        msg = f"the pyvrp engine cannot handle: {', '.join(unsupported)}"
        raise ValueError(msg)
    if params.engine == "auto":
        return "ortools" if unsupported else "pyvrp"
    return params.engine


def run_engine(
    problem: Problem,
    params: SolveParams,
    engine: EngineName,
    initial: Sequence[Sequence[int]] | None = None,
) -> EngineResult:
    """One search by ``engine`` in this process (``params.workers`` is ignored), from the
    plan ``initial`` (one visit order per agent) when given.

    PyVRP requires every must-visit that some agent could make alone; when they cannot all
    fit (an over-full day) it gives up early and OR-Tools, which leaves out what does not
    fit, searches for the rest of the time limit.
    """
    if engine == "pyvrp":
        from solver import _pyvrp

        pyvrp_result = (
            _pyvrp.solve_orders(problem, params)
            if initial is None
            else _pyvrp.solve_orders(problem, params, initial)
        )
        pyvrp_stage = SearchStage("pyvrp", params.seed, pyvrp_result.iterations)
        if pyvrp_result.found:
            return EngineResult(pyvrp_result.orders, "pyvrp", True, (pyvrp_stage,))
        logger.info(
            "PyVRP found no plan serving every must-visit in %.2f s; OR-Tools takes over",
            pyvrp_result.runtime_s,
        )
        left_s = max(0.1 * params.time_limit_s, params.time_limit_s - pyvrp_result.runtime_s)
        params = replace(params, time_limit_s=left_s)
        stages: tuple[SearchStage, ...] = (pyvrp_stage,)
    else:
        stages = ()
    from solver import _ortools

    result = (
        _ortools.solve_orders(problem, params)
        if initial is None
        else _ortools.solve_orders(problem, params, initial)
    )
    stage = SearchStage("ortools", params.seed, result.solutions)
    return EngineResult(result.orders, "ortools", result.found, (*stages, stage))


def retrace(
    problem: Problem,
    stages: Sequence[SearchStage],
    time_limit_s: float,
    initial: Sequence[Sequence[int]] | None = None,
) -> EngineResult:
    """Run the recorded ``stages`` again, each for exactly its steps, in this process: the
    same visit orders as the search that recorded them, whatever the machine's speed.
    ``time_limit_s`` is a safety net for each stage."""
    result = EngineResult([[] for _ in problem.agents], "ortools", False)
    for stage in stages:
        if stage.steps == 0:
            continue
        params = SolveParams(
            time_limit_s=time_limit_s,
            solution_limit=stage.steps,
            retrace=True,
            engine=cast(EngineName, stage.engine),
            seed=stage.seed,
            split_above_visits=None,
        )
        if stage.engine == "pyvrp":
            from solver import _pyvrp

            found = _pyvrp.solve_orders(problem, params, initial)
            result = EngineResult(found.orders, "pyvrp", found.found, tuple(stages))
        else:
            from solver import _ortools

            searched = _ortools.solve_orders(problem, params, initial)
            result = EngineResult(searched.orders, "ortools", searched.found, tuple(stages))
    return result


def race_candidates(problem: Problem, params: SolveParams) -> list[tuple[EngineName, SolveParams]]:
    """The searches that race when ``params.workers`` > 1, best configuration first.

    PyVRP (when chosen) races itself with other seeds; OR-Tools races its strategy
    portfolio (:func:`solver._ortools_search.search_parameters` reads the seed as the index
    of the strategy).
    """
    engine = choose_engine(problem, params)
    return [
        (engine, replace(params, seed=(params.seed + i) % 2**31, workers=1))
        for i in range(params.workers)
    ]


def plan_orders(
    problem: Problem, params: SolveParams, initial: Sequence[Sequence[int]] | None = None
) -> EngineResult:
    """Choose visit orders with the engine(s) ``params`` asks for.

    Parameters
    ----------
    problem
        The problem; at least one visit and one agent.
    params
        Limits, engine, seed and workers.
    initial
        A plan for every search to start from (one visit order per agent); None: each
        engine's own start.

    Returns
    -------
    EngineResult
        The orders of the single search, or of the cheapest plan among the racing searches.
    """
    if params.workers == 1:
        return run_engine(problem, params, choose_engine(problem, params), initial)
    return race_plan(problem, params, initial)


def race_plan(
    problem: Problem, params: SolveParams, initial: Sequence[Sequence[int]] | None = None
) -> EngineResult:
    """Run :func:`race_candidates` at once, one process each, and keep the cheapest plan."""
    started = time.perf_counter()
    candidates = race_candidates(problem, params)
    budget = max(0.1, params.time_limit_s - RACE_START_S)
    searches = [(engine, replace(p, time_limit_s=budget)) for engine, p in candidates]
    try:
        results = _run_in_pool(problem, searches, initial)
    except BrokenProcessPool:  # a search process died (e.g. out of memory): a fresh pool
        _drop_pool(len(searches))
        results = _run_in_pool(problem, searches, initial)
    costs = [plan_cost(problem, r) for r in results]
    best = min(range(len(results)), key=lambda i: (costs[i], i))
    logger.info(
        "race of %d searches: costs %s, kept %d, %.2f s",
        len(results),
        costs,
        best,
        time.perf_counter() - started,
    )
    return results[best]


# Search processes are kept between plans: starting one imports the caller's modules again
# (seconds for the service), which would dwarf a short search (bench/load.py).
_pools: dict[int, ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(size: int) -> ProcessPoolExecutor:
    with _pools_lock:
        pool = _pools.get(size)
        if pool is None:
            context = worker_context()
            pool = _pools[size] = ProcessPoolExecutor(max_workers=size, mp_context=context)
        return pool


def _drop_pool(size: int) -> None:
    with _pools_lock:
        pool = _pools.pop(size, None)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _run_in_pool(
    problem: Problem,
    searches: list[tuple[EngineName, SolveParams]],
    initial: Sequence[Sequence[int]] | None,
) -> list[EngineResult]:
    pool = _pool(len(searches))
    futures = [pool.submit(run_engine, problem, p, engine, initial) for engine, p in searches]
    return [future.result() for future in futures]


def plan_cost(problem: Problem, result: EngineResult) -> float:
    """What the plan costs by our own evaluation (:func:`solver.evaluate.evaluate`): the
    objective in money, or infinity for a missing or infeasible plan."""
    if not result.found:
        return math.inf
    evaluation = evaluate(problem, result.orders)
    return evaluation.objective if evaluation.feasible else math.inf
