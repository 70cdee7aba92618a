"""Personal data never reaches the logs: the whole flow at DEBUG leaves no address, note,
borrower's name or phone number in the log output, and the log filter blanks what slips
through."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.redaction import REDACTED, PersonalDataFilter

PHONE = "+423 791 23 45"
NOTE = f"Spoke to Hans Muster, call back on {PHONE} or hans.muster@example.li"
EMAIL = "borrower.one@example.li"


def test_the_whole_flow_at_debug_logs_no_personal_data(
    client: TestClient, sample_request: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = sample_request | {"date": "2026-11-18"}
    body["cases"] = body["cases"][:12]
    borrowers = [case["borrower"] for case in sample_request["cases"]]
    assert all(b["name"] and b["phone"] for b in borrowers)  # the sample names every one
    body["cases"][0]["borrower"] = borrowers[0] | {"email": EMAIL, "language": "de-LI"}
    plan = client.post("/plan", json=body).json()
    stop = next(s for i in plan["itineraries"] for s in i["stops"])
    client.post(
        f"/visits/{stop['visit_id']}/outcome",
        json={"outcome": "met", "occurred_at": stop["service_start"], "notes": NOTE},
    )
    client.get(f"/cases/{stop['case_id']}/history")
    client.get("/review/addresses")
    agent_id = plan["itineraries"][0]["agent_id"]
    client.post(f"/plans/{plan['plan_id']}/publish")
    for export in (".csv", ".ics", "/print"):
        client.get(f"/plans/{plan['plan_id']}/itineraries/{agent_id}{export}")
    client.get(f"/itinerary/{agent_id}", params={"date": "2026-11-18"})
    client.post("/geocode", json={"addresses": [c["address"] for c in body["cases"]]})
    client.post("/plan", json=body | {"cases": [body["cases"][0] | {"service_minutes": -1}]})
    bad_contact = body["cases"][1] | {"borrower": borrowers[1] | {"phone": "ask the neighbour"}}
    client.post("/plan", json=body | {"cases": [bad_contact]})

    logged = caplog.text
    assert len(caplog.records) > 5  # the flow did log: the scan below means something
    for case in body["cases"]:
        assert case["address"] not in logged
        assert case["address"].split(",")[0] not in logged
    for secret in (NOTE, "Hans Muster", PHONE, "hans.muster@example.li", EMAIL):
        assert secret not in logged
    for borrower in borrowers:  # all 40, planned or not
        assert borrower["name"] not in logged
        assert borrower["phone"] not in logged
        assert borrower["phone"].replace(" ", "") not in logged


def test_the_filter_blanks_phones_emails_and_ibans_but_keeps_dates() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger("doorstep.test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("note %s on %s", NOTE, "2026-12-01")
        try:
            raise ValueError(f"cannot parse {PHONE}")
        except ValueError:
            logger.exception("failed for LI21 0881 0000 2324 013A A")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert PHONE not in text
    assert "hans.muster@example.li" not in text
    assert "LI21 0881" not in text
    assert text.count(REDACTED) >= 4
    assert "2026-12-01" in text
