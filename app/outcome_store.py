"""Visit outcomes on disk: appended, never changed; read back as a case's history, as the
planning loop's evidence, and as the address review queue."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import history as hist
from app.db import PlanRecord, PlanVisitRecord, VisitOutcomeRecord, as_utc
from app.errors import NotFoundError
from app.outcome_schemas import (
    AddressReviewOut,
    CaseHistoryOut,
    OutcomeIn,
    OutcomeOut,
    PlannedVisitOut,
)
from app.schemas import LatLonOut
from app.scope import EVERYTHING, Scope
from app.screening import CaseHistory


class OutcomeStore:
    """Planned visits and their outcomes, in whatever database ``engine`` points at."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, visit_id: str, body: OutcomeIn, scope: Scope = EVERYTHING) -> OutcomeOut:
        """Append an outcome of the visit ``visit_id``.

        Raises
        ------
        NotFoundError
            If no stored plan in ``scope`` has that visit.
        """
        with Session(self._engine) as session, session.begin():
            visit = session.scalar(_visits_in(scope).where(PlanVisitRecord.visit_id == visit_id))
            if visit is None:
                msg = f"no visit {visit_id!r}"
                raise NotFoundError(msg)
            record = VisitOutcomeRecord(
                id=str(uuid.uuid4()),
                visit_id=visit_id,
                case_id=visit.case_id,
                agent_id=visit.agent_id,
                region=visit.region,
                place=visit.place,
                outcome=body.outcome,
                occurred_at=body.occurred_at,
                recorded_at=dt.datetime.now(dt.UTC),
                lat=body.location.lat if body.location else None,
                lon=body.location.lon if body.location else None,
                notes=body.notes,
                promise_date=body.promise_date,
                amount=body.amount,
            )
            session.add(record)
            session.flush()
            return outcome_out(record, visit.plan_id)

    def case_history(self, case_id: str, scope: Scope = EVERYTHING) -> CaseHistoryOut:
        """Every planned visit and recorded outcome of the case in ``scope``, oldest first.

        Raises
        ------
        NotFoundError
            If no plan in ``scope`` ever visited the case.
        """
        with Session(self._engine) as session:
            visits = session.scalars(
                _visits_in(scope)
                .where(PlanVisitRecord.case_id == case_id)
                .order_by(PlanVisitRecord.service_start, PlanVisitRecord.visit_id)
            ).all()
            if not visits:
                msg = f"no visit of case {case_id!r} was ever planned"
                raise NotFoundError(msg)
            plan_of = {visit.visit_id: visit.plan_id for visit in visits}
            outcomes = session.scalars(
                select(VisitOutcomeRecord)
                .where(VisitOutcomeRecord.case_id == case_id)
                .order_by(VisitOutcomeRecord.occurred_at, VisitOutcomeRecord.recorded_at)
            ).all()
            return CaseHistoryOut(
                case_id=case_id,
                visits=[
                    PlannedVisitOut(
                        visit_id=v.visit_id,
                        plan_id=v.plan_id,
                        date=v.date,
                        agent_id=v.agent_id,
                        service_start=as_utc(v.service_start),
                    )
                    for v in visits
                ],
                outcomes=[
                    outcome_out(o, plan_of[o.visit_id]) for o in outcomes if o.visit_id in plan_of
                ],
            )

    def outcomes_of(
        self, case_ids: Iterable[str], as_of: dt.datetime | None = None
    ) -> dict[str, list[hist.RecordedOutcome]]:
        """Each case's visit outcomes, the newest record per visit, oldest visit first (as
        recorded by ``as_of`` when given)."""
        ids = sorted(set(case_ids))
        by_case: dict[str, list[hist.RecordedOutcome]] = defaultdict(list)
        if not ids:
            return by_case
        with Session(self._engine) as session:
            rows: list[VisitOutcomeRecord] = []
            for chunk in range(0, len(ids), 500):  # stay under databases' parameter limits
                rows += session.scalars(
                    select(VisitOutcomeRecord).where(
                        VisitOutcomeRecord.case_id.in_(ids[chunk : chunk + 500]),
                        _recorded_by(as_of),
                    )
                ).all()
        for row in _newest_per_visit(rows):
            by_case[row.case_id].append(_recorded(row))
        return by_case

    def planning_history(
        self,
        case_ids: Iterable[str],
        region: str,
        zone: ZoneInfo,
        promise_grace_days: int,
        as_of: dt.datetime | None = None,
    ) -> CaseHistory:
        """What a plan of these cases in ``region`` needs from the history: as it is now, or
        as it was at ``as_of`` (to make a stored plan again)."""
        as_of = as_of or dt.datetime.now(dt.UTC)
        return CaseHistory(
            outcomes=self.outcomes_of(case_ids, as_of),
            area=self.area_contacts(region, zone, as_of),
            promise_grace_days=promise_grace_days,
            as_of=as_of,
        )

    def area_contacts(
        self, region: str, zone: ZoneInfo, as_of: dt.datetime | None = None
    ) -> hist.ContactCounts:
        """Visits at the door and contacts per part of the day, over the whole region (as
        recorded by ``as_of`` when given)."""
        with Session(self._engine) as session:
            rows = session.scalars(
                select(VisitOutcomeRecord).where(
                    VisitOutcomeRecord.region == region,
                    VisitOutcomeRecord.outcome.in_(sorted(hist.AT_THE_DOOR)),
                    _recorded_by(as_of),
                )
            ).all()
        return hist.ContactCounts.of([_recorded(r) for r in _newest_per_visit(rows)], zone)

    def address_reviews(self, scope: Scope = EVERYTHING) -> list[AddressReviewOut]:
        """Cases in ``scope`` whose latest word on the address is wrong_address or moved,
        unconfirmed."""
        with Session(self._engine) as session:
            flagged_cases = (
                select(VisitOutcomeRecord.case_id)
                .where(VisitOutcomeRecord.outcome.in_(["wrong_address", "moved"]))
                .distinct()
            )
            rows = session.scalars(
                select(VisitOutcomeRecord)
                .join(PlanVisitRecord, PlanVisitRecord.visit_id == VisitOutcomeRecord.visit_id)
                .join(PlanRecord, PlanRecord.id == PlanVisitRecord.plan_id)
                .where(VisitOutcomeRecord.case_id.in_(flagged_cases), scope.visit_filter())
            ).all()
        by_case: dict[str, list[VisitOutcomeRecord]] = defaultdict(list)
        for row in _newest_per_visit(rows):
            by_case[row.case_id].append(row)
        reviews = []
        for case_id, case_rows in sorted(by_case.items()):
            flagged = [r for r in case_rows if r.outcome in ("wrong_address", "moved")]
            if not flagged:
                continue
            last = flagged[-1]
            if any(
                r.outcome in hist.CONTACTED and as_utc(r.occurred_at) > as_utc(last.occurred_at)
                for r in case_rows
            ):
                continue
            reviews.append(
                AddressReviewOut(
                    case_id=case_id,
                    visit_id=last.visit_id,
                    outcome=last.outcome,
                    place=last.place,
                    reported_at=as_utc(last.occurred_at),
                )
            )
        return reviews


