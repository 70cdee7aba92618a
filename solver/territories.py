"""Split a large problem into territories: groups of nearby visits, each with the agents who
serve it, sized so that each territory's work matches its agents' shifts.

How (a capacitated k-means in travel time):

1. Places are embedded in a few dimensions whose distances follow the travel times
   (:func:`solver.embedding.embed`) and the visits are clustered by k-means (scipy).
2. Each cluster gets the same number of agents (give or take one), each agent a seat near
   its start: an assignment problem (``scipy.optimize.linear_sum_assignment``) on the
   distance from start to cluster centre. Equal seats make territories of similar work,
   which also keeps the parallel solves balanced.
3. Visits are then re-assigned to the territories as a transportation problem (a linear
   programme, HiGHS through ``scipy.optimize.linprog``): least squared distance to the
   centres, each territory's work (service plus a typical leg) within :data:`SLACK` of its
   share by its agents' shift time, and the work of visits needing a skill at most the
   share of the agents having it. A visit may only go to a territory with an agent able
   to serve it (skills, pin, windows and shift: :func:`solver.eligibility.able_agents`);
   a pinned visit goes with its agent. Straying from the shares is allowed at a high
   price, so the programme is always feasible.
4. The centres move to their visits and steps 2-3 repeat until few visits move.

Pure: the problem in, indices out; the same seed gives the same split.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.cluster.vq import kmeans2
from scipy.optimize import linear_sum_assignment, linprog

from solver.eligibility import able_agents
from solver.embedding import embed
from solver.model import Agent, Problem

SLACK = 0.08
"""How far a territory's work may stray from its share by shift time, either way, before a
price applies (lets the clusters stay compact where the work is uneven)."""

ITERATIONS = 8
"""Most rounds of re-assigning agents and visits."""

SETTLED = 0.01
"""The rounds stop when at most this share of the visits changed territory."""

CANDIDATES = 5
"""Territories (nearest centres first) each visit may go to in the transportation problem;
keeps it small for thousands of visits."""

LEG_NEIGHBOURS = 3
"""A visit's typical leg is its mean travel time to this many nearest other visits."""


@dataclass(frozen=True, slots=True)
class Territory:
    """Visits and the agents who serve them, as indices into the whole problem's
    ``visits`` and ``agents``, ascending."""

    agents: tuple[int, ...]
    visits: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Split:
    """A problem's territories and which of them border each other.

    ``borders`` are pairs ``(t, u)`` (``t < u``) of territories that share border visits
    (visits whose two nearest centres are theirs), most shared first, with the count.
    """

    territories: tuple[Territory, ...]
    borders: tuple[tuple[int, int, int], ...]


def territory_count(problem: Problem, territory_visits: int) -> int:
    """How many territories a problem gets: about ``territory_visits`` visits each, at
    least one agent each."""
    wanted = math.ceil(len(problem.visits) / max(1, territory_visits))
    return max(1, min(wanted, len(problem.agents)))


def split_territories(problem: Problem, count: int, *, seed: int = 0) -> Split:
    """Split ``problem`` into at most ``count`` territories (see the module docstring).

    Every visit lands in exactly one territory and every agent in at most one (an agent is
    left out only when its territory got no visits). Territories without visits are dropped.
    """
    n_visits, n_agents = len(problem.visits), len(problem.agents)
    count = max(1, min(count, n_agents, n_visits))
    if count == 1:
        whole = Territory(tuple(range(n_agents)), tuple(range(n_visits)))
        return Split((whole,), ())
    visit_xy, agent_xy = _coordinates(problem)
    able = able_agents(problem)
    work = _work_s(problem)
    shift = np.array([_shift_s(a) for a in problem.agents], dtype=np.float64)

    with warnings.catch_warnings():
        # An empty cluster is fine: the rounds below give it visits or drop it.
        warnings.simplefilter("ignore", UserWarning)
        centres, first = kmeans2(visit_xy, count, minit="++", rng=np.random.default_rng(seed))
    labels = first.astype(np.int64)
    count = len(centres)
    agent_of: npt.NDArray[np.int64] = np.zeros(n_agents, dtype=np.int64)
    for _ in range(ITERATIONS):
        agent_of = _assign_agents(agent_xy, centres)
        allowed = _allowed(problem, able, agent_of, count)
        limits = _limits(problem, work, shift, agent_of, count)
        new_labels = _assign_visits(visit_xy, centres, allowed, work, limits)
        for t in range(count):
            members = new_labels == t
            if members.any():
                centres[t] = visit_xy[members].mean(axis=0)
        moved = int(np.count_nonzero(new_labels != labels))
        labels = new_labels
        if moved <= SETTLED * n_visits:
            break

    territories = [
        Territory(
            tuple(int(a) for a in np.flatnonzero(agent_of == t)),
            tuple(int(v) for v in np.flatnonzero(labels == t)),
        )
        for t in range(count)
    ]
    kept = [t for t, territory in enumerate(territories) if territory.visits]
    renumber = {t: i for i, t in enumerate(kept)}
    borders = _borders(visit_xy, centres, labels)
    return Split(
        tuple(territories[t] for t in kept),
        tuple(
            (renumber[t], renumber[u], n) for t, u, n in borders if t in renumber and u in renumber
        ),
    )


