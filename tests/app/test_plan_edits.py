"""What the pages need from the API: evaluating a hand-edited plan, publishing, exporting an
agent's day, and the region's roads to draw."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import icalendar
import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.storage  # scripts/test.sh runs these on PostgreSQL too

AGENTS = [
    {
        "id": agent_id,
        "start": {"address": "Städtle 43, 9490 Vaduz"},
        "shift": {"start": "08:00", "end": "17:00"},
    }
    for agent_id in ("A-1", "A-2")
]
ADDRESSES = [
    "Am Widagraba 7, 9490 Vaduz",
    "Dominik Banzer-Strasse 16, 9495 Triesen",
    "Essanestrasse 10, 9492 Eschen",
    "Landstrasse 117, 9490 Vaduz",
    "Gapetschstrasse 15, 9494 Schaan",
    "Wangerbergstrasse 10, 9497 Triesenberg",
]


def post_plan(client: TestClient, cases: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    body = {
        "date": "2026-11-18",
        "cases": cases,
        "agents": AGENTS,
        "options": {"time_limit_seconds": 1, "include_geometry": False},
    } | fields
    response = client.post("/plan", json=body)
    assert response.status_code == 200, response.text
    plan: dict[str, Any] = response.json()
    return plan


def cases(count: int = 6) -> list[dict[str, Any]]:
    return [{"id": f"C-{k}", "address": ADDRESSES[k], "service_minutes": 20} for k in range(count)]


def routes_of(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"agent_id": i["agent_id"], "case_ids": [s["case_id"] for s in i["stops"]]}
        for i in plan["itineraries"]
    ]


def evaluate(client: TestClient, plan_id: str, routes: list[dict[str, Any]]) -> Any:
    return client.post(f"/plans/{plan_id}/evaluate", json={"routes": routes})


def test_evaluating_the_plan_as_it_is_gives_its_own_times(client: TestClient) -> None:
    plan = post_plan(client, cases())
    response = evaluate(client, plan["plan_id"], routes_of(plan))
    assert response.status_code == 200, response.text
    checked = response.json()
    assert checked["feasible"] is True
    assert checked["violations"] == []
    for before, after in zip(plan["itineraries"], checked["itineraries"], strict=True):
        assert [s["service_start"] for s in before["stops"]] == [
            s["service_start"] for s in after["stops"]
        ]
    assert checked["summary"]["total_cost"] == pytest.approx(plan["summary"]["total_cost"])


def test_moving_a_case_updates_the_times_and_flags_broken_rules(client: TestClient) -> None:
    """Move a case to the other agent: both days are re-timed. Move a case pinned to A-1:
    the re-check flags wrong_agent. Leave a case out: it is unassigned as left_out."""
    body_cases = cases()
    body_cases[0]["pinned_agent_id"] = "A-1"
    plan = post_plan(client, body_cases)
    routes = {r["agent_id"]: r["case_ids"] for r in routes_of(plan)}
    assert "C-0" in routes["A-1"]
    movable = next(c for c in routes["A-1"] if c != "C-0") if len(routes["A-1"]) > 1 else None
    if movable is None:
        movable = routes["A-2"][0]
        edited = {"A-1": [*routes["A-1"], movable], "A-2": routes["A-2"][1:]}
    else:
        kept = [c for c in routes["A-1"] if c != movable]
        edited = {"A-1": kept, "A-2": [*routes["A-2"], movable]}
    checked = evaluate(
        client, plan["plan_id"], [{"agent_id": a, "case_ids": c} for a, c in edited.items()]
    ).json()
    days = {i["agent_id"]: [s["case_id"] for s in i["stops"]] for i in checked["itineraries"]}
    assert days == edited
    assert checked["feasible"] is True

    wrong = {"A-1": [c for c in routes["A-1"] if c != "C-0"], "A-2": [*routes["A-2"], "C-0"]}
    flagged = evaluate(
        client, plan["plan_id"], [{"agent_id": a, "case_ids": c} for a, c in wrong.items()]
    ).json()
    assert flagged["feasible"] is False
    assert {(v["code"], v["agent_id"], v["case_id"]) for v in flagged["violations"]} >= {
        ("wrong_agent", "A-2", "C-0")
    }

    left_out = evaluate(client, plan["plan_id"], [{"agent_id": "A-1", "case_ids": ["C-0"]}])
    unassigned = {u["case_id"]: u["reason"] for u in left_out.json()["unassigned"]}
    assert set(unassigned.values()) == {"left_out"}
    assert set(unassigned) == {c["id"] for c in body_cases} - {"C-0"}


def test_a_missed_window_is_flagged_in_local_time(client: TestClient) -> None:
    """A case whose window closes at 08:30 moved to the end of a long day: the re-check
    names it and says when the agent would arrive, as a clock time."""
    body_cases = cases()
    body_cases[0]["time_windows"] = [{"start": "08:00", "end": "08:30"}]
    plan = post_plan(client, body_cases)
    late = [c["id"] for c in body_cases[1:]] + ["C-0"]
    checked = evaluate(client, plan["plan_id"], [{"agent_id": "A-1", "case_ids": late}]).json()
    (missed,) = [v for v in checked["violations"] if v["code"] == "window_missed"]
    assert (missed["agent_id"], missed["case_id"]) == ("A-1", "C-0")
    assert re.fullmatch(
        r"arrives at (\d\d):\d\d, when the visit may no longer start \(it may start "
        r"08:00-08:30\)",
        missed["detail"],
    )
    (stop,) = [s for s in checked["itineraries"][0]["stops"] if s["case_id"] == "C-0"]
    assert stop["arrival"][11:16] in missed["detail"]


def test_a_case_the_rules_exclude_cannot_be_put_back_by_hand(client: TestClient) -> None:
    body_cases = cases(3)
    body_cases[2]["conditions"] = {"attorney_on_record": True}
    plan = post_plan(client, body_cases)
    assert {u["case_id"]: u["rule_id"] for u in plan["unassigned"]} == {"C-2": "LI-P-ATTORNEY"}
    routes = routes_of(plan)
    routes[0]["case_ids"].append("C-2")
    checked = evaluate(client, plan["plan_id"], routes).json()
    (violation,) = checked["violations"]
    assert (violation["code"], violation["case_id"]) == ("not_plannable", "C-2")
    assert "attorney" in violation["detail"]


@pytest.mark.parametrize(
    ("routes", "loc"),
    [
        ([{"agent_id": "NOBODY", "case_ids": []}], ["body", "routes", 0, "agent_id"]),
        (
            [{"agent_id": "A-1", "case_ids": ["C-0", "C-99"]}],
            ["body", "routes", 0, "case_ids", 1],
        ),
        (
            [{"agent_id": "A-1", "case_ids": []}, {"agent_id": "A-1", "case_ids": []}],
            ["body", "routes", 1, "agent_id"],
        ),
        ([{"agent_id": "A-1", "cases": []}], ["body", "routes", 0, "cases"]),
    ],
)
def test_bad_edits_are_422_naming_the_field(
    client: TestClient, routes: list[dict[str, Any]], loc: list[Any]
) -> None:
    plan = post_plan(client, cases(2))
    response = evaluate(client, plan["plan_id"], routes)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert evaluate(client, "no-such-plan", []).status_code == 404


def test_agents_see_the_published_plan_of_the_day(client: TestClient) -> None:
    """A later draft does not replace the published plan on the agents' phones; the
    itinerary carries the conduct checklist of the plan's profiles."""
    first = post_plan(client, cases(4))
    published = client.post(f"/plans/{first['plan_id']}/publish")
    assert published.status_code == 200
    assert published.json()["date"] == "2026-11-18"
    second = post_plan(client, cases(2))
    day = client.get("/itinerary/A-1", params={"date": "2026-11-18"}).json()
    assert (day["plan_id"], day["published"]) == (first["plan_id"], True)
    assert day["conduct"] == first["compliance"]["conduct"] != []
    assert client.get(f"/plans/{first['plan_id']}").json()["published_at"] is not None
    assert client.get(f"/plans/{second['plan_id']}").json()["published_at"] is None
    assert client.post("/plans/nope/publish").status_code == 404


