"""The OR-Tools routing model: the only module of the package that imports ``ortools``.

Node layout of the routing model (node = position in the node-level matrices)::

    0 .. V-1              one node per visit, in the order of ``Problem.visits``
    V .. V+A-1            one start node per agent, in the order of ``Problem.agents``
    V+A .. V+2A-1         one end node per agent

Every agent has its own start and end node even when places coincide, so a node maps to
exactly one place (or, for the end of an open route, to none). Nothing OR-Tools-typed leaves
this module: :func:`solve_orders` returns plain lists of visit indices.

Search strategy (``FIRST_SOLUTION`` + ``METAHEURISTIC``), measured on random instances:
100 visits, 5 agents from 2 depots, a 9-hour shift, places on a 30 km square with Manhattan
travel at ~29 km/h, 30 % of visits with one 2-hour window and 30 % with two 1-hour windows;
2 s limit, one run per seed, shared 2-core machine. "Fits": 4-8 min services, the day holds
every visit; "over-full": 10-20 min services, it cannot.

=================================  =====================  ===========================
first solution + metaheuristic     fits (10 seeds):       over-full: dropped in total
                                   dropped / mean travel
=================================  =====================  ===========================
PATH_CHEAPEST_ARC + GLS            2 / 64 169 s           184 (20 seeds)
LOCAL_CHEAPEST_INSERTION + GLS     0 / 60 777 s           188 (20 seeds)
PATH_CHEAPEST_ARC + TABU_SEARCH    1 / 66 328 s           175 (20 seeds)
LOCAL_CHEAPEST_INSERTION + TABU    0 / 63 072 s           98 (10 seeds; PCA + GLS: 102)
PARALLEL_CHEAPEST_INSERTION + GLS  4 / 63 967 s (5)       47 (5 seeds; PCA + GLS: 44)
PATH_CHEAPEST_ARC + SIM. ANNEAL.   1 / 69 744 s (5)       56 (5 seeds; PCA + GLS: 44)
=================================  =====================  ===========================

At the default 5 s (5 seeds): fits 0 / 59 651 s with LCI + GLS vs 0 / 65 393 s with
PCA + GLS; over-full 42 vs 36 dropped.

LOCAL_CHEAPEST_INSERTION + GUIDED_LOCAL_SEARCH is chosen: when the day fits it never dropped
a servable visit and travelled 5-9 % less; on over-full days all are within noise of each
other (LCI slightly behind at 5 s). It also scales where PATH_CHEAPEST_ARC does not: the
first solution of a fitting instance took 0.5 s vs 5.4 s (58 visits dropped) at 300 visits
/ 15 agents, and 7 s vs none within 60 s at 600 visits / 30 agents.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from solver.model import Problem
from solver.params import SolveParams

FIRST_SOLUTION = routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
METAHEURISTIC = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH

_TIME_DIMENSION = "time"


@dataclass(frozen=True, slots=True)
class OrToolsResult:
    """What the routing search found, as plain data.

    Attributes
    ----------
    orders
        One list per agent (in the order of ``Problem.agents``) of the visit indices it
        serves, in service order.
    objective
        OR-Tools' objective: arc costs (travel seconds) plus the drop penalties of the
        visits left out.
    found
        False when OR-Tools returned no solution at all; ``orders`` are then all empty.
    """

    orders: list[list[int]]
    objective: int
    found: bool


def horizon_s(problem: Problem) -> int:
    """The capacity of the time dimension (seconds).

    The latest end of any shift or visit window, plus one second of margin. Every visit's
    cumul domain (its windows) therefore fits inside ``[0, horizon]`` and is never empty
    by construction, so a visit whose windows miss every shift is dropped rather than
    making the whole model infeasible.
    """
    ends = [agent.shift.end_s for agent in problem.agents]
    ends.extend(w.end_s for visit in problem.visits for w in visit.time_windows)
    return max(ends, default=0) + 1


def node_travel_s(problem: Problem, profile_idx: int = 0) -> npt.NDArray[np.int64]:
    """The node-level travel matrix (seconds) of one travel profile, laid out as described in
    the module docstring.

    Travel into the end node of an open route is 0, and so is the arc from an agent's start
    node straight to its own end node (an unused agent stays home), so an empty route is
    always feasible and costs nothing. Arcs out of end nodes are never used and are 0.
    """
    n_visits = len(problem.visits)
    n_agents = len(problem.agents)
    n_nodes = n_visits + 2 * n_agents
    place = np.zeros(n_nodes, dtype=np.int64)
    place[:n_visits] = [v.location_idx for v in problem.visits]
    place[n_visits : n_visits + n_agents] = [a.start_location_idx for a in problem.agents]
    open_end = np.zeros(n_nodes, dtype=bool)
    for k, agent in enumerate(problem.agents):
        end_node = n_visits + n_agents + k
        if agent.end_location_idx is None:
            open_end[end_node] = True
        else:
            place[end_node] = agent.end_location_idx
    travel = np.asarray(problem.travel_time_s[profile_idx], dtype=np.int64)[np.ix_(place, place)]
    travel[:, open_end] = 0
    travel[n_visits + n_agents :, :] = 0
    starts = np.arange(n_visits, n_visits + n_agents)
    travel[starts, starts + n_agents] = 0
    return travel


def solve_orders(problem: Problem, params: SolveParams) -> OrToolsResult:
    """Run the OR-Tools routing search and return each agent's visit order.

    Parameters
    ----------
    problem
        The problem; must have at least one visit and one agent.
    params
        Time limit and optional solution limit of the search.

    Returns
    -------
    OrToolsResult
        Visit orders per agent, the objective value, and whether a solution was found.
        When none was found every order is empty and the objective is the sum of all drop
        penalties (every visit unassigned).
    """
    n_visits = len(problem.visits)
    n_agents = len(problem.agents)
    if n_visits == 0 or n_agents == 0:
        msg = "solve_orders needs at least one visit and one agent"
        raise ValueError(msg)

    starts = list(range(n_visits, n_visits + n_agents))
    ends = list(range(n_visits + n_agents, n_visits + 2 * n_agents))
    manager = pywrapcp.RoutingIndexManager(n_visits + 2 * n_agents, n_agents, starts, ends)
    routing = pywrapcp.RoutingModel(manager)

    service = np.zeros(n_visits + 2 * n_agents, dtype=np.int64)
    service[:n_visits] = [v.service_s for v in problem.visits]
    # One pair of registered matrices per travel profile in use (a mode at some hours):
    # arc cost = travel; time transit = service at i (zero at a start node) + travel i -> j.
    cost_cb: dict[int, int] = {}
    time_cb: dict[int, int] = {}
    for profile_idx in sorted({agent.profile_idx for agent in problem.agents}):
        travel = node_travel_s(problem, profile_idx)
        cost_cb[profile_idx] = routing.RegisterTransitMatrix(travel.tolist())
        time_cb[profile_idx] = routing.RegisterTransitMatrix(
            (travel + service[:, np.newaxis]).tolist()
        )
    for k, agent in enumerate(problem.agents):
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[agent.profile_idx], k)

    horizon = horizon_s(problem)
    routing.AddDimensionWithVehicleTransits(
        [time_cb[agent.profile_idx] for agent in problem.agents],
        horizon,
        horizon,
        False,
        _TIME_DIMENSION,
    )
    time_dim = routing.GetDimensionOrDie(_TIME_DIMENSION)

    for v, visit in enumerate(problem.visits):
        index = manager.NodeToIndex(v)
        if visit.time_windows:
            windows = sorted(visit.time_windows, key=lambda w: w.start_s)
            cumul = time_dim.CumulVar(index)
            cumul.SetRange(windows[0].start_s, windows[-1].end_s)
            for before, after in itertools.pairwise(windows):
                if before.end_s + 1 <= after.start_s - 1:
                    cumul.RemoveInterval(before.end_s + 1, after.start_s - 1)
        routing.AddDisjunction([index], visit.drop_penalty)

    for k, agent in enumerate(problem.agents):
        time_dim.CumulVar(routing.Start(k)).SetRange(agent.shift.start_s, agent.shift.end_s)
        time_dim.CumulVar(routing.End(k)).SetRange(agent.shift.start_s, agent.shift.end_s)

    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = FIRST_SOLUTION
    # With a single visit the search space is {served by agent k, dropped}; plain descent
    # explores it all (relocation between routes, activation) and then stops, whereas a
    # metaheuristic would never reach a solution limit and always run to the time limit.
    search.local_search_metaheuristic = (
        METAHEURISTIC if n_visits > 1 else routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    )
    search.time_limit.FromMilliseconds(max(1, round(params.time_limit_s * 1000)))
    if params.solution_limit is not None:
        search.solution_limit = params.solution_limit

    assignment = routing.SolveWithParameters(search)
    if assignment is None:
        return OrToolsResult(
            orders=[[] for _ in problem.agents],
            objective=sum(v.drop_penalty for v in problem.visits),
            found=False,
        )

    orders: list[list[int]] = []
    for k in range(n_agents):
        order: list[int] = []
        index = assignment.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(index):
            order.append(int(manager.IndexToNode(index)))
            index = assignment.Value(routing.NextVar(index))
        orders.append(order)
    return OrToolsResult(orders=orders, objective=int(assignment.ObjectiveValue()), found=True)
