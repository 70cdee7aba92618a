"""Compliance profiles through the API, and plans that fail closed."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.auth import admin_client, new_user

pytestmark = pytest.mark.storage  # scripts/test.sh runs these on PostgreSQL too

PROFILES_DIR = Path(__file__).resolve().parents[2] / "data" / "compliance"
AGENT = {
    "id": "A-1",
    "start": {"address": "Städtle 43, 9490 Vaduz"},
    "shift": {"start": "08:00", "end": "19:00"},
}
CASE = {"id": "C-1", "address": "Am Widagraba 7, 9490 Vaduz", "service_minutes": 20}


@pytest.fixture
def admin(client: TestClient) -> TestClient:
    """The client signed in as an admin: the only role that may add profiles."""
    return client


def shipped(profile_id: str) -> dict[str, Any]:
    body: dict[str, Any] = tomllib.loads(
        (PROFILES_DIR / f"{profile_id.lower()}.toml").read_text("utf-8")
    )
    return body


def as_json(profile: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(profile)
    for key in ("effective_from", "effective_to"):
        if key in out:
            out[key] = out[key].isoformat()
    return out


def plan_body(**fields: Any) -> dict[str, Any]:
    return {
        "date": "2026-11-18",
        "cases": [CASE],
        "agents": [AGENT],
        "options": {"time_limit_seconds": 1, "include_geometry": False},
    } | fields


def test_shipped_profiles_are_listed_with_their_sources(client: TestClient) -> None:
    profiles = client.get("/compliance/profiles").json()
    ids = {p["id"] for p in profiles}
    assert ids >= {"US-FDCPA", "US-MA", "IN-RBI", "CN-CBA", "GB-FCA", "IE-CCA", "LI-POLICY"}
    for profile in profiles:
        assert all(rule["source"] and rule["certainty"] in "HMLP" for rule in profile["rules"])
    (us,) = client.get("/compliance/profiles/US-FDCPA").json()
    assert us["jurisdiction"] == "US"
    assert client.get("/compliance/profiles/XX-NONE").status_code == 404


def test_admin_adds_a_newer_version_and_plans_use_it_from_its_date(admin: TestClient) -> None:
    """A version 2 of LI-POLICY that closes at 12:00 from 2026-11-18: a plan of that day
    applies it (and says so), a plan of the day before still applies version 1."""
    newer = as_json(shipped("LI-POLICY")) | {"version": 2, "effective_from": "2026-11-18"}
    hours = next(r for r in newer["rules"] if r["kind"] == "allowed_hours")
    weekdays = ["mon", "tue", "wed", "thu", "fri"]
    hours["windows"] = [{"days": weekdays, "start": "08:00", "end": "12:00"}]
    planner = new_user(admin, "planner", team="vaduz")
    assert admin.post("/compliance/profiles", json=newer, headers=planner).status_code == 403
    assert admin.post("/compliance/profiles", json=newer).status_code == 201
    assert admin.post("/compliance/profiles", json=newer).status_code == 409
    versions = admin.get("/compliance/profiles/LI-POLICY").json()
    assert [v["version"] for v in versions] == [1, 2]

    afternoon = CASE | {"time_windows": [{"start": "13:00", "end": "16:00"}]}
    under_v2 = admin.post("/plan", json=plan_body(cases=[afternoon])).json()
    assert [(p["id"], p["version"]) for p in under_v2["compliance"]["profiles"]] == [
        ("LI-POLICY", 2)
    ]
    (excluded,) = under_v2["compliance"]["excluded"]
    assert (excluded["rule_id"], excluded["profile_version"]) == (hours["id"], 2)
    under_v1 = admin.post("/plan", json=plan_body(date="2026-11-17", cases=[afternoon])).json()
    assert under_v1["compliance"]["profiles"][0]["version"] == 1
    assert under_v1["unassigned"] == []


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"rules": []}, ["body", "rules"]),
        ({"id": "lower-case"}, ["body", "id"]),
        ({"effective_to": "2020-01-01"}, ["body"]),
        ({"jurisdiction": "Liechtenstein"}, ["body", "jurisdiction"]),
    ],
)
def test_bad_profiles_are_422_naming_the_field(
    admin: TestClient, change: dict[str, Any], loc: list[str]
) -> None:
    body = as_json(shipped("LI-POLICY")) | {"version": 5} | change
    response = admin.post("/compliance/profiles", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_a_rule_with_an_unknown_kind_or_field_is_refused(admin: TestClient) -> None:
    body = as_json(shipped("LI-POLICY")) | {"version": 5}
    unknown_kind = {"id": "X", "kind": "moon_phase", "source": "s", "certainty": "P"}
    body["rules"] = [*body["rules"], unknown_kind]
    assert admin.post("/compliance/profiles", json=body).status_code == 422
    unknown_field = {"id": "X", "kind": "min_staff", "source": "s", "certainty": "P"}
    body["rules"][-1] = unknown_field | {"staff": 2, "colour": "red"}
    assert admin.post("/compliance/profiles", json=body).status_code == 422


@pytest.mark.parametrize(
    ("fields", "loc", "words"),
    [
        ({"compliance_profiles": ["XX-NOPE"]}, ["body", "compliance_profiles", 0], "unknown"),
        (
            {"cases": [CASE | {"compliance_profiles": ["CN-CBA"]}], "date": "2026-01-05"},
            ["body", "cases", 0, "compliance_profiles", 0],
            "not in effect",
        ),
        (
            {"cases": [{"id": "SEA", "location": {"lat": 0.0, "lon": -30.0}}]},
            ["body", "cases", 0, "location"],
            "time zone",
        ),
    ],
)
def test_plans_fail_closed(
    client: TestClient, fields: dict[str, Any], loc: list[Any], words: str
) -> None:
    """An unknown profile, one not in effect on the date, or a place with no known time
    zone: the plan is refused, naming the field, never planned without its rules."""
    response = client.post("/plan", json=plan_body(**fields))
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == loc
    assert words in error["msg"]


def test_a_region_without_profiles_needs_the_plan_or_case_to_name_one(
    settings: Settings,
) -> None:
    with admin_client(create_app(settings.model_copy(update={"region_profiles": {}}))) as client:
        refused = client.post("/plan", json=plan_body())
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "compliance_profiles"]
        two_cases = [CASE, CASE | {"id": "C-2", "compliance_profiles": ["US-FDCPA"]}]
        partly = client.post("/plan", json=plan_body(cases=two_cases))
        assert partly.status_code == 422
        assert partly.json()["detail"][0]["loc"] == ["body", "cases", 0, "compliance_profiles"]
        named = client.post("/plan", json=plan_body(compliance_profiles=["GB-FCA"]))
        assert named.status_code == 200
        (profile,) = named.json()["compliance"]["profiles"]
        assert profile["id"] == "GB-FCA"


def test_profiles_combine_to_the_strictest(client: TestClient) -> None:
    """LI-POLICY (08:00-20:00) with IN-RBI (08:00-19:00): a window 19:00-19:45 is outside
    the intersection, and IN-RBI's rule is the one named."""
    late = CASE | {"time_windows": [{"start": "19:00", "end": "19:45"}]}
    agent = AGENT | {"shift": {"start": "08:00", "end": "21:00"}}
    alone = client.post("/plan", json=plan_body(cases=[late], agents=[agent])).json()
    assert alone["unassigned"] == []
    both = client.post(
        "/plan", json=plan_body(cases=[late], agents=[agent], compliance_profiles=["IN-RBI"])
    ).json()
    (entry,) = both["unassigned"]
    assert (entry["reason"], entry["profile_id"], entry["rule_id"]) == (
        "compliance",
        "IN-RBI",
        "IN-2",
    )
    assert {p["id"] for p in both["compliance"]["profiles"]} == {"LI-POLICY", "IN-RBI"}
    # The agents' checklist gathers both profiles' conduct items.
    checklist = set(both["compliance"]["conduct"])
    for profile_id in ("LI-POLICY", "IN-RBI"):
        conduct = [r for r in shipped(profile_id)["rules"] if r["kind"] == "conduct"]
        assert {item for rule in conduct for item in rule["items"]} <= checklist
