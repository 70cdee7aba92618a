"""Background jobs: where a plan solved in the background stands, and cancelling it."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status

from app.access import PlannerRole, ReaderRole, ScopeDep, audit
from app.deps import JobServiceDep
from app.errors import ErrorOut
from app.job_schemas import JobOut
from app.jobs import JobFinishedError

router = APIRouter(tags=["jobs"])


@router.get("/jobs/{job_id}", responses={404: {"model": ErrorOut, "description": "No such job."}})
def read_job(job_id: str, _: ReaderRole, scope: ScopeDep, jobs: JobServiceDep) -> JobOut:
    """Where a background job stands: its status, phase, progress, the best cost found so
    far, its attempts, and once it is over the plan it made (`plan_id`, read with `GET
    /plans/{plan_id}`) or why it failed (`error`). A job whose worker was lost is run again
    or failed with the reason before it is answered. Jobs hold no personal data: reads are
    not audited."""
    return JobOut.of(jobs.get(job_id, scope))


@router.post(
    "/jobs/{job_id}/cancel",
    responses={
        404: {"model": ErrorOut, "description": "No such job."},
        409: {"model": ErrorOut, "description": "The job has already succeeded or failed."},
    },
)
def cancel_job(
    request: Request, job_id: str, principal: PlannerRole, scope: ScopeDep, jobs: JobServiceDep
) -> JobOut:
    """Cancel a queued or running job (cancelling a cancelled job changes nothing). A search
    already running is not cut short, but its plan is never stored."""
    try:
        job = jobs.jobs.cancel(job_id, scope)
    except JobFinishedError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    audit(request, principal, "job.cancel", f"job {job_id}")
    return JobOut.of(job)
