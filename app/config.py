"""Settings, all from the environment (prefix ``DOORSTEP_``); nothing is read at import."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The checkout (or install) root that holds ``data/``."""


def _sqlite_beside_data(data: dict[str, Any]) -> str:
    return f"sqlite:///{data['data_dir'].parent / 'var' / 'doorstep.db'}"


class Settings(BaseSettings):
    """Service settings. Paths left unset are derived from ``data_dir``."""

    model_config = SettingsConfigDict(env_prefix="DOORSTEP_", extra="forbid", frozen=True)

    data_dir: Path = PROJECT_ROOT / "data"
    regions_dir: Path = Field(default_factory=lambda data: data["data_dir"] / "regions")
    cache_dir: Path = Field(default_factory=lambda data: data["data_dir"] / "cache")
    default_region: str = "liechtenstein"
    database_url: str = Field(
        default_factory=_sqlite_beside_data,
        description="SQLAlchemy URL; by default SQLite in var/doorstep.db beside data/.",
    )
    max_snap_distance_m: float = Field(default=500.0, gt=0)
    default_time_limit_seconds: float = Field(default=5.0, gt=0, le=300)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
