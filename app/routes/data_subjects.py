"""Data-subject requests, for admins: export or erase one borrower's data, by case id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from app.access import AdminRole, audit
from app.data_subject_schemas import DataSubjectExportOut, ErasureOut
from app.deps import DataSubjectsDep

router = APIRouter(tags=["data-subjects"])

CaseId = Annotated[
    str, Path(min_length=1, max_length=100, description="The case id (the creditor's reference).")
]


@router.get("/data-subjects/{case_id}")
def export_data_subject(
    request: Request, case_id: CaseId, principal: AdminRole, subjects: DataSubjectsDep
) -> DataSubjectExportOut:
    """Everything stored about the case: its entries in stored plans (its address among
    them), its planned visits, its visit outcomes with notes and positions, and the audit
    entries naming it. A case with nothing stored gives empty lists, not 404."""
    export = subjects.export(case_id)
    audit(
        request,
        principal,
        "data_subject.export",
        f"case {case_id}",
        details={
            "plans": len(export.plans),
            "visits": len(export.visits),
            "outcomes": len(export.outcomes),
            "audit_entries": len(export.audit_entries),
        },
    )
    return export


@router.delete("/data-subjects/{case_id}")
def erase_data_subject(
    request: Request, case_id: CaseId, principal: AdminRole, subjects: DataSubjectsDep
) -> ErasureOut:
    """Erase the case: cut it out of every stored plan (the rest of each plan stays and
    reads back as before), delete its planned visits and outcomes. Erasing a case with
    nothing stored answers zeros. Audit entries naming the case are kept (ids only)."""
    erased = subjects.erase(case_id)
    audit(
        request,
        principal,
        "data_subject.erase",
        f"case {case_id}",
        details=erased.model_dump(exclude={"case_id"}),
    )
    return erased
