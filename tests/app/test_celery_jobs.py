"""Background plans on real Celery workers (`doorstep worker` processes) over the local Redis
and PostgreSQL: a job runs to a stored plan, and a worker killed with SIGKILL in the middle
of a search leaves its job run again to success, or failed with the reason: never running
for ever, never a plan half stored or stored twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import PlanRecord, create_db_engine
from app.jobs import JobStore
from app.main import create_app
from tests.auth import admin_client
from tests.conftest import DATA_DIR
from tests.jobs import FINISHED, wait_for_job

pytestmark = [pytest.mark.celery, pytest.mark.postgres]

POSTGRES_URL = os.environ.get("DOORSTEP_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("DOORSTEP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRED = "DOORSTEP_TEST_REDIS_URL" in os.environ
"""scripts/test.sh names the Redis server: then it must be there (CI runs these tests)."""

HEARTBEAT_S = 0.5
STALE_AFTER_S = 4.0
VISIBILITY_S = 3.0
SEARCH_S = 6.0
"""The search of the job killed mid-way: long enough to be killed in it."""


@pytest.fixture
def broker() -> Iterator[tuple[str, str]]:
    """The Redis URL and a queue of this test alone (emptied afterwards)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if REQUIRED:
            raise
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    queue = f"doorstep-test-{uuid.uuid4().hex[:12]}"
    try:
        yield REDIS_URL, queue
    finally:
        _forget_queue(client, queue)
        client.close()


def _unacked(client: redis.Redis, queue: str) -> list[str]:
    """Tags of the queue's messages taken by a worker and not acknowledged."""
    tags = []
    for tag, raw in client.hscan_iter("unacked"):
        try:
            _, _, routing_key = json.loads(raw)
        except ValueError:
            continue
        if routing_key == queue:
            tags.append(tag.decode() if isinstance(tag, bytes) else str(tag))
    return tags


def _forget_queue(client: redis.Redis, queue: str) -> None:
    """Remove the queue, its binding and any message of it a killed worker left
    unacknowledged."""
    client.delete(queue, f"_kombu.binding.{queue}")
    for tag in _unacked(client, queue):
        client.hdel("unacked", tag)
        client.zrem("unacked_index", tag)


def _wait_until_drained(setup: Setup, timeout_s: float) -> None:
    """Wait until the broker holds no message of the test's queue, waiting or taken."""
    queue = setup.settings.celery_queue
    client = redis.Redis.from_url(setup.settings.celery_broker_url)
    deadline = time.monotonic() + timeout_s
    try:
        while client.llen(queue) or _unacked(client, queue):
            assert time.monotonic() < deadline, "messages left in the broker"
            time.sleep(0.2)
    finally:
        client.close()


@dataclass
class Setup:
    """A test's API settings and the environment of its workers."""

    settings: Settings
    worker_env: dict[str, str]
    logs: Path


@pytest.fixture
def setup(settings: Settings, postgres_url: str, broker: tuple[str, str], tmp_path: Path) -> Setup:
    broker_url, queue = broker
    shared = {
        "database_url": postgres_url,
        "job_backend": "celery",
        "celery_broker_url": broker_url,
        "celery_queue": queue,
        "celery_visibility_timeout_seconds": VISIBILITY_S,
        "job_heartbeat_seconds": HEARTBEAT_S,
        "job_stale_after_seconds": STALE_AFTER_S,
    }
    env = {f"DOORSTEP_{name.upper()}": str(value) for name, value in shared.items()} | {
        "DOORSTEP_DATA_DIR": str(DATA_DIR),
        "DOORSTEP_VAR_DIR": str(settings.var_dir),
        "DOORSTEP_REGIONS_DIR": str(settings.regions_dir),
        "DOORSTEP_SOLVER_WORKERS": "1",
    }
    return Setup(settings.model_copy(update=shared), env, tmp_path)


@contextmanager
def worker(setup: Setup, name: str) -> Iterator[subprocess.Popen[bytes]]:
    """A `doorstep worker` process (in a session of its own, to be killed whole), stopped at
    the end of the block if it still runs; its log is shown if the test fails."""
    log = setup.logs / f"{name}.log"
    env = {**os.environ, **setup.worker_env}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", f"--hostname={name}-{uuid.uuid4().hex}@%h"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and everything it started."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _logs(setup: Setup) -> str:
    return "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-6000:]}"
        for log in sorted(setup.logs.glob("*.log"))
    )


def _body(sample_request: dict[str, Any], search_s: float) -> dict[str, Any]:
    return sample_request | {
        "cases": sample_request["cases"][:10],
        "options": {"time_limit_seconds": search_s, "include_geometry": False},
        "async": True,
    }


