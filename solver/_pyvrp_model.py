"""Our :class:`~solver.model.Problem` as PyVRP's ``ProblemData`` (used by :mod:`solver._pyvrp`).

What maps to what: each agent is a vehicle (identical agents share a vehicle type) from a
depot at its start place to a depot at its end place, or for an open route to a dummy place
reached for free from anywhere; its shift is the vehicle's time window, ``max_working_s``
the shift duration, ``capacity`` the first load dimension and ``max_visits`` a second one
(each visit loads 1); ``costs`` are the fixed, per-distance and per-duration costs in
integer units of :func:`cost_scale`. A must-visit (no value) that some agent could serve
as its only visit is a *required* client; one that none could even by the shortest chains of
legs is left out of the model (it stays unassigned), and one in between (only a stop on the
way, quicker than the direct leg, gets it in: see :func:`model_visits`) is an optional client
at the must-visit prize; a visit with a value is an optional client whose prize is its value.
A visit with several windows is a mutually exclusive group of one client per window. Skills
and pins: agents that may not serve the same visits share a routing profile in which those
visits are unreachable.

Layout of PyVRP's locations::

    0 .. D-1          one per distinct start or end place of the agents (depots), then the
                      dummy end of open routes if any agent has one
    D .. D+C-1        one per client, i.e. per visit, or per window of a visit with several

Every client has a location of its own, so an arc to a visit can be forbidden to some agents
without touching another visit at the same place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, Route, VehicleType
from pyvrp import Solution as PyVrpSolution

from solver.evaluate import evaluate_route
from solver.model import Agent, Problem, TimeWindow, Visit

FORBIDDEN_DISTANCE = 1 << 40
"""Distance of an arc into or out of a visit the agent may not serve (PyVRP's own reader uses
the same device for vehicles' allowed clients); its duration is made longer than any shift, so
a route using it is infeasible and never returned."""

MAX_COST_SCALE = 1e7
"""Upper bound of integer cost units per unit of money (keeps prizes below 2**44)."""

NO_COST_SCALE = 1e7
"""Cost units per unit of money when no agent has a per-km or per-hour cost. PyVRP's
distance is then the travel time, one unit per second: the same tie-break towards little
travel as the OR-Tools model (one unit of 10^-7 money per second of travel)."""

_UNLIMITED = np.iinfo(np.int64).max


def forbidden_visits(problem: Problem, agent_idx: int) -> frozenset[int]:
    """The visits agent ``agent_idx`` may not serve: a required skill it lacks, or a pin to
    another agent."""
    agent = problem.agents[agent_idx]
    return frozenset(
        v
        for v, visit in enumerate(problem.visits)
        if not visit.required_skills <= agent.skills
        or (visit.pinned_agent_idx is not None and visit.pinned_agent_idx != agent_idx)
    )


def servable_alone(problem: Problem, visit_idx: int, agent_idx: int) -> bool:
    """Whether the agent could serve the visit as its only one: start -> visit -> end within
    the shift and a window, its demand within capacity, within the longest working day."""
    agent = problem.agents[agent_idx]
    place = problem.visits[visit_idx].location_idx
    travel = problem.travel_time_of(agent_idx)
    into_s = int(travel[agent.start_location_idx, place])
    end = agent.end_location_idx
    back_s = 0 if end is None else int(travel[place, end])
    return _fits_alone(problem, visit_idx, agent_idx, into_s, back_s)


def _fits_alone(problem: Problem, visit_idx: int, agent_idx: int, into_s: int, back_s: int) -> bool:
    """:func:`servable_alone` with ``into_s`` of travel from the start to the visit and
    ``back_s`` from it to the end (ignored for an open route). With lower bounds of the
    travel, False means that no route of the agent can serve the visit."""
    agent = problem.agents[agent_idx]
    visit = problem.visits[visit_idx]
    if agent.capacity is not None and visit.demand > agent.capacity:
        return False
    if agent.max_visits == 0:
        return False
    arrival = agent.shift.start_s + into_s
    starts = [max(arrival, w.start_s) for w in visit.time_windows if w.end_s >= arrival]
    if visit.time_windows and not starts:
        return False
    start = min(starts) if starts else arrival
    end = start + visit.service_s
    if agent.end_location_idx is not None:
        end += back_s
    depart = start - into_s
    working = end - max(agent.shift.start_s, depart)
    return end <= agent.shift.end_s and (
        agent.max_working_s is None or working <= agent.max_working_s
    )


def model_visits(
    problem: Problem, forbidden: Sequence[frozenset[int]]
) -> tuple[list[int], frozenset[int]]:
    """The visits PyVRP gets, and the must-visits among them it may leave out.

    PyVRP must serve a must-visit that some able agent can serve alone (else it finds no
    plan and OR-Tools takes over). One that none can alone may still be servable: a matrix
    need not keep the triangle inequality (rounding, time-of-day profiles), so a chain of
    legs through other stops can be quicker than the direct leg. Such a visit is kept, as an
    optional client at the must-visit prize, when the shortest chains of legs into and out
    of it would let some able agent serve it; only one that not even they let in stays out
    (a client that can never be served would drag the search through infeasible plans).

    Parameters
    ----------
    problem
        The problem.
    forbidden
        Per agent, the visits it may not serve (:func:`forbidden_visits`).

    Returns
    -------
    tuple of (list of int, frozenset of int)
        The visits in the model, in index order, and the must-visits among them that are
        optional clients.
    """
    able = [
        [k for k in range(len(problem.agents)) if v not in forbidden[k]]
        for v in range(len(problem.visits))
    ]
    kept: set[int] = set()
    detour: list[int] = []  # travel is all that keeps these must-visits out
    for v, visit in enumerate(problem.visits):
        if visit.value is not None or any(servable_alone(problem, v, k) for k in able[v]):
            kept.add(v)
        elif any(_fits_alone(problem, v, k, 0, 0) for k in able[v]):
            detour.append(v)
    optional: set[int] = set()
    if detour:
        profiles = sorted({problem.agents[k].profile_idx for v in detour for k in able[v]})
        places = sorted({problem.visits[v].location_idx for v in detour})
        row = {place: i for i, place in enumerate(places)}
        shortest: dict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = {}
        for p in profiles:
            travel = np.asarray(problem.travel_time_s[p], dtype=np.int64)
            shortest[p] = (
                shortest_legs_s(travel, places),
                shortest_legs_s(travel, places, out=True),
            )
        for v in detour:
            i = row[problem.visits[v].location_idx]
            for k in able[v]:
                agent = problem.agents[k]
                into, out = shortest[agent.profile_idx]
                end = agent.end_location_idx
                back_s = 0 if end is None else int(out[i, end])
                if _fits_alone(problem, v, k, int(into[i, agent.start_location_idx]), back_s):
                    optional.add(v)
                    break
    return sorted(kept | optional), frozenset(optional)


_ROWS_PER_PASS = 512
"""Matrix rows per numpy operation of :func:`shortest_legs_s` (bounds its temporary memory)."""


def shortest_legs_s(
    travel: npt.NDArray[np.int64], targets: Sequence[int], *, out: bool = False
) -> npt.NDArray[np.int64]:
    """Shortest travel over chains of legs: ``[i, u]`` from place ``u`` to ``targets[i]``,
    or with ``out`` from ``targets[i]`` to ``u``.

    Bellman-Ford rounds over the whole matrix until no chain shortens: the first round finds
    nothing to shorten on a matrix that keeps the triangle inequality.
    """
    n = travel.shape[0]
    best = np.array(travel[list(targets), :] if out else travel[:, list(targets)].T)
    changed = True
    while changed:
        changed = False
        for row in best:  # a view: updated in place
            for low in range(0, n, _ROWS_PER_PASS):
                block = travel[low : low + _ROWS_PER_PASS]
                if out:  # to every place through one of the block's
                    via = (row[low : low + len(block), np.newaxis] + block).min(axis=0)
                    part = row
                else:  # from each of the block's places through any place
                    via = (block + row[np.newaxis, :]).min(axis=1)
                    part = row[low : low + len(block)]
                if (via < part).any():
                    np.minimum(part, via, out=part)
                    changed = True
    return best


def cost_scale(agents: Sequence[Agent]) -> float:
    """Integer cost units per unit of money.

    The smallest non-zero unit cost of any agent (money per metre or per second) becomes 10
    units, so every unit cost keeps two significant digits after rounding; bounded by
    :data:`MAX_COST_SCALE`. :data:`NO_COST_SCALE` when no agent has a unit cost.
    """
    if _no_unit_costs(agents):
        return NO_COST_SCALE
    units = [a.costs.per_km / 1000 for a in agents] + [a.costs.per_hour / 3600 for a in agents]
    positive = [u for u in units if u > 0]
    return min(MAX_COST_SCALE, 10.0 / min(positive))


@dataclass(frozen=True, slots=True)
class PyVrpModel:
    """A problem translated to PyVRP, with the maps back to our indices."""

    data: ProblemData
    visit_of_client: list[int]
    agents_of_type: list[list[int]]


def build_model(problem: Problem) -> PyVrpModel:
    """Translate ``problem`` (inside PyVRP's model) into PyVRP's :class:`ProblemData`.

    Parameters
    ----------
    problem
        Must pass :func:`solver.engines.pyvrp_unsupported` (nothing outside the model), with
        at least one agent.

    Returns
    -------
    PyVrpModel
        The data and, per PyVRP client, the visit it serves and, per vehicle type, the
        agents it stands for (identical agents share one type).
    """
    scale = cost_scale(problem.agents)
    no_unit_costs = _no_unit_costs(problem.agents)
    forbidden = [forbidden_visits(problem, k) for k in range(len(problem.agents))]

    # Depots: each distinct start / end place, then the dummy end of open routes.
    depot_places = sorted(
        {a.start_location_idx for a in problem.agents}
        | {a.end_location_idx for a in problem.agents if a.end_location_idx is not None}
    )
    depot_of_place = {place: d for d, place in enumerate(depot_places)}
    open_depot = (
        len(depot_places) if any(a.end_location_idx is None for a in problem.agents) else None
    )
    n_depots = len(depot_places) + (open_depot is not None)

    count_dim = any(a.max_visits is not None for a in problem.agents)
    demand_dim = any(v.demand for v in problem.visits) or any(
        a.capacity is not None for a in problem.agents
    )
    in_model, optional = model_visits(problem, forbidden)
    clients, groups, visit_of_client = _clients(
        problem,
        in_model,
        optional,
        scale,
        n_depots,
        demand_dim=demand_dim,
        count_dim=count_dim,
    )

    # One PyVRP location per depot and per client; a place index per location (-1: dummy).
    place_of = np.array(
        depot_places
        + ([-1] if open_depot is not None else [])
        + [problem.visits[v].location_idx for v in visit_of_client],
        dtype=np.int64,
    )
    horizon = horizon_s(problem)

    # Vehicle types: identical agents share one; profile classes: (travel profile, forbidden).
    type_keys: dict[tuple[object, ...], int] = {}
    agents_of_type: list[list[int]] = []
    vehicle_types: list[VehicleType] = []
    profile_keys: dict[tuple[int, frozenset[int]], int] = {}
    distances: list[npt.NDArray[np.int64]] = []
    durations: list[npt.NDArray[np.int64]] = []
    total_demand = sum(v.demand for v in problem.visits)
    for k, agent in enumerate(problem.agents):
        profile_key = (agent.profile_idx, forbidden[k])
        if profile_key not in profile_keys:
            profile_keys[profile_key] = len(distances)
            dist, dur = _matrices(
                problem,
                place_of,
                n_depots,
                visit_of_client,
                profile_key,
                horizon,
                travel_as_distance=no_unit_costs,
            )
            distances.append(dist)
            durations.append(dur)
        end = (
            open_depot if agent.end_location_idx is None else depot_of_place[agent.end_location_idx]
        )
        capacity = (
            [total_demand if agent.capacity is None else agent.capacity] if demand_dim else []
        )
        if count_dim:
            capacity.append(len(problem.visits) if agent.max_visits is None else agent.max_visits)
        fields: dict[str, int | list[int]] = {
            "capacity": capacity,
            "start_depot": depot_of_place[agent.start_location_idx],
            "end_depot": end if end is not None else 0,
            "fixed_cost": round(agent.costs.fixed * scale),
            "tw_early": agent.shift.start_s,
            "tw_late": agent.shift.end_s,
            "shift_duration": _UNLIMITED if agent.max_working_s is None else agent.max_working_s,
            "unit_distance_cost": _unit_distance_cost(agent, scale, no_unit_costs),
            "unit_duration_cost": round(agent.costs.per_hour / 3600 * scale),
            "profile": profile_keys[profile_key],
        }
        key = tuple((name, tuple(v) if isinstance(v, list) else v) for name, v in fields.items())
        if key not in type_keys:
            type_keys[key] = len(vehicle_types)
            agents_of_type.append([])
            vehicle_types.append(VehicleType(num_available=1, **fields))  # type: ignore[arg-type]
        else:
            t = type_keys[key]
            vehicle_types[t] = vehicle_types[t].replace(num_available=len(agents_of_type[t]) + 1)
        agents_of_type[type_keys[key]].append(k)

    depots = [Depot(location=d) for d in range(n_depots)]
    data = ProblemData(
        locations=[Location(0.0, 0.0) for _ in range(len(place_of))],
        clients=clients,
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=cast("list[Any]", distances),
        duration_matrices=cast("list[Any]", durations),
        groups=groups,
    )
    return PyVrpModel(data=data, visit_of_client=visit_of_client, agents_of_type=agents_of_type)


def _no_unit_costs(agents: Sequence[Agent]) -> bool:
    return all(a.costs.per_km == a.costs.per_hour == 0 for a in agents)


def _unit_distance_cost(agent: Agent, scale: float, no_unit_costs: bool) -> int:
    if no_unit_costs:
        return 1  # the "distance" is the travel time: one unit per second
    return round(agent.costs.per_km / 1000 * scale)


def horizon_s(problem: Problem) -> int:
    """The latest end of any shift or window, plus one second."""
    ends = [a.shift.end_s for a in problem.agents]
    ends += [w.end_s for v in problem.visits for w in v.time_windows]
    return max(ends, default=0) + 1


def _matrices(
    problem: Problem,
    place_of: npt.NDArray[np.int64],
    n_depots: int,
    visit_of_client: list[int],
    profile_key: tuple[int, frozenset[int]],
    horizon: int,
    *,
    travel_as_distance: bool,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Distance and duration matrices over PyVRP's locations for one profile class (the
    "distance" is the travel time when ``travel_as_distance``)."""
    profile_idx, forbidden = profile_key
    real = place_of >= 0
    idx = np.where(real, place_of, 0)
    source = problem.travel_time_s if travel_as_distance else problem.distance_m
    dist = np.asarray(source[profile_idx], dtype=np.int64)[np.ix_(idx, idx)]
    dur = np.asarray(problem.travel_time_s[profile_idx], dtype=np.int64)[np.ix_(idx, idx)]
    # The dummy end of open routes is reached for free from anywhere and never left.
    dist[:, ~real] = 0
    dur[:, ~real] = 0
    dist[~real, :] = 0
    dur[~real, :] = horizon
    if forbidden:
        banned = n_depots + np.flatnonzero([v in forbidden for v in visit_of_client])
        dist[banned, :] = FORBIDDEN_DISTANCE
        dist[:, banned] = FORBIDDEN_DISTANCE
        dur[banned, :] = horizon
        dur[:, banned] = horizon
    np.fill_diagonal(dist, 0)
    np.fill_diagonal(dur, 0)
    return dist, dur


def _clients(
    problem: Problem,
    visits: list[int],
    optional: frozenset[int],
    scale: float,
    first_location: int,
    *,
    demand_dim: bool,
    count_dim: bool,
) -> tuple[list[Client], list[ClientGroup], list[int]]:
    """One client per visit, or a mutually exclusive group of one client per window;
    ``optional``: must-visits that are optional clients (at the must-visit prize)."""
    clients: list[Client] = []
    groups: list[ClientGroup] = []
    visit_of_client: list[int] = []
    for v in visits:
        visit = problem.visits[v]
        required = visit.value is None and v not in optional
        prize = round(visit.drop_cost * scale)
        load = ([visit.demand] if demand_dim else []) + ([1] if count_dim else [])
        windows: list[TimeWindow | None] = [
            *sorted(visit.time_windows, key=lambda w: w.start_s)
        ] or [None]
        group: int | None = None
        if len(windows) > 1:
            group = len(groups)
            groups.append(ClientGroup(required=required))
        for window in windows:
            client_idx = len(clients)
            clients.append(
                _client(
                    visit,
                    first_location + client_idx,
                    load,
                    prize=0 if required else prize,
                    required=required and group is None,
                    window=window,
                    group=group,
                )
            )
            if group is not None:
                groups[group].add_client(client_idx)
            visit_of_client.append(v)
    return clients, groups, visit_of_client


def _client(
    visit: Visit,
    location: int,
    load: list[int],
    *,
    prize: int,
    required: bool,
    window: TimeWindow | None,
    group: int | None,
) -> Client:
    if window is None:
        return Client(
            location=location,
            delivery=load,
            service_duration=visit.service_s,
            prize=prize,
            required=required,
            group=group,
            name=visit.id,
        )
    return Client(
        location=location,
        delivery=load,
        service_duration=visit.service_s,
        tw_early=window.start_s,
        tw_late=window.end_s,
        prize=prize,
        required=required,
        group=group,
        name=visit.id,
    )


def initial_solution(
    model: PyVrpModel, problem: Problem, orders: Sequence[Sequence[int]]
) -> PyVrpSolution:
    """A plan given as visit orders (one per agent) as a PyVRP solution, to start a search
    from (a warm start). A visit with several windows becomes the client of the window its
    service starts in when the order is timed (:func:`solver.evaluate.evaluate_route`);
    visits outside the model (must-visits no agent could make) are left out."""
    type_of = {k: t for t, agents in enumerate(model.agents_of_type) for k in agents}
    clients_of: dict[int, list[int]] = {}
    for client, v in enumerate(model.visit_of_client):
        clients_of.setdefault(v, []).append(client)
    data_clients = model.data.clients()
    routes = []
    for k, order in enumerate(orders):
        if not order:
            continue
        starts = {
            stop.visit_idx: stop.service_start_s
            for stop in evaluate_route(problem, k, list(order))[0].stops
        }
        chosen = []
        for v in order:
            candidates = clients_of.get(v)
            if not candidates:
                continue
            fitting = [
                c
                for c in candidates
                if data_clients[c].tw_early <= starts[v] <= data_clients[c].tw_late
            ]
            chosen.append((fitting or candidates)[0])
        if chosen:
            routes.append(Route(model.data, chosen, type_of[k]))
    return PyVrpSolution(model.data, routes)
