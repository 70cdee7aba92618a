"""Background plans on the embedded (in-process) backend, through the API: 202 and a job,
its progress to a stored plan, cancelling, failing with the reason, scope; and the job
store's guarantees when workers are lost (run again, or failed; never a plan of a run that
lost the job)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import JobRecord, PlanRecord, create_db_engine, migrate
from app.jobs import Claim, JobPolicy, JobStore
from app.main import create_app
from app.schemas import PlanRequest, PlanResponse
from tests.auth import admin_client, new_user
from tests.jobs import wait_for_job

LOST_AT_ONCE = JobPolicy(max_attempts=2, heartbeat_s=0.1, stale_after_s=0.0)
"""A policy under which every lease has expired as soon as it is given: a lost worker."""


def _body(sample_request: dict[str, Any], cases: int = 6, **options: Any) -> dict[str, Any]:
    return sample_request | {
        "cases": sample_request["cases"][:cases],
        "options": {"time_limit_seconds": 1, "include_geometry": False} | options,
    }


def _stored_request(settings: Settings, job_id: str) -> dict[str, Any]:
    """The request the job keeps in the database."""
    engine = create_db_engine(settings.database_url)
    try:
        with Session(engine) as session:
            record = session.get(JobRecord, job_id)
            assert record is not None
            return record.request
    finally:
        engine.dispose()


def _plan_count(settings: Settings) -> int:
    engine = create_db_engine(settings.database_url)
    try:
        with Session(engine) as session:
            return session.scalar(select(func.count()).select_from(PlanRecord)) or 0
    finally:
        engine.dispose()


def test_an_async_plan_is_a_job_that_ends_in_a_stored_plan(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    """ "async": true answers 202 with the job at once; the job goes queued -> running ->
    succeeded, its progress only grows, and its plan reads back with the cost it reported."""
    body = _body(sample_request) | {"async": True}
    answer = client.post("/plan", json=body)
    assert answer.status_code == 202, answer.text
    accepted = answer.json()
    assert accepted["status"] == "queued"
    assert accepted["status_url"] == f"/jobs/{accepted['job_id']}"
    assert answer.headers["location"] == accepted["status_url"]

    seen: list[dict[str, Any]] = []
    job = wait_for_job(client, accepted["job_id"], seen=seen)
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 1
    assert job["error"] is None
    assert job["progress"] == 1.0
    progress = [s["progress"] for s in seen]
    assert progress == sorted(progress)
    assert job["plan_url"] == f"/plans/{job['plan_id']}"
    plan = client.get(job["plan_url"]).json()
    assert plan["plan_id"] == job["plan_id"]
    assert plan["summary"]["cases"] == len(body["cases"])
    assert job["best_cost_so_far"] == plan["summary"]["total_cost"]
    log = client.get("/audit", params={"limit": 50}).json()
    actions = {entry["action"]: entry for entry in log}
    assert actions["job.create"]["target"] == f"job {job['job_id']}"
    assert actions["plan.create"]["target"] == f"plan {job['plan_id']}"
    assert actions["plan.create"]["details"]["job"] == job["job_id"]


def test_progress_and_phase_are_reported_while_the_search_runs(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    body = _body(sample_request, cases=10, time_limit_seconds=3) | {"async": True}
    job_id = client.post("/plan", json=body).json()["job_id"]
    solving = wait_for_job(client, job_id, until=lambda j: j["phase"] == "solving")
    assert solving["status"] == "running"
    assert solving["heartbeat_at"] is not None
    assert 0.1 <= solving["progress"] < 1
    assert wait_for_job(client, job_id)["status"] == "succeeded"


def test_a_plan_above_the_threshold_is_solved_in_the_background(
    settings: Settings, sample_request: dict[str, Any]
) -> None:
    with admin_client(create_app(settings.model_copy(update={"async_above_cases": 4}))) as client:
        assert client.post("/plan", json=_body(sample_request, cases=4)).status_code == 200
        answer = client.post("/plan", json=_body(sample_request, cases=5))
        assert answer.status_code == 202
        assert wait_for_job(client, answer.json()["job_id"])["status"] == "succeeded"


def test_async_keeps_its_json_name(client: TestClient, sample_request: dict[str, Any]) -> None:
    """The field is "async" (a Python keyword inside); its Python name is an unknown field."""
    answer = client.post("/plan", json=_body(sample_request) | {"async_": True})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "async_"]
    assert client.post("/plan", json=_body(sample_request) | {"async": 1}).status_code == 422


def test_both_answers_of_post_plan_are_documented(client: TestClient) -> None:
    responses = client.get("/openapi.json").json()["paths"]["/plan"]["post"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/PlanResponse"
    )
    assert responses["202"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/JobAcceptedOut"
    )


def test_fields_that_need_no_solving_are_refused_before_queueing(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    body = _body(sample_request) | {"async": True, "region": "atlantis"}
    answer = client.post("/plan", json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "region"]


def test_a_job_whose_request_cannot_be_planned_fails_with_the_reason(
    client: TestClient, settings: Settings, sample_request: dict[str, Any]
) -> None:
    """An agent's start that is not on the map is found only while planning: the job fails,
    naming the field, and no plan is stored."""
    body = _body(sample_request) | {"async": True}
    body["agents"] = [
        body["agents"][0] | {"start": {"address": "Nirgendwostrasse 9, 9490 Vaduz"}},
        *body["agents"][1:],
    ]
    job = wait_for_job(client, client.post("/plan", json=body).json()["job_id"])
    assert job["status"] == "failed"
    assert job["error"].startswith("agents/0/start/address: ")
    assert job["plan_id"] is None
    assert _plan_count(settings) == 0


def test_cancel_a_queued_and_a_running_job(
    client: TestClient, settings: Settings, sample_request: dict[str, Any]
) -> None:
    """One worker thread: the first job runs while the second waits. Cancelled, the waiting
    one never runs, and the running one's plan is never stored."""
    running = client.post(
        "/plan", json=_body(sample_request, time_limit_seconds=2) | {"async": True}
    ).json()["job_id"]
    waiting = client.post("/plan", json=_body(sample_request) | {"async": True}).json()["job_id"]
    last = client.post("/plan", json=_body(sample_request) | {"async": True}).json()["job_id"]
    wait_for_job(client, running, until=lambda j: j["status"] == "running")
    for job_id in (waiting, running):
        answer = client.post(f"/jobs/{job_id}/cancel")
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "cancelled"
    assert client.post(f"/jobs/{waiting}/cancel").json()["status"] == "cancelled"  # again
    finished = wait_for_job(client, last)  # runs after the other two are over
    assert finished["status"] == "succeeded"
    for job_id in (waiting, running):
        job = client.get(f"/jobs/{job_id}").json()
        assert (job["status"], job["plan_id"]) == ("cancelled", None)
    assert client.get(f"/jobs/{waiting}").json()["attempts"] == 0
    assert _plan_count(settings) == 1
    for job_id in (waiting, running, last):  # over: the personal data goes
        assert _stored_request(settings, job_id) == {}
    assert client.post(f"/jobs/{last}/cancel").status_code == 409
    log = client.get("/audit", params={"action": "job.cancel"}).json()
    assert {entry["target"] for entry in log} == {f"job {waiting}", f"job {running}"}


