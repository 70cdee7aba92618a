"""Jobs on disk. Every change of a job's state is one transaction with one conditional update,
so that a worker, a second worker handed the same message, a cancel and the reaper can race
and exactly one of them wins: the others see that nothing changed and back off. A job keeps
its request (personal data) only until it is over: a succeeded job's plan keeps its own."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Update, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.db import AuditRecord, JobRecord, UserRecord, as_utc
from app.errors import NotFoundError
from app.jobs.model import FINISHED, Claim, Job, JobKind, JobPhase, JobPolicy, Refusal
from app.schemas import PlanRequest, PlanResponse
from app.scope import EVERYTHING, Scope
from app.store import add_plan


class JobFinishedError(Exception):
    """The job is over (succeeded or failed): it cannot be cancelled any more."""

    def __init__(self, job: Job) -> None:
        super().__init__(f"job {job.id!r} has already {job.status}")
        self.job = job


class _NotOursError(Exception):
    """The job changed hands (or was cancelled) under a worker's feet: roll back."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class JobStore:
    """Background jobs, in whatever database ``engine`` points at."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(
        self, kind: JobKind, request: dict[str, Any], team: str | None, created_by: str | None
    ) -> Job:
        """A new queued job of ``team``, committed before any worker can be told of it."""
        now = _now()
        record = JobRecord(
            id=str(uuid.uuid4()),
            kind=kind,
            status="queued",
            team=team,
            created_by=created_by,
            request=request,
            phase=None,
            progress=0.0,
            best_cost_so_far=None,
            attempts=0,
            error=None,
            plan_id=None,
            created_at=now,
            updated_at=now,
        )
        with Session(self._engine, expire_on_commit=False) as session, session.begin():
            session.add(record)
        return _job(record)

    def get(self, job_id: str, scope: Scope = EVERYTHING) -> Job:
        """The job ``job_id``.

        Raises
        ------
        NotFoundError
            If there is no such job in ``scope``.
        """
        with Session(self._engine) as session:
            record = session.scalar(
                select(JobRecord).where(JobRecord.id == job_id, scope.job_filter())
            )
            if record is None:
                msg = f"no job {job_id!r}"
                raise NotFoundError(msg)
            return _job(record)

    def queued(self) -> list[str]:
        """The ids of the jobs waiting for a worker, oldest first."""
        with Session(self._engine) as session:
            return list(
                session.scalars(
                    select(JobRecord.id)
                    .where(JobRecord.status == "queued")
                    .order_by(JobRecord.created_at)
                )
            )

    def claim(self, job_id: str, policy: JobPolicy) -> Claim | Refusal:
        """Take the job to run it: a queued job, or a running one whose worker was lost (its
        lease expired: no heartbeat in time). A lost job that has had its
        ``policy.max_attempts`` fails here, with the reason."""
        now = _now()
        with Session(self._engine) as session, session.begin():
            record = session.get(JobRecord, job_id)
            if record is None:
                return "missing"
            if record.status in FINISHED:
                return "finished"
            seen = record.attempts
            if record.status == "queued":
                change = update(JobRecord).where(
                    JobRecord.id == job_id, JobRecord.status == "queued", JobRecord.attempts == seen
                )
            elif _expired(record, now):
                change = _running(job_id, seen).where(_lease_expired(now))
                if seen >= policy.max_attempts:
                    failed = change.values(
                        status="failed",
                        request={},
                        error=_lost_reason(record, now, policy),
                        finished_at=now,
                        updated_at=now,
                    )
                    return "exhausted" if _apply(session, failed) else "busy"
            else:
                return "busy"
            started = change.values(
                status="running",
                attempts=seen + 1,
                phase=None,
                progress=0.0,
                best_cost_so_far=None,
                started_at=record.started_at or now,
                heartbeat_at=now,
                lease_expires_at=now + dt.timedelta(seconds=policy.stale_after_s),
                updated_at=now,
            )
            if not _apply(session, started):
                return "busy"
            return Claim(
                job_id=job_id,
                attempt=seen + 1,
                request=record.request,
                team=record.team,
                created_by=record.created_by,
            )

    def beat(
        self,
        claim: Claim,
        lease_s: float,
        *,
        phase: JobPhase | None = None,
        progress: float | None = None,
        best_cost: float | None = None,
    ) -> bool:
        """Record that ``claim``'s worker is alive, and how far it got; it stays the job's for
        ``lease_s`` more without another beat. False when the job is no longer its own
        (cancelled, or taken over after it was thought lost)."""
        now = _now()
        values: dict[str, Any] = {
            "heartbeat_at": now,
            "lease_expires_at": now + dt.timedelta(seconds=lease_s),
            "updated_at": now,
        }
        if phase is not None:
            values["phase"] = phase
        if progress is not None:
            values["progress"] = min(1.0, max(0.0, progress))
        if best_cost is not None:
            values["best_cost_so_far"] = best_cost
        with Session(self._engine) as session, session.begin():
            return _apply(session, _running(claim.job_id, claim.attempt).values(**values))

    def succeed(self, claim: Claim, request: PlanRequest, response: PlanResponse) -> bool:
        """Store the plan and mark the job succeeded, in one transaction: the plan exists
        exactly when the job says it succeeded. False (and nothing stored) when the job is no
        longer ``claim``'s."""
        now = _now()
        try:
            with Session(self._engine) as session, session.begin():
                add_plan(session, request, response, claim.team)
                done = _running(claim.job_id, claim.attempt).values(
                    status="succeeded",
                    request={},
                    phase=None,
                    progress=1.0,
                    best_cost_so_far=response.summary.total_cost,
                    plan_id=response.plan_id,
                    finished_at=now,
                    heartbeat_at=now,
                    updated_at=now,
                )
                if not _apply(session, done):
                    raise _NotOursError
                session.add(_plan_audit(session, claim, request, response, now))
        except _NotOursError:
            return False  # rolled back: no plan
        return True

    def fail(self, claim: Claim, reason: str) -> bool:
        """Mark ``claim``'s job failed with ``reason``; False when it is no longer its own."""
        now = _now()
        with Session(self._engine) as session, session.begin():
            return _apply(
                session,
                _running(claim.job_id, claim.attempt).values(
                    status="failed", error=reason, request={}, finished_at=now, updated_at=now
                ),
            )

    def cancel(self, job_id: str, scope: Scope = EVERYTHING) -> Job:
        """Cancel a queued or running job (a cancelled one stays so); the job afterwards. A
        running search is not interrupted, but its plan is never stored.

        Raises
        ------
        NotFoundError
            If there is no such job in ``scope``.
        JobFinishedError
            If the job has already succeeded or failed.
        """
        now = _now()
        with Session(self._engine) as session, session.begin():
            _apply(
                session,
                update(JobRecord)
                .where(
                    JobRecord.id == job_id,
                    JobRecord.status.in_(("queued", "running")),
                    scope.job_filter(),
                )
                .values(
                    status="cancelled", phase=None, request={}, finished_at=now, updated_at=now
                ),
            )
        job = self.get(job_id, scope)
        if job.status != "cancelled":
            raise JobFinishedError(job)
        return job

    def reap(self, policy: JobPolicy, job_id: str | None = None) -> list[str]:
        """Deal with running jobs whose worker was lost (their lease expired), all or just
        ``job_id``: each goes back to the queue if it has attempts left, else fails with the
        reason. Returns the ids put back in the queue, for the caller to hand to a worker."""
        now = _now()
        query = select(JobRecord).where(JobRecord.status == "running", _lease_expired(now))
        if job_id is not None:
            query = query.where(JobRecord.id == job_id)
        with Session(self._engine) as session:
            lost = list(session.scalars(query))
        requeued = []
        for record in lost:
            change = _running(record.id, record.attempts).where(_lease_expired(now))
            if record.attempts >= policy.max_attempts:
                change = change.values(
                    status="failed",
                    request={},
                    error=_lost_reason(record, now, policy),
                    finished_at=now,
                    updated_at=now,
                )
            else:
                change = change.values(
                    status="queued",
                    phase=None,
                    progress=0.0,
                    lease_expires_at=None,
                    updated_at=now,
                )
            with Session(self._engine) as session, session.begin():
                if _apply(session, change) and record.attempts < policy.max_attempts:
                    requeued.append(record.id)
        return requeued

    def abandon(self, job_id: str, reason: str) -> None:
        """Fail a queued job that could not be handed to any worker."""
        now = _now()
        with Session(self._engine) as session, session.begin():
            _apply(
                session,
                update(JobRecord)
                .where(JobRecord.id == job_id, JobRecord.status == "queued")
                .values(status="failed", error=reason, request={}, finished_at=now, updated_at=now),
            )


