"""Liveness and readiness: /readyz answers 200 only while the database answers and the default
region is loaded, else 503 naming the check that failed; both are open to anyone."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.config import Settings
from app.main import create_app
from app.rate_limits import RateLimits
from app.regions import RegionRegistry
from tests.live_server import free_port

ANONYMOUS = {"Authorization": ""}


def test_ready_and_alive_without_signing_in(client: TestClient) -> None:
    assert client.get("/healthz", headers=ANONYMOUS).json() == {"status": "ok"}
    response = client.get("/readyz", headers=ANONYMOUS)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "default_region": "ok", "rate_limit_storage": "ok"},
    }


def test_not_ready_when_the_database_does_not_answer(client: TestClient) -> None:
    """After startup the engine points at a PostgreSQL port where nothing listens."""
    app = client.app
    dead = create_engine(f"postgresql+psycopg://doorstep@127.0.0.1:{free_port()}/doorstep")
    app.state.engine, engine = dead, app.state.engine  # type: ignore[attr-defined]
    try:
        response = client.get("/readyz", headers=ANONYMOUS)
    finally:
        app.state.engine = engine  # type: ignore[attr-defined]
        dead.dispose()
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "failed", "default_region": "ok", "rate_limit_storage": "ok"},
    }
    assert client.get("/readyz").status_code == 200  # back once it answers


def test_not_ready_until_the_default_region_is_loaded(
    client: TestClient, settings: Settings
) -> None:
    client.app.state.registry = RegionRegistry.from_settings(settings)  # type: ignore[attr-defined]
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["default_region"] == "failed"
    client.get("/regions/liechtenstein/roads")  # anything that loads it
    assert client.get("/readyz").status_code == 200


def test_reimporting_the_default_region_keeps_the_service_ready(
    client: TestClient, settings: Settings, regions_dir: Path, tmp_path: Path
) -> None:
    shutil.copytree(regions_dir, tmp_path / "regions")
    registry = RegionRegistry.from_settings(
        settings.model_copy(update={"regions_dir": tmp_path / "regions"})
    )
    registry.get(None)
    client.app.state.registry = registry  # type: ignore[attr-defined]
    registry.import_region(settings.default_region_extract, registry.default_region)
    assert registry.is_loaded(registry.default_region)
    assert client.get("/readyz").status_code == 200


def test_not_ready_when_the_rate_limit_storage_does_not_answer(
    client: TestClient, settings: Settings
) -> None:
    """Counters in a Redis that is down: signed-in requests would fail, so not ready."""
    dead = settings.model_copy(
        update={"rate_limit_storage_url": f"redis://127.0.0.1:{free_port()}"}
    )
    client.app.state.rate_limits = RateLimits(dead)  # type: ignore[attr-defined]
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["rate_limit_storage"] == "failed"


@pytest.mark.postgres
def test_ready_on_postgresql_until_its_database_is_gone(settings: Settings) -> None:
    server = os.environ.get("DOORSTEP_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("DOORSTEP_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"doorstep_test_{uuid.uuid4().hex[:12]}"
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        app = create_app(settings.model_copy(update={"database_url": url}))
        with TestClient(app) as client:
            assert client.get("/readyz").status_code == 200
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            response = client.get("/readyz")
            assert response.status_code == 503
            assert response.json()["checks"]["database"] == "failed"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