def _plans(setup: Setup) -> list[str]:
    engine = create_db_engine(setup.settings.database_url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(PlanRecord.id)))
    finally:
        engine.dispose()


def _wait_in_db(setup: Setup, job_id: str, until: Callable[[str], bool], timeout_s: float) -> str:
    """Poll the job's status in the database (not through the API, which would reap a lost
    job itself) until ``until`` holds."""
    engine = create_db_engine(setup.settings.database_url)
    jobs = JobStore(engine)
    deadline = time.monotonic() + timeout_s
    try:
        while not until(status := jobs.get(job_id).status):
            assert time.monotonic() < deadline, f"job still {status}"
            time.sleep(0.2)
        return status
    finally:
        engine.dispose()


def test_a_celery_worker_runs_a_job_to_a_stored_plan(
    setup: Setup, sample_request: dict[str, Any]
) -> None:
    with admin_client(create_app(setup.settings)) as client, worker(setup, "worker"):
        answer = client.post("/plan", json=_body(sample_request, 1))
        assert answer.status_code == 202, answer.text
        job = wait_for_job(client, answer.json()["job_id"], timeout_s=90)
        assert job["status"] == "succeeded", (job, _logs(setup))
        assert job["attempts"] == 1
        plan = client.get(f"/plans/{job['plan_id']}")
        assert plan.status_code == 200
        assert plan.json()["summary"]["total_cost"] == job["best_cost_so_far"]
    assert _plans(setup) == [job["plan_id"]]


def _running_then_killed(client: TestClient, setup: Setup, job_id: str) -> None:
    """Run a worker until it is in the middle of the job's search, then SIGKILL it."""
    with worker(setup, "doomed") as doomed:
        job = wait_for_job(
            client,
            job_id,
            until=lambda j: j["phase"] == "solving" or j["status"] in FINISHED,
            timeout_s=90,
        )
        assert job["status"] == "running", (job, _logs(setup))
        time.sleep(1.0)  # well inside the search
        _kill(doomed)
    assert _plans(setup) == []


def test_a_job_whose_worker_is_killed_is_delivered_again_and_succeeds(
    setup: Setup, sample_request: dict[str, Any]
) -> None:
    """Redis hands the unacknowledged message out again; the new worker takes the job over
    once the dead one's lease has expired, and stores exactly one plan. The API's reaper is
    kept out of it (it would put the job back itself)."""
    quiet = setup.settings.model_copy(update={"job_reap_interval_seconds": 3600.0})
    with admin_client(create_app(quiet)) as client:
        job_id = client.post("/plan", json=_body(sample_request, SEARCH_S)).json()["job_id"]
        _running_then_killed(client, setup, job_id)
        with worker(setup, "rescuer"):
            _wait_in_db(setup, job_id, lambda status: status in FINISHED, timeout_s=90)
        job = client.get(f"/jobs/{job_id}").json()
    assert (job["status"], job["attempts"], job["error"]) == ("succeeded", 2, None), (
        job,
        _logs(setup),
    )
    assert _plans(setup) == [job["plan_id"]]


def test_a_job_killed_on_its_last_attempt_fails_with_the_reason(
    setup: Setup, sample_request: dict[str, Any]
) -> None:
    """With one attempt allowed, the lost job fails with 'worker lost' (the API's reaper or
    the next worker, whichever comes first), and the message delivered again does not bring
    it back: no plan."""
    last = {"DOORSTEP_JOB_MAX_ATTEMPTS": "1"}
    once = setup.settings.model_copy(
        update={"job_max_attempts": 1, "job_reap_interval_seconds": 0.5}
    )
    with admin_client(create_app(once)) as client:
        job_id = client.post("/plan", json=_body(sample_request, SEARCH_S)).json()["job_id"]
        _running_then_killed(client, replace_env(setup, last), job_id)
        with worker(replace_env(setup, last), "rescuer"):
            job = wait_for_job(client, job_id, timeout_s=90)
            _wait_until_drained(setup, timeout_s=60)  # the message came back, and went
            assert client.get(f"/jobs/{job_id}").json() == job
    assert (job["status"], job["attempts"], job["plan_id"]) == ("failed", 1, None), (
        job,
        _logs(setup),
    )
    assert job["error"].startswith("worker lost: attempt 1 of 1 stopped without finishing")
    assert _plans(setup) == []


def replace_env(setup: Setup, env: dict[str, str]) -> Setup:
    """``setup`` with more worker environment."""
    return Setup(setup.settings, setup.worker_env | env, setup.logs)