def _running(job_id: str, attempt: int) -> Update:
    """An update of the job only while it runs under ``attempt``."""
    return update(JobRecord).where(
        JobRecord.id == job_id, JobRecord.status == "running", JobRecord.attempts == attempt
    )


def _apply(session: Session, statement: Update) -> bool:
    """Run a conditional update of one job; whether it changed the job."""
    # No syncing of loaded rows: the caller does not read them after (and SQLite hands back
    # naive instants that cannot be compared in Python with the aware ones written).
    result = cast(
        CursorResult[Any],
        session.execute(statement, execution_options={"synchronize_session": False}),
    )
    return result.rowcount == 1


def _lease_expired(now: dt.datetime) -> ColumnElement[bool]:
    return JobRecord.lease_expires_at < now


def _expired(record: JobRecord, now: dt.datetime) -> bool:
    lease = record.lease_expires_at
    return lease is None or as_utc(lease) < now


def _lost_reason(record: JobRecord, now: dt.datetime, policy: JobPolicy) -> str:
    beat = record.heartbeat_at
    silent = f"no heartbeat for {(now - as_utc(beat)).total_seconds():.0f} s" if beat else ""
    return (
        f"worker lost: attempt {record.attempts} of {policy.max_attempts} stopped without "
        f"finishing ({silent or 'no heartbeat'})"
    )


def _plan_audit(
    session: Session, claim: Claim, request: PlanRequest, response: PlanResponse, now: dt.datetime
) -> AuditRecord:
    """The audit entry of the plan run, made by the user who asked for the job."""
    user = session.get(UserRecord, claim.created_by) if claim.created_by else None
    return AuditRecord(
        at=now,
        actor_id=claim.created_by,
        actor_name=user.username if user else None,
        actor_role=user.role if user else None,
        action="plan.create",
        target=f"plan {response.plan_id}",
        outcome="ok",
        client=None,
        details={"cases": len(request.cases), "agents": len(request.agents), "job": claim.job_id},
    )


def _job(record: JobRecord) -> Job:
    def instant(value: dt.datetime | None) -> dt.datetime | None:
        return as_utc(value) if value is not None else None

    return Job(
        id=record.id,
        kind=record.kind,  # type: ignore[arg-type]
        status=record.status,  # type: ignore[arg-type]
        team=record.team,
        created_by=record.created_by,
        phase=record.phase,  # type: ignore[arg-type]
        progress=record.progress,
        best_cost_so_far=record.best_cost_so_far,
        attempts=record.attempts,
        error=record.error,
        plan_id=record.plan_id,
        created_at=as_utc(record.created_at),
        updated_at=as_utc(record.updated_at),
        started_at=instant(record.started_at),
        finished_at=instant(record.finished_at),
        heartbeat_at=instant(record.heartbeat_at),
    )
