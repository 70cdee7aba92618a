"""The ways a plan can break the rules of a problem: a stable code and whom it concerns.

Shared vocabulary of :func:`solver.evaluate` (a plan given as visit orders) and
:func:`solver.check_solution` (a finished solution with its times and costs).
"""

from __future__ import annotations

from dataclasses import dataclass

WINDOW_MISSED = "window_missed"
"""Service does not start inside any of the visit's time windows (or before any of them)."""
SHIFT_END = "shift_end"
"""The agent reaches its end place (an open route: ends its last service) after its shift."""
SHIFT_START = "shift_start"
"""The agent leaves its start place before its shift begins."""
CAPACITY_EXCEEDED = "capacity_exceeded"
MAX_VISITS_EXCEEDED = "max_visits_exceeded"
MAX_WORKING_EXCEEDED = "max_working_exceeded"
MAX_TRAVEL_EXCEEDED = "max_travel_exceeded"
SKILLS_MISSING = "skills_missing"
"""The agent lacks a skill the visit requires."""
WRONG_AGENT = "wrong_agent"
"""The visit is pinned to another agent."""
LOCKED_ORDER = "locked_order"
"""The visit comes before a locked visit of the same agent with a smaller locked order."""
BREAK_NOT_PLACEABLE = "break_not_placeable"
"""No time for the break between the services of the route, before it or after it."""
VISIT_REPEATED = "visit_repeated"
"""The visit is served more than once (or served and also reported unassigned)."""
VISIT_MISSING = "visit_missing"
"""The visit is neither served nor reported unassigned."""
TIMES_INCONSISTENT = "times_inconsistent"
"""Reported times contradict the travel matrices, the service times or each other."""
BREAK_INVALID = "break_invalid"
"""A reported break is outside its window or shift, overlaps a service or another break."""
COST_MISMATCH = "cost_mismatch"
"""A reported cost differs from the one recomputed from the problem."""
PLAN_SHAPE = "plan_shape"
"""The plan does not have one route per agent, in agent order."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """One broken rule: its ``code``, the agent, visit and break it concerns (indices into
    the problem, None when not applicable) and a sentence for people."""

    code: str
    agent_idx: int | None = None
    visit_idx: int | None = None
    break_idx: int | None = None
    detail: str = ""
