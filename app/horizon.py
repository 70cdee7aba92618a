"""The days a plan covers: which agent works which day and when, and which days each case
may be visited on.

A plan of several days gives the solver one agent per working day (an agent-day), each with
that day's shift; every time is counted from local midnight of the plan's first date (see
:class:`app.clock.DayClock`), so the days follow one another on one time line and a visit's
windows on its allowed days are the only place the day is chosen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.schemas import MINUTES_PER_DAY, AgentIn, CaseIn, PlanRequest, ShiftIn


@dataclass(frozen=True, slots=True)
class AgentDay:
    """One agent's working day in the plan: the agent (index into the request's agents), the
    day (index into the plan's dates), its date and hours."""

    agent_idx: int
    day: int
    date: dt.date
    shift: ShiftIn

    def minutes(self, time_of_day: int) -> int:
        """Minutes from midnight of the plan's first date to ``time_of_day`` on this day."""
        return self.day * MINUTES_PER_DAY + time_of_day


def agent_days(request: PlanRequest) -> list[AgentDay]:
    """Every agent's working days, agent by agent, in date order."""
    return [
        AgentDay(idx, day, date, shift)
        for idx, agent in enumerate(request.agents)
        for day, date in enumerate(request.dates)
        if (shift := shift_on(agent, date)) is not None
    ]


def shift_on(agent: AgentIn, date: dt.date) -> ShiftIn | None:
    """The agent's hours on ``date`` (None: a day off)."""
    if date in agent.days_off:
        return None
    return next((s for s in agent.shifts if s.date == date), agent.shift)


def case_days(case: CaseIn, request: PlanRequest) -> list[int]:
    """The days of the plan (indices into its dates) inside the case's own date range."""
    return [
        day
        for day, date in enumerate(request.dates)
        if (case.earliest_date is None or case.earliest_date <= date)
        and (case.latest_date is None or date <= case.latest_date)
    ]
