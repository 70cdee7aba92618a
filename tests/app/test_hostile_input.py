"""Hostile or careless input: oversized bodies, too many cases, cross-origin calls, and the
headers every response carries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.auth import admin_client


@pytest.fixture
def strict(settings: Settings) -> Iterator[TestClient]:
    limits = {"max_request_bytes": 4000, "max_cases_per_plan": 2, "max_agents_per_plan": 1}
    with admin_client(create_app(settings.model_copy(update=limits))) as client:
        yield client


def body(cases: int, agents: int) -> dict[str, Any]:
    return {
        "date": "2026-11-18",
        "cases": [
            {"id": f"C-{k}", "location": {"lat": 47.139, "lon": 9.516}} for k in range(cases)
        ],
        "agents": [
            {
                "id": f"A-{k}",
                "start": {"lat": 47.14, "lon": 9.52},
                "shift": {"start": "08:00", "end": "12:00"},
            }
            for k in range(agents)
        ],
        "options": {"time_limit_seconds": 1, "include_geometry": False},
    }


def test_an_oversized_body_is_refused_before_it_is_read(strict: TestClient) -> None:
    huge = strict.post("/geocode", json={"addresses": ["Städtle 43, 9490 Vaduz" * 10] * 50})
    assert huge.status_code == 413
    assert "4000 bytes" in huge.json()["detail"]
    streamed = strict.post(
        "/geocode",
        content=iter([b'{"addresses": ["', b"x" * 5000, b'"]}']),
        headers={"Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    small = strict.post(
        "/geocode",
        content=iter([b'{"addresses": ', b'["St\xc3\xa4dtle 43, 9490 Vaduz"]}']),
        headers={"Content-Type": "application/json"},
    )
    assert small.status_code == 200, small.text  # a streamed body under the cap still arrives
    assert small.json()[0]["status"] == "found"
    assert (
        strict.post("/geocode", json={"addresses": ["Städtle 43, 9490 Vaduz"]}).status_code == 200
    )


def test_plans_over_the_servers_limits_are_422_naming_the_list(strict: TestClient) -> None:
    too_many_cases = strict.post("/plan", json=body(cases=3, agents=1))
    assert too_many_cases.status_code == 422
    assert too_many_cases.json()["detail"][0]["loc"] == ["body", "cases"]
    too_many_agents = strict.post("/plan", json=body(cases=1, agents=2))
    assert too_many_agents.json()["detail"][0]["loc"] == ["body", "agents"]
    assert strict.post("/plan", json=body(cases=2, agents=1)).status_code == 200


def test_every_response_carries_security_headers(client: TestClient) -> None:
    for response in (client.get("/healthz"), client.get("/"), client.get("/plans/none")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'self'" in client.get("/").headers["content-security-policy"]


def test_cors_is_closed_unless_origins_are_configured(
    client: TestClient, settings: Settings
) -> None:
    preflight = {
        "Origin": "https://evil.example",
        "Access-Control-Request-Method": "POST",
    }
    closed = client.options("/plan", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    opened = settings.model_copy(update={"cors_origins": ["https://planner.example"]})
    with admin_client(create_app(opened)) as open_client:
        allowed = open_client.options(
            "/plan", headers=preflight | {"Origin": "https://planner.example"}
        )
        assert allowed.headers["access-control-allow-origin"] == "https://planner.example"
        refused = open_client.options("/plan", headers=preflight)
        assert "access-control-allow-origin" not in refused.headers
