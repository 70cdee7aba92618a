"""docker-compose.yml (no Docker engine here, so read as YAML): the four services, JSON logs,
the readiness health check, PostgreSQL and Redis by URL, and only settings that exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from app.config import Settings

COMPOSE = Path(__file__).resolve().parents[1] / "docker-compose.yml"


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def test_the_services_and_their_images() -> None:
    services = _compose()["services"]
    assert set(services) == {"api", "worker", "postgres", "redis"}
    assert services["api"]["build"] == "."
    assert services["worker"]["image"] == services["api"]["image"]
    assert services["worker"]["command"][-1] == "worker"
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_the_api_logs_json_checks_readiness_and_uses_postgresql_and_redis() -> None:
    api = _compose()["services"]["api"]
    env = api["environment"]
    assert env["DOORSTEP_LOG_FORMAT"] == "json"
    assert env["DOORSTEP_DATABASE_URL"].startswith("postgresql+psycopg://doorstep:")
    assert env["DOORSTEP_DATABASE_URL"].endswith("@postgres:5432/doorstep")
    assert env["DOORSTEP_RATE_LIMIT_STORAGE_URL"].startswith("redis://redis:6379")
    assert "/readyz" in " ".join(api["healthcheck"]["test"])
    assert all(port.startswith("127.0.0.1:") for port in api["ports"])  # TLS proxy in front
    assert {"postgres", "redis"} <= set(api["depends_on"])


def test_every_setting_named_is_one_the_service_has() -> None:
    """A misspelt DOORSTEP_ variable would be ignored silently: each must be a setting."""
    for name in ("api", "worker"):
        env = _compose()["services"][name]["environment"]
        unknown = {
            key
            for key in env
            if key.startswith("DOORSTEP_")
            and key.removeprefix("DOORSTEP_").lower() not in Settings.model_fields
        }
        assert unknown == set(), name
