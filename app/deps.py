"""Typed dependencies for route handlers, read from the app's state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

import geo
from app.audit import AuditLog
from app.auth import UserStore
from app.compliance import ProfileLibrary
from app.config import Settings
from app.data_subjects import DataSubjects
from app.jobs import JobService
from app.outcome_store import OutcomeStore
from app.planner import Planner
from app.rate_limits import RateLimits
from app.regions import RegionRegistry
from app.store import PlanStore


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_registry(request: Request) -> RegionRegistry:
    """The app's regions."""
    registry: RegionRegistry = request.app.state.registry
    return registry


def get_store(request: Request) -> PlanStore:
    """The app's plan store."""
    store: PlanStore = request.app.state.store
    return store


def get_outcome_store(request: Request) -> OutcomeStore:
    """The app's visit outcomes."""
    store: OutcomeStore = request.app.state.outcomes
    return store


def get_profile_library(request: Request) -> ProfileLibrary:
    """The app's compliance profiles."""
    library: ProfileLibrary = request.app.state.profiles
    return library


def get_external_geocoder(request: Request) -> geo.Geocoder | None:
    """The configured external geocoder, or None to use each region's own."""
    geocoder: geo.Geocoder | None = request.app.state.external_geocoder
    return geocoder


def get_planner(request: Request) -> Planner:
    """The planning service, on the app's regions, profiles, outcomes and caches."""
    state = request.app.state
    return Planner(
        settings=state.settings,
        registry=state.registry,
        profiles=state.profiles,
        outcomes=state.outcomes,
        matrix_cache=state.matrix_cache,
        geocoder=state.external_geocoder,
    )


def get_job_service(request: Request) -> JobService:
    """The app's background jobs."""
    jobs: JobService = request.app.state.jobs
    return jobs


def get_users(request: Request) -> UserStore:
    """The app's users and tokens."""
    users: UserStore = request.app.state.users
    return users


def get_audit_log(request: Request) -> AuditLog:
    """The app's audit log."""
    log: AuditLog = request.app.state.audit
    return log


def get_data_subjects(request: Request) -> DataSubjects:
    """The app's data-subject requests."""
    subjects: DataSubjects = request.app.state.data_subjects
    return subjects


def get_rate_limits(request: Request) -> RateLimits:
    """The app's rate limits."""
    limits: RateLimits = request.app.state.rate_limits
    return limits


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ExternalGeocoderDep = Annotated[geo.Geocoder | None, Depends(get_external_geocoder)]
RegistryDep = Annotated[RegionRegistry, Depends(get_registry)]
StoreDep = Annotated[PlanStore, Depends(get_store)]
PlannerDep = Annotated[Planner, Depends(get_planner)]
OutcomeStoreDep = Annotated[OutcomeStore, Depends(get_outcome_store)]
ProfileLibraryDep = Annotated[ProfileLibrary, Depends(get_profile_library)]
UsersDep = Annotated[UserStore, Depends(get_users)]
AuditLogDep = Annotated[AuditLog, Depends(get_audit_log)]
DataSubjectsDep = Annotated[DataSubjects, Depends(get_data_subjects)]
RateLimitsDep = Annotated[RateLimits, Depends(get_rate_limits)]
JobServiceDep = Annotated[JobService, Depends(get_job_service)]
