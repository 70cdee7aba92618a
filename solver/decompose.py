"""City-scale plans: split into territories, solve them in parallel, improve across their
borders, join.

One search over thousands of visits and a hundred agents is beyond one model (OR-Tools'
maintainers advise decomposing above about a thousand stops; measured with
bench/city_scale.py, neither engine finds a complete plan of 2,000 visits in a minute). So
a problem above ``SolveParams.split_above_visits`` is:

1. split into territories of about ``territory_visits`` visits with the agents who serve
   them (:func:`split_problem`, see :mod:`solver.territories`);
2. each territory solved as an ordinary problem (:func:`solve_territory`), ``workers`` at a
   time, each in its own process (largest first);
3. joined (:func:`join_orders`), then improved across borders: pairs of neighbouring
   territories are re-solved together, starting from their current plan, and the result
   kept when the whole plan gets cheaper (:func:`improve_borders`); each wave re-solves
   disjoint pairs at once;
4. finished as any plan is (:func:`solver.pipeline.finish`): checked, repaired across the
   whole problem (a visit left out by its territory may fit a neighbour's route), timed,
   costed and explained, with a :class:`~solver.solution.SplitReport` saying how.

Steps 1, 2 and 3 are pure functions of plain data, so a task queue can run the territory
and pair solves on other machines instead of :class:`concurrent.futures.ProcessPoolExecutor`.

Budget: with ``solution_limit`` set, every territory and pair search stops after that many
iterations (PyVRP) or solutions (OR-Tools), whatever the number of workers, so one worker
and two find the same plan and two just find it sooner (the time limit is then a safety net
for each search). Otherwise the time limit is shared out: ``1 - border_share`` of what is
left after splitting goes to the territories, in rounds of ``workers`` at once, the rest to
the border waves likewise.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace

from solver.evaluate import evaluate
from solver.model import Problem
from solver.params import SolveParams
from solver.pipeline import finish, solve_whole
from solver.processes import worker_context
from solver.solution import Solution, SplitReport, TerritoryReport
from solver.subproblem import Part, part_of
from solver.territories import Split, split_territories, territory_count
from solver.wire import register

logger = logging.getLogger(__name__)

JOB_EXPLAIN_S = 0.4
"""Post-search budget of each territory or pair solve (repair, then reasons that the join
recomputes anyway): small, the whole plan is repaired and explained at the end."""

MIN_JOB_S = 0.5
"""Least search time of a territory or pair when the time limit is shared out (a very short
limit is exceeded rather than starving the searches)."""

MONEY_EPS = 1e-6
"""Smaller savings are ties: the plan stays as it was."""


@register
@dataclass(frozen=True, slots=True)
class PartOutcome:
    """A part's solution, the wall and processor seconds it took in its worker, and which
    worker that was (host and process id)."""

    solution: Solution
    wall_s: float
    cpu_s: float
    solved_by: str = ""


@register
@dataclass(frozen=True, slots=True)
class PartJob:
    """One search to run in a worker: a part, its limits, and a plan to start from."""

    problem: Problem
    params: SolveParams
    initial: list[list[int]] | None = None


def split_problem(problem: Problem, params: SolveParams) -> tuple[Split, list[Part]]:
    """The territories of ``problem`` (about ``params.territory_visits`` visits each) and
    each as a sub-problem of its own."""
    count = territory_count(problem, params.territory_visits)
    split = split_territories(problem, count, seed=params.seed)
    return split, [part_of(problem, t.agents, t.visits) for t in split.territories]


def solve_territory(
    problem: Problem, params: SolveParams, initial: Sequence[Sequence[int]] | None = None
) -> Solution:
    """Solve one territory (or any part) as a problem of its own, never split again, from
    the plan ``initial`` (one visit order per agent) when given. A pure function of plain
    data: a worker process or a queue's task can run it."""
    return solve_whole(problem, replace(params, split_above_visits=None), initial)


