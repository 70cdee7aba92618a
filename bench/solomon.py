"""Plan quality on the 56 Solomon VRPTW instances against the best-known solutions.

Usage::

    .venv/bin/python bench/solomon.py [--time-limit 10] [--instances C1 R101 ...]
        [--engines auto ortools pyvrp plain-pyvrp vroom] [--workers 1] [--seed 0]
        [--benchmarks PATH]

Each instance becomes one of our problems (:func:`to_problem`): one depot place, 25
identical agents whose shift is the depot's window, the instance's capacity and demands,
windows on the start of service, service times, and travel time = distance = Euclidean. Our
matrices are integers, so coordinates are scaled by :data:`SCALE` = 1000 (one unit of the
instance = 1000 s = 1000 m): the rounding then moves a leg by at most 0.0005 units, below the
2-decimal precision of the best-known distances. Travel *times* are rounded up, so a plan
feasible in our integers is feasible with exact times; distances are rounded to nearest.
The objective is total distance: each agent costs 1 per km and nothing else, and every visit
must be made (no value).

Each plan is re-evaluated on exact float distances and times by :func:`check_routes`
(independent of the solver) and compared with the SINTEF best-known distance (``bks``,
hierarchical: fewest vehicles first) and the distance-only reference (``dist-only``, the
CVRPLIB routes re-evaluated with exact distances; a pure distance minimiser can beat the
SINTEF distance by using more vehicles). Engines: ``auto``, ``ortools``, ``pyvrp`` are
ours (:func:`solver.engines.plan_orders` with that engine); ``plain-pyvrp`` is PyVRP's own
``solve`` on the instance read by ``pyvrp.read`` (the same matrices: x 1000, travel rounded up) and
``vroom`` is pyvroom (exploration level 5, one thread, the same time limit), when installed.
Figures vary with machine load: say what else ran.
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from solver import (
    CAPACITY,
    Agent,
    AgentCosts,
    Problem,
    Solution,
    SolveParams,
    TimeWindow,
    Unassigned,
    Visit,
    check_solution,
    evaluate,
)
from solver.engines import plan_orders

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
SCALE = 1000
"""Integer units (seconds, metres) per unit of the instance."""

ENGINES = ("auto", "ortools", "pyvrp", "plain-pyvrp", "vroom")


@dataclass(frozen=True, slots=True)
class Instance:
    """A Solomon instance; node 0 is the depot.

    Attributes
    ----------
    name
        E.g. ``"C101"``.
    xy
        Coordinates, shape (n + 1, 2).
    demand, ready, due, service
        Per node; the depot's window is the planning horizon.
    capacity
        Of every vehicle.
    vehicles
        Fleet size.
    """

    name: str
    xy: npt.NDArray[np.float64]
    demand: npt.NDArray[np.int64]
    ready: npt.NDArray[np.float64]
    due: npt.NDArray[np.float64]
    service: npt.NDArray[np.float64]
    capacity: int
    vehicles: int

    def distances(self) -> npt.NDArray[np.float64]:
        """Exact Euclidean distances between nodes."""
        diff = self.xy[:, np.newaxis, :] - self.xy[np.newaxis, :, :]
        return np.asarray(np.sqrt((diff**2).sum(axis=2)), dtype=np.float64)


def read_instance(path: Path) -> Instance:
    """Read a VRPLIB CVRPTW file (node 1 is the depot; a global ``SERVICE_TIME``).

    Parameters
    ----------
    path
        The ``.vrp`` file.

    Returns
    -------
    Instance
        The instance, nodes renumbered from 0.
    """
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current: str | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if line.endswith("_SECTION"):
            current = line
            sections[current] = []
        elif current is None and ":" in line:
            key, value = line.split(":", 1)
            header[key.strip()] = value.strip()
        elif current is not None:
            sections[current].append(line.split())
    n = int(header["DIMENSION"])
    xy = np.array([[float(x), float(y)] for _, x, y in sections["NODE_COORD_SECTION"]])
    demand = np.array([int(d) for _, d in sections["DEMAND_SECTION"]], dtype=np.int64)
    windows = np.array([[float(a), float(b)] for _, a, b in sections["TIME_WINDOW_SECTION"]])
    service = np.full(n, float(header.get("SERVICE_TIME", 0)))
    service[0] = 0.0
    depots = [int(row[0]) for row in sections["DEPOT_SECTION"] if int(row[0]) > 0]
    if depots != [1] or len(xy) != n:
        msg = f"{path.name}: expected {n} nodes with node 1 as the only depot"
        raise ValueError(msg)
    return Instance(
        name=header["NAME"],
        xy=xy,
        demand=demand,
        ready=windows[:, 0],
        due=windows[:, 1],
        service=service,
        capacity=int(header["CAPACITY"]),
        vehicles=int(header["VEHICLES"]),
    )


def scaled_matrices(inst: Instance) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Travel times rounded up and distances rounded to nearest, in units of 1/:data:`SCALE`."""
    exact = inst.distances() * SCALE
    travel = np.ceil(exact - 1e-6).astype(np.int64)
    return travel, np.rint(exact).astype(np.int64)


