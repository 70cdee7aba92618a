"""Property tests of solve(), checked by a small checker independent of solver/schedule.py.

The checker below re-derives every time of every route from the matrices and the visit
windows, so a bug shared by the scheduler and the solver cannot hide behind it.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from solver import (
    CAPACITY,
    OUTSIDE_ALL_WINDOWS,
    Agent,
    Problem,
    Solution,
    SolveParams,
    TimeWindow,
    Visit,
    solve,
)

# ---------------------------------------------------------------------------------------------
# Independent checker


def _in_a_window(visit: Visit, t_s: int) -> bool:
    return not visit.time_windows or any(w.start_s <= t_s <= w.end_s for w in visit.time_windows)


def _earliest_start_s(visit: Visit, arrival_s: int) -> int | None:
    if not visit.time_windows:
        return arrival_s
    starts = [max(arrival_s, w.start_s) for w in visit.time_windows if w.end_s >= arrival_s]
    return min(starts) if starts else None


def _route_travel_if_feasible(
    problem: Problem, agent_idx: int, order: tuple[int, ...]
) -> int | None:
    """Total travel of the order for the agent, or None if it cannot be served in that order.

    An empty order costs nothing: an agent without visits stays home.
    """
    if not order:
        return 0
    agent = problem.agents[agent_idx]
    tt = problem.travel_time_s[agent.profile_idx]
    place, clock_s, travel_s = agent.start_location_idx, agent.shift.start_s, 0
    for visit_idx in order:
        visit = problem.visits[visit_idx]
        leg_s = int(tt[place, visit.location_idx])
        start_s = _earliest_start_s(visit, clock_s + leg_s)
        if start_s is None:
            return None
        travel_s += leg_s
        clock_s = start_s + visit.service_s
        place = visit.location_idx
    if agent.end_location_idx is not None:
        leg_s = int(tt[place, agent.end_location_idx])
        travel_s += leg_s
        clock_s += leg_s
    return travel_s if clock_s <= agent.shift.end_s else None


def check_solution(problem: Problem, solution: Solution) -> None:
    """Assert every invariant of a solution, without using solver.schedule."""
    assert [r.agent_idx for r in solution.routes] == list(range(len(problem.agents)))

    served = [stop.visit_idx for route in solution.routes for stop in route.stops]
    unassigned = [u.visit_idx for u in solution.unassigned]
    assert sorted(served + unassigned) == list(range(len(problem.visits)))

    for route in solution.routes:
        agent = problem.agents[route.agent_idx]
        tt = problem.travel_time_s[agent.profile_idx]
        dm = problem.distance_m[agent.profile_idx]
        assert agent.shift.start_s <= route.start_s <= route.end_s <= agent.shift.end_s
        if not route.stops:
            assert route.start_s == route.end_s == agent.shift.start_s
            assert route.return_travel_s == route.return_distance_m == 0
            continue
        place, departure_s = agent.start_location_idx, route.start_s
        for stop in route.stops:
            visit = problem.visits[stop.visit_idx]
            assert stop.travel_s == tt[place, visit.location_idx]
            assert stop.distance_m == dm[place, visit.location_idx]
            assert stop.arrival_s == departure_s + stop.travel_s
            assert stop.service_start_s >= stop.arrival_s
            assert _in_a_window(visit, stop.service_start_s)
            assert stop.service_end_s == stop.service_start_s + visit.service_s
            place, departure_s = visit.location_idx, stop.service_end_s
        if agent.end_location_idx is None:
            assert route.return_travel_s == route.return_distance_m == 0
        else:
            assert route.return_travel_s == tt[place, agent.end_location_idx]
            assert route.return_distance_m == dm[place, agent.end_location_idx]
        assert route.end_s == departure_s + route.return_travel_s

    for u in solution.unassigned:
        assert u.reason in (OUTSIDE_ALL_WINDOWS, CAPACITY)
        assert u.detail
        able_alone = any(
            _route_travel_if_feasible(problem, k, (u.visit_idx,)) is not None
            for k in range(len(problem.agents))
        )
        assert (u.reason == CAPACITY) == (able_alone or not problem.agents)

    travel_s = sum(stop.travel_s for route in solution.routes for stop in route.stops) + sum(
        route.return_travel_s for route in solution.routes
    )
    penalties = sum(problem.visits[i].drop_penalty for i in unassigned)
    assert solution.objective == travel_s + penalties


# ---------------------------------------------------------------------------------------------
# Problem generator


@st.composite
def time_windows(draw: st.DrawFn, horizon_s: int) -> tuple[TimeWindow, ...]:
    """Zero to two disjoint windows within ``[0, horizon_s]``."""
    n = draw(st.integers(0, 2))
    bounds = sorted(
        draw(st.lists(st.integers(0, horizon_s), min_size=2 * n, max_size=2 * n, unique=True))
    )
    return tuple(TimeWindow(start_s=bounds[2 * k], end_s=bounds[2 * k + 1]) for k in range(n))


@st.composite
def problems(
    draw: st.DrawFn,
    *,
    min_visits: int = 1,
    max_visits: int = 8,
    max_agents: int = 3,
    horizon_s: int = 2000,
    max_profiles: int = 2,
) -> Problem:
    """Small problems with random (asymmetric, not necessarily metric) matrices; with two
    profiles the second is the first slowed down 1-3x (a slower travel mode)."""
    n_places = draw(st.integers(1, 6))
    cells = n_places * n_places
    travel = np.array(draw(st.lists(st.integers(0, 300), min_size=cells, max_size=cells)))
    distance = np.array(draw(st.lists(st.integers(0, 5000), min_size=cells, max_size=cells)))
    travel_s = travel.reshape(n_places, n_places).astype(np.int64)
    distance_m = distance.reshape(n_places, n_places).astype(np.int64)
    np.fill_diagonal(travel_s, 0)
    np.fill_diagonal(distance_m, 0)
    n_profiles = draw(st.integers(1, max_profiles))
    if n_profiles == 2:
        slowdown = draw(st.integers(1, 3))
        travel_s = np.stack([travel_s, travel_s * slowdown])
        distance_m = np.stack([distance_m, distance_m])
    place = st.integers(0, n_places - 1)
    n_visits = draw(st.integers(min_visits, max_visits))
    visits = tuple(
        Visit(
            id=f"v{i}",
            location_idx=draw(place),
            service_s=draw(st.integers(0, 200)),
            time_windows=draw(time_windows(horizon_s)),
        )
        for i in range(n_visits)
    )
    agents = []
    for k in range(draw(st.integers(1, max_agents))):
        shift_start_s = draw(st.integers(0, horizon_s // 2))
        shift_end_s = draw(st.integers(shift_start_s, horizon_s))
        agents.append(
            Agent(
                id=f"a{k}",
                start_location_idx=draw(place),
                end_location_idx=draw(st.none() | place),
                shift=TimeWindow(start_s=shift_start_s, end_s=shift_end_s),
                profile_idx=draw(st.integers(0, n_profiles - 1)),
            )
        )
    return Problem(
        visits=visits, agents=tuple(agents), travel_time_s=travel_s, distance_m=distance_m
    )


# ---------------------------------------------------------------------------------------------
# Properties


@settings(
    deadline=None,
    max_examples=30,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(problems())
def test_solutions_satisfy_every_invariant(problem: Problem) -> None:
    solution = solve(problem, SolveParams(time_limit_s=0.3, solution_limit=30))
    check_solution(problem, solution)
    served = len(problem.visits) - len(solution.unassigned)
    event(f"visits={len(problem.visits)} served={served}")  # --hypothesis-show-statistics


@settings(
    deadline=None,
    max_examples=12,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(problems(min_visits=3, max_visits=6, max_agents=1, horizon_s=4000, max_profiles=1))
def test_single_agent_matches_brute_force(problem: Problem) -> None:
    """Every ordered subset of the visits: the solver's objective is the true optimum.

    When every visit can be served this is the minimum travel over all permutations; when
    not, the fewest drops (penalties dwarf travel) and then the least travel.
    """
    n_visits = len(problem.visits)
    all_served_travel_s: list[int] = []
    best_objective = sum(v.drop_penalty for v in problem.visits)
    for size in range(1, n_visits + 1):
        for order in itertools.permutations(range(n_visits), size):
            travel_s = _route_travel_if_feasible(problem, 0, order)
            if travel_s is None:
                continue
            dropped = sum(problem.visits[i].drop_penalty for i in set(range(n_visits)) - set(order))
            best_objective = min(best_objective, travel_s + dropped)
            if size == n_visits:
                all_served_travel_s.append(travel_s)

    solution = solve(problem, SolveParams(time_limit_s=1.0))
    check_solution(problem, solution)
    event(f"visits={n_visits} all servable={bool(all_served_travel_s)}")
    assert solution.objective == best_objective
    if all_served_travel_s:
        assert solution.unassigned == ()
        assert solution.routes[0].travel_s == min(all_served_travel_s)
