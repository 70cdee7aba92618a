"""Which stored plans, jobs, visits and outcomes a caller may see: the object-level half of
access control, applied inside the stores' queries so nothing out of scope is ever read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, true

from app.auth import Principal
from app.db import JobRecord, PlanRecord, PlanVisitRecord


@dataclass(frozen=True)
class Scope:
    """Plans of ``team`` (of every team when ``every_team``); for an agent, only their own
    visits (``agent_id``) in published plans."""

    team: str | None = None
    every_team: bool = True
    agent_id: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Scope:
        """What ``principal`` may see."""
        return cls(
            team=principal.team,
            every_team=principal.sees_every_team,
            agent_id=principal.agent_id if principal.role == "agent" else None,
        )

    @property
    def is_agent(self) -> bool:
        """Whether this is an agent's own view."""
        return self.agent_id is not None

    def plan_filter(self) -> ColumnElement[bool]:
        """A condition on ``PlanRecord`` rows: the plans in scope."""
        conditions: list[ColumnElement[bool]] = []
        if not self.every_team:
            team = PlanRecord.team
            conditions.append(team.is_(None) if self.team is None else team == self.team)
        if self.is_agent:
            conditions.append(PlanRecord.published_at.is_not(None))
        return and_(true(), *conditions)

    def job_filter(self) -> ColumnElement[bool]:
        """A condition on ``JobRecord`` rows: the jobs in scope (a job is its team's, like
        the plan it makes; an agent's own view holds no jobs)."""
        if self.is_agent:
            return false()
        if self.every_team:
            return true()
        return JobRecord.team.is_(None) if self.team is None else JobRecord.team == self.team

    def visit_filter(self) -> ColumnElement[bool]:
        """A condition on ``PlanVisitRecord`` rows joined to their ``PlanRecord``."""
        if self.agent_id is None:
            return self.plan_filter()
        return and_(self.plan_filter(), PlanVisitRecord.agent_id == self.agent_id)

    def sees_agent(self, agent_id: str) -> bool:
        """Whether this scope may see the day of ``agent_id``."""
        return self.agent_id is None or self.agent_id == agent_id


EVERYTHING = Scope()
"""The service's own view, for planning and internal reads."""
