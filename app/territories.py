"""A split plan's territories solved on Celery workers (DOORSTEP_TERRITORIES_ON=celery):
each territory or pair search goes out as a task of JSON text (:mod:`solver.wire`) on its
own queue, and its outcome comes back through the result backend.

A plan never waits on workers that are not there: a territory no worker has taken within
``territory_pickup_seconds`` is taken back and solved by the planning process itself, and so
is one whose worker fails or does not answer in its time (it is logged).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from celery import Celery
from celery.result import AsyncResult

import solver
from app.config import Settings
from solver import wire

TERRITORY_TASK = "doorstep.territory"
"""The task that solves one part; its one argument is a :class:`solver.PartJob` as text."""

RESULT_MARGIN_S = 30.0
"""Wait this much longer than a part's time limit for its worker's answer."""

POLL_S = 0.05

logger = logging.getLogger(__name__)


def solve_part_text(job: str) -> str:
    """What the territory task does: the outcome of the part, as text."""
    return wire.dumps(solver.run_part(wire.loads(job)))


class CeleryTerritoryExecutor(Executor):
    """Hands :func:`solver.run_part` calls to Celery workers (see the module docstring)."""

    def __init__(self, celery: Celery, queue: str, pickup_s: float) -> None:
        self._celery = celery
        self._queue = queue
        self._pickup_s = pickup_s
        self._waiters = ThreadPoolExecutor(max_workers=64, thread_name_prefix="doorstep-part")

    def submit(  # type: ignore[override]  # only solver.run_part(job) goes out
        self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> Future[solver.PartOutcome]:
        if fn is not solver.run_part or kwargs or len(args) != 1:
            msg = "only solver.run_part(job) is solved on the territory workers"
            raise TypeError(msg)
        job: solver.PartJob = args[0]
        return self._waiters.submit(self._solve, job)

    def _solve(self, job: solver.PartJob) -> solver.PartOutcome:
        try:
            sent: AsyncResult[str] = self._celery.send_task(
                TERRITORY_TASK, args=[wire.dumps(job)], queue=self._queue
            )
        except Exception as exc:  # the broker is down: Kombu raises many kinds
            logger.warning("territory not sent (%s): solved here", exc)
            return solver.run_part(job)
        try:
            return self._outcome(sent, job)
        finally:
            sent.forget()

    def _outcome(self, sent: AsyncResult[str], job: solver.PartJob) -> solver.PartOutcome:
        taken_by = time.monotonic() + self._pickup_s
        while sent.state == "PENDING":
            if time.monotonic() > taken_by:
                sent.revoke()
                logger.warning(
                    "no worker took territory task %s in %.0f s: solved here",
                    sent.id,
                    self._pickup_s,
                )
                return solver.run_part(job)
            time.sleep(POLL_S)
        wait_s = job.params.time_limit_s + job.params.explain_time_limit_s + RESULT_MARGIN_S
        try:
            outcome = wire.loads(sent.get(timeout=wait_s))
        except Exception as exc:  # the worker failed or died; Celery raises many kinds
            logger.warning("territory task %s failed (%s): solved here", sent.id, exc)
            return solver.run_part(job)
        if not isinstance(outcome, solver.PartOutcome):
            logger.warning("territory task %s answered something else: solved here", sent.id)
            return solver.run_part(job)
        return outcome


def territory_executor(settings: Settings) -> Executor | None:
    """Where the settings have split plans' territories solved: Celery workers, or None for
    processes of the planning process."""
    if settings.territories_on != "celery":
        return None
    return _celery_executor(
        settings.celery_broker_url,
        settings.celery_territory_queue,
        settings.territory_pickup_seconds,
    )


@lru_cache(maxsize=8)
def _celery_executor(broker_url: str, queue: str, pickup_s: float) -> CeleryTerritoryExecutor:
    celery = Celery("doorstep-territories", broker=broker_url, backend=broker_url)
    celery.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=3600,
        broker_connection_timeout=5,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_max": 1},
    )
    return CeleryTerritoryExecutor(celery, queue, pickup_s)
