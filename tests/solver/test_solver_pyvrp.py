"""The PyVRP engine: what it honours of the model, determinism, and a Solomon instance.

Plans are checked by :func:`order_violations` below, which re-derives every time from the
matrices and does not use the solver's own scheduler.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from solver import Agent, AgentCosts, Problem, SolveParams, TimeWindow, Visit
from solver._pyvrp import solve_orders
from solver._pyvrp_model import build_model, cost_scale

ROOT = Path(__file__).resolve().parents[2]
SOLOMON = ROOT.parent / "shared" / "benchmarks" / "solomon"

# Deterministic: an iteration budget, the time limit only as a safety net.
PARAMS = SolveParams(time_limit_s=20.0, solution_limit=300, engine="pyvrp")


def order_violations(problem: Problem, orders: Sequence[Sequence[int]]) -> list[str]:
    """What is wrong with ``orders`` (one list of visit indices per agent), independently of
    solver.schedule: each visit at most once, service starts inside a window (waiting when
    early), the route leaves no earlier than the shift start and ends by its end, capacity,
    maximum visits, skills and pins."""
    found: list[str] = []
    served = [v for order in orders for v in order]
    if len(served) != len(set(served)):
        found.append("a visit is served twice")
    for k, order in enumerate(orders):
        agent = problem.agents[k]
        travel = problem.travel_time_s[agent.profile_idx]
        place, clock = agent.start_location_idx, agent.shift.start_s
        for v in order:
            visit = problem.visits[v]
            clock += int(travel[place, visit.location_idx])
            starts = [max(clock, w.start_s) for w in visit.time_windows if w.end_s >= clock]
            if visit.time_windows and not starts:
                found.append(f"agent {k}: visit {v} after its windows")
                break
            clock = (min(starts) if starts else clock) + visit.service_s
            place = visit.location_idx
            if not visit.required_skills <= agent.skills:
                found.append(f"agent {k}: lacks a skill of visit {v}")
            if visit.pinned_agent_idx not in (None, k):
                found.append(f"agent {k}: visit {v} is pinned to another agent")
        if order and agent.end_location_idx is not None:
            clock += int(travel[place, agent.end_location_idx])
        if order and clock > agent.shift.end_s:
            found.append(f"agent {k}: ends at {clock} after its shift")
        if agent.capacity is not None and sum(problem.visits[v].demand for v in order) > (
            agent.capacity
        ):
            found.append(f"agent {k}: over capacity")
        if agent.max_visits is not None and len(order) > agent.max_visits:
            found.append(f"agent {k}: too many visits")
    return found


def line_problem(
    positions: Sequence[int],
    visits: Sequence[Visit],
    agents: Sequence[Agent],
    *,
    slow_profile: int | None = None,
) -> Problem:
    """Places on a line, travel = |difference| seconds, distance 10 m per second; an optional
    second profile ``slow_profile`` times slower."""
    x = np.asarray(positions, dtype=np.int64)
    travel = np.abs(x[:, np.newaxis] - x[np.newaxis, :])
    if slow_profile is not None:
        stacked = np.stack([travel, travel * slow_profile])
        return Problem(
            visits=tuple(visits),
            agents=tuple(agents),
            travel_time_s=stacked,
            distance_m=stacked * 10,
        )
    return Problem(
        visits=tuple(visits), agents=tuple(agents), travel_time_s=travel, distance_m=travel * 10
    )


def visit(
    idx: int,
    place: int,
    *,
    windows: Sequence[tuple[int, int]] = (),
    service_s: int = 10,
    **extra: object,
) -> Visit:
    return Visit(
        id=f"v{idx}",
        location_idx=place,
        service_s=service_s,
        time_windows=tuple(TimeWindow(start_s=a, end_s=b) for a, b in windows),
        **extra,  # type: ignore[arg-type]
    )


def agent(
    idx: int,
    start: int = 0,
    end: int | None = 0,
    shift: tuple[int, int] = (0, 10_000),
    **extra: object,
) -> Agent:
    return Agent(
        id=f"a{idx}",
        start_location_idx=start,
        end_location_idx=end,
        shift=TimeWindow(start_s=shift[0], end_s=shift[1]),
        **({"costs": AgentCosts(per_km=1.0)} | extra),  # type: ignore[arg-type]
    )


def solved(problem: Problem, params: SolveParams = PARAMS) -> list[list[int]]:
    result = solve_orders(problem, params)
    assert result.found
    assert order_violations(problem, result.orders) == []
    return result.orders


def test_shifts_and_start_and_end_places() -> None:
    # Agent 0 works mornings from place 0 to place 4; agent 1 evenings from 4 back to 4.
    problem = line_problem(
        [0, 100, 200, 300, 1000],
        [visit(0, 1, windows=[(100, 400)]), visit(1, 3, windows=[(5_000, 5_500)])],
        [agent(0, 0, 4, (0, 2_000)), agent(1, 4, 4, (4_000, 9_000))],
    )
    assert solved(problem) == [[0], [1]]


def test_open_route_needs_no_way_home() -> None:
    # Going home after the far visit would end at 2010 > 1500; an open route ends there.
    problem = line_problem([0, 1000], [visit(0, 1)], [agent(0, 0, None, (0, 1_500))])
    assert solved(problem) == [[0]]
    closed = line_problem([0, 1000], [visit(0, 1)], [agent(0, 0, 0, (0, 1_500))])
    assert solve_orders(closed, PARAMS).orders == [[]]


def test_capacity_splits_the_load() -> None:
    visits = [visit(i, 1 + i % 3, demand=5) for i in range(4)]
    problem = line_problem([0, 10, 20, 30], visits, [agent(0, capacity=10), agent(1, capacity=10)])
    assert sorted(len(order) for order in solved(problem)) == [2, 2]


def test_capacity_drops_the_least_valuable_visits() -> None:
    values = [100.0, 300.0, 200.0, 400.0]
    visits = [visit(i, 1 + i % 3, demand=5, value=v) for i, v in enumerate(values)]
    problem = line_problem([0, 10, 20, 30], visits, [agent(0, capacity=10)])
    assert sorted(solved(problem)[0]) == [1, 3]


def test_must_visits_that_cannot_all_fit_make_no_plan() -> None:
    # PyVRP then reports no plan (OR-Tools, which may leave must-visits out, takes over).
    visits = [visit(i, 1, demand=5) for i in range(3)]
    problem = line_problem([0, 10], visits, [agent(0, capacity=10)])
    result = solve_orders(problem, PARAMS)
    assert not result.found
    assert result.iterations <= 0.25 * 300 + 1  # gave up early


def test_optional_visit_is_made_only_when_worth_its_travel() -> None:
    # A round trip to place 1 is 2 x 1000 s = 20 km, which costs 20 at 1 per km.
    cheap = line_problem([0, 1000], [visit(0, 1, value=5.0)], [agent(0)])
    dear = line_problem([0, 1000], [visit(0, 1, value=50.0)], [agent(0)])
    must = line_problem([0, 1000], [visit(0, 1)], [agent(0)])
    assert solved(cheap) == [[]]
    assert solved(dear) == [[0]]
    assert solved(must) == [[0]]


def test_profiles_give_each_agent_its_own_travel_times() -> None:
    # Agent 0 is 3x slower: it cannot reach place 1 (1000 s away) by 2000.
    problem = line_problem(
        [0, 1000],
        [visit(0, 1, windows=[(0, 2_000)])],
        [agent(0, profile_idx=1), agent(1, costs=AgentCosts(per_km=5.0))],
        slow_profile=3,
    )
    assert solved(problem) == [[], [0]]


def test_fixed_and_hourly_costs_pick_the_cheaper_agent() -> None:
    # Serving both visits is a 2 km round trip of 220 s of work.
    visits = [visit(0, 1), visit(1, 1)]
    fixed = [agent(0, costs=AgentCosts(fixed=50.0, per_km=1.0)), agent(1)]
    assert [sorted(o) for o in solved(line_problem([0, 100], visits, fixed))] == [[], [0, 1]]
    # 2.0 for agent 0; 1.0 + 220 s at 1 or at 30 per hour (0.06 or 1.83) for agent 1.
    cheap_hours = [agent(0), agent(1, costs=AgentCosts(per_hour=1.0, per_km=0.5))]
    dear_hours = [agent(0), agent(1, costs=AgentCosts(per_hour=30.0, per_km=0.5))]
    assert [sorted(o) for o in solved(line_problem([0, 100], visits, cheap_hours))] == [[], [0, 1]]
    assert [sorted(o) for o in solved(line_problem([0, 100], visits, dear_hours))] == [[0, 1], []]


def test_second_window_of_a_visit_is_used() -> None:
    # Both visits at place 1 need 500 s; only one can take the window [100, 200].
    problem = line_problem(
        [0, 100],
        [
            visit(0, 1, windows=[(100, 200)], service_s=500),
            visit(1, 1, windows=[(100, 200), (700, 800)], service_s=500),
        ],
        [agent(0)],
    )
    assert solved(problem) == [[0, 1]]


def test_skills_and_pins_are_honoured() -> None:
    # The cheaper agent 1 lacks the skill and is not the pinned agent.
    problem = line_problem(
        [0, 1000, 10],
        [
            visit(0, 2, required_skills=frozenset({"gas"})),
            visit(1, 2, pinned_agent_idx=0),
            visit(2, 2),
        ],
        [agent(0, 1, 1, skills=frozenset({"gas"})), agent(1, 0, 0)],
    )
    orders = solved(problem)
    assert {0, 1} <= set(orders[0])
    assert not {0, 1} & set(orders[1])


def test_max_visits_per_agent() -> None:
    visits = [visit(i, 1, value=100.0) for i in range(5)]
    problem = line_problem([0, 10], visits, [agent(0, max_visits=3)])
    assert len(solved(problem)[0]) == 3


def test_a_must_visit_no_agent_can_make_alone_is_left_out() -> None:
    problem = line_problem(
        [0, 10, 20], [visit(0, 1), visit(1, 2, windows=[(50_000, 60_000)])], [agent(0)]
    )
    assert solved(problem) == [[0]]
    assert build_model(problem).visit_of_client == [0]


def test_a_must_visit_only_a_quicker_detour_reaches_is_an_optional_client() -> None:
    # The matrix breaks the triangle inequality: 0 -> 2 takes 86 s, 0 -> 1 -> 2 none. Visit 1
    # must start by 155 s and the shift starts then, so it fits only right after visit 0 and
    # no agent can make it alone; visit 2 (window before the shift) fits in no route at all.
    travel = np.array([[0, 0, 86], [0, 0, 0], [86, 0, 0]], dtype=np.int64)
    problem = Problem(
        visits=(
            visit(0, 1, service_s=0),
            visit(1, 2, service_s=0, windows=[(100, 155)]),
            visit(2, 2, service_s=0, windows=[(0, 100)]),
        ),
        agents=(agent(0, 0, None, (155, 1_000)),),
        travel_time_s=travel,
        distance_m=travel * 10,
    )
    model = build_model(problem)
    assert model.visit_of_client == [0, 1]
    assert [c.required for c in model.data.clients()] == [True, False]
    assert solved(problem) == [[0, 1]]


def test_identical_agents_share_a_vehicle_type() -> None:
    problem = line_problem([0, 10], [visit(0, 1)], [agent(k) for k in range(4)])
    model = build_model(problem)
    assert model.agents_of_type == [[0, 1, 2, 3]]
    assert model.data.vehicle_types()[0].num_available == 4


def test_cost_scale_keeps_small_unit_costs_precise() -> None:
    agents = [agent(0), agent(1, costs=AgentCosts(per_hour=36.0, per_km=0.0))]
    assert cost_scale(agents) == pytest.approx(10.0 / 0.001)  # 1 per km is the smallest
    assert cost_scale([agent(0, costs=AgentCosts())]) > 0


def test_same_seed_and_iteration_limit_give_the_same_plan() -> None:
    rng = np.random.default_rng(7)
    positions = [0, *rng.integers(0, 2_000, size=30).tolist()]
    visits = [
        visit(i, 1 + i, windows=[(int(s), int(s) + 3_000)])
        for i, s in enumerate(rng.integers(0, 6_000, size=30))
    ]
    problem = line_problem(positions, visits, [agent(k, capacity=12) for k in range(4)])
    params = SolveParams(time_limit_s=30.0, solution_limit=200, engine="pyvrp", seed=3)
    first = solve_orders(problem, params)
    second = solve_orders(problem, params)
    assert first.found
    assert (second.orders, second.iterations) == (first.orders, first.iterations)
    assert sum(map(len, first.orders)) == 30


@pytest.mark.skipif(not SOLOMON.is_dir(), reason="shared/benchmarks is not beside the checkout")
def test_a_solomon_instance_parses_and_solves_feasibly() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import solomon

    inst = solomon.read_instance(SOLOMON / "instances" / "R101.vrp")
    assert (len(inst.xy), inst.capacity, inst.vehicles) == (101, 200, 25)
    problem = solomon.to_problem(inst)
    result = solve_orders(problem, SolveParams(time_limit_s=2.0, engine="pyvrp"))
    routes = [[v + 1 for v in order] for order in result.orders]
    distance, problems = solomon.check_routes(inst, routes)
    assert problems == []
    assert distance < 1.03 * float(solomon.read_bks(SOLOMON / "bks.csv")["R101"]["distance"])


def test_pyvrp_is_imported_by_its_adapter_only() -> None:
    users = []
    for path in sorted((ROOT / "solver").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name.split(".")[0] == "pyvrp" for name in names):
                users.append(path.name)
    assert users
    assert all(name.startswith("_pyvrp") for name in users)