def to_problem(inst: Instance) -> Problem:
    """The instance as one of our problems (see the module docstring)."""
    travel, distance = scaled_matrices(inst)
    visits = tuple(
        Visit(
            id=f"c{i}",
            location_idx=i,
            service_s=round(inst.service[i] * SCALE),
            time_windows=(
                TimeWindow(start_s=round(inst.ready[i] * SCALE), end_s=round(inst.due[i] * SCALE)),
            ),
            demand=int(inst.demand[i]),
        )
        for i in range(1, len(inst.xy))
    )
    shift = TimeWindow(start_s=round(inst.ready[0] * SCALE), end_s=round(inst.due[0] * SCALE))
    agents = tuple(
        Agent(
            id=f"v{k}",
            start_location_idx=0,
            end_location_idx=0,
            shift=shift,
            capacity=inst.capacity,
            costs=AgentCosts(per_km=1.0),
        )
        for k in range(inst.vehicles)
    )
    return Problem(visits=visits, agents=agents, travel_time_s=travel, distance_m=distance)


def check_routes(inst: Instance, routes: Sequence[Sequence[int]]) -> tuple[float, list[str]]:
    """Total exact distance of ``routes`` (customer node numbers 1..n) and what is wrong.

    Exact float times: service starts at max(arrival, ready), must not be after due; the
    vehicle is back at the depot by its due date; load within capacity; every customer
    exactly once; at most ``inst.vehicles`` routes.
    """
    dist = inst.distances()
    problems: list[str] = []
    seen = sorted(c for route in routes for c in route)
    if seen != list(range(1, len(inst.xy))):
        problems.append(f"{len(inst.xy) - 1 - len(set(seen))} customers missing or repeated")
    used = [r for r in routes if r]
    if len(used) > inst.vehicles:
        problems.append(f"{len(used)} routes > {inst.vehicles} vehicles")
    total = 0.0
    for k, route in enumerate(used):
        if int(inst.demand[list(route)].sum()) > inst.capacity:
            problems.append(f"route {k}: load over capacity")
        clock, prev = float(inst.ready[0]), 0
        for c in [*route, 0]:
            clock += dist[prev, c]
            total += dist[prev, c]
            if clock > inst.due[c] + 1e-9:
                problems.append(f"route {k}: late at node {c} by {clock - inst.due[c]:.4f}")
            clock = max(clock, float(inst.ready[c])) + float(inst.service[c])
            prev = c
    return total, problems


