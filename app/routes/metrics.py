"""Prometheus metrics (app.metrics): for the scrape token, admins and auditors."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.access import allow, authenticated, bearer_token
from app.config import Settings
from app.metrics import exposition

router = APIRouter(tags=["metrics"])


def scraper(request: Request, token: Annotated[str | None, Depends(bearer_token)]) -> None:
    """Lets through the scrape token (``DOORSTEP_METRICS_TOKEN``), else an admin or auditor
    (401 without a valid token, 403 for other roles)."""
    settings: Settings = request.app.state.settings
    expected = settings.metrics_token
    secret = expected.get_secret_value().encode() if expected is not None else None
    if secret is not None and token and hmac.compare_digest(token.encode(), secret):
        return
    allow("admin", "auditor")(request, authenticated(request, token))


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "Every metric, in the Prometheus text format.",
        }
    },
)
def read_metrics(_: Annotated[None, Depends(scraper)]) -> Response:
    """The service's metrics: HTTP requests by method, route template and status, plan
    durations by phase, plan costs, visits planned and left out, queued jobs."""
    body, content_type = exposition()
    return Response(content=body, media_type=content_type)
