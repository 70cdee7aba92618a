"""The audit log: who did what and when. Entries are only added; the database refuses
updates, and only the retention purge deletes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.auth import Principal
from app.db import AuditRecord, as_utc

AuditOutcome = Literal["ok", "denied", "failed"]


@dataclass(frozen=True)
class AuditEntry:
    """One thing someone did (or tried). ``details`` never holds personal data: ids and
    counts only."""

    id: int
    at: dt.datetime
    actor_id: str | None
    actor_name: str | None
    actor_role: str | None
    action: str
    target: str | None
    outcome: AuditOutcome
    client: str | None
    details: dict[str, Any] | None


class AuditLog:
    """The audit log in whatever database ``engine`` points at."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self,
        action: str,
        actor: Principal | None,
        *,
        target: str | None = None,
        outcome: AuditOutcome = "ok",
        client: str | None = None,
        actor_name: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Add an entry. ``actor_name`` names an actor not signed in (a failed sign-in)."""
        with Session(self._engine) as session, session.begin():
            session.add(
                AuditRecord(
                    at=dt.datetime.now(dt.UTC),
                    actor_id=actor.user_id if actor else None,
                    actor_name=actor.username if actor else actor_name,
                    actor_role=actor.role if actor else None,
                    action=action,
                    target=target and target[:300],
                    outcome=outcome,
                    client=client and client[:64],
                    details=details,
                )
            )

    def entries(
        self,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        action: str | None = None,
        actor_id: str | None = None,
        outcome: AuditOutcome | None = None,
        limit: int = 100,
        before_id: int | None = None,
    ) -> list[AuditEntry]:
        """Entries matching every filter given, newest first; page with ``before_id``."""
        query = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
        if since is not None:
            query = query.where(AuditRecord.at >= since)
        if until is not None:
            query = query.where(AuditRecord.at < until)
        if action is not None:
            query = query.where(AuditRecord.action == action)
        if actor_id is not None:
            query = query.where(AuditRecord.actor_id == actor_id)
        if outcome is not None:
            query = query.where(AuditRecord.outcome == outcome)
        if before_id is not None:
            query = query.where(AuditRecord.id < before_id)
        with Session(self._engine) as session:
            return [_entry(r) for r in session.scalars(query)]

    def naming(
        self, targets: Collection[str], target_endings: Collection[str] = ()
    ) -> list[AuditEntry]:
        """Entries whose target is one of ``targets`` or ends with one of
        ``target_endings``, oldest first."""
        exact = sorted(set(targets))
        conditions: list[ColumnElement[bool]] = [
            AuditRecord.target.in_(exact[start : start + _CHUNK])
            for start in range(0, len(exact), _CHUNK)
        ]
        conditions += [AuditRecord.target.endswith(e, autoescape=True) for e in target_endings]
        if not conditions:
            return []
        query = select(AuditRecord).where(or_(*conditions)).order_by(AuditRecord.id)
        with Session(self._engine) as session:
            return [_entry(r) for r in session.scalars(query)]


_CHUNK = 500  # values per IN (...): under every database's parameter limit


def _entry(record: AuditRecord) -> AuditEntry:
    return AuditEntry(
        id=record.id,
        at=as_utc(record.at),
        actor_id=record.actor_id,
        actor_name=record.actor_name,
        actor_role=record.actor_role,
        action=record.action,
        target=record.target,
        outcome=record.outcome,  # type: ignore[arg-type]
        client=record.client,
        details=record.details,
    )
