"""The HTTP contract of background jobs: the 202 answer to a plan solved in the background,
and a job's status."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from app.jobs import Job, JobKind, JobPhase, JobStatus


class JobAcceptedOut(BaseModel):
    """Body of a ``202 Accepted`` from ``POST /plan``: the plan is solved in the background;
    poll ``status_url`` until the job has succeeded, then read ``GET /plans/{plan_id}``."""

    job_id: str
    status: JobStatus
    status_url: str = Field(examples=["/jobs/5b0c3f0e-8f59-4f0a-9d7e-1d1c8e0b6a51"])

    @classmethod
    def of(cls, job: Job) -> JobAcceptedOut:
        """The answer for a job just queued."""
        return cls(job_id=job.id, status=job.status, status_url=job_url(job.id))


class JobOut(BaseModel):
    """Body of ``GET /jobs/{job_id}``: where a job stands."""

    job_id: str
    kind: JobKind
    status: JobStatus = Field(
        description=(
            "queued, running, then succeeded (see plan_id), failed (see error) or cancelled."
        )
    )
    phase: JobPhase | None = Field(
        description=(
            "While running: preparing (geocoding, snapping, travel matrices), solving, storing."
        )
    )
    progress: float = Field(
        ge=0,
        le=1,
        description="0 to 1; while solving, the search time spent over its time limit.",
    )
    best_cost_so_far: float | None = Field(
        description="The total cost of the best plan found, once the search has one."
    )
    attempts: int = Field(
        ge=0, description="Runs started: more than 1 when a worker was lost and it ran again."
    )
    error: str | None = Field(
        description="Why it failed: the field at fault and what is wrong, or 'worker lost'."
    )
    plan_id: str | None = Field(description="The plan made, once the job has succeeded.")
    plan_url: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    heartbeat_at: dt.datetime | None = Field(
        description="When the worker running it was last heard from."
    )

    @classmethod
    def of(cls, job: Job) -> JobOut:
        """The answer for ``job``."""
        return cls(
            job_id=job.id,
            kind=job.kind,
            status=job.status,
            phase=job.phase,
            progress=job.progress,
            best_cost_so_far=job.best_cost_so_far,
            attempts=job.attempts,
            error=job.error,
            plan_id=job.plan_id,
            plan_url=f"/plans/{job.plan_id}" if job.plan_id else None,
            created_at=job.created_at,
            updated_at=job.updated_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            heartbeat_at=job.heartbeat_at,
        )


def job_url(job_id: str) -> str:
    """Where the job's status is read."""
    return f"/jobs/{job_id}"
