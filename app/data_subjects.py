"""Data-subject requests: export everything stored about one borrower (named by the case
id), or erase it.

A case is stored in the plans' requests and answers (JSON), in planned visits and in visit
outcomes; the audit log names it by id only. An erasure cuts the case out of every stored
plan (app.plan_cases: the rest of each plan stays, valid) and deletes its outcomes and
planned visits, in one transaction. Audit entries naming the case are kept: the log is
append-only, holds ids and counts only, and has its own retention."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator, Sequence

from sqlalchemy import Select, Text, cast, delete, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.audit import AuditEntry, AuditLog
from app.auth_schemas import AuditEntryOut
from app.data_subject_schemas import (
    CaseStopOut,
    CaseVisitOut,
    DataSubjectExportOut,
    ErasureOut,
    PlanEntriesOut,
)
from app.db import PlanRecord, PlanVisitRecord, VisitOutcomeRecord, as_utc, delete_rows
from app.outcome_store import outcome_out
from app.plan_cases import CaseEntries, entries_of, without_case
from app.schemas import CaseIn, ExclusionOut, HintOut, HistoryEffectOut, UnassignedOut

_PLAIN_ID = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e]+")
"""Case ids that read the same inside any JSON text: printable ASCII but ``"`` and ``\\``."""

_BATCH = 20  # plans loaded at once: a plan's JSON can be megabytes


class DataSubjects:
    """Export and erasure of a case's data, in whatever database ``engine`` points at."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._audit = AuditLog(engine)

    def export(self, case_id: str) -> DataSubjectExportOut:
        """Everything stored about ``case_id`` (empty lists when nothing is)."""
        exported_at = dt.datetime.now(dt.UTC)
        with Session(self._engine) as session:
            plans = [
                _plan_entries(record, entries)
                for batch in _plans_in_batches(session, case_id)
                for record in batch
                if (entries := entries_of(record.request, record.response, case_id))
            ]
            visits = session.scalars(
                select(PlanVisitRecord)
                .where(PlanVisitRecord.case_id == case_id)
                .order_by(PlanVisitRecord.service_start, PlanVisitRecord.visit_id)
            ).all()
            outcomes = session.execute(
                select(VisitOutcomeRecord, PlanVisitRecord.plan_id)
                .outerjoin(PlanVisitRecord, PlanVisitRecord.visit_id == VisitOutcomeRecord.visit_id)
                .where(VisitOutcomeRecord.case_id == case_id)
                .order_by(
                    VisitOutcomeRecord.occurred_at,
                    VisitOutcomeRecord.recorded_at,
                    VisitOutcomeRecord.id,
                )
            ).all()
            return DataSubjectExportOut(
                case_id=case_id,
                exported_at=exported_at,
                plans=plans,
                visits=[
                    CaseVisitOut(
                        visit_id=v.visit_id,
                        plan_id=v.plan_id,
                        date=v.date,
                        agent_id=v.agent_id,
                        service_start=as_utc(v.service_start),
                        region=v.region,
                        place=v.place,
                    )
                    for v in visits
                ],
                outcomes=[outcome_out(row, plan_id or "") for row, plan_id in outcomes],
                audit_entries=[
                    AuditEntryOut(**vars(entry))
                    for entry in self._audit_entries(case_id, [v.visit_id for v in visits])
                ],
            )

    def erase(self, case_id: str) -> ErasureOut:
        """Cut ``case_id`` out of every stored plan and delete its planned visits and visit
        outcomes, in one transaction; the counts of what went."""
        counts: Counter[str] = Counter()
        with Session(self._engine) as session, session.begin():
            visit_ids = list(
                session.scalars(
                    select(PlanVisitRecord.visit_id).where(PlanVisitRecord.case_id == case_id)
                )
            )
            for batch in _plans_in_batches(session, case_id):
                for record in batch:
                    request, response, found = without_case(
                        record.request, record.response, case_id
                    )
                    if found:
                        record.request = request
                        record.response = response
                        counts.update(found.counts())
                        counts["plans_rewritten"] += 1
                session.flush()
                session.expunge_all()
            counts["outcomes"] = delete_rows(
                session, delete(VisitOutcomeRecord).where(VisitOutcomeRecord.case_id == case_id)
            )
            counts["visits"] = delete_rows(
                session, delete(PlanVisitRecord).where(PlanVisitRecord.case_id == case_id)
            )
        kept = len(self._audit_entries(case_id, visit_ids))
        return ErasureOut(case_id=case_id, audit_entries_kept=kept, **_erasure_counts(counts))

    def _audit_entries(self, case_id: str, visit_ids: Sequence[str]) -> list[AuditEntry]:
        """Entries naming the case (``case <id>``), its visits, or its id in a refused
        request's path."""
        return self._audit.naming(
            [f"case {case_id}", *(f"visit {visit_id}" for visit_id in visit_ids)],
            [f"/cases/{case_id}/history", f"/data-subjects/{case_id}"],  # paths as decoded
        )


def _erasure_counts(counts: Counter[str]) -> dict[str, int]:
    fields = (
        "plans_rewritten",
        "request_entries",
        "stops",
        "unassigned",
        "exclusions",
        "history_effects",
        "hints",
        "visits",
        "outcomes",
    )
    return {name: counts[name] for name in fields}


def _plans_in_batches(session: Session, case_id: str) -> Iterator[Sequence[PlanRecord]]:
    """Stored plans whose JSON may name ``case_id``, a few at a time, oldest first."""
    ids = list(session.scalars(_candidates(case_id)))
    for start in range(0, len(ids), _BATCH):
        yield session.scalars(
            select(PlanRecord)
            .where(PlanRecord.id.in_(ids[start : start + _BATCH]))
            .order_by(PlanRecord.created_at, PlanRecord.id)
        ).all()


def _candidates(case_id: str) -> Select[str]:
    """Ids of the plans that may name the case. A plain id is looked for in the stored text
    (as a JSON string, quotes included); any other id needs every plan read."""
    query = select(PlanRecord.id).order_by(PlanRecord.created_at, PlanRecord.id)
    if _PLAIN_ID.fullmatch(case_id):
        needle = f'"{case_id}"'
        query = query.where(
            or_(
                cast(PlanRecord.request, Text).contains(needle, autoescape=True),
                cast(PlanRecord.response, Text).contains(needle, autoescape=True),
            )
        )
    return query


def _plan_entries(record: PlanRecord, entries: CaseEntries) -> PlanEntriesOut:
    return PlanEntriesOut(
        plan_id=record.id,
        date=record.date,
        region=record.region,
        team=record.team,
        created_at=as_utc(record.created_at),
        case=None if entries.case is None else CaseIn.model_validate(entries.case),
        stops=[
            CaseStopOut.model_validate({**stop, "agent_id": agent_id})
            for agent_id, stop in entries.stops
        ],
        unassigned=[UnassignedOut.model_validate(e) for e in entries.unassigned],
        exclusions=[ExclusionOut.model_validate(e) for e in entries.exclusions],
        history_effects=[HistoryEffectOut.model_validate(e) for e in entries.history_effects],
        hints=[HintOut.model_validate(h) for h in entries.hints],
    )
