"""Large problems split into territories: the split keeps skills and pins, every visit lands
in exactly one territory, the joined plan passes the independent checker, small problems
are never split, and one worker or two find the same feasible plan."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from solver import (
    Agent,
    AgentCosts,
    InvalidProblemError,
    Problem,
    SolveParams,
    TimeWindow,
    Visit,
    check_solution,
    evaluate,
    solve,
)
from solver._pyvrp_model import servable_alone
from solver.decompose import solve_territory, split_problem
from solver.eligibility import able_agents
from solver.embedding import embed
from solver.engines import run_engine
from solver.subproblem import part_of
from solver.territories import split_territories, territory_count

HOUR_S = 3600

SPLIT = SolveParams(
    time_limit_s=30.0,
    solution_limit=150,
    split_above_visits=60,
    territory_visits=40,
    border_waves=1,
)
"""Split above 60 visits into territories of about 40; a solution limit makes every search
reproducible (the time limit is a safety net)."""


def town(n_visits: int = 160, n_agents: int = 12, seed: int = 3) -> Problem:
    """Visits around four villages of a 20 km square (Manhattan distance at 36 km/h), agents
    from homes spread over it; a tenth of the visits need "fr" (every fourth agent has it),
    a few are pinned, a fifth have a window; one 8-hour shift each."""
    rng = np.random.default_rng(seed)
    villages = rng.uniform(0, 20_000, size=(4, 2))
    visit_xy = villages[rng.integers(0, 4, n_visits)] + rng.normal(0, 1_500, (n_visits, 2))
    agent_xy = rng.uniform(0, 20_000, size=(n_agents, 2))
    xy = np.vstack([visit_xy, agent_xy])
    distance = np.abs(xy[:, None] - xy[None]).sum(axis=2).astype(np.int64)
    travel = distance // 10
    agents = tuple(
        Agent(
            id=f"a{k}",
            start_location_idx=n_visits + k,
            end_location_idx=n_visits + k,
            shift=TimeWindow(start_s=8 * HOUR_S, end_s=16 * HOUR_S),
            skills=frozenset({"fr"}) if k % 4 == 0 else frozenset(),
            costs=AgentCosts(fixed=10.0, per_hour=30.0, per_km=0.3),
        )
        for k in range(n_agents)
    )
    visits = []
    for i in range(n_visits):
        skilled = i % 10 == 0
        pinned = 4 * int(rng.integers(0, n_agents // 4)) if i % 25 == 1 else None
        start = int(rng.integers(8, 14)) * HOUR_S
        visits.append(
            Visit(
                id=f"v{i}",
                location_idx=i,
                service_s=int(rng.integers(10, 21)) * 60,
                time_windows=(TimeWindow(start_s=start, end_s=start + 2 * HOUR_S),)
                if i % 5 == 2
                else (),
                required_skills=frozenset({"fr"}) if skilled else frozenset(),
                pinned_agent_idx=pinned,
            )
        )
    return Problem(visits=tuple(visits), agents=agents, travel_time_s=travel, distance_m=distance)


def test_the_split_keeps_skills_and_pins_and_places_every_visit_once() -> None:
    problem = town()
    split = split_territories(problem, territory_count(problem, 40), seed=0)
    assert len(split.territories) == 4
    placed = [v for t in split.territories for v in t.visits]
    assert sorted(placed) == list(range(len(problem.visits)))
    staffed = [a for t in split.territories for a in t.agents]
    assert len(staffed) == len(set(staffed))
    for territory in split.territories:
        assert territory.agents
        skills = set().union(*(problem.agents[a].skills for a in territory.agents))
        for v in territory.visits:
            visit = problem.visits[v]
            assert visit.required_skills <= skills
            if visit.pinned_agent_idx is not None:
                assert visit.pinned_agent_idx in territory.agents
    # Sized to the agents: equal shifts, so about equal work each.
    sizes = [len(t.visits) for t in split.territories]
    assert max(sizes) <= 1.5 * min(sizes)
    assert all(0 <= t < u < len(split.territories) for t, u, _ in split.borders)


def test_a_large_problem_is_split_and_its_answer_says_how() -> None:
    problem = town()
    solution = solve(problem, SPLIT)
    assert check_solution(problem, solution) == []
    report = solution.split
    assert report is not None
    assert len(report.territories) == 4
    assert report.workers == 1
    ids = [visit_id for t in report.territories for visit_id in t.visit_ids]
    assert sorted(ids) == sorted(v.id for v in problem.visits)
    agent_ids = [agent_id for t in report.territories for agent_id in t.agent_ids]
    assert len(agent_ids) == len(set(agent_ids))
    assert all(t.assigned <= len(t.visit_ids) and t.solve_s > 0 for t in report.territories)
    assert report.border_pairs >= 1
    # Improving across borders and the final repair never make the plan dearer.
    assert solution.objective <= report.cost_joined + 1e-6
    assert not solution.unassigned
    assert solution.trace is None  # solved in parallel against the clock: no replay


def test_a_small_problem_is_not_split() -> None:
    problem = town(n_visits=40, n_agents=4)
    params = dataclasses.replace(SPLIT, split_above_visits=60)
    solution = solve(problem, params)
    assert solution.split is None
    assert check_solution(problem, solution) == []
    never = solve(town(), dataclasses.replace(SPLIT, split_above_visits=None))
    assert never.split is None


def test_one_worker_and_two_find_the_same_feasible_plan() -> None:
    problem = town()
    serial = solve(problem, SPLIT)
    parallel = solve(problem, dataclasses.replace(SPLIT, workers=2))
    assert parallel.split is not None
    assert parallel.split.workers == 2
    for solution in (serial, parallel):
        assert check_solution(problem, solution) == []
    # Iteration budgets make every search reproducible: the processes change only when.
    assert parallel.routes == serial.routes
    assert parallel.objective == serial.objective


def test_each_territory_is_an_ordinary_problem_whose_plan_lifts_back() -> None:
    problem = town()
    _, parts = split_problem(problem, SPLIT)
    part = max(parts, key=lambda p: sum(v.pinned_agent_idx is not None for v in p.problem.visits))
    pinned = [v for v in part.problem.visits if v.pinned_agent_idx is not None]
    assert pinned
    for visit in pinned:  # pins renumbered to the part's agents
        original = problem.visits[part.visits[part.problem.visits.index(visit)]]
        assert original.pinned_agent_idx == part.agents[visit.pinned_agent_idx]  # type: ignore[index]
    solution = solve_territory(part.problem, SPLIT)
    assert check_solution(part.problem, solution) == []
    orders = [[stop.visit_idx for stop in route.stops] for route in solution.routes]
    lifted = part.lift(orders)
    whole_orders = [lifted.get(a, []) for a in range(len(problem.agents))]
    assert part.restrict(whole_orders) == orders
    # The same routes in the whole problem cost what they cost in the part.
    evaluation = evaluate(problem, whole_orders)
    assert not evaluation.violations
    assert sum(r.cost.total for r in evaluation.routes) == pytest.approx(
        sum(r.cost.total for r in solution.routes)
    )


def test_a_part_refuses_a_visit_whose_pinned_agent_is_outside() -> None:
    problem = town()
    v = next(i for i, visit in enumerate(problem.visits) if visit.pinned_agent_idx is not None)
    others = [a for a in range(len(problem.agents)) if a != problem.visits[v].pinned_agent_idx]
    with pytest.raises(ValueError, match="pinned"):
        part_of(problem, others, [v])


def test_able_agents_agrees_with_the_one_visit_day() -> None:
    """The vectorised screen matches the scalar one-visit check of the PyVRP model, plus
    skills and pins."""
    problem = town(n_visits=60, n_agents=8)
    tight = tuple(
        dataclasses.replace(a, shift=TimeWindow(start_s=9 * HOUR_S, end_s=(10 + k % 3) * HOUR_S))
        for k, a in enumerate(problem.agents)
    )
    problem = dataclasses.replace(problem, agents=tight)
    able = able_agents(problem)
    for v, visit in enumerate(problem.visits):
        for k, agent in enumerate(problem.agents):
            expected = (
                servable_alone(problem, v, k)
                and visit.required_skills <= agent.skills
                and visit.pinned_agent_idx in (None, k)
            )
            assert able[v, k] == expected, (v, k)
    assert 0 < able.sum() < able.size


def test_the_embedding_keeps_travel_times() -> None:
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 10_000, size=(300, 2))
    times = np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1)).astype(np.int64)
    coords = embed(times, landmarks=20)
    embedded = np.hypot(*(coords[:, None, :2] - coords[None, :, :2]).transpose(2, 0, 1))
    upper = np.triu_indices(300, 1)
    assert np.corrcoef(embedded[upper], times[upper])[0, 1] > 0.99


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_a_warm_start_is_never_made_worse(engine: str) -> None:
    problem = town(n_visits=40, n_agents=4)
    params = SolveParams(time_limit_s=10.0, solution_limit=50)
    first = run_engine(problem, params, engine)  # type: ignore[arg-type]
    start = evaluate(problem, first.orders).objective
    again = run_engine(
        problem,
        dataclasses.replace(params, solution_limit=1),
        engine,  # type: ignore[arg-type]
        first.orders,
    )
    assert again.found
    assert evaluate(problem, again.orders).objective <= start + 1e-6


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("split_above_visits", 0),
        ("territory_visits", 0),
        ("border_share", 1.0),
        ("border_waves", -1),
    ],
)
def test_split_parameters_are_checked(field: str, value: float) -> None:
    with pytest.raises(InvalidProblemError, match=field):
        SolveParams(**{field: value})  # type: ignore[arg-type]
