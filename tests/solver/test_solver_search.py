"""Engine choice, search parameters, determinism per engine, and racing on two cores."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from solver import (
    Break,
    InvalidProblemError,
    Problem,
    Solution,
    SolveParams,
    TimeWindow,
    check_solution,
    evaluate,
)
from solver._ortools_search import (
    SINGLE_VISIT_METAHEURISTIC,
    STRATEGIES,
    search_parameters,
    strategy_for,
)
from solver.engines import (
    EngineResult,
    choose_engine,
    plan_cost,
    plan_orders,
    pyvrp_unsupported,
    race_candidates,
)
from tests.solver.test_solver_pyvrp import agent, line_problem, order_violations, visit


def small_problem(n_visits: int = 12, seed: int = 1) -> Problem:
    rng = np.random.default_rng(seed)
    positions = [0, *rng.integers(0, 1_500, size=n_visits).tolist()]
    visits = [
        visit(i, 1 + i, windows=[(int(s), int(s) + 2_500)], demand=int(d))
        for i, (s, d) in enumerate(
            zip(rng.integers(0, 5_000, n_visits), rng.integers(1, 5, n_visits), strict=True)
        )
    ]
    return line_problem(positions, visits, [agent(k, capacity=15) for k in range(3)])


def with_visit(problem: Problem, **changes: object) -> Problem:
    visits = (replace(problem.visits[0], **changes), *problem.visits[1:])  # type: ignore[arg-type]
    return replace(problem, visits=visits)


def with_agent(problem: Problem, **changes: object) -> Problem:
    agents = (replace(problem.agents[0], **changes), *problem.agents[1:])  # type: ignore[arg-type]
    return replace(problem, agents=agents)


# ---------------------------------------------------------------------------------------------
# Engine choice


def test_auto_picks_pyvrp_inside_its_model() -> None:
    problem = with_visit(
        small_problem(),
        value=50.0,
        required_skills=frozenset({"x"}),
        pinned_agent_idx=0,
        time_windows=(TimeWindow(start_s=0, end_s=100), TimeWindow(start_s=500, end_s=900)),
    )
    problem = with_agent(problem, skills=frozenset({"x"}), max_visits=5, max_working_s=9_000)
    assert pyvrp_unsupported(problem) == ()
    assert choose_engine(problem, SolveParams()) == "pyvrp"


@pytest.mark.parametrize(
    ("feature", "problem"),
    [
        (
            "breaks",
            with_agent(
                small_problem(),
                breaks=(Break(earliest_start_s=100, latest_start_s=200, duration_s=60),),
            ),
        ),
        (
            "preferred_windows",
            with_visit(
                small_problem(),
                preferred_window=TimeWindow(start_s=0, end_s=10),
                lateness_cost_per_hour=1.0,
            ),
        ),
        ("locked_order", with_visit(small_problem(), pinned_agent_idx=0, locked_order=0)),
        ("max_travel", with_agent(small_problem(), max_travel_s=1_000)),
    ],
)
def test_auto_picks_ortools_outside_pyvrp_model(feature: str, problem: Problem) -> None:
    assert feature in pyvrp_unsupported(problem)
    assert choose_engine(problem, SolveParams()) == "ortools"
    assert choose_engine(problem, SolveParams(engine="ortools")) == "ortools"
    with pytest.raises(ValueError, match=feature):
        choose_engine(problem, SolveParams(engine="pyvrp"))


def test_explicit_engine_is_honoured() -> None:
    problem = small_problem()
    assert choose_engine(problem, SolveParams(engine="ortools")) == "ortools"
    assert choose_engine(problem, SolveParams(engine="pyvrp")) == "pyvrp"


@pytest.mark.parametrize(
    "kwargs", [{"engine": "gurobi"}, {"workers": 0}, {"seed": -1}, {"solution_limit": 0}]
)
def test_bad_params_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidProblemError):
        SolveParams(**kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# OR-Tools search parameters


def test_search_parameters_carry_the_limits() -> None:
    search = search_parameters(SolveParams(time_limit_s=2.5, solution_limit=40), n_visits=10)
    assert search.time_limit.ToMilliseconds() == 2500
    assert search.solution_limit == 40
    best = STRATEGIES[0]
    assert search.first_solution_strategy == best.first_solution
    assert search.local_search_metaheuristic == best.metaheuristic


def test_a_single_visit_needs_no_metaheuristic() -> None:
    search = search_parameters(SolveParams(), n_visits=1)
    assert search.local_search_metaheuristic == SINGLE_VISIT_METAHEURISTIC


def test_the_seed_picks_an_ortools_strategy() -> None:
    for seed, strategy in enumerate(STRATEGIES):
        search = search_parameters(SolveParams(seed=seed), n_visits=10)
        assert search.first_solution_strategy == strategy.first_solution
        assert search.local_search_metaheuristic == strategy.metaheuristic
    assert strategy_for(SolveParams(seed=len(STRATEGIES))) == STRATEGIES[0]


# ---------------------------------------------------------------------------------------------
# Both engines: feasible plans, determinism


@pytest.mark.parametrize("engine", ["ortools", "pyvrp"])
def test_engines_give_feasible_plans(engine: str) -> None:
    problem = small_problem()
    result = plan_orders(problem, SolveParams(time_limit_s=10.0, solution_limit=200, engine=engine))  # type: ignore[arg-type]
    assert result.found
    assert result.engine == engine
    assert order_violations(problem, result.orders) == []
    evaluation = evaluate(problem, result.orders)
    assert evaluation.feasible
    solution = Solution(
        routes=evaluation.routes,
        unassigned=(),
        objective=evaluation.objective,
        lost_value=evaluation.lost_value,
        balance_cost=evaluation.balance_cost,
    )
    assert check_solution(problem, solution) == []
    assert sum(map(len, result.orders)) == len(problem.visits)


@pytest.mark.parametrize("engine", ["ortools", "pyvrp"])
def test_same_seed_and_limit_give_the_same_plan(engine: str) -> None:
    problem = small_problem(20, seed=5)
    params = SolveParams(time_limit_s=30.0, solution_limit=100, engine=engine, seed=4)  # type: ignore[arg-type]
    assert plan_orders(problem, params) == plan_orders(problem, params)


def test_over_full_day_falls_back_to_ortools() -> None:
    # Three must-visits of demand 5 for one agent of capacity 10: PyVRP finds no plan with
    # all of them; OR-Tools leaves one out.
    problem = line_problem(
        [0, 10], [visit(i, 1, demand=5) for i in range(3)], [agent(0, capacity=10)]
    )
    result = plan_orders(problem, SolveParams(time_limit_s=10.0, solution_limit=100))
    assert result.engine == "ortools"
    assert len(result.orders[0]) == 2
    assert order_violations(problem, result.orders) == []


# ---------------------------------------------------------------------------------------------
# Racing


def test_race_candidates_differ_by_seed() -> None:
    candidates = race_candidates(small_problem(), SolveParams(workers=2, seed=7))
    assert [(engine, p.seed, p.workers) for engine, p in candidates] == [
        ("pyvrp", 7, 1),
        ("pyvrp", 8, 1),
    ]


def test_racing_keeps_the_cheaper_feasible_plan() -> None:
    problem = small_problem(15)
    params = SolveParams(time_limit_s=20.0, solution_limit=100, workers=2)
    raced = plan_orders(problem, params)
    assert order_violations(problem, raced.orders) == []
    singles = [plan_orders(problem, p) for _, p in race_candidates(problem, params)]
    assert plan_cost(problem, raced) == min(plan_cost(problem, r) for r in singles)


def test_plan_cost_counts_money_and_dropped_values() -> None:
    problem = line_problem([0, 1000], [visit(0, 1), visit(1, 1, value=7.0)], [agent(0)])
    served = EngineResult(orders=[[0]], engine="pyvrp", found=True)
    assert plan_cost(problem, served) == pytest.approx(20.0 + 7.0, abs=1e-3)
    missing = EngineResult(orders=[[]], engine="ortools", found=False)
    assert plan_cost(problem, missing) == float("inf")
    late = EngineResult(orders=[[0, 1]], engine="pyvrp", found=True)
    tight = replace(
        problem, agents=(replace(problem.agents[0], shift=TimeWindow(start_s=0, end_s=100)),)
    )
    assert plan_cost(tight, late) == float("inf")
