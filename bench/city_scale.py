"""City-scale planning: 2,000 cases and 120 agents on the Liechtenstein roads, split into
territories, on one worker process and on two, against one un-split OR-Tools search.

Usage: .venv/bin/python bench/city_scale.py [--cases 2000] [--agents 120] [--iterations 1000]
       [--territory-visits 200] [--border-waves 2] [--repeats 3] [--no-unsplit]

The day: every address of the shipped extract (1,001) is a case, the rest lie near random
addresses (a few hundred metres off, as a town's other doors), each snapped to the drivable
roads within 500 m; agents start and end at home (random addresses); shifts 08:00-17:00;
service 10-20 minutes; a fifth of the cases have one 2-hour window and a tenth two (early
morning, mid-afternoon); 8 % need the skill "fr", which a fifth of the agents have; 1 % are
pinned to an agent able to serve them. Agents cost 20 a day used, 30 an hour and 0.40 a km;
every case must be visited (no value), so "unassigned" counts what did not fit.

Printed: the region import, snapping and the travel matrices (one process, then two, the
same matrices); then, repeated and interleaved so that load changes hit both alike,

(a) split, 1 worker   each territory search and each border-pair search stops after
(b) split, 2 workers  ``--iterations`` PyVRP iterations: both find the same plan, so the
                      cost is equal by design and only the wall time differs;
(c) one un-split OR-Tools search (no territories), given the same wall time as the first
    run of (a) (its time limit is that wall time less the 2 s post-search budget);

before each repeat, a machine check: how much faster two processes burn through two equal
loops than one does (2.0 with two free cores; other users' work lowers it, and with it the
most (b) can gain);

with wall and processor time, total travel time, unassigned cases, total cost (of the routes)
and the objective (cost plus a million per unserved must-visit, as the solver counts), the split
(territories, agents, visits, solve seconds, cost) and the speed-up of (b) over (a). The
machine is shared: compare within one run and read the spread.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from geo import LatLon, Region, TravelMode, import_region, load_region, travel_matrices
from solver import (
    Agent,
    AgentCosts,
    Problem,
    Solution,
    SolveParams,
    TimeWindow,
    Visit,
    check_solution,
    solve,
)

ROOT = Path(__file__).resolve().parents[1]
EXTRACT = ROOT / "data" / "osm" / "liechtenstein.osm.pbf"
HOUR_S = 3600
JITTER_DEG = (0.0025, 0.0035)
"""Spread (lat, lon degrees; about 280 m) of the generated cases around real addresses."""


@dataclasses.dataclass(frozen=True)
class Run:
    """One planning run's figures."""

    label: str
    wall_s: float
    cpu_s: float
    solution: Solution

    @property
    def travel_h(self) -> float:
        return sum(route.travel_s for route in self.solution.routes) / HOUR_S

    @property
    def cost(self) -> float:
        """Money of the routes (what the day costs; the objective adds left-out value)."""
        return sum(route.cost.total for route in self.solution.routes)


def places(region: Region, cases: int, agents: int, seed: int) -> tuple[list[LatLon], int]:
    """Agents' homes then the cases' points (all on the drivable roads), and how many cases
    are real addresses."""
    rng = np.random.default_rng(seed)
    addresses = [a.location for a in region.addresses.addresses()]
    homes = [addresses[i] for i in rng.choice(len(addresses), agents, replace=False)]
    real = addresses[:cases]
    points = list(real)
    while len(points) < cases:
        base = addresses[int(rng.integers(len(addresses)))]
        points.append(
            LatLon(base.lat + rng.normal(0, JITTER_DEG[0]), base.lon + rng.normal(0, JITTER_DEG[1]))
        )
    snaps = region.locators[TravelMode.DRIVE].snap(homes + points, max_distance_m=500)
    kept = [p for p, s in zip(homes + points, snaps, strict=True) if s is not None]
    if len(kept) < agents + cases:  # a few points off the roads: draw again
        return places(region, cases, agents, seed + 1)
    return kept, len(real)


