"""The OR-Tools routing model of a :class:`~solver.model.Problem`.

With :mod:`solver._ortools_search` (search parameters) the only modules of the package that
import ``ortools``. Nothing OR-Tools-typed leaves them: :func:`solve_orders` returns plain
lists of visit indices, which :mod:`solver.evaluate` then times and costs.

Node layout (node = position in the node-level matrices)::

    0 .. V-1              one node per visit, in the order of ``Problem.visits``
    V .. V+A-1            one start node per agent, in the order of ``Problem.agents``
    V+A .. V+2A-1         one end node per agent

Every agent has its own start and end node even when places coincide, so a node maps to
exactly one place (or, for the end of an open route, to none), and the row of a start node
is only ever used by its own agent.

Money in integers
-----------------
OR-Tools costs are integers: money is counted in units of ``1 / MONEY_SCALE`` (10^-7).
Costs per arc (distance) and per visit (value) are rounded once each; rates per second
(working time, lateness) are rounded to whole units per second, at most 0.5 unit = 5e-8
money per second off: under 0.005 money over a 24-hour day. On top of money every arc costs
``TIE_BREAK_PER_TRAVEL_S`` unit per second of travel (0.0036 money per hour of travel), so a
problem with all costs zero (today's app) still minimises travel time.

Features
--------
* time: one ``time`` dimension, transit = service at the origin + travel of the agent's
  profile, slack = waiting; hard windows as the cumul's domain (service start); shifts on the
  start and end cumuls; working time costed by a span cost per agent (``per_hour``) and bounded
  by ``max_working_s`` (span upper bound); lateness as soft upper bounds on the cumul;
  breaks as the agent's break intervals (service times as the nodes' visit transits), kept
  from overlapping each other by a disjunctive constraint.
* costs per arc: one registered matrix per distinct (profile, ``per_km``): travel tie-break +
  distance cost, plus each agent's fixed cost on the arcs out of its start node to a visit
  (so it is charged exactly when the agent makes a visit).
* ``load`` dimension (demand, capacity), ``visits`` dimension (count; ``max_visits``; position
  of a visit in its route for locked orders), ``travel`` dimension (``max_travel_s``).
* balance: the ``visits`` dimension's global span is the most visits of any agent; a second
  ``visits_left`` dimension (V at the start, -1 per visit) has global span V minus the fewest;
  both with the balance cost as coefficient give max - min (+ a constant), every agent
  counting (empty routes are made "used").
* skills and pins: the domain of each visit's vehicle variable; locked order: a visit of a smaller
  locked order comes earlier in the route (``visits`` cumul), when both are served.
* value: a disjunction per visit with the value as its penalty.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp

from solver._ortools_search import search_parameters
from solver.model import Problem
from solver.params import SolveParams
from solver.timing import break_window_s

MONEY_SCALE = 10_000_000
"""Integer cost units per unit of money."""

TIE_BREAK_PER_TRAVEL_S = 1
"""Cost units added per second of travel, whatever the agent's costs."""

TIME = "time"
LOAD = "load"
VISITS = "visits"
VISITS_LEFT = "visits_left"
TRAVEL = "travel"

_UNBOUNDED = 1 << 40
"""Capacity of a dimension without a limit (far above any day's value, far below int64)."""


@dataclass(frozen=True, slots=True)
class OrToolsResult:
    """What the routing search found, as plain data.

    Attributes
    ----------
    orders
        One list per agent (in the order of ``Problem.agents``) of the visit indices it
        serves, in service order.
    objective
        OR-Tools' objective in cost units (see the module docstring): money times
        ``MONEY_SCALE`` plus the travel tie-break (plus a constant when balancing).
    found
        False when OR-Tools returned no solution at all; ``orders`` are then all empty.
    solutions
        Solutions the search found: a ``solution_limit`` that retraces it.
    """

    orders: list[list[int]]
    objective: int
    found: bool
    solutions: int = 0


def money_units(money: float) -> int:
    """``money`` in integer cost units."""
    return round(money * MONEY_SCALE)


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


def node_places(problem: Problem) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """The place of every node (0 for the end of an open route) and which nodes are open
    ends."""
    n_visits = len(problem.visits)
    n_agents = len(problem.agents)
    place = np.zeros(n_visits + 2 * n_agents, dtype=np.int64)
    place[:n_visits] = [v.location_idx for v in problem.visits]
    place[n_visits : n_visits + n_agents] = [a.start_location_idx for a in problem.agents]
    open_end = np.zeros(len(place), dtype=bool)
    for k, agent in enumerate(problem.agents):
        end_node = n_visits + n_agents + k
        if agent.end_location_idx is None:
            open_end[end_node] = True
        else:
            place[end_node] = agent.end_location_idx
    return place, open_end


