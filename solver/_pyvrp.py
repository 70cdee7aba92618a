"""PyVRP as a second search engine (see :mod:`solver.engines`).

With :mod:`solver._pyvrp_model` (the translation of a problem) the only modules of the
package that import ``pyvrp``. The search is PyVRP's iterated local search as
:func:`pyvrp.solve` runs it, with penalties in our cost units and a stopping rule that gives
up early when the must-visits cannot all be served (an over-full day: OR-Tools, which may
leave visits out, then takes over). Measured on Solomon (bench/solomon.py), given the same
matrices it finds the same plans as ``pyvrp.solve``. Nothing PyVRP-typed leaves this module:
:func:`solve_orders` returns plain lists of visit indices.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pyvrp import (
    IteratedLocalSearch,
    PenaltyManager,
    PenaltyParams,
    ProblemData,
    RandomNumberGenerator,
    Solution,
)
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    PerturbationParams,
    compute_neighbours,
)

from solver._pyvrp_model import FORBIDDEN_DISTANCE, build_model, horizon_s, initial_solution
from solver.model import Problem
from solver.params import SolveParams

NO_FEASIBLE_GIVE_UP = 0.25
"""Share of the time (or iteration) budget after which a search that has found no feasible
plan gives up, leaving the rest of the budget to a fallback engine."""

_UNLIMITED = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class PyVrpResult:
    """What PyVRP found, as plain data.

    Attributes
    ----------
    orders
        One list per agent (in the order of ``Problem.agents``) of the visit indices it
        serves, in service order; all empty when ``found`` is False.
    found
        Whether PyVRP's best solution is feasible. It is not when the must-visits that some
        agent could serve alone do not all fit; the search then gives up early (see
        :data:`NO_FEASIBLE_GIVE_UP`) and the caller should fall back to OR-Tools.
    iterations
        Iterations of the iterated local search that ran.
    runtime_s
        Time the search took (building the model included).
    """

    orders: list[list[int]]
    found: bool
    iterations: int
    runtime_s: float


def _penalty_manager(data: ProblemData, horizon: int) -> PenaltyManager:
    """PyVRP's penalty manager, its penalties in our cost units.

    PyVRP's defaults (start 50 000, bounds 0.1 - 100 000 per unit of violation) assume one
    unit of cost per unit of travel. Ours are scaled money, so every penalty is multiplied by
    the mean cost of a second of travel (the Solomon runs then match PyVRP's own). The upper
    bound is raised to the largest prize, so that at worst a unit of violation costs more
    than leaving any visit out, but kept where no product of a penalty and a violation can
    overflow 64 bits.
    """
    arc_costs = []
    durations = []
    for vt in data.vehicle_types():
        full = np.asarray(data.distance_matrix(vt.profile), dtype=np.int64)
        dur = float(np.asarray(data.duration_matrix(vt.profile), dtype=np.int64).mean())
        dist = float(full[full < FORBIDDEN_DISTANCE].mean())
        arc_costs.append(vt.unit_distance_cost * dist + vt.unit_duration_cost * dur)
        durations.append(dur)
    per_time = max(1.0, float(np.mean(arc_costs))) / max(1.0, float(np.mean(durations)))
    defaults = PenaltyParams()
    max_prize = max((c.prize for c in data.clients()), default=0)
    loads = [c.delivery for c in data.clients()]
    largest_violation = max([horizon, *(sum(load) for load in zip(*loads, strict=True))])
    params = PenaltyParams(
        min_penalty=defaults.min_penalty * per_time,
        max_penalty=min(
            float(2**62) / largest_violation, max(defaults.max_penalty * per_time, max_prize)
        ),
    )
    start = per_time * (defaults.min_penalty + defaults.max_penalty) / 2
    return PenaltyManager(([start] * data.num_load_dimensions, start, start), params)


class _Stop:
    """Stop at the time limit or the iteration limit (``solution_limit``), or when no feasible
    plan has been found after :data:`NO_FEASIBLE_GIVE_UP` of either (never early when
    retracing: the recorded run's iterations are what counts)."""

    def __init__(self, params: SolveParams, started: float) -> None:
        self._deadline = started + params.time_limit_s
        self._give_up_time = started + NO_FEASIBLE_GIVE_UP * params.time_limit_s
        self._max_iterations = params.solution_limit
        self._give_up = not params.retrace
        self._iterations = 0

    def __call__(self, best_cost: int) -> bool:
        self._iterations += 1
        now = time.perf_counter()
        if now >= self._deadline:
            return True
        limit = self._max_iterations
        if limit is not None and self._iterations > limit:
            return True
        if best_cost < _UNLIMITED or not self._give_up:  # a feasible plan exists
            return False
        if limit is not None:
            return self._iterations > NO_FEASIBLE_GIVE_UP * limit
        return now >= self._give_up_time


def search(
    data: ProblemData,
    params: SolveParams,
    horizon: int,
    started: float,
    initial: Solution | None = None,
) -> tuple[Solution, int]:
    """PyVRP's iterated local search on ``data`` (what :func:`pyvrp.solve` does, with
    penalties in our cost units and the stopping rule of :class:`_Stop`), from ``initial``
    when given, else from a random solution.

    Returns
    -------
    tuple of (Solution, int)
        The best solution found (feasible when any was) and the iterations run.
    """
    rng = RandomNumberGenerator(seed=params.seed)
    neighbours = compute_neighbours(data, NeighbourhoodParams())
    ls = LocalSearch(data, rng, neighbours, PerturbationManager(PerturbationParams()))
    for op in OPERATORS:
        if op.supports(data):
            ls.add_operator(op(data))
    pm = _penalty_manager(data, horizon)
    with warnings.catch_warnings():
        # An over-full day never becomes feasible: PyVRP warns that its penalties hit their
        # bound; the caller sees the infeasible result and hands the day to OR-Tools.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        start = Solution.make_random(data, rng) if initial is None else initial
        init = ls(start, pm.max_cost_evaluator(), exhaustive=True)
        result = IteratedLocalSearch(data, pm, ls, init).run(
            _Stop(params, started), collect_stats=False
        )
    return result.best, result.num_iterations


def solve_orders(
    problem: Problem, params: SolveParams, initial: Sequence[Sequence[int]] | None = None
) -> PyVrpResult:
    """Run PyVRP on ``problem`` and return each agent's visit order.

    Parameters
    ----------
    problem
        A problem inside PyVRP's model with at least one visit and one agent.
    params
        Time limit, iteration limit (``solution_limit``) and seed.
    initial
        A plan to start from (one visit order per agent), e.g. the current one when
        improving it; None: a random start.

    Returns
    -------
    PyVrpResult
        Visit orders per agent, whether they are feasible, the iterations and the time.
    """
    started = time.perf_counter()
    if not problem.visits or not problem.agents:
        msg = "solve_orders needs at least one visit and one agent"
        raise ValueError(msg)
    model = build_model(problem)
    orders: list[list[int]] = [[] for _ in problem.agents]
    if model.data.num_clients == 0:
        return PyVrpResult(orders, True, 0, time.perf_counter() - started)
    start = None if initial is None else initial_solution(model, problem, initial)
    best, iterations = search(model.data, params, horizon_s(problem), started, start)
    if not best.is_feasible():
        return PyVrpResult(orders, False, iterations, time.perf_counter() - started)
    free = [list(agents) for agents in model.agents_of_type]
    for route in best.routes():
        agent_idx = free[route.vehicle_type()].pop(0)
        orders[agent_idx] = [
            model.visit_of_client[activity.idx] for activity in route if activity.is_client()
        ]
    return PyVrpResult(orders, True, iterations, time.perf_counter() - started)
