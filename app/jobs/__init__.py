"""Background jobs: plans solved apart from the request that asked for them, by threads of
the API process or by Celery workers, with their state, progress and outcome in the
database (:mod:`app.jobs.store`)."""

from app.jobs.executors import CeleryExecutor, Executor, InProcessExecutor, JobQueueError
from app.jobs.model import FINISHED, Claim, Job, JobKind, JobPhase, JobPolicy, JobStatus
from app.jobs.runner import PlanJobRunner
from app.jobs.service import JobService
from app.jobs.store import JobFinishedError, JobStore

__all__ = [
    "FINISHED",
    "CeleryExecutor",
    "Claim",
    "Executor",
    "InProcessExecutor",
    "Job",
    "JobFinishedError",
    "JobKind",
    "JobPhase",
    "JobPolicy",
    "JobQueueError",
    "JobService",
    "JobStatus",
    "JobStore",
    "PlanJobRunner",
]
