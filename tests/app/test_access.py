"""Who may do what: every role against every endpoint (a table), object-level scope (another
team's plan, another agent's day answer 404), and the audit of refusals."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.jobs import JobService
from app.main import create_app
from tests.auth import admin_client, new_user
from tests.conftest import DATA_DIR
from tests.databases import database_for_test

pytestmark = pytest.mark.storage  # scripts/test.sh runs these on PostgreSQL too

ROLES = ("anonymous", "admin", "planner", "other_planner", "agent", "other_agent", "auditor")
PLAN_DATE = "2026-11-18"

OPEN_OPERATIONS = {("GET", "/healthz"), ("GET", "/readyz"), ("POST", "/auth/token")}
"""API operations anyone may call: liveness, readiness and sign-in. (The pages' empty shells
and the API docs are open too, outside the schema.) Every other operation of the schema must
have a row in ACCESS below (test_every_operation_is_in_the_table)."""


@dataclass
class World:
    """An app with one team's published plan and a caller of every role."""

    client: TestClient
    headers: dict[str, dict[str, str]]
    plan: dict[str, Any]
    agent_id: str
    other_agent_id: str
    visit_id: str
    case_id: str
    spare_user_id: str
    admin_token_id: str
    job_id: str
    waiting_job_id: str
    replayable_plan_id: str
    """A plan of other case ids, which the data-subject erasure leaves intact (an erased
    case's plans can no longer be made again)."""
    ids: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(regions_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    var = tmp_path_factory.mktemp("access")
    with (
        database_for_test(var) as database_url,
        admin_client(
            create_app(
                Settings(
                    data_dir=DATA_DIR,
                    var_dir=var,
                    regions_dir=regions_dir,
                    database_url=database_url,
                    solver_workers=1,
                    rate_limit="100000/minute",
                    failed_access_rate_limit="100000/minute",
                )
            )
        ) as client,
    ):
        planner = new_user(client, "planner", team="vaduz")
        body = _small_plan()
        plan = client.post("/plan", json=body, headers=planner).json()
        client.post(f"/plans/{plan['plan_id']}/publish", headers=planner)
        agent_id, other_agent_id = (i["agent_id"] for i in plan["itineraries"][:2])
        stop = plan["itineraries"][0]["stops"][0]
        spare = client.post(
            "/users",
            json={"username": "spare", "password": "p" * 12, "role": "auditor"},
        ).json()
        token = client.post("/auth/tokens", json={"name": "spare"}).json()
        job = client.post("/plan", json=body | {"async": True}, headers=planner).json()
        other_ids = [case | {"id": f"K-{case['id']}"} for case in body["cases"]]
        replayable = client.post("/plan", json=body | {"cases": other_ids}, headers=planner).json()
        # Queued and never handed to a worker: there to be cancelled.
        jobs: JobService = client.app.state.jobs  # type: ignore[attr-defined]
        waiting = jobs.jobs.create("plan", {}, "vaduz", None)
        yield World(
            client=client,
            headers={
                "anonymous": {"Authorization": ""},
                "admin": dict(client.headers),
                "planner": planner,
                "other_planner": new_user(client, "planner", team="schaan"),
                "agent": new_user(client, "agent", team="vaduz", agent_id=agent_id),
                "other_agent": new_user(client, "agent", team="vaduz", agent_id=other_agent_id),
                "auditor": new_user(client, "auditor"),
            },
            plan=plan,
            agent_id=agent_id,
            other_agent_id=other_agent_id,
            visit_id=stop["visit_id"],
            case_id=stop["case_id"],
            spare_user_id=spare["id"],
            admin_token_id=token["id"],
            job_id=job["job_id"],
            waiting_job_id=waiting.id,
            replayable_plan_id=replayable["plan_id"],
        )


def _small_plan() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((DATA_DIR / "samples" / "plan-request.json").read_text())
    body["date"] = PLAN_DATE
    body["cases"] = body["cases"][:8]
    body["options"] = {"time_limit_seconds": 1}
    return body


Call = Callable[[World, dict[str, str]], httpx2.Response]


def _get(path: str, **params: str) -> Call:
    return lambda w, h: w.client.get(path.format(**_ids(w)), params=params, headers=h)


def _post(path: str, body: Callable[[World], Any] | None = None) -> Call:
    return lambda w, h: w.client.post(
        path.format(**_ids(w)), json=body(w) if body else None, headers=h
    )


def _ids(w: World) -> dict[str, str]:
    return {
        "plan": w.plan["plan_id"],
        "agent": w.agent_id,
        "visit": w.visit_id,
        "case": w.case_id,
        "spare": w.spare_user_id,
        "token": w.admin_token_id,
        "job": w.job_id,
        "waiting_job": w.waiting_job_id,
        "replayable_plan": w.replayable_plan_id,
    }


def _other_case(w: World) -> str:
    """A case of the world's plan outside the agent's day (``w.agent_id``, whose stops the
    other tests compare): the admin's erasure in the table cuts it out of the plan."""
    case_id: str = next(
        stop["case_id"]
        for itinerary in w.plan["itineraries"]
        if itinerary["agent_id"] != w.agent_id
        for stop in itinerary["stops"]
    )
    return case_id


def _upload(path: str, filename: str, content: bytes) -> Call:
    return lambda w, h: w.client.post(path, files={"file": (filename, content)}, headers=h)


def _region_upload(w: World, h: dict[str, str]) -> httpx2.Response:
    files = {"extract": ("x.osm.pbf", b"not an extract", "application/octet-stream")}
    return w.client.post("/regions", data={"name": "x"}, files=files, headers=h)


OUTCOME = {"outcome": "not_home", "occurred_at": f"{PLAN_DATE}T10:00:00+01:00"}
EVERYONE = (200, 200, 200, 200, 200, 200)
#: Per endpoint: how to call it and the status each role gets, in the order of ROLES after
#: "anonymous" (who always gets 401). 403: the role may not; 404: out of the caller's scope.
ACCESS: dict[tuple[str, str], tuple[Call, tuple[int, ...]]] = {
    ("POST", "/plan"): (
        _post("/plan", lambda _: _small_plan() | {"options": {"time_limit_seconds": 0.2}}),
        (200, 200, 200, 403, 403, 403),
    ),
    ("GET", "/plans/{plan_id}"): (_get("/plans/{plan}"), (200, 200, 404, 403, 403, 200)),
    ("GET", "/jobs/{job_id}"): (_get("/jobs/{job}"), (200, 200, 404, 403, 403, 200)),
    ("POST", "/jobs/{job_id}/cancel"): (
        _post("/jobs/{waiting_job}/cancel"),
        (200, 200, 404, 403, 403, 403),
    ),
    ("POST", "/plans/{plan_id}/evaluate"): (
        _post("/plans/{plan}/evaluate", lambda _: {"routes": []}),
        (200, 200, 404, 403, 403, 403),
    ),
    ("POST", "/plans/{plan_id}/replan"): (
        _post("/plans/{plan}/replan", lambda _: {"now": f"{PLAN_DATE}T12:00:00+01:00"}),
        (200, 200, 404, 403, 403, 403),
    ),
    ("POST", "/plans/{plan_id}/insert"): (
        _post(
            "/plans/{plan}/insert",
            lambda _: {"case": {"id": "URGENT-1", "location": {"lat": 47.14, "lon": 9.52}}},
        ),
        (200, 200, 404, 403, 403, 403),
    ),
    ("POST", "/plans/{plan_id}/replay"): (
        _post("/plans/{replayable_plan}/replay"),
        (200, 200, 404, 403, 403, 200),
    ),
    ("POST", "/plans/{plan_id}/publish"): (
        _post("/plans/{plan}/publish"),
        (200, 200, 404, 403, 403, 403),
    ),
    ("GET", "/plans/{plan_id}/itineraries/{agent_id}.csv"): (
        _get("/plans/{plan}/itineraries/{agent}.csv"),
        (200, 200, 404, 200, 404, 200),
    ),
    ("GET", "/plans/{plan_id}/itineraries/{agent_id}.ics"): (
        _get("/plans/{plan}/itineraries/{agent}.ics"),
        (200, 200, 404, 200, 404, 200),
    ),
    ("GET", "/plans/{plan_id}/itineraries/{agent_id}/print"): (
        _get("/plans/{plan}/itineraries/{agent}/print"),
        (200, 200, 404, 200, 404, 200),
    ),
    ("GET", "/itinerary/{agent_id}"): (
        _get("/itinerary/{agent}", date=PLAN_DATE),
        (200, 200, 404, 200, 404, 200),
    ),
    ("POST", "/visits/{visit_id}/outcome"): (
        _post("/visits/{visit}/outcome", lambda _: OUTCOME),
        (201, 201, 404, 201, 404, 403),
    ),
    ("GET", "/cases/{case_id}/history"): (
        _get("/cases/{case}/history"),
        (200, 200, 404, 403, 403, 200),
    ),
    ("GET", "/review/addresses"): (_get("/review/addresses"), (200, 200, 200, 403, 403, 200)),
    ("POST", "/geocode"): (
        _post("/geocode", lambda _: {"addresses": ["Städtle 43, 9490 Vaduz"]}),
        (200, 200, 200, 403, 403, 403),
    ),
    ("POST", "/reverse-geocode"): (
        _post("/reverse-geocode", lambda _: {"points": [{"lat": 47.138, "lon": 9.523}]}),
        (200, 200, 200, 403, 403, 403),
    ),
    ("POST", "/imports/table"): (
        _upload("/imports/table", "cases.csv", b"id,address\nC-1,x\n"),
        (200, 200, 200, 403, 403, 403),
    ),
    ("GET", "/regions"): (_get("/regions"), EVERYONE),
    ("GET", "/regions/{name}"): (_get("/regions/liechtenstein"), EVERYONE),
    ("GET", "/regions/{name}/roads"): (_get("/regions/liechtenstein/roads"), EVERYONE),
    ("POST", "/regions"): (_region_upload, (422, 403, 403, 403, 403, 403)),
    ("GET", "/compliance/profiles"): (_get("/compliance/profiles"), EVERYONE),
    ("GET", "/compliance/profiles/{profile_id}"): (
        _get("/compliance/profiles/LI-POLICY"),
        EVERYONE,
    ),
    ("POST", "/compliance/profiles"): (
        _post("/compliance/profiles", lambda _: {}),
        (422, 403, 403, 403, 403, 403),
    ),
    ("GET", "/auth/me"): (_get("/auth/me"), EVERYONE),
    ("POST", "/auth/tokens"): (
        _post("/auth/tokens", lambda _: {"name": "t"}),
        (201, 201, 201, 201, 201, 201),
    ),
    ("GET", "/auth/tokens"): (_get("/auth/tokens"), EVERYONE),
    ("DELETE", "/auth/tokens/{token_id}"): (
        lambda w, h: w.client.delete(f"/auth/tokens/{w.admin_token_id}", headers=h),
        (200, 404, 404, 404, 404, 404),
    ),
    ("GET", "/users"): (_get("/users"), (200, 403, 403, 403, 403, 403)),
    ("POST", "/users"): (
        _post(
            "/users",
            lambda _: {"username": uuid.uuid4().hex, "password": "p" * 12, "role": "auditor"},
        ),
        (201, 403, 403, 403, 403, 403),
    ),
    ("PATCH", "/users/{user_id}"): (
        lambda w, h: w.client.patch(f"/users/{w.spare_user_id}", json={"active": True}, headers=h),
        (200, 403, 403, 403, 403, 403),
    ),
    ("GET", "/audit"): (_get("/audit"), (200, 403, 403, 403, 403, 200)),
    ("GET", "/data-subjects/{case_id}"): (
        _get("/data-subjects/{case}"),
        (200, 403, 403, 403, 403, 403),
    ),
    ("DELETE", "/data-subjects/{case_id}"): (
        lambda w, h: w.client.delete(f"/data-subjects/{_other_case(w)}", headers=h),
        (200, 403, 403, 403, 403, 403),
    ),
    # Or the scrape token, DOORSTEP_METRICS_TOKEN: tests/app/test_metrics.py.
    ("GET", "/metrics"): (_get("/metrics"), (200, 403, 403, 403, 403, 200)),
}


def test_every_operation_is_in_the_table(world: World) -> None:
    """A new endpoint fails here until its access is decided and tested."""
    paths = world.client.get("/openapi.json").json()["paths"]
    operations = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert operations - OPEN_OPERATIONS == set(ACCESS)


@pytest.mark.parametrize("endpoint", sorted(ACCESS), ids=" ".join)
def test_each_role_gets_what_the_table_says(world: World, endpoint: tuple[str, str]) -> None:
    call, statuses = ACCESS[endpoint]
    got = {role: call(world, world.headers[role]).status_code for role in ROLES}
    assert got == dict(zip(ROLES, (401, *statuses), strict=True))


def test_an_agent_sees_only_their_own_stops(world: World) -> None:
    own = world.client.get(
        f"/itinerary/{world.agent_id}", params={"date": PLAN_DATE}, headers=world.headers["agent"]
    ).json()
    planned = next(i for i in world.plan["itineraries"] if i["agent_id"] == world.agent_id)
    assert [s["visit_id"] for s in own["stops"]] == [s["visit_id"] for s in planned["stops"]]


def test_an_agent_sees_no_draft(world: World) -> None:
    """Until a planner publishes a plan, its agents do not see it."""
    planner = world.headers["planner"]
    draft = world.client.post(
        "/plan", json=_small_plan() | {"date": "2026-11-19"}, headers=planner
    ).json()
    agent_id = draft["itineraries"][0]["agent_id"]
    agent = new_user(world.client, "agent", team="vaduz", agent_id=agent_id)
    path = f"/itinerary/{agent_id}"
    assert world.client.get(path, params={"date": "2026-11-19"}, headers=agent).status_code == 404
    world.client.post(f"/plans/{draft['plan_id']}/publish", headers=planner)
    assert world.client.get(path, params={"date": "2026-11-19"}, headers=agent).status_code == 200


def test_another_team_never_sees_the_address_review_queue(world: World) -> None:
    visit = world.visit_id
    moved = OUTCOME | {"outcome": "moved"}
    world.client.post(f"/visits/{visit}/outcome", json=moved, headers=world.headers["planner"])
    case_ids = {
        role: {r["case_id"] for r in world.client.get("/review/addresses", headers=h).json()}
        for role, h in world.headers.items()
        if role in ("planner", "other_planner", "auditor")
    }
    assert case_ids == {
        "planner": {world.case_id},
        "other_planner": set(),
        "auditor": {world.case_id},
    }


def test_refusals_are_in_the_audit_log(world: World) -> None:
    headers = world.headers
    world.client.get(f"/plans/{world.plan['plan_id']}", headers=headers["other_planner"])
    world.client.get("/users", headers=headers["agent"])
    world.client.get("/users", headers={"Authorization": "Bearer dsp_forged_secret"})
    log = world.client.get("/audit", params={"outcome": "denied", "limit": 1000}).json()
    seen = {(e["action"], e["actor_role"], e["target"]) for e in log}
    plan_path = f"GET /plans/{world.plan['plan_id']}"
    assert ("access.not_found", "planner", plan_path) in seen
    assert ("access.forbidden", "agent", "GET /users") in seen
    assert ("access.unauthenticated", None, "GET /users") in seen
