"""Settings, all from the environment (prefix ``DOORSTEP_``); nothing is read at import."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import limits
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

import geo

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The checkout (or install) root that holds ``data/``."""


class Settings(BaseSettings):
    """Service settings. Paths left unset are derived from ``data_dir`` and ``var_dir``."""

    model_config = SettingsConfigDict(env_prefix="DOORSTEP_", extra="forbid", frozen=True)

    data_dir: Path = Field(
        default=PROJECT_ROOT / "data", description="Shipped, read-only data: the default extract."
    )
    var_dir: Path = Field(
        default=PROJECT_ROOT / "var", description="Where the service writes: regions, database."
    )
    regions_dir: Path = Field(
        default_factory=lambda data: data["var_dir"] / "regions",
        description="Imported regions, one folder each.",
    )
    default_region: str = "liechtenstein"
    default_region_extract: Path = Field(
        default_factory=lambda data: data["data_dir"] / "osm" / "liechtenstein.osm.pbf",
        description="The extract the default region is imported from on first run.",
    )
    compliance_dir: Path = Field(
        default_factory=lambda data: data["data_dir"] / "compliance",
        description="The shipped compliance profiles (TOML, docs/compliance-profiles.md).",
    )
    region_profiles: dict[str, list[str]] = Field(
        default_factory=lambda: {"liechtenstein": ["LI-POLICY"]},
        description=(
            "Compliance profiles every plan of a region applies, as JSON by region name; a "
            "plan or case adds its own. A case with none is refused (fail closed)."
        ),
    )
    promise_grace_days: int = Field(
        default=2, ge=0, le=60, description="Days after a promised date before a follow-up."
    )
    database_url: str = Field(
        default_factory=lambda data: f"sqlite:///{data['var_dir'] / 'doorstep.db'}",
        description="SQLAlchemy URL; by default SQLite in var/doorstep.db.",
    )
    jwt_secret: SecretStr | None = Field(
        default=None,
        description="Signs sign-in tokens; unset: a random one kept in var/jwt-secret.",
    )
    access_token_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="How long a sign-in token (JWT) lasts."
    )
    personal_token_max_days: int = Field(
        default=365, ge=1, le=3650, description="The longest a personal access token may last."
    )
    initial_admin_password: SecretStr | None = Field(
        default=None,
        description=(
            "Password of the first user, admin, made when there are no users; unset: a random "
            "one written to var/initial-admin-password."
        ),
    )
    rate_limit: str = Field(
        default="600/minute", description="Requests per token (or signed-in user), e.g. 10/second."
    )
    sign_in_rate_limit: str = Field(
        default="10/minute", description="Sign-in attempts per username and per client address."
    )
    failed_access_rate_limit: str = Field(
        default="60/minute", description="Requests with a bad or missing token per client address."
    )
    rate_limit_storage_url: str = Field(
        default="memory://",
        description="Where rate-limit counters live; redis://host:port shares them across workers.",
    )
    walk_speed_kph: float = Field(default=4.5, gt=0, le=20, description="Applied at import.")
    bike_speed_kph: float = Field(default=15.0, gt=0, le=60, description="Applied at import.")
    escooter_speed_kph: float = Field(default=18.0, gt=0, le=60, description="Applied at import.")
    default_cost_per_hour: float = Field(
        default=25.0, ge=0, description="An agent's cost per working hour, unless the plan says."
    )
    default_cost_per_km: float = Field(
        default=0.30, ge=0, description="An agent's cost per km travelled, unless the plan says."
    )
    max_snap_distance_m: float = Field(
        default=500.0, gt=0, description="A place farther from every usable road is unroutable."
    )
    geocoder: Literal["offline", "nominatim"] = Field(
        default="offline",
        description="offline: the region's own OSM addresses; nominatim: your Nominatim server.",
    )
    nominatim_url: str | None = Field(
        default=None, description="Base URL of the Nominatim server (geocoder=nominatim)."
    )
    nominatim_min_delay_seconds: float = Field(
        default=1.0, ge=0, description="Rate limit: least time between two Nominatim requests."
    )
    low_geocode_confidence: float = Field(
        default=0.6, ge=0, le=1, description="Geocodes below this confidence are flagged."
    )
    speed_factors: dict[str, list[float]] | None = Field(
        default=None,
        description=(
            "Time of day: per OSM road class, 24 multipliers of speed by local hour, as JSON, "
            'e.g. {"primary": [1, ..., 0.6, ...]}; a plan uses each agent\'s shift hours.'
        ),
    )
    default_time_limit_seconds: float = Field(default=5.0, gt=0, le=300)
    solver_workers: int = Field(
        default=2,
        ge=1,
        le=64,
        description=(
            "Searches raced per plan, one process each (the cheapest plan wins); 2 uses both "
            "cores of a small machine (bench/solomon.py: mean gap 0.27 % -> 0.17 %)."
        ),
    )
    split_above_cases: int = Field(
        default=800,
        ge=2,
        description=(
            "A plan with more routed cases is split into territories solved in parallel, then "
            "improved across their borders (bench/city_scale.py)."
        ),
    )
    territory_cases: int = Field(
        default=200, ge=1, description="Cases per territory aimed at when a plan is split."
    )
    territories_on: Literal["processes", "celery"] = Field(
        default="processes",
        description=(
            "Where a split plan's territories are solved: processes of the planning process, "
            "or Celery workers (`doorstep worker`) through CELERY_BROKER_URL."
        ),
    )
    territory_workers: int = Field(
        default=0,
        ge=0,
        le=1024,
        description="Territories solved at once; 0: SOLVER_WORKERS (with celery: the workers).",
    )
    celery_territory_queue: str = Field(
        default="doorstep-territories",
        pattern=r"^[A-Za-z0-9_.-]{1,100}$",
        description="The broker queue of territories (territories_on=celery).",
    )
    territory_pickup_seconds: float = Field(
        default=5.0,
        gt=0,
        description=(
            "territories_on=celery: a territory no worker has taken by then is solved by the "
            "planning process itself (no worker running, or all busy)."
        ),
    )
    max_request_bytes: int = Field(
        default=20_000_000, gt=0, description="Larger request bodies are refused (413)."
    )
    max_cases_per_plan: int = Field(
        default=5000, ge=1, le=5000, description="A plan with more cases is refused (422)."
    )
    max_agents_per_plan: int = Field(
        default=500, ge=1, le=500, description="A plan with more agents is refused (422)."
    )
    async_above_cases: int = Field(
        default=500,
        ge=0,
        description=(
            "A plan with more cases is solved in the background: POST /plan answers 202 with "
            'a job (as it does for any plan with "async": true).'
        ),
    )
    job_backend: Literal["inprocess", "celery"] = Field(
        default="inprocess",
        description=(
            "Who solves background plans: inprocess, threads of the API process (nothing else "
            "to run); celery, `doorstep worker` processes fed through CELERY_BROKER_URL."
        ),
    )
    job_workers: int = Field(
        default=1, ge=1, le=64, description="Plans solved at once by the inprocess backend."
    )
    celery_broker_url: str = Field(
        default="redis://127.0.0.1:6379/0", description="The Celery broker (job_backend=celery)."
    )
    celery_queue: str = Field(
        default="doorstep-plans",
        pattern=r"^[A-Za-z0-9_.-]{1,100}$",
        description="The broker queue of plan jobs.",
    )
    celery_visibility_timeout_seconds: float = Field(
        default=3600.0,
        gt=0,
        description=(
            "Redis: a job taken by a worker that died unacknowledged is handed out again after "
            "this long (a job still running then is not run twice: see app/jobs)."
        ),
    )
    job_max_attempts: int = Field(
        default=2,
        ge=1,
        le=10,
        description="Runs of a job whose worker was lost, before it fails with 'worker lost'.",
    )
    job_heartbeat_seconds: float = Field(
        default=2.0, gt=0, le=600, description="How often a running job records progress."
    )
    job_stale_after_seconds: float = Field(
        default=60.0,
        gt=0,
        description=(
            "A running job with no heartbeat for this long has lost its worker: it is run again "
            "(up to JOB_MAX_ATTEMPTS) or failed with the reason."
        ),
    )
    job_reap_interval_seconds: float = Field(
        default=15.0, gt=0, description="How often the API looks for jobs whose worker was lost."
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (JSON list); none: closed.",
    )
    retention_plans_days: int = Field(
        default=400,
        ge=1,
        le=36_500,
        description=(
            "Stored plans (request and answer, their agents and visits) are purged this many "
            "days after they were made; a plan is kept while an outcome of one of its visits "
            "is inside the outcomes' retention (docs/personal-data.md)."
        ),
    )
    retention_outcomes_days: int = Field(
        default=1095,
        ge=1,
        le=36_500,
        description="Visit outcomes (notes, positions) are purged this long after recording.",
    )
    retention_audit_log_days: int = Field(
        default=2190, ge=1, le=36_500, description="Audit log entries are purged this long after."
    )
    retention_access_tokens_days: int = Field(
        default=90,
        ge=1,
        le=36_500,
        description="Expired or revoked personal access tokens are kept this long, then purged.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="text: lines for a terminal; json: one JSON object per record, for collectors.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="The least severe records logged."
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description=(
            "A bearer token for Prometheus to scrape GET /metrics with; admins and auditors "
            "may read it with their own tokens either way."
        ),
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1,::1",
        description=(
            "Proxies whose X-Forwarded-For and -Proto are believed (comma-separated addresses "
            "or networks): the client address of rate limits and the audit log comes from them."
        ),
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    @field_validator("rate_limit", "sign_in_rate_limit", "failed_access_rate_limit")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError as exc:
            msg = f"not a rate like '600/minute': {value!r}"
            raise ValueError(msg) from exc
        return value

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("metrics_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            msg = "the metrics token must be at least 16 characters"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _stale_after_heartbeats(self) -> Settings:
        if self.job_stale_after_seconds <= 2 * self.job_heartbeat_seconds:
            msg = (
                "DOORSTEP_JOB_STALE_AFTER_SECONDS must exceed two heartbeats "
                "(DOORSTEP_JOB_HEARTBEAT_SECONDS), or live jobs would be taken for lost"
            )
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _nominatim_needs_a_url(self) -> Settings:
        if self.geocoder == "nominatim" and not self.nominatim_url:
            msg = "DOORSTEP_NOMINATIM_URL is required when DOORSTEP_GEOCODER=nominatim"
            raise ValueError(msg)
        return self

    def mode_speeds(self) -> geo.ModeSpeeds:
        """Walking, cycling and e-scooter speeds for region imports."""
        return geo.ModeSpeeds(
            walk_kph=self.walk_speed_kph,
            bike_kph=self.bike_speed_kph,
            escooter_kph=self.escooter_speed_kph,
        )

    def external_geocoder(self) -> geo.NominatimGeocoder | None:
        """The configured Nominatim backend (its answers cached in var/), or None: offline."""
        if self.geocoder != "nominatim" or self.nominatim_url is None:
            return None
        return geo.NominatimGeocoder(
            self.nominatim_url,
            cache_path=self.var_dir / "nominatim-cache.sqlite",
            min_delay_s=self.nominatim_min_delay_seconds,
        )


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
