"""The audit log, for auditors and admins."""

from __future__ import annotations

import dataclasses
import re
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BeforeValidator

from app.access import AuditorRole
from app.auth_schemas import AuditEntryOut
from app.deps import AuditLogDep

router = APIRouter(tags=["audit"])


def _iso_only(value: object) -> object:
    # Pydantic would also take a number as seconds since 1970; the schema says ISO 8601.
    if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}T", value):
        msg = "an ISO 8601 instant with offset, e.g. 2026-12-01T08:00:00+01:00"
        raise ValueError(msg)
    return value


IsoInstant = Annotated[AwareDatetime, BeforeValidator(_iso_only)]


@router.get("/audit")
def read_audit_log(
    _: AuditorRole,
    log: AuditLogDep,
    since: Annotated[IsoInstant | None, Query()] = None,
    until: Annotated[IsoInstant | None, Query()] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    actor_id: Annotated[str | None, Query(max_length=36)] = None,
    outcome: Annotated[Literal["ok", "denied", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before_id: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="Page: entries older than this.")
    ] = None,
) -> list[AuditEntryOut]:
    """Entries matching every filter given, newest first."""
    entries = log.entries(
        since=since,
        until=until,
        action=action,
        actor_id=actor_id,
        outcome=outcome,
        limit=limit,
        before_id=before_id,
    )
    return [AuditEntryOut(**dataclasses.asdict(e)) for e in entries]
