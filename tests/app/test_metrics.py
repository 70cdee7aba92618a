"""GET /metrics: Prometheus text with requests by route template (never a raw id), plan
durations, costs and visit counts; read with the scrape token or by admins and auditors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr, ValidationError

from app.config import Settings
from app.main import create_app
from app.metrics import JOBS_QUEUED, watch_queue_length
from tests.auth import bearer, new_user

SCRAPE_TOKEN = "scrape-" + "s" * 24


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_plan_shows_in_the_metrics_by_route_template(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    body = sample_request | {"date": "2026-11-17", "cases": sample_request["cases"][:10]}
    body["agents"] = [agent | {"id": f"agent-zq{i}"} for i, agent in enumerate(body["agents"][:2])]
    plan = client.post("/plan", json=body).json()
    agent_id = plan["itineraries"][0]["agent_id"]
    visit = plan["itineraries"][0]["stops"][0]
    assert client.get(f"/itinerary/{agent_id}", params={"date": plan["date"]}).status_code == 200
    assert client.get(f"/plans/{plan['plan_id']}").status_code == 200
    assert client.get("/plans/no-such-plan").status_code == 404

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    samples = _samples(text)
    for method, route, status in (
        ("POST", "/plan", "200"),
        ("GET", "/itinerary/{agent_id}", "200"),
        ("GET", "/plans/{plan_id}", "200"),
        ("GET", "/plans/{plan_id}", "404"),
    ):
        labels = frozenset({"method": method, "route": route, "status": status}.items())
        assert samples[("doorstep_http_requests_total", labels)] >= 1
        assert samples[("doorstep_http_request_duration_seconds_count", labels)] >= 1
    for phase in ("prepare", "solve", "total"):
        assert samples[("doorstep_plan_duration_seconds_count", frozenset({("phase", phase)}))]
    assert samples[("doorstep_plan_cost_count", frozenset())] >= 1
    assert samples[("doorstep_plan_last_cost", frozenset())] > 0
    assert samples[("doorstep_visits_planned_total", frozenset())] >= plan["summary"]["assigned"]
    assert ("doorstep_jobs_queued", frozenset()) in samples
    for raw in (agent_id, plan["plan_id"], visit["visit_id"], "no-such-plan", "agent-zq"):
        assert raw not in text


def test_the_scrape_token_reads_the_metrics_and_nothing_else(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"metrics_token": SecretStr(SCRAPE_TOKEN)}))
    with TestClient(app) as client:
        assert client.get("/metrics", headers=bearer(SCRAPE_TOKEN)).status_code == 200
        assert client.get("/metrics", headers=bearer(SCRAPE_TOKEN + "x")).status_code == 401
        assert client.get("/metrics").status_code == 401
        assert client.get("/auth/me", headers=bearer(SCRAPE_TOKEN)).status_code == 401
        assert client.get("/metrics", headers=new_user(client, "auditor")).status_code == 200
        assert client.get("/metrics", headers=new_user(client, "planner")).status_code == 403


def test_a_metrics_token_is_long_or_unset() -> None:
    assert Settings(metrics_token="  ").metrics_token is None
    with pytest.raises(ValidationError, match="at least 16"):
        Settings(metrics_token="short")


def test_the_queue_length_gauge_can_read_the_queue_at_each_scrape(client: TestClient) -> None:
    queue = [1, 2, 3]
    watch_queue_length(lambda: len(queue))
    try:
        samples = _samples(client.get("/metrics").text)
        assert samples[("doorstep_jobs_queued", frozenset())] == 3
        JOBS_QUEUED.set(7)  # the other way: the job module sets it
        samples = _samples(client.get("/metrics").text)
        assert samples[("doorstep_jobs_queued", frozenset())] == 3  # a function wins
    finally:
        watch_queue_length(lambda: 0)
        JOBS_QUEUED.set(0)