def join_orders(
    problem: Problem, parts: Sequence[Part], solutions: Sequence[Solution]
) -> list[list[int]]:
    """The whole problem's visit orders (one per agent) from each part's solution; agents
    in no part stay home."""
    orders: list[list[int]] = [[] for _ in problem.agents]
    for part, solution in zip(parts, solutions, strict=True):
        for agent_idx, order in part.lift(_orders(solution)).items():
            orders[agent_idx] = order
    return orders


def solve_split(
    problem: Problem, params: SolveParams, executor: Executor | None = None
) -> Solution:
    """Solve a large problem by territories (see the module docstring), on ``executor``
    (whose ``submit`` gets :func:`run_part` and a :class:`PartJob`; e.g. a task queue's)
    when given, else on ``params.workers`` local processes."""
    started = time.perf_counter()
    deadline = started + params.time_limit_s
    split, parts = split_problem(problem, params)
    split_s = time.perf_counter() - started
    workers = params.workers
    territory_budget = (deadline - time.perf_counter()) * (1 - params.border_share)
    job_params = _job_params(params, territory_budget, len(parts), workers)
    with _executor(workers, executor) as pool:
        phase = time.perf_counter()
        done = _run(pool, [PartJob(part.problem, job_params) for part in parts])
        territories_s = time.perf_counter() - phase
        orders = join_orders(problem, parts, [d.solution for d in done])
        joined = evaluate(problem, orders).objective
        phase = time.perf_counter()
        border = improve_borders(problem, split, orders, params, pool, deadline=deadline)
        border_s = time.perf_counter() - phase
    report = SplitReport(
        territories=tuple(
            TerritoryReport(
                agent_ids=tuple(problem.agents[a].id for a in part.agents),
                visit_ids=tuple(problem.visits[v].id for v in part.visits),
                assigned=len(part.visits) - len(d.solution.unassigned),
                cost=d.solution.objective,
                solve_s=d.wall_s,
                solved_by=d.solved_by,
            )
            for part, d in zip(parts, done, strict=True)
        ),
        workers=workers,
        cost_joined=joined,
        border_pairs=border.tried,
        border_improved=border.improved,
        split_s=split_s,
        territories_s=territories_s,
        border_s=border_s,
        search_cpu_s=sum(d.cpu_s for d in done) + border.cpu_s,
    )
    solution = finish(problem, border.orders, params, source="the territories", split=report)
    logger.info(
        "split %d visits, %d agents into %d territories (%.1f s), solved on %d workers "
        "(%.1f s), %d of %d border pairs improved (%.1f s): objective %.2f joined, %.2f "
        "final, %d unassigned, %.1f s",
        len(problem.visits),
        len(problem.agents),
        len(parts),
        split_s,
        workers,
        territories_s,
        border.improved,
        border.tried,
        border_s,
        joined,
        solution.objective,
        len(solution.unassigned),
        time.perf_counter() - started,
    )
    return solution


@dataclass(frozen=True, slots=True)
class BorderResult:
    """The plan after the work across borders (one visit order per agent), the pairs
    re-solved and how many of them made it cheaper, and the processor seconds taken."""

    orders: list[list[int]]
    tried: int
    improved: int
    cpu_s: float


