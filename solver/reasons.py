"""Why a visit was left unassigned: a stable code plus a sentence for people."""

from __future__ import annotations

from solver.model import Problem
from solver.schedule import schedule_route

OUTSIDE_ALL_WINDOWS = "outside_all_windows"
"""No agent could serve the visit even if it were its only visit of the day."""

CAPACITY = "capacity"
"""Some agent could serve the visit alone, but the agents' days are full."""

REASON_CODES = (OUTSIDE_ALL_WINDOWS, CAPACITY)


def agents_able_alone(problem: Problem, visit_idx: int) -> list[int]:
    """The agents that could serve ``visit_idx`` as their only visit of the day.

    An agent qualifies when the route start -> visit -> end fits its shift with service
    starting inside one of the visit's windows (see :func:`~solver.schedule.schedule_route`).
    """
    return [
        agent_idx
        for agent_idx in range(len(problem.agents))
        if schedule_route(problem, agent_idx, [visit_idx]) is not None
    ]


def unassigned_reason(problem: Problem, visit_idx: int) -> tuple[str, str]:
    """Classify why ``visit_idx`` is not served by any route.

    Parameters
    ----------
    problem
        The solved problem.
    visit_idx
        Index into ``problem.visits`` of a visit no route serves.

    Returns
    -------
    tuple of (str, str)
        ``(reason, detail)``: :data:`OUTSIDE_ALL_WINDOWS` when no agent could serve the
        visit even alone, else :data:`CAPACITY`. A problem without agents gives
        :data:`CAPACITY` (there is no capacity at all, and adding an agent may help).
    """
    n_agents = len(problem.agents)
    if n_agents == 0:
        return CAPACITY, "There are no agents to serve this visit."
    able = agents_able_alone(problem, visit_idx)
    if not able:
        return (
            OUTSIDE_ALL_WINDOWS,
            "No agent can reach this visit within one of its time windows "
            "and still finish within their shift.",
        )
    return (
        CAPACITY,
        f"{len(able)} of {n_agents} agents could serve this visit on its own, "
        "but their days are already full.",
    )
