"""Address lookups through the API, and addresses given by their parts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.feasibility import plan_violations


def test_geocode_reports_precision_confidence_and_candidates(client: TestClient) -> None:
    """Each address gets one answer, in order: found with precision and confidence,
    ambiguous with its candidates, or not found."""
    response = client.post(
        "/geocode",
        json={
            "addresses": [
                "Städtle 43, 9490 Vaduz",
                {"street": "Landstrasse", "housenumber": "7"},
                "Nirgendwostrasse 1, 9490 Vaduz",
            ]
        },
    )
    assert response.status_code == 200, response.text
    found, ambiguous, missing = response.json()
    assert (found["status"], found["precision"]) == ("found", "rooftop")
    assert found["confidence"] > 0.8
    assert abs(found["location"]["lat"] - 47.13817) < 1e-4
    assert ambiguous["status"] == "ambiguous"
    assert ambiguous["query"] == "Landstrasse 7"
    assert {c["label"] for c in ambiguous["candidates"]} == {
        "Landstrasse 7, Schaan",
        "Landstrasse 7, Triesenberg",
    }
    assert (missing["status"], missing["location"]) == ("not_found", None)


def test_reverse_geocode_names_the_nearest_address(client: TestClient) -> None:
    """A point by a house names that house; a point in the fields names nothing."""
    response = client.post(
        "/reverse-geocode",
        json={"points": [{"lat": 47.13817, "lon": 9.52273}, {"lat": 47.0500, "lon": 9.6000}]},
    )
    assert response.status_code == 200, response.text
    near, nothing = response.json()
    assert near["address"].startswith("Städtle 43")
    assert near["distance_meters"] < 5
    assert nothing == {"address": None, "location": None, "distance_meters": None}


def test_geocode_input_is_validated(client: TestClient) -> None:
    """An empty list, an empty parts object, or an unknown region is 422 naming the field."""
    assert client.post("/geocode", json={"addresses": []}).json()["detail"][0]["loc"] == [
        "body",
        "addresses",
    ]
    empty_parts = client.post("/geocode", json={"addresses": [{"housenumber": "4"}]})
    assert empty_parts.status_code == 422
    unknown = client.post("/geocode", json={"region": "atlantis", "addresses": ["x 1"]})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "region"]


def test_cases_may_give_their_address_by_parts(client: TestClient) -> None:
    """A case from spreadsheet columns (street, number, postcode, city) plans like free text,
    and its stop shows the address as one line."""
    body = {
        "date": "2026-12-01",
        "cases": [
            {
                "id": "parts",
                "address": {
                    "street": "Städtle",
                    "housenumber": "43",
                    "postcode": "9490",
                    "city": "Vaduz",
                },
                "service_minutes": 10,
            }
        ],
        "agents": [
            {
                "id": "A",
                "start": {
                    "address": {"street": "Landstrasse", "housenumber": "19", "city": "Schaan"}
                },
                "shift": {"start": "08:00", "end": "17:00"},
            }
        ],
        "options": {"time_limit_seconds": 1},
    }
    response = client.post("/plan", json=body)
    assert response.status_code == 200, response.text
    plan = response.json()
    assert plan_violations(body, plan) == []
    (stop,) = plan["itineraries"][0]["stops"]
    assert stop["address"] == "Städtle 43, 9490 Vaduz"
    assert stop["geocode"]["precision"] == "rooftop"
