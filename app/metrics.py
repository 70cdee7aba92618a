"""Prometheus metrics of the service, served at ``GET /metrics`` (app/routes/metrics.py).

HTTP requests are labelled by method, route template (``/itinerary/{agent_id}``, never the
path with its ids) and status; plans by phase. Metrics live in prometheus-client's default
registry, in the serving process (``doorstep serve`` is one process; scale with more
containers and scrape each: ``PROMETHEUS_MULTIPROC_DIR`` is not supported).

Queue length (for the background-jobs module): set :data:`JOBS_QUEUED` where jobs are
queued and taken (``JOBS_QUEUED.set(n)``), or, when the queue lives elsewhere (Redis, the
database) and the API only enqueues, have every scrape read it:
``watch_queue_length(lambda: queue.length())``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from app.schemas import PlanResponse

disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series: noise

UNMATCHED_ROUTE = "unmatched"
"""The route label of a request no route matched (its path is never a label)."""

STATIC_ROUTE = "/static/{path}"
"""The route label of the pages' and docs' static files (mounts put no route in the scope)."""

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUESTS = Counter(
    "doorstep_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ("method", "route", "status"),
)
HTTP_DURATION = Histogram(
    "doorstep_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ("method", "route", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
HTTP_IN_PROGRESS = Gauge("doorstep_http_requests_in_progress", "HTTP requests being answered.")
PLAN_DURATION = Histogram(
    "doorstep_plan_duration_seconds",
    "Time to plan a day, by phase: prepare (geocode, screen, snap, matrices), solve (search, "
    "repair, explain, present) and total.",
    ("phase",),
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60, 120, 300),
)
PLAN_COST = Histogram(
    "doorstep_plan_cost",
    "Total cost of each plan (summary.total_cost, in the plans' currency).",
    buckets=(10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 100_000),
)
LAST_PLAN_COST = Gauge("doorstep_plan_last_cost", "Total cost of the latest plan.")
VISITS_PLANNED = Counter("doorstep_visits_planned", "Visits given to an agent by plans.")
VISITS_UNASSIGNED = Counter(
    "doorstep_visits_unassigned", "Cases plans left out, by reason.", ("reason",)
)
JOBS_QUEUED = Gauge("doorstep_jobs_queued", "Background jobs waiting for a worker.")


def watch_queue_length(length: Callable[[], float]) -> None:
    """Have every scrape set :data:`JOBS_QUEUED` to ``length()``."""
    JOBS_QUEUED.set_function(length)


def record_plan(response: PlanResponse, *, prepare_s: float, solve_s: float) -> None:
    """Count a plan made: its phases' durations, cost and visits."""
    PLAN_DURATION.labels("prepare").observe(prepare_s)
    PLAN_DURATION.labels("solve").observe(solve_s)
    PLAN_DURATION.labels("total").observe(prepare_s + solve_s)
    PLAN_COST.observe(response.summary.total_cost)
    LAST_PLAN_COST.set(response.summary.total_cost)
    VISITS_PLANNED.inc(response.summary.assigned)
    for unassigned in response.unassigned:
        VISITS_UNASSIGNED.labels(unassigned.reason).inc()


def exposition() -> tuple[bytes, str]:
    """Every metric in the Prometheus text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def route_template(scope: Scope) -> str:
    """The template of the route that served the request (the router puts an API route in
    the scope; plain routes are matched here); static files are ``/static/{path}``."""
    route = scope.get("route")
    path = getattr(route, "path", None) if isinstance(route, BaseRoute) else None
    if isinstance(path, str):
        return path
    for plain in getattr(scope.get("app"), "routes", ()):  # /openapi.json: not in the scope
        if type(plain) is Route and plain.matches(scope)[0] is Match.FULL:
            return plain.path
    return STATIC_ROUTE if scope["path"].startswith("/static/") else UNMATCHED_ROUTE


class MetricsMiddleware:
    """Counts and times every HTTP request by method, route template and status (a request
    that raised counts as 500)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        HTTP_IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            HTTP_IN_PROGRESS.dec()
            method = scope["method"] if scope["method"] in _METHODS else "other"
            labels = (method, route_template(scope), str(status))
            HTTP_REQUESTS.labels(*labels).inc()
            HTTP_DURATION.labels(*labels).observe(time.perf_counter() - started)
