"""The Celery app of background plans: its settings, made so that a job survives the death
of its worker, and the plan task. `doorstep worker` runs a worker of it; so does
``celery -A app.jobs.celery_app worker`` (the app is made from the environment on first
use, not at import).

Reliability: a worker acknowledges a job's message only once the job is over
(``task_acks_late``), also when the process running it died (``task_reject_on_worker_lost``
puts the message back), and takes one message at a time (``worker_prefetch_multiplier``).
A worker killed outright leaves its message unacknowledged in Redis, which hands it out
again after the visibility timeout. The database decides whether a delivered job runs
(:meth:`app.jobs.store.JobStore.claim`): a finished job is not run again, a job another live
worker holds is retried later, and a job whose worker was lost is run again until its
attempts are used up, then failed with the reason.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from celery import Celery, Task

import geo
from app.compliance import ProfileLibrary, load_profile_files
from app.config import Settings, get_settings
from app.db import create_db_engine
from app.jobs.model import JobPolicy
from app.jobs.runner import PlanJobRunner
from app.jobs.store import JobStore
from app.outcome_store import OutcomeStore
from app.planner import Planner
from app.regions import RegionRegistry
from app.territories import TERRITORY_TASK, solve_part_text

PLAN_TASK = "doorstep.plan"
"""The task that runs a plan job; its one argument is the job id."""

INFRA_RETRY_S = 10.0
INFRA_RETRIES = 60
"""A job that cannot be run because the database cannot be reached is tried again every
``INFRA_RETRY_S`` seconds, this many times (10 minutes)."""

logger = logging.getLogger(__name__)


class DoorstepCelery(Celery):
    """A Celery app that knows the runner of its worker process."""

    runners: _WorkerRunners


def create_celery(settings: Settings) -> DoorstepCelery:
    """The Celery app on the settings' broker and queue, with the plan task."""
    celery = DoorstepCelery(
        "doorstep",
        broker=settings.celery_broker_url,
        backend=settings.celery_broker_url,  # territories' outcomes (app/territories.py)
        set_as_current=False,
    )
    visibility_s = settings.celery_visibility_timeout_seconds
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=settings.celery_queue,
        task_ignore_result=True,  # a job's state and result live in the database
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=5,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 1,
        },
        broker_transport_options={
            "visibility_timeout": visibility_s,
            # Look for messages of lost workers often enough for the timeout to matter.
            "unacked_restore_interval": min(10.0, max(1.0, visibility_s / 4)),
            "unacked_restore_throttle": 1,
        },
        worker_hijack_root_logger=False,
    )
    runners = _WorkerRunners(settings)
    policy = JobPolicy.from_settings(settings)

    @celery.task(name=PLAN_TASK, bind=True, max_retries=None)
    def plan(task: Task[Any, Any], job_id: str) -> str:
        try:
            outcome = runners.get().run(job_id)
        except Exception as exc:  # the database, not the job (the runner fails those)
            logger.warning("job %s: will try again: %s", job_id, exc)
            raise task.retry(exc=exc, countdown=INFRA_RETRY_S, max_retries=INFRA_RETRIES) from exc
        if outcome == "busy":  # another live worker holds it: look again once it may be lost
            raise task.retry(countdown=max(1.0, policy.stale_after_s / 2))
        return outcome

    @celery.task(name=TERRITORY_TASK, ignore_result=False, track_started=True)
    def territory(job: str) -> str:
        return solve_part_text(job)

    celery.runners = runners
    return celery


class _WorkerRunners:
    """The runner of this worker process, made on first use: regions are loaded once (and
    shared with forked pool processes), database connections are made per process."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._registry: RegionRegistry | None = None
        self._matrix_cache = geo.MatrixCache()
        self._runner: PlanJobRunner | None = None
        self._pid: int | None = None

    def get(self) -> PlanJobRunner:
        """This process's runner."""
        with self._lock:
            if self._runner is None or self._pid != os.getpid():
                self._runner = self._make()
                self._pid = os.getpid()
            return self._runner

    def preload(self) -> None:
        """Load the default region now, not on the first job."""
        self.get().planner.registry.get(None)

    def _make(self) -> PlanJobRunner:
        settings = self._settings
        if self._registry is None:
            self._registry = RegionRegistry.from_settings(settings)
        engine = create_db_engine(settings.database_url)
        planner = Planner(
            settings=settings,
            registry=self._registry,
            profiles=ProfileLibrary(engine, load_profile_files(settings.compliance_dir)),
            outcomes=OutcomeStore(engine),
            matrix_cache=self._matrix_cache,
            geocoder=settings.external_geocoder(),
        )
        return PlanJobRunner(JobStore(engine), planner, JobPolicy.from_settings(settings))


def __getattr__(name: str) -> DoorstepCelery:
    # `celery -A app.jobs.celery_app` asks for `app`: made from the environment then.
    if name == "app":
        return create_celery(get_settings())
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