def test_jobs_are_their_team_s(client: TestClient, sample_request: dict[str, Any]) -> None:
    """Another team's planner meets 404 (audited), an agent 403; an auditor reads but may not
    cancel."""
    planner = new_user(client, "planner", team="vaduz")
    body = _body(sample_request) | {"async": True}
    job_id = client.post("/plan", json=body, headers=planner).json()["job_id"]
    job = wait_for_job(client, job_id, headers=planner)
    assert job["status"] == "succeeded"
    other = new_user(client, "planner", team="schaan")
    assert client.get(f"/jobs/{job_id}", headers=other).status_code == 404
    assert client.post(f"/jobs/{job_id}/cancel", headers=other).status_code == 404
    assert client.get(f"/plans/{job['plan_id']}", headers=planner).status_code == 200
    assert client.get(f"/plans/{job['plan_id']}", headers=other).status_code == 404
    agent = new_user(client, "agent", team="vaduz", agent_id="A-1")
    assert client.get(f"/jobs/{job_id}", headers=agent).status_code == 403
    auditor = new_user(client, "auditor")
    assert client.get(f"/jobs/{job_id}", headers=auditor).status_code == 200
    assert client.post(f"/jobs/{job_id}/cancel", headers=auditor).status_code == 403
    assert client.get("/jobs/no-such-job").status_code == 404
    denied = client.get("/audit", params={"outcome": "denied", "action": "access.not_found"})
    assert f"GET /jobs/{job_id}" in {entry["target"] for entry in denied.json()}


# -- lost workers -------------------------------------------------------------------------


@pytest.fixture
def jobs(settings: Settings) -> Iterator[JobStore]:
    engine = create_db_engine(settings.database_url)
    migrate(engine)
    yield JobStore(engine)
    engine.dispose()


def _request(sample_request: dict[str, Any]) -> dict[str, Any]:
    return PlanRequest.model_validate(_body(sample_request)).model_dump(mode="json", by_alias=True)


def _response(sample_request: dict[str, Any], plan_id: str) -> PlanResponse:
    """A made-up answer: storing it is what is under test, not planning."""
    return PlanResponse.model_validate(
        {
            "plan_id": plan_id,
            "date": sample_request["date"],
            "region": "liechtenstein",
            "timezone": "Europe/Vaduz",
            "itineraries": [],
            "unassigned": [],
            "summary": {
                "cases": 0,
                "assigned": 0,
                "unassigned": 0,
                "agents": 0,
                "agents_used": 0,
                "total_travel_seconds": 0,
                "total_distance_meters": 0,
                "total_service_seconds": 0,
                "total_wait_seconds": 0,
                "total_cost": 12.5,
                "lost_value": 0.0,
                "expected_recovery": 0.0,
                "recovery_per_cost": None,
            },
            "compliance": {"profiles": [], "excluded": [], "cases_checked": 0, "conduct": []},
            "history_effects": [],
        }
    )


