"""The entry point: solve a :class:`~solver.model.Problem` into a timed :class:`Solution`."""

from __future__ import annotations

import logging
import time

from solver import _ortools
from solver.errors import InternalSolverError
from solver.model import Problem
from solver.params import SolveParams
from solver.reasons import unassigned_reason
from solver.schedule import schedule_route
from solver.solution import Route, Solution, Unassigned

logger = logging.getLogger(__name__)


def solve(problem: Problem, params: SolveParams | None = None) -> Solution:
    """Assign visits to agents and order and time each agent's day.

    OR-Tools chooses which agent serves which visit and in what order, minimising total
    travel time plus the drop penalty of every visit left out. The times of each route are
    then computed independently by :func:`~solver.schedule.schedule_route` (earliest service,
    late departure from home).

    Parameters
    ----------
    problem
        Visits, agents and travel matrices.
    params
        Search limits; ``SolveParams()`` when None. Set ``solution_limit`` (with a generous
        time limit) for a reproducible result.

    Returns
    -------
    Solution
        One route per agent in the order of ``problem.agents`` (empty for an agent that stays
        home), the unassigned visits in index order, each with a reason, and the objective
        (travel seconds of all routes plus the drop penalties of the unassigned visits).

    Raises
    ------
    InternalSolverError
        If OR-Tools returns an order that the scheduler finds infeasible, or the objective
        disagrees with the timed routes: a bug, not bad input.
    """
    if params is None:
        params = SolveParams()
    started = time.perf_counter()
    n_visits = len(problem.visits)
    n_agents = len(problem.agents)

    if n_visits and n_agents:
        result = _ortools.solve_orders(problem, params)
        orders = result.orders
        objective = result.objective
        found = result.found
    else:
        orders = [[] for _ in problem.agents]
        objective = sum(visit.drop_penalty for visit in problem.visits)
        found = True

    routes = tuple(
        _timed_route(problem, agent_idx, order) for agent_idx, order in enumerate(orders)
    )
    served = {stop.visit_idx for route in routes for stop in route.stops}
    unassigned = []
    for visit_idx in range(n_visits):
        if visit_idx not in served:
            reason, detail = unassigned_reason(problem, visit_idx)
            unassigned.append(Unassigned(visit_idx=visit_idx, reason=reason, detail=detail))

    expected = sum(route.travel_s for route in routes) + sum(
        problem.visits[u.visit_idx].drop_penalty for u in unassigned
    )
    if found and expected != objective:
        msg = (
            f"OR-Tools objective {objective} differs from the timed routes' travel plus "
            f"drop penalties {expected}"
        )
        raise InternalSolverError(msg)

    logger.info(
        "solved %d visits, %d agents: %d assigned, %d unassigned, objective %d, "
        "solution found %s, %.2f s",
        n_visits,
        n_agents,
        len(served),
        len(unassigned),
        objective,
        found,
        time.perf_counter() - started,
    )
    return Solution(routes=routes, unassigned=tuple(unassigned), objective=objective)


def _timed_route(problem: Problem, agent_idx: int, order: list[int]) -> Route:
    route = schedule_route(problem, agent_idx, order)
    if route is None:
        msg = (
            f"the scheduler finds the order OR-Tools chose for agent index {agent_idx} "
            f"({len(order)} visits) infeasible"
        )
        raise InternalSolverError(msg)
    return route
