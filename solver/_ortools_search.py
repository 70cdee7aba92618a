"""OR-Tools search parameters: strategy portfolio, limits and determinism.

Measured with bench/ortools_search.py: our OR-Tools model (:mod:`solver._ortools`) on 12
Solomon instances (R101 R105 R109 R112 R201 R205 RC101 RC105 RC202 RC206 C104 C204, mapped
as in bench/solomon.py), 10 s each, one search at a time, another agent's tests using about
one of the 2 cores part of the time. Mean gap of the exact distance to the distance-only
best-known distance; every plan feasible:

=====================================  ==========  ===========================  ==========
strategy (first solution + meta)       mean gap %  race of two (better plan)    mean gap %
=====================================  ==========  ===========================  ==========
PATH_CHEAPEST_ARC + GLS (PCA+GLS)      4.37        LCI+GLS | PCA+GLS            3.04
LOCAL_CHEAPEST_INSERTION + GLS, GLS    4.39        PCA+GLS | LCI+GLS+pen        3.04
penalties in the operators
LOCAL_CHEAPEST_INSERTION + GLS         4.51        PCA+GLS | LCI+TABU           3.12
(LCI+GLS)
PARALLEL_CHEAPEST_INSERTION + GLS      4.64        LCI+GLS | PCA+GLS+pen        3.29
PCA+GLS, penalties in the operators    4.65        PCA+GLS | PCI+GLS            3.52
LCI + TABU_SEARCH                      4.75        LCI+GLS | LCI+TABU           4.01
=====================================  ==========  ===========================  ==========

A first pass of the same kind (two searches at a time, a scratch copy of the model) gave
SAVINGS + GLS 4.93 %, LCI + SIMULATED_ANNEALING 7.02 %, OR-Tools' defaults (AUTOMATIC +
AUTOMATIC) 9.67 %; PCA + GLS with GLS lambda 0.3 or 0.05 instead of 0.1, or with the
cheapest-insertion LNS operators on close nodes and expensive chains, were worse (5.0 to
6.4 %, partly measured under load); OR-Tools' iterated local search (ruin and recreate,
SISR) stopped after under a second with worse plans.

The single strategies lie within a few tenths of each other, inside the noise of one run;
racing two of them is what pays, and LCI+GLS with PCA+GLS is the best pair. LCI+GLS stays
first: on random home-visit days (100 visits, 5 agents from 2 depots, a 9-hour shift, 30 %
one 2-hour window, 30 % two 1-hour windows; 2-5 s) it never dropped a servable visit when
the day fitted and travelled 5-9 % less than PCA+GLS, and it builds a first solution of 600
visits in 7 s where PATH_CHEAPEST_ARC found none within 60 s.

OR-Tools' routing search is deterministic, so ``SolveParams.seed`` picks the strategy of
:data:`STRATEGIES` (modulo its length): seed 0, the default, is the best; racing workers
(:func:`solver.engines.race_candidates`) take the next ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_parameters_pb2

from solver.params import SolveParams

_FIRST = routing_enums_pb2.FirstSolutionStrategy
_META = routing_enums_pb2.LocalSearchMetaheuristic


@dataclass(frozen=True, slots=True)
class Strategy:
    """One configuration of OR-Tools' search.

    Attributes
    ----------
    name
        For logs and benchmarks.
    first_solution
        A ``FirstSolutionStrategy`` value.
    metaheuristic
        A ``LocalSearchMetaheuristic`` value.
    gls_penalties_in_operators
        Let the local-search operators see guided local search's penalties
        (``use_guided_local_search_penalties_in_local_search_operators``).
    gls_lambda
        Guided local search's lambda coefficient (None: OR-Tools' default, 0.1).
    path_lns
        Turn on the path and inactive LNS operators.
    close_nodes_lns
        Turn on the cheapest-insertion LNS operators on close nodes and expensive chains.
    """

    name: str
    first_solution: int
    metaheuristic: int
    gls_penalties_in_operators: bool = False
    gls_lambda: float | None = None
    path_lns: bool = False
    close_nodes_lns: bool = False


CANDIDATES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy("default", _FIRST.AUTOMATIC, _META.AUTOMATIC),
        Strategy("LCI+GLS", _FIRST.LOCAL_CHEAPEST_INSERTION, _META.GUIDED_LOCAL_SEARCH),
        Strategy("PCA+GLS", _FIRST.PATH_CHEAPEST_ARC, _META.GUIDED_LOCAL_SEARCH),
        Strategy("PCI+GLS", _FIRST.PARALLEL_CHEAPEST_INSERTION, _META.GUIDED_LOCAL_SEARCH),
        Strategy("SAV+GLS", _FIRST.SAVINGS, _META.GUIDED_LOCAL_SEARCH),
        Strategy("LCI+TABU", _FIRST.LOCAL_CHEAPEST_INSERTION, _META.TABU_SEARCH),
        Strategy("LCI+SA", _FIRST.LOCAL_CHEAPEST_INSERTION, _META.SIMULATED_ANNEALING),
        Strategy(
            "LCI+GLS+pen",
            _FIRST.LOCAL_CHEAPEST_INSERTION,
            _META.GUIDED_LOCAL_SEARCH,
            gls_penalties_in_operators=True,
        ),
        Strategy(
            "PCA+GLS+pen",
            _FIRST.PATH_CHEAPEST_ARC,
            _META.GUIDED_LOCAL_SEARCH,
            gls_penalties_in_operators=True,
        ),
        Strategy(
            "PCA+GLS+lam0.3", _FIRST.PATH_CHEAPEST_ARC, _META.GUIDED_LOCAL_SEARCH, gls_lambda=0.3
        ),
        Strategy(
            "PCA+GLS+pathlns", _FIRST.PATH_CHEAPEST_ARC, _META.GUIDED_LOCAL_SEARCH, path_lns=True
        ),
        Strategy(
            "PCA+GLS+closelns",
            _FIRST.PATH_CHEAPEST_ARC,
            _META.GUIDED_LOCAL_SEARCH,
            close_nodes_lns=True,
        ),
    )
}
"""Every configuration measured (bench/ortools_search.py), by name."""

STRATEGIES: tuple[Strategy, ...] = (CANDIDATES["LCI+GLS"], CANDIDATES["PCA+GLS"])
"""The portfolio, best first (see the module docstring)."""

SINGLE_VISIT_METAHEURISTIC = _META.GREEDY_DESCENT
"""With a single visit the search space is {served by agent k, dropped}; plain descent
explores it all and then stops, whereas a metaheuristic would never reach a solution limit
and always run to the time limit."""

_TRUE = 2  # OptionalBoolean.BOOL_TRUE


def strategy_for(params: SolveParams) -> Strategy:
    """The strategy ``params.seed`` picks from :data:`STRATEGIES`."""
    return STRATEGIES[params.seed % len(STRATEGIES)]


def search_parameters(
    params: SolveParams, *, n_visits: int, strategy: Strategy | None = None
) -> routing_parameters_pb2.RoutingSearchParameters:
    """The routing search parameters for ``params`` on a problem of ``n_visits`` visits.

    The time limit always applies; ``params.solution_limit`` stops the search after that
    many solutions, which makes it reproducible (it does not depend on the machine's speed).
    ``strategy`` overrides the one ``params.seed`` picks (benchmarks).
    """
    if strategy is None:
        strategy = strategy_for(params)
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = strategy.first_solution
    search.local_search_metaheuristic = (
        strategy.metaheuristic if n_visits > 1 else SINGLE_VISIT_METAHEURISTIC
    )
    if strategy.gls_penalties_in_operators:
        search.use_guided_local_search_penalties_in_local_search_operators = True
    if strategy.gls_lambda is not None:
        search.guided_local_search_lambda_coefficient = strategy.gls_lambda
    operators = search.local_search_operators
    if strategy.path_lns:
        operators.use_path_lns = _TRUE
        operators.use_inactive_lns = _TRUE
    if strategy.close_nodes_lns:
        operators.use_global_cheapest_insertion_close_nodes_lns = _TRUE
        operators.use_local_cheapest_insertion_close_nodes_lns = _TRUE
        operators.use_global_cheapest_insertion_expensive_chain_lns = _TRUE
        operators.use_local_cheapest_insertion_expensive_chain_lns = _TRUE
    search.time_limit.FromMilliseconds(max(1, round(params.time_limit_s * 1000)))
    if params.solution_limit is not None:
        search.solution_limit = params.solution_limit
    return search