def test_a_job_whose_worker_was_lost_runs_again_and_the_lost_run_stores_nothing(
    jobs: JobStore, settings: Settings, sample_request: dict[str, Any]
) -> None:
    request = _request(sample_request)
    job = jobs.create("plan", request, "vaduz", None)
    first = jobs.claim(job.id, LOST_AT_ONCE)
    assert isinstance(first, Claim)
    assert first.attempt == 1
    time.sleep(0.01)
    assert jobs.reap(LOST_AT_ONCE) == [job.id]  # back in the queue
    assert jobs.get(job.id).status == "queued"
    second = jobs.claim(job.id, LOST_AT_ONCE)
    assert isinstance(second, Claim)
    assert second.attempt == 2
    # The first run was only slow, not dead: it is fenced off.
    assert not jobs.beat(first, 60.0, phase="solving", progress=0.5)
    parsed = PlanRequest.model_validate(request)
    assert not jobs.succeed(first, parsed, _response(sample_request, "p-first"))
    assert _plan_count(settings) == 0
    assert jobs.beat(second, 60.0, phase="solving", progress=0.5)
    assert jobs.succeed(second, parsed, _response(sample_request, "p-second"))
    done = jobs.get(job.id)
    assert (done.status, done.plan_id, done.attempts) == ("succeeded", "p-second", 2)
    assert done.best_cost_so_far == 12.5
    assert _plan_count(settings) == 1
    assert _stored_request(settings, job.id) == {}
    assert jobs.claim(job.id, LOST_AT_ONCE) == "finished"  # a message delivered again


def test_a_job_lost_on_its_last_attempt_fails_with_worker_lost(
    jobs: JobStore, settings: Settings, sample_request: dict[str, Any]
) -> None:
    policy = JobPolicy(max_attempts=1, heartbeat_s=0.1, stale_after_s=0.0)
    job = jobs.create("plan", _request(sample_request), None, None)
    claim = jobs.claim(job.id, policy)
    assert isinstance(claim, Claim)
    time.sleep(0.01)
    assert jobs.reap(policy) == []
    failed = jobs.get(job.id)
    assert failed.status == "failed"
    assert failed.error is not None
    assert failed.error.startswith("worker lost: attempt 1 of 1 stopped without finishing")
    assert not jobs.fail(claim, "too late")
    assert jobs.get(job.id).error == failed.error
    assert _stored_request(settings, job.id) == {}


def test_a_delivered_again_job_is_not_run_twice_while_its_worker_lives(
    jobs: JobStore, sample_request: dict[str, Any]
) -> None:
    """A second delivery meets a fresh lease: busy (Celery retries it later); once the lease
    has expired, the second delivery takes the job over; past the last attempt it fails it."""
    alive = JobPolicy(max_attempts=2, heartbeat_s=1.0, stale_after_s=60.0)
    job = jobs.create("plan", _request(sample_request), None, None)
    assert isinstance(jobs.claim(job.id, alive), Claim)
    assert jobs.claim(job.id, alive) == "busy"
    assert jobs.reap(alive) == []
    lost = JobPolicy(max_attempts=2, heartbeat_s=0.1, stale_after_s=0.0)
    other = jobs.create("plan", _request(sample_request), None, None)
    assert isinstance(jobs.claim(other.id, lost), Claim)
    time.sleep(0.01)
    taken = jobs.claim(other.id, lost)
    assert isinstance(taken, Claim)
    assert taken.attempt == 2
    time.sleep(0.01)
    assert jobs.claim(other.id, lost) == "exhausted"
    assert jobs.get(other.id).status == "failed"
    assert jobs.claim("no-such-job", lost) == "missing"


def test_jobs_left_by_a_stopped_server_run_at_its_next_start(
    settings: Settings, jobs: JobStore, sample_request: dict[str, Any]
) -> None:
    """In-process jobs die with their process: the next start runs the queued ones and the
    ones whose worker thread was lost (after their lease)."""
    queued = jobs.create("plan", _request(sample_request), None, None)
    orphan = jobs.create("plan", _request(sample_request), None, None)
    assert isinstance(jobs.claim(orphan.id, LOST_AT_ONCE), Claim)
    time.sleep(0.01)
    with admin_client(create_app(settings)) as client:
        for job_id in (queued.id, orphan.id):
            job = wait_for_job(client, job_id)
            assert job["status"] == "succeeded", job
        assert client.get(f"/jobs/{orphan.id}").json()["attempts"] == 2
