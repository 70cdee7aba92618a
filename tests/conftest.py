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
from geo import Region, load_region

hypothesis_settings.register_profile("default", deadline=None, max_examples=30)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
REGION_DIR = DATA_DIR / "regions" / "liechtenstein"
SAMPLE_REQUEST = DATA_DIR / "samples" / "plan-request.json"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder of this test run, so tests build the region from the extract."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def region(cache_dir: Path) -> Region:
    """The default region, Liechtenstein, from the shipped OSM extract."""
    return load_region(REGION_DIR, cache_dir)


@pytest.fixture
def settings(region: Region, cache_dir: Path, tmp_path: Path) -> Settings:
    """Settings on the shipped data, this run's cache and a fresh SQLite database."""
    assert region.name == "liechtenstein"  # built first, so the app loads it from the cache
    return Settings(
        data_dir=DATA_DIR,
        cache_dir=cache_dir,
        database_url=f"sqlite:///{tmp_path / 'doorstep.db'}",
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of the app; the lifespan (migrations, region loading) runs inside it."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def sample_request() -> dict[str, Any]:
    """The shipped sample: 40 real Liechtenstein addresses, 4 agents; 1 s of search."""
    body: dict[str, Any] = json.loads(SAMPLE_REQUEST.read_text(encoding="utf-8"))
    body["options"] = {"time_limit_seconds": 1}
    return body
