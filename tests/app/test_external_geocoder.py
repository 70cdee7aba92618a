"""The service with its geocoder switched to a Nominatim server (a fake one on 127.0.0.1)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import Settings
from app.main import create_app
from tests.auth import admin_client
from tests.fake_nominatim import HOUSE, fake_nominatim
from tests.feasibility import plan_violations


def test_plans_geocode_through_the_configured_nominatim(settings: Settings) -> None:
    """With geocoder=nominatim, addresses are looked up on that server (once each, then from
    its cache) and not found ones stay unassigned."""
    body = {
        "date": "2026-12-01",
        "cases": [
            {"id": "house", "address": "Städtle 43, 9490 Vaduz", "service_minutes": 10},
            {"id": "nothing", "address": "nowhere 1, 9490 Vaduz", "service_minutes": 10},
        ],
        "agents": [
            {
                "id": "A",
                "start": {"lat": 47.141, "lon": 9.5209},
                "shift": {"start": "08:00", "end": "17:00"},
            }
        ],
        "options": {"time_limit_seconds": 1},
    }
    with fake_nominatim() as (url, requests):
        external = settings.model_copy(
            update={"geocoder": "nominatim", "nominatim_url": url, "nominatim_min_delay_seconds": 0}
        )
        with admin_client(create_app(external)) as client:
            plan = client.post("/plan", json=body).json()
            assert len(requests) == 2
            again = client.post("/plan", json=body).json()
            assert len(requests) == 2  # answered from the cache
    assert plan_violations(body, plan) == []
    (stop,) = plan["itineraries"][0]["stops"]
    assert stop["geocode"]["matched"] == HOUSE["display_name"]
    assert [u["case_id"] for u in plan["unassigned"]] == ["nothing"]
    assert again["itineraries"][0]["stops"][0]["case_id"] == "house"


def test_nominatim_needs_its_url() -> None:
    """Choosing Nominatim without saying where it runs is a settings error at start-up."""
    with pytest.raises(ValidationError, match="NOMINATIM_URL"):
        Settings(geocoder="nominatim")
