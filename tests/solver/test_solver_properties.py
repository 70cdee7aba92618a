"""Property tests of solve() over random small problems using every feature of the model,
checked by the independent checker; and the solver's money objective against a brute-force
optimum over every assignment and order."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from solver import (
    Agent,
    AgentCosts,
    Break,
    Problem,
    SolveParams,
    TimeWindow,
    Visit,
    check_solution,
    evaluate_route,
    solve,
)
from solver.reasons import REASON_CODES

SKILLS = ("nurse", "driver")


@st.composite
def time_windows(draw: st.DrawFn, horizon_s: int, most: int = 2) -> tuple[TimeWindow, ...]:
    """Zero to ``most`` disjoint windows within ``[0, horizon_s]``."""
    n = draw(st.integers(0, most))
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
    horizon_s: int = 3000,
    max_profiles: int = 2,
    max_windows: int = 2,
    costed: bool = True,
    limits: bool = True,
    breaks: bool = True,
) -> Problem:
    """Small problems with random (asymmetric, not necessarily metric) matrices; with two
    profiles the second is the first slowed down 1-3x. ``costed``: random costs, values,
    lateness and balance; ``limits``: skills, pins, locked orders, capacity and the agents'
    limits; ``breaks``: up to two breaks per agent."""
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
    money = st.floats(0, 50, allow_nan=False).map(lambda x: round(x, 2))
    n_agents = draw(st.integers(1, max_agents))

    agents = []
    for k in range(n_agents):
        shift_start_s = draw(st.integers(0, horizon_s // 2))
        shift_end_s = draw(st.integers(shift_start_s, horizon_s))
        agent_breaks: tuple[Break, ...] = ()
        if breaks:
            agent_breaks = tuple(
                Break(
                    earliest_start_s=e, latest_start_s=e + draw(st.integers(0, 600)), duration_s=d
                )
                for e, d in draw(
                    st.lists(st.tuples(st.integers(0, horizon_s), st.integers(1, 200)), max_size=2)
                )
            )
        agents.append(
            Agent(
                id=f"a{k}",
                start_location_idx=draw(place),
                end_location_idx=draw(st.none() | place),
                shift=TimeWindow(start_s=shift_start_s, end_s=shift_end_s),
                profile_idx=draw(st.integers(0, n_profiles - 1)),
                skills=frozenset(draw(st.sets(st.sampled_from(SKILLS)))) if limits else frozenset(),
                capacity=draw(st.none() | st.integers(0, 4)) if limits else None,
                max_visits=draw(st.none() | st.integers(0, 4)) if limits else None,
                max_working_s=draw(st.none() | st.integers(0, horizon_s)) if limits else None,
                max_travel_s=draw(st.none() | st.integers(0, 1000)) if limits else None,
                breaks=agent_breaks,
                costs=AgentCosts(fixed=draw(money), per_hour=draw(money), per_km=draw(money))
                if costed
                else AgentCosts(),
            )
        )

    visits = []
    locked = itertools.count()
    for i in range(draw(st.integers(min_visits, max_visits))):
        visit = Visit(
            id=f"v{i}",
            location_idx=draw(place),
            service_s=draw(st.integers(0, 200)),
            time_windows=draw(time_windows(horizon_s, max_windows)),
        )
        if costed:
            preferred = draw(st.none() | time_windows(horizon_s, 1).filter(bool))
            visit = dataclasses.replace(
                visit,
                preferred_window=preferred[0] if preferred else None,
                lateness_cost_per_hour=draw(money),
                value=draw(st.none() | money),
            )
        if limits:
            pinned = draw(st.none() | st.integers(0, n_agents - 1))
            visit = dataclasses.replace(
                visit,
                demand=draw(st.integers(0, 2)),
                required_skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), max_size=1))),
                pinned_agent_idx=pinned,
                locked_order=next(locked) if pinned is not None and draw(st.booleans()) else None,
            )
        visits.append(visit)
    balance = draw(st.sampled_from([0.0, 0.5, 3.0])) if costed else 0.0
    return Problem(
        visits=tuple(visits),
        agents=tuple(agents),
        travel_time_s=travel_s,
        distance_m=distance_m,
        balance_cost_per_visit=balance,
    )


def _examples(n: int) -> int:
    """``n`` examples under the default profile (derandomized: the same ones every run, see
    tests/conftest.py); under another, such as ``HYPOTHESIS_PROFILE=explore``, the profile's
    own number of random ones. The decorators set no ``derandomize``: the profile's holds."""
    profile = settings()  # the values of the profile loaded by tests/conftest.py
    return n if profile.derandomize else profile.max_examples


