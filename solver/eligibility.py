"""Which agents could serve which visits, each visit judged alone: the screen that keeps a
visit out of a territory none of whose agents could ever make it.

Vectorised over the visits, one agent at a time, so it costs milliseconds for thousands of
visits. The rules are those of a one-visit day (as :func:`solver.reasons` judges a left-out
visit): the agent has every required skill, the visit is not pinned to someone else, and
start -> visit -> end fits the shift, a window, the longest working day, the capacity and
the visit limit. Breaks are not looked at: a break rarely decides whether a single visit fits.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from solver.model import Problem

_FAR_S = np.int64(1 << 50)
"""A time later than any real one (seconds)."""


def able_agents(problem: Problem) -> npt.NDArray[np.bool_]:
    """``able[v, k]``: whether agent ``k`` could serve visit ``v`` as its only visit of the
    day (see the module docstring)."""
    visits = problem.visits
    n_visits = len(visits)
    able = np.zeros((n_visits, len(problem.agents)), dtype=bool)
    if n_visits == 0:
        return able
    location = np.array([v.location_idx for v in visits], dtype=np.int64)
    service = np.array([v.service_s for v in visits], dtype=np.int64)
    demand = np.array([v.demand for v in visits], dtype=np.int64)
    pinned = np.array(
        [-1 if v.pinned_agent_idx is None else v.pinned_agent_idx for v in visits], dtype=np.int64
    )
    skill_sets = list(dict.fromkeys(v.required_skills for v in visits))
    set_number = {needed: i for i, needed in enumerate(skill_sets)}
    skill_set_of = np.array([set_number[v.required_skills] for v in visits], dtype=np.int64)
    opens, closes = _windows(problem)
    for k, agent in enumerate(problem.agents):
        travel = problem.travel_time_of(k)
        arrival = agent.shift.start_s + travel[agent.start_location_idx, location]
        # The first window still open at arrival: service starts at the later of the two.
        open_at = np.where(closes >= arrival[:, None], np.maximum(opens, arrival[:, None]), _FAR_S)
        start = open_at.min(axis=1)
        end = start + service
        if agent.end_location_idx is not None:
            end = end + travel[location, agent.end_location_idx]
        ok = (start < _FAR_S) & (end <= agent.shift.end_s)
        if agent.max_working_s is not None:
            depart = start - travel[agent.start_location_idx, location]
            ok &= end - np.maximum(agent.shift.start_s, depart) <= agent.max_working_s
        if agent.capacity is not None:
            ok &= demand <= agent.capacity
        if agent.max_visits == 0:
            ok[:] = False
        skilled = np.array([needed <= agent.skills for needed in skill_sets])
        able[:, k] = ok & skilled[skill_set_of] & ((pinned < 0) | (pinned == k))
    return able


def _windows(problem: Problem) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each visit's windows as padded (opens, closes) arrays; a visit without windows has
    one that is always open, padding one that is never open."""
    width = max((len(v.time_windows) for v in problem.visits), default=0) or 1
    opens = np.full((len(problem.visits), width), _FAR_S, dtype=np.int64)
    closes = np.full((len(problem.visits), width), -1, dtype=np.int64)
    for v, visit in enumerate(problem.visits):
        if not visit.time_windows:
            opens[v, 0], closes[v, 0] = 0, _FAR_S - 1
        for w, window in enumerate(visit.time_windows):
            opens[v, w], closes[v, w] = window.start_s, window.end_s
    return opens, closes
