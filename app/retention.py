"""The retention purge: delete what is past each data class's retention (Settings
``retention_*_days``), one transaction per class, and audit the run.

Classes, in the order they are purged:

- ``outcomes``: visit outcomes (notes, positions, promises), by when they were recorded.
- ``plans``: stored plans (request and answer, with the cases' addresses), their agents and
  planned visits, by when the plan was made. An outcome refers to its planned visit, so a
  plan past its retention is kept while any of its visits still has an outcome (inside the
  outcomes' retention, as those past it were purged first); the report counts those plans
  under ``kept``. Such a plan goes in the first purge after its last outcome.
- ``access_tokens``: personal access tokens expired or revoked longer ago than their
  retention (tokens still valid are never purged).
- ``audit_log``: audit entries, by when they were written. The only delete of that table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import delete, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.audit import AuditLog
from app.config import Settings
from app.db import (
    AccessTokenRecord,
    AuditRecord,
    PlanAgentRecord,
    PlanRecord,
    PlanVisitRecord,
    VisitOutcomeRecord,
    delete_rows,
)

DataClass = Literal["outcomes", "plans", "access_tokens", "audit_log"]
DATA_CLASSES: tuple[DataClass, ...] = ("outcomes", "plans", "access_tokens", "audit_log")
"""Every data class with a retention, in purge order (outcomes before the plans they hold)."""

PURGE_ACTOR = "doorstep purge"
"""The actor name of the purge's audit entries."""

_CHUNK = 500  # ids per IN (...): under every database's parameter limit


def retention_days(settings: Settings) -> dict[DataClass, int]:
    """Days each data class is kept."""
    return {
        "outcomes": settings.retention_outcomes_days,
        "plans": settings.retention_plans_days,
        "access_tokens": settings.retention_access_tokens_days,
        "audit_log": settings.retention_audit_log_days,
    }


@dataclass(frozen=True)
class ClassPurge:
    """What the purge did to one data class: rows deleted per table, and rows past their
    retention that were kept, per reason."""

    data_class: DataClass
    retention_days: int
    cutoff: dt.datetime
    deleted: dict[str, int]
    kept: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PurgeReport:
    """A purge run; a dry run reports the same counts and changes nothing."""

    now: dt.datetime
    dry_run: bool
    classes: tuple[ClassPurge, ...]

    def counts(self) -> dict[str, Any]:
        """The report as JSON-ready counts (no personal data: what the audit entry holds)."""
        return {
            "dry_run": self.dry_run,
            "now": self.now.isoformat(),
            "classes": {
                c.data_class: {
                    "retention_days": c.retention_days,
                    "cutoff": c.cutoff.isoformat(),
                    "deleted": c.deleted,
                    "kept": c.kept,
                }
                for c in self.classes
            },
        }


def purge(
    engine: Engine, settings: Settings, now: dt.datetime, *, dry_run: bool = False
) -> PurgeReport:
    """Delete everything past its class's retention at ``now`` (an aware instant), one
    transaction per class, and add a ``retention.purge`` entry to the audit log. A dry run
    does the same work in one transaction and rolls it back.

    Raises
    ------
    ValueError
        If ``now`` has no time zone.
    """
    if now.tzinfo is None:
        msg = "now must be an aware datetime"
        raise ValueError(msg)
    now = now.astimezone(dt.UTC)  # SQLite compares stored UTC wall-clock times
    days = retention_days(settings)
    classes: list[ClassPurge] = []
    log = AuditLog(engine)
    try:
        with Session(engine) as session:
            for data_class in DATA_CLASSES:
                cutoff = now - dt.timedelta(days=days[data_class])
                deleted, kept = _PURGERS[data_class](session, cutoff)
                if not dry_run:
                    session.commit()
                classes.append(ClassPurge(data_class, days[data_class], cutoff, deleted, kept))
            session.rollback()  # a dry run's one transaction (a real run has none open)
    except Exception:
        # The classes committed before the failure are audited all the same.
        done = PurgeReport(now=now, dry_run=dry_run, classes=tuple(classes))
        log.record(
            "retention.purge", None, actor_name=PURGE_ACTOR, outcome="failed", details=done.counts()
        )
        raise
    report = PurgeReport(now=now, dry_run=dry_run, classes=tuple(classes))
    log.record("retention.purge", None, actor_name=PURGE_ACTOR, details=report.counts())
    return report


Counts = tuple[dict[str, int], dict[str, int]]


def _purge_outcomes(session: Session, cutoff: dt.datetime) -> Counts:
    statement = delete(VisitOutcomeRecord).where(VisitOutcomeRecord.recorded_at < cutoff)
    return {"visit_outcomes": delete_rows(session, statement)}, {}


def _purge_plans(session: Session, cutoff: dt.datetime) -> Counts:
    expired = select(PlanRecord.id).where(PlanRecord.created_at < cutoff)
    held = (
        select(PlanVisitRecord.plan_id)
        .join(VisitOutcomeRecord, VisitOutcomeRecord.visit_id == PlanVisitRecord.visit_id)
        .where(PlanVisitRecord.plan_id.in_(expired))
        .distinct()
    )
    kept = session.scalar(select(func.count()).select_from(held.subquery())) or 0
    doomed = list(session.scalars(expired.where(PlanRecord.id.not_in(held))))
    deleted = {"plans": 0, "plan_agents": 0, "plan_visits": 0}
    for ids in _chunks(doomed):
        # Children first: SQLite does not enforce the foreign keys' ON DELETE CASCADE.
        deleted["plan_visits"] += delete_rows(
            session, delete(PlanVisitRecord).where(PlanVisitRecord.plan_id.in_(ids))
        )
        deleted["plan_agents"] += delete_rows(
            session, delete(PlanAgentRecord).where(PlanAgentRecord.plan_id.in_(ids))
        )
        deleted["plans"] += delete_rows(session, delete(PlanRecord).where(PlanRecord.id.in_(ids)))
    return deleted, {"plans_with_outcomes_in_retention": kept}


def _purge_access_tokens(session: Session, cutoff: dt.datetime) -> Counts:
    statement = delete(AccessTokenRecord).where(
        or_(AccessTokenRecord.expires_at < cutoff, AccessTokenRecord.revoked_at < cutoff)
    )
    return {"access_tokens": delete_rows(session, statement)}, {}


def _purge_audit_log(session: Session, cutoff: dt.datetime) -> Counts:
    statement = delete(AuditRecord).where(AuditRecord.at < cutoff)
    return {"audit_log": delete_rows(session, statement)}, {}


_PURGERS: dict[DataClass, Callable[[Session, dt.datetime], Counts]] = {
    "outcomes": _purge_outcomes,
    "plans": _purge_plans,
    "access_tokens": _purge_access_tokens,
    "audit_log": _purge_audit_log,
}


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]
