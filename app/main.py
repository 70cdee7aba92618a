"""The FastAPI application: wiring of settings, regions, storage and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from starlette.datastructures import State

import geo
from app.access import install_access_audit
from app.audit import AuditLog
from app.auth import UserStore
from app.auth.bootstrap import ensure_first_admin, signing_secret
from app.compliance import ProfileLibrary, load_profile_files
from app.config import Settings, get_settings
from app.data_subjects import DataSubjects
from app.db import create_db_engine, migrate
from app.docs import install_offline_docs
from app.errors import PROTECTED_RESPONSES, install_error_handlers
from app.jobs import (
    CeleryExecutor,
    Executor,
    InProcessExecutor,
    JobPolicy,
    JobService,
    JobStore,
    PlanJobRunner,
)
from app.jobs.celery_app import create_celery
from app.metrics import MetricsMiddleware
from app.outcome_store import OutcomeStore
from app.planner import Planner
from app.rate_limits import RateLimits
from app.regions import RegionRegistry
from app.request_id import RequestIdMiddleware
from app.routes import (
    audit,
    auth,
    compliance,
    data_subjects,
    exports,
    geocoding,
    health,
    imports,
    itinerary,
    jobs,
    metrics,
    pages,
    plans,
    regions,
    replans,
    users,
    visits,
)
from app.security import install_security
from app.store import PlanStore


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _job_service(settings: Settings, engine: Engine, state: State) -> JobService:
    """Background jobs on the configured backend: threads of this process, or Celery."""
    jobs = JobStore(engine)
    policy = JobPolicy.from_settings(settings)
    executor: Executor
    if settings.job_backend == "celery":
        executor = CeleryExecutor(create_celery(settings), settings.celery_queue)
    else:
        planner = Planner(
            settings=settings,
            registry=state.registry,
            profiles=state.profiles,
            outcomes=state.outcomes,
            matrix_cache=state.matrix_cache,
            geocoder=state.external_geocoder,
        )
        executor = InProcessExecutor(PlanJobRunner(jobs, planner, policy), settings.job_workers)
    return JobService(jobs, executor, policy, settings.job_reap_interval_seconds)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. Nothing is loaded until startup (the lifespan)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_db_engine(settings.database_url)
        migrate(engine)
        registry = RegionRegistry.from_settings(settings)
        registry.get(None)  # load the default region now, not on the first request
        app.state.settings = settings
        app.state.engine = engine
        app.state.registry = registry
        app.state.store = PlanStore(engine)
        app.state.outcomes = OutcomeStore(engine)
        app.state.profiles = ProfileLibrary(engine, load_profile_files(settings.compliance_dir))
        app.state.matrix_cache = geo.MatrixCache()
        app.state.users = UserStore(engine)
        app.state.audit = AuditLog(engine)
        app.state.data_subjects = DataSubjects(engine)
        app.state.rate_limits = RateLimits(settings)
        app.state.jwt_secret = signing_secret(_secret(settings.jwt_secret), settings.var_dir)
        ensure_first_admin(
            app.state.users, _secret(settings.initial_admin_password), settings.var_dir
        )
        external_geocoder = settings.external_geocoder()
        app.state.external_geocoder = external_geocoder
        jobs = _job_service(settings, engine, app.state)
        app.state.jobs = jobs
        jobs.start(resubmit_queued=settings.job_backend == "inprocess")
        yield
        jobs.stop()
        if external_geocoder is not None:
            external_geocoder.close()
        engine.dispose()

    app = FastAPI(
        title="Doorstep",
        summary="Route planning for field agents' home visits on real roads.",
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    install_access_audit(app)
    install_security(app, settings)
    install_offline_docs(app)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)  # outermost: every later record carries the id
    signed_in = (
        auth,
        users,
        audit,
        data_subjects,
        plans,
        jobs,
        replans,
        exports,
        itinerary,
        visits,
        metrics,
    )
    for module in (*signed_in, compliance, geocoding, regions, imports):
        app.include_router(module.router, responses=PROTECTED_RESPONSES)
    for module in (health, pages):
        app.include_router(module.router)
    return app
