"""The HTTP contract of data-subject requests: export and erasure of one borrower's data,
named by the case id."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from app.auth_schemas import AuditEntryOut
from app.outcome_schemas import OutcomeOut, PlannedVisitOut
from app.schemas import (
    CaseIn,
    ExclusionOut,
    HintOut,
    HistoryEffectOut,
    StopOut,
    UnassignedOut,
)


class CaseStopOut(StopOut):
    """A stop at the case in a stored plan, with the agent who had it."""

    agent_id: str


class PlanEntriesOut(BaseModel):
    """The case's entries in one stored plan."""

    plan_id: str
    date: dt.date
    region: str
    team: str | None
    created_at: dt.datetime
    case: CaseIn | None = Field(description="The case as the plan's request gave it.")
    stops: list[CaseStopOut]
    unassigned: list[UnassignedOut]
    exclusions: list[ExclusionOut]
    history_effects: list[HistoryEffectOut]
    hints: list[HintOut] = Field(description="Other cases' hints that name this case.")


class CaseVisitOut(PlannedVisitOut):
    """A planned visit of the case, with the place it went to."""

    region: str
    place: str = Field(description="The address (or point) the visit went to.")


class DataSubjectExportOut(BaseModel):
    """Body of ``GET /data-subjects/{case_id}``: everything stored about the case. A case
    with nothing stored gives empty lists (after an erasure, only audit entries remain)."""

    case_id: str
    exported_at: dt.datetime
    plans: list[PlanEntriesOut] = Field(description="Stored plans that name the case.")
    visits: list[CaseVisitOut]
    outcomes: list[OutcomeOut] = Field(description="Every outcome recorded, corrections too.")
    audit_entries: list[AuditEntryOut] = Field(
        description="Audit entries about the case or its visits (kept by an erasure)."
    )


class ErasureOut(BaseModel):
    """Body of ``DELETE /data-subjects/{case_id}``: how much of the case was erased."""

    case_id: str
    plans_rewritten: int = Field(description="Stored plans the case was cut out of.")
    request_entries: int
    stops: int
    unassigned: int
    exclusions: int
    history_effects: int
    hints: int = Field(description="Other cases' hints that named the case.")
    visits: int = Field(description="Planned visits deleted.")
    outcomes: int = Field(description="Visit outcomes deleted (notes and positions with them).")
    audit_entries_kept: int = Field(
        description="Audit entries naming the case: kept (the audit log is append-only and "
        "has its own retention); they hold ids and counts, no personal data."
    )