def test_an_agents_day_exports_as_csv_ics_and_a_printable_page(client: TestClient) -> None:
    body_cases = cases(4)
    body_cases[0]["id"] = "=HYPERLINK(1)"  # a formula must not reach a spreadsheet as one
    plan = post_plan(client, body_cases)
    itinerary = max(plan["itineraries"], key=lambda i: len(i["stops"]))
    base = f"/plans/{plan['plan_id']}/itineraries/{itinerary['agent_id']}"

    exported = client.get(base + ".csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["visit_id"] for r in rows] == [s["visit_id"] for s in itinerary["stops"]]
    assert all(not r["case_id"].startswith("=") for r in rows)

    calendar = icalendar.Calendar.from_ical(client.get(base + ".ics").content)
    events = list(calendar.walk("VEVENT"))
    assert [e.decoded("dtstart") for e in events] == [
        dt.datetime.fromisoformat(s["service_start"]) for s in itinerary["stops"]
    ]
    page = client.get(base + "/print")
    assert page.headers["content-type"].startswith("text/html")
    for stop in itinerary["stops"]:
        assert stop["address"] in page.text
    assert client.get(f"/plans/{plan['plan_id']}/itineraries/NOBODY.csv").status_code == 404


def test_region_roads_are_served_to_draw_the_map(client: TestClient) -> None:
    roads = client.get("/regions/liechtenstein/roads").json()
    assert roads["type"] == "MultiLineString"
    assert len(roads["coordinates"]) > 1000
    lons = [lon for line in roads["coordinates"] for lon, _ in line]
    lats = [lat for line in roads["coordinates"] for _, lat in line]
    assert 9.4 < min(lons) < max(lons) < 9.7
    assert 47.0 < min(lats) < max(lats) < 47.3
    assert client.get("/regions/atlantis/roads").status_code == 404
