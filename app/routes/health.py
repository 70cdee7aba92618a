"""Liveness and readiness, open to anyone (for load balancers and orchestrators)."""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.rate_limits import RateLimits
from app.regions import RegionRegistry

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])

CheckResult = Literal["ok", "failed"]


class HealthOut(BaseModel):
    """The process answers."""

    status: Literal["ok"]


class ReadinessOut(BaseModel):
    """Whether the service can serve, and each check: ``database`` (it answers SELECT 1),
    ``default_region`` (loaded into memory) and ``rate_limit_storage`` (Redis, when the
    counters live there, answers PING)."""

    status: Literal["ready", "unavailable"]
    checks: dict[str, CheckResult]


@router.get("/healthz")
def healthz() -> HealthOut:
    """The process is up and serving."""
    return HealthOut(status="ok")


@router.get(
    "/readyz",
    responses={503: {"model": ReadinessOut, "description": "A check failed; `checks` says which."}},
)
def readyz(request: Request, response: Response) -> ReadinessOut:
    """Ready to serve: the database answers, the default region is loaded and the rate-limit
    storage answers (else 503)."""
    state = request.app.state
    checks = {
        "database": _database(state.engine),
        "default_region": _default_region(state.registry),
        "rate_limit_storage": _rate_limit_storage(state.rate_limits),
    }
    if all(result == "ok" for result in checks.values()):
        return ReadinessOut(status="ready", checks=checks)
    response.status_code = 503
    return ReadinessOut(status="unavailable", checks=checks)


def _database(engine: Engine) -> CheckResult:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means not ready; the reason goes to the log only
        logger.warning("readiness: the database does not answer (%s)", type(exc).__name__)
        return "failed"
    return "ok"


def _default_region(registry: RegionRegistry) -> CheckResult:
    if registry.is_loaded(registry.default_region):
        return "ok"
    logger.warning("readiness: the default region is not loaded")
    return "failed"


def _rate_limit_storage(limits: RateLimits) -> CheckResult:
    if limits.storage_answers():
        return "ok"
    logger.warning("readiness: the rate-limit storage does not answer")
    return "failed"
