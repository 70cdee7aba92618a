"""How long and how the search runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from solver.errors import InvalidProblemError

Engine = Literal["auto", "ortools", "pyvrp"]
"""Which search engine plans the day: ``"ortools"`` handles every feature of the model,
``"pyvrp"`` only problems inside its model (see :func:`solver.engines.pyvrp_unsupported`),
``"auto"`` picks PyVRP when it can and OR-Tools otherwise."""

ENGINES: tuple[Engine, ...] = get_args(Engine)


@dataclass(frozen=True, slots=True, kw_only=True)
class SolveParams:
    """Search limits, engine choice and parallelism.

    Attributes
    ----------
    time_limit_s
        Wall-clock budget of the search (seconds), whatever the number of workers.
    solution_limit
        A step budget that makes a run reproducible: OR-Tools stops after this many
        solutions, PyVRP after this many iterations of its iterated local search. With
        ``workers=1`` and a fixed ``seed`` the same problem then gives the same plan (the
        time limit stays a safety net and should be generous).
    retrace
        Run exactly ``solution_limit`` steps, even without a feasible plan (PyVRP otherwise
        gives up early and hands over to OR-Tools): set by :func:`solver.replay`.
    engine
        ``"auto"`` (default), ``"ortools"`` or ``"pyvrp"``; see :data:`Engine`.
    seed
        Seed of the randomised search (PyVRP; OR-Tools' search is deterministic).
    workers
        Processes searching at once (at least 1). Below the split threshold, with 2 or
        more, differently configured searches race for the whole time limit and the
        cheaper plan is kept (see :func:`solver.engines.race_plan`); above it, territories
        are solved this many at a time (see :mod:`solver.decompose`).
    split_above_visits
        Problems with more visits than this are split into territories, solved separately
        and joined (:mod:`solver.decompose`); None: never split. Measured with
        bench/city_scale.py: one search over 2,000 visits finds no complete plan in a
        minute where territories of 200 are planned in seconds each.
    territory_visits
        Visits per territory aimed at when splitting.
    border_share
        Share of the time limit for improving plans across territory borders (re-solving
        pairs of neighbouring territories together); the rest goes to the territories.
    border_waves
        Rounds of re-solving neighbouring pairs (each round a set of disjoint pairs, most
        shared border visits first); 0: no improvement across borders.
    """

    time_limit_s: float = 5.0
    solution_limit: int | None = None
    retrace: bool = False
    explain_time_limit_s: float = 2.0
    """Budget after the search (seconds): half for repairing the plan, the rest for
    explaining and hinting at the visits left out."""
    engine: Engine = "auto"
    seed: int = 0
    workers: int = 1
    split_above_visits: int | None = 800
    territory_visits: int = 200
    border_share: float = 0.4
    border_waves: int = 2

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            msg = f"time_limit_s must be positive, got {self.time_limit_s}"
            raise InvalidProblemError(msg)
        if self.explain_time_limit_s < 0:
            msg = f"explain_time_limit_s must not be negative, got {self.explain_time_limit_s}"
            raise InvalidProblemError(msg)
        if self.solution_limit is not None and self.solution_limit < 1:
            msg = f"solution_limit must be at least 1, got {self.solution_limit}"
            raise InvalidProblemError(msg)
        if self.engine not in ENGINES:
            msg = f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}"
            raise InvalidProblemError(msg)
        if not 0 <= self.seed < 2**31:
            msg = f"seed must be in [0, 2**31), got {self.seed}"
            raise InvalidProblemError(msg)
        if self.workers < 1:
            msg = f"workers must be at least 1, got {self.workers}"
            raise InvalidProblemError(msg)
        if self.split_above_visits is not None and self.split_above_visits < 1:
            msg = f"split_above_visits must be at least 1, got {self.split_above_visits}"
            raise InvalidProblemError(msg)
        if self.territory_visits < 1:
            msg = f"territory_visits must be at least 1, got {self.territory_visits}"
            raise InvalidProblemError(msg)
        if not 0 <= self.border_share < 1:
            msg = f"border_share must be in [0, 1), got {self.border_share}"
            raise InvalidProblemError(msg)
        if self.border_waves < 0:
            msg = f"border_waves must not be negative, got {self.border_waves}"
            raise InvalidProblemError(msg)