def day(
    n_cases: int,
    n_agents: int,
    travel_s: npt.NDArray[np.int64],
    distance_m: npt.NDArray[np.int64],
) -> Problem:
    """The day described in the module docstring; places 0..agents-1 are the homes."""
    rng = np.random.default_rng(7)
    agents = tuple(
        Agent(
            id=f"A{k:03d}",
            start_location_idx=k,
            end_location_idx=k,
            shift=TimeWindow(start_s=8 * HOUR_S, end_s=17 * HOUR_S),
            skills=frozenset({"fr"}) if k % 5 == 0 else frozenset(),
            costs=AgentCosts(fixed=20.0, per_hour=30.0, per_km=0.4),
        )
        for k in range(n_agents)
    )
    speakers = [k for k, a in enumerate(agents) if a.skills]
    visits = []
    for i in range(n_cases):
        draw = rng.random()
        windows: tuple[TimeWindow, ...] = ()
        if draw < 0.2:
            start = int(rng.integers(8, 15)) * HOUR_S
            windows = (TimeWindow(start_s=start, end_s=start + 2 * HOUR_S),)
        elif draw < 0.3:
            windows = (
                TimeWindow(start_s=8 * HOUR_S, end_s=10 * HOUR_S),
                TimeWindow(start_s=14 * HOUR_S, end_s=16 * HOUR_S),
            )
        skilled = rng.random() < 0.08
        pinned = None
        if rng.random() < 0.01:
            pinned = int(rng.choice(speakers)) if skilled else int(rng.integers(n_agents))
        visits.append(
            Visit(
                id=f"C{i:04d}",
                location_idx=n_agents + i,
                service_s=int(rng.integers(10, 21)) * 60,
                time_windows=windows,
                required_skills=frozenset({"fr"}) if skilled else frozenset(),
                pinned_agent_idx=pinned,
            )
        )
    return Problem(
        visits=tuple(visits), agents=agents, travel_time_s=travel_s, distance_m=distance_m
    )


def _burn(steps: int) -> int:
    total = 0
    for i in range(steps):
        total += i * i
    return total


def parallel_headroom(steps: int = 5_000_000) -> float:
    """How much faster two busy processes get through two equal pieces of work than one
    does, right now (2.0: two free cores; about 1.0: other users' work holds a core)."""
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_burn, [1, 1])  # started before the clock
        started = time.perf_counter()
        _burn(steps)
        _burn(steps)
        alone = time.perf_counter() - started
        started = time.perf_counter()
        pool.map(_burn, [steps, steps])
        return alone / (time.perf_counter() - started)


def timed_solve(label: str, problem: Problem, params: SolveParams) -> Run:
    started, cpu = time.perf_counter(), time.process_time()
    solution = solve(problem, params)
    wall, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    if solution.split is not None:  # the workers' processor time, not only this process's
        cpu_s = max(cpu_s, solution.split.search_cpu_s)
    broken = check_solution(problem, solution)
    assert not broken, broken[:3]
    return Run(label, wall, cpu_s, solution)


def print_run(run: Run) -> None:
    split = run.solution.split
    extra = ""
    if split is not None:
        extra = (
            f"  split {split.split_s:.1f} s, territories {split.territories_s:.1f} s, "
            f"borders {split.border_s:.1f} s ({split.border_improved}/{split.border_pairs} "
            f"pairs better)"
        )
    print(
        f"{run.label:<26}{run.wall_s:>8.1f}{run.cpu_s:>8.1f}{run.travel_h:>10.2f}"
        f"{len(run.solution.unassigned):>8d}{run.cost:>11.2f}{run.solution.objective:>14.2f}"
        f"{extra}",
        flush=True,
    )


def print_split(solution: Solution) -> None:
    split = solution.split
    assert split is not None
    print(f"split into {len(split.territories)} territories (agents, visits, solve s, cost):")
    for t, territory in enumerate(split.territories):
        print(
            f"  T{t:<3}{len(territory.agent_ids):>4}{len(territory.visit_ids):>6}"
            f"{territory.solve_s:>8.1f}{territory.cost:>11.2f}"
        )
    print(
        f"  joined {split.cost_joined:.2f}, after borders and repair {solution.objective:.2f} "
        "(objectives: route costs plus the value of unserved must-visits)"
    )


