"""POST /plan, GET /plans/{id}, GET /itinerary/{agent_id} through HTTP on the real region."""

from __future__ import annotations

import copy
import itertools
import math
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.store import PlanStore
from geo import LatLon, Region, TravelMode
from geo.weights import edge_weights
from tests.auth import admin_client
from tests.feasibility import plan_violations
from tests.road_oracle import fastest_from, nearest_edge_m, split_at_snaps, weighted_graph

pytestmark = pytest.mark.storage  # scripts/test.sh runs these on PostgreSQL too

OFF_ROAD_IN_ALPS = {"lat": 47.0500, "lon": 9.6000}  # the extract's Alpine edge, no drivable road
OUTSIDE_REGION = {"lat": 48.1372, "lon": 11.5756}  # Munich


def _post(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/plan", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_sample_plan_is_feasible_and_plans_most_cases(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    """The shipped sample plans on Liechtenstein roads, and the independent checker finds
    nothing wrong."""
    plan = _post(client, sample_request)
    assert plan_violations(sample_request, plan) == []
    assert plan["region"] == "liechtenstein"
    assert plan["timezone"] == "Europe/Vaduz"
    assert plan["summary"]["cases"] == 40
    assert plan["summary"]["assigned"] >= 36  # the sample has room for nearly every case
    assert plan["summary"]["assigned"] + plan["summary"]["unassigned"] == 40
    assert {it["agent_id"] for it in plan["itineraries"]} == {"A-1", "A-2", "A-3", "A-4"}
    first = next(it for it in plan["itineraries"] if it["stops"])["stops"][0]
    assert first["arrival"].endswith("+01:00")  # local time of Vaduz in December


def test_sample_plan_travel_matches_networkx_on_the_road_graph(
    client: TestClient, sample_request: dict[str, Any], region: Region
) -> None:
    """Every leg's travel time and distance equal networkx's Dijkstra on the same weighted
    graph cut at the snapped points, every snap distance equals a brute-force nearest-road
    search, and every leg's geometry runs from its start to its end."""
    plan = _post(client, sample_request)
    network = region.network
    weights = edge_weights(network)
    legs: list[tuple[tuple[Any, Any], tuple[int, int], Any]] = []
    for itinerary in plan["itineraries"]:
        if not itinerary["stops"]:
            continue
        points = [itinerary["start_location"], *(s["location"] for s in itinerary["stops"])]
        points.append(itinerary["end_location"])
        travel = [(s["travel_seconds"], s["distance_meters"]) for s in itinerary["stops"]]
        travel.append((itinerary["return_travel_seconds"], itinerary["return_distance_meters"]))
        geometry = [s["geometry"] for s in itinerary["stops"]] + [itinerary["return_geometry"]]
        legs += zip(itertools.pairwise(points), travel, geometry, strict=True)
        for stop in itinerary["stops"]:
            lat, lon = stop["location"]["lat"], stop["location"]["lon"]
            assert abs(stop["snap_distance_meters"] - nearest_edge_m(network, lat, lon)) <= 1
    assert len(legs) >= 40

    places = [LatLon(p["lat"], p["lon"]) for (a, b), _, _ in legs for p in (a, b)]
    snaps = region.locators[TravelMode.DRIVE].snap(places, max_distance_m=500)
    graph = weighted_graph(network, weights)
    nodes = split_at_snaps(graph, network, weights, [s for s in snaps if s is not None])
    for k, (_, (seconds, meters), line) in enumerate(legs):
        source, target = nodes[2 * k], nodes[2 * k + 1]
        time_ms, length_cm = fastest_from(graph, source, [target])[target]
        assert seconds == math.ceil(time_ms / 1000)
        assert abs(meters - length_cm / 100) <= 0.5
        start, end = snaps[2 * k], snaps[2 * k + 1]
        assert start is not None
        assert end is not None
        assert line["coordinates"][0] == pytest.approx([start.point.lon, start.point.lat], abs=1e-6)
        assert line["coordinates"][-1] == pytest.approx([end.point.lon, end.point.lat], abs=1e-6)


def test_ungeocodable_and_unroutable_cases_are_reported_and_the_rest_planned(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    """A case whose address is unknown, one far from any road and one outside the region come
    back unassigned with their reasons; the other cases are still planned."""
    body = copy.deepcopy(sample_request)
    body["cases"] = [
        *body["cases"][:10],
        {"id": "X-addr", "address": "Nirgendwostrasse 99, 9490 Vaduz", "service_minutes": 10},
        {"id": "X-alps", "location": OFF_ROAD_IN_ALPS, "service_minutes": 10},
        {"id": "X-far", "location": OUTSIDE_REGION, "service_minutes": 10},
        {"id": "X-text", "address": "somewhere near the castle", "service_minutes": 10},
    ]
    plan = _post(client, body)
    assert plan_violations(body, plan) == []
    reasons = {u["case_id"]: u["reason"] for u in plan["unassigned"]}
    assert reasons["X-addr"] == "ungeocodable"
    assert reasons["X-text"] == "ungeocodable"
    assert reasons["X-alps"] == "unroutable"
    assert reasons["X-far"] == "unroutable"
    assert plan["summary"]["assigned"] == 10
    assert all(u["detail"] for u in plan["unassigned"])


def test_case_outside_every_shift_is_unassigned_with_a_reason(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    """A case whose only window is in the evening (allowed by the rules) cannot be reached in
    any shift; the hints say how to change a shift or the window to fit it, in local time."""
    body = copy.deepcopy(sample_request)
    body["cases"] = body["cases"][:5]
    body["cases"][0]["time_windows"] = [{"start": "18:30", "end": "19:30"}]
    plan = _post(client, body)
    assert plan_violations(body, plan) == []
    (entry,) = plan["unassigned"]
    assert (entry["case_id"], entry["reason"]) == (body["cases"][0]["id"], "outside_all_windows")
    hints = {hint["kind"]: hint for hint in entry["hints"]}
    widen = hints["widen_window"]
    assert widen["new_time"].startswith("2026-12-01T")
    assert widen["new_time"] < "2026-12-01T18:30"
    assert widen["minutes"] > 0
    assert hints["extend_shift"]["agent_id"] in {a["id"] for a in body["agents"]}
    assert hints["extend_shift"]["new_time"] >= "2026-12-01T18:3"


def _invalid(body: dict[str, Any], change: str) -> dict[str, Any]:
    bad = copy.deepcopy(body)
    if change == "date":
        bad["date"] = "01.12.2026"
    elif change == "window":
        bad["cases"][0]["time_windows"] = [{"start": "12:00", "end": "09:00"}]
    elif change == "duplicate":
        bad["cases"][3]["id"] = bad["cases"][1]["id"]
    elif change == "no_shift":
        del bad["agents"][2]["shift"]
    elif change == "no_agents":
        bad["agents"] = []
    elif change == "both_places":
        bad["cases"][0]["location"] = {"lat": 47.14, "lon": 9.52}
    elif change == "unknown_field":
        bad["cases"][0]["priority"] = 3
    elif change == "time_format":
        bad["agents"][0]["shift"]["start"] = "8:30am"
    elif change == "region":
        bad["region"] = "atlantis"
    elif change == "agent_address":
        bad["agents"][1]["start"] = {"address": "Nirgendwostrasse 99, 9490 Vaduz"}
    elif change == "agent_off_road":
        bad["agents"][1]["start"] = OUTSIDE_REGION
    return bad


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ("date", ["body", "date"]),
        ("window", ["body", "cases", 0, "time_windows", 0, "end"]),
        ("duplicate", ["body", "cases", 3, "id"]),
        ("no_shift", ["body", "agents", 2, "shift"]),
        ("no_agents", ["body", "agents"]),
        ("both_places", ["body", "cases", 0]),
        ("unknown_field", ["body", "cases", 0, "priority"]),
        ("time_format", ["body", "agents", 0, "shift", "start"]),
        ("region", ["body", "region"]),
        ("agent_address", ["body", "agents", 1, "start", "address"]),
        ("agent_off_road", ["body", "agents", 1, "start"]),
    ],
)
def test_bad_input_gets_422_naming_the_field(
    client: TestClient, sample_request: dict[str, Any], change: str, loc: list[Any]
) -> None:
    """Each kind of bad input is refused with 422 and the location of the faulty field."""
    response = client.post("/plan", json=_invalid(sample_request, change))
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert [error["loc"] for error in errors] == [loc]
    assert errors[0]["msg"]


def test_plan_and_itinerary_read_back(client: TestClient, sample_request: dict[str, Any]) -> None:
    """A posted plan reads back whole, and each agent's itinerary is its part of it (each
    stop cut down to what the agent needs: tests/app/test_borrower_contact.py)."""
    plan = _post(client, sample_request)
    stored = client.get(f"/plans/{plan['plan_id']}")
    assert stored.status_code == 200
    assert stored.json() == plan
    for itinerary in plan["itineraries"]:
        response = client.get(f"/itinerary/{itinerary['agent_id']}", params={"date": plan["date"]})
        assert response.status_code == 200
        body = response.json()
        assert body["plan_id"] == plan["plan_id"]
        assert body["date"] == plan["date"]
        assert [s["visit_id"] for s in body["stops"]] == [s["visit_id"] for s in itinerary["stops"]]
        for mine, planned in zip(body["stops"], itinerary["stops"], strict=True):
            assert mine == {key: planned.get(key) for key in mine}  # no amount_overdue given


def test_itinerary_comes_from_the_latest_plan_of_the_date(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    """After a second plan of the same date, the agent's itinerary is the second one's."""
    _post(client, sample_request)
    smaller = copy.deepcopy(sample_request)
    smaller["cases"] = smaller["cases"][:3]
    second = _post(client, smaller)
    body = client.get("/itinerary/A-2", params={"date": "2026-12-01"}).json()
    assert body["plan_id"] == second["plan_id"]


def test_missing_plans_and_itineraries_are_404_and_bad_dates_422(client: TestClient) -> None:
    """Unknown ids and dates without a plan are 404; a malformed date is 422."""
    assert client.get("/plans/no-such-plan").status_code == 404
    assert client.get("/itinerary/A-1", params={"date": "2026-12-02"}).status_code == 404
    bad = client.get("/itinerary/A-1", params={"date": "tomorrow"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "date"]


def test_openapi_docs_are_served(client: TestClient) -> None:
    """The OpenAPI schema documents the endpoints; /docs and /redoc load only local assets."""
    schema = client.get("/openapi.json").json()
    assert {"/plan", "/plans/{plan_id}", "/itinerary/{agent_id}"} <= set(schema["paths"])
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert "https://" not in html  # nothing from a CDN
        for asset in re.findall(r'(?:src|href)="(/static/docs/[^"]+)"', html):
            assert client.get(asset).status_code == 200
        assert re.search(r'src="/static/docs/[^"]+\.js"', html)


def test_unexpected_errors_are_500_without_internals(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure inside the service answers 500 with an id to quote, never a traceback."""

    def broken(_: object, plan_id: str) -> None:
        raise RuntimeError(f"database exploded reading {plan_id}")

    monkeypatch.setattr(PlanStore, "get", broken)
    with admin_client(create_app(settings), raise_server_exceptions=False) as client:
        response = client.get("/plans/some-plan")
    assert response.status_code == 500
    body = response.json()
    assert body["detail"] == "internal error"
    assert len(body["error_id"]) == 32
    assert "exploded" not in response.text
    assert "Traceback" not in response.text