def read_bks(path: Path) -> dict[str, dict[str, str]]:
    """Rows of ``bks.csv`` by instance name."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["instance"]: row for row in csv.DictReader(handle)}


Runner = Callable[[Path, Instance, float], tuple[list[list[int]], list[str]]]
"""Solves an instance: routes as customer node numbers, and what our own checker
(:func:`solver.check_solution`) finds wrong with the plan (empty for other solvers)."""


def solution_of(problem: Problem, orders: Sequence[Sequence[int]]) -> Solution:
    """The orders timed and costed by :func:`solver.evaluate`, as a :class:`Solution` (the
    reason of an unassigned visit is a placeholder: the checker does not judge reasons).

    TODO(integration): use ``solver.solve(problem, params)`` once it runs the engines.
    """
    evaluation = evaluate(problem, orders)
    return Solution(
        routes=evaluation.routes,
        unassigned=tuple(
            Unassigned(visit_idx=v, reason=CAPACITY, detail="not served")
            for v in evaluation.unassigned
        ),
        objective=evaluation.objective,
        lost_value=evaluation.lost_value,
        balance_cost=evaluation.balance_cost,
    )


def run_ours(engine: str, workers: int, seed: int) -> Runner:
    """Our solver with ``engine``; checked by :func:`solver.check_solution` too."""

    def run(_path: Path, inst: Instance, limit_s: float) -> tuple[list[list[int]], list[str]]:
        problem = to_problem(inst)
        params = SolveParams(time_limit_s=limit_s, engine=engine, workers=workers, seed=seed)  # type: ignore[arg-type]
        result = plan_orders(problem, params)
        violations = check_solution(problem, solution_of(problem, result.orders))
        routes = [[v + 1 for v in order] for order in result.orders]
        return routes, [f"{v.code}: {v.detail}" for v in violations]

    return run


def run_plain_pyvrp(seed: int) -> Runner:
    """PyVRP's own reader and ``solve`` with default parameters."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    def run(path: Path, _inst: Instance, limit_s: float) -> tuple[list[list[int]], list[str]]:
        data = pyvrp.read(path, round_func=lambda v: np.ceil(v * SCALE - 1e-6).astype(np.int64))
        result = pyvrp.solve(data, MaxRuntime(limit_s), seed=seed, display=False)
        routes = [[a.idx + 1 for a in route if a.is_client()] for route in result.best.routes()]
        return routes, []

    return run


def run_vroom() -> Runner:
    """pyvroom at exploration level 5 on one thread with the same matrices."""
    from datetime import timedelta

    import vroom

    def run(_path: Path, inst: Instance, limit_s: float) -> tuple[list[list[int]], list[str]]:
        travel, distance = scaled_matrices(inst)
        problem = vroom.Input()
        problem.set_durations_matrix("car", travel)
        problem.set_costs_matrix("car", distance)
        problem.set_distances_matrix("car", distance)
        depot_tw = vroom.TimeWindow(int(inst.ready[0] * SCALE), int(inst.due[0] * SCALE))
        for k in range(inst.vehicles):
            problem.add_vehicle(
                vroom.Vehicle(
                    k,
                    start=0,
                    end=0,
                    profile="car",
                    capacity=[inst.capacity],
                    time_window=depot_tw,
                )
            )
        for i in range(1, len(inst.xy)):
            problem.add_job(
                vroom.Job(
                    i,
                    location=i,
                    default_service=round(inst.service[i] * SCALE),
                    delivery=[int(inst.demand[i])],
                    time_windows=[
                        vroom.TimeWindow(round(inst.ready[i] * SCALE), round(inst.due[i] * SCALE))
                    ],
                )
            )
        solution = problem.solve(
            exploration_level=5, nb_threads=1, timeout=timedelta(seconds=limit_s)
        )
        routes: dict[int, list[int]] = {}
        frame = solution.routes
        for vehicle, kind, job in zip(frame["vehicle_id"], frame["type"], frame["id"], strict=True):
            if kind == "job":
                routes.setdefault(int(vehicle), []).append(int(job))
        return list(routes.values()), []

    return run


