"""Structured logs: `doorstep serve` with DOORSTEP_LOG_FORMAT=json writes one JSON object per
record, each with the request id the response carried; the whole flow at DEBUG leaves no
personal data in them (the access log drops query strings). Request ids: the caller's when
sane, else a new one, echoed in X-Request-ID."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from app.logs import AccessLogFilter, JsonFormatter
from app.redaction import PersonalDataFilter
from app.request_id import RequestIdFilter, sane_request_id
from tests.app.test_personal_data_in_logs import EMAIL, NOTE, PHONE
from tests.auth import PASSWORD
from tests.conftest import DATA_DIR
from tests.live_server import live_server, sign_in

FIELDS = {"time", "level", "logger", "message", "request_id"}


def test_a_sane_request_id_is_kept_and_echoed(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a:0001"})
    assert response.headers["X-Request-ID"] == "lb-7f3a:0001"


@pytest.mark.parametrize("given", ["", "a" * 65, "Landstrasse 19", "a\tb", "<script>", "x/../y"])
def test_an_insane_request_id_is_replaced(client: TestClient, given: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert response.headers["X-Request-ID"] != given
    assert sane_request_id(response.headers["X-Request-ID"]) == response.headers["X-Request-ID"]


def test_each_request_gets_its_own_id(client: TestClient) -> None:
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_the_json_formatter_writes_one_redacted_object_per_record() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    for log_filter in (AccessLogFilter(), RequestIdFilter(), PersonalDataFilter()):
        handler.addFilter(log_filter)
    logger = logging.getLogger("doorstep.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        logger.warning("call back on %s", PHONE)
        try:
            raise ValueError(f"cannot parse {PHONE}")
        except ValueError:
            logger.exception("failed")
        access = logging.getLogger("doorstep.test.json.access")
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET", "/x?address=a b", "1.1", 200)
    finally:
        logger.removeHandler(handler)
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(records) == 3
    assert all(set(record) >= FIELDS for record in records)
    assert records[0]["level"] == "warning"
    assert records[0]["request_id"] is None  # outside a request
    assert "ValueError" in records[1]["exception"]
    assert PHONE not in stream.getvalue()
    assert records[2]["message"] == '127.0.0.1:1 - "GET /x HTTP/1.1" 200'
    assert (records[2]["http_method"], records[2]["http_path"]) == ("GET", "/x")


def test_the_whole_flow_in_json_at_debug_logs_no_personal_data(
    regions_dir: Path, tmp_path: Path, sample_request: dict[str, Any]
) -> None:
    env = {
        "DOORSTEP_DATA_DIR": str(DATA_DIR),
        "DOORSTEP_REGIONS_DIR": str(regions_dir),
        "DOORSTEP_VAR_DIR": str(tmp_path / "var"),
        "DOORSTEP_DATABASE_URL": f"sqlite:///{tmp_path / 'doorstep.db'}",
        "DOORSTEP_INITIAL_ADMIN_PASSWORD": PASSWORD,
        "DOORSTEP_SOLVER_WORKERS": "1",
        "DOORSTEP_LOG_FORMAT": "json",
        "DOORSTEP_LOG_LEVEL": "debug",
    }
    log = tmp_path / "server.log"
    body = sample_request | {"date": "2026-11-18", "cases": sample_request["cases"][:12]}
    borrowers = [case["borrower"] for case in sample_request["cases"]]
    body["cases"][0]["borrower"] = borrowers[0] | {"email": EMAIL, "language": "de-LI"}
    addresses = [case["address"] for case in body["cases"]]
    with live_server(env, log) as base, httpx2.Client(base_url=base, timeout=60) as http:
        http.headers.update(sign_in(base, "admin", PASSWORD))
        planned = http.post("/plan", json=body, headers={"X-Request-ID": "flow-plan-1"})
        assert planned.headers["X-Request-ID"] == "flow-plan-1"
        plan = planned.json()
        stop = plan["itineraries"][0]["stops"][0]
        agent_id = plan["itineraries"][0]["agent_id"]
        http.post(
            f"/visits/{stop['visit_id']}/outcome",
            json={"outcome": "met", "occurred_at": stop["service_start"], "notes": NOTE},
        )
        http.get(f"/cases/{stop['case_id']}/history")
        http.post(f"/plans/{plan['plan_id']}/publish")
        for export in (".csv", ".ics", "/print"):
            http.get(f"/plans/{plan['plan_id']}/itineraries/{agent_id}{export}")
        # A client that puts an address and a phone number in the query string.
        http.get(
            f"/itinerary/{agent_id}",
            params={"date": "2026-11-18", "q": addresses[1], "phone": PHONE},
            headers={"X-Request-ID": "flow-itinerary-1"},
        )
        http.post("/geocode", json={"addresses": addresses})
        http.post("/plan", json=body | {"cases": [body["cases"][0] | {"service_minutes": -1}]})
        http.get("/metrics")

    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]
    assert all(set(record) >= FIELDS for record in records)
    assert {r["level"] for r in records} >= {"debug", "info"}  # at DEBUG, and it did log
    by_id = {r["request_id"]: r for r in records if r["logger"] == "uvicorn.access"}
    assert by_id["flow-plan-1"]["http_path"] == "/plan"
    assert by_id["flow-itinerary-1"]["http_path"] == f"/itinerary/{agent_id}"
    assert any(r["logger"] == "app.planning" and r["request_id"] == "flow-plan-1" for r in records)
    logged = log.read_text(encoding="utf-8")
    for address in addresses:
        assert address not in logged
        assert address.split(",")[0] not in logged
        assert json.dumps(address)[1:-1] not in logged  # as JSON escapes it
    for secret in (NOTE, "Hans Muster", PHONE, "hans.muster@example.li", EMAIL):
        assert secret not in logged
    for borrower in borrowers:
        for value in (borrower["name"], borrower["phone"], borrower["phone"].replace(" ", "")):
            assert value not in logged
            assert json.dumps(value)[1:-1] not in logged