def main() -> None:
    """Build the day, time the matrices, then run (a), (b) and (c) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=120)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--territory-visits", type=int, default=200)
    parser.add_argument("--border-waves", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-unsplit", action="store_true", help="skip (c)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as store:
        started = time.perf_counter()
        import_region(EXTRACT, "bench", Path(store))
        region = load_region(Path(store) / "bench")
        print(f"region import and load: {time.perf_counter() - started:.1f} s")
    points, real = places(region, args.cases, args.agents, seed=0)
    started = time.perf_counter()
    snaps = region.locators[TravelMode.DRIVE].snap(points, max_distance_m=500)
    print(
        f"{args.cases} cases ({real} real addresses, the rest near them), {args.agents} "
        f"agents; snapping {len(points)} points: {time.perf_counter() - started:.2f} s"
    )
    on_road = [s for s in snaps if s is not None]
    matrices = None
    for workers in (1, 2):
        started = time.perf_counter()
        result = travel_matrices(region.network, on_road, workers=workers)
        print(
            f"{len(on_road)} x {len(on_road)} travel matrices, {workers} process(es): "
            f"{time.perf_counter() - started:.2f} s"
        )
        if matrices is None:
            matrices = result
        assert np.array_equal(matrices.time_s, result.time_s)
        assert np.array_equal(matrices.distance_m, result.distance_m)
    assert matrices is not None
    problem = day(args.cases, args.agents, matrices.time_s, matrices.distance_m)

    split = SolveParams(
        time_limit_s=600.0,  # a safety net: the iteration limit ends each search
        solution_limit=args.iterations,
        split_above_visits=800,
        territory_visits=args.territory_visits,
        border_waves=args.border_waves,
    )
    print(
        f"\nsplit runs: {args.iterations} PyVRP iterations per territory and per border "
        f"pair, territories of about {args.territory_visits} visits, "
        f"{args.border_waves} border wave(s)"
    )
    header = (
        f"{'run':<26}{'wall s':>8}{'cpu s':>8}{'travel h':>10}{'unass.':>8}{'cost':>11}"
        f"{'objective':>14}"
    )
    print(header)
    serial: list[Run] = []
    parallel: list[Run] = []
    for r in range(args.repeats):
        print(f"machine check: two processes {parallel_headroom():.2f}x as fast as one")
        serial.append(timed_solve(f"(a) split, 1 worker #{r + 1}", problem, split))
        print_run(serial[-1])
        parallel.append(
            timed_solve(
                f"(b) split, 2 workers #{r + 1}", problem, dataclasses.replace(split, workers=2)
            )
        )
        print_run(parallel[-1])
    print_split(serial[0].solution)

    unsplit = None
    if not args.no_unsplit:
        limit = max(1.0, serial[0].wall_s - 2.0)
        unsplit = timed_solve(
            "(c) un-split OR-Tools",
            problem,
            SolveParams(time_limit_s=limit, engine="ortools", split_above_visits=None),
        )
        print(header)
        print_run(unsplit)

    speedups = [a.wall_s / b.wall_s for a, b in zip(serial, parallel, strict=True)]
    a_wall = [run.wall_s for run in serial]
    b_wall = [run.wall_s for run in parallel]
    print(
        f"\nwall (a) median {statistics.median(a_wall):.1f} s (range {min(a_wall):.1f}-"
        f"{max(a_wall):.1f}), (b) median {statistics.median(b_wall):.1f} s (range "
        f"{min(b_wall):.1f}-{max(b_wall):.1f})"
    )
    print(
        f"speed-up of (b) over (a), run by run: {', '.join(f'{s:.2f}' for s in speedups)}; "
        f"median {statistics.median(speedups):.2f}x"
    )
    costs_equal = all(
        abs(a.solution.objective - b.solution.objective) < 1e-6
        for a, b in zip(serial, parallel, strict=True)
    )
    print(f"(a) and (b) equal in cost on every repeat: {costs_equal}")
    if unsplit is not None:
        a = serial[0]
        print(
            f"(c) against (a) in the same wall time: cost {unsplit.cost:.2f} vs {a.cost:.2f}, "
            f"unassigned {len(unsplit.solution.unassigned)} vs {len(a.solution.unassigned)}, "
            f"travel {unsplit.travel_h:.1f} h vs {a.travel_h:.1f} h"
        )


if __name__ == "__main__":
    main()
