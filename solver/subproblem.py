"""A part of a problem as a problem of its own: some agents and some visits, over the
sub-matrices of just their places, and the way back to the whole problem's indices.

A part is an ordinary :class:`~solver.model.Problem`, so any solver (in this process, in
another one, or in a task queue's worker) can solve it; its visit and agent ids are those
of the whole problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from solver.model import Problem


@dataclass(frozen=True, slots=True, eq=False)
class Part:
    """A sub-problem and where its agents and visits are in the whole problem.

    ``agents[k]`` is the whole problem's index of the part's agent ``k``; ``visits[v]``
    likewise for visits.
    """

    problem: Problem
    agents: tuple[int, ...]
    visits: tuple[int, ...]

    def lift(self, orders: Sequence[Sequence[int]]) -> dict[int, list[int]]:
        """The part's visit orders (one per part agent) as whole-problem indices, by
        whole-problem agent index."""
        return {self.agents[k]: [self.visits[v] for v in order] for k, order in enumerate(orders)}

    def restrict(self, orders: Sequence[Sequence[int]]) -> list[list[int]]:
        """The whole problem's orders (one per agent) of the part's agents, in the part's
        indices; visits outside the part are left out."""
        position = {v: i for i, v in enumerate(self.visits)}
        return [[position[v] for v in orders[a] if v in position] for a in self.agents]


def part_of(problem: Problem, agents: Sequence[int], visits: Sequence[int]) -> Part:
    """The sub-problem of ``agents`` and ``visits`` (indices into ``problem``, kept in that
    order).

    Its matrices cover only the places those agents and visits use; pins are renumbered to
    the part's agents.

    Raises
    ------
    ValueError
        If a visit is pinned to an agent outside the part (no one in it may serve it).
    """
    agent_ids = tuple(agents)
    visit_ids = tuple(visits)
    places: dict[int, int] = {}

    def place(idx: int) -> int:
        return places.setdefault(idx, len(places))

    agent_position = {a: k for k, a in enumerate(agent_ids)}
    new_agents = []
    for a in agent_ids:
        agent = problem.agents[a]
        end = agent.end_location_idx
        new_agents.append(
            replace(
                agent,
                start_location_idx=place(agent.start_location_idx),
                end_location_idx=None if end is None else place(end),
            )
        )
    new_visits = []
    for v in visit_ids:
        visit = problem.visits[v]
        pinned = visit.pinned_agent_idx
        if pinned is not None and pinned not in agent_position:
            msg = f"visit {visit.id!r} is pinned to an agent outside the part"
            raise ValueError(msg)
        new_visits.append(
            replace(
                visit,
                location_idx=place(visit.location_idx),
                pinned_agent_idx=None if pinned is None else agent_position[pinned],
            )
        )
    index = np.fromiter(places, dtype=np.int64, count=len(places))
    grid = np.ix_(np.arange(problem.profiles), index, index)
    sub = Problem(
        visits=tuple(new_visits),
        agents=tuple(new_agents),
        travel_time_s=problem.travel_time_s[grid],
        distance_m=problem.distance_m[grid],
        balance_cost_per_visit=problem.balance_cost_per_visit,
    )
    return Part(problem=sub, agents=agent_ids, visits=visit_ids)
