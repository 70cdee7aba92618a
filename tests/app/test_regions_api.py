"""Regions through the API: listing, importing (admins only), and planning in a new region."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient

import geo
from app.config import Settings
from app.main import create_app
from app.regions import RegionRegistry
from tests.auth import admin_client, bearer, new_user
from tests.conftest import DEFAULT_EXTRACT
from tests.feasibility import plan_violations

MANHATTAN = Path(__file__).resolve().parents[1] / "data" / "new-york-manhattan.osm.pbf"


@pytest.fixture
def region_admin(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    """A client signed in as an admin, of an app with its own copy of the region store."""
    store = tmp_path / "regions"
    store.mkdir()
    (store / "liechtenstein").symlink_to(settings.regions_dir / "liechtenstein")
    with admin_client(create_app(settings.model_copy(update={"regions_dir": store}))) as client:
        yield client


def _upload(
    client: TestClient, headers: dict[str, str] | None = None, **fields: str
) -> httpx2.Response:
    with MANHATTAN.open("rb") as extract:
        return client.post(
            "/regions",
            headers=headers or {},
            data=fields,
            files={"extract": ("manhattan.osm.pbf", extract, "application/octet-stream")},
        )


def test_default_region_is_listed(client: TestClient) -> None:
    """GET /regions lists the default region with its time zone, country and outline."""
    (region,) = client.get("/regions").json()
    assert region["name"] == "liechtenstein"
    assert region["default"] is True
    assert (region["timezone"], region["country_code"]) == ("Europe/Vaduz", "LI")
    assert region["outline"]["type"] == "Polygon"
    assert client.get("/regions/liechtenstein").json() == region
    assert client.get("/regions/atlantis").status_code == 404


def test_admin_imports_a_region_and_plans_run_in_it(region_admin: TestClient) -> None:
    """An uploaded extract becomes a region; a plan naming it runs in its time zone."""
    response = _upload(region_admin, name="manhattan")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["timezone"], body["country_code"]) == ("America/New_York", "US")
    assert {r["name"] for r in region_admin.get("/regions").json()} == {
        "liechtenstein",
        "manhattan",
    }
    request = {
        "date": "2026-12-01",
        "region": "manhattan",
        "cases": [
            {"id": "M-1", "location": {"lat": 40.7359, "lon": -73.9911}, "service_minutes": 10}
        ],
        "agents": [
            {
                "id": "NY-1",
                "start": {"lat": 40.7330, "lon": -73.9950},
                "shift": {"start": "09:00", "end": "17:00"},
            }
        ],
        "options": {"time_limit_seconds": 1},
    }
    refused = region_admin.post("/plan", json=request)  # no profile names this region
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "compliance_profiles"]
    request["compliance_profiles"] = ["US-FDCPA"]
    plan = region_admin.post("/plan", json=request).json()
    assert plan["timezone"] == "America/New_York"
    assert [p["id"] for p in plan["compliance"]["profiles"]] == ["US-FDCPA"]
    assert plan_violations(request, plan) == []
    assert plan["itineraries"][0]["start_time"].endswith("-05:00")


def test_region_import_is_for_admins(region_admin: TestClient) -> None:
    """Other roles get 403, a wrong or missing bearer 401; bad fields are 422 naming them."""
    planner = new_user(region_admin, "planner", team="vaduz")
    assert _upload(region_admin, planner, name="x").status_code == 403
    assert _upload(region_admin, {"Authorization": ""}, name="x").status_code == 401
    assert _upload(region_admin, bearer("dsp_wrong_token"), name="x").status_code == 401
    bad_zone = _upload(region_admin, name="x", timezone="Mars/Olympus")
    assert bad_zone.status_code == 422
    assert bad_zone.json()["detail"][0]["loc"] == ["body", "timezone"]
    too_long = _upload(region_admin, name="x", timezone="x" * 300)  # no file of that name
    assert too_long.status_code == 422
    bad_name = _upload(region_admin, name="../etc")
    assert bad_name.status_code == 422
    assert bad_name.json()["detail"][0]["loc"] == ["body", "name"]


def test_not_an_extract_is_422(region_admin: TestClient, tmp_path: Path) -> None:
    """A file that is not OSM data is refused with a clear error, not a 500."""
    junk = tmp_path / "junk.osm.pbf"
    junk.write_bytes(b"this is not an OSM extract")
    with junk.open("rb") as handle:
        response = region_admin.post(
            "/regions",
            data={"name": "junk"},
            files={"extract": ("junk.osm.pbf", handle, "application/octet-stream")},
        )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "extract"]


def test_default_region_is_imported_on_first_use(tmp_path: Path) -> None:
    """With an empty region store, the first use imports the default region from the
    shipped extract; later registries load it."""
    registry = RegionRegistry(tmp_path, "liechtenstein", DEFAULT_EXTRACT)
    assert registry.manifests() == []
    region = registry.get(None)
    assert region.name == "liechtenstein"
    assert [
        m.name for m in RegionRegistry(tmp_path, "liechtenstein", DEFAULT_EXTRACT).manifests()
    ] == ["liechtenstein"]


def test_walking_and_cycling_speeds_come_from_the_settings(tmp_path: Path) -> None:
    """The speeds set for the service are the ones its imports build networks with."""
    settings = Settings(
        var_dir=tmp_path,
        walk_speed_kph=3.0,
        bike_speed_kph=12.0,
        default_region_extract=DEFAULT_EXTRACT,
    )
    region = RegionRegistry.from_settings(settings).get(None)
    assert region.manifest.speeds_kph == {"walk_kph": 3.0, "bike_kph": 12.0, "escooter_kph": 18.0}
    walk = region.networks[geo.TravelMode.WALK]
    footway_kph = walk.edge_length_m / walk.edge_forward_s * 3.6
    assert footway_kph.max() == pytest.approx(3.0, rel=0.01)


def test_a_time_zone_too_long_for_a_file_name_is_422(region_admin: TestClient) -> None:
    """Found by fuzzing: a long zone name made ZoneInfo fail with OSError (a 500)."""
    response = _upload(region_admin, name="x", timezone="Europe/" + "x" * 300)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "timezone"]
