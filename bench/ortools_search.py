"""OR-Tools search strategies compared on Solomon instances (how solver/_ortools_search.py
was tuned).

Usage::

    .venv/bin/python bench/ortools_search.py [--strategies LCI+GLS PCA+GLS ...]
        [--time-limit 10] [--instances R101 R105 ...] [--benchmarks PATH]

Each strategy of :data:`solver._ortools_search.CANDIDATES` runs our OR-Tools model
(:func:`solver._ortools.solve_orders`) on each instance, mapped as in bench/solomon.py, in
this one process. Prints the exact distance and its gap to the distance-only reference per
instance, the mean gap per strategy, and for every pair of strategies the mean gap of the
better plan of the two on each instance: what racing that pair on two cores would give (less
the start-up of the second process). Figures vary with machine load: say what else ran.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import numpy as np
from solomon import BENCHMARKS, check_routes, read_bks, read_instance, to_problem

from solver import SolveParams
from solver import _ortools as ortools_model
from solver._ortools_search import CANDIDATES, search_parameters

SUBSET = (
    "R101 R105 R109 R112 R201 R205 RC101 RC105 RC202 RC206 C104 C204".split()  # noqa: SIM905
)
"""Twelve instances of every family, tight and loose windows."""


def main(argv: Sequence[str] | None = None) -> None:
    """Run the strategies and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strategies", nargs="+", default=list(CANDIDATES))
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--instances", nargs="+", default=list(SUBSET))
    parser.add_argument("--benchmarks", type=Path, default=BENCHMARKS)
    args = parser.parse_args(argv)
    folder = args.benchmarks / "solomon"
    bks = read_bks(folder / "bks.csv")

    gaps: dict[str, dict[str, float]] = {name: {} for name in args.strategies}
    for name in args.strategies:
        namespace = vars(ortools_model)  # the model module looks the function up here
        original = namespace["search_parameters"]
        namespace["search_parameters"] = partial(search_parameters, strategy=CANDIDATES[name])
        try:
            for instance in args.instances:
                inst = read_instance(folder / "instances" / f"{instance}.vrp")
                started = time.perf_counter()
                result = ortools_model.solve_orders(
                    to_problem(inst), SolveParams(time_limit_s=args.time_limit)
                )
                elapsed = time.perf_counter() - started
                routes = [[v + 1 for v in order] for order in result.orders]
                distance, problems = check_routes(inst, routes)
                reference = float(bks[instance]["dist_only_distance_exact"])
                gap = 100 * (distance / reference - 1) if not problems else float("nan")
                gaps[name][instance] = gap
                print(
                    f"{name:<18}{instance:<7}{distance:>10.2f}{gap:>8.2f}{elapsed:>6.1f} s  "
                    f"{'ok' if not problems else '; '.join(problems[:2])}",
                    flush=True,
                )
        finally:
            namespace["search_parameters"] = original

    print()
    print(f"{'strategy':<40}{'mean gap %':>11}")
    for name, by_instance in gaps.items():
        print(f"{name:<40}{np.mean(list(by_instance.values())):>11.3f}")
    print()
    print(f"{'race of two (better plan per instance)':<40}{'mean gap %':>11}")
    pairs = sorted(
        (
            float(np.mean([min(gaps[a][i], gaps[b][i]) for i in args.instances])),
            f"{a} | {b}",
        )
        for a, b in itertools.combinations(args.strategies, 2)
    )
    for mean, label in pairs:
        print(f"{label:<40}{mean:>11.3f}")


if __name__ == "__main__":
    main()
