"""Who runs background jobs: threads of the API process (the embedded default: nothing else
to start), or Celery workers fed through a broker. Either is handed job ids only; the job's
state lives in the database."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from celery import Celery

from app.jobs.celery_app import PLAN_TASK
from app.jobs.runner import PlanJobRunner

logger = logging.getLogger(__name__)


class JobQueueError(Exception):
    """A job could not be handed to any worker (the broker cannot be reached)."""


class Executor(Protocol):
    """Runs jobs by id, somewhere."""

    def submit(self, job_id: str) -> None:
        """Have the job run.

        Raises
        ------
        JobQueueError
            If it cannot be handed over.
        """

    def close(self) -> None:
        """Stop taking jobs; let the ones running finish."""


class InProcessExecutor:
    """Runs jobs in a pool of threads of this process. A job queued here when the process
    stops is still queued in the database, and is handed out again at the next start."""

    def __init__(self, runner: PlanJobRunner, workers: int) -> None:
        self._runner = runner
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="doorstep-job")

    def submit(self, job_id: str) -> None:
        try:
            self._pool.submit(self._run, job_id)
        except RuntimeError as exc:  # shut down
            raise JobQueueError(str(exc)) from exc

    def _run(self, job_id: str) -> None:
        try:
            self._runner.run(job_id)
        except Exception:  # the runner fails the job itself; this is the database gone
            logger.exception("job %s could not be run", job_id)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class CeleryExecutor:
    """Sends jobs to Celery workers (`doorstep worker`) through the broker."""

    def __init__(self, celery: Celery, queue: str) -> None:
        self._celery = celery
        self._queue = queue

    def submit(self, job_id: str) -> None:
        try:
            self._celery.send_task(PLAN_TASK, args=[job_id], queue=self._queue)
        except Exception as exc:  # kombu's OperationalError and the transport's own errors
            logger.warning("job %s not queued: %s", job_id, exc)
            msg = "the job queue cannot be reached"
            raise JobQueueError(msg) from exc

    def close(self) -> None:
        self._celery.close()
