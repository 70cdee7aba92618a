"""Background jobs as the API sees them: queue one, read one (after checking that its worker
is alive), cancel one, and a reaper that puts back or fails the jobs of lost workers, at
start and then periodically, so that no job stays running for ever."""

from __future__ import annotations

import logging
import threading
from typing import Any

from app.auth import Principal
from app.jobs.executors import Executor, JobQueueError
from app.jobs.model import Job, JobKind, JobPolicy
from app.jobs.store import JobStore
from app.scope import Scope

logger = logging.getLogger(__name__)


class JobService:
    """Jobs of the app: stored in ``jobs``, run by ``executor`` under ``policy``."""

    def __init__(
        self, jobs: JobStore, executor: Executor, policy: JobPolicy, reap_interval_s: float
    ) -> None:
        self.jobs = jobs
        self._executor = executor
        self._policy = policy
        self._reap_interval_s = reap_interval_s
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    def submit(self, kind: JobKind, request: dict[str, Any], principal: Principal) -> Job:
        """Queue a job of the caller's team and hand it to a worker.

        Raises
        ------
        JobQueueError
            If no worker can be reached (the job is then failed, with that reason).
        """
        job = self.jobs.create(kind, request, principal.team, principal.user_id)
        try:
            self._executor.submit(job.id)
        except JobQueueError as exc:
            self.jobs.abandon(job.id, str(exc))
            raise
        return job

    def get(self, job_id: str, scope: Scope) -> Job:
        """The job, once a lost worker's hold on it has been dealt with.

        Raises
        ------
        NotFoundError
            If there is no such job in ``scope``.
        """
        self.jobs.get(job_id, scope)  # out of scope: nothing is touched
        self._resubmit(self.jobs.reap(self._policy, job_id))
        return self.jobs.get(job_id, scope)

    def start(self, *, resubmit_queued: bool) -> None:
        """Reap now and then every ``reap_interval_s``; with ``resubmit_queued``, hand the
        queued jobs to the executor again (an in-process queue died with its process)."""
        self.reap()
        if resubmit_queued:
            self._resubmit(self.jobs.queued())
        self._reaper = threading.Thread(target=self._reap_loop, name="job-reaper", daemon=True)
        self._reaper.start()

    def stop(self) -> None:
        """Stop reaping and let the executor finish the jobs it runs."""
        self._stop.set()
        if self._reaper is not None:
            self._reaper.join()
        self._executor.close()

    def reap(self) -> None:
        """Put back (or fail) every job whose worker was lost."""
        self._resubmit(self.jobs.reap(self._policy))

    def _resubmit(self, job_ids: list[str]) -> None:
        for job_id in job_ids:
            try:
                self._executor.submit(job_id)
            except JobQueueError as exc:
                self.jobs.abandon(job_id, str(exc))

    def _reap_loop(self) -> None:
        while not self._stop.wait(self._reap_interval_s):
            try:
                self.reap()
            except Exception:  # the database may come back: the next round tries again
                logger.warning("reaping jobs failed", exc_info=True)