def _visits_in(scope: Scope) -> Select[PlanVisitRecord]:
    return (
        select(PlanVisitRecord)
        .join(PlanRecord, PlanRecord.id == PlanVisitRecord.plan_id)
        .where(scope.visit_filter())
    )


def _newest_per_visit(rows: Sequence[VisitOutcomeRecord]) -> list[VisitOutcomeRecord]:
    newest: dict[str, VisitOutcomeRecord] = {}
    for row in rows:
        kept = newest.get(row.visit_id)
        if kept is None or (as_utc(row.recorded_at), row.id) > (as_utc(kept.recorded_at), kept.id):
            newest[row.visit_id] = row
    return sorted(newest.values(), key=lambda r: (as_utc(r.occurred_at), r.id))


def _recorded(row: VisitOutcomeRecord) -> hist.RecordedOutcome:
    return hist.RecordedOutcome(
        visit_id=row.visit_id,
        outcome=row.outcome,
        occurred_at=as_utc(row.occurred_at),
        place=row.place,
        promise_date=row.promise_date,
        amount=row.amount,
    )


def outcome_out(row: VisitOutcomeRecord, plan_id: str) -> OutcomeOut:
    """A stored outcome as the API shows it."""
    return OutcomeOut(
        id=row.id,
        visit_id=row.visit_id,
        case_id=row.case_id,
        agent_id=row.agent_id,
        plan_id=plan_id,
        outcome=row.outcome,
        occurred_at=as_utc(row.occurred_at),
        recorded_at=as_utc(row.recorded_at),
        location=LatLonOut(lat=row.lat, lon=row.lon)
        if row.lat is not None and row.lon is not None
        else None,
        notes=row.notes,
        promise_date=row.promise_date,
        amount=row.amount,
    )


def _recorded_by(as_of: dt.datetime | None) -> ColumnElement[bool]:
    """Outcomes recorded by ``as_of`` (None: all)."""
    if as_of is None:
        return true()
    return VisitOutcomeRecord.recorded_at <= as_of.astimezone(dt.UTC)
