"""Visit outcomes through the API, and what the next plans make of them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from tests.feasibility import plan_violations

pytestmark = pytest.mark.storage  # scripts/test.sh runs these on PostgreSQL too

VADUZ = ZoneInfo("Europe/Vaduz")
HOME = "Am Widagraba 7, 9490 Vaduz"
OTHER = "Landstrasse 117, 9490 Vaduz"


def plan(
    client: TestClient, date: str, cases: list[dict[str, Any]], **agent: Any
) -> dict[str, Any]:
    body = {
        "date": date,
        "cases": cases,
        "agents": [
            {
                "id": "A-1",
                "start": {"address": "Städtle 43, 9490 Vaduz"},
                "shift": {"start": "08:00", "end": "19:00"},
            }
            | agent
        ],
        "options": {"time_limit_seconds": 1, "include_geometry": False},
    }
    response = client.post("/plan", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    assert plan_violations(body, result) == []
    return result


def stop_of(result: dict[str, Any], case_id: str) -> dict[str, Any] | None:
    stops = [s for i in result["itineraries"] for s in i["stops"] if s["case_id"] == case_id]
    return stops[0] if stops else None


def unassigned_of(result: dict[str, Any], case_id: str) -> dict[str, Any] | None:
    return next((u for u in result["unassigned"] if u["case_id"] == case_id), None)


def record(client: TestClient, stop: dict[str, Any], outcome: str, **fields: Any) -> Any:
    body = {"outcome": outcome, "occurred_at": stop["service_start"]} | fields
    response = client.post(f"/visits/{stop['visit_id']}/outcome", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def visit(client: TestClient, date: str, case: dict[str, Any], outcome: str, **fields: Any) -> Any:
    stop = stop_of(plan(client, date, [case]), case["id"])
    assert stop is not None, f"{case['id']} not visited on {date}"
    return record(client, stop, outcome, **fields)


def test_promise_to_pay_holds_the_case_until_the_promised_date_then_follows_up(
    client: TestClient,
) -> None:
    """A promise recorded at a visit keeps the case out of plans up to the promised date
    (plus the grace days, 2 by default); after it, the case comes back as a follow-up with
    raised priority."""
    case = {"id": "C-PTP", "address": HOME, "service_minutes": 20, "amount_overdue": 900}
    visit(client, "2026-11-10", case, "promise_to_pay", promise_date="2026-11-20", amount=300)
    for held_on in ("2026-11-11", "2026-11-20", "2026-11-21", "2026-11-22"):
        held = unassigned_of(plan(client, held_on, [case]), "C-PTP")
        assert held is not None, held_on
        assert held["reason"] == "promise_to_pay_pending"
        assert "2026-11-23" in held["detail"]
    back = plan(client, "2026-11-23", [case])
    assert stop_of(back, "C-PTP") is not None
    effects = {e["effect"] for e in back["history_effects"] if e["case_id"] == "C-PTP"}
    assert effects == {"follow_up", "estimated_value"}


def test_three_morning_not_home_visits_move_the_next_visit_to_the_afternoon(
    client: TestClient,
) -> None:
    """Nobody home at three morning visits: the next plan visits the case after noon when
    its windows allow, while a case at the same door without that history is visited in
    the morning as before."""
    morning = [{"start": "08:00", "end": "11:00"}]
    case = {"id": "C-NH", "address": HOME, "service_minutes": 20, "time_windows": morning}
    for day in ("2026-10-27", "2026-11-04", "2026-11-12"):  # a week apart: the cap allows
        visit(client, day, case, "not_home")
    whole_day = [{"start": "08:00", "end": "18:00"}]
    fresh = {"id": "C-FRESH", "address": OTHER, "service_minutes": 20, "time_windows": whole_day}
    result = plan(client, "2026-11-20", [case | {"time_windows": whole_day}, fresh])
    steered, control = stop_of(result, "C-NH"), stop_of(result, "C-FRESH")
    assert steered is not None
    assert control is not None
    assert dt.datetime.fromisoformat(steered["service_start"]).astimezone(VADUZ).hour >= 12
    assert dt.datetime.fromisoformat(control["service_start"]).astimezone(VADUZ).hour < 12
    (effect,) = [e for e in result["history_effects"] if e["case_id"] == "C-NH"]
    assert effect["effect"] == "prefer_time_of_day"
    assert "morning" in effect["detail"].split("avoided:")[1]

    only_mornings = plan(client, "2026-11-27", [case])  # its windows allow nothing else
    assert stop_of(only_mornings, "C-NH") is not None


def test_paid_closes_wrong_address_goes_to_review_and_unsafe_needs_a_team(
    client: TestClient,
) -> None:
    """paid: the case is closed. wrong_address: it waits in the review queue until the
    planner sends a corrected address. unsafe: the next visit goes only to a team of two."""
    paid = {"id": "C-PAID", "address": HOME, "service_minutes": 15}
    visit(client, "2026-11-10", paid, "paid", amount=500)
    closed = unassigned_of(plan(client, "2026-11-20", [paid]), "C-PAID")
    assert closed is not None
    assert closed["reason"] == "paid"

    wrong = {"id": "C-WRONG", "address": OTHER, "service_minutes": 15}
    visit(client, "2026-11-10", wrong, "wrong_address")
    (review,) = client.get("/review/addresses").json()
    assert (review["case_id"], review["outcome"]) == ("C-WRONG", "wrong_address")
    held = unassigned_of(plan(client, "2026-11-20", [wrong]), "C-WRONG")
    assert held is not None
    assert held["reason"] == "address_under_review"
    corrected = wrong | {"address": "Gapetschstrasse 15, 9494 Schaan"}
    assert stop_of(plan(client, "2026-11-20", [corrected]), "C-WRONG") is not None

    unsafe = {"id": "C-UNSAFE", "address": HOME, "service_minutes": 15}
    visit(client, "2026-11-10", unsafe, "unsafe")
    alone = unassigned_of(plan(client, "2026-11-20", [unsafe]), "C-UNSAFE")
    assert alone is not None
    assert (alone["reason"], alone["rule_id"]) == ("compliance", "staff_required")
    assert stop_of(plan(client, "2026-11-20", [unsafe], team_size=2), "C-UNSAFE") is not None


def test_outcomes_are_append_only_and_corrections_are_new_records(client: TestClient) -> None:
    """No route edits or deletes an outcome; a correction is a second record of the visit,
    both stay in the history, and the newest one counts."""
    case = {"id": "C-FIX", "address": HOME, "service_minutes": 15}
    stop = stop_of(plan(client, "2026-11-10", [case]), "C-FIX")
    assert stop is not None
    first = record(client, stop, "paid", amount=100, notes="entered by mistake")
    url = f"/visits/{stop['visit_id']}/outcome"
    for method in ("put", "patch", "delete"):
        assert client.request(method, url, json={"outcome": "met"}).status_code == 405
    assert client.delete("/cases/C-FIX/history").status_code == 405
    second = record(client, stop, "not_home")
    history = client.get("/cases/C-FIX/history").json()
    assert [o["id"] for o in history["outcomes"]] == [first["id"], second["id"]]
    assert history["outcomes"][0]["outcome"] == "paid"  # the first record is unchanged
    assert [v["visit_id"] for v in history["visits"]] == [stop["visit_id"]]
    # The correction counts: the case is not closed as paid.
    assert stop_of(plan(client, "2026-11-20", [case]), "C-FIX") is not None


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"outcome": "promise_to_pay", "amount": 10}, ["body"]),
        ({"outcome": "paid"}, ["body"]),
        ({"outcome": "met", "amount": 5}, ["body"]),
        ({"outcome": "gone_fishing"}, ["body", "outcome"]),
        ({"outcome": "met", "occurred_at": "2026-11-10T10:00:00"}, ["body", "occurred_at"]),
        ({"outcome": "met", "occurred_at": "2999-01-01T10:00:00+00:00"}, ["body"]),
        ({"outcome": "met", "location": {"lat": 95, "lon": 9.5}}, ["body", "location", "lat"]),
        ({"outcome": "met", "rating": 5}, ["body", "rating"]),
    ],
)
def test_bad_outcomes_are_422_naming_the_field(
    client: TestClient, body: dict[str, Any], loc: list[str]
) -> None:
    case = {"id": "C-BAD", "address": HOME, "service_minutes": 15}
    stop = stop_of(plan(client, "2026-11-10", [case]), "C-BAD")
    assert stop is not None
    response = client.post(
        f"/visits/{stop['visit_id']}/outcome",
        json={"occurred_at": "2026-11-10T10:00:00+01:00"} | body,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_unknown_visits_and_cases_are_404(client: TestClient) -> None:
    body = {"outcome": "met", "occurred_at": "2026-11-10T10:00:00+01:00"}
    assert client.post("/visits/nope/outcome", json=body).status_code == 404
    assert client.get("/cases/nope/history").status_code == 404


def test_value_of_a_visit_is_its_expected_recovery(client: TestClient) -> None:
    """Without a value, a case's value is amount overdue x chance of contact x chance of
    payment: 1000 x 0.5 (no history yet) x 0.4 (90 days overdue halve 0.8) = 200."""
    case = {
        "id": "C-VAL",
        "address": HOME,
        "service_minutes": 15,
        "amount_overdue": 1000,
        "days_overdue": 90,
    }
    result = plan(client, "2026-11-10", [case])
    assert result["summary"]["expected_recovery"] == pytest.approx(200.0)
    (effect,) = [e for e in result["history_effects"] if e["effect"] == "estimated_value"]
    assert effect["detail"].endswith("= 200.00")
