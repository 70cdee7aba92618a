"""The home-visit model through the API: values, costs, skills, pins, breaks, limits."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.feasibility import plan_violations

OFFICE = {"lat": 47.1381, "lon": 9.5224}
SHIFT = {"start": "08:00", "end": "17:00"}


def _plan(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/plan", json=body)
    assert response.status_code == 200, response.text
    plan: dict[str, Any] = response.json()
    assert plan_violations(body, plan) == []
    return plan


def _body(sample: dict[str, Any], cases: int, *agents: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(sample)
    body["cases"] = body["cases"][:cases]
    for case in body["cases"]:
        case["time_windows"] = []
    body["agents"] = [
        {"id": f"A-{k}", "start": OFFICE, "shift": SHIFT} | a for k, a in enumerate(agents)
    ]
    return body


def test_costs_are_reported_per_agent_and_in_total(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    """Each day's cost splits into fixed, time and distance parts that add up, at the
    agent's own rates (or the server's defaults), and the summary adds the days up."""
    body = _body(sample_request, 6, {"fixed_cost": 40.0, "cost_per_hour": 30.0, "cost_per_km": 0.5})
    plan = _plan(client, body)
    (day,) = plan["itineraries"]
    costs = day["costs"]
    assert costs["fixed"] == 40.0
    assert costs["time"] == pytest.approx(day["working_seconds"] / 3600 * 30.0, abs=0.01)
    assert costs["distance"] == pytest.approx(day["total_distance_meters"] / 1000 * 0.5, abs=0.01)
    assert costs["total"] == pytest.approx(
        costs["fixed"] + costs["time"] + costs["distance"] + costs["lateness"], abs=0.02
    )
    assert plan["summary"]["total_cost"] == pytest.approx(costs["total"], abs=0.01)


def test_a_visit_worth_less_than_it_costs_is_left_out(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    """Cases with a value are visited when it pays: a 1.00 case on the far side of the
    country is left out, its value counted as lost; the valuable ones are visited."""
    body = _body(sample_request, 3, {"cost_per_hour": 30.0})
    for case in body["cases"]:
        case["value"] = 500.0
    body["cases"].append(
        {
            "id": "cheap-far",
            "location": {"lat": 47.2400, "lon": 9.5500},
            "service_minutes": 30,
            "value": 1.0,
        }
    )
    plan = _plan(client, body)
    assert [u["case_id"] for u in plan["unassigned"]] == ["cheap-far"]
    assert plan["unassigned"][0]["value"] == 1.0
    assert plan["summary"]["lost_value"] == 1.0
    assert plan["summary"]["expected_recovery"] == 1500.0
    assert plan["summary"]["recovery_per_cost"] == pytest.approx(
        1500.0 / plan["summary"]["total_cost"], rel=1e-3
    )


def test_skills_and_pins_decide_who_visits(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    """A case needing a skill goes to the agent who has it; a pinned case to its agent."""
    body = _body(sample_request, 4, {}, {"skills": ["senior"]}, {})
    body["cases"][0]["required_skills"] = ["senior"]
    body["cases"][1]["pinned_agent_id"] = "A-2"
    plan = _plan(client, body)
    who = {s["case_id"]: it["agent_id"] for it in plan["itineraries"] for s in it["stops"]}
    assert who[body["cases"][0]["id"]] == "A-1"
    assert who[body["cases"][1]["id"]] == "A-2"


def test_lunch_break_is_taken_inside_its_window(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    """A 30-minute break starting between 12:00 and 13:00 appears in the agent's day, between
    visits (the checker verifies times around it)."""
    lunch = {"earliest_start": "12:00", "latest_start": "13:00", "duration_minutes": 30}
    body = _body(sample_request, 12, {"breaks": [lunch]})
    plan = _plan(client, body)
    (day,) = plan["itineraries"]
    (taken,) = day["breaks"]
    assert "T12:" in taken["start"] or taken["start"].endswith("T13:00:00+01:00")


def test_max_visits_limits_a_day(client: TestClient, sample_request: dict[str, Any]) -> None:
    """An agent allowed 3 visits makes at most 3; the rest are unassigned."""
    plan = _plan(client, _body(sample_request, 6, {"max_visits": 3}))
    assert len(plan["itineraries"][0]["stops"]) == 3
    assert len(plan["unassigned"]) == 3


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"pinned_agent_id": "nobody"}, ["body", "cases", 0, "pinned_agent_id"]),
        ({"locked_position": 1}, ["body", "cases", 0]),
        ({"value": -5}, ["body", "cases", 0, "value"]),
    ],
)
def test_bad_model_fields_are_422(
    client: TestClient, sample_request: dict[str, Any], change: dict[str, Any], loc: list[Any]
) -> None:
    """Pins to unknown agents, locks without pins and negative values name their field."""
    body = _body(sample_request, 2, {})
    body["cases"][0] |= change
    response = client.post("/plan", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_break_window_must_be_ordered(client: TestClient, sample_request: dict[str, Any]) -> None:
    """A break whose latest start is before its earliest start is 422 on that field."""
    lunch = {"earliest_start": "13:00", "latest_start": "12:00", "duration_minutes": 30}
    response = client.post("/plan", json=_body(sample_request, 2, {"breaks": [lunch]}))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "agents", 0, "breaks", 0, "latest_start"]
