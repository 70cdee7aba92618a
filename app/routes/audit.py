"""The audit log, for auditors and admins."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from app.access import AuditorRole
from app.auth_schemas import AuditEntryOut
from app.deps import AuditLogDep

router = APIRouter(tags=["audit"])


@router.get("/audit")
def read_audit_log(
    _: AuditorRole,
    log: AuditLogDep,
    since: Annotated[AwareDatetime | None, Query()] = None,
    until: Annotated[AwareDatetime | None, Query()] = None,
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
