"""Replaying a stored plan through the API: the same itineraries, whatever was recorded
since; refused, saying why, when the inputs have changed."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.app.test_compliance_api import as_json, shipped

pytestmark = pytest.mark.storage  # scripts/test.sh runs these on PostgreSQL too


def without_visit_ids(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The itineraries, their stops' visit ids blanked (they name stored visits)."""
    itineraries: list[dict[str, Any]] = copy.deepcopy(plan["itineraries"])
    for itinerary in itineraries:
        for stop in itinerary["stops"]:
            stop["visit_id"] = None
    return itineraries


def test_replay_gives_the_identical_plan_even_after_outcomes_are_recorded(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    plan = client.post("/plan", json=sample_request).json()
    run = plan["run"]
    assert run["seed"] == 0
    assert run["search"]
    assert all(stage["steps"] > 0 for stage in run["search"])
    assert "ortools" in run["solver_version"]
    assert "pyvrp" in run["solver_version"]
    assert len(run["inputs_sha256"]) == len(run["matrix_sha256"]) == 64

    # A payment recorded after the plan was made: a new plan holds the case back; the
    # replay reads the history as it was and makes the stored plan again.
    stop = plan["itineraries"][0]["stops"][0]
    paid = {"outcome": "paid", "amount": 500, "occurred_at": "2026-11-29T09:00:00+01:00"}
    assert client.post(f"/visits/{stop['visit_id']}/outcome", json=paid).status_code in (200, 201)
    again = client.post("/plan", json=sample_request).json()
    assert any(u["case_id"] == stop["case_id"] for u in again["unassigned"])

    answer = client.post(f"/plans/{plan['plan_id']}/replay")
    assert answer.status_code == 200, answer.text
    replay = answer.json()
    assert replay["identical"] is True
    assert replay["differences"] == []
    assert without_visit_ids(replay["replayed"]) == without_visit_ids(plan)
    assert replay["replayed"]["unassigned"] == plan["unassigned"]
    assert replay["replayed"]["summary"] == plan["summary"]
    assert replay["replayed"]["run"] == run


def test_replay_is_refused_when_the_rules_changed_since(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    plan = client.post("/plan", json=sample_request).json()
    newer = as_json(shipped("LI-POLICY")) | {"version": 2, "effective_from": sample_request["date"]}
    hours = next(r for r in newer["rules"] if r["kind"] == "allowed_hours")
    hours["windows"] = [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "12:00"}
    ]
    assert client.post("/compliance/profiles", json=newer).status_code == 201
    answer = client.post(f"/plans/{plan['plan_id']}/replay")
    assert answer.status_code == 409
    assert "inputs differ" in answer.json()["detail"]
    assert client.post("/plans/no-such-plan/replay").status_code == 404
