"""Visit outcomes: record one, read a case's history, list addresses to review."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from app.access import FieldRole, ReaderRole, ScopeDep, audit
from app.deps import OutcomeStoreDep
from app.outcome_schemas import AddressReviewOut, CaseHistoryOut, OutcomeIn, OutcomeOut

router = APIRouter(tags=["visits"])


@router.post(
    "/visits/{visit_id}/outcome",
    status_code=status.HTTP_201_CREATED,
    responses={404: {"description": "No stored plan has this visit."}},
)
def record_outcome(
    request: Request,
    visit_id: str,
    body: OutcomeIn,
    principal: FieldRole,
    scope: ScopeDep,
    outcomes: OutcomeStoreDep,
) -> OutcomeOut:
    """Record what happened at a visit (an agent: at their own visits). Outcomes are never
    edited or deleted: to correct one, record the visit's outcome again; the newest counts."""
    recorded = outcomes.record(visit_id, body, scope)
    audit(
        request,
        principal,
        "outcome.record",
        f"visit {visit_id}",
        details={"outcome": body.outcome},
    )
    return recorded


@router.get("/cases/{case_id}/history", responses={404: {"description": "Never planned."}})
def case_history(
    request: Request,
    case_id: str,
    principal: ReaderRole,
    scope: ScopeDep,
    outcomes: OutcomeStoreDep,
) -> CaseHistoryOut:
    """The case's planned visits and every outcome recorded, corrections included (a
    planner: in their team's plans)."""
    history = outcomes.case_history(case_id, scope)
    audit(request, principal, "case.history", f"case {case_id}")
    return history


@router.get("/review/addresses")
def address_reviews(
    _: ReaderRole, scope: ScopeDep, outcomes: OutcomeStoreDep
) -> list[AddressReviewOut]:
    """Cases an agent found at a wrong address or moved: they stay out of plans until the
    planner sends a corrected address."""
    return outcomes.address_reviews(scope)