PROPERTY_SETTINGS = settings(
    deadline=None,
    max_examples=_examples(40),
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(problems())
def test_solutions_pass_the_checker_and_unassigned_visits_have_reasons(problem: Problem) -> None:
    solution = solve(problem, SolveParams(time_limit_s=0.3, solution_limit=30))
    assert check_solution(problem, solution) == []
    for unassigned in solution.unassigned:
        assert unassigned.reason in REASON_CODES
        assert unassigned.detail
    served = len(problem.visits) - len(solution.unassigned)
    event(f"visits={len(problem.visits)} served={served}")  # --hypothesis-show-statistics


# ---------------------------------------------------------------------------------------------
# Brute force


def _feasible_routes(problem: Problem, agent_idx: int) -> dict[int, tuple[float, int]]:
    """For every set of visits (bitmask) the agent can serve in some order without breaking a
    rule: the least (money, travel) of such an order, by the evaluator."""
    best: dict[int, tuple[float, int]] = {0: (0.0, 0)}
    n_visits = len(problem.visits)
    prunable = not problem.agents[agent_idx].breaks

    def extend(order: list[int], mask: int) -> None:
        for v in range(n_visits):
            if mask >> v & 1:
                continue
            order.append(v)
            route, found = evaluate_route(problem, agent_idx, order)
            if not found:
                key = mask | 1 << v
                value = (route.cost.total, route.travel_s)
                if key not in best or value < best[key]:
                    best[key] = value
            # A window missed at earliest times stays missed whatever follows.
            if not (prunable and any(f.code == "window_missed" for f in found)):
                extend(order, mask | 1 << v)
            order.pop()

    extend([], 0)
    return best


def brute_force(problem: Problem) -> tuple[float, int]:
    """The least money over every plan breaking no rule, and the least travel among plans of
    that money (within 1e-6)."""
    per_agent = [_feasible_routes(problem, k) for k in range(len(problem.agents))]
    n_visits = len(problem.visits)
    plans: list[tuple[float, int]] = []
    for masks in itertools.product(*(sorted(routes) for routes in per_agent)):
        union = 0
        for mask in masks:
            if union & mask:
                break
            union |= mask
        else:
            counts = [bin(mask).count("1") for mask in masks]
            balance = problem.balance_cost_per_visit * (max(counts) - min(counts))
            lost = sum(problem.visits[v].drop_cost for v in range(n_visits) if not union >> v & 1)
            money = sum(routes[m][0] for routes, m in zip(per_agent, masks, strict=True))
            travel = sum(routes[m][1] for routes, m in zip(per_agent, masks, strict=True))
            plans.append((money + lost + balance, travel))
    best_money = min(money for money, _ in plans)
    return best_money, min(travel for money, travel in plans if money <= best_money + 1e-6)


BRUTE_PARAMS = SolveParams(time_limit_s=2.0, solution_limit=2000)
BRUTE_SETTINGS = settings(
    deadline=None,
    max_examples=_examples(8),
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _assert_optimal(problem: Problem, money_tolerance: float) -> None:
    best_money, best_travel = brute_force(problem)
    solution = solve(problem, BRUTE_PARAMS)
    assert check_solution(problem, solution) == []
    assert abs(solution.objective - best_money) <= money_tolerance
    if money_tolerance == 0:
        assert sum(route.travel_s for route in solution.routes) == best_travel


@BRUTE_SETTINGS
@given(
    problems(
        min_visits=3,
        max_visits=6,
        max_agents=1,
        horizon_s=4000,
        max_profiles=1,
        costed=False,
        limits=False,
        breaks=False,
    )
)
def test_without_costs_fewest_drops_then_least_travel(problem: Problem) -> None:
    """No costs: the money is the value of the visits dropped (must-visits), and the
    tie-break makes travel the objective among plans dropping the same."""
    _assert_optimal(problem, money_tolerance=0.0)


@BRUTE_SETTINGS
@given(problems(min_visits=2, max_visits=5, max_agents=2, max_windows=1, breaks=False))
def test_with_costs_and_limits_the_money_is_optimal(problem: Problem) -> None:
    _assert_optimal(problem, money_tolerance=0.01 * len(problem.agents))


@BRUTE_SETTINGS
@given(
    problems(
        min_visits=2, max_visits=4, max_agents=2, max_windows=1, limits=False, breaks=True
    ).filter(lambda p: any(a.breaks for a in p.agents))
)
def test_with_breaks_the_money_is_optimal(problem: Problem) -> None:
    _assert_optimal(problem, money_tolerance=0.01 * len(problem.agents))


def test_a_must_visit_reached_only_by_a_detour_quicker_than_the_direct_leg() -> None:
    """A shrunk failure of :func:`test_without_costs_fewest_drops_then_least_travel`: place
    0 -> 2 takes 1 s direct but 0 s through place 1 (the matrix breaks the triangle
    inequality) and the shift ends as it starts, so v3 fits only right after v0 and no agent
    can serve it alone; every visit can still be served, in 0 s of travel."""
    travel_s = np.array([[0, 0, 1], [0, 0, 0], [1, 0, 0]], dtype=np.int64)
    problem = Problem(
        visits=tuple(
            Visit(id=f"v{i}", location_idx=place, service_s=0)
            for i, place in enumerate([1, 0, 0, 2])
        ),
        agents=(
            Agent(
                id="a0",
                start_location_idx=0,
                end_location_idx=None,
                shift=TimeWindow(start_s=0, end_s=0),
            ),
        ),
        travel_time_s=travel_s,
        distance_m=travel_s,
    )
    assert brute_force(problem) == (0.0, 0)
    _assert_optimal(problem, money_tolerance=0.0)


def test_repair_counts_the_balance_cost_of_an_insertion() -> None:
    """A shrunk failure of :func:`test_with_costs_and_limits_the_money_is_optimal`
    (``--hypothesis-seed=91829358712175066413887736386185042007``): with one must-visit each
    the agents are balanced; serving v2 (worth 1.0, no route cost) would cost 3.0 of balance,
    so the optimum leaves it out (objective 1.0) and the repair pass must not insert it."""
    travel_s = np.zeros((1, 1), dtype=np.int64)
    problem = Problem(
        visits=(
            Visit(id="v0", location_idx=0, service_s=0),
            Visit(id="v1", location_idx=0, service_s=0),
            Visit(id="v2", location_idx=0, service_s=0, value=1.0),
        ),
        agents=tuple(
            Agent(
                id=f"a{k}",
                start_location_idx=0,
                end_location_idx=None,
                shift=TimeWindow(start_s=0, end_s=0),
            )
            for k in range(2)
        ),
        travel_time_s=travel_s,
        distance_m=travel_s,
        balance_cost_per_visit=3.0,
    )
    assert brute_force(problem) == (1.0, 0)
    solution = solve(problem, BRUTE_PARAMS)
    assert check_solution(problem, solution) == []
    assert solution.objective == 1.0
    assert [u.visit_idx for u in solution.unassigned] == [2]
    assert solution.unassigned[0].reason == "not_worth_cost"


def test_repair_drops_one_long_visit_for_two_short_ones() -> None:
    """A shrunk failure of :func:`test_without_costs_fewest_drops_then_least_travel`: the
    must-visits (0, 4, 106, 81 and 96 s) do not all fit the 190 s shift, so OR-Tools plans
    the day; it dropped two where leaving out the 106 s visit alone is enough, and a
    one-for-one swap cannot fix that."""
    travel_s = np.zeros((1, 1), dtype=np.int64)
    problem = Problem(
        visits=tuple(
            Visit(id=f"v{i}", location_idx=0, service_s=service_s)
            for i, service_s in enumerate([0, 4, 106, 81, 96])
        ),
        agents=(
            Agent(
                id="a0",
                start_location_idx=0,
                end_location_idx=None,
                shift=TimeWindow(start_s=0, end_s=190),
            ),
        ),
        travel_time_s=travel_s,
        distance_m=travel_s,
    )
    assert brute_force(problem) == (problem.visits[0].drop_cost, 0)
    _assert_optimal(problem, money_tolerance=0.0)
    assert [u.visit_idx for u in solve(problem, BRUTE_PARAMS).unassigned] == [2]


@pytest.mark.xfail(
    strict=True,
    reason="known weakness: OR-Tools (over-full day, matrix breaking the triangle inequality) "
    "drops the right number of must-visits but not those that leave the least travel; "
    "repair changes only money, not the travel tie-break",
)
def test_least_travel_among_plans_dropping_the_same_on_an_over_full_day() -> None:
    """Found with ``HYPOTHESIS_PROFILE=explore`` (--hypothesis-seed=
    59732010454369471875962530648120230583): two must-visits must go; the brute force
    keeps two with 0 s of travel, the solver keeps v0 and v2 with 96 s."""
    travel_s = np.array([[0, 0, 1], [0, 0, 0], [96, 0, 0]], dtype=np.int64)
    problem = Problem(
        visits=(
            Visit(id="v0", location_idx=2, service_s=107),
            Visit(
                id="v1", location_idx=0, service_s=0, time_windows=(TimeWindow(start_s=0, end_s=1),)
            ),
            Visit(id="v2", location_idx=0, service_s=79),
            Visit(
                id="v3",
                location_idx=2,
                service_s=108,
                time_windows=(TimeWindow(start_s=0, end_s=394),),
            ),
        ),
        agents=(
            Agent(
                id="a0",
                start_location_idx=2,
                end_location_idx=None,
                shift=TimeWindow(start_s=288, end_s=570),
            ),
        ),
        travel_time_s=travel_s,
        distance_m=np.zeros_like(travel_s),
    )
    _assert_optimal(problem, money_tolerance=0.0)


@pytest.mark.xfail(
    strict=True,
    reason="known weakness: OR-Tools serves a visit worth 0 pinned (locked) to an agent with a "
    "fixed cost and puts the must-visit on that agent too; repair has no move that drops "
    "one visit and moves another to a free agent",
)
def test_a_worthless_pinned_visit_is_not_worth_an_agents_fixed_cost() -> None:
    """Found with ``HYPOTHESIS_PROFILE=explore``: the optimum leaves v0 (worth 0, pinned to
    a0, whose day costs 1.0) out and gives v1 to a1 for nothing (objective 0.0)."""
    travel_s = np.zeros((1, 1), dtype=np.int64)
    problem = Problem(
        visits=(
            Visit(
                id="v0", location_idx=0, service_s=0, value=0.0, pinned_agent_idx=0, locked_order=0
            ),
            Visit(id="v1", location_idx=0, service_s=0),
        ),
        agents=tuple(
            Agent(
                id=f"a{k}",
                start_location_idx=0,
                end_location_idx=None,
                shift=TimeWindow(start_s=0, end_s=0),
                costs=AgentCosts(fixed=fixed),
            )
            for k, fixed in enumerate([1.0, 0.0])
        ),
        travel_time_s=travel_s,
        distance_m=travel_s,
    )
    _assert_optimal(problem, money_tolerance=0.0)


def test_seven_visits_two_agents() -> None:
    """The largest size of the brief, once, on a fixed problem with costs and limits."""
    rng = np.random.default_rng(3)
    travel_s = rng.integers(10, 300, size=(5, 5))
    np.fill_diagonal(travel_s, 0)
    visits = tuple(
        Visit(
            id=f"v{i}",
            location_idx=int(rng.integers(0, 5)),
            service_s=int(rng.integers(10, 100)),
            time_windows=(TimeWindow(start_s=int(s), end_s=int(s) + 900),) if i % 3 == 0 else (),
            value=float(rng.integers(5, 30)) if i % 2 else None,
            demand=int(rng.integers(0, 2)),
        )
        for i, s in enumerate(rng.integers(0, 1500, size=7))
    )
    agents = tuple(
        Agent(
            id=f"a{k}",
            start_location_idx=k,
            end_location_idx=k,
            shift=TimeWindow(start_s=0, end_s=3000),
            capacity=3,
            costs=AgentCosts(fixed=5.0 * k, per_hour=20.0, per_km=0.5),
        )
        for k in range(2)
    )
    problem = Problem(
        visits=visits,
        agents=agents,
        travel_time_s=travel_s,
        distance_m=travel_s * 12,
        balance_cost_per_visit=0.5,
    )
    _assert_optimal(problem, money_tolerance=0.02)


def test_same_rich_problem_and_solution_limit_give_the_same_solution() -> None:
    rng = np.random.default_rng(11)
    n_visits, n_agents = 12, 3
    xy = rng.integers(0, 2000, size=(n_visits + n_agents, 2))
    travel_s = np.abs(xy[:, np.newaxis, :] - xy[np.newaxis, :, :]).sum(axis=2).astype(np.int64)
    visits = tuple(
        Visit(
            id=f"v{i}",
            location_idx=i,
            service_s=int(rng.integers(60, 600)),
            time_windows=(TimeWindow(start_s=int(s), end_s=int(s) + 7200),) if i % 3 == 0 else (),
            preferred_window=TimeWindow(start_s=0, end_s=int(s)) if i % 4 == 0 else None,
            lateness_cost_per_hour=12.0,
            value=float(rng.integers(10, 100)) if i % 5 == 0 else None,
            demand=int(rng.integers(0, 3)),
            required_skills=frozenset({"nurse"}) if i % 7 == 0 else frozenset(),
            pinned_agent_idx=1 if i in (2, 4) else None,
            locked_order=i if i in (2, 4) else None,
        )
        for i, s in enumerate(rng.integers(0, 15_000, size=n_visits))
    )
    agents = tuple(
        Agent(
            id=f"a{k}",
            start_location_idx=n_visits + k,
            end_location_idx=n_visits + k if k else None,
            shift=TimeWindow(start_s=0, end_s=25_000),
            skills=frozenset({"nurse"}) if k else frozenset(),
            capacity=20,
            max_visits=6,
            breaks=(Break(earliest_start_s=10_000, latest_start_s=12_000, duration_s=1800),),
            costs=AgentCosts(fixed=10.0 * k, per_hour=30.0, per_km=0.3),
        )
        for k in range(n_agents)
    )
    problem = Problem(
        visits=visits,
        agents=agents,
        travel_time_s=travel_s,
        distance_m=travel_s * 8,
        balance_cost_per_visit=2.0,
    )
    params = SolveParams(time_limit_s=30.0, solution_limit=40)
    first = solve(problem, params)
    assert check_solution(problem, first) == []
    assert solve(problem, params) == first