def _gap(distance: float, reference: str) -> str:
    if not reference:
        return "      -"
    return f"{100 * (distance / float(reference) - 1):8.2f}"


def main(argv: Sequence[str] | None = None) -> None:
    """Run the engines on the instances and print one line per (instance, engine)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument(
        "--instances", nargs="*", default=[], help="names or prefixes (C1, R2, RC101...)"
    )
    parser.add_argument("--engines", nargs="+", default=["auto"], choices=ENGINES)
    parser.add_argument("--workers", type=int, default=1, help="our solver's workers")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--benchmarks", type=Path, default=BENCHMARKS)
    args = parser.parse_args(argv)

    folder = args.benchmarks / "solomon"
    bks = read_bks(folder / "bks.csv")
    paths = sorted((folder / "instances").glob("*.vrp"))
    if args.instances:
        paths = [p for p in paths if any(p.stem.startswith(w.upper()) for w in args.instances)]
    runners: dict[str, Runner] = {}
    for engine in args.engines:
        if engine == "plain-pyvrp":
            runners[engine] = run_plain_pyvrp(args.seed)
        elif engine == "vroom":
            try:
                runners[engine] = run_vroom()
            except ImportError:
                print("vroom: pyvroom is not installed (pip install '.[bench]'); skipped")
        else:
            runners[engine] = run_ours(engine, args.workers, args.seed)

    print(
        f"time limit {args.time_limit:g} s per instance, workers {args.workers}, "
        f"seed {args.seed}, {len(paths)} instances"
    )
    print(
        f"{'instance':<9}{'engine':<12}{'veh':>4}{'bks veh':>8}{'distance':>10}"
        f"{'bks':>10}{'gap %':>8}{'dist-only':>10}{'gap %':>8}{'time s':>8}  check"
    )
    totals: dict[str, list[tuple[float, float, bool, int, int]]] = {e: [] for e in runners}
    for path in paths:
        inst = read_instance(path)
        row = bks[inst.name]
        for engine, runner in runners.items():
            started = time.perf_counter()
            routes, problems = runner(path, inst, args.time_limit)
            elapsed = time.perf_counter() - started
            distance, exact_problems = check_routes(inst, routes)
            problems = exact_problems + problems
            used = sum(1 for r in routes if r)
            gap = 100 * (distance / float(row["distance"]) - 1)
            only = row["dist_only_distance_exact"]
            gap_only = 100 * (distance / float(only) - 1) if only else math.nan
            totals[engine].append((gap, gap_only, not problems, used, int(row["vehicles"])))
            print(
                f"{inst.name:<9}{engine:<12}{used:>4}{row['vehicles']:>8}{distance:>10.2f}"
                f"{float(row['distance']):>10.2f}{_gap(distance, row['distance'])}"
                f"{(float(only) if only else math.nan):>10.2f}{_gap(distance, only)}"
                f"{elapsed:>8.1f}  {'ok' if not problems else '; '.join(problems[:3])}",
                flush=True,
            )
    print()
    print(
        f"{'engine':<12}{'instances':>10}{'mean gap %':>11}{'max gap %':>10}"
        f"{'gap dist-only %':>16}{'feasible':>9}{'veh':>6}{'bks veh':>8}"
    )
    for engine, rows in totals.items():
        if not rows:
            continue
        gaps = [r[0] for r in rows]
        gaps_only = [r[1] for r in rows if not math.isnan(r[1])]
        print(
            f"{engine:<12}{len(rows):>10}{np.mean(gaps):>11.3f}{max(gaps):>10.2f}"
            f"{(np.mean(gaps_only) if gaps_only else math.nan):>16.3f}"
            f"{sum(r[2] for r in rows):>6}/{len(rows):<3}{sum(r[3] for r in rows):>5}"
            f"{sum(r[4] for r in rows):>8}"
        )


if __name__ == "__main__":
    main()
