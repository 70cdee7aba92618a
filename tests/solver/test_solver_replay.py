"""A solve stopped by its time limit is retraced exactly by :func:`solver.replay`."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from solver import InvalidProblemError, SearchStage, SearchTrace, SolveParams, replay, solve
from solver.model import Problem
from tests.solver.solver_testkit import orders
from tests.solver.test_decompose import town


@contextmanager
def busy_core() -> Iterator[None]:
    """Another thread burning processor time, so the replay runs at a different speed from
    the solve it retraces."""
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            sum(range(10_000))

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def with_breaks(problem: Problem) -> Problem:
    """The same town with a lunch break for everyone: outside PyVRP's model, so OR-Tools
    searches it."""
    from solver import Break

    lunch = (Break(earliest_start_s=11 * 3600, latest_start_s=13 * 3600, duration_s=1800),)
    return dataclasses.replace(
        problem, agents=tuple(dataclasses.replace(a, breaks=lunch) for a in problem.agents)
    )


@pytest.mark.parametrize(
    ("name", "problem", "workers"),
    [
        ("pyvrp", town(60, 5, seed=4), 1),
        ("ortools", with_breaks(town(60, 5, seed=4)), 1),
        ("pyvrp race", town(60, 5, seed=5), 2),
    ],
)
def test_a_time_limited_solve_is_replayed_exactly(
    name: str, problem: Problem, workers: int
) -> None:
    solved = solve(problem, SolveParams(time_limit_s=1.5, workers=workers))
    assert solved.trace is not None
    engines = [stage.engine for stage in solved.trace.stages]
    assert engines[-1] == name.split()[0]
    assert all(stage.steps > 0 for stage in solved.trace.stages)
    with busy_core():
        started = time.perf_counter()
        again = replay(problem, solved.trace)
    assert orders(again) == orders(solved)
    assert again.routes == solved.routes
    assert [u.visit_idx for u in again.unassigned] == [u.visit_idx for u in solved.unassigned]
    assert again.objective == solved.objective
    assert again.trace == solved.trace
    assert time.perf_counter() - started < 120


def test_a_repair_cut_by_its_deadline_is_replayed_to_the_same_step() -> None:
    problem = town(120, 4, seed=6)  # an over-full day: visits left out for the repair
    # No post-search budget: the repair's deadline has passed at its first check.
    params = SolveParams(time_limit_s=0.5, explain_time_limit_s=0.0, engine="ortools")
    solved = solve(problem, params)
    assert solved.trace is not None
    assert solved.trace.repair_steps == 0
    assert solved.unassigned
    again = replay(problem, solved.trace)
    assert again.routes == solved.routes
    assert again.trace == solved.trace
    full = replay(problem, dataclasses.replace(solved.trace, repair_steps=None))
    assert full.trace is not None
    assert full.trace.repair_steps is None
    assert full.objective <= again.objective


def test_a_trace_naming_an_unknown_engine_is_refused() -> None:
    trace = SearchTrace(stages=(SearchStage("gurobi", 0, 10),))
    with pytest.raises(InvalidProblemError, match="gurobi"):
        replay(town(12, 4), trace)
