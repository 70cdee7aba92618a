"""The HTTP contract of re-planning a day that changed, and of inserting one urgent case."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from app.schemas import (
    MINUTES_PER_DAY,
    CaseIn,
    Identifier,
    LatLonIn,
    PlanResponse,
    StrictModel,
    TimeWindowIn,
    UnassignedOut,
)


class CaseChangeIn(StrictModel):
    """New time windows or a new duration for a case of the plan; absent fields stay."""

    time_windows: list[TimeWindowIn] | None = Field(default=None, max_length=20)
    service_minutes: int | None = Field(default=None, ge=0, le=MINUTES_PER_DAY)


class OverrunIn(StrictModel):
    """A visit running late: ``extra_minutes`` longer, or ending at ``ends_at``; not both."""

    extra_minutes: int | None = Field(default=None, gt=0, le=MINUTES_PER_DAY)
    ends_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_of(self) -> OverrunIn:
        if (self.extra_minutes is None) == (self.ends_at is None):
            msg = "give either extra_minutes or ends_at, not both and not neither"
            raise ValueError(msg)
        return self


class ChurnBudgetIn(StrictModel):
    """How many visits may change agent: in total, and per agent (moved to or from it)."""

    max_moved_total: int | None = Field(default=None, ge=0, le=100_000)
    max_moved_per_agent: int | None = Field(default=None, ge=0, le=100_000)


class ReplanIn(StrictModel):
    """Body of ``POST /plans/{plan_id}/replan``: what changed since the plan was made.

    Visits are named by their ``visit_id`` in the plan or by their case id."""

    now: AwareDatetime = Field(description="The current instant, on the plan's date.")
    agent_positions: dict[Identifier, LatLonIn] = Field(
        default_factory=dict,
        max_length=500,
        description="Where agents are now; used for agents with no done or running visit.",
    )
    done_visit_ids: list[Identifier] = Field(default_factory=list, max_length=5000)
    in_progress_visit_ids: list[Identifier] = Field(default_factory=list, max_length=5000)
    absent_agent_ids: list[Identifier] = Field(
        default_factory=list, max_length=500, description="Agents absent from now on."
    )
    case_changes: dict[Identifier, CaseChangeIn] = Field(default_factory=dict, max_length=5000)
    new_cases: list[CaseIn] = Field(default_factory=list, max_length=5000)
    overruns: dict[Identifier, OverrunIn] = Field(
        default_factory=dict,
        max_length=5000,
        description="Visits running over; such a visit is in progress (kept as it is).",
    )
    announced_visit_ids: list[Identifier] = Field(
        default_factory=list,
        max_length=5000,
        description="Visits announced to the borrower or accepted by the agent: they keep "
        "their agent unless allow_moving_announced.",
    )
    allow_moving_announced: bool = False
    churn_budget: ChurnBudgetIn = Field(default_factory=ChurnBudgetIn)


ChangeKind = Literal["added", "removed", "moved", "retimed"]


class PlanChangeOut(BaseModel):
    """One case whose visit changed against the compared plan, and why."""

    case_id: str
    change: ChangeKind
    reason: str = Field(description='Why, e.g. "agent absent", "window changed", "new case".')
    detail: str | None = Field(default=None, description="removed: why it is not visited now.")
    from_agent_id: str | None = None
    to_agent_id: str | None = None
    old_service_start: dt.datetime | None = None
    new_service_start: dt.datetime | None = None


class PlanDiffOut(BaseModel):
    """What changed against ``against_plan_id``; unchanged visits are not listed."""

    against_plan_id: str
    added: list[PlanChangeOut]
    removed: list[PlanChangeOut]
    moved: list[PlanChangeOut] = Field(description="Visits now made by another agent.")
    retimed: list[PlanChangeOut] = Field(description="Same agent, start moved over a minute.")


class ReplanResponse(PlanResponse):
    """The new version of the plan (stored, not published) and its diff."""

    diff: PlanDiffOut = Field(description="Against the plan re-planned.")
    published_diff: PlanDiffOut | None = Field(
        default=None,
        description=(
            "Against the version published to the agents, when that is an earlier one than "
            "the plan re-planned (a re-plan of an unpublished re-plan): what the agents will "
            "see change."
        ),
    )


class InsertIn(StrictModel):
    """Body of ``POST /plans/{plan_id}/insert``: one urgent case to fit into the plan."""

    case: CaseIn
    now: AwareDatetime | None = Field(
        default=None, description="Only positions after the visits started before it."
    )
    max_alternatives: int = Field(default=5, ge=0, le=100)


class InsertOptionOut(BaseModel):
    """The case put at one position of one agent's day, and what that costs."""

    agent_id: str
    position: int = Field(description="Index among the agent's stops, 0 = first.")
    after_case_id: str | None
    before_case_id: str | None
    service_start: dt.datetime
    added_cost: float = Field(description="Change of the plan's total cost.")
    added_travel_seconds: int
    feasible: bool
    violations: list[str] = Field(description="Codes of the rules this position breaks.")


class InsertResponse(BaseModel):
    """The best position for the case and the next best, cheapest first. Nothing stored."""

    case_id: str
    best: InsertOptionOut | None = Field(description="The cheapest feasible position, if any.")
    alternatives: list[InsertOptionOut]
    unassigned: UnassignedOut | None = Field(
        default=None, description="Why the case cannot be planned at all."
    )