def node_matrix(
    problem: Problem, matrices: npt.NDArray[np.int64], profile_idx: int
) -> npt.NDArray[np.int64]:
    """One profile's place matrix (travel or distance) at node level.

    Arcs into the end node of an open route are 0, and so is the arc from an agent's start
    node straight to its own end node (an unused agent stays home), so an empty route is
    always feasible and costs nothing. Arcs out of end nodes are never used and are 0.
    """
    n_visits = len(problem.visits)
    n_agents = len(problem.agents)
    place, open_end = node_places(problem)
    matrix = np.asarray(matrices[profile_idx], dtype=np.int64)[np.ix_(place, place)]
    matrix[:, open_end] = 0
    matrix[n_visits + n_agents :, :] = 0
    starts = np.arange(n_visits, n_visits + n_agents)
    matrix[starts, starts + n_agents] = 0
    return matrix


def node_travel_s(problem: Problem, profile_idx: int = 0) -> npt.NDArray[np.int64]:
    """The node-level travel matrix (seconds) of one profile; see :func:`node_matrix`."""
    return node_matrix(problem, problem.travel_time_s, profile_idx)


class RoutingModel:
    """The OR-Tools model of one problem, built by the constructor, searched by
    :meth:`solve`."""

    def __init__(self, problem: Problem) -> None:
        n_visits = len(problem.visits)
        n_agents = len(problem.agents)
        if n_visits == 0 or n_agents == 0:
            msg = "the routing model needs at least one visit and one agent"
            raise ValueError(msg)
        self.problem = problem
        self.n_visits = n_visits
        self.n_agents = n_agents
        self.n_nodes = n_visits + 2 * n_agents
        self.horizon_s = horizon_s(problem)
        starts = list(range(n_visits, n_visits + n_agents))
        ends = list(range(n_visits + n_agents, self.n_nodes))
        self.manager = pywrapcp.RoutingIndexManager(self.n_nodes, n_agents, starts, ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self.visit_index = [self.manager.NodeToIndex(v) for v in range(n_visits)]
        self.profiles = sorted({agent.profile_idx for agent in problem.agents})
        self._travel = {p: node_matrix(problem, problem.travel_time_s, p) for p in self.profiles}
        self.usable = [self._breaks_fit(k) for k in range(n_agents)]

        self._add_arc_costs()
        self._add_time()
        self._add_breaks()
        self._add_load()
        self._add_visit_count()
        self._add_travel_limit()
        self._add_allowed_agents()
        self._add_values()

    # -- costs -------------------------------------------------------------------------------

    def _add_arc_costs(self) -> None:
        """Per (profile, per_km): tie-break on travel + distance cost + fixed costs."""
        problem = self.problem
        fixed = np.zeros(self.n_nodes, dtype=np.int64)
        fixed[self.n_visits : self.n_visits + self.n_agents] = [
            money_units(agent.costs.fixed) for agent in problem.agents
        ]
        fixed_rows = np.zeros((self.n_nodes, self.n_nodes), dtype=np.int64)
        fixed_rows[:, : self.n_visits] = fixed[:, np.newaxis]
        callbacks: dict[tuple[int, float], int] = {}
        for k, agent in enumerate(problem.agents):
            key = (agent.profile_idx, agent.costs.per_km)
            if key not in callbacks:
                cost = TIE_BREAK_PER_TRAVEL_S * self._travel[agent.profile_idx] + fixed_rows
                if agent.costs.per_km:
                    distance = node_matrix(problem, problem.distance_m, agent.profile_idx)
                    per_m = agent.costs.per_km * MONEY_SCALE / 1000
                    cost += np.rint(distance * per_m).astype(np.int64)
                callbacks[key] = self.routing.RegisterTransitMatrix(cost.tolist())
            self.routing.SetArcCostEvaluatorOfVehicle(callbacks[key], k)

    def _add_values(self) -> None:
        for v, visit in enumerate(self.problem.visits):
            self.routing.AddDisjunction([self.visit_index[v]], money_units(visit.drop_cost))

    # -- time --------------------------------------------------------------------------------

    def _add_time(self) -> None:
        problem = self.problem
        self.service_s = np.zeros(self.n_nodes, dtype=np.int64)
        self.service_s[: self.n_visits] = [v.service_s for v in problem.visits]
        callbacks = {
            p: self.routing.RegisterTransitMatrix(
                (self._travel[p] + self.service_s[:, np.newaxis]).tolist()
            )
            for p in self.profiles
        }
        horizon = self.horizon_s
        self.routing.AddDimensionWithVehicleTransits(
            [callbacks[agent.profile_idx] for agent in problem.agents],
            horizon,
            horizon,
            False,
            TIME,
        )
        time = self.routing.GetDimensionOrDie(TIME)
        for v, visit in enumerate(problem.visits):
            index = self.visit_index[v]
            cumul = time.CumulVar(index)
            if visit.time_windows:
                windows = sorted(visit.time_windows, key=lambda w: w.start_s)
                cumul.SetRange(windows[0].start_s, windows[-1].end_s)
                for before, after in itertools.pairwise(windows):
                    if before.end_s + 1 <= after.start_s - 1:
                        cumul.RemoveInterval(before.end_s + 1, after.start_s - 1)
            per_s = money_units(visit.lateness_cost_per_hour / 3600)
            if visit.preferred_window is not None and per_s > 0:
                time.SetCumulVarSoftUpperBound(index, visit.preferred_window.end_s, per_s)
        for k, agent in enumerate(problem.agents):
            shift = agent.shift
            time.CumulVar(self.routing.Start(k)).SetRange(shift.start_s, shift.end_s)
            time.CumulVar(self.routing.End(k)).SetRange(shift.start_s, shift.end_s)
            per_s = money_units(agent.costs.per_hour / 3600)
            if per_s > 0:
                time.SetSpanCostCoefficientForVehicle(per_s, k)
            if agent.max_working_s is not None:
                time.SetSpanUpperBoundForVehicle(agent.max_working_s, k)

    def _breaks_fit(self, agent_idx: int) -> bool:
        """Whether every break of the agent fits in its shift (else it may visit no one)."""
        agent = self.problem.agents[agent_idx]
        return all(
            earliest <= latest
            for earliest, latest in (break_window_s(agent, b) for b in range(len(agent.breaks)))
        )

    def _add_breaks(self) -> None:
        time = self.routing.GetDimensionOrDie(TIME)
        solver = self.routing.solver()
        visit_transits: list[int] | None = None
        for k, agent in enumerate(self.problem.agents):
            intervals = []
            for b, brk in enumerate(agent.breaks):
                earliest_s, latest_s = break_window_s(agent, b)
                if brk.duration_s == 0 or earliest_s > latest_s:
                    continue  # nothing to place / the agent is kept off every visit
                intervals.append(
                    solver.FixedDurationIntervalVar(
                        earliest_s, latest_s, brk.duration_s, False, f"break {k}.{b}"
                    )
                )
            if not intervals:
                continue
            if visit_transits is None:
                size = self.routing.Size() + self.n_agents
                visit_transits = [
                    int(self.service_s[self.manager.IndexToNode(index)]) for index in range(size)
                ]
            time.SetBreakIntervalsOfVehicle(intervals, k, visit_transits)
            if len(intervals) > 1:  # OR-Tools would let one agent's breaks overlap
                solver.Add(solver.DisjunctiveConstraint(intervals, f"breaks {k}"))

    # -- other dimensions --------------------------------------------------------------------

    def _add_load(self) -> None:
        problem = self.problem
        demands = [v.demand for v in problem.visits]
        if not any(demands) or all(a.capacity is None for a in problem.agents):
            return
        callback = self.routing.RegisterUnaryTransitVector(demands + [0] * (2 * self.n_agents))
        total = sum(demands)
        capacities = [total if a.capacity is None else a.capacity for a in problem.agents]
        self.routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, True, LOAD)

    def _add_visit_count(self) -> None:
        """The ``visits`` dimension (for max_visits, balance and locked order) and, when
        balancing, ``visits_left``."""
        problem = self.problem
        locked = [v for v in problem.visits if v.locked_order is not None]
        balance = money_units(problem.balance_cost_per_visit)
        if all(a.max_visits is None for a in problem.agents) and not balance and not locked:
            return
        n = self.n_visits
        count = self.routing.RegisterUnaryTransitVector([1] * n + [0] * (2 * self.n_agents))
        limits = [n if a.max_visits is None else a.max_visits for a in problem.agents]
        self.routing.AddDimensionWithVehicleCapacity(count, 0, limits, True, VISITS)
        visits = self.routing.GetDimensionOrDie(VISITS)
        if balance:
            left = self.routing.RegisterUnaryTransitVector(
                [-1] * n + [n] * self.n_agents + [0] * self.n_agents
            )
            self.routing.AddDimensionWithVehicleCapacity(
                left, 0, [n] * self.n_agents, True, VISITS_LEFT
            )
            visits.SetGlobalSpanCostCoefficient(balance)
            self.routing.GetDimensionOrDie(VISITS_LEFT).SetGlobalSpanCostCoefficient(balance)
            for k in range(self.n_agents):
                self.routing.SetVehicleUsedWhenEmpty(True, k)
        if locked:
            self._add_locked_order(visits)

    def _add_locked_order(self, visits: pywrapcp.RoutingDimension) -> None:
        """Consecutive locked visits of each agent: the later one's position in the route is
        greater, when both are served (same agent: both are pinned to it)."""
        solver = self.routing.solver()
        big = self.n_visits + 1
        for k in range(self.n_agents):
            chain = sorted(
                (visit.locked_order, v)
                for v, visit in enumerate(self.problem.visits)
                if visit.pinned_agent_idx == k and visit.locked_order is not None
            )
            for (_, first), (_, second) in itertools.pairwise(chain):
                a, b = self.visit_index[first], self.visit_index[second]
                both_out = 2 - self.routing.ActiveVar(a) - self.routing.ActiveVar(b)
                solver.Add(visits.CumulVar(b) + big * both_out >= visits.CumulVar(a) + 1)

    def _add_travel_limit(self) -> None:
        problem = self.problem
        if all(a.max_travel_s is None for a in problem.agents):
            return
        callbacks = {
            p: self.routing.RegisterTransitMatrix(self._travel[p].tolist()) for p in self.profiles
        }
        limits = [_UNBOUNDED if a.max_travel_s is None else a.max_travel_s for a in problem.agents]
        self.routing.AddDimensionWithVehicleTransitAndCapacity(
            [callbacks[a.profile_idx] for a in problem.agents], 0, limits, True, TRAVEL
        )

    def _add_allowed_agents(self) -> None:
        """Skills, pins and agents whose breaks cannot fit: who may serve each visit."""
        problem = self.problem
        for v, visit in enumerate(problem.visits):
            allowed = [
                k
                for k, agent in enumerate(problem.agents)
                if self.usable[k]
                and visit.required_skills <= agent.skills
                and visit.pinned_agent_idx in (None, k)
            ]
            index = self.visit_index[v]
            if not allowed:
                self.routing.ActiveVar(index).SetValue(0)
            elif len(allowed) < self.n_agents:
                # -1: unperformed. (SetAllowedVehiclesForIndex takes no list in 9.15's Python.)
                self.routing.VehicleVar(index).SetValues([-1, *allowed])

    # -- search ------------------------------------------------------------------------------

    def solve(
        self, params: SolveParams, initial: Sequence[Sequence[int]] | None = None
    ) -> OrToolsResult:
        """Search with the parameters of :mod:`solver._ortools_search`, from the plan
        ``initial`` (one visit order per agent) when given and feasible in the model."""
        search = search_parameters(params, n_visits=self.n_visits)
        solutions = 0

        def count_solution() -> None:
            nonlocal solutions
            solutions += 1

        self.routing.AddAtSolutionCallback(count_solution)
        assignment = None
        if initial is not None:
            self.routing.CloseModelWithParameters(search)
            routes = [[self.visit_index[v] for v in order] for order in initial]
            start = self.routing.ReadAssignmentFromRoutes(routes, True)
            if start is not None:
                assignment = self.routing.SolveFromAssignmentWithParameters(start, search)
        if assignment is None:
            assignment = self.routing.SolveWithParameters(search)
        if assignment is None:
            return OrToolsResult(
                orders=[[] for _ in self.problem.agents],
                objective=sum(money_units(v.drop_cost) for v in self.problem.visits),
                found=False,
                solutions=solutions,
            )
        orders: list[list[int]] = []
        for k in range(self.n_agents):
            order: list[int] = []
            index = assignment.Value(self.routing.NextVar(self.routing.Start(k)))
            while not self.routing.IsEnd(index):
                order.append(int(self.manager.IndexToNode(index)))
                index = assignment.Value(self.routing.NextVar(index))
            orders.append(order)
        return OrToolsResult(
            orders=orders,
            objective=int(assignment.ObjectiveValue()),
            found=True,
            solutions=solutions,
        )


def solve_orders(
    problem: Problem, params: SolveParams, initial: Sequence[Sequence[int]] | None = None
) -> OrToolsResult:
    """Build the model of ``problem`` and search it.

    Parameters
    ----------
    problem
        The problem; must have at least one visit and one agent.
    params
        Time limit and optional solution limit of the search.
    initial
        A plan to start from (one visit order per agent); None, or a plan the model finds
        infeasible: OR-Tools' own first solution.

    Returns
    -------
    OrToolsResult
        Visit orders per agent, the objective in cost units, and whether a solution was
        found. When none was found every order is empty.
    """
    return RoutingModel(problem).solve(params, initial)
