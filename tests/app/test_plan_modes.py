"""Plans with several travel modes, time-of-day speeds, and what geocoding tells the planner."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.auth import admin_client
from tests.feasibility import plan_violations

VADUZ_OFFICE = {"lat": 47.1381, "lon": 9.5224}


def _one_agent_plan(cases: list[dict[str, Any]], **agent: Any) -> dict[str, Any]:
    return {
        "date": "2026-12-01",
        "cases": cases,
        "agents": [
            {"id": "A", "start": VADUZ_OFFICE, "shift": {"start": "08:00", "end": "18:00"}} | agent
        ],
        "options": {"time_limit_seconds": 1},
    }


def _plan(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/plan", json=body)
    assert response.status_code == 200, response.text
    plan: dict[str, Any] = response.json()
    assert plan_violations(body, plan) == []
    return plan


def test_each_agent_travels_in_its_own_mode(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    """A walking agent takes longer than a driving one for the same far trip; each itinerary
    says its mode; mixed-mode plans stay feasible."""
    far_case = {"id": "far", "address": sample_request["cases"][0]["address"], "service_minutes": 5}
    drive = _plan(client, _one_agent_plan([far_case], travel_mode="drive"))
    walk = _plan(client, _one_agent_plan([far_case], travel_mode="walk"))
    bike = _plan(client, _one_agent_plan([far_case], travel_mode="bike"))
    seconds = {
        plan["itineraries"][0]["travel_mode"]: plan["itineraries"][0]["stops"][0]["travel_seconds"]
        for plan in (drive, walk, bike)
    }
    assert seconds["drive"] < seconds["bike"] < seconds["walk"]
    mixed = copy.deepcopy(sample_request)
    for agent, mode in zip(mixed["agents"], ["drive", "walk", "bike", "escooter"], strict=True):
        agent["travel_mode"] = mode
    plan = _plan(client, mixed)
    assert [it["travel_mode"] for it in plan["itineraries"]] == [
        "drive",
        "walk",
        "bike",
        "escooter",
    ]


def test_unknown_travel_mode_is_422(client: TestClient, sample_request: dict[str, Any]) -> None:
    """Only the modes the service knows are accepted, and the error names the field."""
    body = copy.deepcopy(sample_request)
    body["agents"][0]["travel_mode"] = "helicopter"
    response = client.post("/plan", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "agents", 0, "travel_mode"]


def test_rush_hour_factors_slow_a_morning_shift_not_a_night_one(
    settings: Settings, sample_request: dict[str, Any]
) -> None:
    """With speed factors that halve speeds from 07:00 to 10:00, the same trip takes longer
    for an agent working those hours than for one working the evening."""
    rush = [1.0] * 7 + [0.5] * 3 + [1.0] * 14
    slow_mornings = settings.model_copy(
        update={
            "speed_factors": dict.fromkeys(
                ("primary", "secondary", "tertiary", "residential", "unclassified"), rush
            )
        }
    )
    case = {"id": "c", "address": sample_request["cases"][0]["address"], "service_minutes": 5}
    with admin_client(create_app(slow_mornings)) as client:
        morning = _plan(client, _one_agent_plan([case], shift={"start": "07:00", "end": "10:00"}))
        evening = _plan(client, _one_agent_plan([case], shift={"start": "18:00", "end": "21:00"}))
    morning_s = morning["itineraries"][0]["stops"][0]["travel_seconds"]
    evening_s = evening["itineraries"][0]["stops"][0]["travel_seconds"]
    assert morning_s > 1.5 * evening_s


def test_geocode_precision_and_confidence_are_reported(client: TestClient) -> None:
    """A typed address with a typo is planned and says how it was matched; a street without
    the number is planned at street precision and flagged; a town alone is not planned."""
    cases = [
        {"id": "exact", "address": "Städtle 43, 9490 Vaduz", "service_minutes": 5},
        {"id": "typo", "address": "Städdle 43, Vaduz", "service_minutes": 5},
        {"id": "street", "address": "Städtle 999, 9490 Vaduz", "service_minutes": 5},
        {"id": "town", "address": "Nirgendwostrasse 1, 9490 Vaduz", "service_minutes": 5},
    ]
    plan = _plan(client, _one_agent_plan(cases))
    stops = {s["case_id"]: s for s in plan["itineraries"][0]["stops"]}
    assert stops["exact"]["geocode"]["precision"] == "rooftop"
    assert stops["exact"]["geocode"]["low_confidence"] is False
    assert stops["typo"]["geocode"]["matched"].startswith("Städtle 43")
    assert stops["typo"]["geocode"]["confidence"] < stops["exact"]["geocode"]["confidence"]
    assert stops["street"]["geocode"]["precision"] in ("street", "interpolated")
    assert stops["street"]["geocode"]["confidence"] < stops["exact"]["geocode"]["confidence"]
    unassigned = {u["case_id"]: u for u in plan["unassigned"]}
    assert unassigned["town"]["reason"] == "ungeocodable"


def test_ambiguous_address_lists_its_candidates(client: TestClient) -> None:
    """ "Landstrasse 7" is in Schaan and in Triesenberg: without a town it is not guessed but
    comes back unassigned with both places; with the town it is planned."""
    cases = [
        {"id": "amb", "address": "Landstrasse 7", "service_minutes": 5},
        {"id": "clear", "address": "Landstrasse 7, 9494 Schaan", "service_minutes": 5},
    ]
    plan = _plan(client, _one_agent_plan(cases))
    (entry,) = plan["unassigned"]
    assert (entry["case_id"], entry["reason"]) == ("amb", "ungeocodable")
    assert sorted(entry["candidates"]) == [
        "Landstrasse 7, Schaan",
        "Landstrasse 7, Triesenberg",
    ]
    assert [s["case_id"] for s in plan["itineraries"][0]["stops"]] == ["clear"]
