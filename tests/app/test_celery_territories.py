"""A split plan's territories solved on real Celery workers (`doorstep worker` processes on
the local Redis): the answer says which worker solved each territory; with no worker there,
the planning process solves them itself and the plan still comes."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

import pytest

from app.main import create_app
from tests.app.test_celery_jobs import Setup, broker, replace_env, setup, worker
from tests.auth import admin_client
from tests.feasibility import plan_violations

pytestmark = [pytest.mark.celery, pytest.mark.postgres]
__all__ = ["broker", "setup"]  # fixtures

SPLIT = {
    "territories_on": "celery",
    "split_above_cases": 20,
    "territory_cases": 10,
    "territory_workers": 2,
    "territory_pickup_seconds": 3.0,
    "job_backend": "inprocess",  # POST /plan answers the plan itself
}


def split_setup(setup: Setup) -> Setup:
    queue = f"{setup.settings.celery_queue}-territories"
    settings = setup.settings.model_copy(update=SPLIT | {"celery_territory_queue": queue})
    return replace_env(
        Setup(settings, setup.worker_env, setup.logs), {"DOORSTEP_CELERY_TERRITORY_QUEUE": queue}
    )


def wait_until_ready(setup: Setup, name: str, timeout_s: float = 120) -> None:
    """Wait for the worker's log to say it is ready (it loads the region first)."""
    log = setup.logs / f"{name}.log"
    deadline = time.monotonic() + timeout_s
    while "ready." not in (log.read_text(errors="replace") if log.exists() else ""):
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.2)


def plan_split(setup: Setup, body: dict[str, Any]) -> dict[str, Any]:
    with admin_client(create_app(setup.settings)) as client:
        answer = client.post("/plan", json=body)
    assert answer.status_code == 200, answer.text
    plan: dict[str, Any] = answer.json()
    assert plan_violations(body, plan) == []
    split = plan["split"]
    assert split is not None
    assert len(split["territories"]) >= 3
    routed = {c for t in split["territories"] for c in t["case_ids"]}
    assert routed == {c["id"] for c in body["cases"]} - {
        u["case_id"] for u in plan["unassigned"] if u["reason"] in ("ungeocodable", "unroutable")
    }
    assert plan["run"]["search"] is None  # solved in parallel against the clock
    return plan


def test_the_territories_are_solved_on_the_workers(
    setup: Setup, sample_request: dict[str, Any]
) -> None:
    setup = split_setup(setup)
    body = sample_request | {"options": {"time_limit_seconds": 4, "include_geometry": False}}
    with worker(setup, "territories") as process:
        wait_until_ready(setup, "territories")
        plan = plan_split(setup, body)
    solved_by = {t["solved_by"] for t in plan["split"]["territories"]}
    assert solved_by == {f"{socket.gethostname()}:{process.pid}"}


def test_without_workers_the_planning_process_solves_them(
    setup: Setup, sample_request: dict[str, Any]
) -> None:
    setup = split_setup(setup)
    body = sample_request | {"options": {"time_limit_seconds": 4, "include_geometry": False}}
    plan = plan_split(setup, body)
    solved_by = {t["solved_by"] for t in plan["split"]["territories"]}
    assert solved_by == {f"{socket.gethostname()}:{os.getpid()}"}
