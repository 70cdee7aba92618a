"""Visit outcomes: record one, read a case's history, list addresses to review."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.deps import OutcomeStoreDep
from app.outcome_schemas import AddressReviewOut, CaseHistoryOut, OutcomeIn, OutcomeOut

router = APIRouter(tags=["visits"])


@router.post(
    "/visits/{visit_id}/outcome",
    status_code=status.HTTP_201_CREATED,
    responses={404: {"description": "No stored plan has this visit."}},
)
def record_outcome(visit_id: str, body: OutcomeIn, outcomes: OutcomeStoreDep) -> OutcomeOut:
    """Record what happened at a visit. Outcomes are never edited or deleted: to correct
    one, record the visit's outcome again; the newest record counts."""
    return outcomes.record(visit_id, body)


@router.get("/cases/{case_id}/history", responses={404: {"description": "Never planned."}})
def case_history(case_id: str, outcomes: OutcomeStoreDep) -> CaseHistoryOut:
    """The case's planned visits and every outcome recorded, corrections included."""
    return outcomes.case_history(case_id)


@router.get("/review/addresses")
def address_reviews(outcomes: OutcomeStoreDep) -> list[AddressReviewOut]:
    """Cases an agent found at a wrong address or moved: they stay out of plans until the
    planner sends a corrected address."""
    return outcomes.address_reviews()