def _coordinates(
    problem: Problem,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Embedded points of the visits and of the agents' starts, from the fastest profile
    between each pair of places."""
    places = [v.location_idx for v in problem.visits] + [
        a.start_location_idx for a in problem.agents
    ]
    unique, inverse = np.unique(np.array(places, dtype=np.int64), return_inverse=True)
    xy = embed(_fastest(problem, unique))[inverse]
    return xy[: len(problem.visits)], xy[len(problem.visits) :]


def _fastest(problem: Problem, places: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Travel times between ``places`` by the fastest profile of each pair."""
    grid = np.ix_(places, places)
    fastest: npt.NDArray[np.int64] = problem.travel_time_s[0][grid]
    for profile in problem.travel_time_s[1:]:
        np.minimum(fastest, profile[grid], out=fastest)
    return fastest


def _work_s(problem: Problem) -> npt.NDArray[np.float64]:
    """Each visit's share of a day's work (seconds): its service plus a typical leg to it
    (the mean travel time from its nearest other visits)."""
    locations = np.array([v.location_idx for v in problem.visits], dtype=np.int64)
    service = np.array([v.service_s for v in problem.visits], dtype=np.float64)
    if len(locations) <= 1:
        return service
    times = _fastest(problem, locations).astype(np.float64)
    np.fill_diagonal(times, np.inf)
    k = min(LEG_NEIGHBOURS, len(locations) - 1)
    nearest = np.partition(times, k - 1, axis=1)[:, :k]
    work: npt.NDArray[np.float64] = service + nearest.mean(axis=1)
    return work


def _shift_s(agent: Agent) -> float:
    """The working time an agent has for visits: its shift (or working limit) less breaks."""
    length = agent.shift.end_s - agent.shift.start_s
    if agent.max_working_s is not None:
        length = min(length, agent.max_working_s)
    return float(max(0, length - sum(b.duration_s for b in agent.breaks)))


def _assign_agents(
    agent_xy: npt.NDArray[np.float64], centres: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """Each agent's territory: the same number of seats in each (give or take one), each
    agent in a seat near its start (least total distance)."""
    n_agents, count = len(agent_xy), len(centres)
    seats = np.full(count, n_agents // count)
    seats[: n_agents % count] += 1
    columns = np.repeat(np.arange(count), seats)
    distance = np.linalg.norm(agent_xy[:, None, :] - centres[None, columns, :], axis=2)
    rows, cols = linear_sum_assignment(distance)
    agent_of = np.zeros(n_agents, dtype=np.int64)
    agent_of[rows] = columns[cols]
    return agent_of


def _allowed(
    problem: Problem, able: npt.NDArray[np.bool_], agent_of: npt.NDArray[np.int64], count: int
) -> npt.NDArray[np.bool_]:
    """``allowed[v, t]``: territory ``t`` has an agent able to serve visit ``v``; a pinned
    visit only its agent's territory; a visit no agent could serve, any territory."""
    members = np.zeros((len(problem.agents), count), dtype=bool)
    members[np.arange(len(agent_of)), agent_of] = True
    allowed: npt.NDArray[np.bool_] = (able.astype(np.int64) @ members.astype(np.int64)) > 0
    allowed[~allowed.any(axis=1)] = True
    for v, visit in enumerate(problem.visits):
        if visit.pinned_agent_idx is not None:
            allowed[v] = False
            allowed[v, agent_of[visit.pinned_agent_idx]] = True
    return allowed


@dataclass(frozen=True, slots=True)
class _Limit:
    """A soft bound on the work (seconds) each territory takes of some visits: at most
    (``upper``) or at least ``bound[t]`` in territory ``t``."""

    visits: npt.NDArray[np.bool_]
    bound: npt.NDArray[np.float64]
    upper: bool


def _limits(
    problem: Problem,
    work: npt.NDArray[np.float64],
    shift: npt.NDArray[np.float64],
    agent_of: npt.NDArray[np.int64],
    count: int,
) -> list[_Limit]:
    """Each territory's work within :data:`SLACK` of its share by its agents' shift time;
    and the work of the visits needing some skills at most (plus slack) the share of the
    agents having them, so skilled visits do not pile up where few can serve them."""
    everyone = np.ones(len(problem.visits), dtype=bool)
    territory_shift = np.bincount(agent_of, weights=shift, minlength=count)
    share = territory_shift / (float(territory_shift.sum()) or 1.0) * float(work.sum())
    limits = [
        _Limit(everyone, share * (1 + SLACK), upper=True),
        _Limit(everyone, share * (1 - SLACK), upper=False),
    ]
    for needed in dict.fromkeys(v.required_skills for v in problem.visits):
        if not needed:
            continue
        needs = np.array([v.required_skills == needed for v in problem.visits])
        capable = np.array([needed <= a.skills for a in problem.agents])
        capable_shift = np.bincount(agent_of[capable], weights=shift[capable], minlength=count)
        if capable_shift.sum() <= 0:
            continue  # no agent can serve these visits: they may go anywhere
        skilled_share = capable_shift / capable_shift.sum() * float(work[needs].sum())
        limits.append(_Limit(needs, skilled_share * (1 + SLACK), upper=True))
    return limits


def _assign_visits(
    visit_xy: npt.NDArray[np.float64],
    centres: npt.NDArray[np.float64],
    allowed: npt.NDArray[np.bool_],
    work: npt.NDArray[np.float64],
    limits: Sequence[_Limit],
) -> npt.NDArray[np.int64]:
    """Each visit's territory, from the transportation problem of the module docstring."""
    n_visits, count = allowed.shape
    squared = ((visit_xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    # Each visit's candidates: its nearest allowed centres.
    ranked = np.argsort(np.where(allowed, squared, np.inf), axis=1)[:, : min(CANDIDATES, count)]
    rows = np.repeat(np.arange(n_visits), ranked.shape[1])
    cols = ranked.ravel()
    usable = allowed[rows, cols]
    rows, cols = rows[usable], cols[usable]
    n_vars = len(rows)
    n_cols = n_vars + len(limits) * count
    scale = float(squared.mean()) or 1.0
    # Variables: x per (visit, candidate territory), then per limit and territory how far
    # the work strays past the bound, at a price above any move of a visit.
    price = 10.0 * float(squared[rows, cols].max() / scale + 1) / max(float(work.min()), 1.0)
    cost = np.concatenate(
        (squared[rows, cols] / scale, np.full(len(limits) * count, price)), dtype=np.float64
    )
    each_once = sparse.csr_matrix(
        (np.ones(n_vars), (rows, np.arange(n_vars))), shape=(n_visits, n_cols)
    )
    # Per limit and territory: sign * (work - stray) <= sign * bound.
    values, limit_rows, limit_cols, bounds = [], [], [], []
    territory = np.arange(count)
    for i, limit in enumerate(limits):
        sign = 1.0 if limit.upper else -1.0
        member = limit.visits[rows]
        stray = n_vars + i * count + territory
        values += [sign * work[rows[member]], -np.ones(count)]
        limit_rows += [i * count + cols[member], i * count + territory]
        limit_cols += [np.flatnonzero(member), stray]
        bounds.append(sign * limit.bound)
    bound_matrix = sparse.csr_matrix(
        (np.concatenate(values), (np.concatenate(limit_rows), np.concatenate(limit_cols))),
        shape=(len(limits) * count, n_cols),
    )
    result = linprog(  # type: ignore[call-overload]  # the stubs take no sparse matrices
        cost,
        A_ub=bound_matrix,
        b_ub=np.concatenate(bounds),
        A_eq=each_once,
        b_eq=np.ones(n_visits),
        bounds=(0, None),
        method="highs-ds",
    )
    if result.x is None:  # cannot happen (the strays keep it feasible); nearest allowed then
        return ranked[:, 0].astype(np.int64)
    amount = np.zeros((n_visits, count))
    amount[rows, cols] = result.x[:n_vars]
    chosen: npt.NDArray[np.int64] = np.argmax(amount, axis=1).astype(np.int64)
    return chosen


def _borders(
    visit_xy: npt.NDArray[np.float64],
    centres: npt.NDArray[np.float64],
    labels: npt.NDArray[np.int64],
) -> list[tuple[int, int, int]]:
    """Pairs of territories with the visits between them: for each visit, its own territory
    and the nearest other centre; counted per pair, most first."""
    if len(centres) < 2:
        return []
    squared = ((visit_xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    squared[np.arange(len(labels)), labels] = np.inf
    other = np.argmin(squared, axis=1)
    pairs: dict[tuple[int, int], int] = {}
    for own, nxt in zip(labels.tolist(), other.tolist(), strict=True):
        key = (min(own, nxt), max(own, nxt))
        pairs[key] = pairs.get(key, 0) + 1
    return sorted(((t, u, n) for (t, u), n in pairs.items()), key=lambda p: (-p[2], p[0], p[1]))
