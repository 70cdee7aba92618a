"""Running one plan job, wherever it runs (a thread of the API or a Celery worker): claim it,
plan with a heartbeat that records the phase and progress, then store the plan and mark the
job succeeded in one transaction, or fail it with the reason."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

from app.errors import PlanInputError
from app.jobs.model import Claim, JobPhase, JobPolicy, Refusal
from app.jobs.store import JobStore
from app.planner import Planner
from app.schemas import PlanRequest

logger = logging.getLogger(__name__)

RunOutcome = Literal["succeeded", "failed", "superseded"] | Refusal
"""How a run ended: the job succeeded or failed here; it stopped being this run's (cancelled,
or taken over after this worker was thought lost), so nothing was stored; or it was not run
(:data:`app.jobs.model.Refusal`)."""

_SPANS: dict[JobPhase, tuple[float, float]] = {
    "preparing": (0.0, 0.1),
    "solving": (0.1, 0.95),
    "storing": (0.95, 0.95),
}
"""The share of the progress (0..1) each phase covers; within a phase of known length,
progress is the time elapsed over that length."""


AFTER_SEARCH_S = 3.0
"""Time a plan takes after its search's time limit: repairing and explaining what is left
out (up to 2 s in the solver) and presenting the plan."""


class _JobLostError(Exception):
    """The job is no longer this run's: stop before the next phase."""


@dataclass(frozen=True)
class PlanJobRunner:
    """Runs plan jobs: what a worker, of either kind, calls with a job id."""

    jobs: JobStore
    planner: Planner
    policy: JobPolicy

    def run(self, job_id: str) -> RunOutcome:
        """Run the job ``job_id`` if it is this worker's to run; how it ended. Never raises
        for a problem of the job itself: that fails the job, with the reason."""
        claim = self.jobs.claim(job_id, self.policy)
        if isinstance(claim, str):
            logger.info("job %s not run: %s", job_id, claim)
            return claim
        logger.info("job %s: attempt %d started", job_id, claim.attempt)
        with Heartbeat(self.jobs, claim, self.policy) as beat:
            try:
                request = PlanRequest.model_validate(claim.request)
                response = self.planner.plan(request, on_phase=beat.phase)
                beat.phase("storing", None, best_cost=response.summary.total_cost)
            except _JobLostError:
                return self._superseded(claim)
            except PlanInputError as exc:
                where = "/".join(str(part) for part in exc.loc)
                return self._fail(claim, f"{where}: {exc.message}")
            except Exception:  # a bug, not the request: the log has it, the job its id
                error_id = uuid.uuid4().hex
                logger.exception("job %s: internal error %s", job_id, error_id)
                return self._fail(claim, f"internal error {error_id}")
            if not self.jobs.succeed(claim, request, response):
                return self._superseded(claim)
        logger.info("job %s: plan %s stored", job_id, response.plan_id)
        return "succeeded"

    def _fail(self, claim: Claim, reason: str) -> RunOutcome:
        if self.jobs.fail(claim, reason):
            # The reason may quote the request: it goes to the job, not to the log.
            logger.info("job %s failed", claim.job_id)
            return "failed"
        return self._superseded(claim)

    @staticmethod
    def _superseded(claim: Claim) -> RunOutcome:
        logger.info("job %s: attempt %d no longer holds it", claim.job_id, claim.attempt)
        return "superseded"


class Heartbeat:
    """Records, while a job runs, that its worker is alive, its phase and its progress: at
    each phase and every ``policy.heartbeat_s`` in between, from a thread of its own. Each
    beat renews the job's lease for ``policy.stale_after_s``, and during a phase of known
    length for what is left of it too: a search in OR-Tools holds the interpreter (and so
    this thread) until its time limit."""

    def __init__(self, jobs: JobStore, claim: Claim, policy: JobPolicy) -> None:
        self._jobs = jobs
        self._claim = claim
        self._policy = policy
        self._lock = threading.Lock()
        self._phase: JobPhase = "preparing"
        self._phase_started = time.monotonic()
        self._expected_s: float | None = None
        self._best_cost: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"heartbeat-{claim.job_id[:8]}", daemon=True
        )
        self.lost = False
        """Whether the job stopped being this run's (cancelled or taken over)."""

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def phase(
        self, phase: JobPhase, expected_s: float | None, *, best_cost: float | None = None
    ) -> None:
        """A phase starts (expected to take ``expected_s``, when known).

        Raises
        ------
        _JobLostError
            If the job is no longer this run's: the run stops here.
        """
        with self._lock:
            self._phase = phase
            self._phase_started = time.monotonic()
            self._expected_s = expected_s
            if best_cost is not None:
                self._best_cost = best_cost
        self._beat()
        if self.lost:
            raise _JobLostError

    def progress(self) -> float:
        """How far the job is, 0..1, by its phase and the time spent in it."""
        with self._lock:
            start, end = _SPANS[self._phase]
            if not self._expected_s:
                return start
            share = (time.monotonic() - self._phase_started) / self._expected_s
            return start + (end - start) * min(1.0, share)

    def lease_s(self) -> float:
        """How long the job stays this run's without another beat."""
        with self._lock:
            if not self._expected_s:
                return self._policy.stale_after_s
            left = self._expected_s + AFTER_SEARCH_S - (time.monotonic() - self._phase_started)
            return self._policy.stale_after_s + max(0.0, left)

    def _beat(self) -> None:
        progress, lease_s = self.progress(), self.lease_s()
        with self._lock:
            phase, best_cost = self._phase, self._best_cost
        try:
            ours = self._jobs.beat(
                self._claim, lease_s, phase=phase, progress=progress, best_cost=best_cost
            )
        except Exception:  # the database may come back: the next beat tries again
            logger.warning("job %s: heartbeat not recorded", self._claim.job_id, exc_info=True)
            return
        if not ours:
            self.lost = True

    def _loop(self) -> None:
        while not self._stop.wait(self._policy.heartbeat_s):
            self._beat()
