"""What a background job is, inside the app: plain data, no storage, no web."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from app.config import Settings

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
"""queued: waiting for a worker; running: a worker holds it (``attempts`` counts the runs);
then one of succeeded (``plan_id`` names the plan), failed (``error`` says why) or
cancelled."""

FINISHED: frozenset[JobStatus] = frozenset({"succeeded", "failed", "cancelled"})

JobPhase = Literal["preparing", "solving", "storing"]
"""What a running plan job is doing: locating the places (geocoding, snapping, travel
matrices), searching, storing the plan."""

JobKind = Literal["plan"]


@dataclass(frozen=True, slots=True)
class Job:
    """A job as stored."""

    id: str
    kind: JobKind
    status: JobStatus
    team: str | None
    created_by: str | None
    phase: JobPhase | None
    progress: float
    best_cost_so_far: float | None
    attempts: int
    error: str | None
    plan_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    heartbeat_at: dt.datetime | None

    @property
    def finished(self) -> bool:
        """Whether the job is over, one way or another."""
        return self.status in FINISHED


@dataclass(frozen=True, slots=True)
class Claim:
    """A worker's hold on a running job: ``attempt`` is its fencing token, and every write it
    makes is conditional on the job still being running under that attempt."""

    job_id: str
    attempt: int
    request: dict[str, Any]
    team: str | None
    created_by: str | None


Refusal = Literal["missing", "finished", "busy", "exhausted"]
"""Why a worker may not run a job it was handed: there is no such job; it is over (a
redelivered message); another attempt is alive (its heartbeat is fresh); or its worker was
lost once too often (it is now failed)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class JobPolicy:
    """How jobs are kept alive and given up on."""

    max_attempts: int = 2
    heartbeat_s: float = 2.0
    stale_after_s: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> JobPolicy:
        """The policy the settings describe."""
        return cls(
            max_attempts=settings.job_max_attempts,
            heartbeat_s=settings.job_heartbeat_seconds,
            stale_after_s=settings.job_stale_after_seconds,
        )
