"""Shared fixtures: the real default region (built once per run) and app settings."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from app.config import Settings
from app.main import create_app
from geo import Region, import_region, load_region
from tests.auth import new_user
from tests.databases import database_for_test, fresh_postgres_database

# default: fixed examples (derandomized), so CI never fails at random; explore
# (HYPOTHESIS_PROFILE=explore): many new random examples each run, to hunt for bugs.
hypothesis_settings.register_profile("default", deadline=None, max_examples=30, derandomize=True)
hypothesis_settings.register_profile(
    "explore", deadline=None, max_examples=500, derandomize=False, database=None
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
DEFAULT_EXTRACT = DATA_DIR / "osm" / "liechtenstein.osm.pbf"
SAMPLE_REQUEST = DATA_DIR / "samples" / "plan-request.json"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder of this test run."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def regions_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This test run's region store, holding the default region imported once."""
    folder = tmp_path_factory.mktemp("regions")
    import_region(DEFAULT_EXTRACT, "liechtenstein", folder)
    return folder


@pytest.fixture(scope="session")
def region(regions_dir: Path) -> Region:
    """The default region, Liechtenstein, imported from the shipped OSM extract."""
    return load_region(regions_dir / "liechtenstein")


@pytest.fixture
def settings(regions_dir: Path, tmp_path: Path) -> Iterator[Settings]:
    """Settings on the shipped data, this run's imported regions and a fresh database
    (tests/databases.py: SQLite, or PostgreSQL when the run asks)."""
    with database_for_test(tmp_path) as database_url:
        yield Settings(
            data_dir=DATA_DIR,
            var_dir=tmp_path,
            regions_dir=regions_dir,
            database_url=database_url,
            solver_workers=1,  # one search per plan: tests run side by side with others
            rate_limit="100000/minute",  # tests/app/test_auth.py checks the limits themselves
        )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of the app signed in as an admin (who may do everything); the lifespan
    (migrations, region loading) runs inside it."""
    with TestClient(create_app(settings)) as test_client:
        test_client.headers.update(new_user(test_client, "admin"))
        yield test_client


@pytest.fixture
def sample_request() -> dict[str, Any]:
    """The shipped sample: 40 real Liechtenstein addresses, 4 agents; 1 s of search."""
    body: dict[str, Any] = json.loads(SAMPLE_REQUEST.read_text(encoding="utf-8"))
    body["options"] = {"time_limit_seconds": 1}
    return body


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards (tests using it are
    marked ``postgres``)."""
    with fresh_postgres_database() as url:
        yield url
