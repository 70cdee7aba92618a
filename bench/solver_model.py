"""How long building the OR-Tools model takes, apart from the search.

A random problem of 500 visits and 40 agents: places on a 30 km square, three travel
profiles (the second and third 1.5x and 3x slower), a third of the visits with one window
and a sixth with two, preferred windows with lateness costs, skills, demands, a lunch break
per agent, four classes of agent costs (so up to 12 distinct (profile, per_km) matrices),
capacity, max visits and working / travel limits, a few pinned and locked visits and a
balance cost. Prints the build time (median of a few builds), then one short search and the
evaluation of its plan.

Run: ``.venv/bin/python bench/solver_model.py [--visits 500] [--agents 40]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from solver import (
    Agent,
    AgentCosts,
    Break,
    Problem,
    Solution,
    SolveParams,
    TimeWindow,
    Unassigned,
    Visit,
    check_solution,
    evaluate,
)
from solver._ortools import RoutingModel

HOUR_S = 3600


def random_problem(n_visits: int, n_agents: int, seed: int = 0) -> Problem:
    """The benchmark problem (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n_places = n_visits + n_agents
    xy_m = rng.uniform(0, 30_000, size=(n_places, 2))
    distance_m = np.abs(xy_m[:, np.newaxis] - xy_m[np.newaxis]).sum(axis=2).astype(np.int64)
    base_s = (distance_m / 8.0).astype(np.int64)  # ~29 km/h
    travel_s = np.stack([base_s, base_s * 3 // 2, base_s * 3])
    distances = np.stack([distance_m] * 3)
    day_start_s, day_end_s = 8 * HOUR_S, 17 * HOUR_S

    visits = []
    for i in range(n_visits):
        kind = i % 6
        windows: tuple[TimeWindow, ...] = ()
        start_s = int(rng.integers(day_start_s, day_end_s - 2 * HOUR_S))
        if kind in (0, 1):
            windows = (TimeWindow(start_s=start_s, end_s=start_s + 2 * HOUR_S),)
        elif kind == 2:
            windows = (
                TimeWindow(start_s=day_start_s, end_s=day_start_s + HOUR_S),
                TimeWindow(start_s=day_end_s - 2 * HOUR_S, end_s=day_end_s - HOUR_S),
            )
        pinned = int(rng.integers(0, n_agents)) if i % 50 == 0 else None
        visits.append(
            Visit(
                id=f"v{i}",
                location_idx=i,
                service_s=int(rng.integers(5, 20)) * 60,
                time_windows=windows,
                preferred_window=TimeWindow(start_s=start_s, end_s=start_s + HOUR_S)
                if kind == 3
                else None,
                lateness_cost_per_hour=10.0 if kind == 3 else 0.0,
                value=None if kind != 4 else float(rng.integers(20, 200)),
                demand=int(rng.integers(0, 3)),
                required_skills=frozenset({"nurse"}) if i % 10 == 0 else frozenset(),
                pinned_agent_idx=pinned,
                locked_order=i if pinned is not None and i % 100 == 0 else None,
            )
        )
    agents = []
    for k in range(n_agents):
        cost_class = k % 4
        agents.append(
            Agent(
                id=f"a{k}",
                start_location_idx=n_visits + k,
                end_location_idx=n_visits + k if k % 5 else None,
                shift=TimeWindow(start_s=day_start_s, end_s=day_end_s),
                profile_idx=k % 3,
                skills=frozenset({"nurse"}) if k % 3 == 0 else frozenset(),
                capacity=30,
                max_visits=20,
                max_working_s=8 * HOUR_S,
                max_travel_s=4 * HOUR_S if k % 2 else None,
                breaks=(
                    Break(
                        earliest_start_s=12 * HOUR_S,
                        latest_start_s=13 * HOUR_S,
                        duration_s=30 * 60,
                    ),
                ),
                costs=AgentCosts(
                    fixed=50.0 + 10 * cost_class,
                    per_hour=25.0 + 5 * cost_class,
                    per_km=0.2 + 0.1 * cost_class,
                ),
            )
        )
    return Problem(
        visits=tuple(visits),
        agents=tuple(agents),
        travel_time_s=travel_s,
        distance_m=distances,
        balance_cost_per_visit=1.0,
    )


def main() -> None:
    """Print the build time, then one short search and its evaluation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=500)
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--builds", type=int, default=3)
    parser.add_argument("--search-s", type=float, default=5.0)
    args = parser.parse_args()
    problem = random_problem(args.visits, args.agents)
    distinct = {(a.profile_idx, a.costs.per_km) for a in problem.agents}
    print(
        f"{args.visits} visits, {args.agents} agents, {problem.profiles} profiles, "
        f"{len(distinct)} distinct (profile, per_km) arc-cost matrices"
    )

    builds_s = []
    model = None
    for _ in range(args.builds):
        started = time.perf_counter()
        model = RoutingModel(problem)
        builds_s.append(time.perf_counter() - started)
    print(
        f"model build: median {statistics.median(builds_s):.3f} s "
        f"(min {min(builds_s):.3f}, max {max(builds_s):.3f}, {args.builds} builds)"
    )

    assert model is not None
    started = time.perf_counter()
    result = model.solve(SolveParams(time_limit_s=args.search_s))
    search_s = time.perf_counter() - started
    started = time.perf_counter()
    evaluation = evaluate(problem, result.orders)
    evaluate_s = time.perf_counter() - started
    served = args.visits - len(evaluation.unassigned)
    print(
        f"search: {search_s:.2f} s (limit {args.search_s} s), found {result.found}, "
        f"{served} of {args.visits} visits served"
    )
    print(
        f"evaluation: {evaluate_s:.3f} s, objective {evaluation.objective:.2f} "
        f"(lost value {evaluation.lost_value:.2f}, balance {evaluation.balance_cost:.2f}), "
        f"{len(evaluation.violations)} violations"
    )
    solution = Solution(
        routes=evaluation.routes,
        unassigned=tuple(
            Unassigned(visit_idx=v, reason="-", detail="-") for v in evaluation.unassigned
        ),
        objective=evaluation.objective,
        lost_value=evaluation.lost_value,
        balance_cost=evaluation.balance_cost,
    )
    used = sum(1 for route in solution.routes if route.stops)
    print(
        f"independent check: {len(check_solution(problem, solution))} problems; "
        f"agents used: {used} of {args.agents}"
    )


if __name__ == "__main__":
    main()