def improve_borders(
    problem: Problem,
    split: Split,
    orders: list[list[int]],
    params: SolveParams,
    pool: Executor | None,
    *,
    deadline: float,
) -> BorderResult:
    """Re-solve neighbouring territories together, ``params.border_waves`` waves of
    disjoint pairs (most shared border visits first), each pair from its current plan; keep
    a pair's new plan when the whole plan gets cheaper. ``pool`` runs a wave's pairs at
    once (None: one after the other, here)."""
    territories = list(enumerate(split.territories))
    home_of_agent = {a: t for t, territory in territories for a in territory.agents}
    home_of_visit = {v: t for t, territory in territories for v in territory.visits}
    current = evaluate(problem, orders).objective
    done: set[tuple[int, int]] = set()
    tried = improved = 0
    cpu_s = 0.0
    for wave in range(params.border_waves):
        pairs = _disjoint_pairs(split, done)
        if not pairs or time.perf_counter() >= deadline:
            break
        done.update(pairs)
        waves_left = params.border_waves - wave
        budget = (deadline - time.perf_counter()) / waves_left
        job_params = _job_params(params, budget, len(pairs), max(1, params.workers))
        parts = []
        for t, u in pairs:
            agents = sorted(a for a, home in home_of_agent.items() if home in (t, u))
            visits = sorted(v for v, home in home_of_visit.items() if home in (t, u))
            parts.append(part_of(problem, agents, visits))
        jobs = [PartJob(part.problem, job_params, part.restrict(orders)) for part in parts]
        for part, outcome in zip(parts, _run(pool, jobs), strict=True):
            tried += 1
            cpu_s += outcome.cpu_s
            candidate = [list(order) for order in orders]
            for agent_idx, order in part.lift(_orders(outcome.solution)).items():
                candidate[agent_idx] = order
            evaluation = evaluate(problem, candidate)
            if evaluation.feasible and evaluation.objective < current - MONEY_EPS:
                orders, current = candidate, evaluation.objective
                improved += 1
                for agent_idx in part.agents:  # a visit now belongs where its agent does
                    for v in orders[agent_idx]:
                        home_of_visit[v] = home_of_agent[agent_idx]
    return BorderResult(orders, tried, improved, cpu_s)


def _disjoint_pairs(split: Split, done: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Bordering pairs not yet re-solved, most shared visits first, no territory twice."""
    busy: set[int] = set()
    pairs = []
    for t, u, _ in split.borders:
        if (t, u) in done or t in busy or u in busy:
            continue
        pairs.append((t, u))
        busy.update((t, u))
    return pairs


def _job_params(params: SolveParams, budget_s: float, jobs: int, workers: int) -> SolveParams:
    """Limits of each of ``jobs`` searches run ``workers`` at a time within ``budget_s``: a
    share of the time, or with a solution limit the whole time limit as a safety net."""
    if params.solution_limit is not None:
        search_s = params.time_limit_s
    else:
        rounds = math.ceil(jobs / workers)
        search_s = max(MIN_JOB_S, budget_s / max(1, rounds) - JOB_EXPLAIN_S)
    return replace(
        params,
        time_limit_s=search_s,
        explain_time_limit_s=min(params.explain_time_limit_s, JOB_EXPLAIN_S),
        workers=1,
        split_above_visits=None,
    )


@contextmanager
def _executor(workers: int, given: Executor | None) -> Iterator[Executor | None]:
    """The ``given`` executor, else a pool of ``workers`` processes, or None to run jobs in
    this process (one worker)."""
    if given is not None:
        yield given
        return
    if workers == 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=worker_context()) as pool:
        yield pool


def _run(pool: Executor | None, jobs: Sequence[PartJob]) -> list[PartOutcome]:
    """Each job's outcome, in job order; the largest start first, so the last to finish
    are small ones."""
    order = sorted(range(len(jobs)), key=lambda j: -len(jobs[j].problem.visits))
    if pool is None:
        results = {j: run_part(jobs[j]) for j in order}
    else:
        futures = {j: pool.submit(run_part, jobs[j]) for j in order}
        results = {j: future.result() for j, future in futures.items()}
    return [results[j] for j in range(len(jobs))]


def run_part(job: PartJob) -> PartOutcome:
    """Solve one part (a territory, or a pair of them): what a worker process, or a task
    queue's worker (with :mod:`solver.wire`), runs."""
    started, cpu = time.perf_counter(), time.process_time()
    solution = solve_territory(job.problem, job.params, job.initial)
    where = f"{socket.gethostname()}:{os.getpid()}"
    return PartOutcome(solution, time.perf_counter() - started, time.process_time() - cpu, where)


def _orders(solution: Solution) -> list[list[int]]:
    return [[stop.visit_idx for stop in route.stops] for route in solution.routes]
